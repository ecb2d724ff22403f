//go:build goexperiment.simd

package vmath

import "simd/archsimd"

// clearUpper clears the upper halves of the vector registers after a
// vector loop, which the compiler does not: scalar floating-point code
// after it (math.Exp, in legacy SSE encoding) would otherwise wait on the
// dirty upper state, several times slower.
func clearUpper() { archsimd.ClearAVXUpperBits() }
