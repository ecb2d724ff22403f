package widget

import "math"

// Controls is how much of the widget's chrome shows.
type Controls string

const (
	// Full shows the model chooser, the panel tabs and the info line.
	Full Controls = "full"
	// Minimal shows the panel alone: for a tutorial that drives the widget
	// from its own text through postMessage.
	Minimal Controls = "minimal"
)

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

// Inset returns r shrunk by d on every side (grown, for a negative d).
func (r Rect) Inset(d float64) Rect {
	return Rect{X: r.X + d, Y: r.Y + d, W: r.W - 2*d, H: r.H - 2*d}
}

// union returns the smallest rectangle holding r and b.
func (r Rect) union(b Rect) Rect {
	x0, y0 := min(r.X, b.X), min(r.Y, b.Y)
	x1, y1 := max(r.X+r.W, b.X+b.W), max(r.Y+r.H, b.Y+b.H)
	return Rect{X: x0, Y: y0, W: x1 - x0, H: y1 - y0}
}

// Button is one button of the chooser.
type Button struct {
	Label string `json:"label"` // "any" or "0".."9"
	Rect
}

// Layout places the widget's parts in a frame: every box that the game
// draws in and hit tests against is here, the panels' parts placed by their
// PanelSpec.Place. Rects are in CSS pixels; the game multiplies them by
// Scale to draw at device pixels. The exported JSON fields are the state
// report's layout, so a test can click them.
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

	// The draw panel's other parts: the line above the pad, the thumbnail
	// of the drawing as the model reads it (in the pad's corner), the two
	// lines of the score under the reconstruction, and where the drawing
	// landed in latent space (LandBox, its plot; the rest, its captions).
	PadCaption Rect `json:"-"`
	Thumb      Rect `json:"-"`
	Score      Rect `json:"-"`
	Land       Rect `json:"-"`
	LandBox    Rect `json:"-"`

	// The map panel's lines: its caption above the map, and the point's z
	// under the digit.
	MapCaption Rect `json:"-"`
	MapZ       Rect `json:"-"`

	// The sliders panel's other parts: the hint above the first slider;
	// where the list's drawing reaches (SliderPaint), and whether each
	// row's drawing stays within its Slider.Paint (RowsPaint), for the
	// partial redraws of a dragged slider.
	Hint        Rect `json:"-"`
	SliderPaint Rect `json:"-"`
	RowsPaint   bool `json:"-"`

	Cells      [Digits]Rect `json:"-"` // the row's cells, one per label
	RowCaption Rect         `json:"-"` // the line above the row
	// CellsChoose is set where a click on a cell chooses its label (the
	// conditional VAE's row), not where the row is a strip to look at.
	CellsChoose bool `json:"-"`
	Info        Rect `json:"-"` // the bottom line: seed, hint, decode time
	// InfoRoom is the part of the bottom line right of the tabs, where the
	// info line goes when it fits; InfoPaint the part a partial redraw of
	// it repaints, and BottomPaint the part a redraw of the whole bottom
	// line (tabs and info line) repaints.
	InfoRoom    Rect `json:"-"`
	InfoPaint   Rect `json:"-"`
	BottomPaint Rect `json:"-"`
	// DigitPaint holds the digit and its frame, which is drawn up to 2 CSS
	// pixels outside it (3 with rounding to device pixels).
	DigitPaint Rect    `json:"-"`
	Banner     Rect    `json:"-"` // where errors show, over the digit area: its top and width, and the height of two lines
	Font       float64 `json:"-"` // base font size in CSS pixels
	Line       float64 `json:"-"` // line height in CSS pixels
	Scale      float64 `json:"-"` // device pixels per CSS pixel
	Gap        float64 `json:"-"` // the space between parts
	// TextHeight is the height of a line of text's ink per unit of font
	// size, the face's ascent and descent (Frame.TextHeight).
	TextHeight float64 `json:"-"`
}

// Frame is what a layout is computed from: the frame's size in CSS pixels,
// the device pixels per CSS pixel, the chrome, the panels of the tabs and
// the font's proportions.
type Frame struct {
	W, H, Scale float64
	Controls    Controls
	Tabs        []Panel
	// TextHeight is the font's ascent plus descent per unit of font size
	// (the game measures its bold face): how far a line of text reaches
	// above and below its centre, which decides where partial redraws must
	// paint. 0 stands for 1.2, about that of most fonts.
	TextHeight float64
}

// defaultTextHeight is Frame.TextHeight when none is given.
const defaultTextHeight = 1.2

// ComputeLayout lays the widget out in frame f with panel p in its main
// area. Images get a whole number of device pixels per image pixel, so
// nearest-neighbour scaling draws every pixel of the 28×28 digit as an equal
// square; edges fall on device pixels. Slider labels are filled in by
// NameSliders, which knows the ranking.
func ComputeLayout(f Frame, p PanelSpec) Layout {
	scale := f.Scale
	if !(scale > 0) || math.IsInf(scale, 0) {
		scale = 1
	}
	w, h := max(f.W, 0), max(f.H, 0)
	l := Layout{Scale: scale, TextHeight: f.TextHeight, Panel: p.Name, Controls: f.Controls}
	if !(l.TextHeight > 0) {
		l.TextHeight = defaultTextHeight
	}
	pad := clamp(0.03*min(w, h), 6, 20)
	l.Gap = clamp(0.01*w, 2, 8)
	gap := l.Gap
	bh := clamp(0.075*h, 24, 44)
	l.Font = clamp(min(0.42*bh, w/36), 10, 16)
	l.Line = math.Ceil(l.Font * 1.45)
	snap, fit := l.snap, l.fit

	l.Chooser, l.Tabs, l.Sliders, l.Grid = []Button{}, []Button{}, []Slider{}, []Rect{}
	top := snap(pad)
	if f.Controls != Minimal {
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
	if f.Controls != Minimal {
		tw := min(snap((w-2*pad-3*gap)/7), snap(7*l.Font))
		for i, p := range f.Tabs {
			x0 := snap(pad + float64(i)*(tw+gap))
			l.Tabs = append(l.Tabs, Button{Label: string(p), Rect: Rect{X: x0, Y: l.Info.Y, W: tw, H: th}})
		}
	}
	if f.Controls == Minimal { // no info line: the panel reaches the bottom
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
	if p.Place != nil {
		p.Place(&l, area)
	}

	// What the partial redraws repaint, from the boxes placed.
	if l.Digit.W > 0 {
		l.DigitPaint = l.Digit.Inset(-3)
	}
	left, right := l.Info.X, l.Info.X+l.Info.W
	if n := len(l.Tabs); n > 0 {
		left = l.Tabs[n-1].X + l.Tabs[n-1].W + 12
	}
	l.InfoRoom = Rect{X: left, Y: l.Info.Y, W: right - left, H: l.Info.H}
	l.InfoPaint = Rect{X: left - 4, Y: l.Info.Y - 2, W: right - left + 8, H: l.Info.H + 4}
	if l.Info.H > 0 || len(l.Tabs) > 0 {
		r := l.Info
		for _, t := range l.Tabs {
			r = r.union(t.Rect)
		}
		l.BottomPaint = Rect{X: 0, Y: r.Y - 2, W: w, H: r.H + 4}
	}
	return l
}

// snap rounds v to whole device pixels.
func (l *Layout) snap(v float64) float64 { return math.Round(v*l.Scale) / l.Scale }

// fit returns the largest size ≤ v that holds a whole number of device
// pixels per image pixel, when two or more fit; below that, rounding down
// to one device pixel per image pixel would halve the image.
func (l *Layout) fit(v float64) float64 {
	dev := math.Floor(max(v, 0) * l.Scale)
	if dev >= 2*ImageSide {
		dev -= math.Mod(dev, ImageSide)
	}
	return dev / l.Scale
}

// BannerBox returns where the error banner is drawn with lines lines of
// text: at Banner's top, as wide, with the padding Banner gives two lines.
func (l *Layout) BannerBox(lines int) Rect {
	gap := (l.Banner.H - 2*l.Line) / 2
	b := l.Banner
	b.H = float64(lines)*l.Line + 2*gap
	return b
}

// Hit maps a click or tap at (x, y) CSS pixels to an intent. banner is where
// the error banner is drawn, covering what lies below it (the zero Rect when
// hidden); row tells whether the row of labels is showing (the conditional
// VAE is selected), whose cells choose their label where CellsChoose says
// so.
func (l Layout) Hit(x, y float64, banner Rect, row bool) Intent {
	if banner.Contains(x, y) {
		return Intent{Action: Dismiss}
	}
	for i, b := range l.Chooser {
		if b.Contains(x, y) {
			return ChooserIntent(i)
		}
	}
	for _, b := range l.Tabs {
		if b.Contains(x, y) {
			return Intent{Action: ShowPanel, Panel: Panel(b.Label)}
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
	if row && l.CellsChoose {
		for i, c := range l.Cells {
			if c.Contains(x, y) {
				return Intent{Action: Choose, Kind: CVAE, Digit: i}
			}
		}
	}
	return Intent{}
}

func clamp(v, lo, hi float64) float64 { return max(lo, min(v, hi)) }
