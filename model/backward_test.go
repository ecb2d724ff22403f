package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestGradient checks every parameter's gradient against central finite
// differences of the loss.
func TestGradient(t *testing.T) {
	tests := []struct {
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
	}
	for _, tt := range tests {
		name := fmt.Sprintf("hidden=%v/classes=%d/%s/beta=%g", tt.hidden, tt.classes, tt.likelihood, tt.beta)
		t.Run(name, func(t *testing.T) {
			cfg := Config{Input: 7, Hidden: tt.hidden, Latent: 3, Classes: tt.classes, Likelihood: tt.likelihood, Beta: tt.beta}
			rng := rand.New(rand.NewPCG(1, 2))
			m, err := New(cfg, rng)
			if err != nil {
				t.Fatal(err)
			}
			const n = 4
			x := mat.NewDense(n, cfg.Input, nil)
			x.Apply(func(_, _ int, _ float64) float64 { return rng.Float64() }, x)
			var labels []int
			if cfg.Classes > 0 {
				labels = []int{0, 2, 1, 2}
			}
			eps := Noise(n, cfg.Latent, rng)

			grad, _ := newZero(cfg)
			m.Gradient(grad, x, labels, eps)
			loss := func() float64 { return m.Evaluate(x, labels, eps).Total }

			const h = 1e-6
			gradParams := grad.Params()
			for k, p := range m.Params() {
				for i := range p.Data {
					orig := p.Data[i]
					p.Data[i] = orig + h
					up := loss()
					p.Data[i] = orig - h
					down := loss()
					p.Data[i] = orig
					numeric := (up - down) / (2 * h)
					analytic := gradParams[k].Data[i]
					if diff := math.Abs(numeric - analytic); diff > 1e-6*math.Max(1, math.Abs(numeric)) {
						t.Errorf("%s[%d]: backprop %.9g, finite difference %.9g", p.Name, i, analytic, numeric)
					}
				}
			}
		})
	}
}

// TestLossTerms checks the loss against values worked out by hand.
func TestLossTerms(t *testing.T) {
	x := mat.NewDense(1, 2, []float64{1, 0})
	logits := mat.NewDense(1, 2, []float64{0, math.Log(3)}) // σ = 1/2 and 3/4
	if got, want := reconstruction(Bernoulli, logits, x, nil), -math.Log(0.5)-math.Log(0.25); math.Abs(got-want) > 1e-12 {
		t.Errorf("BCE = %v, want %v", got, want)
	}
	if got, want := reconstruction(Gaussian, logits, x, nil), 0.25+0.5625; math.Abs(got-want) > 1e-12 {
		t.Errorf("squared error = %v, want %v", got, want)
	}
	mu := mat.NewDense(1, 2, []float64{0, 1})
	logVar := mat.NewDense(1, 2, []float64{0, math.Log(2)})
	// KL of N(0,1) is 0; of N(1,2) it is (2 + 1 - 1 - log 2)/2.
	if got, want := klDivergence(mu, logVar), (2-math.Log(2))/2; math.Abs(got-want) > 1e-12 {
		t.Errorf("KL = %v, want %v", got, want)
	}
}

// TestAdamMatchesPyTorch checks the first steps of Adam on f(p) = p²/2
// against torch.optim.Adam([p], lr=0.1) from p = 1, whose first update moves
// every coordinate by exactly lr whatever the gradient.
func TestAdamFirstStep(t *testing.T) {
	p := []Param{{Name: "p", Data: []float64{1, -2, 3}}}
	g := []Param{{Name: "p", Data: []float64{1, -2, 3}}} // ∇ p²/2 = p
	a := NewAdam(0.1)
	a.Update(p, g)
	want := []float64{0.9, -1.9, 2.9}
	for i := range want {
		if math.Abs(p[0].Data[i]-want[i]) > 1e-7 {
			t.Errorf("p[%d] = %v after one step, want %v", i, p[0].Data[i], want[i])
		}
	}
}

// TestTrainingLowersLoss checks that Adam steps on one batch reduce its loss:
// a whole-system check that breaks if any sign in the backward pass does.
func TestTrainingLowersLoss(t *testing.T) {
	for _, classes := range []int{0, 4} {
		cfg := Config{Input: 16, Hidden: []int{12}, Latent: 2, Classes: classes, Likelihood: Bernoulli, Beta: 1}
		rng := rand.New(rand.NewPCG(3, 4))
		m, err := New(cfg, rng)
		if err != nil {
			t.Fatal(err)
		}
		x := mat.NewDense(8, 16, nil)
		var labels []int
		for i := 0; i < 8; i++ {
			for j := 0; j < 16; j++ {
				if (i+j)%(i%3+2) == 0 {
					x.Set(i, j, 1)
				}
			}
			if classes > 0 {
				labels = append(labels, i%classes)
			}
		}
		eps := mat.NewDense(8, 2, nil) // the mean of q: a noise-free yardstick
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
	run := func() []float64 {
		rng := rand.New(rand.NewPCG(9, 9))
		m, _ := New(Config{Input: 10, Hidden: []int{8}, Latent: 2, Likelihood: Bernoulli, Beta: 1}, rng)
		x := mat.NewDense(4, 10, nil)
		x.Apply(func(_, _ int, _ float64) float64 { return rng.Float64() }, x)
		tr := NewTrainer(m, NewAdam(1e-3), rng)
		for i := 0; i < 5; i++ {
			tr.Step(x, nil)
		}
		return append([]float64(nil), m.Out.W.RawMatrix().Data...)
	}
	a, b := run(), run()
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("weights differ at %d: %v vs %v", i, a[i], b[i])
		}
	}
}
