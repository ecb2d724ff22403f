//go:build js

package game

import (
	"fmt"
	"time"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/text/v2"

	"vaeplay/wasm/widget"
)

// interpolatePanel shows the slerp path from z to the next sample's z (or
// to the end a morph, the URL or a message set): played back and forth in
// the digit, and every FramesPerCell-th frame in the strip below.
type interpolatePanel struct {
	basePanel
	frames []*ebiten.Image
	frame  int // the frame the digit shows
	start  time.Time
}

func newInterpolatePanel() *interpolatePanel {
	return &interpolatePanel{basePanel: basePanel{widget.InterpolateSpec}}
}

// update moves the animation on.
func (s *interpolatePanel) update(g *Game) {
	if len(s.frames) == 0 || !g.digit.ok {
		return
	}
	if f := widget.AnimFrame(time.Since(s.start), len(s.frames)); f != s.frame {
		s.frame, g.screen.dirty = f, true
	}
}

// decoded decodes the path from z to the z of the next sample (seed+1 at
// the same temperature) in one batch, unless an end was set.
func (s *interpolatePanel) decoded(g *Game, d decoder, z, _ []float64) {
	sel := g.state.Selection()
	next := g.state.To()
	if len(next) != d.latent() {
		next = widget.SeedZ(sel.Seed+1, d.latent(), g.state.Temperature())
	}
	path := widget.Path(z, next, widget.PathFrames)
	xs, _ := d.decode(path, labels(sel, len(path)))
	for len(s.frames) < len(xs) {
		s.frames = append(s.frames, newImages(1)...)
	}
	for i, x := range xs {
		g.screen.ink.write(s.frames[i], x)
	}
	s.start, s.frame = time.Now(), 0
}

func (s *interpolatePanel) draw(g *Game, p painter) {
	img := g.digit.img
	if s.frame < len(s.frames) {
		img = s.frames[s.frame]
	}
	g.drawDigit(p, img, true)
	s.drawStrip(g, p)
}

// drawStrip draws the interpolation strip: ten evenly spaced points of the
// slerp path, with the frame now playing in the big digit marked.
func (s *interpolatePanel) drawStrip(g *Game, p painter) {
	l := g.screen.layout
	small := p.face(0.85*l.Font, false)
	capY := l.RowCaption.Y + l.RowCaption.H/2
	caption := "Slerp from this z to the next sample's"
	if g.state.To() != nil {
		caption = "Slerp from the first z to the second (set by a morph, to= or a message)"
	}
	p.text(caption, p.face(0.85*l.Font, true), l.RowCaption.X, capY, text.AlignStart, textColor)
	if hint := "click the digit to move on"; p.width(hint, small)+p.width(caption, small)+24 < l.RowCaption.W {
		p.text(hint, small, l.RowCaption.X+l.RowCaption.W, capY, text.AlignEnd, mutedColor)
	}
	ready := g.current() && len(s.frames) > 0
	playing := widget.StripCell(s.frame)
	for i, c := range l.Cells {
		edge, w := borderColor, 1.0
		if ready && i == playing {
			edge, w = accentColor, 2
		}
		var img *ebiten.Image
		if ready {
			img = s.frames[i*widget.FramesPerCell]
		}
		g.drawCell(p, c, w, edge, img, fmt.Sprintf("%.2g", float64(i)/float64(len(l.Cells)-1)), small, mutedColor)
	}
}
