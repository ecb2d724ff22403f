//go:build js

package game

import (
	"fmt"
	"image/color"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/text/v2"
	"github.com/hajimehoshi/ebiten/v2/vector"

	"vaeplay/wasm/widget"
)

// drawPanel is the pad the reader draws a digit on (mouse, finger or pen).
// Lifting the pen encodes the drawing: its μ becomes z, so the digit is its
// reconstruction, scored by its ELBO; the row shows its style under every
// label; and it lands on the map's plane too. Clear keeps where it landed,
// so that morph can interpolate from it to the next drawing.
type drawPanel struct {
	basePanel
	pad   widget.Pad
	seen  *ebiten.Image   // the drawing as the model reads it
	style []*ebiten.Image // the drawing's CVAE z under every label
	pens  int             // pointers drawing on the pad
}

func newDrawPanel() *drawPanel {
	return &drawPanel{basePanel: basePanel{widget.DrawSpec}, seen: newImages(1)[0], style: newImages(widget.Digits)}
}

// update encodes the drawing again when another model or digit is chosen:
// the style of the drawing, written as another digit.
func (s *drawPanel) update(g *Game) {
	if s.pens == 0 && s.pad.Rechoose(g.state.Selection()) {
		s.encode(g)
	}
}

func (s *drawPanel) press(g *Game, in widget.Intent, x, y float64) (drag, bool) {
	switch in.Action {
	case widget.Pen:
		s.pens++
		s.stroke(g, x, y, true)
		return func(x, y float64, done bool) {
			s.stroke(g, x, y, false)
			if done {
				s.pens--
				s.pad.Lift()
				s.encode(g)
			}
		}, true
	case widget.ClearPad: // at once, on the press
		s.clear(g)
		return nil, true
	}
	return nil, false
}

// apply carries out the pad's taps and keys: C clears it, a tap on morph
// (or M) interpolates from the previous drawing to this one.
func (s *drawPanel) apply(g *Game, in widget.Intent) bool {
	switch in.Action {
	case widget.ClearPad:
		s.clear(g)
	case widget.Morph:
		from, to, err := s.pad.MorphEnds()
		if err != nil {
			g.state.Fail(err)
			return true
		}
		g.state.SetMorph(from, to)
		g.relayout()
		g.screen.dirty = true
	default:
		return false
	}
	return true
}

func (s *drawPanel) clear(g *Game) {
	s.pad.Clear()
	g.screen.dirty = true
}

// stroke adds the point (x, y) in CSS pixels to the drawing.
func (s *drawPanel) stroke(g *Game, x, y float64, start bool) {
	pad := g.screen.layout.Pad
	if pad.W <= 0 {
		return
	}
	s.pad.Stroke(widget.Point{X: (x - pad.X) / pad.W, Y: (y - pad.Y) / pad.H}, start)
	g.screen.dirty = true
}

// encode encodes the drawing with the selected model (under the selected
// digit for the CVAE), makes its μ the current z, so the reconstruction is
// the digit decoded from z, and keeps its score.
func (s *drawPanel) encode(g *Game) {
	sel := g.state.Selection()
	m := g.models().Model(sel.Kind)
	x := s.pad.Drawing().Raster()
	if m == nil || x == nil {
		return
	}
	g.screen.ink.write(s.seen, x)
	enc, err := widget.Encode(m, x, sel.Digit)
	if err != nil {
		g.state.Fail(fmt.Errorf("encoding the drawing: %w", err))
		return
	}
	g.state.SetZ(widget.FullSpace, enc.Mu)
	var pct *float64
	if ps := g.models().Percentiles(sel.Kind); ps != nil {
		p := widget.Percentile(ps, enc.Nats)
		pct = &p
	}
	s.pad.Encoded(sel, enc.Mu, enc.Nats, pct)
	s.styleRow(g, x, sel)
	s.land(g)
	g.screen.dirty = true
}

// styleRow fills the row: the drawing encoded with the conditional VAE
// (under the chosen digit, or under "any" the label it reads best as) and
// that z decoded under every label.
func (s *drawPanel) styleRow(g *Game, x []float64, sel widget.Selection) {
	s.pad.Styled(-1, false)
	cm := g.fullModel(widget.CVAE)
	if cm == nil {
		return
	}
	label, enc, err := sel.Digit, widget.Encoding{}, error(nil)
	if sel.Kind == widget.CVAE {
		enc, err = widget.Encode(cm.m, x, label)
	} else {
		label, enc, err = widget.ReadLabel(cm.m, x)
	}
	if err != nil {
		g.state.Fail(fmt.Errorf("style of the drawing: %w", err))
		return
	}
	decodeRow(g, *cm, enc.Mu, s.style)
	s.pad.Styled(label, true)
}

// land encodes the drawing with the map's model of the selected kind and
// makes its μ the map's point, so that the map panel shows where the
// drawing lands in a plane. The map's model is asked for if it has not
// been; loaded lands the drawing when it arrives.
func (s *drawPanel) land(g *Game) {
	sel := g.state.Selection()
	x := s.pad.Drawing().Raster()
	d := g.mapModel(sel.Kind)
	if d == nil || x == nil || !s.pad.HasEncoded() {
		return
	}
	enc, err := widget.Encode(d.m, x, sel.Digit)
	if err != nil {
		g.state.Fail(fmt.Errorf("placing the drawing on the map: %w", err))
		return
	}
	g.state.SetZ(widget.PlaneSpace, enc.Mu)
}

// loaded lands the drawing on the map when the map's model of its kind
// arrives.
func (s *drawPanel) loaded(g *Game, msg widget.Loaded) {
	if msg.Role == widget.MapModel && msg.Err == nil && s.pad.HasEncoded() && s.pad.EncodedKind() == msg.Kind {
		s.land(g)
	}
}

func (s *drawPanel) report(r *widget.Report) { r.Draw = s.pad.Report() }

// draw draws the pad with its strokes, the drawing as the model reads it
// (28×28, normalized as MNIST was), the clear and morph buttons, the
// reconstruction with its score, where the drawing landed and the row of
// its style.
func (s *drawPanel) draw(g *Game, p painter) {
	s.drawPad(g, p)
	g.drawDigit(p, g.digit.img, false)
	s.drawStyleRow(g, p)
}

func (s *drawPanel) drawPad(g *Game, p painter) {
	l := g.screen.layout
	pad, d := l.Pad, l.Digit
	if pad.W <= 0 {
		return
	}
	small := p.face(0.85*l.Font, false)
	bold := p.face(0.85*l.Font, true)
	capY := mid(l.PadCaption)
	p.text("Draw a digit here", bold, pad.X, capY, text.AlignStart, textColor)
	label := "Encoded and decoded"
	if sel := g.state.Selection(); sel.Kind == widget.CVAE {
		label = fmt.Sprintf("Read as a %d, decoded", sel.Digit)
	}
	p.text(label, bold, d.X, capY, text.AlignStart, textColor)

	hover := g.screen.hover.Action
	edge, w := borderColor, 1.0
	if hover == widget.Pen || s.pens > 0 {
		edge, w = accentColor, 2
	}
	p.ring(pad.Inset(-w), 3+w, w, edge, cardColor)
	// The strokes: round-capped segments, without antialiasing, which a
	// software GL draws quickly.
	width := float32(0.07 * pad.W * p.scale)
	px := func(q widget.Point) (float32, float32) {
		return float32((pad.X + q.X*pad.W) * p.scale), float32((pad.Y + q.Y*pad.H) * p.scale)
	}
	drawing := s.pad.Drawing()
	for _, st := range drawing.Strokes() {
		for j, q := range st {
			x1, y1 := px(q)
			if j > 0 {
				x0, y0 := px(st[j-1])
				vector.StrokeLine(p.dst, x0, y0, x1, y1, width, inkColor, false)
			}
			vector.DrawFilledCircle(p.dst, x1, y1, width/2, inkColor, false)
		}
	}
	if drawing.Empty() {
		for i, line := range p.wrap("Draw with the mouse, a finger or a pen; lift to encode.", small, 0.8*pad.W, 3) {
			p.text(line, small, pad.X+pad.W/2, pad.Y+pad.H/2+float64(i-1)*l.Line, text.AlignCenter, mutedColor)
		}
	} else if s.pad.HasEncoded() { // what the model read: the normalized 28×28
		p.ring(l.Thumb.Inset(-1), 2, 1, borderColor, cardColor)
		p.image(s.seen, l.Thumb)
	}

	g.button(p, l.Clear, "clear", hover == widget.ClearPad, true)
	canMorph := s.pad.CanMorph()
	g.button(p, l.Morph, "morph from previous", hover == widget.Morph && canMorph, canMorph)

	if !s.pad.HasEncoded() {
		return
	}
	r := s.pad.Report()
	y := l.Score.Y + l.Line/2
	verdict := "typical"
	if pc := r.Percentile; pc != nil {
		switch {
		case *pc >= 99.5:
			verdict = "very unusual"
		case *pc >= 95:
			verdict = "unusual"
		}
		p.text(fmt.Sprintf("−ELBO %.1f nats: %s", r.Nats, verdict), bold, l.Score.X, y, text.AlignStart, textColor)
		p.text(fmt.Sprintf("percentile %.1f: %.1f%% of test digits score lower", *pc, *pc), small, l.Score.X, y+l.Line, text.AlignStart, mutedColor)
	} else {
		switch {
		case r.Nats > 250:
			verdict = "very unusual"
		case r.Nats > 160:
			verdict = "unusual"
		}
		p.text(fmt.Sprintf("−ELBO %.1f nats: %s", r.Nats, verdict), bold, l.Score.X, y, text.AlignStart, textColor)
		p.text("test digits average ≈ 100; lower is more typical", small, l.Score.X, y+l.Line, text.AlignStart, mutedColor)
	}
	s.drawLanding(g, p)
}

// drawLanding shows where the drawing landed in latent space: μ's
// coordinates, ranked as the sliders are, as bars from 0 against the
// prior's ±1 and ±2 standard deviations.
func (s *drawPanel) drawLanding(g *Game, p painter) {
	l := g.screen.layout
	r, box := l.Land, l.LandBox
	kind := g.state.Selection().Kind
	rank, mu := g.models().Ranking(kind), s.pad.Mu()
	if r.H < 5*l.Line || len(mu) == 0 || len(rank) != len(mu) {
		return
	}
	small := p.face(0.8*l.Font, false)
	p.text("Where it landed: μ per latent dimension", p.face(0.85*l.Font, true), r.X, r.Y+l.Line/2, text.AlignStart, textColor)
	p.ring(box, 3, 1, borderColor, cardColor)
	const span = 3.0 // the box spans μ in ±span
	cy := box.Y + box.H/2
	yOf := func(v float64) float64 { return cy - max(-span, min(span, v))/span*(box.H/2-2) }
	band := func(sd float64, c color.RGBA) {
		p.fill(widget.Rect{X: box.X + 1, Y: yOf(sd), W: box.W - 2, H: yOf(-sd) - yOf(sd)}, 0, c)
	}
	band(2, color.RGBA{0xf1, 0xf4, 0xf9, 0xff})
	band(1, color.RGBA{0xe6, 0xeb, 0xf3, 0xff})
	p.fill(widget.Rect{X: box.X + 1, Y: cy - 0.5, W: box.W - 2, H: 1}, 0, disabledColor)
	bw := (box.W - 8) / float64(len(rank))
	for j, dim := range rank {
		v := mu[dim]
		x := box.X + 4 + float64(j)*bw
		y0, y1 := min(cy, yOf(v)), max(cy, yOf(v))
		p.fill(widget.Rect{X: x + 0.15*bw, Y: y0, W: 0.7 * bw, H: max(1, y1-y0)}, 0, accentColor)
	}
	p.text("bars: μ of each dimension, most important left; bands: the prior's ±1σ, ±2σ", small, r.X, box.Y+box.H+l.Line/2+2, text.AlignStart, mutedColor)
	if g.models().PlaneAvailability(kind) == widget.Ready {
		p.text("the map tab shows where it lands in the 2-D model's plane", small, r.X, box.Y+box.H+1.5*l.Line+2, text.AlignStart, mutedColor)
	}
}

// drawStyleRow draws the row: the drawing's z from the conditional VAE
// decoded under every label.
func (s *drawPanel) drawStyleRow(g *Game, p painter) {
	l := g.screen.layout
	if l.Row.W <= 0 {
		return
	}
	label, styled := s.pad.Style()
	small := p.face(0.85*l.Font, false)
	capY := l.RowCaption.Y + l.RowCaption.H/2
	caption := "Your style under every label (conditional VAE)"
	if styled && g.state.Selection().Kind == widget.VAE {
		caption = fmt.Sprintf("Your style under every label: the CVAE reads it best as a %d", label)
	}
	p.text(caption, p.face(0.85*l.Font, true), l.RowCaption.X, capY, text.AlignStart, textColor)
	for dgt, c := range l.Cells {
		edge, w := borderColor, 1.0
		if styled && dgt == label {
			edge, w = accentColor, 2
		}
		var img *ebiten.Image
		if styled {
			img = s.style[dgt]
		}
		g.drawCell(p, c, w, edge, img, fmt.Sprint(dgt), small, mutedColor)
	}
}
