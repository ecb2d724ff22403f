// Package gemm multiplies float32 or float64 matrices stored row-major, the
// layout of gonum's mat.Dense, for the products a dense layer's forward and
// backward passes need:
//
//	forward  Y  = X · Wᵀ   Mul(false, true, ...)
//	backward dW = dYᵀ · X  Mul(true, false, ...)
//	backward dX = dY · W   Mul(false, false, ...)
//
// The model computes in float32, as PyTorch does; float64 is kept so that
// tests can check gradients by finite differences.
//
// It follows the GotoBLAS scheme: blocks of the operands are packed into
// contiguous panels, and a register-tiled micro-kernel computes one small
// tile of C at a time. For float32 built with GOEXPERIMENT=simd, the
// micro-kernel is written with the portable simd package, whose vectors are
// as long as the machine's: 512 bits with AVX-512, 256 with AVX2, 128 in
// WebAssembly and with NEON (simd.go). For float64, which only tests use,
// and where the simd package would only emulate vectors, it is plain Go.
// Large
// products are split over GOMAXPROCS goroutines. Products with a row or two
// of C, such as decoding one digit, skip packing and run as dot products or
// sums of rows straight from the operands (small.go, and simd.go for
// float32), and so do all forward products in WebAssembly with the Go
// kernel, where that beats it.
//
// Results are deterministic: every element of C is summed in an order that
// depends on k only, besides the path the shape selects (packed or not) and,
// for float32 with simd, the vector length of the machine; not on the number
// of goroutines, their scheduling or where the element lies in C. So equal
// inputs give bitwise equal outputs on a given machine.
package gemm

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Float is the element type of the matrices Mul multiplies: float32, which
// the model computes in, or float64, which tests use to check gradients by
// finite differences.
type Float interface{ ~float32 | ~float64 }

// Mul stores in C the m×n product op(A)·op(B), where op(A) is m×k and op(B)
// is k×n, overwriting what C held. op(X) is X, or Xᵀ when transX is set. All
// three matrices are row-major with row strides lda, ldb and ldc: element
// (i, j) of a stored matrix X is x[i*ldx+j]. With transA, a holds the k×m
// matrix A and op(A) = Aᵀ; likewise for b.
//
// C must not overlap A or B. Like the BLAS routines it stands in for, Mul
// panics on dimensions that do not fit their slices, which is a bug in the
// caller, never a property of the data.
func Mul[T Float](transA, transB bool, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	// Every T is float32 or float64 underneath, so its slices can be seen
	// as such: the kernels are written for those two types only.
	if unsafe.Sizeof(T(0)) == 4 {
		mul(best32, transA, transB, m, n, k, as[float32](a), lda, as[float32](b), ldb, as[float32](c), ldc)
		clearUpper()
		return
	}
	mul(best64, transA, transB, m, n, k, as[float64](a), lda, as[float64](b), ldb, as[float64](c), ldc)
}

// as returns s as a slice of E, for E of the same size as T; both being
// Floats, they then share their underlying type.
func as[E, T Float](s []T) []E {
	return unsafe.Slice((*E)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}

// kernel is a micro-kernel, the block sizes that suit it, and the way to
// multiply without packing that goes with it.
type kernel[T Float] struct {
	name   string
	mr, nr int // tile of C computed from registers
	kcMax  int // longest run of k summed in one call; keeps a B panel in L1
	// dotsForward is set when op(A)·Bᵀ with op(A) = A, a layer's forward
	// pass, runs faster unpacked (small) than through this kernel,
	// whatever m.
	dotsForward bool
	// fn stores into the mr×nr tile of C at c (row stride ldc) the product
	// of the packed panels a (kc×mr, k-major) and b (kc×nr, k-major), or
	// adds the product to the tile when acc is set.
	fn func(kc int, a, b, c []T, ldc int, acc bool)
	// small is mul for op(A) = A without packing (see mulSmall).
	small func(transB bool, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int)
	// pool recycles workspaces so that steady-state calls do not allocate.
	pool sync.Pool
}

// Block sizes of a task, the unit of work of one goroutine: about
// mcMax×ncMax of C. They bound the packed buffers, which stay in L2.
const (
	mcMax = 384
	ncMax = 384
	// parallelMin is the number of multiply-adds below which splitting a
	// product across goroutines costs more than it saves.
	parallelMin = 1 << 18
)

func mul[T Float](kern *kernel[T], transA, transB bool, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	switch {
	case m < 0 || n < 0 || k < 0:
		panic(fmt.Sprintf("gemm: negative dimension m=%d n=%d k=%d", m, n, k))
	case lda < max(1, ac):
		panic(fmt.Sprintf("gemm: lda %d shorter than a row of A (%d)", lda, ac))
	case ldb < max(1, bc):
		panic(fmt.Sprintf("gemm: ldb %d shorter than a row of B (%d)", ldb, bc))
	case ldc < max(1, n):
		panic(fmt.Sprintf("gemm: ldc %d shorter than a row of C (%d)", ldc, n))
	case ar > 0 && ac > 0 && len(a) < (ar-1)*lda+ac:
		panic(fmt.Sprintf("gemm: len(a) %d too short for %d×%d with stride %d", len(a), ar, ac, lda))
	case br > 0 && bc > 0 && len(b) < (br-1)*ldb+bc:
		panic(fmt.Sprintf("gemm: len(b) %d too short for %d×%d with stride %d", len(b), br, bc, ldb))
	case m > 0 && n > 0 && len(c) < (m-1)*ldc+n:
		panic(fmt.Sprintf("gemm: len(c) %d too short for %d×%d with stride %d", len(c), m, n, ldc))
	}
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		for i := 0; i < m; i++ {
			clear(c[i*ldc : i*ldc+n])
		}
		return
	}
	if !transA && (m <= smallM || transB && kern.dotsForward) {
		kern.small(transB, m, n, k, a, lda, b, ldb, c, ldc)
		return
	}
	if n < kern.nr && n < m {
		// C is narrower than a tile, which would mostly compute padding:
		// compute Cᵀ = op(B)ᵀ·op(A)ᵀ instead, whose rows are m long.
		mulPacked(kern, !transB, !transA, n, m, k, b, ldb, a, lda, c, ldc, true)
		return
	}
	mulPacked(kern, transA, transB, m, n, k, a, lda, b, ldb, c, ldc, false)
}

// mulPacked is mul by packed panels and the micro-kernel, for operands
// already checked, with m, n and k all positive. With transC, c holds the
// n×m transpose of the product: element (i, j) goes to c[j*ldc+i]. Each
// element is summed in the same order either way, and its products are
// the same, factors swapped, so the result is too.
func mulPacked[T Float](kern *kernel[T], transA, transB bool, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int, transC bool) {
	p := plan[T]{
		kern: kern, transA: transA, transB: transB, transC: transC,
		m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc,
	}
	// The k blocking alone fixes the order in which each element of C is
	// summed; it depends on k only, so the result does not depend on how
	// the tasks are cut or scheduled below.
	kBlocks := ceilDiv(k, kern.kcMax)
	p.kc = ceilDiv(k, kBlocks)

	workers := 1
	if m*n*k >= parallelMin {
		workers = runtime.GOMAXPROCS(0)
	}
	rowTasks := ceilDiv(m, mcMax)
	colTasks := ceilDiv(n, ncMax)
	// Give every goroutine work, splitting the longer side of C further.
	for rowTasks*colTasks < workers {
		if n/colTasks >= m/rowTasks && n/colTasks >= 2*kern.nr {
			colTasks++
		} else if m/rowTasks >= 2*kern.mr {
			rowTasks++
		} else {
			break
		}
	}
	p.mc = roundUp(ceilDiv(m, rowTasks), kern.mr)
	p.nc = roundUp(ceilDiv(n, colTasks), kern.nr)
	p.rowTasks = ceilDiv(m, p.mc)
	tasks := p.rowTasks * ceilDiv(n, p.nc)
	workers = min(workers, tasks)

	if workers == 1 {
		ws := p.workspace()
		for t := 0; t < tasks; t++ {
			p.task(t, ws)
		}
		kern.pool.Put(ws)
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	work := func() {
		ws := p.workspace()
		for t := int(next.Add(1)) - 1; t < tasks; t = int(next.Add(1)) - 1 {
			p.task(t, ws)
		}
		kern.pool.Put(ws)
		clearUpper()
	}
	for w := 1; w < workers; w++ {
		wg.Go(work)
	}
	work()
	wg.Wait()
}

// plan is one product cut into tasks.
type plan[T Float] struct {
	kern                   *kernel[T]
	transA, transB, transC bool
	m, n, k                int
	a, b, c                []T
	lda, ldb, ldc          int
	kc, mc, nc             int // block sizes along k and of a task's rows and columns
	rowTasks               int
}

// workspace holds one goroutine's packed panels and an edge tile.
type workspace[T Float] struct {
	a, b, tile []T
}

func (p *plan[T]) workspace() *workspace[T] {
	ws, _ := p.kern.pool.Get().(*workspace[T])
	if ws == nil {
		ws = new(workspace[T])
	}
	ws.a = grow(ws.a, p.mc*p.kc)
	ws.b = grow(ws.b, p.kc*p.nc)
	ws.tile = grow(ws.tile, p.kern.mr*p.kern.nr)
	return ws
}

func grow[T Float](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// task computes the t-th mc×nc block of C.
func (p *plan[T]) task(t int, ws *workspace[T]) {
	kern := p.kern
	mr, nr := kern.mr, kern.nr
	i0 := (t % p.rowTasks) * p.mc
	j0 := (t / p.rowTasks) * p.nc
	mb := min(p.mc, p.m-i0)
	nb := min(p.nc, p.n-j0)
	for p0 := 0; p0 < p.k; p0 += p.kc {
		kb := min(p.kc, p.k-p0)
		acc := p0 > 0
		p.packB(ws.b, p0, kb, j0, nb)
		p.packA(ws.a, i0, mb, p0, kb)
		// A B panel is reused against every A panel while it sits in L1.
		for jr := 0; jr < nb; jr += nr {
			bp := ws.b[jr*kb : (jr+nr)*kb]
			cols := min(nr, nb-jr)
			for ir := 0; ir < mb; ir += mr {
				ap := ws.a[ir*kb : (ir+mr)*kb]
				rows := min(mr, mb-ir)
				off := (i0+ir)*p.ldc + j0 + jr
				if rows == mr && cols == nr && !p.transC {
					kern.fn(kb, ap, bp, p.c[off:], p.ldc, acc)
					continue
				}
				kern.fn(kb, ap, bp, ws.tile, nr, false)
				if p.transC {
					p.storeT(ws.tile[:rows*nr], i0+ir, j0+jr, cols, acc)
					continue
				}
				for r := 0; r < rows; r++ {
					dst := p.c[off+r*p.ldc : off+r*p.ldc+cols]
					src := ws.tile[r*nr : r*nr+cols]
					if acc {
						for j, v := range src {
							dst[j] += v
						}
					} else {
						copy(dst, src)
					}
				}
			}
		}
	}
}

// storeT stores (or adds, with acc) the tile at row i and column j of the
// product, rows of nr elements of which cols count, transposed into C.
func (p *plan[T]) storeT(tile []T, i, j, cols int, acc bool) {
	for r := 0; r*p.kern.nr < len(tile); r++ {
		for q, v := range tile[r*p.kern.nr:][:cols] {
			d := &p.c[(j+q)*p.ldc+i+r]
			if acc {
				v += *d
			}
			*d = v
		}
	}
}

// packA copies rows [i0, i0+mb) and columns [p0, p0+kb) of op(A) into dst as
// panels of mr rows, each stored k-major, padding the last panel with zeros.
func (p *plan[T]) packA(dst []T, i0, mb, p0, kb int) {
	mr := p.kern.mr
	if last := mb / mr * mr; last < mb {
		clear(dst[last*kb : (last+mr)*kb])
	}
	if p.transA {
		// op(A)(i, q) = a[q*lda+i]: rows of a are k-slices of the panels.
		for q := 0; q < kb; q++ {
			deal(dst, p.a[(p0+q)*p.lda+i0:][:mb], mr, kb, q)
		}
		return
	}
	for ir := 0; ir < mb; ir += mr {
		transpose(dst[ir*kb:(ir+mr)*kb], mr, p.a[(i0+ir)*p.lda+p0:], p.lda, min(mr, mb-ir), kb)
	}
}

// packB copies rows [p0, p0+kb) and columns [j0, j0+nb) of op(B) into dst as
// panels of nr columns, each stored k-major, padding the last with zeros.
func (p *plan[T]) packB(dst []T, p0, kb, j0, nb int) {
	nr := p.kern.nr
	if last := nb / nr * nr; last < nb {
		clear(dst[last*kb : (last+nr)*kb])
	}
	if !p.transB {
		for q := 0; q < kb; q++ {
			deal(dst, p.b[(p0+q)*p.ldb+j0:][:nb], nr, kb, q)
		}
		return
	}
	// op(B)(q, j) = b[j*ldb+q]: rows of b are columns of a panel.
	for jr := 0; jr < nb; jr += nr {
		transpose(dst[jr*kb:(jr+nr)*kb], nr, p.b[(j0+jr)*p.ldb+p0:], p.ldb, min(nr, nb-jr), kb)
	}
}

// deal copies row, the q-th k-slice of a block, into the panels of width w
// (each stored k-major, kb slices long) that dst holds one after the other.
// Walking each row of the operand once, rather than down one panel at a
// time, reads memory in order.
func deal[T Float](dst, row []T, w, kb, q int) {
	switch {
	case w == 2:
		// The simd kernel's A panels: a pair of elements each.
		i := 0
		for d := dst[2*q:]; i+2 <= len(row); i += 2 {
			d[0], d[1] = row[i], row[i+1]
			if i+2 < len(row) {
				d = d[2*kb:]
			}
		}
		if i < len(row) {
			dst[i*kb+2*q] = row[i]
		}
	case w >= 16:
		// Long enough for memmove to beat an element loop.
		for i := 0; i < len(row); i += w {
			copy(dst[i*kb+q*w:], row[i:min(i+w, len(row))])
		}
	default:
		for i := 0; i < len(row); i += w {
			src := row[i:min(i+w, len(row))]
			d := dst[i*kb+q*w:][:len(src)]
			for c, v := range src {
				d[c] = v
			}
		}
	}
}

// transpose stores the rows×cols matrix src (row stride lds) transposed into
// dst (row stride ldd). Four rows at a time (or two, for panels two wide),
// each store fills adjacent elements of dst, which keeps writes to a cache
// line together.
func transpose[T Float](dst []T, ldd int, src []T, lds, rows, cols int) {
	r := 0
	for ; r+4 <= rows; r += 4 {
		s0 := src[r*lds:][:cols]
		s1 := src[(r+1)*lds:][:cols]
		s2 := src[(r+2)*lds:][:cols]
		s3 := src[(r+3)*lds:][:cols]
		for q := range s0 {
			d := dst[q*ldd+r:][:4]
			d[0], d[1], d[2], d[3] = s0[q], s1[q], s2[q], s3[q]
		}
	}
	if r+2 <= rows {
		s0 := src[r*lds:][:cols]
		s1 := src[(r+1)*lds:][:cols]
		for q := range s0 {
			d := dst[q*ldd+r:][:2]
			d[0], d[1] = s0[q], s1[q]
		}
		r += 2
	}
	for ; r < rows; r++ {
		for q, v := range src[r*lds:][:cols] {
			dst[q*ldd+r] = v
		}
	}
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

func roundUp(a, b int) int { return ceilDiv(a, b) * b }
