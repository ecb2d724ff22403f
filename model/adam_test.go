package model

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
	run := func(procs int) [][]float64 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		rng := rand.New(rand.NewPCG(11, 12))
		var params, grads []Param
		for _, n := range sizes {
			p, g := make([]float64, n), make([]float64, n)
			for i := range p {
				p[i], g[i] = rng.NormFloat64(), rng.NormFloat64()
			}
			params = append(params, Param{Data: p})
			grads = append(grads, Param{Data: g})
		}
		a := NewAdam(1e-3)
		for step := range 3 {
			for _, g := range grads {
				for i := range g.Data {
					g.Data[i] *= float64(step + 1)
				}
			}
			a.Update(params, grads)
		}
		var out [][]float64
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
