package nn

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/blas/blas32"
)

func TestMatrixViews(t *testing.T) {
	m := NewMatrix(3, 4, []float64{
		0, 1, 2, 3,
		4, 5, 6, 7,
		8, 9, 10, 11,
	})
	tests := []struct {
		name string
		got  Matrix[float64]
		want [][]float64
	}{
		{"rows 1..3", m.RowSlice(1, 3), [][]float64{{4, 5, 6, 7}, {8, 9, 10, 11}}},
		{"columns 1..3", m.ColSlice(1, 3), [][]float64{{1, 2}, {5, 6}, {9, 10}}},
		{"rows then columns", m.RowSlice(2, 3).ColSlice(3, 4), [][]float64{{11}}},
		{"no rows", m.RowSlice(1, 1), nil},
		{"clone of a column view", m.ColSlice(2, 4).Clone(), [][]float64{{2, 3}, {6, 7}, {10, 11}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got.Rows != len(tt.want) {
				t.Fatalf("%d rows, want %d", tt.got.Rows, len(tt.want))
			}
			for i, w := range tt.want {
				if got := tt.got.Row(i); !slices.Equal(got, w) {
					t.Errorf("row %d = %v, want %v", i, got, w)
				}
			}
		})
	}
	if c := m.ColSlice(2, 4).Clone(); !c.Contiguous() || c.Stride != 2 {
		t.Errorf("clone has stride %d, want a contiguous 2", c.Stride)
	}
	// A view writes through to its matrix.
	m.ColSlice(1, 2).Row(2)[0] = -1
	if m.At(2, 1) != -1 {
		t.Error("a column view does not alias its matrix")
	}
	for _, bad := range []func(){
		func() { m.Row(3) },
		func() { m.RowSlice(2, 4) },
		func() { m.ColSlice(3, 2) },
		func() { NewMatrix(2, 2, []float64{1}) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("out-of-range view did not panic")
				}
			}()
			bad()
		}()
	}
}

// TestMatrixIsBlas32General checks the layout promise: a Matrix[float32]
// converts to gonum's blas32.General and means the same matrix there.
func TestMatrixIsBlas32General(t *testing.T) {
	m := NewMatrix(2, 3, []float32{1, 2, 3, 4, 5, 6}).ColSlice(1, 3)
	g := blas32.General(m)
	if g.Rows != 2 || g.Cols != 2 || g.Stride != 3 || g.Data[g.Stride+1] != 6 {
		t.Errorf("as blas32.General: %+v", g)
	}
}

// TestMul checks Mul against the definition for every transpose, on views
// with strides wider than their rows.
func TestMul(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	random := func(r, c int) Matrix[float64] {
		big := NewMatrix[float64](r+1, c+2, nil)
		for i := range big.Data {
			big.Data[i] = rng.NormFloat64()
		}
		return big.RowSlice(1, r+1).ColSlice(1, c+1)
	}
	for _, tA := range []bool{false, true} {
		for _, tB := range []bool{false, true} {
			const m, n, k = 5, 7, 3
			a, b := random(m, k), random(k, n)
			if tA {
				a = random(k, m)
			}
			if tB {
				b = random(n, k)
			}
			c := NewMatrix[float64](m, n, nil)
			Mul(c, a, tA, b, tB)
			for i := range m {
				for j := range n {
					var want float64
					for p := range k {
						var ai, bj float64
						if tA {
							ai = a.At(p, i)
						} else {
							ai = a.At(i, p)
						}
						if tB {
							bj = b.At(j, p)
						} else {
							bj = b.At(p, j)
						}
						want += ai * bj
					}
					if d := math.Abs(c.At(i, j) - want); d > 1e-12 {
						t.Errorf("transA %v transB %v: C[%d,%d] = %v, want %v", tA, tB, i, j, c.At(i, j), want)
					}
				}
			}
		}
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "dimension mismatch") {
			t.Errorf("mismatched product: panic %v", r)
		}
	}()
	Mul(NewMatrix[float64](2, 2, nil), NewMatrix[float64](2, 3, nil), false, NewMatrix[float64](2, 2, nil), false)
}

// TestLinearGradient checks a two-layer network's gradients, through the
// tape, against central differences in float64.
func TestLinearGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	fc1, fc2 := NewLinear[float64](4, 3), NewLinear[float64](2, 4)
	fc1.Init(3, rng)
	fc2.Init(4, rng)
	x := NewMatrix[float64](5, 3, nil)
	for i := range x.Data {
		x.Data[i] = rng.NormFloat64()
	}
	// loss = Σ w ⊙ fc2(relu(fc1(x))) for fixed random weights w.
	w := NewMatrix[float64](5, 2, nil)
	for i := range w.Data {
		w.Data[i] = rng.NormFloat64()
	}
	loss := func() float64 {
		y := fc2.Forward(fc1.Forward(x, ReLU, nil), Identity, nil)
		var s float64
		for i, v := range y.Data {
			s += v * w.Data[i]
		}
		return s
	}
	var tape Tape[float64]
	fc2.Forward(fc1.Forward(x, ReLU, &tape), Identity, &tape)
	g1, g2 := NewLinear[float64](4, 3), NewLinear[float64](2, 4)
	dh := fc2.Backward(&g2, w.Clone(), &tape, true)
	if dx := fc1.Backward(&g1, dh, &tape, false); dx.Rows != 0 {
		t.Errorf("input gradient of %d rows, asked for none", dx.Rows)
	}
	if tape.Len() != 0 {
		t.Errorf("%d records left on the tape", tape.Len())
	}
	const h = 1e-6
	for _, c := range []struct {
		name     string
		params   []float64
		gradient []float64
	}{
		{"fc1.weight", fc1.W.Data, g1.W.Data}, {"fc1.bias", fc1.B, g1.B},
		{"fc2.weight", fc2.W.Data, g2.W.Data}, {"fc2.bias", fc2.B, g2.B},
	} {
		for i := range c.params {
			orig := c.params[i]
			c.params[i] = orig + h
			up := loss()
			c.params[i] = orig - h
			down := loss()
			c.params[i] = orig
			if num := (up - down) / (2 * h); math.Abs(num-c.gradient[i]) > 1e-6*math.Max(1, math.Abs(num)) {
				t.Errorf("%s[%d]: backprop %v, finite difference %v", c.name, i, c.gradient[i], num)
			}
		}
	}
}

// TestTapeOrder checks that a backward pass out of the forward pass's
// reverse order is caught, not silently computed with the wrong inputs.
func TestTapeOrder(t *testing.T) {
	fc1, fc2 := NewLinear[float32](3, 3), NewLinear[float32](3, 3)
	var tape Tape[float32]
	x := NewMatrix[float32](1, 3, nil)
	fc2.Forward(fc1.Forward(x, ReLU, &tape), Identity, &tape)
	g := NewLinear[float32](3, 3)
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "out of order") {
			t.Errorf("backward through fc1 first: panic %v, want one saying out of order", r)
		}
	}()
	fc1.Backward(&g, NewMatrix[float32](1, 3, nil), &tape, false)
}

// TestParallelVisitsEveryChunkOnce runs Parallel on several core counts.
func TestParallelVisitsEveryChunkOnce(t *testing.T) {
	for _, procs := range []int{1, 2, 7} {
		old := runtime.GOMAXPROCS(procs)
		for _, chunks := range []int{0, 1, 5, 100} {
			seen := make([]int, chunks)
			Parallel(chunks, func(c int) { seen[c]++ })
			for c, n := range seen {
				if n != 1 {
					t.Errorf("GOMAXPROCS %d, %d chunks: chunk %d run %d times", procs, chunks, c, n)
				}
			}
		}
		runtime.GOMAXPROCS(old)
	}
}
