package gemm

import "golang.org/x/sys/cpu"

// best64 is the fastest float64 kernel this CPU can run, chosen once at
// start-up.
var best64 = kernels64()[0]

// kernels64 lists the float64 kernels this CPU can run, fastest first.
func kernels64() []*kernel[float64] {
	var ks []*kernel[float64]
	if cpu.X86.HasAVX512F {
		ks = append(ks, avx512Kernel)
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		ks = append(ks, avx2Kernel)
	}
	return append(ks, goKernel64)
}

// avx2Kernel keeps a 6×8 tile of C in twelve ymm registers.
var avx2Kernel = &kernel[float64]{name: "avx2-6x8", mr: 6, nr: 8, kcMax: 384, small: mulSmall[float64], fn: func(kc int, a, b, c []float64, ldc int, acc bool) {
	checkTile(kc, a, b, c, ldc, 6, 8)
	kernel6x8AVX2(kc, &a[0], &b[0], &c[0], ldc, acc)
}}

// avx512Kernel keeps a 12×16 tile of C in twenty-four zmm registers.
var avx512Kernel = &kernel[float64]{name: "avx512-12x16", mr: 12, nr: 16, kcMax: 256, small: mulSmall[float64], fn: func(kc int, a, b, c []float64, ldc int, acc bool) {
	checkTile(kc, a, b, c, ldc, 12, 16)
	kernel12x16AVX512(kc, &a[0], &b[0], &c[0], ldc, acc)
}}

// checkTile guards the assembly against reading or writing out of bounds.
func checkTile(kc int, a, b, c []float64, ldc, mr, nr int) {
	if kc < 1 || len(a) < kc*mr || len(b) < kc*nr || len(c) < (mr-1)*ldc+nr {
		panic("gemm: micro-kernel operands too short")
	}
}

// kernel6x8AVX2 is the assembly behind avx2Kernel.fn.
//
//go:noescape
func kernel6x8AVX2(kc int, a, b, c *float64, ldc int, acc bool)

// kernel12x16AVX512 is the assembly behind avx512Kernel.fn.
//
//go:noescape
func kernel12x16AVX512(kc int, a, b, c *float64, ldc int, acc bool)
