package gemm

// smallM is the largest number of rows of C for which Mul skips packing.
// Packing pays when each packed element is used many times; with a row or
// two of C, as when the browser decodes one digit, it costs more than the
// product, so those products run straight from the operands instead.
const smallM = 2

// mulSmall is mul without packing, for op(A) = A, whose rows are
// contiguous: each row of C is a set of dot products (op(B) = Bᵀ, the
// forward pass of a layer) or a sum of scaled rows of B (op(B) = B). Mul
// takes it for m <= smallM, and for every forward product when the kernel
// is the portable one (see kernel.dotsForward). Every element of C is summed
// in an order that depends on k alone, as in the packed path.
func mulSmall[T Float](transB bool, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	i := 0
	if transB {
		for ; i+2 <= m; i += 2 {
			dots2(c[i*ldc:][:n], c[(i+1)*ldc:][:n], a[i*lda:][:k], a[(i+1)*lda:][:k], b, ldb)
		}
	}
	for ; i < m; i++ {
		x := a[i*lda:][:k]
		row := c[i*ldc:][:n]
		if transB {
			dots(row, x, b, ldb)
		} else {
			combine(row, x, b, ldb)
		}
	}
}

// dots2 is dots for two rows at once: y0[j] = x0·b_j and y1[j] = x1·b_j.
// A 2×4 tile of sums, eight in all, fits the registers of WebAssembly
// engines, where the sixteen of the packed 4×4 kernel spill: in the browser
// it decodes a batch about twice as fast as packing.
func dots2[T Float](y0, y1, x0, x1, b []T, ldb int) {
	k := len(x0)
	x1 = x1[:k]
	y1 = y1[:len(y0)]
	j := 0
	for ; j+4 <= len(y0); j += 4 {
		w0 := b[j*ldb:][:k]
		w1 := b[(j+1)*ldb:][:k]
		w2 := b[(j+2)*ldb:][:k]
		w3 := b[(j+3)*ldb:][:k]
		var s00, s01, s02, s03, s10, s11, s12, s13 T
		for p, u := range x0 {
			v := x1[p]
			b0, b1, b2, b3 := w0[p], w1[p], w2[p], w3[p]
			s00 += u * b0
			s01 += u * b1
			s02 += u * b2
			s03 += u * b3
			s10 += v * b0
			s11 += v * b1
			s12 += v * b2
			s13 += v * b3
		}
		y0[j], y0[j+1], y0[j+2], y0[j+3] = s00, s01, s02, s03
		y1[j], y1[j+1], y1[j+2], y1[j+3] = s10, s11, s12, s13
	}
	for ; j < len(y0); j++ {
		w := b[j*ldb:][:k]
		var s0, s1 T
		for p, u := range x0 {
			s0 += u * w[p]
			s1 += x1[p] * w[p]
		}
		y0[j], y1[j] = s0, s1
	}
}

// dots stores in y[j] the dot product of x with row j of b (row stride ldb).
// Four rows at a time: each element of x is loaded once for four
// multiply-adds, into four independent sums that the CPU can overlap.
func dots[T Float](y, x, b []T, ldb int) {
	k := len(x)
	j := 0
	for ; j+4 <= len(y); j += 4 {
		w0 := b[j*ldb:][:k]
		w1 := b[(j+1)*ldb:][:k]
		w2 := b[(j+2)*ldb:][:k]
		w3 := b[(j+3)*ldb:][:k]
		var s0, s1, s2, s3 T
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
		var s T
		for p, v := range x {
			s += v * w[p]
		}
		y[j] = s
	}
}

// combine stores in y the sum over p of x[p] times row p of b (row stride
// ldb). Four rows of b at a time, so that each element of y is loaded and
// stored once per four rows rather than once per row.
func combine[T Float](y, x, b []T, ldb int) {
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
