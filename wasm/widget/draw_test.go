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

// stroke returns a straight stroke from a to b as n+1 points.
func stroke(a, b Point, n int) []Point {
	ps := make([]Point, n+1)
	for i := range ps {
		f := float64(i) / float64(n)
		ps[i] = Point{a.X + f*(b.X-a.X), a.Y + f*(b.Y-a.Y)}
	}
	return ps
}

func draw(strokes ...[]Point) *Drawing {
	var d Drawing
	for _, s := range strokes {
		for i, p := range s {
			d.Add(p, i == 0)
		}
		d.End()
	}
	return &d
}

// square fills the pad's middle with close horizontal strokes: a blot.
func square() *Drawing {
	var ss [][]Point
	for y := 0.2; y <= 0.8; y += 0.02 {
		ss = append(ss, stroke(Point{0.2, y}, Point{0.8, y}, 20))
	}
	return draw(ss...)
}

func inkBox(img []float64) (x0, y0, x1, y1 int) {
	x0, y0, x1, y1 = ImageSide, ImageSide, -1, -1
	for i, v := range img {
		if v > 0.05 {
			x, y := i%ImageSide, i/ImageSide
			x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
		}
	}
	return
}

func TestRaster(t *testing.T) {
	tests := []struct {
		name         string
		d            *Drawing
		wantW, wantH int // ink bounding box in pixels, ±1
	}{
		// Small, off-centre and tall: scaled up to 20 pixels high.
		{"vertical stroke", draw(stroke(Point{0.8, 0.1}, Point{0.8, 0.3}, 10)), 3, 20},
		{"horizontal stroke", draw(stroke(Point{0.1, 0.5}, Point{0.9, 0.5}, 10)), 20, 3},
		{"a plus", draw(stroke(Point{0.3, 0.5}, Point{0.7, 0.5}, 8), stroke(Point{0.5, 0.3}, Point{0.5, 0.7}, 8)), 20, 20},
		{"a dot", draw([]Point{{0.5, 0.5}}), 3, 3},
		{"square", square(), 20, 20},
	}
	for _, tt := range tests {
		img := tt.d.Raster()
		if len(img) != ImageSide*ImageSide {
			t.Fatalf("%s: %d pixels", tt.name, len(img))
		}
		mx, my := centreOfMass(img)
		if math.Abs(mx-ImageSide/2) > 0.6 || math.Abs(my-ImageSide/2) > 0.6 {
			t.Errorf("%s: centre of mass (%.2f, %.2f), want (14, 14)", tt.name, mx, my)
		}
		x0, y0, x1, y1 := inkBox(img)
		if w, h := x1-x0+1, y1-y0+1; abs(w-tt.wantW) > 1 || abs(h-tt.wantH) > 1 {
			t.Errorf("%s: ink box %d×%d, want %d×%d", tt.name, w, h, tt.wantW, tt.wantH)
		}
		for i, v := range img {
			if v < 0 || v > 1 || math.IsNaN(v) {
				t.Fatalf("%s: pixel %d = %v", tt.name, i, v)
			}
		}
	}
	var empty Drawing
	if empty.Raster() != nil || !empty.Empty() {
		t.Error("an empty drawing rasterizes to something")
	}
	d := draw(stroke(Point{0, 0}, Point{1, 1}, 3))
	d.Clear()
	if !d.Empty() {
		t.Error("Clear left points")
	}
	d.Add(Point{math.NaN(), 0.5}, true)
	d.Add(Point{-4, 9}, false)
	if s := d.Strokes(); len(s) != 1 || s[0][0] != (Point{0, 1}) {
		t.Errorf("NaN and out-of-pad points: strokes %v, want one clamped point", s)
	}
}

func abs(v int) int { return max(v, -v) }

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
