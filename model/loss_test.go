package model

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"vaeplay/model/nn"
)

// TestReconstructionChunked checks the reconstruction term computed in
// chunks on several cores against the sum of its rows on one: the same
// gradient bits, the same loss up to the order of summation, and the same
// bits whatever the number of cores.
func TestReconstructionChunked(t *testing.T) {
	for _, lik := range []Likelihood{Bernoulli, Gaussian} {
		for _, n := range []int{1, reconChunk, reconChunk + 1, 128, 1000} {
			rng := rand.New(rand.NewPCG(uint64(n), 5))
			const d = 784
			logits, x := nn.NewMatrix[float32](n, d, nil), uniform[float32](n, d, rng)
			for i := range logits.Data {
				logits.Data[i] = float32(8 * rng.NormFloat64())
			}
			wantGrad := nn.NewMatrix[float32](n, d, nil)
			var want float64
			for i := range n {
				want += reconstructionRow(lik, logits.Row(i), x.Row(i), wantGrad.Row(i))
			}
			var first float64
			for _, procs := range []int{1, 2, 5} {
				old := runtime.GOMAXPROCS(procs)
				grad := nn.NewMatrix[float32](n, d, nil)
				got := reconstruction(lik, logits, x, grad)
				noGrad := reconstruction(lik, logits, x, nn.Matrix[float32]{})
				runtime.GOMAXPROCS(old)
				if procs == 1 {
					first = got
				}
				if got != first || noGrad != first {
					t.Errorf("%v n=%d GOMAXPROCS %d: loss %v (without gradient %v), with one core %v: want the same bits", lik, n, procs, got, noGrad, first)
				}
				if math.Abs(got-want) > 1e-12*math.Abs(want) {
					t.Errorf("%v n=%d: chunked loss %v, row by row %v", lik, n, got, want)
				}
				if !slices.Equal(grad.Data, wantGrad.Data) {
					t.Errorf("%v n=%d GOMAXPROCS %d: gradient differs from the row-by-row one", lik, n, procs)
				}
			}
		}
	}
}
