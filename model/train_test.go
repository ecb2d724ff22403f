package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"vaeplay/model/nn"
)

// gradientCases are the shapes the gradient checks cover: every kind of
// model, one and two hidden layers, both likelihoods, several betas.
var gradientCases = []struct {
	hidden     []int
	classes    int
	likelihood Likelihood
	beta       float64
}{
	{[]int{5}, 0, Bernoulli, 1},
	{[]int{5}, 3, Bernoulli, 1},
	{[]int{5}, 0, Gaussian, 1},
	{[]int{5}, 3, Gaussian, 1},
	{[]int{6, 4}, 0, Bernoulli, 1},
	{[]int{6, 4}, 3, Bernoulli, 0.5},
	{[]int{6, 4}, 0, Gaussian, 2},
	{[]int{6, 4}, 3, Gaussian, 1},
	{[]int{6, 4}, 0, Bernoulli, 0},
}

// gradientProblem is a small model with a batch to differentiate its loss
// on, in float64.
type gradientProblem struct {
	m      *VAE[float64]
	x, eps nn.Matrix[float64]
	labels []int
}

func newGradientProblem(cfg Config, seed uint64) gradientProblem {
	rng := rand.New(rand.NewPCG(seed, 2))
	m32, err := New(cfg, rng)
	if err != nil {
		panic(err)
	}
	const n = 4
	p := gradientProblem{m: convert[float64](m32), x: uniform[float64](n, cfg.Input, rng), eps: noise[float64](n, cfg.Latent, rng)}
	if cfg.Classes > 0 {
		p.labels = []int{0, 2, 1, 2}
	}
	return p
}

// TestGradient checks every parameter's gradient against central finite
// differences of the loss, in float64: the backward pass is the same code
// in both precisions, and in float64 a difference quotient with h = 1e-6
// is good to about 1e-9, so a tolerance of 1e-6 leaves no room for a wrong
// term.
func TestGradient(t *testing.T) {
	for _, tt := range gradientCases {
		name := fmt.Sprintf("hidden=%v/classes=%d/%s/beta=%g", tt.hidden, tt.classes, tt.likelihood, tt.beta)
		t.Run(name, func(t *testing.T) {
			cfg := Config{Input: 7, Hidden: tt.hidden, Latent: 3, Classes: tt.classes, Likelihood: tt.likelihood, Beta: tt.beta}
			p := newGradientProblem(cfg, 1)
			m := p.m
			grad, _ := newZero[float64](cfg)
			m.Gradient(grad, p.x, p.labels, p.eps)
			loss := func() float64 { return m.Evaluate(p.x, p.labels, p.eps).Total }

			const h = 1e-6
			gradParams := grad.Params()
			for k, par := range m.Params() {
				for i := range par.Data {
					orig := par.Data[i]
					par.Data[i] = orig + h
					up := loss()
					par.Data[i] = orig - h
					down := loss()
					par.Data[i] = orig
					numeric := (up - down) / (2 * h)
					analytic := gradParams[k].Data[i]
					if diff := math.Abs(numeric - analytic); diff > 1e-6*math.Max(1, math.Abs(numeric)) {
						t.Errorf("%s[%d]: backprop %.9g, finite difference %.9g", par.Name, i, analytic, numeric)
					}
				}
			}
		})
	}
}

// TestGradientFloat32 checks the float32 gradient against the float64 one
// of the same model and batch. Each element of the float32 gradient is a
// sum of products through a few layers, each rounded with unit roundoff
// u = 2⁻²⁴; its error is bounded by a modest multiple of u times the sum of
// the magnitudes of the terms, which for these sizes (sums of at most 7
// terms, four layers deep) is well within 64u·(|g| + scale), where scale is
// the largest gradient element of that tensor.
func TestGradientFloat32(t *testing.T) {
	const u = 0x1p-24
	for _, tt := range gradientCases {
		name := fmt.Sprintf("hidden=%v/classes=%d/%s/beta=%g", tt.hidden, tt.classes, tt.likelihood, tt.beta)
		t.Run(name, func(t *testing.T) {
			cfg := Config{Input: 7, Hidden: tt.hidden, Latent: 3, Classes: tt.classes, Likelihood: tt.likelihood, Beta: tt.beta}
			p := newGradientProblem(cfg, 7)
			m32 := convert[float32](p.m)
			g64, _ := newZero[float64](cfg)
			g32, _ := newZero[float32](cfg)
			l64 := p.m.Gradient(g64, p.x, p.labels, p.eps)
			l32 := m32.Gradient(g32, nn.Convert[float32](p.x), p.labels, nn.Convert[float32](p.eps))
			if d := math.Abs(l32.Total - l64.Total); d > 64*u*math.Abs(l64.Total) {
				t.Errorf("loss %v in float32, %v in float64", l32.Total, l64.Total)
			}
			want := g64.Params()
			for k, got := range g32.Params() {
				var scale float64
				for _, v := range want[k].Data {
					scale = max(scale, math.Abs(v))
				}
				for i, v := range got.Data {
					w := want[k].Data[i]
					if d := math.Abs(float64(v) - w); d > 64*u*(math.Abs(w)+scale) {
						t.Errorf("%s[%d]: float32 %.9g, float64 %.9g", got.Name, i, v, w)
					}
				}
			}
		})
	}
}

// TestLossTerms checks the loss against values worked out by hand.
func TestLossTerms(t *testing.T) {
	x := []float64{1, 0}
	logits := []float64{0, math.Log(3)} // σ = 1/2 and 3/4
	if got, want := reconstructionRow(Bernoulli, logits, x, nil), -math.Log(0.5)-math.Log(0.25); math.Abs(got-want) > 1e-12 {
		t.Errorf("BCE = %v, want %v", got, want)
	}
	if got, want := reconstructionRow(Gaussian, logits, x, nil), 0.25+0.5625; math.Abs(got-want) > 1e-12 {
		t.Errorf("squared error = %v, want %v", got, want)
	}
	mu := nn.NewMatrix(1, 2, []float64{0, 1})
	logVar := nn.NewMatrix(1, 2, []float64{0, math.Log(2)})
	// KL of N(0,1) is 0; of N(1,2) it is (2 + 1 - 1 - log 2)/2.
	var none nn.Matrix[float64]
	if got, want := klDivergence(mu, logVar, 1, none, none), (2-math.Log(2))/2; math.Abs(got-want) > 1e-12 {
		t.Errorf("KL = %v, want %v", got, want)
	}
}

// TestTrainingLowersLoss checks that Adam steps on one batch reduce its
// loss: a whole-system check that breaks if any sign in the backward pass
// does.
func TestTrainingLowersLoss(t *testing.T) {
	for _, classes := range []int{0, 4} {
		cfg := Config{Input: 16, Hidden: []int{12}, Latent: 2, Classes: classes, Likelihood: Bernoulli, Beta: 1}
		rng := rand.New(rand.NewPCG(3, 4))
		m, err := New(cfg, rng)
		if err != nil {
			t.Fatal(err)
		}
		x := NewMatrix(8, 16, nil)
		var labels []int
		for i := 0; i < 8; i++ {
			for j := 0; j < 16; j++ {
				if (i+j)%(i%3+2) == 0 {
					x.Row(i)[j] = 1
				}
			}
			if classes > 0 {
				labels = append(labels, i%classes)
			}
		}
		eps := NewMatrix(8, 2, nil) // the mean of q: a noise-free yardstick
		before := m.Evaluate(x, labels, eps).Total
		tr := NewTrainer(m, NewAdam(1e-2), rng)
		for i := 0; i < 300; i++ {
			tr.Step(x, labels)
		}
		after := m.Evaluate(x, labels, eps).Total
		if !(after < 0.7*before) {
			t.Errorf("classes=%d: loss %v before training, %v after 300 steps; want a drop of 30%% or more", classes, before, after)
		}
	}
}

// TestDeterministic checks that the same seed gives the same weights.
func TestDeterministic(t *testing.T) {
	run := func() []float32 {
		rng := rand.New(rand.NewPCG(9, 9))
		m, _ := New(Config{Input: 10, Hidden: []int{8}, Latent: 2, Likelihood: Bernoulli, Beta: 1}, rng)
		x := uniform[float32](4, 10, rng)
		tr := NewTrainer(m, NewAdam(1e-3), rng)
		for i := 0; i < 5; i++ {
			tr.Step(x, nil)
		}
		return slices.Clone(m.Out.W.Data)
	}
	a, b := run(), run()
	if !slices.Equal(a, b) {
		t.Fatal("two runs from the same seed give different weights")
	}
}
