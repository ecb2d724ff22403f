//go:build js

package game

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"math"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/text/v2"
	"github.com/hajimehoshi/ebiten/v2/vector"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"

	"vaeplay/wasm/widget"
)

// The palette: a light page, so the widget sits well in a tutorial.
var (
	bgColor        = color.RGBA{0xf6, 0xf7, 0xf9, 0xff}
	cardColor      = color.RGBA{0xff, 0xff, 0xff, 0xff}
	borderColor    = color.RGBA{0xd5, 0xda, 0xe1, 0xff}
	textColor      = color.RGBA{0x1f, 0x29, 0x37, 0xff}
	mutedColor     = color.RGBA{0x6b, 0x72, 0x80, 0xff}
	disabledColor  = color.RGBA{0xb6, 0xbc, 0xc6, 0xff}
	accentColor    = color.RGBA{0x25, 0x63, 0xeb, 0xff}
	accentSoft     = color.RGBA{0xe6, 0xee, 0xfd, 0xff}
	inkColor       = color.RGBA{0x11, 0x18, 0x27, 0xff}
	bannerColor    = color.RGBA{0xfe, 0xf2, 0xf2, 0xff}
	bannerBorder   = color.RGBA{0xf8, 0x9c, 0x9c, 0xff}
	bannerText     = color.RGBA{0x99, 0x1b, 0x1b, 0xff}
	progressTrack  = color.RGBA{0xe5, 0xe7, 0xeb, 0xff}
	whiteTextColor = color.RGBA{0xff, 0xff, 0xff, 0xff}
)

// fonts holds the parsed Go fonts; faces of any size come from them.
type fonts struct {
	regular, bold *text.GoTextFaceSource
}

func newFonts() (*fonts, error) {
	r, err := text.NewGoTextFaceSource(bytes.NewReader(goregular.TTF))
	if err != nil {
		return nil, fmt.Errorf("Go Regular font: %w", err)
	}
	b, err := text.NewGoTextFaceSource(bytes.NewReader(gobold.TTF))
	if err != nil {
		return nil, fmt.Errorf("Go Bold font: %w", err)
	}
	return &fonts{regular: r, bold: b}, nil
}

// painter draws in CSS pixels onto a screen of device pixels.
type painter struct {
	dst   *ebiten.Image
	scale float64
	fonts *fonts
	masks map[int]*mask // rounded-corner masks by radius in device pixels
}

func (p painter) face(size float64, bold bool) *text.GoTextFace {
	src := p.fonts.regular
	if bold {
		src = p.fonts.bold
	}
	return &text.GoTextFace{Source: src, Size: size * p.scale}
}

// mask is a white rounded square of side 2r+1, antialiased once when made,
// cut into nine pieces: drawing a rounded rectangle of any size is then
// nine plain image draws, which Ebiten batches into one. Antialiased
// vector drawing per shape, by contrast, renders through an offscreen
// buffer each time and takes seconds per frame on a software GL.
type mask struct {
	r      int
	pieces [3][3]*ebiten.Image // [row][col]: corner, edge, corner / edge, centre, edge / ...
}

func newMask(r int) *mask {
	side := 2*r + 1
	img := ebiten.NewImage(side, side)
	var path vector.Path
	f, rf := float32(side), float32(r)
	path.MoveTo(rf, 0)
	path.ArcTo(f, 0, f, f, rf)
	path.ArcTo(f, f, 0, f, rf)
	path.ArcTo(0, f, 0, 0, rf)
	path.ArcTo(0, 0, f, 0, rf)
	path.Close()
	vs, is := path.AppendVerticesAndIndicesForFilling(nil, nil)
	for i := range vs {
		vs[i].SrcX, vs[i].SrcY = 1, 1
		vs[i].ColorR, vs[i].ColorG, vs[i].ColorB, vs[i].ColorA = 1, 1, 1, 1
	}
	white := ebiten.NewImage(3, 3)
	white.Fill(color.White)
	img.DrawTriangles(vs, is, white.SubImage(image.Rect(1, 1, 2, 2)).(*ebiten.Image), &ebiten.DrawTrianglesOptions{AntiAlias: true, FillRule: ebiten.FillRuleNonZero})
	m := &mask{r: r}
	cuts := [4]int{0, r, r + 1, side}
	for row := range 3 {
		for col := range 3 {
			m.pieces[row][col] = img.SubImage(image.Rect(cuts[col], cuts[row], cuts[col+1], cuts[row+1])).(*ebiten.Image)
		}
	}
	return m
}

// device returns r's edges in whole device pixels.
func (p painter) device(r widget.Rect) (x0, y0, x1, y1 int) {
	s := p.scale
	return int(math.Round(r.X * s)), int(math.Round(r.Y * s)), int(math.Round((r.X + r.W) * s)), int(math.Round((r.Y + r.H) * s))
}

// fill fills r with corners of the given radius (CSS pixels).
func (p painter) fill(r widget.Rect, radius float64, c color.RGBA) {
	x0, y0, x1, y1 := p.device(r)
	w, h := x1-x0, y1-y0
	if w <= 0 || h <= 0 {
		return
	}
	rad := min(int(math.Round(radius*p.scale)), w/2, h/2)
	m := p.masks[rad]
	if m == nil {
		m = newMask(rad)
		p.masks[rad] = m
	}
	xs := [4]int{x0, x0 + rad, x1 - rad, x1}
	ys := [4]int{y0, y0 + rad, y1 - rad, y1}
	for row := range 3 {
		for col := range 3 {
			dw, dh := xs[col+1]-xs[col], ys[row+1]-ys[row]
			if dw <= 0 || dh <= 0 {
				continue
			}
			piece := m.pieces[row][col]
			b := piece.Bounds()
			op := &ebiten.DrawImageOptions{Filter: ebiten.FilterNearest}
			op.GeoM.Scale(float64(dw)/float64(b.Dx()), float64(dh)/float64(b.Dy()))
			op.GeoM.Translate(float64(xs[col]), float64(ys[row]))
			op.ColorScale.ScaleWithColor(c)
			p.dst.DrawImage(piece, op)
		}
	}
}

// ring fills r with an outline of width w in colour edge and the inside in
// colour in: a rounded border without stroking paths.
func (p painter) ring(r widget.Rect, radius, w float64, edge, in color.RGBA) {
	p.fill(r, radius, edge)
	p.fill(inset(r, w), max(0, radius-w), in)
}

// text draws s with its line centred vertically on y; align places x at the
// start, centre or end of the line.
func (p painter) text(s string, f *text.GoTextFace, x, y float64, align text.Align, c color.RGBA) {
	op := &text.DrawOptions{}
	op.GeoM.Translate(x*p.scale, y*p.scale)
	op.PrimaryAlign = align
	op.SecondaryAlign = text.AlignCenter
	op.ColorScale.ScaleWithColor(c)
	text.Draw(p.dst, s, f, op)
}

// width returns the advance of s in CSS pixels.
func (p painter) width(s string, f *text.GoTextFace) float64 {
	return text.Advance(s, f) / p.scale
}

// image draws img (28×28) into r. With a whole number of device pixels per
// image pixel, as the layout gives all but tiny images, nearest filtering
// draws every image pixel as a sharp square; otherwise linear filtering
// keeps the squares from coming out uneven.
func (p painter) image(img *ebiten.Image, r widget.Rect) {
	k := r.W * p.scale / widget.ImageSide
	op := &ebiten.DrawImageOptions{Filter: ebiten.FilterNearest}
	if math.Abs(k-math.Round(k)) > 1e-6 {
		op.Filter = ebiten.FilterLinear
	}
	op.GeoM.Scale(k, r.H*p.scale/widget.ImageSide)
	op.GeoM.Translate(math.Round(r.X*p.scale), math.Round(r.Y*p.scale))
	p.dst.DrawImage(img, op)
}

// wrap breaks s into at most maxLines lines no wider than maxW CSS pixels
// in face f, ending the last with an ellipsis if s does not fit.
func (p painter) wrap(s string, f *text.GoTextFace, maxW float64, maxLines int) []string {
	return widget.Wrap(s, func(t string) float64 { return p.width(t, f) }, maxW, maxLines)
}

func inset(r widget.Rect, d float64) widget.Rect {
	return widget.Rect{X: r.X + d, Y: r.Y + d, W: r.W - 2*d, H: r.H - 2*d}
}

// draw paints the whole widget.
func (g *Game) draw(screen *ebiten.Image) {
	screen.Fill(bgColor)
	p := painter{dst: screen, scale: g.scale, fonts: g.fonts, masks: g.masks}
	g.drawChooser(p)
	switch g.layout.Panel {
	case widget.PanelSliders:
		g.drawDigit(p)
		g.drawSliders(p)
	case widget.PanelInterpolate:
		g.drawDigit(p)
		g.drawStrip(p)
	case widget.PanelGrid:
		g.drawGrid(p)
	case widget.PanelDraw:
		g.drawPad(p)
		g.drawDigit(p)
		g.drawStyleRow(p)
	case widget.PanelMap:
		g.drawMap(p)
		g.drawDigit(p)
	default:
		g.drawDigit(p)
		g.drawRow(p)
	}
	g.drawTabs(p)
	g.drawInfo(p)
	g.drawBanner(p)
}

// current reports whether what is decoded is what the state asks for.
func (g *Game) current() bool { return g.hasShown && g.shown == g.state.View() }

// drawTabs draws the panel tabs: the current one filled, like the chooser.
func (g *Game) drawTabs(p painter) {
	l := g.layout
	f := p.face(0.85*l.Font, false)
	for _, b := range l.Tabs {
		in := widget.Intent{Action: widget.ShowPanel, Panel: widget.Panel(b.Label)}
		fill, edge, ink := cardColor, borderColor, textColor
		bold := false
		switch {
		case widget.Panel(b.Label) == l.Panel:
			fill, edge, ink, bold = accentSoft, accentColor, accentColor, true
		case g.hover == in:
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

// drawSliders draws the temperature slider and the latent sliders, each
// with its label and value; the one the arrow keys move is marked.
func (g *Game) drawSliders(p painter) {
	l := g.layout
	small := p.face(0.85*l.Font, false)
	bold := p.face(0.85*l.Font, true)
	for i, s := range l.Sliders {
		cy := s.Y + s.H/2
		label := s.Label
		if i > 0 && label == "z" {
			label = "z…"
		}
		lf, ink := small, mutedColor
		if i == g.focus {
			lf, ink = bold, textColor
		}
		p.text(label, lf, s.Row.X, cy, text.AlignStart, ink)
		if kl := g.sliderKL(i); kl >= 0 {
			p.text(fmt.Sprintf("%.1f", kl), p.face(0.7*l.Font, false), s.Row.X+p.width(label, lf)+4, cy, text.AlignStart, mutedColor)
		}
		track := widget.Rect{X: s.X, Y: cy - 2, W: s.W, H: 4}
		p.fill(track, 2, progressTrack)
		if i > 0 { // the prior's centre, 0
			mid := widget.SliderX(i, s.Rect, 0)
			p.fill(widget.Rect{X: mid - 0.5, Y: cy - 6, W: 1, H: 12}, 0, disabledColor)
		}
		v, ok := g.sliderValue(i)
		if !ok {
			continue
		}
		x := widget.SliderX(i, s.Rect, v)
		lo := widget.SliderX(i, s.Rect, 0)
		if i == 0 {
			lo = s.X
		}
		p.fill(widget.Rect{X: min(lo, x), Y: cy - 2, W: math.Abs(x - lo), H: 4}, 2, accentColor)
		r := min(9, s.H/2-2)
		knob := widget.Rect{X: x - r, Y: cy - r, W: 2 * r, H: 2 * r}
		edge := accentColor
		if i == g.focus {
			p.ring(inset(knob, -3), r+3, 3, accentSoft, accentSoft)
		}
		p.ring(knob, r, 2, edge, cardColor)
		val := fmt.Sprintf("%+.2f", v)
		if i == 0 {
			val = fmt.Sprintf("%.2f", v)
		}
		p.text(val, small, s.Row.X+s.Row.W, cy, text.AlignEnd, textColor)
	}
	if len(l.Sliders) > 0 {
		first := l.Sliders[0]
		hint := "drag, or ↑↓ choose and ←→ move · ranked by decoder use"
		if g.kl[kindIndex(g.state.Selection().Kind)] != nil {
			hint = "drag, or ↑↓ choose and ←→ move · ranked by KL in nats (test set)"
		}
		if p.width(hint, small) <= first.Row.W {
			p.text(hint, p.face(0.75*l.Font, false), first.Row.X, first.Y-0.2*l.Line, text.AlignStart, mutedColor)
		}
	}
}

// sliderKL returns the KL in nats of slider i's latent dimension when the
// weights carry latent_kl, else -1.
func (g *Game) sliderKL(i int) float64 {
	if i == 0 {
		return -1
	}
	kl := g.kl[kindIndex(g.state.Selection().Kind)]
	dim, _ := g.sliderDim(i)
	if kl == nil || dim < 0 || dim >= len(kl) {
		return -1
	}
	return kl[dim]
}

// drawStrip draws the interpolation strip: ten evenly spaced points of the
// slerp path, with the frame now playing in the big digit marked.
func (g *Game) drawStrip(p painter) {
	l := g.layout
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
	ready := g.current() && len(g.frames) > 0
	playing := int(math.Round(float64(g.frame) / framesPerCell))
	for i, c := range l.Cells {
		edge, w := borderColor, 1.0
		if ready && i == playing {
			edge, w = accentColor, 2
		}
		p.ring(inset(c, -w), 2+w, w, edge, cardColor)
		if ready {
			p.image(g.frames[i*framesPerCell], c)
		}
		p.text(fmt.Sprintf("%.2g", float64(i)/float64(len(l.Cells)-1)), small, c.X+c.W/2, c.Y+c.H+l.Line/2+1, text.AlignCenter, mutedColor)
	}
}

// drawPad draws the drawing pad with its strokes, the drawing as the model
// reads it (28×28, normalized as MNIST was), the clear button and the score.
func (g *Game) drawPad(p painter) {
	l := g.layout
	pad, d := l.Pad, l.Digit
	if pad.W <= 0 {
		return
	}
	small := p.face(0.85*l.Font, false)
	bold := p.face(0.85*l.Font, true)
	capY := pad.Y - l.Line/2 - 2
	p.text("Draw a digit here", bold, pad.X, capY, text.AlignStart, textColor)
	label := "Encoded and decoded"
	if sel := g.state.Selection(); sel.Kind == widget.CVAE {
		label = fmt.Sprintf("Read as a %d, decoded", sel.Digit)
	}
	p.text(label, bold, d.X, capY, text.AlignStart, textColor)

	edge, w := borderColor, 1.0
	if g.hover.Action == widget.Pen || len(g.pens) > 0 {
		edge, w = accentColor, 2
	}
	p.ring(inset(pad, -w), 3+w, w, edge, cardColor)
	// The strokes: round-capped segments, without antialiasing, which a
	// software GL draws quickly.
	width := float32(0.07 * pad.W * p.scale)
	px := func(q widget.Point) (float32, float32) {
		return float32((pad.X + q.X*pad.W) * p.scale), float32((pad.Y + q.Y*pad.H) * p.scale)
	}
	for _, s := range g.drawing.Strokes() {
		for j, q := range s {
			x1, y1 := px(q)
			if j > 0 {
				x0, y0 := px(s[j-1])
				vector.StrokeLine(p.dst, x0, y0, x1, y1, width, inkColor, false)
			}
			vector.DrawFilledCircle(p.dst, x1, y1, width/2, inkColor, false)
		}
	}
	if g.drawing.Empty() {
		for i, line := range p.wrap("Draw with the mouse, a finger or a pen; lift to encode.", small, 0.8*pad.W, 3) {
			p.text(line, small, pad.X+pad.W/2, pad.Y+pad.H/2+float64(i-1)*l.Line, text.AlignCenter, mutedColor)
		}
	} else if g.hasEncoded { // what the model read: the normalized 28×28
		thumb := widget.Rect{X: pad.X + pad.W - 56 - 6, Y: pad.Y + 6, W: 56, H: 56}
		p.ring(inset(thumb, -1), 2, 1, borderColor, cardColor)
		p.image(g.seen, thumb)
	}

	g.button(p, l.Clear, "clear", g.hover.Action == widget.ClearPad, true)
	canMorph := g.prevMu != nil && g.hasEncoded
	g.button(p, l.Morph, "morph from previous", g.hover.Action == widget.Morph && canMorph, canMorph)

	y := d.Y + d.H + l.Line/2 + 4
	if g.hasEncoded {
		nats := g.padReport.Nats
		verdict := "typical"
		if pc := g.padReport.Percentile; pc != nil {
			switch {
			case *pc >= 99.5:
				verdict = "very unusual"
			case *pc >= 95:
				verdict = "unusual"
			}
			p.text(fmt.Sprintf("−ELBO %.1f nats: %s", nats, verdict), bold, d.X, y, text.AlignStart, textColor)
			p.text(fmt.Sprintf("percentile %.1f: %.1f%% of test digits score lower", *pc, *pc), small, d.X, y+l.Line, text.AlignStart, mutedColor)
		} else {
			switch {
			case nats > 250:
				verdict = "very unusual"
			case nats > 160:
				verdict = "unusual"
			}
			p.text(fmt.Sprintf("−ELBO %.1f nats: %s", nats, verdict), bold, d.X, y, text.AlignStart, textColor)
			p.text("test digits average ≈ 100; lower is more typical", small, d.X, y+l.Line, text.AlignStart, mutedColor)
		}
		g.drawLanding(p)
	}
}

// button draws a plain button with a centred label.
func (g *Game) button(p painter, r widget.Rect, label string, hover, enabled bool) {
	if r.W <= 0 {
		return
	}
	l := g.layout
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

// drawLanding shows where the drawing landed in latent space: μ's
// coordinates, ranked as the sliders are, as bars from 0 against the
// prior's ±1 and ±2 standard deviations.
func (g *Game) drawLanding(p painter) {
	l := g.layout
	r := l.Land
	k := kindIndex(g.state.Selection().Kind)
	rank := g.ranks[k]
	if r.H < 5*l.Line || len(g.mu) == 0 || len(rank) != len(g.mu) {
		return
	}
	small := p.face(0.8*l.Font, false)
	p.text("Where it landed: μ per latent dimension", p.face(0.85*l.Font, true), r.X, r.Y+l.Line/2, text.AlignStart, textColor)
	box := widget.Rect{X: r.X, Y: r.Y + l.Line + 4, W: r.W, H: r.H - 3*l.Line - 8} // two caption lines below
	p.ring(box, 3, 1, borderColor, cardColor)
	const span = 3.0 // the box spans μ in ±span
	cy := box.Y + box.H/2
	yOf := func(v float64) float64 { return cy - max(-span, min(span, v))/span*(box.H/2-2) }
	band := func(sd float64, c color.RGBA) {
		p.fill(widget.Rect{X: box.X + 1, Y: yOf(sd), W: box.W - 2, H: yOf(-sd) - yOf(sd)}, 0, c)
	}
	band(2, color.RGBA{0xf1, 0xf4, 0xf9, 0xff})
	band(1, color.RGBA{0xe6, 0xeb, 0xf3, 0xff})
	p.fill(widget.Rect{X: box.X + 1, Y: cy - 0.5, W: box.W - 2, H: 1}, 0, disabledColor)
	n := len(rank)
	bw := (box.W - 8) / float64(n)
	for j, dim := range rank {
		v := g.mu[dim]
		x := box.X + 4 + float64(j)*bw
		y0, y1 := min(cy, yOf(v)), max(cy, yOf(v))
		p.fill(widget.Rect{X: x + 0.15*bw, Y: y0, W: 0.7 * bw, H: max(1, y1-y0)}, 0, accentColor)
	}
	p.text("bars: μ of each dimension, most important left; bands: the prior's ±1σ, ±2σ", small, r.X, box.Y+box.H+l.Line/2+2, text.AlignStart, mutedColor)
	if g.state.MapAvailability(g.state.Selection().Kind) == widget.Ready {
		p.text("the map tab shows where it lands in the 2-D model's plane", small, r.X, box.Y+box.H+1.5*l.Line+2, text.AlignStart, mutedColor)
	}
}

// drawStyleRow draws the draw panel's row: the drawing's z from the
// conditional VAE decoded under every label.
func (g *Game) drawStyleRow(p painter) {
	l := g.layout
	if l.Row.W <= 0 {
		return
	}
	small := p.face(0.85*l.Font, false)
	capY := l.RowCaption.Y + l.RowCaption.H/2
	caption := "Your style under every label (conditional VAE)"
	if g.hasStyle && g.state.Selection().Kind == widget.VAE {
		caption = fmt.Sprintf("Your style under every label: the CVAE reads it best as a %d", g.padReport.Label)
	}
	p.text(caption, p.face(0.85*l.Font, true), l.RowCaption.X, capY, text.AlignStart, textColor)
	for dgt, c := range l.Cells {
		edge, w := borderColor, 1.0
		if g.hasStyle && dgt == g.padReport.Label {
			edge, w = accentColor, 2
		}
		p.ring(inset(c, -w), 2+w, w, edge, cardColor)
		if g.hasStyle {
			p.image(g.style[dgt], c)
		}
		p.text(fmt.Sprint(dgt), small, c.X+c.W/2, c.Y+c.H+l.Line/2+1, text.AlignCenter, mutedColor)
	}
}

// drawMap draws the latent map: a faint grid of the digits decoded across
// the plane, the axes, and the point whose digit is shown beside it.
func (g *Game) drawMap(p painter) {
	l, sel := g.layout, g.state.Selection()
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
	if p.width(caption, bold) > r.W+l.Digit.W {
		caption = "2-D latent space: drag the point"
	}
	p.text(caption, bold, r.X, r.Y-l.Line/2-2, text.AlignStart, textColor)
	p.ring(inset(r, -1), 3, 1, borderColor, cardColor)
	switch g.state.MapAvailability(sel.Kind) {
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
	if g.hasTiles {
		op := &ebiten.DrawImageOptions{Filter: ebiten.FilterLinear}
		x0, y0, x1, y1 := p.device(r)
		op.GeoM.Scale(float64(x1-x0)/float64(g.tiles.Bounds().Dx()), float64(y1-y0)/float64(g.tiles.Bounds().Dy()))
		op.GeoM.Translate(float64(x0), float64(y0))
		op.ColorScale.ScaleAlpha(0.4) // faint, so that the point stands out
		p.dst.DrawImage(g.tiles, op)
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
	if !g.current() || len(g.z) != widget.MapLatent {
		return
	}
	x, y := widget.MapXY(r, g.z)
	rad := 8.0
	if len(g.points) > 0 || g.hover.Action == widget.MapPress {
		rad = 10
	}
	p.ring(widget.Rect{X: x - rad - 3, Y: y - rad - 3, W: 2*rad + 6, H: 2*rad + 6}, rad+3, 3, accentSoft, accentSoft)
	p.ring(widget.Rect{X: x - rad, Y: y - rad, W: 2 * rad, H: 2 * rad}, rad, 3, accentColor, cardColor)
	p.text(fmt.Sprintf("z = (%+.2f, %+.2f)", g.z[0], g.z[1]), small, l.Digit.X, l.Digit.Y+l.Digit.H+l.Line/2+4, text.AlignStart, mutedColor)
}

// drawGrid draws consecutive samples, each a button that picks its seed.
func (g *Game) drawGrid(p painter) {
	l, sel := g.layout, g.state.Selection()
	capY := l.GridCaption.Y + l.GridCaption.H/2
	caption := fmt.Sprintf("Samples from seed %d on, at temperature %.2f: click one to open it", sel.Seed, g.state.Temperature())
	f := p.face(0.85*l.Font, true)
	if p.width(caption, f) > l.GridCaption.W {
		caption = fmt.Sprintf("Seeds %d… · click one", sel.Seed)
	}
	p.text(caption, f, l.GridCaption.X, capY, text.AlignStart, textColor)
	ready := g.current() && len(g.gridImgs) >= len(l.Grid)
	for i, c := range l.Grid {
		edge, w := borderColor, 1.0
		if g.hover == (widget.Intent{Action: widget.PickSeed, Offset: i}) {
			edge, w = accentColor, 2
		}
		p.ring(inset(c, -w), 2+w, w, edge, cardColor)
		if ready {
			p.image(g.gridImgs[i], c)
		}
	}
	if !ready && len(l.Grid) > 0 && !g.hasShown {
		g.drawLoading(p, l.Grid[0])
	}
}

func (g *Game) drawChooser(p painter) {
	l, sel := g.layout, g.state.Selection()
	for i, b := range l.Chooser {
		in := widget.ChooserIntent(i)
		selected := in.Kind == sel.Kind && in.Digit == sel.Digit
		disabled := g.state.Availability(in.Kind) == widget.Failed
		fill, edge, ink := cardColor, borderColor, textColor
		switch {
		case selected:
			fill, edge, ink = accentColor, accentColor, whiteTextColor
		case disabled:
			ink = disabledColor
		case g.hover == in:
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

func (g *Game) drawDigit(p painter) {
	l, sel := g.layout, g.state.Selection()
	d := l.Digit
	if d.W <= 0 {
		return
	}
	edge, w := borderColor, 1.0
	if g.hover.Action == widget.Sample && l.Panel != widget.PanelDraw {
		edge, w = accentColor, 2
	}
	p.ring(inset(d, -w), 3+w, w, edge, cardColor)
	switch {
	case g.current() && g.layout.Panel == widget.PanelInterpolate && g.frame < len(g.frames):
		p.image(g.frames[g.frame], d)
	case g.current():
		p.image(g.digit, d)
	case g.state.Availability(sel.Kind) == widget.Failed:
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
	l := g.layout
	cx, cy := r.X+r.W/2, r.Y+r.H/2
	p.text("Loading weights…", p.face(l.Font, false), cx, cy-l.Line, text.AlignCenter, mutedColor)
	bar := widget.Rect{X: r.X + 0.2*r.W, Y: cy - 3, W: 0.6 * r.W, H: 6}
	p.fill(bar, 3, progressTrack)
	got, total := g.loaded.got, g.loaded.total
	if total > 0 {
		done := bar
		done.W = bar.W * min(1, float64(got)/float64(total))
		p.fill(done, 3, accentColor)
		p.text(fmt.Sprintf("%.1f of %.1f MB", float64(got)/1e6, float64(total)/1e6), p.face(0.85*l.Font, false), cx, cy+l.Line, text.AlignCenter, mutedColor)
	} else if got > 0 {
		p.text(fmt.Sprintf("%.1f MB", float64(got)/1e6), p.face(0.85*l.Font, false), cx, cy+l.Line, text.AlignCenter, mutedColor)
	}
}

func (g *Game) drawRow(p painter) {
	l, sel := g.layout, g.state.Selection()
	small := p.face(0.85*l.Font, false)
	capY := l.RowCaption.Y + l.RowCaption.H/2
	if sel.Kind != widget.CVAE && g.rowLabel >= 0 && g.current() {
		p.text(fmt.Sprintf("This sample's style under every label: the conditional VAE reads it best as a %d", g.rowLabel), p.face(0.85*l.Font, true), l.RowCaption.X, capY, text.AlignStart, textColor)
		for dgt, c := range l.Cells {
			edge, w := borderColor, 1.0
			if dgt == g.rowLabel {
				edge, w = accentColor, 2
			}
			p.ring(inset(c, -w), 2+w, w, edge, cardColor)
			p.image(g.row[dgt], c)
			p.text(fmt.Sprint(dgt), small, c.X+c.W/2, c.Y+c.H+l.Line/2+1, text.AlignCenter, mutedColor)
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
		hovered := g.hover == widget.Intent{Action: widget.Choose, Kind: widget.CVAE, Digit: dgt}
		ink, f := mutedColor, small
		edge, w := borderColor, 1.0
		switch {
		case dgt == sel.Digit:
			edge, w = accentColor, 2
			ink, f = accentColor, p.face(0.85*l.Font, true)
		case hovered:
			edge, w = accentColor, 1
		}
		p.ring(inset(c, -w), 2+w, w, edge, cardColor)
		if ready {
			p.image(g.row[dgt], c)
		}
		p.text(fmt.Sprint(dgt), f, c.X+c.W/2, c.Y+c.H+l.Line/2+1, text.AlignCenter, ink)
	}
}

// infoLeft returns where the info line's room begins, right of the tabs.
func (g *Game) infoLeft() float64 {
	l := g.layout
	if n := len(l.Tabs); n > 0 {
		return l.Tabs[n-1].X + l.Tabs[n-1].W + 12
	}
	return l.Info.X
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

func (g *Game) drawInfo(p painter) {
	l := g.layout
	if l.Info.H <= 0 {
		return
	}
	f := p.face(0.85*l.Font, false)
	y := l.Info.Y + l.Info.H/2
	left := g.infoLeft()
	room := l.Info.X + l.Info.W - left
	what := g.infoWhat()
	var lines []string
	if g.focusKnown && !g.focused {
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
		ms := fmt.Sprintf("decoded in %.2f ms", g.decodeMs)
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
		g.banner = widget.Rect{}
		return
	}
	l := g.layout
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
	b := l.Banner
	b.H = float64(len(lines))*l.Line + 2*gap
	g.banner = b
	p.ring(b, 6, 1, bannerBorder, bannerColor)
	for i, ln := range lines {
		p.text(ln.text, f, b.X+12+ln.indent, b.Y+gap+(float64(i)+0.5)*l.Line, text.AlignStart, bannerText)
	}
	p.text("hide ×", f, b.X+b.W-12, b.Y+gap+0.5*l.Line, text.AlignEnd, bannerText)
}
