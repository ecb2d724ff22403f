//go:build goexperiment.simd

package gemm

import (
	"fmt"
	"simd"
)

// best32 is the float32 kernel, chosen once at start-up: the simd one
// wherever the simd package runs on vector hardware, the Go one where it
// would only emulate vectors, which is slower than plain Go.
var best32 = kernels32()[0]

// kernels32 lists the float32 kernels this machine can run, fastest first.
func kernels32() []*kernel[float32] {
	if simd.Emulated() {
		return []*kernel[float32]{goKernel32}
	}
	return []*kernel[float32]{simdKernel, goKernel32}
}

// simdKernel keeps a 2×3V tile of C in six vector registers, V being the
// number of float32 lanes of a vector: 2×48 with AVX-512, 2×24 with AVX2,
// 2×12 in WebAssembly and with NEON. Measured against 2×2V, 2×4V, 3×3V,
// 3×4V, 4×2V, 4×3V and 6×2V, it is the only shape that is fast at all
// three lengths: with more live vectors the compiler spills some of them
// around the loop, at 256 bits with legacy SSE moves whose transitions
// cost twenty times the kernel. The k loop is unrolled twice, which
// halves the shuffling of accumulators between registers at its back
// edge.
//
// kc = 256 (a B panel of 12 to 48 KiB) beat 128 by 4–8% with AVX-512 and
// in wasm; longer runs gained nothing.
var simdKernel = newSIMDKernel(simd.VectorBitSize() / 32)

func newSIMDKernel(lanes int) *kernel[float32] {
	return &kernel[float32]{
		name:  fmt.Sprintf("simd%d-2x%d", 32*lanes, 3*lanes),
		mr:    2,
		nr:    3 * lanes,
		kcMax: 256,
		fn:    kernelSIMD,
		small: mulSmallSIMD,
	}
}

// kernelSIMD is the micro-kernel of simdKernel. Each element of C is summed
// in k order, one multiply-add at a time, as in the Go kernel. MulAdd is a
// fused multiply-add on amd64 and arm64; WebAssembly SIMD128 has none, so
// there it rounds the product and the sum separately.
func kernelSIMD(kc int, a, b, c []float32, ldc int, acc bool) {
	var zero simd.Float32s
	l := zero.Len()
	nr := 3 * l
	c00, c01, c02 := zero, zero, zero
	c10, c11, c12 := zero, zero, zero
	a, b = a[:2*kc], b[:nr*kc]
	// Unrolled twice; more, and the compiler hoists the loads of A to the
	// top of the loop, where they no longer fit in registers.
	for len(a) >= 4 && len(b) >= 2*nr {
		ap, bp := a[:4], b[:2*nr]
		b0 := simd.LoadFloat32s(bp[0*l:])
		b1 := simd.LoadFloat32s(bp[1*l:])
		b2 := simd.LoadFloat32s(bp[2*l:])
		x0 := simd.BroadcastFloat32s(ap[0])
		c00 = x0.MulAdd(b0, c00)
		c01 = x0.MulAdd(b1, c01)
		c02 = x0.MulAdd(b2, c02)
		x1 := simd.BroadcastFloat32s(ap[1])
		c10 = x1.MulAdd(b0, c10)
		c11 = x1.MulAdd(b1, c11)
		c12 = x1.MulAdd(b2, c12)
		b0 = simd.LoadFloat32s(bp[3*l:])
		b1 = simd.LoadFloat32s(bp[4*l:])
		b2 = simd.LoadFloat32s(bp[5*l:])
		x0 = simd.BroadcastFloat32s(ap[2])
		c00 = x0.MulAdd(b0, c00)
		c01 = x0.MulAdd(b1, c01)
		c02 = x0.MulAdd(b2, c02)
		x1 = simd.BroadcastFloat32s(ap[3])
		c10 = x1.MulAdd(b0, c10)
		c11 = x1.MulAdd(b1, c11)
		c12 = x1.MulAdd(b2, c12)
		a, b = a[4:], b[2*nr:]
	}
	// A loop rather than an if, though it runs at most once: in wasm the
	// if made the whole kernel a third slower.
	for len(a) >= 2 && len(b) >= nr {
		b0 := simd.LoadFloat32s(b[0*l:])
		b1 := simd.LoadFloat32s(b[1*l:])
		b2 := simd.LoadFloat32s(b[2*l:])
		x0 := simd.BroadcastFloat32s(a[0])
		c00 = x0.MulAdd(b0, c00)
		c01 = x0.MulAdd(b1, c01)
		c02 = x0.MulAdd(b2, c02)
		x1 := simd.BroadcastFloat32s(a[1])
		c10 = x1.MulAdd(b0, c10)
		c11 = x1.MulAdd(b1, c11)
		c12 = x1.MulAdd(b2, c12)
		a, b = a[2:], b[nr:]
	}
	r0 := c[:nr]
	r1 := c[ldc:][:nr]
	if acc {
		c00 = c00.Add(simd.LoadFloat32s(r0[0*l:]))
		c01 = c01.Add(simd.LoadFloat32s(r0[1*l:]))
		c02 = c02.Add(simd.LoadFloat32s(r0[2*l:]))
		c10 = c10.Add(simd.LoadFloat32s(r1[0*l:]))
		c11 = c11.Add(simd.LoadFloat32s(r1[1*l:]))
		c12 = c12.Add(simd.LoadFloat32s(r1[2*l:]))
	}
	c00.Store(r0[0*l:])
	c01.Store(r0[1*l:])
	c02.Store(r0[2*l:])
	c10.Store(r1[0*l:])
	c11.Store(r1[1*l:])
	c12.Store(r1[2*l:])
}

// mulSmallSIMD is mulSmall with vectors: dots along k for op(B) = Bᵀ, sums
// of rows of B for op(B) = B. In dots, lane i of the vector sums sums the
// products p ≡ i mod V in k order, and the last k mod V products go to
// lanes 0, 1, … before the lanes are added up (lanesBuf.sum); below 3V of
// k, dots are mulSmall's, scalar. Sums of rows add in k order. Either way
// the order depends on k and V alone, every element of C alike.
func mulSmallSIMD(transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	var zero simd.Float32s
	if transB && k < 3*zero.Len() {
		// Too short for vectors: adding up the lanes of each dot product
		// would cost more than the products.
		mulSmall(transB, m, n, k, a, lda, b, ldb, c, ldc)
		return
	}
	i := 0
	if transB {
		for ; i+2 <= m; i += 2 {
			dots2SIMD(c[i*ldc:][:n], c[(i+1)*ldc:][:n], a[i*lda:][:k], a[(i+1)*lda:][:k], b, ldb)
		}
	}
	for ; i < m; i++ {
		x := a[i*lda:][:k]
		row := c[i*ldc:][:n]
		if transB {
			dotsSIMD(row, x, b, ldb)
		} else {
			combineSIMD(row, x, b, ldb)
		}
	}
}

// dotsSIMD stores in y[j] the dot product of x with row j of b (row stride
// ldb), four rows at a time so that each vector of x is loaded once for
// four multiply-adds. Each vector of a row of b is used once, as the
// receiver of its MulAdd, so that the compiler needs no copies.
func dotsSIMD(y, x, b []float32, ldb int) {
	var zero simd.Float32s
	l := zero.Len()
	k := len(x)
	body := k - k%l
	var lanes lanesBuf
	for j0 := 0; j0 < len(y); j0 += dotsBlock {
		yb := y[j0:min(j0+dotsBlock, len(y))]
		j := 0
		for ; j+4 <= len(yb); j += 4 {
			w0 := b[(j0+j)*ldb:][:k]
			w1 := b[(j0+j+1)*ldb:][:k]
			w2 := b[(j0+j+2)*ldb:][:k]
			w3 := b[(j0+j+3)*ldb:][:k]
			s0, s1, s2, s3 := zero, zero, zero, zero
			for p := 0; p < body; p += l {
				v := simd.LoadFloat32s(x[p:])
				s0 = simd.LoadFloat32s(w0[p:]).MulAdd(v, s0)
				s1 = simd.LoadFloat32s(w1[p:]).MulAdd(v, s1)
				s2 = simd.LoadFloat32s(w2[p:]).MulAdd(v, s2)
				s3 = simd.LoadFloat32s(w3[p:]).MulAdd(v, s3)
			}
			if body < k {
				v, _ := simd.LoadFloat32sPart(x[body:])
				s0 = loadPart(w0[body:]).MulAdd(v, s0)
				s1 = loadPart(w1[body:]).MulAdd(v, s1)
				s2 = loadPart(w2[body:]).MulAdd(v, s2)
				s3 = loadPart(w3[body:]).MulAdd(v, s3)
			}
			s0.Store(lanes[j*l:])
			s1.Store(lanes[(j+1)*l:])
			s2.Store(lanes[(j+2)*l:])
			s3.Store(lanes[(j+3)*l:])
		}
		for ; j < len(yb); j++ {
			w := b[(j0+j)*ldb:][:k]
			s := zero
			for p := 0; p < body; p += l {
				s = simd.LoadFloat32s(w[p:]).MulAdd(simd.LoadFloat32s(x[p:]), s)
			}
			if body < k {
				v, _ := simd.LoadFloat32sPart(x[body:])
				s = loadPart(w[body:]).MulAdd(v, s)
			}
			s.Store(lanes[j*l:])
		}
		lanes.sum(yb, l)
	}
}

// dots2SIMD is dotsSIMD for two rows of A at once, y0[j] = x0·b_j and
// y1[j] = x1·b_j, which reads each row of b once for both: three rows of b
// at a time keep the live vectors within the sixteen registers of the wasm
// port.
func dots2SIMD(y0, y1, x0, x1, b []float32, ldb int) {
	var zero simd.Float32s
	l := zero.Len()
	k := len(x0)
	x1 = x1[:k]
	y1 = y1[:len(y0)]
	body := k - k%l
	var lanes0, lanes1 lanesBuf
	for j0 := 0; j0 < len(y0); j0 += dotsBlock {
		yb0 := y0[j0:min(j0+dotsBlock, len(y0))]
		yb1 := y1[j0:][:len(yb0)]
		j := 0
		for ; j+3 <= len(yb0); j += 3 {
			w0 := b[(j0+j)*ldb:][:k]
			w1 := b[(j0+j+1)*ldb:][:k]
			w2 := b[(j0+j+2)*ldb:][:k]
			s00, s01, s02 := zero, zero, zero
			s10, s11, s12 := zero, zero, zero
			for p := 0; p < body; p += l {
				u := simd.LoadFloat32s(x0[p:])
				v := simd.LoadFloat32s(x1[p:])
				b0 := simd.LoadFloat32s(w0[p:])
				b1 := simd.LoadFloat32s(w1[p:])
				b2 := simd.LoadFloat32s(w2[p:])
				s00 = u.MulAdd(b0, s00)
				s01 = u.MulAdd(b1, s01)
				s02 = u.MulAdd(b2, s02)
				s10 = v.MulAdd(b0, s10)
				s11 = v.MulAdd(b1, s11)
				s12 = v.MulAdd(b2, s12)
			}
			if body < k {
				u, _ := simd.LoadFloat32sPart(x0[body:])
				v, _ := simd.LoadFloat32sPart(x1[body:])
				b0 := loadPart(w0[body:])
				b1 := loadPart(w1[body:])
				b2 := loadPart(w2[body:])
				s00 = u.MulAdd(b0, s00)
				s01 = u.MulAdd(b1, s01)
				s02 = u.MulAdd(b2, s02)
				s10 = v.MulAdd(b0, s10)
				s11 = v.MulAdd(b1, s11)
				s12 = v.MulAdd(b2, s12)
			}
			s00.Store(lanes0[j*l:])
			s01.Store(lanes0[(j+1)*l:])
			s02.Store(lanes0[(j+2)*l:])
			s10.Store(lanes1[j*l:])
			s11.Store(lanes1[(j+1)*l:])
			s12.Store(lanes1[(j+2)*l:])
		}
		for ; j < len(yb0); j++ {
			// The last row or two of the block, one row of A at a time.
			w := b[(j0+j)*ldb:][:k]
			s0, s1 := zero, zero
			for p := 0; p < body; p += l {
				bv := simd.LoadFloat32s(w[p:])
				s0 = simd.LoadFloat32s(x0[p:]).MulAdd(bv, s0)
				s1 = simd.LoadFloat32s(x1[p:]).MulAdd(bv, s1)
			}
			if body < k {
				bv := loadPart(w[body:])
				s0 = loadPart(x0[body:]).MulAdd(bv, s0)
				s1 = loadPart(x1[body:]).MulAdd(bv, s1)
			}
			s0.Store(lanes0[j*l:])
			s1.Store(lanes1[j*l:])
		}
		lanes0.sum(yb0, l)
		lanes1.sum(yb1, l)
	}
}

// dotsBlock is the number of dot products whose vectors of partial sums
// dotsSIMD stores before adding up their lanes: loading a lane right after
// storing its vector stalls store-to-load forwarding, which made those
// sums cost more than the dot products themselves.
const dotsBlock = 32

// lanesBuf holds the partial sums of dotsBlock dot products, a vector each:
// 64 lanes at most, the 2048 bits of the longest SVE vector.
type lanesBuf [dotsBlock * 64]float32

// sum stores in y[j] the sum of the l lanes of vector j: the lanes four by
// four, pairwise within each four, and those sums in lane order. l is a
// multiple of four.
func (buf *lanesBuf) sum(y []float32, l int) {
	for j := range y {
		v := buf[j*l:][:l]
		s := (v[0] + v[1]) + (v[2] + v[3])
		for i := 4; i < l; i += 4 {
			q := v[i:][:4]
			s += (q[0] + q[1]) + (q[2] + q[3])
		}
		y[j] = s
	}
}

// combineSIMD stores in y the sum over p of x[p] times row p of b (row
// stride ldb). Four vectors of y stay in registers for all of k, so that y
// is stored once rather than loaded and stored once per row of b.
func combineSIMD(y, x, b []float32, ldb int) {
	var zero simd.Float32s
	l := zero.Len()
	n := len(y)
	j := 0
	for ; j+4*l <= n; j += 4 * l {
		s0, s1, s2, s3 := zero, zero, zero, zero
		for p, xp := range x {
			v := simd.BroadcastFloat32s(xp)
			r := b[p*ldb+j:][:4*l]
			s0 = simd.LoadFloat32s(r).MulAdd(v, s0)
			s1 = simd.LoadFloat32s(r[l:]).MulAdd(v, s1)
			s2 = simd.LoadFloat32s(r[2*l:]).MulAdd(v, s2)
			s3 = simd.LoadFloat32s(r[3*l:]).MulAdd(v, s3)
		}
		s0.Store(y[j:])
		s1.Store(y[j+l:])
		s2.Store(y[j+2*l:])
		s3.Store(y[j+3*l:])
	}
	for ; j < n; j += l {
		// The last vectors of y one at a time, the very last maybe short.
		s := zero
		for p, xp := range x {
			s = loadPart(b[p*ldb+j:p*ldb+n]).MulAdd(simd.BroadcastFloat32s(xp), s)
		}
		s.StorePart(y[j:])
	}
}

// loadPart loads the first elements of s, as many as a vector holds, with
// zeros past the end of s.
func loadPart(s []float32) simd.Float32s {
	v, _ := simd.LoadFloat32sPart(s)
	return v
}
