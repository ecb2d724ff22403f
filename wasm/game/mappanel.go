//go:build js

package game

import (
	"fmt"
	"image/color"
	"math"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/text/v2"

	"vaeplay/wasm/widget"
)

// mapPanel shows the latent plane of the map's model of the selected kind
// (a 2-D latent space, asked of the loader when first needed), over a faint
// background of the digits decoded across it, and the point whose digit is
// shown beside it. The point follows a pointer pressed on the plane and the
// arrow keys.
type mapPanel struct {
	basePanel
	tiles    *ebiten.Image
	tilesFor widget.Selection // the model and digit of tiles; Seed unused
	hasTiles bool
	held     int // pointers dragging the point
}

func newMapPanel() *mapPanel {
	side := widget.MapTiles * widget.ImageSide
	return &mapPanel{basePanel: basePanel{widget.MapSpec}, tiles: ebiten.NewImage(side, side)}
}

// update decodes the background for the selection's model and digit, once
// the model is there, unless it already shows them.
func (m *mapPanel) update(g *Game) {
	sel := g.state.Selection()
	sel.Seed = 0
	d := g.mapModel(sel.Kind)
	if d == nil || (m.hasTiles && m.tilesFor == sel) {
		return
	}
	// One digit at the centre of each of MapTiles² cells of the plane, in
	// one batch.
	zs := widget.MapTileZs()
	xs, _ := d.decode(zs, labels(sel, len(zs)))
	side := widget.MapTiles * widget.ImageSide
	pix := make([]byte, 4*side*side)
	for r := range widget.MapTiles {
		for c := range widget.MapTiles {
			row := xs[r*widget.MapTiles+c]
			for y := range widget.ImageSide {
				for x := range widget.ImageSide {
					ink := math.Max(0, math.Min(1, row[y*widget.ImageSide+x]))
					o := 4 * ((r*widget.ImageSide+y)*side + c*widget.ImageSide + x)
					pix[o], pix[o+1], pix[o+2], pix[o+3] = mixInk(ink, inkColor.R), mixInk(ink, inkColor.G), mixInk(ink, inkColor.B), 255
				}
			}
		}
	}
	m.tiles.WritePixels(pix)
	m.tilesFor, m.hasTiles = sel, true
	g.screen.dirty = true
}

// point moves the map's point to the pointer at (x, y) CSS pixels.
func (m *mapPanel) point(g *Game, x, y float64) {
	r := g.screen.layout.Map
	if r.W <= 0 {
		return
	}
	if g.state.SetZ(widget.PlaneSpace, widget.MapPoint(r, x, y)) {
		g.screen.dirty = true
	}
}

func (m *mapPanel) press(g *Game, in widget.Intent, x, y float64) (drag, bool) {
	if in.Action != widget.MapPress {
		return nil, false
	}
	m.held++
	m.point(g, x, y)
	return func(x, y float64, done bool) {
		m.point(g, x, y)
		if done {
			m.held--
		}
	}, true
}

// keys moves the point with the arrow keys, one MapStep a press, repeating
// while held.
func (m *mapPanel) keys(g *Game) {
	k := g.state.Selection().Kind
	if g.models().Plane(k) == nil {
		return
	}
	var dx, dy float64
	for _, d := range []struct {
		key    ebiten.Key
		dx, dy float64
	}{{ebiten.KeyArrowLeft, -1, 0}, {ebiten.KeyArrowRight, 1, 0}, {ebiten.KeyArrowUp, 0, 1}, {ebiten.KeyArrowDown, 0, -1}} {
		if repeated(d.key) {
			dx, dy = dx+d.dx, dy+d.dy
		}
	}
	if dx == 0 && dy == 0 {
		return
	}
	z := widget.MovePoint(g.state.Z(widget.MapLatent), dx, dy)
	if g.state.SetZ(widget.PlaneSpace, z) {
		g.screen.dirty = true
	}
}

// draw draws the latent map: its caption, the faint grid of the digits
// decoded across the plane, the axes, and the point whose digit is shown
// beside it.
func (m *mapPanel) draw(g *Game, p painter) {
	m.drawMap(g, p)
	g.drawDigit(p, g.digit.img, true)
}

func (m *mapPanel) drawMap(g *Game, p painter) {
	l, sel := g.screen.layout, g.state.Selection()
	r := l.Map
	if r.W <= 0 {
		return
	}
	bold := p.face(0.85*l.Font, true)
	small := p.face(0.8*l.Font, false)
	name := "plain VAE"
	if sel.Kind == widget.CVAE {
		name = fmt.Sprintf("conditional VAE, digit %d", sel.Digit)
	}
	caption := fmt.Sprintf("The 2-D latent space of a %s: drag the point, or use the arrows", name)
	if p.width(caption, bold) > l.MapCaption.W {
		caption = "2-D latent space: drag the point"
	}
	p.text(caption, bold, l.MapCaption.X, mid(l.MapCaption), text.AlignStart, textColor)
	p.ring(r.Inset(-1), 3, 1, borderColor, cardColor)
	switch g.models().PlaneAvailability(sel.Kind) {
	case widget.Failed:
		f := p.face(l.Font, true)
		for i, line := range p.wrap("The 2-D model could not be loaded", f, 0.8*r.W, 2) {
			p.text(line, f, r.X+r.W/2, r.Y+r.H/2+float64(i)*l.Line, text.AlignCenter, bannerText)
		}
		return
	case widget.Loading:
		g.drawLoading(p, r)
		return
	}
	if m.hasTiles {
		op := &ebiten.DrawImageOptions{Filter: ebiten.FilterLinear}
		x0, y0, x1, y1 := p.device(r)
		op.GeoM.Scale(float64(x1-x0)/float64(m.tiles.Bounds().Dx()), float64(y1-y0)/float64(m.tiles.Bounds().Dy()))
		op.GeoM.Translate(float64(x0), float64(y0))
		op.ColorScale.ScaleAlpha(0.4) // faint, so that the point stands out
		p.dst.DrawImage(m.tiles, op)
	}
	// Axes through 0, with ticks at whole numbers.
	ox, oy := widget.MapXY(r, []float64{0, 0})
	axis := color.RGBA{0x9c, 0xa3, 0xaf, 0xff}
	p.fill(widget.Rect{X: r.X, Y: oy - 0.5, W: r.W, H: 1}, 0, axis)
	p.fill(widget.Rect{X: ox - 0.5, Y: r.Y, W: 1, H: r.H}, 0, axis)
	for v := -widget.MapRange + 1; v < widget.MapRange; v++ {
		tx, ty := widget.MapXY(r, []float64{v, v})
		p.fill(widget.Rect{X: tx - 0.5, Y: oy - 4, W: 1, H: 8}, 0, axis)
		p.fill(widget.Rect{X: ox - 4, Y: ty - 0.5, W: 8, H: 1}, 0, axis)
	}
	p.text("z0 →", small, r.X+r.W-4, oy+l.Line/2+2, text.AlignEnd, mutedColor)
	p.text("↑ z1", small, ox+6, r.Y+l.Line/2+2, text.AlignStart, mutedColor)
	p.text(fmt.Sprintf("±%g", widget.MapRange), small, r.X+4, r.Y+r.H-l.Line/2-2, text.AlignStart, mutedColor)
	z := g.digit.z
	if !g.current() || len(z) != widget.MapLatent {
		return
	}
	x, y := widget.MapXY(r, z)
	rad := 8.0
	if m.held > 0 || g.screen.hover.Action == widget.MapPress {
		rad = 10
	}
	p.ring(widget.Rect{X: x - rad - 3, Y: y - rad - 3, W: 2*rad + 6, H: 2*rad + 6}, rad+3, 3, accentSoft, accentSoft)
	p.ring(widget.Rect{X: x - rad, Y: y - rad, W: 2 * rad, H: 2 * rad}, rad, 3, accentColor, cardColor)
	p.text(fmt.Sprintf("z = (%+.2f, %+.2f)", z[0], z[1]), small, l.MapZ.X, mid(l.MapZ), text.AlignStart, mutedColor)
}
