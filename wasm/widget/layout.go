package widget

import "math"

// Rect is a rectangle in CSS pixels of embed.html's viewport.
type Rect struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
	W float64 `json:"w"`
	H float64 `json:"h"`
}

// Contains reports whether the point (x, y) lies in r.
func (r Rect) Contains(x, y float64) bool {
	return x >= r.X && x < r.X+r.W && y >= r.Y && y < r.Y+r.H
}

// Button is one button of the chooser.
type Button struct {
	Label string `json:"label"` // "any" or "0".."9"
	Rect
}

// Layout places the widget's parts in a frame. Rects are in CSS pixels; the
// game multiplies them by Scale to draw at device pixels. The exported JSON
// fields are the state report's layout, so a test can click them.
type Layout struct {
	Digit   Rect     `json:"digit"`   // the decoded digit; a click samples
	Row     Rect     `json:"row"`     // the row of the current z under every label, or the interpolation strip
	Chooser []Button `json:"chooser"` // "any", "0".."9"; empty with controls=minimal
	Tabs    []Button `json:"tabs"`    // one per panel; empty with controls=minimal
	Sliders []Slider `json:"sliders"` // on the sliders panel: temperature, then the ranked latent dimensions
	Grid    []Rect   `json:"grid"`    // on the grid panel: consecutive samples from the seed on
	Pad     Rect     `json:"pad"`     // on the draw panel: where strokes are drawn
	Clear   Rect     `json:"clear"`   // on the draw panel: the button that clears the pad
	Morph   Rect     `json:"morph"`   // on the draw panel: interpolate from the previous drawing to this one
	Map     Rect     `json:"map"`     // on the map panel: the latent plane, [-MapRange, MapRange]²

	Panel       Panel    `json:"-"`
	Controls    Controls `json:"-"`
	GridCaption Rect     `json:"-"` // the line above the grid
	Land        Rect     `json:"-"` // on the draw panel: where the drawing landed in latent space

	Cells      [Digits]Rect `json:"-"` // the row's cells, one per label
	RowCaption Rect         `json:"-"` // the line above the row
	Info       Rect         `json:"-"` // the bottom line: seed, hint, decode time
	Banner     Rect         `json:"-"` // where errors show, over the digit area: its top and width, and the height of two lines
	Font       float64      `json:"-"` // base font size in CSS pixels
	Line       float64      `json:"-"` // line height in CSS pixels
	Scale      float64      `json:"-"` // device pixels per CSS pixel
}

// Slider is one slider of the sliders panel. Its Rect is the track, which
// takes presses and drags; the knob sits at SliderX of the value.
type Slider struct {
	Label string `json:"label"` // "temperature" or "z7" (dimension 7)
	Rect
	Row Rect `json:"-"` // the whole line: label, track and value
}

// ComputeLayout lays out the sample panel with full controls; see
// ComputeLayoutFor.
func ComputeLayout(w, h, scale float64) Layout {
	return ComputeLayoutFor(w, h, scale, Full, PanelSample)
}

// ComputeLayoutFor lays the widget out in a frame of w×h CSS pixels shown at
// scale device pixels per CSS pixel, with the given chrome and panel. Images
// get a whole number of device pixels per image pixel, so nearest-neighbour
// scaling draws every pixel of the 28×28 digit as an equal square; edges
// fall on device pixels. Slider labels are filled in by the game, which
// knows the ranking.
func ComputeLayoutFor(w, h, scale float64, controls Controls, panel Panel) Layout {
	if !(scale > 0) || math.IsInf(scale, 0) {
		scale = 1
	}
	w, h = max(w, 0), max(h, 0)
	snap := func(v float64) float64 { return math.Round(v*scale) / scale }
	// fit returns the largest size ≤ v that holds a whole number of device
	// pixels per image pixel, when two or more fit; below that, rounding
	// down to one device pixel per image pixel would halve the image.
	fit := func(v float64) float64 {
		dev := math.Floor(max(v, 0) * scale)
		if dev >= 2*ImageSide {
			dev -= math.Mod(dev, ImageSide)
		}
		return dev / scale
	}

	l := Layout{Scale: scale}
	pad := clamp(0.03*min(w, h), 6, 20)
	gap := clamp(0.01*w, 2, 8)
	bh := clamp(0.075*h, 24, 44)
	l.Font = clamp(min(0.42*bh, w/36), 10, 16)
	l.Line = math.Ceil(l.Font * 1.45)

	l.Panel, l.Controls = panel, controls
	l.Chooser, l.Tabs, l.Sliders, l.Grid = []Button{}, []Button{}, []Slider{}, []Rect{}
	top := snap(pad)
	if controls != Minimal {
		// The chooser: 11 equal buttons across the top, "any" set apart from
		// the digits since it switches to the other model.
		bw := max((w-2*pad-12*gap)/11, 0)
		labels := [...]string{"any", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
		for i, lab := range labels {
			x := pad + float64(i)*(bw+gap)
			if i > 0 {
				x += 2 * gap
			}
			x0, x1 := snap(x), snap(x+bw)
			l.Chooser = append(l.Chooser, Button{Label: lab, Rect: Rect{X: x0, Y: snap(pad), W: x1 - x0, H: snap(bh)}})
		}
		top = snap(pad + bh)
	}

	// From the bottom up: the info line, the row with its labels below and
	// its caption above. A tall, narrow frame (a phone) gets the row as two
	// lines of five, so that its digits are not tiny.
	// The bottom line holds the panel tabs on the left and what the widget
	// did on the right: a tab row of its own would cost the digit height in
	// short frames.
	th := snap(max(l.Line+6, 24))
	l.Info = Rect{X: snap(pad), Y: snap(h - pad - th), W: snap(max(w-2*pad, 0)), H: th}
	if controls != Minimal {
		tw := min(snap((w-2*pad-3*gap)/7), snap(7*l.Font))
		for i, p := range Panels {
			x0 := snap(pad + float64(i)*(tw+gap))
			l.Tabs = append(l.Tabs, Button{Label: string(p), Rect: Rect{X: x0, Y: l.Info.Y, W: tw, H: th}})
		}
	}
	if controls == Minimal { // no info line: the panel reaches the bottom
		l.Info = Rect{X: snap(pad), Y: snap(h - pad + gap), W: snap(max(w-2*pad, 0)), H: 0}
	}
	lines, maxCell := 1, 0.15*h
	if h > 1.3*w {
		lines, maxCell = 2, 0.12*h
	}
	cols := Digits / lines
	cell := fit(min((w-2*pad-float64(cols-1)*gap)/float64(cols), maxCell))
	pitch := cell + l.Line + gap // from one line of cells to the next
	rowW := float64(cols)*cell + float64(cols-1)*gap
	rowX := snap((w - rowW) / 2)
	rowY := snap(l.Info.Y - gap - l.Line - cell - float64(lines-1)*pitch)
	for i := range l.Cells {
		r, c := i/cols, i%cols
		l.Cells[i] = Rect{X: snap(rowX + float64(c)*(cell+gap)), Y: snap(rowY + float64(r)*pitch), W: cell, H: cell}
	}
	last := l.Cells[Digits-1]
	l.Row = Rect{X: rowX, Y: rowY, W: last.X + cell - rowX, H: last.Y + cell - rowY}
	l.RowCaption = Rect{X: rowX, Y: snap(rowY - l.Line - gap/2), W: l.Row.W, H: l.Line}

	// The digit takes the largest square left between chooser and row.
	top += 2 * gap
	bottom := l.RowCaption.Y - gap
	side := fit(min(w-2*pad, bottom-top))
	l.Digit = Rect{X: snap((w - side) / 2), Y: snap(top + (bottom-top-side)/2), W: side, H: side}
	l.Banner = Rect{X: snap(pad), Y: snap(top), W: snap(max(w-2*pad, 0)), H: snap(2*l.Line + 2*gap)}

	area := Rect{X: snap(pad), Y: top, W: snap(max(w-2*pad, 0)), H: max(l.Info.Y-gap-top, 0)}
	switch panel {
	case PanelSliders:
		l.Row, l.Cells, l.RowCaption = Rect{}, [Digits]Rect{}, Rect{}
		l.layoutSliders(area, gap, fit, snap)
	case PanelGrid:
		l.Row, l.Cells, l.RowCaption, l.Digit = Rect{}, [Digits]Rect{}, Rect{}, Rect{}
		l.layoutGrid(area, gap, fit, snap)
	case PanelDraw:
		// The row stays: the drawing's z under every label.
		area.H = max(l.RowCaption.Y-gap-area.Y, 0)
		l.layoutDraw(area, gap, fit, snap)
	case PanelMap:
		l.Row, l.Cells, l.RowCaption = Rect{}, [Digits]Rect{}, Rect{}
		l.layoutMap(area, gap, fit, snap)
	}
	return l
}

// layoutSliders puts the digit beside (or, in a tall frame, above) the
// temperature slider and SliderCount latent sliders.
func (l *Layout) layoutSliders(area Rect, gap float64, fit, snap func(float64) float64) {
	n := 1 + SliderCount
	var list Rect
	if area.W >= 1.2*area.H {
		side := fit(min(area.H, 0.45*area.W))
		l.Digit = Rect{X: area.X, Y: snap(area.Y + (area.H-side)/2), W: side, H: side}
		x := snap(area.X + side + 4*gap)
		list = Rect{X: x, Y: area.Y, W: area.X + area.W - x, H: area.H}
	} else {
		rowsH := float64(n) * min(2.4*l.Line, area.H/float64(n)/1.6)
		side := fit(min(area.W, area.H-rowsH-2*gap))
		l.Digit = Rect{X: snap(area.X + (area.W-side)/2), Y: area.Y, W: side, H: side}
		y := snap(area.Y + side + 2*gap)
		list = Rect{X: area.X, Y: y, W: area.W, H: area.Y + area.H - y}
	}
	rowH := min(list.H/float64(n), 2.6*l.Line)
	y0 := list.Y + (list.H-rowH*float64(n))/2
	labelW := min(6.2*l.Font, 0.3*list.W)
	valueW := min(3.6*l.Font, 0.2*list.W)
	for i := range n {
		y := snap(y0 + float64(i)*rowH)
		row := Rect{X: list.X, Y: y, W: list.W, H: snap(rowH)}
		track := Rect{X: snap(list.X + labelW + gap), Y: y, W: snap(max(list.W-labelW-valueW-2*gap, 0)), H: snap(rowH)}
		label := "temperature"
		if i > 0 {
			label = "z"
		}
		l.Sliders = append(l.Sliders, Slider{Label: label, Rect: track, Row: row})
	}
}

// layoutDraw puts the pad on the left under a caption line, with the clear
// and morph buttons below it; on the right the reconstruction, its score
// (two lines) and where the drawing landed in latent space.
func (l *Layout) layoutDraw(area Rect, gap float64, fit, snap func(float64) float64) {
	below := l.Line + 6 + 2*gap // the buttons under the pad
	side := fit(min((area.W-6*gap)*0.58, area.H-l.Line-gap-below))
	right := min(side, area.W-side-6*gap)
	x0 := snap(area.X + (area.W-side-6*gap-right)/2)
	y := snap(area.Y + l.Line + gap + max(0, (area.H-l.Line-gap-below-side)/2))
	l.Pad = Rect{X: x0, Y: y, W: side, H: side}
	x1 := snap(x0 + side + 6*gap)
	d := fit(min(right, 0.55*side))
	l.Digit = Rect{X: x1, Y: y, W: d, H: d}
	landY := snap(y + d + 2*l.Line + 2*gap)
	l.Land = Rect{X: x1, Y: landY, W: snap(right), H: max(snap(y+side-landY), 0)}
	bh := snap(max(l.Line+6, 24))
	bw := snap(min(side/2-gap, 5*l.Font))
	l.Clear = Rect{X: x0, Y: snap(y + side + gap), W: bw, H: bh}
	l.Morph = Rect{X: snap(x0 + bw + gap), Y: l.Clear.Y, W: snap(min(side-bw-gap, 12*l.Font)), H: bh}
}

// layoutMap puts the latent map, a square under a caption line, beside (or,
// in a tall frame, above) the digit its point decodes to.
func (l *Layout) layoutMap(area Rect, gap float64, fit, snap func(float64) float64) {
	top := area.Y + l.Line + gap // the caption line above the map
	h := max(area.Y+area.H-top, 0)
	if area.W >= 1.2*area.H {
		side := snap(min(h, 0.6*area.W))
		d := fit(min(area.W-side-6*gap, h))
		x0 := snap(area.X + (area.W-side-6*gap-d)/2)
		l.Map = Rect{X: x0, Y: snap(top), W: side, H: side}
		l.Digit = Rect{X: snap(x0 + side + 6*gap), Y: snap(top + (side-d)/2), W: d, H: d}
		return
	}
	side := snap(min(area.W, 0.62*h))
	d := fit(min(area.W, h-side-2*gap))
	l.Map = Rect{X: snap(area.X + (area.W-side)/2), Y: snap(top), W: side, H: side}
	l.Digit = Rect{X: snap(area.X + (area.W-d)/2), Y: snap(top + side + 2*gap), W: d, H: d}
}

// layoutGrid fills the area under a caption line with the largest cells
// that fit twelve to thirty samples.
func (l *Layout) layoutGrid(area Rect, gap float64, fit, snap func(float64) float64) {
	l.GridCaption = Rect{X: area.X, Y: area.Y, W: area.W, H: l.Line}
	area.Y += l.Line + gap
	area.H -= l.Line + gap
	bestScore, bc, br, bcell := -1.0, 0, 0, 0.0
	for c := 3; c <= 10; c++ {
		for r := 2; r <= 6; r++ {
			if c*r < 12 || c*r > 30 {
				continue
			}
			cell := fit(min((area.W-float64(c-1)*gap)/float64(c), (area.H-float64(r-1)*gap)/float64(r)))
			if score := cell * cell * float64(c*r); cell > 0 && score > bestScore {
				bestScore, bc, br, bcell = score, c, r, cell
			}
		}
	}
	gw := float64(bc)*bcell + float64(bc-1)*gap
	gh := float64(br)*bcell + float64(br-1)*gap
	x0, y0 := snap(area.X+(area.W-gw)/2), snap(area.Y+(area.H-gh)/2)
	l.GridCaption.X, l.GridCaption.W = x0, gw
	for r := range br {
		for c := range bc {
			l.Grid = append(l.Grid, Rect{X: snap(x0 + float64(c)*(bcell+gap)), Y: snap(y0 + float64(r)*(bcell+gap)), W: bcell, H: bcell})
		}
	}
}

// Hit maps a click or tap at (x, y) CSS pixels to an intent. banner is where
// the error banner is drawn, covering what lies below it (the zero Rect when
// hidden); row tells whether the row of labels is showing.
func (l Layout) Hit(x, y float64, banner Rect, row bool) Intent {
	if banner.Contains(x, y) {
		return Intent{Action: Dismiss}
	}
	for i, b := range l.Chooser {
		if b.Contains(x, y) {
			return ChooserIntent(i)
		}
	}
	for i, b := range l.Tabs {
		if b.Contains(x, y) {
			return Intent{Action: ShowPanel, Panel: Panels[i]}
		}
	}
	for i, s := range l.Sliders {
		// The whole line takes a press, so that a finger need not hit the
		// thin track; the value follows the pointer's x along the track.
		if s.Row.Contains(x, y) {
			return Intent{Action: Slide, Slider: i}
		}
	}
	for i, c := range l.Grid {
		if c.Contains(x, y) {
			return Intent{Action: PickSeed, Offset: i}
		}
	}
	if l.Pad.Contains(x, y) {
		return Intent{Action: Pen}
	}
	if l.Clear.Contains(x, y) {
		return Intent{Action: ClearPad}
	}
	if l.Morph.Contains(x, y) {
		return Intent{Action: Morph}
	}
	if l.Map.Contains(x, y) {
		return Intent{Action: MapPress}
	}
	if l.Digit.Contains(x, y) {
		return Intent{Action: Sample}
	}
	if row && l.Panel != PanelInterpolate {
		for i, c := range l.Cells {
			if c.Contains(x, y) {
				return Intent{Action: Choose, Kind: CVAE, Digit: i}
			}
		}
	}
	return Intent{}
}

func clamp(v, lo, hi float64) float64 { return max(lo, min(v, hi)) }
