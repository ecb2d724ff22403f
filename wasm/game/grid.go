//go:build js

package game

import (
	"fmt"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/text/v2"

	"vaeplay/wasm/widget"
)

// gridPanel shows consecutive samples, each a button that opens its seed
// on the sample panel.
type gridPanel struct {
	basePanel
	cells []*ebiten.Image
}

func newGridPanel() *gridPanel { return &gridPanel{basePanel: basePanel{widget.GridSpec}} }

// decoded decodes one sample per grid cell: seeds seed, seed+1, … at the
// current temperature.
func (s *gridPanel) decoded(g *Game, d decoder, _, _ []float64) {
	n := len(g.screen.layout.Grid)
	if n == 0 {
		return
	}
	sel := g.state.Selection()
	zs := make([][]float64, n)
	for i, seed := range widget.GridSeeds(sel.Seed, n) {
		zs[i] = widget.SeedZ(seed, d.latent(), g.state.Temperature())
	}
	xs, _ := d.decode(zs, labels(sel, n))
	for len(s.cells) < n {
		s.cells = append(s.cells, newImages(1)...)
	}
	for i, x := range xs {
		g.screen.ink.write(s.cells[i], x)
	}
}

// draw draws the grid under its caption.
func (s *gridPanel) draw(g *Game, p painter) {
	l, sel := g.screen.layout, g.state.Selection()
	capY := l.GridCaption.Y + l.GridCaption.H/2
	caption := fmt.Sprintf("Samples from seed %d on, at temperature %.2f: click one to open it", sel.Seed, g.state.Temperature())
	f := p.face(0.85*l.Font, true)
	if p.width(caption, f) > l.GridCaption.W {
		caption = fmt.Sprintf("Seeds %d… · click one", sel.Seed)
	}
	p.text(caption, f, l.GridCaption.X, capY, text.AlignStart, textColor)
	ready := g.current() && len(s.cells) >= len(l.Grid)
	for i, c := range l.Grid {
		edge, w := borderColor, 1.0
		if g.screen.hover == (widget.Intent{Action: widget.PickSeed, Offset: i}) {
			edge, w = accentColor, 2
		}
		p.ring(c.Inset(-w), 2+w, w, edge, cardColor)
		if ready {
			p.image(s.cells[i], c)
		}
	}
	if !ready && len(l.Grid) > 0 && !g.digit.ok {
		g.drawLoading(p, l.Grid[0])
	}
}
