package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// operand is a matrix stored row-major inside a larger buffer, so that tests
// cover strides wider than a row and slices that do not start at zero.
type operand struct {
	data   []float64 // data[0] is element (0, 0)
	stride int
}

// newOperand returns rows×cols random values with the given row padding and
// offset; the padding holds NaN so that reading it would show in C.
func newOperand(rng *rand.Rand, rows, cols, pad, offset int) operand {
	stride := cols + pad
	buf := make([]float64, offset+rows*stride)
	for i := range buf {
		buf[i] = math.NaN()
	}
	d := buf[offset:]
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			d[i*stride+j] = 2*rng.Float64() - 1
		}
	}
	return operand{data: d, stride: max(stride, 1)}
}

// naive returns op(A)·op(B) by the textbook triple loop, and the sum of
// |a||b| for each element, which bounds its rounding error.
func naive(transA, transB bool, m, n, k int, a, b operand) (c, bound []float64) {
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
				x := a.data[i*ai+p*ap] * b.data[p*bp+j*bj]
				s += x
				abs += math.Abs(x)
			}
			c[i*n+j], bound[i*n+j] = s, abs
		}
	}
	return c, bound
}

var shapes = []struct{ m, n, k int }{
	{1, 1, 1},
	{0, 0, 0},
	{0, 5, 3},
	{5, 0, 3},
	{5, 3, 0},
	{4, 4, 4},
	{6, 8, 1},
	{12, 16, 3},
	{13, 17, 19},
	{7, 9, 385}, // k beyond one block of every kernel
	{25, 33, 1025},
	{1, 400, 20}, // decoding one digit
	{128, 400, 784},
	{400, 784, 128},
	{128, 20, 400},
	{20, 410, 128},
	{127, 783, 401},
}

func TestMul(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, s := range shapes {
		for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
			for _, layout := range []struct{ pad, offset int }{{0, 0}, {3, 5}} {
				name := fmt.Sprintf("%dx%dx%d/tA=%v,tB=%v/pad%d", s.m, s.n, s.k, tr[0], tr[1], layout.pad)
				t.Run(name, func(t *testing.T) {
					if testing.Short() && s.m*s.n*s.k > 1e6 {
						t.Skip("large product")
					}
					testMul(t, rng, tr[0], tr[1], s.m, s.n, s.k, layout.pad, layout.offset)
				})
			}
		}
	}
}

// testMul checks every kernel against the naive product on one case.
func testMul(t *testing.T, rng *rand.Rand, transA, transB bool, m, n, k, pad, offset int) {
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	a := newOperand(rng, ar, ac, pad, offset)
	b := newOperand(rng, br, bc, pad, offset)
	want, bound := naive(transA, transB, m, n, k, a, b)
	for _, kern := range kernels() {
		c := newOperand(rng, m, n, pad, offset)
		// C's old values must be overwritten, not added to.
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				c.data[i*c.stride+j] = 1e300
			}
		}
		mul(kern, transA, transB, m, n, k, a.data, a.stride, b.data, b.stride, c.data, c.stride)
		bad := 0
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				got, w := c.data[i*c.stride+j], want[i*n+j]
				if d := math.Abs(got - w); !(d <= 1e-14*bound[i*n+j]) {
					if bad++; bad <= 3 {
						t.Errorf("%s: C[%d,%d] = %v, want %v", kern.name, i, j, got, w)
					}
				}
			}
			for j := n; j < n+pad; j++ {
				if v := c.data[i*c.stride+j]; !math.IsNaN(v) {
					t.Fatalf("%s: padding C[%d,%d] written: %v", kern.name, i, j, v)
				}
			}
		}
		if bad > 3 {
			t.Errorf("%s: %d wrong elements in all", kern.name, bad)
		}
	}
}

// TestDeterministic checks that results are bitwise equal from call to call
// and whatever the number of goroutines that computes them.
func TestDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const m, n, k = 128, 784, 400
	a := newOperand(rng, m, k, 0, 0)
	b := newOperand(rng, n, k, 0, 0)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, kern := range kernels() {
		var results [][]float64
		for _, procs := range []int{1, 2, 2, 3, 1} {
			runtime.GOMAXPROCS(procs)
			c := make([]float64, m*n)
			mul(kern, false, true, m, n, k, a.data, k, b.data, k, c, n)
			results = append(results, c)
		}
		for r := 1; r < len(results); r++ {
			for i := range results[0] {
				if math.Float64bits(results[r][i]) != math.Float64bits(results[0][i]) {
					t.Fatalf("%s: run %d differs at %d: %v vs %v", kern.name, r, i, results[r][i], results[0][i])
				}
			}
		}
	}
}

func TestMulPanicsOnBadDimensions(t *testing.T) {
	buf := make([]float64, 12)
	for _, tc := range []struct {
		name    string
		m, n, k int
		lda     int
		want    string
	}{
		{"negative", -1, 2, 2, 2, "negative dimension"},
		{"narrow lda", 2, 2, 3, 2, "lda"},
		{"short a", 2, 2, 7, 7, "len(a)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if s, _ := r.(string); !strings.Contains(s, tc.want) {
					t.Errorf("panic %v, want one mentioning %q", r, tc.want)
				}
			}()
			Mul(false, false, tc.m, tc.n, tc.k, buf, tc.lda, buf, 2, make([]float64, 4), 2)
		})
	}
}

func TestMulDoesNotAllocate(t *testing.T) {
	const m, n, k = 128, 400, 784
	a, b, c := make([]float64, m*k), make([]float64, n*k), make([]float64, m*n)
	Mul(false, true, m, n, k, a, k, b, k, c, n)
	allocs := testing.AllocsPerRun(20, func() {
		Mul(false, true, m, n, k, a, k, b, k, c, n)
	})
	// Starting goroutines allocates a little; packed buffers must not.
	if allocs > 4 {
		t.Errorf("%v allocations per call, want at most a few", allocs)
	}
}

// The products of one training step of the 784-400 layer, batch 128.
var benchShapes = []struct {
	name           string
	transA, transB bool
	m, n, k        int
}{
	{"forward=X·Wᵀ", false, true, 128, 400, 784},
	{"dW=dYᵀ·X", true, false, 400, 784, 128},
	{"dX=dY·W", false, false, 128, 400, 784},
}

func BenchmarkMul(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, s := range benchShapes {
		ar, ac := s.m, s.k
		if s.transA {
			ar, ac = s.k, s.m
		}
		br, bc := s.k, s.n
		if s.transB {
			br, bc = s.n, s.k
		}
		x := newOperand(rng, ar, ac, 0, 0)
		y := newOperand(rng, br, bc, 0, 0)
		flops := 2 * float64(s.m*s.n*s.k)
		report := func(b *testing.B) {
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		}
		for _, kern := range kernels() {
			b.Run(s.name+"/"+kern.name, func(b *testing.B) {
				c := make([]float64, s.m*s.n)
				for b.Loop() {
					mul(kern, s.transA, s.transB, s.m, s.n, s.k, x.data, x.stride, y.data, y.stride, c, s.n)
				}
				report(b)
			})
		}
		b.Run(s.name+"/gonum", func(b *testing.B) {
			var ma, mb mat.Matrix = mat.NewDense(ar, ac, x.data), mat.NewDense(br, bc, y.data)
			if s.transA {
				ma = ma.T()
			}
			if s.transB {
				mb = mb.T()
			}
			c := mat.NewDense(s.m, s.n, nil)
			for b.Loop() {
				c.Mul(ma, mb)
			}
			report(b)
		})
	}
}

// TestMulSmall checks the unpacked path against the naive product directly,
// for more rows than Mul hands it, so that the threshold can move freely.
func TestMulSmall(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, s := range []struct{ m, n, k int }{
		{1, 1, 1}, {1, 3, 5}, {1, 4, 4}, {1, 7, 9}, {2, 9, 7}, {3, 5, 13}, {1, 784, 400}, {1, 400, 30}, {5, 17, 3},
	} {
		for _, transB := range []bool{false, true} {
			for _, layout := range []struct{ pad, offset int }{{0, 0}, {3, 5}} {
				t.Run(fmt.Sprintf("%dx%dx%d/tB=%v/pad%d", s.m, s.n, s.k, transB, layout.pad), func(t *testing.T) {
					br, bc := s.k, s.n
					if transB {
						br, bc = s.n, s.k
					}
					a := newOperand(rng, s.m, s.k, layout.pad, layout.offset)
					b := newOperand(rng, br, bc, layout.pad, layout.offset)
					c := newOperand(rng, s.m, s.n, layout.pad, layout.offset)
					for i := 0; i < s.m; i++ {
						for j := 0; j < s.n; j++ {
							c.data[i*c.stride+j] = 1e300 // must be overwritten
						}
					}
					want, bound := naive(false, transB, s.m, s.n, s.k, a, b)
					mulSmall(transB, s.m, s.n, s.k, a.data, a.stride, b.data, b.stride, c.data, c.stride)
					for i := 0; i < s.m; i++ {
						for j := 0; j < s.n; j++ {
							got, w := c.data[i*c.stride+j], want[i*s.n+j]
							if d := math.Abs(got - w); !(d <= 1e-14*bound[i*s.n+j]) {
								t.Fatalf("C[%d,%d] = %v, want %v", i, j, got, w)
							}
						}
						for j := s.n; j < s.n+layout.pad; j++ {
							if v := c.data[i*c.stride+j]; !math.IsNaN(v) {
								t.Fatalf("padding C[%d,%d] written: %v", i, j, v)
							}
						}
					}
				})
			}
		}
	}
}

// BenchmarkSmall compares the unpacked path with the packed kernels on the
// products of decoding a few digits (784-400-20 CVAE decoder), to place
// smallM.
func BenchmarkSmall(b *testing.B) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, m := range []int{1, 2, 4, 8} {
		for _, s := range []struct {
			name   string
			transB bool
			n, k   int
		}{{"fc1", true, 400, 30}, {"out", true, 784, 400}, {"dX", false, 400, 784}} {
			br, bc := s.k, s.n
			if s.transB {
				br, bc = s.n, s.k
			}
			x := newOperand(rng, m, s.k, 0, 0)
			y := newOperand(rng, br, bc, 0, 0)
			c := make([]float64, m*s.n)
			b.Run(fmt.Sprintf("m=%d/%s/small", m, s.name), func(b *testing.B) {
				for b.Loop() {
					mulSmall(s.transB, m, s.n, s.k, x.data, x.stride, y.data, y.stride, c, s.n)
				}
			})
			for _, kern := range kernels() {
				b.Run(fmt.Sprintf("m=%d/%s/%s", m, s.name, kern.name), func(b *testing.B) {
					for b.Loop() {
						mulPacked(kern, false, s.transB, m, s.n, s.k, x.data, x.stride, y.data, y.stride, c, s.n)
					}
				})
			}
		}
	}
}
