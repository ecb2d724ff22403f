//go:build !goexperiment.simd || !amd64

package gemm

// clearUpper is a no-op where vector registers have no upper halves to
// leave dirty, or where the kernel does not use them.
func clearUpper() {}
