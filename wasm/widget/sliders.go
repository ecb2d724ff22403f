package widget

import "fmt"

// PanelSliders shows the digit beside sliders for the temperature and the
// latent dimensions that carry the most information.
const PanelSliders Panel = "sliders"

// SlidersSpec is the sliders panel.
var SlidersSpec = PanelSpec{Name: PanelSliders, Place: placeSliders}

// Slider value ranges: latent sliders span ±SliderZ, which holds 99.7% of
// the prior; the temperature slider spans TempMin..TempMax.
const SliderZ = 3.0

// SliderCount is how many latent dimensions get a slider.
const SliderCount = 5

// Slider is one slider of the sliders panel. Its Rect is the track, which
// takes presses and drags; the knob sits at SliderX of the value.
type Slider struct {
	Label string `json:"label"` // "temperature" or "z7" (dimension 7)
	Rect
	Row  Rect    `json:"-"` // the whole line: label, track and value; it takes presses too
	Bar  Rect    `json:"-"` // the track as drawn, across the middle of the row
	Knob float64 `json:"-"` // the knob's radius
	// Paint holds every pixel the row's drawing reaches (its label, value,
	// knob and focus ring), when Layout.RowsPaint says it does.
	Paint Rect `json:"-"`
}

// Parts of a slider row beyond its line, in CSS pixels.
const (
	knobMax = 9 // the knob's largest radius
	// focusRing is how far the ring of the slider the arrow keys move
	// reaches beyond its knob.
	focusRing = 3
	// rowOverhang is how far a row's drawing may reach left and right of
	// its line: the knob and its ring at the track's ends, and text.
	rowOverhang = 14
)

// placeSliders puts the digit beside (or, in a tall frame, above) the
// temperature slider and SliderCount latent sliders.
func placeSliders(l *Layout, area Rect) {
	l.Row, l.Cells, l.RowCaption = Rect{}, [Digits]Rect{}, Rect{}
	gap := l.Gap
	n := 1 + SliderCount
	var list Rect
	if area.W >= 1.2*area.H {
		side := l.fit(min(area.H, 0.45*area.W))
		l.Digit = Rect{X: area.X, Y: l.snap(area.Y + (area.H-side)/2), W: side, H: side}
		x := l.snap(area.X + side + 4*gap)
		list = Rect{X: x, Y: area.Y, W: area.X + area.W - x, H: area.H}
	} else {
		rowsH := float64(n) * min(2.4*l.Line, area.H/float64(n)/1.6)
		side := l.fit(min(area.W, area.H-rowsH-2*gap))
		l.Digit = Rect{X: l.snap(area.X + (area.W-side)/2), Y: area.Y, W: side, H: side}
		y := l.snap(area.Y + side + 2*gap)
		list = Rect{X: area.X, Y: y, W: area.W, H: area.Y + area.H - y}
	}
	rowH := min(list.H/float64(n), 2.6*l.Line)
	y0 := list.Y + (list.H-rowH*float64(n))/2
	labelW := min(6.2*l.Font, 0.3*list.W)
	valueW := min(3.6*l.Font, 0.2*list.W)
	for i := range n {
		y := l.snap(y0 + float64(i)*rowH)
		row := Rect{X: list.X, Y: y, W: list.W, H: l.snap(rowH)}
		track := Rect{X: l.snap(list.X + labelW + gap), Y: y, W: l.snap(max(list.W-labelW-valueW-2*gap, 0)), H: l.snap(rowH)}
		label := "temperature"
		if i > 0 {
			label = "z"
		}
		cy := track.Y + track.H/2
		l.Sliders = append(l.Sliders, Slider{
			Label: label, Rect: track, Row: row,
			Bar:   Rect{X: track.X, Y: cy - 2, W: track.W, H: 4},
			Knob:  min(knobMax, track.H/2-2),
			Paint: Rect{X: row.X - rowOverhang, Y: row.Y, W: row.W + 2*rowOverhang, H: row.H},
		})
	}

	// The hint line above the first slider, and where the list's drawing
	// reaches: a line of text takes its face's ascent and descent, centred
	// on its line; the labels and values are text at 0.85 of the font
	// size, the hint at 0.75.
	first, last := l.Sliders[0], l.Sliders[n-1]
	l.Hint = Rect{X: first.Row.X, Y: first.Y - 0.2*l.Line - l.Line/2, W: first.Row.W, H: l.Line}
	half := func(size float64) float64 { return l.TextHeight * size / 2 }
	rows := first.Row
	minH := first.Row.H
	for _, s := range l.Sliders[1:] {
		rows = rows.union(s.Row)
		minH = min(minH, s.Row.H)
	}
	top := min(first.Y-0.2*l.Line-half(0.75*l.Font), first.Y+first.H/2-half(0.85*l.Font), first.Y-1)
	bottom := max(last.Y+last.H/2+half(0.85*l.Font), last.Y+last.H+1)
	l.SliderPaint = Rect{X: rows.X - rowOverhang, Y: top - 2, W: rows.W + 2*rowOverhang, H: bottom - top + 4}
	// A row holds its own drawing when it is tall enough for the knob with
	// its ring and for a line of text.
	l.RowsPaint = minH/2 >= knobMax+focusRing+1 && half(0.85*l.Font) <= minH/2-1
}

// NameSliders labels the latent sliders of l with the dimensions of a
// model's ranking (RankLatents), most important first, and drops the
// sliders a model with fewer latent dimensions has no use for. With no
// ranking (the model is not loaded yet) the sliders keep their "z".
func NameSliders(l *Layout, rank []int) {
	if rank == nil {
		return
	}
	if n := 1 + len(rank); n < len(l.Sliders) {
		l.Sliders = l.Sliders[:n]
	}
	for i := range l.Sliders {
		if i > 0 {
			l.Sliders[i].Label = fmt.Sprintf("z%d", rank[i-1])
		}
	}
}

// SliderDim returns the latent dimension slider i ≥ 1 moves, given the
// model's ranking, or -1 when it moves none (the temperature, or no model).
func SliderDim(rank []int, i int) int {
	if i < 1 || i-1 >= len(rank) {
		return -1
	}
	return rank[i-1]
}

// sliderRange returns the value range of slider i: 0 is the temperature,
// 1.. are latent dimensions.
func sliderRange(i int) (lo, hi float64) {
	if i == 0 {
		return TempMin, TempMax
	}
	return -SliderZ, SliderZ
}

// SliderValue maps a pointer at x over a slider's track to the slider's
// value, clamped to its range and rounded to the precision a URL keeps.
func SliderValue(i int, track Rect, x float64) float64 {
	lo, hi := sliderRange(i)
	f := 0.0
	if track.W > 0 {
		f = max(0, min(1, (x-track.X)/track.W))
	}
	v := lo + f*(hi-lo)
	if i == 0 {
		return Quantize(max(lo, min(hi, v)), tempDecimals)
	}
	return Quantize(v, zDecimals)
}

// SliderX maps slider i's value v to the x of its knob on the track; values
// outside the range pin the knob to the track's end.
func SliderX(i int, track Rect, v float64) float64 {
	lo, hi := sliderRange(i)
	f := max(0, min(1, (v-lo)/(hi-lo)))
	return track.X + f*track.W
}

// SliderStep is how far one arrow key moves slider i.
func SliderStep(i int) float64 {
	if i == 0 {
		return 0.05
	}
	return 0.25
}

// SliderFocus is the slider the arrow keys move: up and down choose
// another, wrapping around; a press on a slider chooses it.
type SliderFocus int

// Move moves the focus by d sliders of n.
func (f *SliderFocus) Move(d, n int) {
	if n > 0 {
		*f = SliderFocus(((int(*f)+d)%n + n) % n)
	}
}
