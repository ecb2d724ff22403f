package main

import (
	"math/rand/v2"

	"vaeplay/model"
)

// ActiveThreshold is Burda et al.'s (2015) cut: a latent unit is active when
// the variance over the data of its posterior mean exceeds it.
const ActiveThreshold = 0.01

// activeUnits returns the variance over the rows of mu (the posterior means
// E_q[z|x] of a set of images) of each latent unit, and how many exceed
// ActiveThreshold.
func activeUnits(mu model.Matrix) (count int, variance []float64) {
	n, lat := mu.Rows, mu.Cols
	variance = make([]float64, lat)
	for l := range lat {
		var mean float64
		for i := range n {
			mean += float64(mu.At(i, l))
		}
		mean /= float64(n)
		var ss float64
		for i := range n {
			d := float64(mu.At(i, l)) - mean
			ss += d * d
		}
		variance[l] = ss / float64(n)
		if variance[l] > ActiveThreshold {
			count++
		}
	}
	return count, variance
}

// binarize returns a copy of x with every pixel set to 1 with probability
// its grey value and to 0 otherwise: a fixed stochastic binarization, the
// form of MNIST the literature reports likelihoods on. Image first+i draws
// from its own generator seeded by (seed, first+i), so an image binarizes
// the same whatever subset is evaluated.
func binarize(x model.Matrix, first int, seed uint64) model.Matrix {
	out := model.NewMatrix(x.Rows, x.Cols, nil)
	for i := range x.Rows {
		rng := rand.New(rand.NewPCG(seed, uint64(first+i)))
		src, dst := x.Row(i), out.Row(i)
		for j, v := range src {
			if rng.Float64() < float64(v) {
				dst[j] = 1
			}
		}
	}
	return out
}
