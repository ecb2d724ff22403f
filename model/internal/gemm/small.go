package gemm

// smallM is the largest number of rows of C for which Mul skips packing.
// Packing pays when each packed element is used many times; with a row or
// two of C, as when the browser decodes one digit, it costs more than the
// product, so those products run straight from the operands instead.
const smallM = 2

// mulSmall is mul for m <= smallM and op(A) = A, whose rows are contiguous:
// each row of C is a set of dot products (op(B) = Bᵀ, the forward pass of a
// layer) or a sum of scaled rows of B (op(B) = B). Every element of C is
// summed in an order that depends on k alone, as in the packed path.
func mulSmall(transB bool, m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	for i := 0; i < m; i++ {
		x := a[i*lda:][:k]
		row := c[i*ldc:][:n]
		if transB {
			dots(row, x, b, ldb)
		} else {
			combine(row, x, b, ldb)
		}
	}
}

// dots stores in y[j] the dot product of x with row j of b (row stride ldb).
// Four rows at a time: each element of x is loaded once for four
// multiply-adds, into four independent sums that the CPU can overlap.
func dots(y, x, b []float64, ldb int) {
	k := len(x)
	j := 0
	for ; j+4 <= len(y); j += 4 {
		w0 := b[j*ldb:][:k]
		w1 := b[(j+1)*ldb:][:k]
		w2 := b[(j+2)*ldb:][:k]
		w3 := b[(j+3)*ldb:][:k]
		var s0, s1, s2, s3 float64
		for p, v := range x {
			s0 += v * w0[p]
			s1 += v * w1[p]
			s2 += v * w2[p]
			s3 += v * w3[p]
		}
		y[j], y[j+1], y[j+2], y[j+3] = s0, s1, s2, s3
	}
	for ; j < len(y); j++ {
		w := b[j*ldb:][:k]
		var s float64
		for p, v := range x {
			s += v * w[p]
		}
		y[j] = s
	}
}

// combine stores in y the sum over p of x[p] times row p of b (row stride
// ldb). Four rows of b at a time, so that each element of y is loaded and
// stored once per four rows rather than once per row.
func combine(y, x, b []float64, ldb int) {
	n := len(y)
	clear(y)
	p := 0
	for ; p+4 <= len(x); p += 4 {
		x0, x1, x2, x3 := x[p], x[p+1], x[p+2], x[p+3]
		r0 := b[p*ldb:][:n]
		r1 := b[(p+1)*ldb:][:n]
		r2 := b[(p+2)*ldb:][:n]
		r3 := b[(p+3)*ldb:][:n]
		for j := range y {
			y[j] += x0*r0[j] + x1*r1[j] + x2*r2[j] + x3*r3[j]
		}
	}
	for ; p < len(x); p++ {
		v := x[p]
		r := b[p*ldb:][:n]
		for j := range y {
			y[j] += v * r[j]
		}
	}
}
