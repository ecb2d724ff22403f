package model

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"vaeplay/model/nn"
)

// exactCompletion integrates, for a model with one latent dimension,
//
//	E[x_h | x_v] = ∫ σ_h(z) p(x_v|z) N(z; 0, 1) dz / ∫ p(x_v|z) N(z; 0, 1) dz
//
// with Simpson's rule on [-12, 12], the weights in log space.
func exactCompletion(m *VAE[float64], x []float64, visible Mask, label int) []float64 {
	const steps = 40000 // even
	lo, hi := -12.0, 12.0
	h := (hi - lo) / steps
	z64 := nn.NewMatrix[float64](steps+1, 1, nil)
	for j := range steps + 1 {
		z64.Data[j] = lo + float64(j)*h
	}
	logits := m.DecodeLogits(z64, m.labelsFor(steps+1, label))
	logW := make([]float64, steps+1)
	for j := range logW {
		w := 2.0 // Simpson's 1, 4, 2, 4, ..., 4, 1
		switch {
		case j == 0 || j == steps:
			w = 1
		case j%2 == 1:
			w = 4
		}
		zj := z64.Data[j]
		logW[j] = logPVisible(m.Config.Likelihood, logits.Row(j), x, visible) - zj*zj/2 + math.Log(w)
	}
	norm := LogSumExp(logW)
	out := make([]float64, len(x))
	for j, lw := range logW {
		p := math.Exp(lw - norm)
		for i, l := range logits.Row(j) {
			if !visible[i] {
				out[i] += p * sigmoid64(l)
			}
		}
	}
	for i, v := range visible {
		if v {
			out[i] = x[i]
		}
	}
	return out
}

// TestCompleteMatchesIntegral checks importance-weighted imputation against
// the exact conditional expectation of models small enough to integrate:
// one latent dimension, six pixels of which some are hidden. The decoder is
// made steep so that the hidden pixels depend strongly on z, and the
// estimate must lie within four of its own standard errors of the integral.
func TestCompleteMatchesIntegral(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		x       []float64
		visible Mask
		label   int
	}{
		{"bernoulli", Config{Input: 6, Hidden: []int{5}, Latent: 1, Likelihood: Bernoulli, Beta: 1},
			[]float64{1, 0, 1, 0, 0, 0}, Mask{true, true, true, false, false, false}, 0},
		{"bernoulli grey, two layers", Config{Input: 6, Hidden: []int{5, 4}, Latent: 1, Likelihood: Bernoulli, Beta: 1},
			[]float64{0.9, 0.1, 0, 0.7, 0, 0}, Mask{true, true, false, true, false, false}, 0},
		{"conditional", Config{Input: 6, Hidden: []int{5}, Latent: 1, Classes: 3, Likelihood: Bernoulli, Beta: 1},
			[]float64{0, 1, 1, 0, 0, 0}, Mask{false, true, true, true, false, true}, 2},
		{"gaussian", Config{Input: 6, Hidden: []int{5}, Latent: 1, Likelihood: Gaussian, Beta: 1},
			[]float64{0.2, 0.8, 0.5, 0, 0, 0}, Mask{true, true, true, false, false, false}, 0},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newModel64(tt.cfg, uint64(50+i))
			for _, p := range m.Params() {
				if strings.HasPrefix(p.Name, "dec.") {
					for j := range p.Data {
						p.Data[j] *= 3
					}
				}
			}
			exact := exactCompletion(m, tt.x, tt.visible, tt.label)
			got, err := m.Complete(tt.x, tt.visible, tt.label, CompleteOptions{K: 200000, Warm: 2, RNG: rand.New(rand.NewPCG(7, uint64(i)))})
			if err != nil {
				t.Fatal(err)
			}
			for p, v := range tt.visible {
				switch {
				case v && got.Image[p] != tt.x[p]:
					t.Errorf("visible pixel %d changed from %v to %v", p, tt.x[p], got.Image[p])
				case !v && !(got.StdErr[p] > 0 && got.StdErr[p] < 2e-3):
					t.Errorf("pixel %d: standard error %v, want a tight but positive one", p, got.StdErr[p])
				case !v && math.Abs(got.Image[p]-exact[p]) > 4*got.StdErr[p]:
					t.Errorf("pixel %d: estimate %.5f, exact %.5f, off by %.2g; standard error %.2g", p, got.Image[p], exact[p], math.Abs(got.Image[p]-exact[p]), got.StdErr[p])
				}
			}
			t.Logf("exact %.4f, estimate %.4f, ESS %.0f of 200000", exact, got.Image, got.ESS)
		})
	}
}

// TestPseudoGibbsKeepsVisible checks the chain's bookkeeping: it starts from
// the zero-filled image, keeps every visible pixel in every step, and fills
// the hidden ones with decoder means.
func TestPseudoGibbsKeepsVisible(t *testing.T) {
	cfg := Config{Input: 8, Hidden: []int{6}, Latent: 2, Classes: 3, Likelihood: Bernoulli, Beta: 1}
	m := newModel64(cfg, 3)
	x := []float64{0.5, 1, 0, 0.25, 1, 1, 1, 1}
	visible := Mask{true, true, true, true, false, false, false, false}
	chain, err := m.PseudoGibbs(x, visible, 1, 4)
	if err != nil {
		t.Fatal(err)
	}
	if len(chain) != 5 || !slices.Equal(chain[0], []float64{0.5, 1, 0, 0.25, 0, 0, 0, 0}) {
		t.Fatalf("chain of %d steps starting at %v", len(chain), chain[0])
	}
	for s, img := range chain[1:] {
		for p, v := range visible {
			if v && img[p] != x[p] || !v && !(img[p] > 0 && img[p] < 1) {
				t.Errorf("step %d pixel %d = %v", s+1, p, img[p])
			}
		}
	}
}

func TestCompleteErrors(t *testing.T) {
	vae := newModel64(Config{Input: 4, Hidden: []int{3}, Latent: 1, Likelihood: Bernoulli, Beta: 1}, 1)
	cvae := newModel64(Config{Input: 4, Hidden: []int{3}, Latent: 1, Classes: 2, Likelihood: Bernoulli, Beta: 1}, 1)
	x, mask := []float64{1, 0, 0, 0}, Mask{true, true, false, false}
	rng := rand.New(rand.NewPCG(1, 1))
	tests := []struct {
		name  string
		m     *VAE[float64]
		x     []float64
		mask  Mask
		label int
		opt   CompleteOptions
		want  string
	}{
		{"short image", vae, x[:3], mask, 0, CompleteOptions{K: 5, RNG: rng}, "image of 3 pixels"},
		{"short mask", vae, x, mask[:2], 0, CompleteOptions{K: 5, RNG: rng}, "mask of 2 pixels"},
		{"label out of range", cvae, x, mask, 2, CompleteOptions{K: 5, RNG: rng}, "label 2 out of range"},
		{"no samples", vae, x, mask, 0, CompleteOptions{RNG: rng}, "0 importance samples"},
		{"no random source", vae, x, mask, 0, CompleteOptions{K: 5}, "no random source"},
		{"negative widening", vae, x, mask, 0, CompleteOptions{K: 5, RNG: rng, Widen: -1}, "widening -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.m.Complete(tt.x, tt.mask, tt.label, tt.opt); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}
