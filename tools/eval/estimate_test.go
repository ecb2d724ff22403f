package main

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/gonum/mat"

	"vaeplay/model"
	"vaeplay/tools/internal/mnist"
)

func TestLogSumExp(t *testing.T) {
	inf := math.Inf(1)
	tests := []struct {
		name string
		v    []float64
		want float64
	}{
		{"empty", nil, math.Inf(-1)},
		{"one", []float64{3}, 3},
		{"two equal", []float64{0, 0}, math.Log(2)},
		{"large", []float64{1000, 1000}, 1000 + math.Log(2)},
		{"very negative", []float64{-1000, -1000, -1000}, -1000 + math.Log(3)},
		{"near max float", []float64{1e308, 1e308}, 1e308},
		{"minus infinity ignored", []float64{math.Inf(-1), -5, math.Inf(-1)}, -5},
		{"all minus infinity", []float64{math.Inf(-1), math.Inf(-1)}, math.Inf(-1)},
		{"plus infinity", []float64{1, inf, 2, inf}, inf},
		{"mixed scales", []float64{-800, 0, -1e6}, math.Log1p(math.Exp(-800))},
		{"rising", []float64{-3, -2, -1, 0}, math.Log(math.Exp(-3) + math.Exp(-2) + math.Exp(-1) + 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := logSumExp(tt.v)
			if !(got == tt.want || math.Abs(got-tt.want) <= 1e-12*math.Max(1, math.Abs(tt.want))) {
				t.Errorf("logSumExp(%v) = %v, want %v", tt.v, got, tt.want)
			}
		})
	}
	if got := logSumExp([]float64{1, math.NaN(), 2}); !math.IsNaN(got) {
		t.Errorf("logSumExp with NaN = %v, want NaN", got)
	}
}

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
func randomImages(n, d int, seed uint64) *mat.Dense {
	rng := rand.New(rand.NewPCG(seed, 2))
	x := mat.NewDense(n, d, nil)
	for i := range x.RawMatrix().Data {
		x.RawMatrix().Data[i] = rng.Float64()
	}
	return x
}

// exactLogLik integrates p(x|z,y) N(z; 0, 1) over a one-dimensional z with
// Simpson's rule on [-12, 12], in log space, using model.Decode's means.
func exactLogLik(m *model.Model, x []float64, label int) float64 {
	const steps = 240000 // even, step 1e-4
	lo, hi := -12.0, 12.0
	h := (hi - lo) / steps
	z := mat.NewDense(steps+1, 1, nil)
	for j := 0; j <= steps; j++ {
		z.Set(j, 0, lo+float64(j)*h)
	}
	var labels []int
	if m.Config.Conditional() {
		labels = make([]int, steps+1)
		for j := range labels {
			labels[j] = label
		}
	}
	means := m.Decode(z, labels)
	terms := make([]float64, steps+1)
	for j := range terms {
		zj := z.At(j, 0)
		var ll float64
		for i, xi := range x {
			p := means.At(j, i)
			switch m.Config.Likelihood {
			case model.Gaussian:
				ll += -(xi-p)*(xi-p)/2 - log2Pi/2
			default: // skipping zero terms: 0*log(0) would be NaN
				if xi > 0 {
					ll += xi * math.Log(p)
				}
				if xi < 1 {
					ll += (1 - xi) * math.Log(1-p)
				}
			}
		}
		w := 2.0 // Simpson weights 1, 4, 2, 4, ..., 4, 1 (times h/3)
		switch {
		case j == 0 || j == steps:
			w = 1
		case j%2 == 1:
			w = 4
		}
		terms[j] = ll - zj*zj/2 - log2Pi/2 + math.Log(w*h/3)
	}
	return logSumExp(terms)
}

// TestImportanceSamplingMatchesIntegral checks the estimator against the
// exact log-likelihood of models small enough to integrate: one latent
// dimension, four pixels. The decoder is made steep so that p(x|z) varies
// strongly with z and a wrong proposal density would show; the encoder's
// variance is kept at least the prior's so the weights are bounded and the
// estimate's error is small and known.
func TestImportanceSamplingMatchesIntegral(t *testing.T) {
	tests := []struct {
		name  string
		cfg   model.Config
		x     []float64
		label int
	}{
		{"bernoulli binary", model.Config{Input: 4, Hidden: []int{3}, Latent: 1, Likelihood: model.Bernoulli, Beta: 1}, []float64{1, 0, 0, 1}, 0},
		{"bernoulli grey", model.Config{Input: 4, Hidden: []int{5}, Latent: 1, Likelihood: model.Bernoulli, Beta: 1}, []float64{0.9, 0.2, 0.5, 0}, 0},
		{"bernoulli two layers", model.Config{Input: 4, Hidden: []int{4, 3}, Latent: 1, Likelihood: model.Bernoulli, Beta: 1}, []float64{0, 1, 1, 1}, 0},
		{"conditional", model.Config{Input: 4, Hidden: []int{3}, Latent: 1, Classes: 3, Likelihood: model.Bernoulli, Beta: 1}, []float64{1, 1, 0, 0}, 2},
		{"gaussian", model.Config{Input: 4, Hidden: []int{3}, Latent: 1, Likelihood: model.Gaussian, Beta: 1}, []float64{0.1, 0.8, 0.3, 1}, 0},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newModel(t, tt.cfg, uint64(10+i))
			for _, p := range m.Params() {
				if p.Name[:4] == "dec." {
					for j := range p.Data {
						p.Data[j] *= 3
					}
				}
			}
			m.LogVar.B[0] += 1.5
			m.Mu.B[0] += 0.7 // an off-centre proposal
			var labels []int
			if tt.cfg.Conditional() {
				labels = []int{tt.label}
			}
			x := mat.NewDense(1, 4, append([]float64(nil), tt.x...))
			_, logVar := m.Encode(x, labels)
			if lv := logVar.At(0, 0); lv < 0 {
				t.Fatalf("setup: log-variance of q is %v; the weights would be unbounded", lv)
			}
			exact := exactLogLik(m, tt.x, tt.label)

			const k = 500000
			got, err := sampler{m: m, k: k, rows: 8192, seed: uint64(5 + i)}.run(x, labels, 0, nil)
			if err != nil {
				t.Fatal(err)
			}
			// The estimate's standard error is sd(w)/mean(w)/sqrt(k) for the
			// weights w = p(x,z)/q(z|x); measure sd(w)/mean(w) on 20000
			// weights drawn one per copy of the image (each copy has its
			// own noise), and allow four standard errors.
			const copies = 20000
			rep := mat.NewDense(copies, 4, nil)
			var repLabels []int
			for r := range copies {
				rep.SetRow(r, tt.x)
				if labels != nil {
					repLabels = append(repLabels, tt.label)
				}
			}
			one, err := sampler{m: m, k: 1, rows: 8192, seed: 99}.run(rep, repLabels, 0, nil)
			if err != nil {
				t.Fatal(err)
			}
			var sum, sumSq float64
			for _, e := range one {
				w := math.Exp(e.LogLik - exact)
				sum, sumSq = sum+w, sumSq+w*w
			}
			mean := sum / copies
			se := math.Sqrt(sumSq/copies-mean*mean) / mean / math.Sqrt(k)
			if se > 2e-3 {
				t.Fatalf("setup: standard error %.2g nats, too loose a test", se)
			}
			if d := math.Abs(got[0].LogLik - exact); d > 4*se {
				t.Errorf("IS estimate %.6f, exact %.6f: off by %.2g nats, standard error %.2g", got[0].LogLik, exact, d, se)
			}
			if !(got[0].ELBO < exact) {
				t.Errorf("ELBO %.6f is not below log p(x) = %.6f", got[0].ELBO, exact)
			}
			t.Logf("exact %.6f IS %.6f (k %d, standard error %.1g) ELBO %.6f", exact, got[0].LogLik, k, se, got[0].ELBO)
		})
	}
}

// TestEstimateAtLeastELBO checks the bound the estimator exists for: with a
// few samples it is at least the ELBO, per image against the ELBO of the
// same samples, and on average against the ELBO as training computes it.
func TestEstimateAtLeastELBO(t *testing.T) {
	tests := []struct {
		name string
		cfg  model.Config
	}{
		{"vae", model.Config{Input: 64, Hidden: []int{32}, Latent: 4, Likelihood: model.Bernoulli, Beta: 1}},
		{"cvae", model.Config{Input: 64, Hidden: []int{32, 16}, Latent: 3, Classes: 10, Likelihood: model.Bernoulli, Beta: 1}},
		{"gaussian", model.Config{Input: 64, Hidden: []int{32}, Latent: 2, Likelihood: model.Gaussian, Beta: 1}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const n = 8
			m := newModel(t, tt.cfg, uint64(20+i))
			x := randomImages(n, tt.cfg.Input, uint64(i))
			var labels []int
			if tt.cfg.Conditional() {
				labels = []int{0, 1, 2, 3, 4, 5, 6, 7}
			}
			est, err := sampler{m: m, k: 16, rows: 50, seed: 1}.run(x, labels, 0, nil)
			if err != nil {
				t.Fatal(err)
			}
			var meanLL float64
			for j, e := range est {
				if !(e.LogLik >= e.ELBO) {
					t.Errorf("image %d: estimate %v below the ELBO %v of its own samples", j, e.LogLik, e.ELBO)
				}
				meanLL += e.LogLik / n
			}

			// The ELBO as the trainer computes it, averaged over many draws.
			// For the Gaussian likelihood its recon term is Σ d², twice the
			// negative log-density without the constant.
			rng := rand.New(rand.NewPCG(9, 9))
			const draws = 400
			var elbo float64
			for range draws {
				l := m.Evaluate(x, labels, model.Noise(n, tt.cfg.Latent, rng))
				recon := l.Recon
				if tt.cfg.Likelihood == model.Gaussian {
					recon = l.Recon/2 + float64(n*tt.cfg.Input)/2*log2Pi
				}
				elbo -= (recon + l.KL) / n / draws
			}
			if !(meanLL > elbo) {
				t.Errorf("mean estimate %v is not above the ELBO %v", meanLL, elbo)
			}
			// With many samples, the estimator's own ELBO is the same quantity.
			big, err := sampler{m: m, k: 4000, rows: 4000, seed: 2}.run(x, labels, 0, nil)
			if err != nil {
				t.Fatal(err)
			}
			var mcELBO float64
			for _, e := range big {
				mcELBO += e.ELBO / n
			}
			if d := math.Abs(mcELBO - elbo); d > 0.02*math.Abs(elbo) {
				t.Errorf("Monte Carlo ELBO %v, trainer's ELBO %v", mcELBO, elbo)
			}
			t.Logf("mean IS (k 16) %.3f, ELBO %.3f, MC ELBO %.3f", meanLL, elbo, mcELBO)
		})
	}
}

// TestEstimateIndependentOfBatching checks that an image's estimate does
// not depend on how samples are batched or on which images are evaluated
// with it, so that -n subsets and chunk sizes compare.
func TestEstimateIndependentOfBatching(t *testing.T) {
	cfg := model.Config{Input: 16, Hidden: []int{8}, Latent: 2, Classes: 3, Likelihood: model.Bernoulli, Beta: 1}
	m := newModel(t, cfg, 30)
	x := randomImages(6, 16, 3)
	labels := []int{0, 1, 2, 0, 1, 2}
	ref, err := sampler{m: m, k: 10, rows: 1000, seed: 7}.run(x, labels, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, rows := range []int{1, 3, 10, 17} {
		got, err := sampler{m: m, k: 10, rows: rows, seed: 7}.run(x, labels, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := range ref {
			if math.Abs(got[i].LogLik-ref[i].LogLik) > 1e-9 || math.Abs(got[i].ELBO-ref[i].ELBO) > 1e-9 {
				t.Errorf("rows %d image %d: %+v, with one batch %+v", rows, i, got[i], ref[i])
			}
		}
	}
	sub, err := sampler{m: m, k: 10, rows: 4, seed: 7}.run(x.Slice(2, 5, 0, 16).(*mat.Dense), labels[2:5], 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range sub {
		if math.Abs(e.LogLik-ref[i+2].LogLik) > 1e-9 {
			t.Errorf("image %d evaluated in a subset: %v, in the whole set %v", i+2, e.LogLik, ref[i+2].LogLik)
		}
	}
}

func TestSamplerErrors(t *testing.T) {
	vae := newModel(t, model.Config{Input: 4, Hidden: []int{3}, Latent: 1, Likelihood: model.Bernoulli, Beta: 1}, 1)
	cvae := newModel(t, model.Config{Input: 4, Hidden: []int{3}, Latent: 1, Classes: 2, Likelihood: model.Bernoulli, Beta: 1}, 1)
	x := randomImages(2, 4, 1)
	tests := []struct {
		name   string
		m      *model.Model
		x      *mat.Dense
		labels []int
		k      int
	}{
		{"wrong width", vae, randomImages(2, 5, 1), nil, 3},
		{"no samples", vae, x, nil, 0},
		{"labels for a vae", vae, x, []int{0, 1}, 3},
		{"missing labels", cvae, x, nil, 3},
		{"label out of range", cvae, x, []int{0, 2}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := (sampler{m: tt.m, k: tt.k, rows: 10}).run(tt.x, tt.labels, 0, nil); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestActiveUnits(t *testing.T) {
	tests := []struct {
		name string
		cols [][]float64 // one slice per latent unit, values over images
		want int
	}{
		{"constant is inactive", [][]float64{{0.3, 0.3, 0.3, 0.3}}, 0},
		{"variance 0.04 is active", [][]float64{{0.2, -0.2, 0.2, -0.2}}, 1},
		{"just below the cut", [][]float64{{0.099, -0.099, 0.099, -0.099}}, 0},
		{"just above the cut", [][]float64{{0.101, -0.101, 0.101, -0.101}}, 1},
		{"offset does not count", [][]float64{{5, 5.01, 5, 5.01}}, 0},
		{"mixed", [][]float64{{0, 0, 0, 0}, {1, -1, 1, -1}, {0.05, -0.05, 0.05, -0.05}, {3, 0, -3, 0}}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := len(tt.cols[0])
			mu := mat.NewDense(n, len(tt.cols), nil)
			for l, col := range tt.cols {
				mu.SetCol(l, col)
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
		row := m.Mu.W.RawRowView(l)
		for j := range row {
			row[j] = 0
		}
	}
	for _, l := range []int{0, 2, 4} {
		row := m.Mu.W.RawRowView(l)
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
	x := mat.NewDense(n, d, nil)
	for i := range n {
		for j := range d {
			x.Set(i, j, float64(j%3)/2) // 0, 0.5, 1
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
	sub := binarize(x.Slice(10, 12, 0, d).(*mat.Dense), 10, 3)
	if !mat.Equal(sub, b.Slice(10, 12, 0, d)) {
		t.Error("images 10 and 11 binarize differently alone than in the whole set")
	}
	if mat.Equal(binarize(x, 0, 4), b) {
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
			est, err := sampler{m: m, k: 200, rows: 2000, seed: 1}.run(x, labels, 0, nil)
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
			loss := testLoss(m, x, labels)
			if !(ll > -loss.Total && ll > elbo+0.5) {
				t.Errorf("mean estimate %.2f, ELBO of its samples %.2f, trainer's ELBO %.2f: want the estimate above both", ll, elbo, -loss.Total)
			}
			t.Logf("log p(x) ≈ %.2f (k 200), ELBO %.2f, one-sample ELBO %.2f", ll, elbo, -loss.Total)
		})
	}
}
