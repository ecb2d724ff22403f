package main

import (
	"math"
	"testing"

	"vaeplay/model"
	"vaeplay/tools/internal/mnist"
)

func TestBottomHalf(t *testing.T) {
	m := bottomHalf(4, 3)
	want := model.Mask{true, true, true, true, true, true, false, false, false, false, false, false}
	for i := range want {
		if m[i] != want[i] {
			t.Fatalf("bottomHalf(4, 3) = %v, want %v", m, want)
		}
	}
}

func TestHiddenBCE(t *testing.T) {
	visible := model.Mask{true, false, false}
	x := []float32{1, 1, 0}
	c := []float32{0, 0.5, 0.25}
	want := -math.Log(0.5) - math.Log(0.75) // the visible pixel does not count
	if got := hiddenBCE(x, c, visible); math.Abs(got-want) > 1e-6 {
		t.Errorf("hiddenBCE = %v, want %v", got, want)
	}
	// A certain wrong pixel costs -log(1e-7), not infinity.
	if got := hiddenBCE([]float32{1}, []float32{0}, model.Mask{false}); math.Abs(got+math.Log(1e-7)) > 1e-6 {
		t.Errorf("hiddenBCE of a certain miss = %v", got)
	}
}

// TestCompletionBookkeeping runs the three methods with a random model on
// a few images: every method is scored, the figures are finite, and
// without a classifier no accuracy is claimed.
func TestCompletionBookkeeping(t *testing.T) {
	cfg := model.Config{Input: 16, Hidden: []int{8}, Latent: 2, Classes: 10, Likelihood: model.Bernoulli, Beta: 1}
	m := newModel(t, cfg, 3)
	x := randomImages(5, 16, 4)
	labels := []int{0, 1, 2, 3, 4}
	train := &mnist.Set{Images: randomImages(7, 16, 5).Data, Labels: make([]int, 7), N: 7, Rows: 4, Cols: 4, ImagesPath: "train"}
	r, err := completion(m, x, labels, train, nil, 5, 20, 2, 3, 1, 4, 4)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Methods) != 3 || r.TopHalfAccuracy != nil {
		t.Fatalf("report %+v: want three methods and no accuracy", r)
	}
	for name, f := range r.Methods {
		if !(f.BCE > 0) || math.IsInf(f.BCE, 0) || f.Accuracy != nil {
			t.Errorf("%s: %+v", name, f)
		}
	}
	if !(r.MeanESS >= 1 && r.MeanESS <= 20) {
		t.Errorf("mean ESS %v outside 1..k", r.MeanESS)
	}
}
