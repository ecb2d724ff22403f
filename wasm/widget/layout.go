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
	Row     Rect     `json:"row"`     // the row of the current z under every label
	Chooser []Button `json:"chooser"` // "any", "0".."9"

	Cells      [Digits]Rect `json:"-"` // the row's cells, one per label
	RowCaption Rect         `json:"-"` // the line above the row
	Info       Rect         `json:"-"` // the bottom line: seed, hint, decode time
	Banner     Rect         `json:"-"` // where errors show, over the digit area: its top and width, and the height of two lines
	Font       float64      `json:"-"` // base font size in CSS pixels
	Line       float64      `json:"-"` // line height in CSS pixels
	Scale      float64      `json:"-"` // device pixels per CSS pixel
}

// ComputeLayout lays the widget out in a frame of w×h CSS pixels shown at
// scale device pixels per CSS pixel. Images get a whole number of device
// pixels per image pixel, so nearest-neighbour scaling draws every pixel of
// the 28×28 digit as an equal square; edges fall on device pixels.
func ComputeLayout(w, h, scale float64) Layout {
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

	// From the bottom up: the info line, the row with its labels below and
	// its caption above. A tall, narrow frame (a phone) gets the row as two
	// lines of five, so that its digits are not tiny.
	l.Info = Rect{X: snap(pad), Y: snap(h - pad - l.Line), W: snap(max(w-2*pad, 0)), H: l.Line}
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
	top := l.Chooser[0].Y + l.Chooser[0].H + 2*gap
	bottom := l.RowCaption.Y - gap
	side := fit(min(w-2*pad, bottom-top))
	l.Digit = Rect{X: snap((w - side) / 2), Y: snap(top + (bottom-top-side)/2), W: side, H: side}
	l.Banner = Rect{X: snap(pad), Y: snap(top), W: snap(max(w-2*pad, 0)), H: snap(2*l.Line + 2*gap)}
	return l
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
	if l.Digit.Contains(x, y) {
		return Intent{Action: Sample}
	}
	if row {
		for i, c := range l.Cells {
			if c.Contains(x, y) {
				return Intent{Action: Choose, Kind: CVAE, Digit: i}
			}
		}
	}
	return Intent{}
}

func clamp(v, lo, hi float64) float64 { return max(lo, min(v, hi)) }
