package gemm

import "runtime"

// goKernel returns the portable micro-kernel: a 4×4 tile of C held in
// sixteen local variables, which the compiler (or the WebAssembly engine)
// keeps in registers. It is what float64 always runs, and float32 where the
// simd kernel cannot (see best32). In the browser the forward pass does
// better still without it, as dot products two rows at a time; elsewhere
// the packed path keeps the split of large products over goroutines, which
// a single-threaded WebAssembly runtime has no use for.
func goKernel[T Float]() *kernel[T] {
	return &kernel[T]{
		name: "go4x4", mr: 4, nr: 4, kcMax: 512,
		fn: kernel4x4[T], small: mulSmall[T],
		dotsForward: runtime.GOARCH == "wasm",
	}
}

// The portable kernels, one per element type.
var (
	goKernel32 = goKernel[float32]()
	goKernel64 = goKernel[float64]()
)

// best64 is the float64 kernel. Only tests compute in float64, to check
// gradients by finite differences, on small products: the portable kernel
// serves them everywhere.
var best64 = goKernel64

// kernels64 lists every float64 kernel, for tests and benchmarks.
func kernels64() []*kernel[float64] { return []*kernel[float64]{goKernel64} }

func kernel4x4[T Float](kc int, a, b, c []T, ldc int, acc bool) {
	var (
		c00, c01, c02, c03 T
		c10, c11, c12, c13 T
		c20, c21, c22, c23 T
		c30, c31, c32, c33 T
	)
	a, b = a[:4*kc], b[:4*kc]
	for len(a) >= 4 && len(b) >= 4 {
		a0, a1, a2, a3 := a[0], a[1], a[2], a[3]
		b0, b1, b2, b3 := b[0], b[1], b[2], b[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
		a, b = a[4:], b[4:]
	}
	r0 := c[0*ldc : 0*ldc+4]
	r1 := c[1*ldc : 1*ldc+4]
	r2 := c[2*ldc : 2*ldc+4]
	r3 := c[3*ldc : 3*ldc+4]
	if acc {
		c00, c01, c02, c03 = c00+r0[0], c01+r0[1], c02+r0[2], c03+r0[3]
		c10, c11, c12, c13 = c10+r1[0], c11+r1[1], c12+r1[2], c13+r1[3]
		c20, c21, c22, c23 = c20+r2[0], c21+r2[1], c22+r2[2], c23+r2[3]
		c30, c31, c32, c33 = c30+r3[0], c31+r3[1], c32+r3[2], c33+r3[3]
	}
	r0[0], r0[1], r0[2], r0[3] = c00, c01, c02, c03
	r1[0], r1[1], r1[2], r1[3] = c10, c11, c12, c13
	r2[0], r2[1], r2[2], r2[3] = c20, c21, c22, c23
	r3[0], r3[1], r3[2], r3[3] = c30, c31, c32, c33
}
