//go:build js

package game

import (
	"github.com/hajimehoshi/ebiten/v2"

	"vaeplay/wasm/widget"
)

// digit is the digit decoded from the current z, which every panel but the
// grid shows, and what its report says: the view it was decoded for, z,
// how long the decode took, and how many digits have been drawn.
type digit struct {
	view  widget.View
	cells int  // grid cells the panel decoded besides, for the view
	ok    bool // a digit has been decoded
	z     []float64
	ms    float64
	img   *ebiten.Image

	undrawn bool // a decoded digit waits to be drawn
	drawn   bool // a digit has been drawn
	samples int  // digits drawn
}

func newDigit() digit { return digit{img: ebiten.NewImage(widget.ImageSide, widget.ImageSide)} }

// decode runs the decoder when the view differs from what is shown and its
// model is ready: the digit, timed, and then what the panel shows besides
// (panel.decoded). The map decodes with the map's model of the selected
// kind, every other panel with the full one.
func (g *Game) decode() {
	view := g.state.View()
	sel := view.Selection
	p := g.panel()
	d := g.fullModel(sel.Kind)
	if p.spec().Plane {
		d = g.mapModel(sel.Kind)
	}
	cells := len(g.screen.layout.Grid)
	if d == nil || (g.digit.ok && g.digit.view == view && g.digit.cells == cells) {
		return
	}
	g.state.FitZ(d.latent())
	view = g.state.View() // FitZ may have dropped a z of the wrong length
	z := g.state.Z(d.latent())
	xs, ms := d.decode([][]float64{z}, sel.Labels())
	g.digit.ms = ms
	g.screen.ink.write(g.digit.img, xs[0])
	p.decoded(g, *d, z, xs[0])
	g.digit.z = append(g.digit.z[:0], z...)
	g.digit.view, g.digit.cells, g.digit.ok = view, cells, true
	g.digit.undrawn, g.screen.dirty = true, true
}
