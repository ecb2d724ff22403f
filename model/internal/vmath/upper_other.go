//go:build goexperiment.simd && !amd64

package vmath

// clearUpper is a no-op where vector registers have no upper halves to
// leave dirty.
func clearUpper() {}
