package main

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"vaeplay/model"
	"vaeplay/tools/internal/mnist"
)

// newModel returns a model with random weights, or fails the test.
func newModel(t *testing.T, cfg model.Config, seed uint64) *model.Model {
	t.Helper()
	m, err := model.New(cfg, rand.New(rand.NewPCG(seed, 1)))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// randomImages returns n grey images with every pixel uniform in [0, 1].
func randomImages(n, d int, seed uint64) model.Matrix {
	rng := rand.New(rand.NewPCG(seed, 2))
	x := model.NewMatrix(n, d, nil)
	for i := range x.Data {
		x.Data[i] = float32(rng.Float64())
	}
	return x
}

func TestActiveUnits(t *testing.T) {
	tests := []struct {
		name string
		cols [][]float32 // one slice per latent unit, values over images
		want int
	}{
		{"constant is inactive", [][]float32{{0.3, 0.3, 0.3, 0.3}}, 0},
		{"variance 0.04 is active", [][]float32{{0.2, -0.2, 0.2, -0.2}}, 1},
		{"just below the cut", [][]float32{{0.099, -0.099, 0.099, -0.099}}, 0},
		{"just above the cut", [][]float32{{0.101, -0.101, 0.101, -0.101}}, 1},
		{"offset does not count", [][]float32{{5, 5.01, 5, 5.01}}, 0},
		{"mixed", [][]float32{{0, 0, 0, 0}, {1, -1, 1, -1}, {0.05, -0.05, 0.05, -0.05}, {3, 0, -3, 0}}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := len(tt.cols[0])
			mu := model.NewMatrix(n, len(tt.cols), nil)
			for l, col := range tt.cols {
				for i, v := range col {
					mu.Row(i)[l] = v
				}
			}
			got, v := activeUnits(mu)
			if got != tt.want {
				t.Errorf("active units = %d (variances %v), want %d", got, v, tt.want)
			}
		})
	}

	// Through a model: units whose mean head ignores the input are inactive.
	cfg := model.Config{Input: 16, Hidden: []int{8}, Latent: 5, Likelihood: model.Bernoulli, Beta: 1}
	m := newModel(t, cfg, 40)
	for _, l := range []int{1, 3} {
		row := m.Mu.W.Row(l)
		for j := range row {
			row[j] = 0
		}
	}
	for _, l := range []int{0, 2, 4} {
		row := m.Mu.W.Row(l)
		for j := range row {
			row[j] *= 20
		}
	}
	mu, _ := m.Encode(randomImages(200, 16, 5), nil)
	got, v := activeUnits(mu)
	if got != 3 || v[1] > 1e-20 || v[3] > 1e-20 {
		t.Errorf("active units = %d, variances %v; want 3 with units 1 and 3 at 0", got, v)
	}
}

func TestBinarize(t *testing.T) {
	const n, d = 50, 200
	x := model.NewMatrix(n, d, nil)
	for i := range n {
		for j := range d {
			x.Row(i)[j] = float32(j%3) / 2 // 0, 0.5, 1
		}
	}
	b := binarize(x, 0, 3)
	ones := 0
	for i := range n {
		for j := range d {
			v := b.At(i, j)
			switch {
			case v != 0 && v != 1:
				t.Fatalf("pixel (%d,%d) = %v, not binary", i, j, v)
			case j%3 == 0 && v != 0, j%3 == 2 && v != 1:
				t.Fatalf("pixel (%d,%d) of grey %v became %v", i, j, x.At(i, j), v)
			case j%3 == 1:
				ones += int(v)
			}
		}
	}
	half := n * ((d + 1) / 3)
	if frac := float64(ones) / float64(half); math.Abs(frac-0.5) > 0.03 {
		t.Errorf("%.3f of the grey-0.5 pixels became 1, want about 0.5", frac)
	}
	sub := binarize(x.RowSlice(10, 12), 10, 3)
	if !slices.Equal(sub.Data, b.RowSlice(10, 12).Data) {
		t.Error("images 10 and 11 binarize differently alone than in the whole set")
	}
	if slices.Equal(binarize(x, 0, 4).Data, b.Data) {
		t.Error("seed 4 binarizes like seed 3")
	}
}

// TestEstimateOnTrainedWeights checks the bound on real digits and trained
// weights (the shipped 2-D models): per image the estimate is at least the
// ELBO of its own samples, and on average it is above the ELBO that the
// trainer reports as the test loss, by the nats a 2-D posterior leaves.
func TestEstimateOnTrainedWeights(t *testing.T) {
	dir := filepath.Join("..", "..", ".cache", "mnist")
	if _, err := os.Stat(filepath.Join(dir, "t10k-images-idx3-ubyte")); err != nil {
		t.Skipf("MNIST missing in %s (make data)", dir)
	}
	test, err := mnist.Load(dir, mnist.Test)
	if err != nil {
		t.Fatal(err)
	}
	const n = 40
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	x, allLabels := test.Batch(idx)
	for _, name := range []string{"vae2d", "cvae2d"} {
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("..", "..", "weights", name+".safetensors"))
			if err != nil {
				t.Fatal(err)
			}
			m, _, err := model.Load(raw)
			if err != nil {
				t.Fatal(err)
			}
			var labels []int
			if m.Config.Conditional() {
				labels = allLabels
			}
			est, err := m.LogLikelihood(x, labels, model.Sampling{K: 200, Rows: 2000, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			var ll, elbo float64
			for i, e := range est {
				if !(e.LogLik >= e.ELBO) {
					t.Errorf("image %d: estimate %v below its samples' ELBO %v", i, e.LogLik, e.ELBO)
				}
				ll, elbo = ll+e.LogLik/n, elbo+e.ELBO/n
			}
			loss := m.TestLoss(x, labels)
			if !(ll > -loss.Total && ll > elbo+0.5) {
				t.Errorf("mean estimate %.2f, ELBO of its samples %.2f, trainer's ELBO %.2f: want the estimate above both", ll, elbo, -loss.Total)
			}
			t.Logf("log p(x) ≈ %.2f (k 200), ELBO %.2f, one-sample ELBO %.2f", ll, elbo, -loss.Total)
		})
	}
}
