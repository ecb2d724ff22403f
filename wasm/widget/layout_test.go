package widget

import (
	"fmt"
	"math"
	"testing"
)

func TestComputeLayout(t *testing.T) {
	sizes := []struct{ w, h, scale float64 }{
		{900, 700, 1}, {900, 700, 2}, {640, 520, 1}, {640, 520, 1.25}, {360, 640, 3},
		{320, 480, 2}, {800, 300, 1}, {1920, 1080, 1.5}, {500, 500, 2.625},
	}
	for _, sz := range sizes {
		name := fmt.Sprintf("%gx%g@%g", sz.w, sz.h, sz.scale)
		l := layoutOf(sz.w, sz.h, sz.scale, Full, SampleSpec)
		frame := Rect{0, 0, sz.w, sz.h}
		inside := func(what string, r Rect) {
			if r.W <= 0 || r.H <= 0 || r.X < 0 || r.Y < 0 || r.X+r.W > frame.W+1e-9 || r.Y+r.H > frame.H+1e-9 {
				t.Errorf("%s: %s %+v is empty or outside the frame", name, what, r)
			}
		}
		// Whole device pixels per image pixel (crisp nearest-neighbour
		// scaling) whenever there are two or more.
		crisp := func(what string, r Rect) {
			dev := r.W * sz.scale
			if math.Abs(dev-math.Round(dev)) > 1e-6 || (dev >= 2*ImageSide && int(math.Round(dev))%ImageSide != 0) || r.W != r.H {
				t.Errorf("%s: %s is %g×%g CSS px = %g device px, not a square multiple of %d", name, what, r.W, r.H, dev, ImageSide)
			}
		}
		if len(l.Chooser) != 11 {
			t.Fatalf("%s: %d chooser buttons, want 11", name, len(l.Chooser))
		}
		want := []string{"any", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
		for i, b := range l.Chooser {
			if b.Label != want[i] {
				t.Errorf("%s: button %d labelled %q, want %q", name, i, b.Label, want[i])
			}
			inside("button "+b.Label, b.Rect)
			if b.W < 20 || b.H < 24 {
				t.Errorf("%s: button %q is %gx%g, too small to tap", name, b.Label, b.W, b.H)
			}
			if i > 0 && b.X < l.Chooser[i-1].X+l.Chooser[i-1].W {
				t.Errorf("%s: button %q overlaps the one before", name, b.Label)
			}
		}
		inside("digit", l.Digit)
		crisp("digit", l.Digit)
		inside("row", l.Row)
		inside("info", l.Info)
		for i, c := range l.Cells {
			inside(fmt.Sprintf("cell %d", i), c)
			crisp(fmt.Sprintf("cell %d", i), c)
			if !(c.X >= l.Row.X && c.X+c.W <= l.Row.X+l.Row.W+1e-9) {
				t.Errorf("%s: cell %d lies outside the row", name, i)
			}
		}
		// Top to bottom without overlap: chooser, digit, row caption, row, info.
		order := []Rect{l.Chooser[0].Rect, l.Digit, l.RowCaption, l.Row, l.Info}
		for i := 1; i < len(order); i++ {
			if order[i].Y < order[i-1].Y+order[i-1].H {
				t.Errorf("%s: part %d (%+v) overlaps part %d (%+v)", name, i, order[i], i-1, order[i-1])
			}
		}
		if l.Digit.W < l.Cells[0].W {
			t.Errorf("%s: the digit (%g) is smaller than a row cell (%g)", name, l.Digit.W, l.Cells[0].W)
		}
		if l.Digit.W < 0.3*min(sz.w, sz.h) {
			t.Errorf("%s: the digit is %g wide, under a third of the frame", name, l.Digit.W)
		}
		// Cells do not overlap, nor does a cell overlap the labels under
		// the cells of the line above.
		for i := range l.Cells {
			for j := range i {
				a, b := l.Cells[i], l.Cells[j]
				grown := Rect{b.X, b.Y, b.W, b.H + l.Line}
				if a.X < grown.X+grown.W && grown.X < a.X+a.W && a.Y < grown.Y+grown.H && grown.Y < a.Y+a.H {
					t.Errorf("%s: cell %d %+v overlaps cell %d with its label %+v", name, i, a, j, grown)
				}
			}
		}
	}
}

func TestComputeLayoutDegenerate(t *testing.T) {
	// Tiny, empty or nonsense frames give a layout without NaNs or panics.
	for _, sz := range [][3]float64{{0, 0, 1}, {10, 10, 1}, {100, 40, 2}, {-5, 300, 1}, {300, 300, 0}, {300, 300, math.NaN()}, {300, 300, math.Inf(1)}} {
		l := layoutOf(sz[0], sz[1], sz[2], Full, SampleSpec)
		for _, r := range append([]Rect{l.Digit, l.Row, l.Info, l.Banner}, l.Cells[:]...) {
			for _, v := range []float64{r.X, r.Y, r.W, r.H} {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Errorf("ComputeLayout(%v): rect %+v has %v", sz, r, v)
				}
			}
			if r.W < 0 {
				t.Errorf("ComputeLayout(%v): rect %+v has negative width", sz, r)
			}
		}
	}
}

type hitCase struct {
	name   string
	x, y   float64
	banner Rect
	row    bool
	want   Intent
}

func TestHit(t *testing.T) {
	l := layoutOf(900, 700, 2, Full, SampleSpec)
	center := func(r Rect) (float64, float64) { return r.X + r.W/2, r.Y + r.H/2 }
	dx, dy := center(l.Digit)
	bx, by := center(l.Banner)
	tests := []hitCase{
		{"nothing", 1, 1, Rect{}, true, Intent{}},
		{"outside", -5, 2000, Rect{}, true, Intent{}},
		{"digit", dx, dy, Rect{}, true, Intent{Action: Sample}},
		{"digit under a hidden banner", bx, by, Rect{}, true, Intent{Action: Sample}},
		{"banner", bx, by, l.Banner, true, Intent{Action: Dismiss}},
		{"digit below a banner", bx, l.Banner.Y + l.Banner.H + 1, l.Banner, true, Intent{Action: Sample}},
		{"cell of a hidden row", l.Cells[3].X + 1, l.Cells[3].Y + 1, Rect{}, false, Intent{}},
		{"digit's left edge", l.Digit.X, dy, Rect{}, true, Intent{Action: Sample}},
		{"just past the digit's right edge", l.Digit.X + l.Digit.W, dy, Rect{}, true, Intent{}},
	}
	x, y := center(l.Chooser[0].Rect)
	tests = append(tests, hitCase{"any", x, y, Rect{}, true, Intent{Action: Choose, Kind: VAE, Digit: -1}})
	for d := range Digits {
		x, y := center(l.Chooser[d+1].Rect)
		tests = append(tests, hitCase{"button " + l.Chooser[d+1].Label, x, y, Rect{}, true, Intent{Action: Choose, Kind: CVAE, Digit: d}})
		x, y = center(l.Cells[d])
		tests = append(tests, hitCase{fmt.Sprint("cell ", d), x, y, Rect{}, true, Intent{Action: Choose, Kind: CVAE, Digit: d}})
	}
	for _, tt := range tests {
		if got := l.Hit(tt.x, tt.y, tt.banner, tt.row); got != tt.want {
			t.Errorf("%s: Hit(%g, %g) = %+v, want %+v", tt.name, tt.x, tt.y, got, tt.want)
		}
	}
}

func TestPanelLayouts(t *testing.T) {
	for _, sz := range []struct{ w, h, scale float64 }{{640, 520, 1}, {900, 700, 2}, {360, 640, 3}, {800, 300, 1}} {
		for _, c := range []Controls{Full, Minimal} {
			name := fmt.Sprintf("%gx%g@%g %s", sz.w, sz.h, sz.scale, c)
			frame := Rect{0, 0, sz.w, sz.h}
			in := func(what string, r Rect) {
				if r.W <= 0 || r.H <= 0 || r.X < 0 || r.Y < 0 || r.X+r.W > frame.W+1e-9 || r.Y+r.H > frame.H+1e-9 {
					t.Errorf("%s: %s %+v is empty or outside the frame", name, what, r)
				}
			}
			l := layoutOf(sz.w, sz.h, sz.scale, c, SlidersSpec)
			if len(l.Sliders) != 1+SliderCount {
				t.Fatalf("%s: %d sliders", name, len(l.Sliders))
			}
			in("digit", l.Digit)
			for i, s := range l.Sliders {
				in(fmt.Sprint("slider ", i), s.Rect)
				if s.Row.Contains(l.Digit.X+l.Digit.W/2, l.Digit.Y+l.Digit.H/2) {
					t.Errorf("%s: slider %d covers the digit", name, i)
				}
				x, y := s.Rect.X+s.Rect.W/2, s.Rect.Y+s.Rect.H/2
				if got := l.Hit(x, y, Rect{}, true); got != (Intent{Action: Slide, Slider: i}) {
					t.Errorf("%s: hit on slider %d = %+v", name, i, got)
				}
				if s.W < 60 {
					t.Errorf("%s: slider %d track is %g wide, too short to drag", name, i, s.W)
				}
			}
			l = layoutOf(sz.w, sz.h, sz.scale, c, GridSpec)
			if len(l.Grid) < 12 {
				t.Errorf("%s: grid of %d cells, want at least 12", name, len(l.Grid))
			}
			for i, g := range l.Grid {
				in(fmt.Sprint("grid cell ", i), g)
				if got := l.Hit(g.X+g.W/2, g.Y+g.H/2, Rect{}, true); got != (Intent{Action: PickSeed, Offset: i}) {
					t.Errorf("%s: hit on grid cell %d = %+v", name, i, got)
				}
			}
			l = layoutOf(sz.w, sz.h, sz.scale, c, MapSpec)
			in("map", l.Map)
			in("digit beside the map", l.Digit)
			if overlap(l.Map, l.Digit) || l.Map.W < 100 {
				t.Errorf("%s: map %+v overlaps the digit %+v or is too small to drag on", name, l.Map, l.Digit)
			}
			if got := l.Hit(l.Map.X+1, l.Map.Y+l.Map.H-1, Rect{}, true); got != (Intent{Action: MapPress}) {
				t.Errorf("%s: hit on the map's corner = %+v", name, got)
			}
			dl := layoutOf(sz.w, sz.h, sz.scale, c, DrawSpec)
			parts := []struct {
				name string
				r    Rect
			}{{"pad", dl.Pad}, {"digit", dl.Digit}, {"clear", dl.Clear}, {"morph", dl.Morph}, {"row", dl.Row}}
			for i, p := range parts {
				in("draw panel's "+p.name, p.r)
				for _, q := range parts[i+1:] {
					if overlap(p.r, q.r) {
						t.Errorf("%s: draw panel's %s %+v overlaps its %s %+v", name, p.name, p.r, q.name, q.r)
					}
				}
			}
			for _, h := range []struct {
				r    Rect
				want Intent
			}{{dl.Pad, Intent{Action: Pen}}, {dl.Clear, Intent{Action: ClearPad}}, {dl.Morph, Intent{Action: Morph}}} {
				if got := dl.Hit(h.r.X+h.r.W/2, h.r.Y+h.r.H/2, Rect{}, true); got != h.want {
					t.Errorf("%s: draw panel hit %+v, want %+v", name, got, h.want)
				}
			}
			if c == Minimal && (len(l.Chooser) > 0 || len(l.Tabs) > 0) {
				t.Errorf("%s: minimal controls show %d chooser buttons and %d tabs", name, len(l.Chooser), len(l.Tabs))
			}
			if c == Full {
				for i, b := range l.Tabs {
					in("tab "+b.Label, b.Rect)
					if got := l.Hit(b.X+b.W/2, b.Y+b.H/2, Rect{}, true); got != (Intent{Action: ShowPanel, Panel: testPanels[i].Name}) {
						t.Errorf("%s: hit on tab %s = %+v", name, b.Label, got)
					}
				}
			}
		}
	}
}

// overlap reports whether two rectangles share any area.
func overlap(a, b Rect) bool {
	return a.X < b.X+b.W && b.X < a.X+a.W && a.Y < b.Y+b.H && b.Y < a.Y+a.H
}

// within reports whether a lies inside b.
func within(a, b Rect) bool {
	return a.X >= b.X && a.Y >= b.Y && a.X+a.W <= b.X+b.W+1e-9 && a.Y+a.H <= b.Y+b.H+1e-9
}

// TestPaintBoxes checks the boxes that drawing and the partial redraws
// share: where each part draws lies within what a partial redraw repaints
// for it.
func TestPaintBoxes(t *testing.T) {
	for _, sz := range []struct{ w, h, scale float64 }{{640, 520, 1}, {900, 700, 2}, {390, 844, 3}, {320, 568, 2}, {800, 300, 1}} {
		for _, c := range []Controls{Full, Minimal} {
			name := fmt.Sprintf("%gx%g@%g %s", sz.w, sz.h, sz.scale, c)
			l := layoutOf(sz.w, sz.h, sz.scale, c, SlidersSpec)
			if !within(l.Digit, l.DigitPaint) || !within(l.Digit.Inset(-2), l.DigitPaint) {
				t.Errorf("%s: the digit's frame %+v is not within its paint box %+v", name, l.Digit.Inset(-2), l.DigitPaint)
			}
			minH := l.Sliders[0].Row.H
			for i, s := range l.Sliders {
				minH = min(minH, s.Row.H)
				if !within(s.Bar, s.Rect) || s.Bar.H != 4 || s.Knob <= 0 || s.Knob > s.H/2 {
					t.Errorf("%s: slider %d: bar %+v in track %+v, knob %g", name, i, s.Bar, s.Rect, s.Knob)
				}
				if !within(s.Row, s.Paint) || !within(s.Row, l.SliderPaint) || !within(s.Paint, l.SliderPaint.union(s.Paint)) {
					t.Errorf("%s: slider %d: row %+v, its paint %+v, the list's %+v", name, i, s.Row, s.Paint, l.SliderPaint)
				}
			}
			hintInk := Rect{X: l.Hint.X, Y: l.Hint.Y + l.Hint.H/2 - l.TextHeight*0.75*l.Font/2, W: l.Hint.W, H: l.TextHeight * 0.75 * l.Font}
			if !within(hintInk, l.SliderPaint) {
				t.Errorf("%s: the hint's ink %+v is not within the list's paint box %+v", name, hintInk, l.SliderPaint)
			}
			if want := minH/2 >= 13 && l.TextHeight*0.85*l.Font/2 <= minH/2-1; l.RowsPaint != want {
				t.Errorf("%s: RowsPaint %v with rows of %g", name, l.RowsPaint, minH)
			}
			if c == Full {
				last := l.Tabs[len(l.Tabs)-1]
				if l.InfoRoom.X < last.X+last.W || !within(l.InfoRoom, l.Info) || !within(l.InfoRoom, l.InfoPaint) {
					t.Errorf("%s: info room %+v, last tab %+v, info %+v, its paint %+v", name, l.InfoRoom, last.Rect, l.Info, l.InfoPaint)
				}
				for _, b := range append(l.Tabs, Button{Rect: l.Info}) {
					if !within(b.Rect, l.BottomPaint) {
						t.Errorf("%s: %+v is not within the bottom line's paint box %+v", name, b.Rect, l.BottomPaint)
					}
				}
			} else if l.BottomPaint != (Rect{}) {
				t.Errorf("%s: minimal controls have a bottom line to paint: %+v", name, l.BottomPaint)
			}

			d := layoutOf(sz.w, sz.h, sz.scale, c, DrawSpec)
			// The thumbnail keeps its size; a pad too small for it (a frame
			// 300 pixels high) has it sticking out.
			thumbFits := d.Pad.W < thumbSide+12 || within(d.Thumb, d.Pad)
			if !thumbFits || d.PadCaption.Y+d.PadCaption.H > d.Pad.Y || d.Score.Y < d.Digit.Y+d.Digit.H {
				t.Errorf("%s: draw panel: thumb %+v pad %+v caption %+v score %+v digit %+v", name, d.Thumb, d.Pad, d.PadCaption, d.Score, d.Digit)
			}
			if d.Land.H > 0 && (d.LandBox.X != d.Land.X || d.LandBox.W != d.Land.W || d.LandBox.Y < d.Land.Y) {
				t.Errorf("%s: draw panel: landing plot %+v outside %+v", name, d.LandBox, d.Land)
			}
			m := layoutOf(sz.w, sz.h, sz.scale, c, MapSpec)
			if m.MapCaption.Y+m.MapCaption.H > m.Map.Y || m.MapZ.Y < m.Digit.Y+m.Digit.H {
				t.Errorf("%s: map panel: caption %+v map %+v z line %+v digit %+v", name, m.MapCaption, m.Map, m.MapZ, m.Digit)
			}
		}
	}
}

func TestBannerBox(t *testing.T) {
	l := layoutOf(640, 480, 1, Full, SampleSpec)
	if got := l.BannerBox(2); got != l.Banner {
		t.Errorf("BannerBox(2) = %+v, want the layout's banner %+v", got, l.Banner)
	}
	if got := l.BannerBox(5); got.Y != l.Banner.Y || got.H != l.Banner.H+3*l.Line {
		t.Errorf("BannerBox(5) = %+v, want three lines more than %+v", got, l.Banner)
	}
}
