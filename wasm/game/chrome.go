//go:build js

package game

import (
	"fmt"
	"image/color"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/text/v2"

	"vaeplay/wasm/widget"
)

// The chrome: what every panel shares, drawn around it (the chooser, the
// tabs, the info line and the error banner) or in its boxes (the digit, the
// progress of a download, a button).

func (g *Game) drawChooser(p painter) {
	l, sel := g.screen.layout, g.state.Selection()
	for i, b := range l.Chooser {
		in := widget.ChooserIntent(i)
		selected := in.Kind == sel.Kind && in.Digit == sel.Digit
		disabled := g.models().Availability(in.Kind) == widget.Failed
		fill, edge, ink := cardColor, borderColor, textColor
		switch {
		case selected:
			fill, edge, ink = accentColor, accentColor, whiteTextColor
		case disabled:
			ink = disabledColor
		case g.screen.hover == in:
			fill, edge = accentSoft, accentColor
		}
		p.ring(b.Rect, 6, 1, edge, fill)
		size := l.Font
		if b.Label == "any" {
			size = min(l.Font, 0.3*b.W) // "any" must fit a narrow button
		}
		p.text(b.Label, p.face(size, selected), b.X+b.W/2, b.Y+b.H/2, text.AlignCenter, ink)
	}
}

// drawTabs draws the panel tabs: the current one filled, like the chooser.
func (g *Game) drawTabs(p painter) {
	l := g.screen.layout
	f := p.face(0.85*l.Font, false)
	for _, b := range l.Tabs {
		in := widget.Intent{Action: widget.ShowPanel, Panel: widget.Panel(b.Label)}
		fill, edge, ink := cardColor, borderColor, textColor
		bold := false
		switch {
		case widget.Panel(b.Label) == l.Panel:
			fill, edge, ink, bold = accentSoft, accentColor, accentColor, true
		case g.screen.hover == in:
			edge = accentColor
		}
		p.ring(b.Rect, 5, 1, edge, fill)
		ff := f
		if bold {
			ff = p.face(0.85*l.Font, true)
		}
		size := 0.85 * l.Font
		if w := p.width(b.Label, ff); w > b.W-8 { // narrow frames: shrink to fit
			ff = p.face(size*(b.W-8)/w, bold)
		}
		p.text(b.Label, ff, b.X+b.W/2, b.Y+b.H/2, text.AlignCenter, ink)
	}
}

// drawDigit draws the digit decoded from the current z in its frame, or
// what stands in for it: an error, or the download's progress. hover says
// whether a click on it (a new sample) is shown as hovered.
func (g *Game) drawDigit(p painter, img *ebiten.Image, hover bool) {
	l, sel := g.screen.layout, g.state.Selection()
	d := l.Digit
	if d.W <= 0 {
		return
	}
	edge, w := borderColor, 1.0
	if hover && g.screen.hover.Action == widget.Sample {
		edge, w = accentColor, 2
	}
	p.ring(d.Inset(-w), 3+w, w, edge, cardColor)
	switch {
	case g.current():
		p.image(img, d)
	case g.models().Availability(sel.Kind) == widget.Failed:
		f := p.face(l.Font, true)
		for i, line := range p.wrap("No model could be loaded", f, 0.8*d.W, 2) {
			p.text(line, f, d.X+d.W/2, d.Y+d.H/2+float64(i)*l.Line, text.AlignCenter, bannerText)
		}
	default:
		g.drawLoading(p, d)
	}
}

// drawLoading shows the weights' download progress in r.
func (g *Game) drawLoading(p painter, r widget.Rect) {
	l := g.screen.layout
	cx, cy := r.X+r.W/2, r.Y+r.H/2
	p.text("Loading weights…", p.face(l.Font, false), cx, cy-l.Line, text.AlignCenter, mutedColor)
	bar := widget.Rect{X: r.X + 0.2*r.W, Y: cy - 3, W: 0.6 * r.W, H: 6}
	p.fill(bar, 3, progressTrack)
	got, total := g.loading.got, g.loading.total
	if total > 0 {
		done := bar
		done.W = bar.W * min(1, float64(got)/float64(total))
		p.fill(done, 3, accentColor)
		p.text(fmt.Sprintf("%.1f of %.1f MB", float64(got)/1e6, float64(total)/1e6), p.face(0.85*l.Font, false), cx, cy+l.Line, text.AlignCenter, mutedColor)
	} else if got > 0 {
		p.text(fmt.Sprintf("%.1f MB", float64(got)/1e6), p.face(0.85*l.Font, false), cx, cy+l.Line, text.AlignCenter, mutedColor)
	}
}

// drawCell draws one cell of the row under the digit: its frame, w wide in
// edge, img in it unless nil, and label under it in face f and colour ink.
func (g *Game) drawCell(p painter, c widget.Rect, w float64, edge color.RGBA, img *ebiten.Image, label string, f *text.GoTextFace, ink color.RGBA) {
	p.ring(c.Inset(-w), 2+w, w, edge, cardColor)
	if img != nil {
		p.image(img, c)
	}
	p.text(label, f, c.X+c.W/2, c.Y+c.H+g.screen.layout.Line/2+1, text.AlignCenter, ink)
}

// button draws a plain button with a centred label.
func (g *Game) button(p painter, r widget.Rect, label string, hover, enabled bool) {
	if r.W <= 0 {
		return
	}
	l := g.screen.layout
	edge, ink := borderColor, textColor
	if hover {
		edge = accentColor
	}
	if !enabled {
		ink = disabledColor
	}
	p.ring(r, 5, 1, edge, cardColor)
	f := p.face(0.85*l.Font, false)
	if w := p.width(label, f); w > r.W-8 {
		f = p.face(0.85*l.Font*(r.W-8)/w, false)
	}
	p.text(label, f, r.X+r.W/2, r.Y+r.H/2, text.AlignCenter, ink)
}

// infoWhat returns what the info line always shows: the seed or that z was
// set by hand, and the temperature unless it is the default. drawInfo draws
// it even when it does not fit its room.
func (g *Game) infoWhat() string {
	what := fmt.Sprintf("seed %d", g.state.Selection().Seed)
	if g.state.ExplicitZ() {
		what = "z set by hand"
	}
	if t := g.state.Temperature(); t != widget.TempDefault {
		what += fmt.Sprintf(" · T %.2f", t)
	}
	return what
}

// infoFits reports whether the info line lies in its room right of the
// tabs: all of it fits there but for what it always shows (drawInfo), and
// the focus hint, which is measured in the regular face and drawn in bold.
func (g *Game) infoFits() bool {
	sc := &g.screen
	p := painter{scale: sc.scale, fonts: sc.fonts}
	return !(sc.focusKnown && !sc.focused) && p.width(g.infoWhat(), p.face(0.85*sc.layout.Font, false)) <= sc.layout.InfoRoom.W
}

func (g *Game) drawInfo(p painter) {
	sc := &g.screen
	l := sc.layout
	if l.Info.H <= 0 {
		return
	}
	f := p.face(0.85*l.Font, false)
	y := l.Info.Y + l.Info.H/2
	room := l.InfoRoom.W
	what := g.infoWhat()
	var lines []string
	if sc.focusKnown && !sc.focused {
		// In an iframe the keys reach the widget only after a click in it.
		hint := "click inside to use the keys"
		for _, s := range []string{what + " · " + hint, hint} {
			if p.width(s, f) <= room {
				p.text(s, p.face(0.85*l.Font, true), l.Info.X+l.Info.W, y, text.AlignEnd, accentColor)
				return
			}
		}
	}
	if g.current() {
		ms := fmt.Sprintf("decoded in %.2f ms", g.digit.ms)
		lines = append(lines, what+" · "+ms+" · click the digit or press space for a new z", what+" · "+ms, ms)
	}
	lines = append(lines, what)
	for _, s := range lines {
		if p.width(s, f) <= room || s == what {
			p.text(s, f, l.Info.X+l.Info.W, y, text.AlignEnd, mutedColor)
			break
		}
	}
}

// maxBannerLines bounds the banner's height, so that a flood of errors
// still leaves the digit visible.
const maxBannerLines = 5

// drawBanner shows the errors since the banner was last hidden, newest last;
// when they do not all fit, the oldest give way to a count. The banner's
// rectangle is kept for hit testing.
func (g *Game) drawBanner(p painter) {
	msgs := g.state.Banner()
	if len(msgs) == 0 {
		g.screen.banner = widget.Rect{}
		return
	}
	l := g.screen.layout
	f := p.face(0.9*l.Font, false)
	closeW := p.width("hide ×", f) + 24
	textW := l.Banner.W - closeW - 12
	type line struct {
		text   string
		indent float64
	}
	bullet := ""
	if len(msgs) > 1 {
		bullet = "• "
	}
	bw := p.width(bullet, f)
	var lines []line // newest message first while collecting
	shown := 0
	for i := len(msgs) - 1; i >= 0; i-- {
		wrapped := p.wrap(msgs[i], f, textW-bw, 2)
		budget := maxBannerLines
		if i > 0 {
			budget-- // room for the count of older errors
		}
		if len(lines)+len(wrapped) > budget {
			break
		}
		msg := make([]line, len(wrapped))
		for j, w := range wrapped {
			msg[j] = line{w, bw}
		}
		msg[0] = line{bullet + wrapped[0], 0}
		lines = append(msg, lines...)
		shown++
	}
	if hidden := len(msgs) - shown; hidden > 0 {
		lines = append([]line{{fmt.Sprintf("%d earlier errors not shown", hidden), 0}}, lines...)
	}
	gap := (l.Banner.H - 2*l.Line) / 2 // the layout's padding around two lines
	b := l.BannerBox(len(lines))
	g.screen.banner = b
	p.ring(b, 6, 1, bannerBorder, bannerColor)
	for i, ln := range lines {
		p.text(ln.text, f, b.X+12+ln.indent, b.Y+gap+(float64(i)+0.5)*l.Line, text.AlignStart, bannerText)
	}
	p.text("hide ×", f, b.X+b.W-12, b.Y+gap+0.5*l.Line, text.AlignEnd, bannerText)
}
