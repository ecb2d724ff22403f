//go:build js

package game

import (
	"fmt"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/text/v2"

	"vaeplay/wasm/widget"
)

// samplePanel shows the digit and the row under it: for the conditional
// VAE the same z under every label, for the plain VAE the sample's style
// under every label, as the conditional VAE reads it.
type samplePanel struct {
	basePanel
	row   []*ebiten.Image // one per label
	label int             // with the VAE: the label the CVAE read the sample as, or -1
}

func newSamplePanel() *samplePanel {
	return &samplePanel{basePanel: basePanel{widget.SampleSpec}, row: newImages(widget.Digits), label: -1}
}

// decoded decodes the row for the digit x just decoded from z by d.
func (s *samplePanel) decoded(g *Game, d decoder, z, x []float64) {
	if g.state.Selection().Kind == widget.CVAE {
		decodeRow(g, d, z, s.row)
		return
	}
	// The plain VAE's sample, read by the conditional VAE: its style under
	// every label.
	s.label = -1
	cm := g.fullModel(widget.CVAE)
	if cm == nil {
		return
	}
	label, enc, err := widget.ReadLabel(cm.m, x)
	if err != nil {
		g.state.Fail(fmt.Errorf("style of the sample: %w", err))
		return
	}
	decodeRow(g, *cm, enc.Mu, s.row)
	s.label = label
}

// decodeRow decodes z (of the conditional model d) under every label into
// imgs.
func decodeRow(g *Game, d decoder, z []float64, imgs []*ebiten.Image) {
	zs, labels := everyLabel(z)
	xs, _ := d.decode(zs, labels)
	for i, x := range xs {
		g.screen.ink.write(imgs[i], x)
	}
}

func (s *samplePanel) draw(g *Game, p painter) {
	g.drawDigit(p, g.digit.img, true)
	s.drawRow(g, p)
}

func (s *samplePanel) drawRow(g *Game, p painter) {
	l, sel := g.screen.layout, g.state.Selection()
	small := p.face(0.85*l.Font, false)
	capY := l.RowCaption.Y + l.RowCaption.H/2
	if sel.Kind != widget.CVAE && s.label >= 0 && g.current() {
		p.text(fmt.Sprintf("This sample's style under every label: the conditional VAE reads it best as a %d", s.label), p.face(0.85*l.Font, true), l.RowCaption.X, capY, text.AlignStart, textColor)
		for dgt, c := range l.Cells {
			edge, w := borderColor, 1.0
			if dgt == s.label {
				edge, w = accentColor, 2
			}
			g.drawCell(p, c, w, edge, s.row[dgt], fmt.Sprint(dgt), small, mutedColor)
		}
		return
	}
	if sel.Kind != widget.CVAE {
		p.text("The plain VAE takes no label:", p.face(0.85*l.Font, true), l.RowCaption.X, capY, text.AlignStart, textColor)
		msg := "z alone decides which digit appears. Choose 0–9 to give the conditional VAE a label; this row then shows one z under every label."
		lines := p.wrap(msg, small, l.Row.W, max(1, int((l.Row.H+l.Line)/l.Line)))
		for i, line := range lines {
			p.text(line, small, l.Row.X, l.Row.Y+l.Line/2+float64(i)*l.Line, text.AlignStart, mutedColor)
		}
		return
	}
	p.text("The same z under every label", p.face(0.85*l.Font, true), l.RowCaption.X, capY, text.AlignStart, textColor)
	if hint := "click one to choose it"; p.width(hint, small)+p.width("The same z under every label", small)+24 < l.RowCaption.W {
		p.text(hint, small, l.RowCaption.X+l.RowCaption.W, capY, text.AlignEnd, mutedColor)
	}
	ready := g.current()
	for dgt, c := range l.Cells {
		// Hovering a digit's button or its cell marks the cell.
		hovered := g.screen.hover == widget.Intent{Action: widget.Choose, Kind: widget.CVAE, Digit: dgt}
		ink, f := mutedColor, small
		edge, w := borderColor, 1.0
		switch {
		case dgt == sel.Digit:
			edge, w = accentColor, 2
			ink, f = accentColor, p.face(0.85*l.Font, true)
		case hovered:
			edge, w = accentColor, 1
		}
		var img *ebiten.Image
		if ready {
			img = s.row[dgt]
		}
		g.drawCell(p, c, w, edge, img, fmt.Sprint(dgt), f, ink)
	}
}
