package widget

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"vaeplay/model"
)

func TestSeedZReproducible(t *testing.T) {
	a, b := SeedZ(42, 20, 1), SeedZ(42, 20, 1)
	if !slices.Equal(a, b) {
		t.Error("the same seed gave two different z")
	}
	// The same draw the trainer's model.Noise makes from PCG(seed, seed).
	want := model.Noise(1, 20, rand.New(rand.NewPCG(42, 42)))
	if !slices.Equal(a, Widen(want.Row(0))) {
		t.Error("z is not model.Noise from PCG(seed, seed)")
	}
	if next := SeedZ(43, 20, 1); slices.Equal(a, next) {
		t.Error("seed+1 gave the same z")
	}
	if len(a) != 20 {
		t.Errorf("z has %d numbers, want 20", len(a))
	}
	half := SeedZ(42, 20, 0.5)
	for i := range a {
		if half[i] != 0.5*a[i] {
			t.Fatalf("z at temperature 0.5 is %v, want half of %v", half, a)
		}
	}
}

func TestKindOf(t *testing.T) {
	cfg := model.DefaultConfig()
	tests := []struct {
		input, classes int
		want           Kind
		err            string
	}{
		{784, 0, VAE, ""},
		{784, 10, CVAE, ""},
		{784, 3, "", "3 classes"},
		{100, 0, "", "100 inputs"},
		{1024, 10, "", "1024 inputs"},
	}
	for _, tt := range tests {
		cfg.Input, cfg.Classes = tt.input, tt.classes
		got, err := KindOf(cfg)
		if got != tt.want || (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("KindOf(input %d, classes %d) = %q, %v; want %q, error containing %q", tt.input, tt.classes, got, err, tt.want, tt.err)
		}
	}
}

// TestEncodeScores checks the anomaly score with the shipped weights: a
// drawn "1" reads as more typical than a filled square, for both models.
func TestEncodeScores(t *testing.T) {
	for _, name := range []string{"vae", "cvae"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "weights", name+".safetensors"))
		if err != nil {
			t.Skipf("no shipped weights: %v", err)
		}
		m, _, err := model.Load(data)
		if err != nil {
			t.Fatal(err)
		}
		one, err := Encode(m, draw(stroke(Point{0.52, 0.15}, Point{0.48, 0.85}, 30)).Raster(), 1)
		if err != nil {
			t.Fatal(err)
		}
		blot, err := Encode(m, square().Raster(), 1)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: a drawn 1 scores %.1f nats, a filled square %.1f", name, one.Nats, blot.Nats)
		if !(one.Nats < blot.Nats) || one.Nats <= 0 {
			t.Errorf("%s: the 1 scores %.1f nats, the square %.1f: want the 1 lower (more typical)", name, one.Nats, blot.Nats)
		}
		if len(one.Mu) != m.Config.Latent {
			t.Errorf("%s: μ has %d numbers, want %d", name, len(one.Mu), m.Config.Latent)
		}
	}
	m, err := model.New(model.DefaultConfig(), rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Encode(m, make([]float64, 5), 0); err == nil {
		t.Error("Encode of 5 pixels: no error")
	}
}

// TestReadLabel checks that the label read is the one under which the image
// scores best, and that its encoding is the one Encode gives under it.
func TestReadLabel(t *testing.T) {
	cfg := model.DefaultConfig()
	cfg.Hidden, cfg.Latent, cfg.Classes = []int{16}, 3, Digits
	m, err := model.New(cfg, rand.New(rand.NewPCG(3, 3)))
	if err != nil {
		t.Fatal(err)
	}
	var d Drawing
	d.Add(Point{0.5, 0.1}, true)
	d.Add(Point{0.45, 0.9}, false)
	x := d.Raster()
	label, enc, err := ReadLabel(m, x)
	if err != nil {
		t.Fatal(err)
	}
	for l := range Digits {
		e, err := Encode(m, x, l)
		if err != nil {
			t.Fatal(err)
		}
		if e.Nats < enc.Nats-1e-9 {
			t.Errorf("label %d scores %.4f, better than the label read (%d, %.4f)", l, e.Nats, label, enc.Nats)
		}
		if l == label && (math.Abs(e.Nats-enc.Nats) > 1e-9 || !slices.Equal(e.Mu, enc.Mu)) {
			t.Errorf("ReadLabel's encoding %+v differs from Encode's under label %d: %+v", enc, l, e)
		}
	}
	cfg.Classes = 0
	vae, _ := model.New(cfg, rand.New(rand.NewPCG(3, 3)))
	if _, _, err := ReadLabel(vae, x); err == nil || !strings.Contains(err.Error(), "conditional") {
		t.Errorf("ReadLabel with a plain VAE: err %v, want one saying it needs a conditional model", err)
	}
	if _, _, err := ReadLabel(m, x[:10]); err == nil || !strings.Contains(err.Error(), "10 pixels") {
		t.Errorf("ReadLabel of 10 pixels: err %v", err)
	}
}

func TestRankLatents(t *testing.T) {
	for _, classes := range []int{0, Digits} {
		cfg := model.DefaultConfig()
		cfg.Classes = classes
		cfg.Hidden = []int{16}
		cfg.Latent = 6
		m, err := model.New(cfg, rand.New(rand.NewPCG(1, 1)))
		if err != nil {
			t.Fatal(err)
		}
		// Give dimension j a column of norm proportional to a chosen
		// usefulness; the label columns get the largest, to check that they
		// are not mistaken for latent dimensions.
		use := []float64{0.1, 5, 0, 2, 3, 0.5}
		w := m.Decoder[0].W
		for i := range w.Rows {
			for j := range w.Cols {
				v := 100.0
				if j < len(use) {
					v = use[j]
				}
				w.Row(i)[j] = float32(v)
			}
		}
		got := RankLatents(m, nil)
		if want := []int{1, 4, 3, 5, 0, 2}; !slices.Equal(got, want) {
			t.Errorf("classes %d: RankLatents = %v, want %v", classes, got, want)
		}
		// The KL from the metadata overrides the weights; a list of the
		// wrong length is not the model's and is ignored.
		kl := []float64{3, 0.01, 7, 0, 2, 2}
		if got, want := RankLatents(m, kl), []int{2, 0, 4, 5, 1, 3}; !slices.Equal(got, want) {
			t.Errorf("classes %d: RankLatents by KL = %v, want %v", classes, got, want)
		}
		if got, want := RankLatents(m, kl[:5]), []int{1, 4, 3, 5, 0, 2}; !slices.Equal(got, want) {
			t.Errorf("classes %d: RankLatents with 5 KLs for 6 dimensions = %v, want the proxy's %v", classes, got, want)
		}
	}
}
