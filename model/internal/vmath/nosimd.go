//go:build !goexperiment.simd

package vmath

func bernoulli(logits, x, grad []float32) float64 { return bernoulliScalar(logits, x, grad) }
func gaussian(logits, x, grad []float32) float64  { return gaussianScalar(logits, x, grad) }
func sigmoid(a []float32)                         { sigmoidScalar(a) }
func adam(p, g, m, v []float32, c AdamConstants)  { adamScalar(p, g, m, v, c) }
