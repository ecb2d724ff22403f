package vmath

import (
	"math"
	"math/rand/v2"
	"testing"
)

// u is float32's unit roundoff.
const u = 0x1p-24

// logitsUnderTest covers what a decoder emits and beyond: saturation both
// ways, the edge of float32's normal range, values near zero, and ordinary
// values, in lengths that leave every possible tail after whole vectors.
func logitsUnderTest(rng *rand.Rand, n int) []float32 {
	special := []float32{0, 1e-8, -1e-8, 1e-3, -1e-3, 0.5, -0.5, 1, -1, 5, -5, 17, -17, 30, -30, 87, -87, 88, -88, 89, -89, 100, -100}
	l := make([]float32, n)
	for i := range l {
		if i < len(special) {
			l[i] = special[i]
		} else {
			l[i] = float32(8 * rng.NormFloat64())
		}
	}
	return l
}

func pixels(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		switch i % 3 {
		case 0:
			x[i] = 0
		case 1:
			x[i] = 1
		default:
			x[i] = float32(rng.Float64())
		}
	}
	return x
}

// TestLosses checks both losses and their gradients against float64
// evaluations of their definitions. A sum of n terms in float32 lanes is
// off by at most about n·u of the sum of its terms' magnitudes; each term
// and gradient by a few u from the polynomials (exp's about 1e-7, the
// series' 1.5e-8) and the operations after them.
func TestLosses(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 3, 15, 16, 17, 47, 48, 64, 100, 784} {
		l, x := logitsUnderTest(rng, n), pixels(rng, n)
		for _, tt := range []struct {
			name string
			f    func(logits, x, grad []float32) float64
			term func(l, x float64) (loss, grad float64)
		}{
			{"bernoulli", BernoulliLoss, func(l, x float64) (float64, float64) {
				return math.Max(l, 0) - x*l + math.Log1p(math.Exp(-math.Abs(l))), 1/(1+math.Exp(-l)) - x
			}},
			{"gaussian", GaussianLoss, func(l, x float64) (float64, float64) {
				p := 1 / (1 + math.Exp(-l))
				return (p - x) * (p - x), 2 * (p - x) * p * (1 - p)
			}},
		} {
			grad := make([]float32, n)
			got := tt.f(l, x, grad)
			var want, mag float64
			for i := range l {
				term, g := tt.term(float64(l[i]), float64(x[i]))
				want += term
				mag += math.Abs(term)
				if d := math.Abs(float64(grad[i]) - g); d > 8*u*math.Abs(g)+1e-30 && d > 2e-7 {
					t.Errorf("%s n=%d: gradient at l=%v x=%v is %v, want %v", tt.name, n, l[i], x[i], grad[i], g)
				}
			}
			if d := math.Abs(got - want); d > float64(n+8)*u*mag {
				t.Errorf("%s n=%d: loss %v, want %v (off by %.2g, %.2g of its terms' size)", tt.name, n, got, want, d, d/mag)
			}
			if noGrad := tt.f(l, x, nil); noGrad != got {
				t.Errorf("%s n=%d: loss %v without the gradient, %v with", tt.name, n, noGrad, got)
			}
		}
	}
}

func TestSigmoid(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 16, 33, 784} {
		a := logitsUnderTest(rng, n)
		want := make([]float64, n)
		for i, v := range a {
			want[i] = 1 / (1 + math.Exp(-float64(v)))
		}
		Sigmoid(a)
		for i, w := range want {
			if d := math.Abs(float64(a[i]) - w); d > 8*u*w && d > 1e-37 {
				t.Errorf("n=%d: sigmoid %v, want %v", n, a[i], w)
			}
		}
	}
}

// TestAdam checks the vector update against the scalar one, which is
// torch.optim.Adam's rule: the same to a few units of rounding (the vector
// form fuses multiply-adds).
func TestAdam(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const n = 1001
	c := AdamConstants{Beta1: 0.9, Beta2: 0.999, OneMinusBeta1: 0.1, OneMinusBeta2: 0.001, StepSize: 1e-3 / (1 - 0.9*0.9), SqrtCorrection2: float32(math.Sqrt(1 - 0.999*0.999)), Eps: 1e-8}
	p, g, m, v := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range p {
		p[i], g[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
		m[i], v[i] = float32(0.1*rng.NormFloat64()), float32(0.01*rng.Float64())
	}
	p0, m0, v0 := append([]float32(nil), p...), append([]float32(nil), m...), append([]float32(nil), v...)
	p2, m2, v2 := append([]float32(nil), p...), append([]float32(nil), m...), append([]float32(nil), v...)
	Adam(p, g, m, v, c)
	adamScalar(p2, g, m2, v2, c)
	abs := func(x float32) float64 { return math.Abs(float64(x)) }
	for i := range p {
		// Each result differs by a few roundings of the terms it is made
		// of, which can be far larger than the result.
		mTerms := abs(c.Beta1*m0[i]) + abs(c.OneMinusBeta1*g[i])
		vTerms := abs(c.Beta2*v0[i]) + abs(c.OneMinusBeta2*g[i]*g[i])
		pTerms := abs(p0[i]) + abs(p0[i]-p2[i])
		for _, r := range []struct {
			name        string
			vec, scalar float32
			terms       float64
		}{{"p", p[i], p2[i], pTerms}, {"m", m[i], m2[i], mTerms}, {"v", v[i], v2[i], vTerms}} {
			if d := math.Abs(float64(r.vec - r.scalar)); d > 8*u*r.terms {
				t.Errorf("element %d: %s is %v by the vector update, %v by the scalar one", i, r.name, r.vec, r.scalar)
			}
		}
	}
}
