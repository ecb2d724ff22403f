package widget

import (
	"errors"
	"math"
	"slices"
)

// PanelDraw shows a pad to draw a digit on: the drawing is encoded,
// reconstructed, scored and placed in latent space, and its z decoded under
// every label in the row.
const PanelDraw Panel = "draw"

// DrawSpec is the draw panel.
var DrawSpec = PanelSpec{Name: PanelDraw, Place: placeDraw}

// placeDraw puts the pad on the left under a caption line, with the clear
// and morph buttons below it; on the right the reconstruction, its score
// (two lines) and where the drawing landed in latent space. The row stays:
// the drawing's z under every label.
func placeDraw(l *Layout, area Rect) {
	l.CellsChoose = true
	gap := l.Gap
	area.H = max(l.RowCaption.Y-gap-area.Y, 0)
	below := l.Line + 6 + 2*gap // the buttons under the pad
	side := l.fit(min((area.W-6*gap)*0.58, area.H-l.Line-gap-below))
	right := min(side, area.W-side-6*gap)
	x0 := l.snap(area.X + (area.W-side-6*gap-right)/2)
	y := l.snap(area.Y + l.Line + gap + max(0, (area.H-l.Line-gap-below-side)/2))
	l.Pad = Rect{X: x0, Y: y, W: side, H: side}
	x1 := l.snap(x0 + side + 6*gap)
	d := l.fit(min(right, 0.55*side))
	l.Digit = Rect{X: x1, Y: y, W: d, H: d}
	landY := l.snap(y + d + 2*l.Line + 2*gap)
	l.Land = Rect{X: x1, Y: landY, W: l.snap(right), H: max(l.snap(y+side-landY), 0)}
	bh := l.snap(max(l.Line+6, 24))
	bw := l.snap(min(side/2-gap, 5*l.Font))
	l.Clear = Rect{X: x0, Y: l.snap(y + side + gap), W: bw, H: bh}
	l.Morph = Rect{X: l.snap(x0 + bw + gap), Y: l.Clear.Y, W: l.snap(min(side-bw-gap, 12*l.Font)), H: bh}

	// The captions over the pad and the reconstruction, the model's view
	// of the drawing in the pad's corner, the score's two lines, and the
	// plot of where the drawing landed between its title line and its two
	// caption lines.
	l.PadCaption = Rect{X: x0, Y: y - l.Line - 2, W: x1 + d - x0, H: l.Line}
	l.Thumb = Rect{X: x0 + side - thumbSide - 6, Y: y + 6, W: thumbSide, H: thumbSide}
	l.Score = Rect{X: x1, Y: y + d + 4, W: d, H: 2 * l.Line}
	r := l.Land
	l.LandBox = Rect{X: r.X, Y: r.Y + l.Line + 4, W: r.W, H: r.H - 3*l.Line - 8}
}

// thumbSide is the side of the drawing as the model reads it, in the pad's
// corner: two CSS pixels per image pixel.
const thumbSide = 2 * ImageSide

// Pad is the draw panel's state: the drawing, and what the last encode made
// of it. The zero value is an empty pad.
type Pad struct {
	drawing Drawing
	strokes int
	has     bool      // the drawing has been encoded
	under   Selection // under which selection
	mu      []float64 // where it landed; nil before an encode
	prevMu  []float64 // where the drawing before the last clear landed
	encodes int       // drawings encoded since the widget started
	nats    float64   // the last encode's score, to a tenth
	pct     *float64  // and its percentile
	label   int       // the label of the row of the drawing's style,
	styled  bool      // when the row holds it
}

// Drawing returns the drawing (not to be modified).
func (p *Pad) Drawing() *Drawing { return &p.drawing }

// Stroke adds q (in the pad's own coordinates, 0..1) to the drawing: the
// start of a stroke, or the next point of the one being drawn.
func (p *Pad) Stroke(q Point, start bool) {
	if start {
		p.strokes++
	}
	p.drawing.Add(q, start)
}

// Lift ends the stroke being drawn.
func (p *Pad) Lift() { p.drawing.End() }

// Clear clears the pad. Where the drawing landed is kept as the start of a
// morph to the next drawing.
func (p *Pad) Clear() {
	if p.has && p.mu != nil {
		p.prevMu = p.mu
	}
	*p = Pad{prevMu: p.prevMu, encodes: p.encodes}
}

// Encoded records an encode of the drawing under sel: it landed at mu and
// scored nats (pct is its percentile, or nil without the test set's).
func (p *Pad) Encoded(sel Selection, mu []float64, nats float64, pct *float64) {
	p.has, p.under, p.mu = true, sel, slices.Clone(mu)
	p.encodes++
	p.nats, p.pct = math.Round(nats*10)/10, pct
}

// Styled records the row of the drawing's style: under label, or none.
func (p *Pad) Styled(label int, ok bool) { p.label, p.styled = label, ok }

// HasEncoded reports whether the drawing has been encoded.
func (p *Pad) HasEncoded() bool { return p.has }

// Style returns the label of the row of the drawing's style, and whether
// the row holds it.
func (p *Pad) Style() (label int, ok bool) { return p.label, p.styled }

// Mu returns where the drawing landed, nil before an encode.
func (p *Pad) Mu() []float64 { return p.mu }

// EncodedKind returns the kind of model the drawing was last encoded with.
func (p *Pad) EncodedKind() Kind { return p.under.Kind }

// Rechoose reports whether the drawing must be encoded again now that sel
// is chosen: another model or digit reads it anew (the style of the
// drawing, written as another digit), while a new seed changes nothing.
func (p *Pad) Rechoose(sel Selection) bool {
	if !p.has || p.under == sel {
		return false
	}
	again := p.under.Kind != sel.Kind || p.under.Digit != sel.Digit
	p.under = sel
	return again
}

// CanMorph reports whether there are two drawings to morph between.
func (p *Pad) CanMorph() bool { return p.prevMu != nil && p.has }

// MorphEnds returns the ends of the morph: from the drawing before the last
// clear to this one.
func (p *Pad) MorphEnds() (from, to []float64, err error) {
	if p.prevMu == nil || p.mu == nil || len(p.prevMu) != len(p.mu) {
		return nil, nil, errors.New("morph needs two drawings: draw one, clear the pad, draw another")
	}
	return p.prevMu, p.mu, nil
}

// Report returns what the state report says of the pad.
func (p *Pad) Report() DrawReport {
	r := DrawReport{Strokes: p.strokes, Encodes: p.encodes, Nats: p.nats, Percentile: p.pct, Label: -1}
	if p.styled {
		r.Label = p.label
	}
	return r
}
