package classifier

import (
	"math/rand/v2"

	"vaeplay/model/nn"
)

// small is a network small enough to check every parameter's gradient.
var small = Config{Side: 14, Kernel: 3, Conv1: 3, Conv2: 4, Hidden: 6, Classes: 4}

// convert returns a copy of n computing in U, every parameter converted:
// from float32 to float64 exactly.
func convert[U, T nn.Float](n *CNN[T]) *CNN[U] {
	out, err := newZero[U](n.Config)
	if err != nil {
		panic(err)
	}
	src := n.Params()
	for i, p := range out.Params() {
		for j, v := range src[i].Data {
			p.Data[j] = U(v)
		}
	}
	return out
}

// randomBatch returns count images of uniform grey values and random
// labels.
func randomBatch[T nn.Float](cfg Config, count int, rng *rand.Rand) (nn.Matrix[T], []int) {
	x := nn.NewMatrix[T](count, cfg.Side*cfg.Side, nil)
	for i := range x.Data {
		x.Data[i] = T(rng.Float64())
	}
	labels := make([]int, count)
	for i := range labels {
		labels[i] = rng.IntN(cfg.Classes)
	}
	return x, labels
}

// normal returns a rows×cols matrix of standard normal draws.
func normal(rows, cols int, rng *rand.Rand) nn.Matrix[float64] {
	m := nn.NewMatrix[float64](rows, cols, nil)
	for i := range m.Data {
		m.Data[i] = rng.NormFloat64()
	}
	return m
}
