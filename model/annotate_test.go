package model

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"vaeplay/model/nn"
)

// randomImages returns n images of d pixels in [0, 1] and n labels in 0..9.
func randomImages[T Float](n, d int, rng *rand.Rand) (nn.Matrix[T], []int) {
	x := uniform[T](n, d, rng)
	labels := make([]int, n)
	for i := range labels {
		labels[i] = rng.IntN(10)
	}
	return x, labels
}

func TestLatentKLClosedForm(t *testing.T) {
	// With zero encoder weights, every image has the same q(z|x):
	// N(mu_b, exp(lv_b)) from the heads' biases, whose KL per dimension is
	// known in closed form.
	cfg := Config{Input: 5, Hidden: []int{4}, Latent: 3, Likelihood: Bernoulli, Beta: 1}
	m, err := newZero[float64](cfg)
	if err != nil {
		t.Fatal(err)
	}
	copy(m.Mu.B, []float64{0, 1, -2})
	copy(m.LogVar.B, []float64{0, 0, math.Log(4)})
	want := []float64{0, 0.5, (4 + 4 - 1 - math.Log(4)) / 2}
	x, _ := randomImages[float64](7, 5, rand.New(rand.NewPCG(1, 2)))
	got, err := m.LatentKL(x, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Errorf("dimension %d: KL %v, want %v", i, got[i], want[i])
		}
	}
}

// TestAnnotationsAgreeWithEvaluate checks both annotations against the loss
// the model reports, per image and in sum, for each kind of model, on more
// images than one batch holds.
func TestAnnotationsAgreeWithEvaluate(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"vae bernoulli", Config{Input: 12, Hidden: []int{9}, Latent: 3, Likelihood: Bernoulli, Beta: 1}},
		{"cvae bernoulli", Config{Input: 12, Hidden: []int{9, 7}, Latent: 2, Classes: 10, Likelihood: Bernoulli, Beta: 1}},
		{"vae gaussian beta 4", Config{Input: 12, Hidden: []int{9}, Latent: 4, Likelihood: Gaussian, Beta: 4}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, 4))
			m32, err := New(tc.cfg, rng)
			if err != nil {
				t.Fatal(err)
			}
			// In float64, where the two ways of summing agree to 1e-9.
			m := convert[float64](m32)
			n := annotateBatch + 234
			x, labels := randomImages[float64](n, tc.cfg.Input, rng)
			if !tc.cfg.Conditional() {
				labels = nil
			}
			kl, err := m.LatentKL(x, labels)
			if err != nil {
				t.Fatal(err)
			}
			scores, err := m.NELBOAtMean(x, labels)
			if err != nil {
				t.Fatal(err)
			}
			if len(kl) != tc.cfg.Latent || len(scores) != n {
				t.Fatalf("%d KL values and %d scores, want %d and %d", len(kl), len(scores), tc.cfg.Latent, n)
			}

			zero := nn.NewMatrix[float64](n, tc.cfg.Latent, nil)
			total := m.Evaluate(x, labels, zero)
			var klSum float64
			for _, v := range kl {
				klSum += v
			}
			if want := total.KL / float64(n); math.Abs(klSum-want) > 1e-9*want {
				t.Errorf("latent KL sums to %v, the loss's mean KL is %v", klSum, want)
			}
			for _, i := range []int{0, 1, annotateBatch - 1, annotateBatch, n - 1} {
				var li []int
				if labels != nil {
					li = labels[i : i+1]
				}
				one := m.Evaluate(x.RowSlice(i, i+1), li, nn.NewMatrix[float64](1, tc.cfg.Latent, nil))
				if want := one.Recon + one.KL; math.Abs(scores[i]-want) > 1e-9*want {
					t.Errorf("image %d: score %v, Evaluate at zero noise gives %v", i, scores[i], want)
				}
			}
		})
	}
}

func TestAnnotateBadInput(t *testing.T) {
	vae, _ := New(Config{Input: 4, Hidden: []int{3}, Latent: 2, Likelihood: Bernoulli, Beta: 1}, rand.New(rand.NewPCG(1, 1)))
	cvae, _ := New(Config{Input: 4, Hidden: []int{3}, Latent: 2, Classes: 10, Likelihood: Bernoulli, Beta: 1}, rand.New(rand.NewPCG(1, 1)))
	x := NewMatrix(2, 4, nil)
	for _, tc := range []struct {
		name   string
		m      *Model
		x      Matrix
		labels []int
		want   string
	}{
		{"no images", vae, Matrix{}, nil, "no images"},
		{"wrong width", vae, NewMatrix(2, 5, nil), nil, "5 pixels"},
		{"labels for a vae", vae, x, []int{1, 2}, "unconditional"},
		{"missing labels", cvae, x, nil, "0 labels for 2 images"},
		{"label out of range", cvae, x, []int{1, 10}, "label 10 of image 1"},
		{"negative label", cvae, x, []int{-1, 0}, "label -1 of image 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.m.LatentKL(tc.x, tc.labels); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("LatentKL: error %v, want one containing %q", err, tc.want)
			}
			if _, err := tc.m.NELBOAtMean(tc.x, tc.labels); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("NELBOAtMean: error %v, want one containing %q", err, tc.want)
			}
			if _, err := Annotations(tc.m, tc.x, tc.labels); err == nil {
				t.Error("Annotations: no error")
			}
		})
	}
}

func TestPercentiles(t *testing.T) {
	hundredAndOne := make([]float64, 101)
	for i := range hundredAndOne {
		hundredAndOne[i] = float64(100 - i) // reversed: Percentiles sorts
	}
	for _, tc := range []struct {
		name   string
		values []float64
		at     map[int]float64 // p -> wanted p-th percentile
	}{
		{"one value", []float64{7}, map[int]float64{0: 7, 50: 7, 100: 7}},
		{"two values interpolate", []float64{10, 0}, map[int]float64{0: 0, 25: 2.5, 50: 5, 100: 10}},
		{"0..100", hundredAndOne, map[int]float64{0: 0, 1: 1, 37: 37, 99: 99, 100: 100}},
		{"numpy's example", []float64{1, 2, 3, 4}, map[int]float64{0: 1, 10: 1.3, 50: 2.5, 75: 3.25, 100: 4}},
		{"ties", []float64{5, 5, 5, 9}, map[int]float64{0: 5, 66: 5, 100: 9}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := append([]float64(nil), tc.values...)
			ps, err := Percentiles(tc.values)
			if err != nil {
				t.Fatal(err)
			}
			if len(ps) != 101 {
				t.Fatalf("%d percentiles, want 101", len(ps))
			}
			for p, want := range tc.at {
				if math.Abs(ps[p]-want) > 1e-12 {
					t.Errorf("percentile %d = %v, want %v", p, ps[p], want)
				}
			}
			for i := 1; i < len(ps); i++ {
				if ps[i] < ps[i-1] {
					t.Errorf("percentile %d = %v below percentile %d = %v", i, ps[i], i-1, ps[i-1])
				}
			}
			for i := range before {
				if tc.values[i] != before[i] {
					t.Fatal("Percentiles reordered its argument")
				}
			}
		})
	}
	for _, bad := range [][]float64{nil, {1, math.NaN()}, {math.Inf(1)}} {
		if _, err := Percentiles(bad); err == nil {
			t.Errorf("Percentiles(%v): no error", bad)
		}
	}
}

func TestPercentileOf(t *testing.T) {
	ps := make([]float64, 101)
	for i := range ps {
		ps[i] = 50 + 2*float64(i) // 50, 52, ..., 250
	}
	flat := make([]float64, 101)
	for i := range flat {
		flat[i] = 3
	}
	for _, tc := range []struct {
		name  string
		ps    []float64
		score float64
		want  float64
	}{
		{"below all", ps, 10, 0},
		{"the smallest", ps, 50, 0},
		{"on a percentile", ps, 150, 50},
		{"between two", ps, 151, 50.5},
		{"the largest", ps, 250, 100},
		{"above all", ps, 1e9, 100},
		{"all equal, below", flat, 2, 0},
		{"all equal, above", flat, 4, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := PercentileOf(tc.ps, tc.score); math.Abs(got-tc.want) > 1e-9 {
				t.Errorf("PercentileOf(%v) = %v, want %v", tc.score, got, tc.want)
			}
		})
	}
	if got := PercentileOf(ps, math.NaN()); !math.IsNaN(got) {
		t.Errorf("PercentileOf(NaN) = %v, want NaN", got)
	}
}

// TestAnnotationsRoundTrip saves the annotations in a weights file and
// reads them back as the widget does.
func TestAnnotationsRoundTrip(t *testing.T) {
	cfg := Config{Input: 10, Hidden: []int{6}, Latent: 3, Classes: 10, Likelihood: Bernoulli, Beta: 1}
	rng := rand.New(rand.NewPCG(5, 6))
	m, err := New(cfg, rng)
	if err != nil {
		t.Fatal(err)
	}
	x, labels := randomImages[float32](300, cfg.Input, rng)
	meta, err := Annotations(m, x, labels)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Save(&buf, m, meta); err != nil {
		t.Fatal(err)
	}
	_, loaded, err := Load(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	kl, ok, err := ParseLatentKL(loaded, cfg.Latent)
	if err != nil || !ok {
		t.Fatalf("ParseLatentKL: ok %v, error %v", ok, err)
	}
	wantKL, _ := m.LatentKL(x, labels)
	for i := range wantKL {
		if kl[i] != wantKL[i] {
			t.Errorf("latent_kl[%d] = %v after the round trip, want %v", i, kl[i], wantKL[i])
		}
	}
	ps, ok, err := ParseNELBOPercentiles(loaded)
	if err != nil || !ok {
		t.Fatalf("ParseNELBOPercentiles: ok %v, error %v", ok, err)
	}
	scores, _ := m.NELBOAtMean(x, labels)
	// Half of the images score at most the median, by definition.
	var below int
	for _, s := range scores {
		if s <= ps[50] {
			below++
		}
	}
	if below != 150 {
		t.Errorf("%d of 300 images score at most the median %v, want 150", below, ps[50])
	}
}

func TestParseAnnotations(t *testing.T) {
	ascending := "[" + strings.Repeat("1,", 100) + "2]"
	descending := "[2" + strings.Repeat(",1", 100) + "]"
	for _, tc := range []struct {
		name   string
		meta   Metadata
		wantOK bool
		errKL  string
		errPct string
	}{
		{"absent", Metadata{}, false, "", ""},
		{"good", Metadata{LatentKLKey: "[0.5, 1, 2]", NELBOPercentilesKey: ascending}, true, "", ""},
		{"not JSON", Metadata{LatentKLKey: "[0.5,", NELBOPercentilesKey: "x"}, true, "JSON array", "JSON array"},
		{"strings", Metadata{LatentKLKey: `["a","b","c"]`, NELBOPercentilesKey: `{"p":1}`}, true, "JSON array", "JSON array"},
		{"wrong length", Metadata{LatentKLKey: "[1,2]", NELBOPercentilesKey: "[1,2,3]"}, true, "2 numbers, want 3", "3 numbers, want 101"},
		{"descending", Metadata{LatentKLKey: "[1,2,3]", NELBOPercentilesKey: descending}, true, "", "ascending"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, ok, err := ParseLatentKL(tc.meta, 3)
			checkParse(t, "ParseLatentKL", ok, err, tc.wantOK, tc.errKL)
			_, ok, err = ParseNELBOPercentiles(tc.meta)
			checkParse(t, "ParseNELBOPercentiles", ok, err, tc.wantOK, tc.errPct)
		})
	}
}

func checkParse(t *testing.T, name string, ok bool, err error, wantOK bool, wantErr string) {
	t.Helper()
	if ok != wantOK {
		t.Errorf("%s: ok %v, want %v", name, ok, wantOK)
	}
	switch {
	case wantErr == "" && err != nil:
		t.Errorf("%s: unexpected error %v", name, err)
	case wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)):
		t.Errorf("%s: error %v, want one containing %q", name, err, wantErr)
	}
}
