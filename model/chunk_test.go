package model

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestReconstructionChunked checks the chunked reconstruction term against
// one call over the whole batch: the same gradient bits, the same loss up to
// the order of summation, and the same bits whatever the number of cores.
func TestReconstructionChunked(t *testing.T) {
	for _, lik := range []Likelihood{Bernoulli, Gaussian} {
		for _, n := range []int{1, reconChunk, reconChunk + 1, 128, 1000} {
			rng := rand.New(rand.NewPCG(uint64(n), 5))
			const d = 784
			logits, x := mat.NewDense(n, d, nil), mat.NewDense(n, d, nil)
			for i := range n {
				for j := range d {
					logits.Set(i, j, 8*rng.NormFloat64())
					x.Set(i, j, rng.Float64())
				}
			}
			wantGrad := mat.NewDense(n, d, nil)
			want := reconstruction(lik, logits, x, wantGrad)
			var first float64
			for _, procs := range []int{1, 2, 5} {
				old := runtime.GOMAXPROCS(procs)
				grad := mat.NewDense(n, d, nil)
				got := reconstructionChunked(lik, logits, x, grad)
				noGrad := reconstructionChunked(lik, logits, x, nil)
				runtime.GOMAXPROCS(old)
				if procs == 1 {
					first = got
				}
				if got != first || noGrad != first {
					t.Errorf("%v n=%d GOMAXPROCS %d: loss %v (without gradient %v), with one core %v: want the same bits", lik, n, procs, got, noGrad, first)
				}
				if math.Abs(got-want) > 1e-12*math.Abs(want) {
					t.Errorf("%v n=%d: chunked loss %v, whole %v", lik, n, got, want)
				}
				if !slices.Equal(grad.RawMatrix().Data, wantGrad.RawMatrix().Data) {
					t.Errorf("%v n=%d GOMAXPROCS %d: gradient differs from the whole batch's", lik, n, procs)
				}
			}
		}
	}
}
