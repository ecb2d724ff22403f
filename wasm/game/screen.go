//go:build js

package game

import (
	"github.com/hajimehoshi/ebiten/v2"

	"vaeplay/wasm/widget"
)

// screen is what the game draws on: the frame's size, its layout, what the
// mouse hovers, and what the frame on the screen shows, for partial
// redraws (damage.go).
type screen struct {
	// The frame in CSS pixels, device pixels per CSS pixel, the layout
	// and how it came about.
	w, h, scale float64
	layout      widget.Layout
	layoutKind  widget.Kind // the model whose ranking names the sliders
	layoutGen   int         // counts relayouts, so that a frameKey tells layouts apart
	textHeight  float64     // the bold face's ascent and descent per unit of size

	hover  widget.Intent
	banner widget.Rect // where the error banner was last drawn
	// focused tells whether the widget's document has the keyboard focus,
	// once focusKnown.
	focused, focusKnown bool

	fonts *fonts
	masks map[int]*mask
	ink   inkImages

	dirty bool     // the screen needs drawing
	key   frameKey // what the frame on the screen drew outside the damage regions
	has   bool     // the screen holds a frame: key describes it
}

func newScreen() (screen, error) {
	f, err := newFonts()
	if err != nil {
		return screen{}, err
	}
	// The bold face is the taller; metrics scale with the size.
	p := painter{scale: 1, fonts: f}
	const size = 100
	m := p.face(size, true).Metrics()
	return screen{scale: 1, dirty: true, fonts: f, masks: make(map[int]*mask), textHeight: (m.HAscent + m.HDescent) / size}, nil
}

// painter returns a painter of dst at the screen's scale.
func (sc *screen) painter(dst *ebiten.Image) painter {
	return painter{dst: dst, scale: sc.scale, fonts: sc.fonts, masks: sc.masks}
}

// current reports whether the digit decoded is the one the state asks for.
func (g *Game) current() bool { return g.digit.ok && g.digit.view == g.state.View() }

// hit maps a point in CSS pixels to the intent of what lies there.
func (g *Game) hit(x, y float64) widget.Intent {
	var banner widget.Rect
	if len(g.state.Banner()) > 0 {
		banner = g.screen.banner
	}
	return g.screen.layout.Hit(x, y, banner, g.state.Selection().Kind == widget.CVAE)
}

// hoverCursor gives the mouse hover feedback: what it hovers is drawn so,
// and the cursor turns into a hand over anything that takes a click. Touch
// screens simply never hover.
func (g *Game) hoverCursor() {
	sc := &g.screen
	cx, cy := ebiten.CursorPosition()
	h := g.hit(float64(cx)/sc.scale, float64(cy)/sc.scale)
	if h == sc.hover {
		return
	}
	sc.hover = h
	sc.dirty = true
	if h.Action != widget.NoAction {
		ebiten.SetCursorShape(ebiten.CursorShapePointer)
	} else {
		ebiten.SetCursorShape(ebiten.CursorShapeDefault)
	}
}

// drawFrame draws the frame: only the damage regions when the panel can
// repaint them and the screen holds a frame with the same surroundings,
// else the whole widget.
func (g *Game) drawFrame(screen *ebiten.Image) {
	sc := &g.screen
	key := g.frameKey()
	pp, partial := g.panel().(partialPanel)
	if !partial {
		g.draw(screen)
		sc.key, sc.has = key, true
		return
	}
	ds, ok := pp.damage(g)
	if !ok || !sc.has || key != sc.key || !g.drawDamage(screen, pp, ds) {
		g.draw(screen)
	}
	pp.drawn()
	sc.key, sc.has = key, true
}

// draw paints the whole widget: the chooser, the panel, the tabs, the info
// line and the banner, in that order.
func (g *Game) draw(screen *ebiten.Image) {
	screen.Fill(bgColor)
	p := g.screen.painter(screen)
	g.drawChooser(p)
	g.panel().draw(g, p)
	g.drawTabs(p)
	g.drawInfo(p)
	g.drawBanner(p)
}
