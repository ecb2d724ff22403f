//go:build js

package game

import (
	"fmt"
	"math"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/inpututil"
	"github.com/hajimehoshi/ebiten/v2/text/v2"

	"vaeplay/wasm/widget"
)

// slidersPanel shows the digit beside sliders for the temperature and the
// latent dimensions the model's ranking puts first. A slider follows the
// pointer pressed on its line; the arrow keys choose one (up, down) and
// move it (left, right). Dragging one redraws only what changed (a
// partialPanel).
type slidersPanel struct {
	basePanel
	focus widget.SliderFocus // the slider the arrow keys move
	// The frame about to be drawn and the one on the screen, as far as
	// they decide the damage regions; rows are kept between frames.
	next, shown sliderFrame
}

// rowKey is what one slider's row shows beyond the frameKey.
type rowKey struct {
	v       float64
	ok      bool // v is shown
	focused bool
}

// sliderFrame is what a frame of the sliders panel shows inside the damage
// regions that decides their size: each slider row, and whether the info
// line lies right of the tabs (infoFits).
type sliderFrame struct {
	rows     []rowKey
	infoFits bool
}

func newSlidersPanel() *slidersPanel { return &slidersPanel{basePanel: basePanel{widget.SlidersSpec}} }

// dim returns the latent dimension of slider i ≥ 1 and the latent size of
// the selected model, or -1 when its model is not loaded.
func (s *slidersPanel) dim(g *Game, i int) (dim, latent int) {
	k := g.state.Selection().Kind
	if g.models().Model(k) == nil {
		return -1, 0
	}
	return widget.SliderDim(g.models().Ranking(k), i), g.models().Latent(k)
}

// value returns slider i's current value: the temperature, or the latent
// coordinate of the digit last decoded.
func (s *slidersPanel) value(g *Game, i int) (float64, bool) {
	if i == 0 {
		return g.state.Temperature(), true
	}
	dim, _ := s.dim(g, i)
	if dim < 0 || !g.digit.ok || dim >= len(g.digit.z) {
		return 0, false
	}
	return g.digit.z[dim], true
}

// set sets slider i to v.
func (s *slidersPanel) set(g *Game, i int, v float64) {
	if i == 0 {
		g.setTemperature(v)
		return
	}
	dim, latent := s.dim(g, i)
	if dim >= 0 && g.state.SetCoordinate(latent, dim, v) {
		g.screen.dirty = true
	}
}

// slide sets slider i to the value under x.
func (s *slidersPanel) slide(g *Game, i int, x float64) {
	sl := g.screen.layout.Sliders
	if i < 0 || i >= len(sl) {
		return
	}
	s.set(g, i, widget.SliderValue(i, sl[i].Rect, x))
}

func (s *slidersPanel) press(g *Game, in widget.Intent, x, _ float64) (drag, bool) {
	if in.Action != widget.Slide {
		return nil, false
	}
	i := in.Slider
	s.focus = widget.SliderFocus(i)
	s.slide(g, i, x)
	return func(x, _ float64, _ bool) { s.slide(g, i, x) }, true
}

func (s *slidersPanel) keys(g *Game) {
	n := len(g.screen.layout.Sliders)
	if n == 0 {
		return
	}
	switch {
	case inpututil.IsKeyJustPressed(ebiten.KeyArrowUp):
		s.focus.Move(-1, n)
		g.screen.dirty = true
	case inpututil.IsKeyJustPressed(ebiten.KeyArrowDown):
		s.focus.Move(1, n)
		g.screen.dirty = true
	}
	for _, d := range []struct {
		key  ebiten.Key
		sign float64
	}{{ebiten.KeyArrowLeft, -1}, {ebiten.KeyArrowRight, 1}} {
		if repeated(d.key) {
			i := int(s.focus)
			if v, ok := s.value(g, i); ok {
				s.set(g, i, v+d.sign*widget.SliderStep(i))
			}
		}
	}
}

func (s *slidersPanel) draw(g *Game, p painter) {
	g.drawDigit(p, g.digit.img, true)
	s.drawSliders(g, p, widget.Rect{})
}

// Damage parts of the sliders panel, in draw's order.
const (
	partDigit = 1 << iota
	partSliders
	// partImage is the digit's image alone, which covers its box with
	// opaque pixels: a region that holds nothing else is repainted with it
	// alone, its frame left as it is.
	partImage
)

func (s *slidersPanel) paintParts(g *Game, p painter, d damage) {
	if d.parts&partImage != 0 {
		p.image(g.digit.img, g.screen.layout.Digit)
	}
	if d.parts&partDigit != 0 {
		g.drawDigit(p, g.digit.img, true)
	}
	if d.parts&partSliders != 0 {
		s.drawSliders(g, p, d.r)
	}
}

// damage describes the frame about to be drawn and returns the regions
// that a slider's move changes from the frame on the screen: the digit's
// image (or, where another part reaches into it, the digit with its frame),
// the rows that changed when each holds its drawing (else the whole list),
// and the info line's room right of the tabs when its text fits there, now
// and on the screen (else the whole bottom line).
func (s *slidersPanel) damage(g *Game) ([]damage, bool) {
	sc := &g.screen
	l := sc.layout
	rows := s.next.rows[:0]
	for i := range l.Sliders {
		v, ok := s.value(g, i)
		rows = append(rows, rowKey{v, ok, i == int(s.focus)})
	}
	s.next = sliderFrame{rows: rows, infoFits: g.infoFits()}

	var regions []widget.Rect
	var ds []damage
	switch {
	case l.Digit.W <= 0:
	case !sc.overlap(l.Digit, l.SliderPaint) && !sc.overlap(l.Digit, l.BottomPaint):
		// Only the image changes: repainting the digit's frame and the
		// background under the image would triple the pixels of the frame.
		ds = append(ds, damage{r: l.Digit, parts: partImage, opaque: true})
	default:
		regions = append(regions, l.DigitPaint)
	}
	if len(l.Sliders) > 0 {
		if len(s.next.rows) == len(s.shown.rows) && l.RowsPaint {
			for i, sl := range l.Sliders {
				if s.next.rows[i] != s.shown.rows[i] {
					regions = append(regions, sl.Paint)
				}
			}
		} else {
			regions = append(regions, l.SliderPaint)
		}
	}
	if l.BottomPaint != (widget.Rect{}) {
		if s.next.infoFits && s.shown.infoFits {
			regions = append(regions, l.InfoPaint)
		} else {
			regions = append(regions, l.BottomPaint)
		}
	}
	for _, r := range regions {
		d := damage{r: r}
		if sc.overlap(r, l.DigitPaint) {
			d.parts |= partDigit
		}
		if len(l.Sliders) > 0 && sc.overlap(r, l.SliderPaint) {
			d.parts |= partSliders
		}
		if sc.overlap(r, l.BottomPaint) {
			d.parts |= partBottom
		}
		ds = append(ds, d)
	}
	return ds, true
}

func (s *slidersPanel) drawn() {
	// Swap, so that the rows of the frame before are reused.
	s.next, s.shown = s.shown, s.next
}

// kl returns the KL in nats of slider i's latent dimension when the
// weights carry latent_kl, else -1.
func (s *slidersPanel) kl(g *Game, i int) float64 {
	if i == 0 {
		return -1
	}
	kl := g.models().KL(g.state.Selection().Kind)
	dim, _ := s.dim(g, i)
	if kl == nil || dim < 0 || dim >= len(kl) {
		return -1
	}
	return kl[dim]
}

// drawSliders draws the temperature slider and the latent sliders, each
// with its label and value, and the hint above them; the one the arrow
// keys move is marked. With a region to repaint (a zero one is the whole
// screen), it leaves out the rows that cannot paint in it, when each row's
// drawing stays in its Slider.Paint, and the hint when it is not there.
func (s *slidersPanel) drawSliders(g *Game, p painter, region widget.Rect) {
	sc := &g.screen
	l := sc.layout
	clip := region != (widget.Rect{}) && l.RowsPaint
	small := p.face(0.85*l.Font, false)
	bold := p.face(0.85*l.Font, true)
	for i, sl := range l.Sliders {
		if clip && !sc.overlap(region, sl.Paint) {
			continue
		}
		cy := sl.Y + sl.H/2
		label := sl.Label
		if i > 0 && label == "z" {
			label = "z…"
		}
		focused := i == int(s.focus)
		lf, ink := small, mutedColor
		if focused {
			lf, ink = bold, textColor
		}
		p.text(label, lf, sl.Row.X, cy, text.AlignStart, ink)
		if kl := s.kl(g, i); kl >= 0 {
			p.text(fmt.Sprintf("%.1f", kl), p.face(0.7*l.Font, false), sl.Row.X+p.width(label, lf)+4, cy, text.AlignStart, mutedColor)
		}
		p.fill(sl.Bar, 2, progressTrack)
		if i > 0 { // the prior's centre, 0
			mid := widget.SliderX(i, sl.Rect, 0)
			p.fill(widget.Rect{X: mid - 0.5, Y: cy - 6, W: 1, H: 12}, 0, disabledColor)
		}
		v, ok := s.value(g, i)
		if !ok {
			continue
		}
		x := widget.SliderX(i, sl.Rect, v)
		lo := widget.SliderX(i, sl.Rect, 0)
		if i == 0 {
			lo = sl.X
		}
		p.fill(widget.Rect{X: min(lo, x), Y: sl.Bar.Y, W: math.Abs(x - lo), H: sl.Bar.H}, 2, accentColor)
		r := sl.Knob
		knob := widget.Rect{X: x - r, Y: cy - r, W: 2 * r, H: 2 * r}
		if focused {
			p.ring(knob.Inset(-3), r+3, 3, accentSoft, accentSoft)
		}
		p.ring(knob, r, 2, accentColor, cardColor)
		val := fmt.Sprintf("%+.2f", v)
		if i == 0 {
			val = fmt.Sprintf("%.2f", v)
		}
		p.text(val, small, sl.Row.X+sl.Row.W, cy, text.AlignEnd, textColor)
	}
	if len(l.Sliders) > 0 && !(clip && !sc.overlap(region, l.Hint)) {
		hint := "drag, or ↑↓ choose and ←→ move · ranked by decoder use"
		if g.models().KL(g.state.Selection().Kind) != nil {
			hint = "drag, or ↑↓ choose and ←→ move · ranked by KL in nats (test set)"
		}
		if p.width(hint, small) <= l.Hint.W {
			p.text(hint, p.face(0.75*l.Font, false), l.Hint.X, mid(l.Hint), text.AlignStart, mutedColor)
		}
	}
}
