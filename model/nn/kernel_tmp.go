package nn

import "vaeplay/model/internal/gemm"

// kernelMul is a stand-in until gemm.Mul is generic: float32 operands are
// widened to float64.
func kernelMul[T Float](transA, transB bool, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	switch any(a).(type) {
	case []float64:
		gemm.Mul(transA, transB, m, n, k, any(a).([]float64), lda, any(b).([]float64), ldb, any(c).([]float64), ldc)
		return
	}
	w := func(s []T) []float64 {
		o := make([]float64, len(s))
		for i, v := range s {
			o[i] = float64(v)
		}
		return o
	}
	c64 := w(c)
	gemm.Mul(transA, transB, m, n, k, w(a), lda, w(b), ldb, c64, ldc)
	for i, v := range c64 {
		c[i] = T(v)
	}
}
