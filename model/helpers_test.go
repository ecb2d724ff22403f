package model

import (
	"math/rand/v2"

	"vaeplay/model/nn"
)

// convert returns a copy of m computing in U, with every parameter
// converted: from float32 to float64 exactly.
func convert[U, T Float](m *VAE[T]) *VAE[U] {
	out, err := newZero[U](m.Config)
	if err != nil {
		panic(err)
	}
	src := m.Params()
	for i, p := range out.Params() {
		for j, v := range src[i].Data {
			p.Data[j] = U(v)
		}
	}
	return out
}

// uniform returns an n×d matrix of values uniform in [0, 1).
func uniform[T Float](n, d int, rng *rand.Rand) nn.Matrix[T] {
	x := nn.NewMatrix[T](n, d, nil)
	for i := range x.Data {
		x.Data[i] = T(rng.Float64())
	}
	return x
}

// randFor returns a generator seeded by seed, for tests that need noise of
// their own.
func randFor(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 99)) }
