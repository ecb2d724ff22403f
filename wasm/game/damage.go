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
// filling those pixels is most of a frame. So on the sliders panel a frame
// whose surroundings did not change repaints only damage regions: the
// digit, the rows of the sliders that changed (or the whole list) and the
// info line.
//
// Why this leaves no stale pixels:
//   - frameKey holds every input of what a full draw paints outside the
//     damage regions (the layout, through its generation, the selection,
//     the models' availability for the chooser, the hover, the banner). A
//     partial redraw needs the key of the frame on the screen to be equal,
//     so after a resize, a panel or model change, an error, a hover change
//     or while the digit is loading the whole widget is drawn.
//   - The regions hold every pixel that can change: the digit; a slider
//     row that changed (rowKey), when the row holds its text and knob, else
//     the whole list; the info line's room right of the tabs, when its
//     text fits there in this frame and in the one on the screen, else the
//     whole bottom line. A region that would meet the chooser (which is
//     not repainted) means a full draw instead.
//   - Each region is repainted as a full draw would paint it: background,
//     then, in draw's order and whole, every part that can paint in it
//     (the hint above the first slider may reach into the digit's frame),
//     clipped to the region (a sub-image of the screen), so nothing
//     outside it is touched. Regions may overlap: each paints its pixels
//     as a full draw would.

// frameKey is what a full draw on the sliders panel paints outside the
// damage regions depends on, besides constants.
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
	k := frameKey{
		layoutGen: g.layoutGen,
		w:         g.w, h: g.h, scale: g.scale,
		panel:   g.layout.Panel,
		sel:     g.state.Selection(),
		hover:   g.hover,
		banner:  len(g.state.Banner()),
		current: g.current(),
	}
	for i, kind := range widget.Kinds {
		k.avail[i] = g.state.Availability(kind)
	}
	return k
}

// rowKey is what one slider's row shows beyond the frameKey.
type rowKey struct {
	v       float64
	ok      bool // v is shown
	focused bool
}

// sliderFrame is what a frame on the sliders panel shows inside the damage
// regions that decides their size: each slider row, and whether the info
// line lies right of the tabs (infoFits).
type sliderFrame struct {
	rows     []rowKey
	infoFits bool
}

// sliderFrame describes the frame about to be drawn, its rows appended to
// rows[:0]. Draw computes it once a frame, on the sliders panel only: it
// measures text.
func (g *Game) sliderFrame(rows []rowKey) sliderFrame {
	rows = rows[:0]
	for i := range g.layout.Sliders {
		v, ok := g.sliderValue(i)
		rows = append(rows, rowKey{v, ok, i == g.focus})
	}
	return sliderFrame{rows: rows, infoFits: g.infoFits()}
}

// Parts of the sliders panel that a damage region repaints, in draw's
// order.
const (
	partDigit = 1 << iota
	partSliders
	partBottom // tabs and info line
)

// damage is a region of the screen in device pixels and the parts that
// paint in it.
type damage struct {
	r     image.Rectangle
	parts int
}

// drawDamage repaints the damage regions of the sliders panel, when the
// screen holds a frame with an equal frameKey (the caller checks); now
// describes the frame to draw. It reports false, having drawn nothing, when
// the frame needs a full draw.
func (g *Game) drawDamage(screen *ebiten.Image, now sliderFrame) bool {
	l := g.layout
	// The banner lies over the digit; a digit not decoded yet shows a
	// loading message, which can be wider than the digit.
	if l.Panel != widget.PanelSliders || g.state.Panel() != widget.PanelSliders || len(g.state.Banner()) > 0 || !g.current() {
		return false
	}
	ds := g.damageRegions(now)
	if ds == nil {
		return false
	}
	p := painter{scale: g.scale, fonts: g.fonts, masks: g.masks}
	for _, d := range ds {
		r := d.r.Intersect(screen.Bounds())
		if r.Empty() {
			continue
		}
		p.dst = screen.SubImage(r).(*ebiten.Image)
		p.dst.Fill(bgColor)
		if d.parts&partDigit != 0 {
			g.drawDigit(p)
		}
		if d.parts&partSliders != 0 {
			g.drawSliders(p)
		}
		if d.parts&partBottom != 0 {
			g.drawTabs(p)
			g.drawInfo(p)
		}
	}
	g.banner = widget.Rect{} // as drawBanner leaves it with no errors
	return true
}

// damageRegions returns the regions of the sliders panel that a slider's
// move changes from the screen's frame to now, each with the parts whose
// pixels can fall in it, or nil when one would meet the chooser.
func (g *Game) damageRegions(now sliderFrame) []damage {
	l := g.layout
	dev := func(r widget.Rect) image.Rectangle { // r in CSS pixels, widened to whole device pixels
		s := g.scale
		return image.Rect(int(math.Floor(r.X*s)), int(math.Floor(r.Y*s)), int(math.Ceil((r.X+r.W)*s)), int(math.Ceil((r.Y+r.H)*s)))
	}
	// Where each part can paint. The digit's frame is at most 2 CSS
	// pixels wide, outside it. Knobs stay within their rows but for a
	// pixel, and for a focus ring (radius 12 at most) at a track's ends;
	// labels and values are lines of text centred on their rows, the hint
	// one centred 0.2 lines above the first (see drawSliders); a line of
	// text takes its face's ascent and descent, centred. The info line,
	// right-aligned, may run over the tabs in a narrow frame: the whole
	// bottom line.
	var boxes [3]image.Rectangle // by part: digit, sliders, bottom
	if l.Digit.W > 0 {
		boxes[0] = dev(inset(l.Digit, -3))
	}
	half := func(size float64) float64 {
		p := painter{scale: g.scale, fonts: g.fonts}
		m := p.face(size, true).Metrics() // bold is the taller
		return (m.HAscent + m.HDescent) / 2 / g.scale
	}
	n := len(l.Sliders)
	if n > 0 {
		first, last := l.Sliders[0], l.Sliders[n-1]
		r := first.Row
		for _, s := range l.Sliders[1:] {
			r = union(r, s.Row)
		}
		top := min(first.Y-0.2*l.Line-half(0.75*l.Font), first.Y+first.H/2-half(0.85*l.Font), first.Y-1)
		bottom := max(last.Y+last.H/2+half(0.85*l.Font), last.Y+last.H+1)
		boxes[1] = dev(widget.Rect{X: r.X - 14, Y: top - 2, W: r.W + 28, H: bottom - top + 4})
	}
	hasBottom := l.Info.H > 0 || len(l.Tabs) > 0
	if hasBottom {
		r := l.Info
		for _, t := range l.Tabs {
			r = union(r, t.Rect)
		}
		boxes[2] = dev(widget.Rect{X: 0, Y: r.Y - 2, W: g.w, H: r.H + 4})
	}

	// The regions: the digit, the slider rows that changed when each row
	// holds its knob and text (else the whole list), and the info line's
	// room right of the tabs when its text fits there, now and on the
	// screen (else the whole bottom line).
	var regions []image.Rectangle
	if l.Digit.W > 0 {
		regions = append(regions, boxes[0])
	}
	if n > 0 {
		keys, drawn := now.rows, g.drawnSliders.rows
		rowH := l.Sliders[0].Row.H
		for _, s := range l.Sliders {
			rowH = min(rowH, s.Row.H)
		}
		if len(keys) == len(drawn) && rowH/2 >= 13 && half(0.85*l.Font) <= rowH/2-1 {
			for i, s := range l.Sliders {
				if keys[i] != drawn[i] {
					regions = append(regions, dev(widget.Rect{X: s.Row.X - 14, Y: s.Row.Y, W: s.Row.W + 28, H: s.Row.H}))
				}
			}
		} else {
			regions = append(regions, boxes[1])
		}
	}
	if hasBottom {
		if now.infoFits && g.drawnSliders.infoFits {
			left, right := g.infoLeft(), l.Info.X+l.Info.W
			regions = append(regions, dev(widget.Rect{X: left - 4, Y: l.Info.Y - 2, W: right - left + 8, H: l.Info.H + 4}))
		} else {
			regions = append(regions, boxes[2])
		}
	}

	ds := make([]damage, 0, len(regions))
	for _, r := range regions {
		for _, b := range l.Chooser {
			if r.Overlaps(dev(b.Rect)) {
				return nil
			}
		}
		d := damage{r: r}
		for i, b := range boxes {
			if r.Overlaps(b) {
				d.parts |= 1 << i
			}
		}
		ds = append(ds, d)
	}
	return ds
}

// infoFits reports whether the info line lies in its room right of the
// tabs: all of it fits there but for what it always shows (drawInfo), and
// the focus hint, which is measured in the regular face and drawn in bold.
func (g *Game) infoFits() bool {
	l := g.layout
	p := painter{scale: g.scale, fonts: g.fonts}
	return !(g.focusKnown && !g.focused) && p.width(g.infoWhat(), p.face(0.85*l.Font, false)) <= l.Info.X+l.Info.W-g.infoLeft()
}

// union returns the smallest rectangle holding a and b.
func union(a, b widget.Rect) widget.Rect {
	x0, y0 := min(a.X, b.X), min(a.Y, b.Y)
	x1, y1 := max(a.X+a.W, b.X+b.W), max(a.Y+a.H, b.Y+b.H)
	return widget.Rect{X: x0, Y: y0, W: x1 - x0, H: y1 - y0}
}
