package vmath

import "math"

// Scalar forms: the definitions the vector forms are tested against, and
// what runs element by element for the tails of vectors and in builds
// without the simd package.

// bernoulliScalar adds to sum the binary cross-entropy of x against σ(l),
// softplus(l) - x·l, and stores its derivative σ(l) - x in grad[i] if grad
// is not nil.
func bernoulliScalar(logits, x, grad []float32) float64 {
	var sum float64
	for i, li := range logits {
		l, xi := float64(li), float64(x[i])
		e := math.Exp(-math.Abs(l))
		p := 1 / (1 + e) // σ(|l|)
		if l < 0 {
			p *= e
		}
		sum += math.Max(l, 0) - xi*l + math.Log1p(e)
		if grad != nil {
			grad[i] = float32(p - xi)
		}
	}
	return sum
}

// gaussianScalar adds to sum the squared error (σ(l) - x)² and stores its
// derivative 2(σ(l) - x)·σ(l)(1 - σ(l)) in grad[i] if grad is not nil.
func gaussianScalar(logits, x, grad []float32) float64 {
	var sum float64
	for i, li := range logits {
		p := 1 / (1 + math.Exp(-float64(li)))
		d := p - float64(x[i])
		sum += d * d
		if grad != nil {
			grad[i] = float32(2 * d * p * (1 - p))
		}
	}
	return sum
}

func sigmoidScalar(a []float32) {
	for i, v := range a {
		a[i] = float32(1 / (1 + math.Exp(-float64(v))))
	}
}

func adamScalar(p, g, m, v []float32, c AdamConstants) {
	for j, gj := range g {
		mj := c.Beta1*m[j] + c.OneMinusBeta1*gj
		vj := c.Beta2*v[j] + c.OneMinusBeta2*gj*gj
		m[j], v[j] = mj, vj
		p[j] -= c.StepSize * mj / (float32(math.Sqrt(float64(vj)))/c.SqrtCorrection2 + c.Eps)
	}
}
