package nn

import (
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// TestAdamSplitIsExact checks that Update gives the same bits whether the
// parameters are updated by one goroutine or cut into chunks for several,
// over tensors that straddle the chunks' boundaries.
func TestAdamSplitIsExact(t *testing.T) {
	sizes := []int{70000, 3, 100000, 1, adamChunk, 5}
	run := func(procs int) [][]float32 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		rng := rand.New(rand.NewPCG(11, 12))
		var params, grads []Param[float32]
		for _, n := range sizes {
			p, g := make([]float32, n), make([]float32, n)
			for i := range p {
				p[i], g[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
			}
			params = append(params, Param[float32]{Data: p})
			grads = append(grads, Param[float32]{Data: g})
		}
		a := NewAdam[float32](1e-3)
		for step := range 3 {
			for _, g := range grads {
				for i := range g.Data {
					g.Data[i] *= float32(step + 1)
				}
			}
			a.Update(params, grads)
		}
		var out [][]float32
		for i, p := range params {
			out = append(out, p.Data, a.M[i], a.V[i])
		}
		return out
	}
	want := run(1)
	for _, procs := range []int{2, 3, 8} {
		got := run(procs)
		for i := range want {
			if !slices.Equal(got[i], want[i]) {
				t.Fatalf("GOMAXPROCS %d: tensor %d (parameter, m or v of parameter %d) differs from one goroutine's", procs, i, i/3)
			}
		}
	}
}

// TestAdamFirstStep checks the first step of Adam on f(p) = p²/2 against
// torch.optim.Adam([p], lr=0.1) from p = (1, -2, 3): the first update moves
// every coordinate by exactly lr against the sign of its gradient.
func TestAdamFirstStep(t *testing.T) {
	p := []Param[float32]{{Name: "p", Data: []float32{1, -2, 3}}}
	g := []Param[float32]{{Name: "p", Data: []float32{1, -2, 3}}} // ∇ p²/2 = p
	a := NewAdam[float32](0.1)
	a.Update(p, g)
	want := []float32{0.9, -1.9, 2.9}
	for i := range want {
		if d := p[0].Data[i] - want[i]; d > 1e-6 || d < -1e-6 {
			t.Errorf("p[%d] = %v after one step, want %v", i, p[0].Data[i], want[i])
		}
	}
}
