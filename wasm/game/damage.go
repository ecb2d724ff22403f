//go:build js

package game

import (
	"image"
	"math"

	"github.com/hajimehoshi/ebiten/v2"

	"vaeplay/wasm/widget"
)

// Partial redraws. Dragging a slider changes a frame's digit, sliders and
// info line and nothing else, yet a full redraw repaints the whole canvas:
// on a software GL (a laptop without GPU acceleration, headless Chromium)
// filling those pixels is most of a frame. So a panel that knows which of
// its parts a frame changed (a partialPanel: the sliders) repaints only
// those damage regions when the frame's surroundings did not change.
//
// Why this leaves no stale pixels:
//   - frameKey holds every input of what a full draw paints outside the
//     damage regions (the layout, through its generation, the selection,
//     the models' availability for the chooser, the hover, the banner). A
//     partial redraw needs the key of the frame on the screen to be equal,
//     so after a resize, a panel or model change, an error, a hover change
//     or while the digit is loading the whole widget is drawn.
//   - The regions hold every pixel that can change. Where each part can
//     paint is the layout's to say (widget.Layout's DigitPaint,
//     SliderPaint, Slider.Paint, InfoPaint, BottomPaint), computed from
//     the same boxes the drawing uses. A region that would meet the
//     chooser (which is not repainted) means a full draw instead.
//   - Each region is repainted as a full draw would paint it: background,
//     then, in draw's order and whole, every part that can paint in it,
//     clipped to the region (a sub-image of the screen), so nothing
//     outside it is touched. Regions may overlap: each paints its pixels
//     as a full draw would.

// frameKey is what a full draw paints outside the damage regions depends
// on, besides constants.
type frameKey struct {
	layoutGen   int
	w, h, scale float64
	panel       widget.Panel
	sel         widget.Selection
	hover       widget.Intent
	avail       [len(widget.Kinds)]widget.Availability
	banner      int  // errors on the banner
	current     bool // the digit shows what is decoded (else a loading message, which may be wider)
}

func (g *Game) frameKey() frameKey {
	sc := &g.screen
	k := frameKey{
		layoutGen: sc.layoutGen,
		w:         sc.w, h: sc.h, scale: sc.scale,
		panel:   sc.layout.Panel,
		sel:     g.state.Selection(),
		hover:   sc.hover,
		banner:  len(g.state.Banner()),
		current: g.current(),
	}
	for i, kind := range widget.Kinds {
		k.avail[i] = g.models().Availability(kind)
	}
	return k
}

// A partialPanel can repaint a frame in damage regions.
type partialPanel interface {
	panel
	// damage returns the regions, in CSS pixels, that change from the
	// frame on the screen to the one about to be drawn, each with the
	// parts that paint in it, or false when the frame needs a full draw.
	// drawFrame calls it once a frame, on this panel only (it may measure
	// text), and drawn after drawing either way.
	damage(g *Game) ([]damage, bool)
	// paintParts paints the panel's parts of damage region d, in draw's
	// order; p's destination is d's part of the screen.
	paintParts(g *Game, p painter, d damage)
	// drawn records that the frame damage described is on the screen.
	drawn()
}

// A damage region in CSS pixels, and the parts that paint in it: bits the
// partialPanel gives meaning to, and partBottom, the tabs and info line.
// An opaque region's parts paint every pixel of it that changes with
// opaque ones, so it is not cleared to the background first; the rest of
// it keeps what the screen holds.
type damage struct {
	r      widget.Rect
	parts  int
	opaque bool
}

// partBottom is the damage part of the tabs and the info line.
const partBottom = 1 << 30

// drawDamage repaints the damage regions ds of panel pp, when the screen
// holds a frame with an equal frameKey (the caller checks). It reports
// false, having drawn nothing, when the frame needs a full draw.
func (g *Game) drawDamage(screen *ebiten.Image, pp partialPanel, ds []damage) bool {
	sc := &g.screen
	l := sc.layout
	// The banner lies over the digit; a digit not decoded yet shows a
	// loading message, which can be wider than the digit.
	if l.Panel != pp.spec().Name || len(g.state.Banner()) > 0 || !g.current() {
		return false
	}
	rects := make([]image.Rectangle, len(ds))
	for i, d := range ds {
		rects[i] = sc.device(d.r)
		for _, b := range l.Chooser {
			if rects[i].Overlaps(sc.device(b.Rect)) {
				return false
			}
		}
	}
	for i, d := range ds {
		r := rects[i].Intersect(screen.Bounds())
		if r.Empty() {
			continue
		}
		p := sc.painter(screen.SubImage(r).(*ebiten.Image))
		if !d.opaque {
			p.dst.Fill(bgColor)
		}
		pp.paintParts(g, p, d)
		if d.parts&partBottom != 0 {
			g.drawTabs(p)
			g.drawInfo(p)
		}
	}
	sc.banner = widget.Rect{} // as drawBanner leaves it with no errors
	return true
}

// device returns r in CSS pixels widened to whole device pixels.
func (sc *screen) device(r widget.Rect) image.Rectangle {
	s := sc.scale
	return image.Rect(int(math.Floor(r.X*s)), int(math.Floor(r.Y*s)), int(math.Ceil((r.X+r.W)*s)), int(math.Ceil((r.Y+r.H)*s)))
}

// overlap reports whether a and b, in CSS pixels, share device pixels.
func (sc *screen) overlap(a, b widget.Rect) bool {
	return a != (widget.Rect{}) && b != (widget.Rect{}) && sc.device(a).Overlaps(sc.device(b))
}
