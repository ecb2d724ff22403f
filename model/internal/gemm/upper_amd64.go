//go:build goexperiment.simd

package gemm

import "simd/archsimd"

// clearUpper clears the upper halves of the vector registers once a
// product is done. The compiler does not: without it, every scalar
// floating-point instruction after the kernel (the loss's exp and log1p,
// Adam's square roots, all in legacy SSE encoding) waits on the dirty
// upper state, which made them several times slower.
func clearUpper() { archsimd.ClearAVXUpperBits() }
