package model

import (
	"math"
	"math/rand/v2"
	"testing"

	"vaeplay/model/nn"
)

// newModel64 returns a model with random weights in float64, where the
// estimator's results can be compared with integrals to 1e-6 and better.
func newModel64(cfg Config, seed uint64) *VAE[float64] {
	m, err := New(cfg, rand.New(rand.NewPCG(seed, 1)))
	if err != nil {
		panic(err)
	}
	return convert[float64](m)
}

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
			got := LogSumExp(tt.v)
			if !(got == tt.want || math.Abs(got-tt.want) <= 1e-12*math.Max(1, math.Abs(tt.want))) {
				t.Errorf("logSumExp(%v) = %v, want %v", tt.v, got, tt.want)
			}
		})
	}
	if got := LogSumExp([]float64{1, math.NaN(), 2}); !math.IsNaN(got) {
		t.Errorf("logSumExp with NaN = %v, want NaN", got)
	}
}

// exactLogLik integrates p(x|z,y) N(z; 0, 1) over a one-dimensional z with
// Simpson's rule on [-12, 12], in log space, using model.Decode's means.
func exactLogLik(m *VAE[float64], x []float64, label int) float64 {
	const steps = 240000 // even, step 1e-4
	lo, hi := -12.0, 12.0
	h := (hi - lo) / steps
	z := nn.NewMatrix[float64](steps+1, 1, nil)
	for j := 0; j <= steps; j++ {
		z.Data[j] = lo + float64(j)*h
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
			case Gaussian:
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
	return LogSumExp(terms)
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
		cfg   Config
		x     []float64
		label int
	}{
		{"bernoulli binary", Config{Input: 4, Hidden: []int{3}, Latent: 1, Likelihood: Bernoulli, Beta: 1}, []float64{1, 0, 0, 1}, 0},
		{"bernoulli grey", Config{Input: 4, Hidden: []int{5}, Latent: 1, Likelihood: Bernoulli, Beta: 1}, []float64{0.9, 0.2, 0.5, 0}, 0},
		{"bernoulli two layers", Config{Input: 4, Hidden: []int{4, 3}, Latent: 1, Likelihood: Bernoulli, Beta: 1}, []float64{0, 1, 1, 1}, 0},
		{"conditional", Config{Input: 4, Hidden: []int{3}, Latent: 1, Classes: 3, Likelihood: Bernoulli, Beta: 1}, []float64{1, 1, 0, 0}, 2},
		{"gaussian", Config{Input: 4, Hidden: []int{3}, Latent: 1, Likelihood: Gaussian, Beta: 1}, []float64{0.1, 0.8, 0.3, 1}, 0},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newModel64(tt.cfg, uint64(10+i))
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
			x := nn.NewMatrix(1, 4, append([]float64(nil), tt.x...))
			_, logVar := m.Encode(x, labels)
			if lv := logVar.At(0, 0); lv < 0 {
				t.Fatalf("setup: log-variance of q is %v; the weights would be unbounded", lv)
			}
			exact := exactLogLik(m, tt.x, tt.label)

			const k = 500000
			got, err := m.LogLikelihood(x, labels, Sampling{K: k, Rows: 8192, Seed: uint64(5 + i)})
			if err != nil {
				t.Fatal(err)
			}
			// The estimate's standard error is sd(w)/mean(w)/sqrt(k) for the
			// weights w = p(x,z)/q(z|x); measure sd(w)/mean(w) on 20000
			// weights drawn one per copy of the image (each copy has its
			// own noise), and allow four standard errors.
			const copies = 20000
			rep := nn.NewMatrix[float64](copies, 4, nil)
			var repLabels []int
			for r := range copies {
				copy(rep.Row(r), tt.x)
				if labels != nil {
					repLabels = append(repLabels, tt.label)
				}
			}
			one, err := m.LogLikelihood(rep, repLabels, Sampling{K: 1, Rows: 8192, Seed: 99})
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
		cfg  Config
	}{
		{"vae", Config{Input: 64, Hidden: []int{32}, Latent: 4, Likelihood: Bernoulli, Beta: 1}},
		{"cvae", Config{Input: 64, Hidden: []int{32, 16}, Latent: 3, Classes: 10, Likelihood: Bernoulli, Beta: 1}},
		{"gaussian", Config{Input: 64, Hidden: []int{32}, Latent: 2, Likelihood: Gaussian, Beta: 1}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const n = 8
			m := newModel64(tt.cfg, uint64(20+i))
			x := uniform[float64](n, tt.cfg.Input, rand.New(rand.NewPCG(uint64(i), 2)))
			var labels []int
			if tt.cfg.Conditional() {
				labels = []int{0, 1, 2, 3, 4, 5, 6, 7}
			}
			est, err := m.LogLikelihood(x, labels, Sampling{K: 16, Rows: 50, Seed: 1})
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
				l := m.Evaluate(x, labels, noise[float64](n, tt.cfg.Latent, rng))
				recon := l.Recon
				if tt.cfg.Likelihood == Gaussian {
					recon = l.Recon/2 + float64(n*tt.cfg.Input)/2*log2Pi
				}
				elbo -= (recon + l.KL) / n / draws
			}
			if !(meanLL > elbo) {
				t.Errorf("mean estimate %v is not above the ELBO %v", meanLL, elbo)
			}
			// With many samples, the estimator's own ELBO is the same quantity.
			big, err := m.LogLikelihood(x, labels, Sampling{K: 4000, Rows: 4000, Seed: 2})
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
	cfg := Config{Input: 16, Hidden: []int{8}, Latent: 2, Classes: 3, Likelihood: Bernoulli, Beta: 1}
	m := newModel64(cfg, 30)
	x := uniform[float64](6, 16, rand.New(rand.NewPCG(3, 2)))
	labels := []int{0, 1, 2, 0, 1, 2}
	ref, err := m.LogLikelihood(x, labels, Sampling{K: 10, Rows: 1000, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	for _, rows := range []int{1, 3, 10, 17} {
		got, err := m.LogLikelihood(x, labels, Sampling{K: 10, Rows: rows, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		for i := range ref {
			if math.Abs(got[i].LogLik-ref[i].LogLik) > 1e-9 || math.Abs(got[i].ELBO-ref[i].ELBO) > 1e-9 {
				t.Errorf("rows %d image %d: %+v, with one batch %+v", rows, i, got[i], ref[i])
			}
		}
	}
	sub, err := m.LogLikelihood(x.RowSlice(2, 5), labels[2:5], Sampling{K: 10, Rows: 4, Seed: 7, First: 2})
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range sub {
		if math.Abs(e.LogLik-ref[i+2].LogLik) > 1e-9 {
			t.Errorf("image %d evaluated in a subset: %v, in the whole set %v", i+2, e.LogLik, ref[i+2].LogLik)
		}
	}
}

func TestLogLikelihoodErrors(t *testing.T) {
	vae := newModel64(Config{Input: 4, Hidden: []int{3}, Latent: 1, Likelihood: Bernoulli, Beta: 1}, 1)
	cvae := newModel64(Config{Input: 4, Hidden: []int{3}, Latent: 1, Classes: 2, Likelihood: Bernoulli, Beta: 1}, 1)
	x := uniform[float64](2, 4, rand.New(rand.NewPCG(1, 2)))
	tests := []struct {
		name   string
		m      *VAE[float64]
		x      nn.Matrix[float64]
		labels []int
		k      int
	}{
		{"wrong width", vae, uniform[float64](2, 5, rand.New(rand.NewPCG(1, 2))), nil, 3},
		{"no samples", vae, x, nil, 0},
		{"labels for a vae", vae, x, []int{0, 1}, 3},
		{"missing labels", cvae, x, nil, 3},
		{"label out of range", cvae, x, []int{0, 2}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.m.LogLikelihood(tt.x, tt.labels, Sampling{K: tt.k, Rows: 10}); err == nil {
				t.Error("no error")
			}
		})
	}
}

// TestTestLoss checks TestLoss against Evaluate with the noise it promises:
// batches of testLossBatch images, noise drawn batch after batch from the
// fixed seed.
func TestTestLoss(t *testing.T) {
	cfg := Config{Input: 6, Hidden: []int{5}, Latent: 2, Classes: 3, Likelihood: Bernoulli, Beta: 2}
	m := newModel64(cfg, 4)
	n := testLossBatch + 7
	x := uniform[float64](n, cfg.Input, rand.New(rand.NewPCG(8, 8)))
	labels := make([]int, n)
	for i := range labels {
		labels[i] = i % 3
	}
	rng := rand.New(rand.NewPCG(testLossSeed, testLossSeed))
	first := m.Evaluate(x.RowSlice(0, testLossBatch), labels[:testLossBatch], noise[float64](testLossBatch, 2, rng))
	rest := m.Evaluate(x.RowSlice(testLossBatch, n), labels[testLossBatch:], noise[float64](7, 2, rng))
	want := first.Add(rest).PerImage(n)
	if got := m.TestLoss(x, labels); got != want {
		t.Errorf("TestLoss = %+v, want %+v", got, want)
	}
}
