package widget

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSlerp(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	randVec := func(n int, scale float64) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = scale * rng.NormFloat64()
		}
		return v
	}
	tests := []struct {
		name string
		a, b []float64
	}{
		{"random 20-d", randVec(20, 1), randVec(20, 1)},
		{"random, different norms", randVec(20, 0.5), randVec(20, 2)},
		{"opposite", []float64{1, 2, 3}, []float64{-1, -2, -3.0000001}},
		{"parallel", []float64{1, 2, 3}, []float64{2, 4, 6}},
		{"from zero", []float64{0, 0, 0}, []float64{1, -1, 2}},
	}
	for _, tt := range tests {
		if got := Slerp(tt.a, tt.b, 0); !slices.Equal(got, tt.a) && maxDiff(got, tt.a) > 1e-12 {
			t.Errorf("%s: Slerp(t=0) = %v, want a = %v", tt.name, got, tt.a)
		}
		if got := Slerp(tt.a, tt.b, 1); maxDiff(got, tt.b) > 1e-9 {
			t.Errorf("%s: Slerp(t=1) = %v, want b = %v", tt.name, got, tt.b)
		}
		// Between the ends the path never sags below the smaller norm, the
		// way a straight line between two random high-dimensional vectors
		// does (their midpoint has about 1/√2 of their norm).
		if tt.name == "opposite" || tt.name == "from zero" {
			continue
		}
		lo := min(norm(tt.a), norm(tt.b))
		for k := 1; k < 10; k++ {
			f := float64(k) / 10
			if n := norm(Slerp(tt.a, tt.b, f)); n < 0.95*lo {
				t.Errorf("%s: |Slerp(t=%.1f)| = %g, below the smaller end's %g", tt.name, f, n, lo)
			}
		}
	}
	// Equal norms: the norm stays put all the way, where lerp sags.
	a, b := []float64{3, 0}, []float64{0, 3}
	for k := range 11 {
		f := float64(k) / 10
		if n := norm(Slerp(a, b, f)); math.Abs(n-3) > 1e-12 {
			t.Errorf("|Slerp(%v, %v, %.1f)| = %g, want 3", a, b, f, n)
		}
	}
}

func maxDiff(a, b []float64) float64 {
	var d float64
	for i := range a {
		d = max(d, math.Abs(a[i]-b[i]))
	}
	return d
}
