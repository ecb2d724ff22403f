package widget

import (
	"math"
	"testing"
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
