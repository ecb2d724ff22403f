package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
)

// operand is a matrix stored row-major inside a larger buffer, so that tests
// cover strides wider than a row and slices that do not start at zero.
type operand[T Float] struct {
	rows, cols int
	data       []T // data[0] is element (0, 0)
	stride     int
}

// newOperand returns rows×cols random values in [-1, 1) with the given row
// padding and offset; the padding holds NaN so that reading it would show
// in C.
func newOperand[T Float](rng *rand.Rand, rows, cols, pad, offset int) operand[T] {
	stride := cols + pad
	buf := make([]T, offset+rows*stride)
	for i := range buf {
		buf[i] = T(math.NaN())
	}
	d := buf[offset:]
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			d[i*stride+j] = T(2*rng.Float64() - 1)
		}
	}
	return operand[T]{rows: rows, cols: cols, data: d, stride: max(stride, 1)}
}

// operands returns random op(A), op(B) and C for an m×n×k product, C
// filled with NaN, which the product must overwrite.
func operands[T Float](rng *rand.Rand, transA, transB bool, m, n, k, pad, offset int) (a, b, c operand[T]) {
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	a = newOperand[T](rng, ar, ac, pad, offset)
	b = newOperand[T](rng, br, bc, pad, offset)
	c = newOperand[T](rng, m, n, pad, offset)
	for i := range c.data {
		c.data[i] = T(math.NaN())
	}
	return a, b, c
}

// naive returns op(A)·op(B) by the textbook triple loop in float64, and the
// sum of |a||b| for each element, which bounds rounding errors. Products of
// float32 values are exact in float64, and the sums' rounding is 2⁻²⁹ of
// float32's, so for float32 operands naive is as good as exact.
func naive[T Float](transA, transB bool, m, n, k int, a, b operand[T]) (c, bound []float64) {
	// Strides of op(A) and op(B) along their two dimensions.
	ai, ap := a.stride, 1
	if transA {
		ai, ap = 1, a.stride
	}
	bp, bj := b.stride, 1
	if transB {
		bp, bj = 1, b.stride
	}
	c = make([]float64, m*n)
	bound = make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s, abs float64
			for p := 0; p < k; p++ {
				x := float64(a.data[i*ai+p*ap]) * float64(b.data[p*bp+j*bj])
				s += x
				abs += math.Abs(x)
			}
			c[i*n+j], bound[i*n+j] = s, abs
		}
	}
	return c, bound
}

// gamma returns γₖ = ku/(1-ku) for the unit roundoff u of T: whatever the
// order of the additions, a sum of k products, each rounded once (or fused
// with its addition), differs from the exact sum by at most γₖ·Σ|a||b|
// (Higham, Accuracy and Stability of Numerical Algorithms, §3.1). This
// holds for every path of Mul, blocked or not, and for gonum's, so the
// tests allow γₖ per computed result compared, never more.
func gamma[T Float](k int) float64 {
	u := 0x1p-53
	if unsafe.Sizeof(T(0)) == 4 {
		u = 0x1p-24
	}
	ku := float64(k) * u
	return ku / (1 - ku)
}

// gonumMul computes op(A)·op(B) into C with gonum's Sgemm or Dgemm, the
// reference BLAS in Go.
func gonumMul[T Float](transA, transB bool, m, n, k int, a, b, c operand[T]) {
	tA, tB := blas.NoTrans, blas.NoTrans
	if transA {
		tA = blas.Trans
	}
	if transB {
		tB = blas.Trans
	}
	if k == 0 {
		// gonum wants len(a) >= (m-1)*lda even when A is empty.
		for i := 0; i < m; i++ {
			clear(c.data[i*c.stride:][:n])
		}
		return
	}
	impl := gonum.Implementation{}
	switch ad := any(a.data).(type) {
	case []float32:
		ga := blas32.General{Rows: a.rows, Cols: a.cols, Stride: a.stride, Data: ad}
		gb := blas32.General{Rows: b.rows, Cols: b.cols, Stride: b.stride, Data: any(b.data).([]float32)}
		gc := blas32.General{Rows: c.rows, Cols: c.cols, Stride: c.stride, Data: any(c.data).([]float32)}
		impl.Sgemm(tA, tB, m, n, k, 1, ga.Data, ga.Stride, gb.Data, gb.Stride, 0, gc.Data, gc.Stride)
	case []float64:
		ga := blas64.General{Rows: a.rows, Cols: a.cols, Stride: a.stride, Data: ad}
		gb := blas64.General{Rows: b.rows, Cols: b.cols, Stride: b.stride, Data: any(b.data).([]float64)}
		gc := blas64.General{Rows: c.rows, Cols: c.cols, Stride: c.stride, Data: any(c.data).([]float64)}
		impl.Dgemm(tA, tB, m, n, k, 1, ga.Data, ga.Stride, gb.Data, gb.Stride, 0, gc.Data, gc.Stride)
	}
}

// The shapes give every kernel edge tiles in each dimension (the simd tile
// is 2×12, 2×24 or 2×48, the Go one 4×4), k blocks of every kernel (256 and
// 512) with a short last one, one and two rows of C (unpacked), a batch of
// 100 and products large enough to be split over goroutines.
var shapes = []struct{ m, n, k int }{
	{0, 0, 0},
	{0, 5, 3},
	{5, 0, 3},
	{5, 3, 0},
	{1, 1, 1},
	{1, 13, 1},
	{2, 13, 1},
	{9, 50, 1},
	{4, 4, 4},
	{6, 8, 1},
	{12, 16, 3},
	{13, 17, 19},
	{2, 49, 7},
	{3, 47, 5},
	{5, 97, 33},
	{7, 9, 385}, // k beyond one block of every kernel
	{3, 25, 129},
	{25, 33, 1025},
	{1, 400, 20}, // decoding one digit
	{2, 784, 400},
	{100, 400, 12}, // decoding a batch of digits
	{100, 784, 400},
	{128, 400, 784}, // a training step
	{400, 784, 128},
	{128, 20, 400}, // narrower than a tile: computed transposed
	{400, 20, 128},
	{20, 410, 128},
	{13, 3, 9},
	{100, 7, 33},
	{67, 13, 529},
	{67, 101, 389},
}

func TestMul(t *testing.T) {
	t.Run("float32", func(t *testing.T) { testShapes(t, kernels32()) })
	t.Run("float64", func(t *testing.T) { testShapes(t, kernels64()) })
}

func testShapes[T Float](t *testing.T, kernels []*kernel[T]) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, s := range shapes {
		for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
			for _, layout := range []struct{ pad, offset int }{{0, 0}, {3, 5}} {
				name := fmt.Sprintf("%dx%dx%d/tA=%v,tB=%v/pad%d", s.m, s.n, s.k, tr[0], tr[1], layout.pad)
				t.Run(name, func(t *testing.T) {
					if testing.Short() && s.m*s.n*s.k > 1e6 {
						t.Skip("large product")
					}
					testMul(t, rng, kernels, tr[0], tr[1], s.m, s.n, s.k, layout.pad, layout.offset)
				})
			}
		}
	}
}

// testMul checks every kernel on one case against the naive product and
// against gonum's.
func testMul[T Float](t *testing.T, rng *rand.Rand, kernels []*kernel[T], transA, transB bool, m, n, k, pad, offset int) {
	a, b, ref := operands[T](rng, transA, transB, m, n, k, pad, offset)
	want, bound := naive(transA, transB, m, n, k, a, b)
	gonumMul(transA, transB, m, n, k, a, b, ref)
	// The naive product is exact to within γₖ for float64 (and far better
	// for float32); ours and gonum's are within γₖ of the exact one.
	tolNaive, tolGonum := gamma[T](k)+gamma[float64](k), 2*gamma[T](k)
	for _, kern := range kernels {
		_, _, c := operands[T](rng, transA, transB, m, n, k, pad, offset)
		mul(kern, transA, transB, m, n, k, a.data, a.stride, b.data, b.stride, c.data, c.stride)
		bad := 0
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				got := float64(c.data[i*c.stride+j])
				w, g, e := want[i*n+j], float64(ref.data[i*ref.stride+j]), bound[i*n+j]
				if d := math.Abs(got - w); !(d <= tolNaive*e) {
					if bad++; bad <= 3 {
						t.Errorf("%s: C[%d,%d] = %v, want %v (naive): error %.3g > %.3g", kern.name, i, j, got, w, d, tolNaive*e)
					}
				}
				if d := math.Abs(got - g); !(d <= tolGonum*e) {
					if bad++; bad <= 3 {
						t.Errorf("%s: C[%d,%d] = %v, want %v (gonum): difference %.3g > %.3g", kern.name, i, j, got, g, d, tolGonum*e)
					}
				}
			}
			for j := n; j < n+pad; j++ {
				if v := c.data[i*c.stride+j]; !math.IsNaN(float64(v)) {
					t.Fatalf("%s: padding C[%d,%d] written: %v", kern.name, i, j, v)
				}
			}
		}
		if bad > 3 {
			t.Errorf("%s: %d wrong elements in all", kern.name, bad)
		}
	}
}

// TestMulGeneric checks that Mul takes types whose underlying type is
// float32 or float64 and gives them the bits it gives the plain types.
func TestMulGeneric(t *testing.T) {
	type single float32
	type double float64
	rng := rand.New(rand.NewPCG(11, 12))
	const m, n, k = 9, 50, 70
	a, b, c := operands[float32](rng, false, true, m, n, k, 0, 0)
	Mul(false, true, m, n, k, a.data, a.stride, b.data, b.stride, c.data, c.stride)
	cs := make([]single, m*n)
	Mul(false, true, m, n, k, as[single](a.data), a.stride, as[single](b.data), b.stride, cs, n)
	a64, b64, c64 := operands[float64](rng, true, false, m, n, k, 0, 0)
	Mul(true, false, m, n, k, a64.data, a64.stride, b64.data, b64.stride, c64.data, c64.stride)
	cd := make([]double, m*n)
	Mul(true, false, m, n, k, as[double](a64.data), a64.stride, as[double](b64.data), b64.stride, cd, n)
	for i := range cs {
		if math.Float32bits(float32(cs[i])) != math.Float32bits(c.data[i]) {
			t.Fatalf("single: C[%d] = %v, float32 gives %v", i, cs[i], c.data[i])
		}
		if math.Float64bits(float64(cd[i])) != math.Float64bits(c64.data[i]) {
			t.Fatalf("double: C[%d] = %v, float64 gives %v", i, cd[i], c64.data[i])
		}
	}
}

// TestDeterministic checks that results are bitwise equal from call to call
// and whatever the number of goroutines that computes them.
func TestDeterministic(t *testing.T) {
	t.Run("float32", func(t *testing.T) { testDeterministic(t, kernels32()) })
	t.Run("float64", func(t *testing.T) { testDeterministic(t, kernels64()) })
}

func testDeterministic[T Float](t *testing.T, kernels []*kernel[T]) {
	rng := rand.New(rand.NewPCG(3, 4))
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, s := range []struct {
		transA, transB bool
		m, n, k        int
	}{
		{false, true, 128, 784, 400},
		{true, false, 400, 784, 128},
		{false, false, 129, 401, 785},
	} {
		a, b, _ := operands[T](rng, s.transA, s.transB, s.m, s.n, s.k, 0, 0)
		for _, kern := range kernels {
			var results [][]T
			for _, procs := range []int{1, 2, 4, 2, 1} {
				runtime.GOMAXPROCS(procs)
				c := make([]T, s.m*s.n)
				mul(kern, s.transA, s.transB, s.m, s.n, s.k, a.data, a.stride, b.data, b.stride, c, s.n)
				results = append(results, c)
			}
			for r := 1; r < len(results); r++ {
				for i := range results[0] {
					if x, y := float64(results[r][i]), float64(results[0][i]); math.Float64bits(x) != math.Float64bits(y) {
						t.Fatalf("%s %dx%dx%d: run %d differs at %d: %v vs %v", kern.name, s.m, s.n, s.k, r, i, x, y)
					}
				}
			}
		}
	}
}

// TestTransposedC checks that computing Cᵀ = op(B)ᵀ·op(A)ᵀ, as Mul does
// when C is narrower than a tile, gives the bits of C computed directly.
func TestTransposedC(t *testing.T) {
	t.Run("float32", func(t *testing.T) { testTransposedC(t, kernels32()) })
	t.Run("float64", func(t *testing.T) { testTransposedC(t, kernels64()) })
}

func testTransposedC[T Float](t *testing.T, kernels []*kernel[T]) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, s := range []struct{ m, n, k int }{{128, 20, 400}, {9, 5, 3}, {67, 13, 529}} {
		for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
			a, b, c := operands[T](rng, tr[0], tr[1], s.m, s.n, s.k, 3, 5)
			for _, kern := range kernels {
				want := make([]T, s.m*s.n)
				mulPacked(kern, tr[0], tr[1], s.m, s.n, s.k, a.data, a.stride, b.data, b.stride, want, s.n, false)
				mulPacked(kern, !tr[1], !tr[0], s.n, s.m, s.k, b.data, b.stride, a.data, a.stride, c.data, c.stride, true)
				for i := 0; i < s.m; i++ {
					for j := 0; j < s.n; j++ {
						got, w := float64(c.data[i*c.stride+j]), float64(want[i*s.n+j])
						if math.Float64bits(got) != math.Float64bits(w) {
							t.Fatalf("%s %dx%dx%d tA=%v tB=%v: C[%d,%d] = %v transposed, %v directly", kern.name, s.m, s.n, s.k, tr[0], tr[1], i, j, got, w)
						}
					}
				}
			}
		}
	}
}

func TestMulPanicsOnBadDimensions(t *testing.T) {
	buf := make([]float32, 12)
	for _, tc := range []struct {
		name    string
		m, n, k int
		lda     int
		ldc     int
		c       int
		want    string
	}{
		{"negative", -1, 2, 2, 2, 2, 4, "negative dimension"},
		{"narrow lda", 2, 2, 3, 2, 2, 4, "lda"},
		{"short a", 2, 2, 7, 7, 2, 4, "len(a)"},
		{"narrow ldc", 2, 3, 2, 2, 2, 6, "ldc"},
		{"short c", 2, 2, 2, 2, 2, 3, "len(c)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if s, _ := r.(string); !strings.Contains(s, tc.want) {
					t.Errorf("panic %v, want one mentioning %q", r, tc.want)
				}
			}()
			Mul(false, false, tc.m, tc.n, tc.k, buf, tc.lda, buf, 3, make([]float32, tc.c), tc.ldc)
		})
	}
}

func TestMulDoesNotAllocate(t *testing.T) {
	t.Run("float32", testDoesNotAllocate[float32])
	t.Run("float64", testDoesNotAllocate[float64])
}

func testDoesNotAllocate[T Float](t *testing.T) {
	for _, s := range []struct {
		transA, transB bool
		m, n, k        int
	}{
		{false, true, 128, 400, 784},
		{true, false, 400, 784, 128},
		{false, true, 1, 784, 400},
		{false, false, 2, 400, 784},
	} {
		a, b, c := make([]T, s.m*s.k), make([]T, s.n*s.k), make([]T, s.m*s.n)
		ldb := s.n
		if s.transB {
			ldb = s.k
		}
		lda := s.k
		if s.transA {
			lda = s.m
		}
		Mul(s.transA, s.transB, s.m, s.n, s.k, a, lda, b, ldb, c, s.n)
		allocs := testing.AllocsPerRun(20, func() {
			Mul(s.transA, s.transB, s.m, s.n, s.k, a, lda, b, ldb, c, s.n)
		})
		// Starting goroutines allocates a little; packed buffers must not.
		if allocs > 4 {
			t.Errorf("%dx%dx%d: %v allocations per call, want at most a few", s.m, s.n, s.k, allocs)
		}
	}
}

// TestMulSmall checks the unpacked paths against the naive product directly,
// for more rows than Mul hands them, so that the threshold can move freely.
func TestMulSmall(t *testing.T) {
	t.Run("float32", func(t *testing.T) { testSmall(t, kernels32()) })
	t.Run("float64", func(t *testing.T) { testSmall(t, kernels64()) })
}

func testSmall[T Float](t *testing.T, kernels []*kernel[T]) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, s := range []struct{ m, n, k int }{
		{1, 1, 1}, {1, 3, 5}, {1, 4, 4}, {1, 7, 9}, {2, 9, 7}, {3, 5, 13}, {1, 784, 400}, {1, 400, 30},
		{5, 17, 3}, {4, 65, 17}, {3, 200, 33}, {6, 13, 64}, {7, 50, 100},
	} {
		for _, transB := range []bool{false, true} {
			for _, layout := range []struct{ pad, offset int }{{0, 0}, {3, 5}} {
				t.Run(fmt.Sprintf("%dx%dx%d/tB=%v/pad%d", s.m, s.n, s.k, transB, layout.pad), func(t *testing.T) {
					a, b, _ := operands[T](rng, false, transB, s.m, s.n, s.k, layout.pad, layout.offset)
					want, bound := naive(false, transB, s.m, s.n, s.k, a, b)
					tol := gamma[T](s.k) + gamma[float64](s.k)
					for _, kern := range kernels {
						_, _, c := operands[T](rng, false, transB, s.m, s.n, s.k, layout.pad, layout.offset)
						kern.small(transB, s.m, s.n, s.k, a.data, a.stride, b.data, b.stride, c.data, c.stride)
						for i := 0; i < s.m; i++ {
							for j := 0; j < s.n; j++ {
								got, w := float64(c.data[i*c.stride+j]), want[i*s.n+j]
								if d := math.Abs(got - w); !(d <= tol*bound[i*s.n+j]) {
									t.Fatalf("%s: C[%d,%d] = %v, want %v", kern.name, i, j, got, w)
								}
							}
							for j := s.n; j < s.n+layout.pad; j++ {
								if v := c.data[i*c.stride+j]; !math.IsNaN(float64(v)) {
									t.Fatalf("%s: padding C[%d,%d] written: %v", kern.name, i, j, v)
								}
							}
						}
					}
				})
			}
		}
	}
}
