package model

import (
	"fmt"
	"math"
	"testing"

	"vaeplay/model/nn"
)

// TestIWAEGradient checks every parameter's gradient of the negative IWAE
// bound against central finite differences in float64, as TestGradient
// does for the ELBO, for several k and betas.
func TestIWAEGradient(t *testing.T) {
	for _, tt := range []struct {
		hidden  []int
		classes int
		lik     Likelihood
		beta    float64
		k       int
	}{
		{[]int{5}, 0, Bernoulli, 1, 1},
		{[]int{5}, 0, Bernoulli, 1, 3},
		{[]int{6, 4}, 3, Bernoulli, 0.5, 4},
		{[]int{5}, 0, Gaussian, 1, 2},
		{[]int{5}, 3, Bernoulli, 0, 3},
	} {
		name := fmt.Sprintf("hidden=%v/classes=%d/%s/beta=%g/k=%d", tt.hidden, tt.classes, tt.lik, tt.beta, tt.k)
		t.Run(name, func(t *testing.T) {
			cfg := Config{Input: 7, Hidden: tt.hidden, Latent: 3, Classes: tt.classes, Likelihood: tt.lik, Beta: tt.beta}
			p := newGradientProblem(cfg, 11)
			m := p.m
			eps := noise[float64](p.x.Rows*tt.k, cfg.Latent, randFor(5))
			grad, _ := newZero[float64](cfg)
			m.IWAEGradient(grad, p.x, p.labels, eps, tt.k)
			loss := func() float64 { return m.IWAEBound(p.x, p.labels, eps, tt.k).Total }
			const h = 1e-6
			gp := grad.Params()
			for j, par := range m.Params() {
				for i := range par.Data {
					orig := par.Data[i]
					par.Data[i] = orig + h
					up := loss()
					par.Data[i] = orig - h
					down := loss()
					par.Data[i] = orig
					num := (up - down) / (2 * h)
					if d := math.Abs(num - gp[j].Data[i]); d > 1e-6*math.Max(1, math.Abs(num)) {
						t.Errorf("%s[%d]: backprop %.9g, finite difference %.9g", par.Name, i, gp[j].Data[i], num)
					}
				}
			}
		})
	}
}

// TestIWAEBound checks the bound's relations: with one sample it is the
// single-sample ELBO, and with more it is at least the mean of its
// samples' ELBOs (Jensen), image by image summed.
func TestIWAEBound(t *testing.T) {
	cfg := Config{Input: 7, Hidden: []int{5}, Latent: 3, Classes: 3, Likelihood: Bernoulli, Beta: 1}
	p := newGradientProblem(cfg, 3)
	for _, k := range []int{1, 2, 8} {
		eps := noise[float64](p.x.Rows*k, cfg.Latent, randFor(uint64(k)))
		l := p.m.IWAEBound(p.x, p.labels, eps, k)
		elbo := l.Recon + l.KL // the mean of the samples' negative ELBOs
		switch {
		case k == 1 && math.Abs(l.Total-elbo) > 1e-9*math.Abs(elbo):
			t.Errorf("k = 1: bound %v, single-sample negative ELBO %v", l.Total, elbo)
		case !(l.Total <= elbo+1e-9):
			t.Errorf("k = %d: negative bound %v above the samples' mean negative ELBO %v", k, l.Total, elbo)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("noise of the wrong length: no panic")
		}
	}()
	p.m.IWAEBound(p.x, p.labels, nn.NewMatrix[float64](p.x.Rows, cfg.Latent, nil), 2)
}

// TestTrainerWarmupAndSamples checks the trainer's KL weight ramp and that
// training on the importance-weighted bound lowers it.
func TestTrainerWarmupAndSamples(t *testing.T) {
	cfg := Config{Input: 16, Hidden: []int{12}, Latent: 2, Likelihood: Bernoulli, Beta: 2}
	m, err := New(cfg, randFor(1))
	if err != nil {
		t.Fatal(err)
	}
	tr := NewTrainer(m, NewAdam(1e-2), randFor(2))
	tr.Warmup, tr.Samples = 4, 5
	x := uniform[float32](8, 16, randFor(3))
	eps := noise[float32](8*5, cfg.Latent, randFor(4))
	before := m.IWAEBound(x, nil, eps, 5).Total
	var betas []float64
	for range 200 {
		betas = append(betas, tr.Beta())
		tr.Step(x, nil)
	}
	if want := []float64{0.5, 1, 1.5, 2, 2}; fmt.Sprint(betas[:5]) != fmt.Sprint(want) {
		t.Errorf("KL weights of the first steps %v, want %v", betas[:5], want)
	}
	if after := m.IWAEBound(x, nil, eps, 5).Total; !(after < 0.95*before) {
		t.Errorf("negative IWAE bound %v before, %v after 200 steps", before, after)
	}
}
