//go:build js

package game

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"strings"

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

// whiteSubImage is a one-pixel white source for filled shapes; its
// neighbours are white too, so edge sampling stays white.
var whiteSubImage = func() *ebiten.Image {
	img := ebiten.NewImage(3, 3)
	img.Fill(color.White)
	return img.SubImage(image.Rect(1, 1, 2, 2)).(*ebiten.Image)
}()

// painter draws in CSS pixels onto a screen of device pixels.
type painter struct {
	dst   *ebiten.Image
	scale float64
	fonts *fonts
}

func (p painter) face(size float64, bold bool) *text.GoTextFace {
	src := p.fonts.regular
	if bold {
		src = p.fonts.bold
	}
	return &text.GoTextFace{Source: src, Size: size * p.scale}
}

// roundRect returns the path of r with corners of the given radius.
func (p painter) roundRect(r widget.Rect, radius float64) *vector.Path {
	s := float32(p.scale)
	x0, y0 := float32(r.X)*s, float32(r.Y)*s
	x1, y1 := float32(r.X+r.W)*s, float32(r.Y+r.H)*s
	rad := min(float32(radius)*s, (x1-x0)/2, (y1-y0)/2)
	var path vector.Path
	path.MoveTo(x0+rad, y0)
	path.ArcTo(x1, y0, x1, y1, rad)
	path.ArcTo(x1, y1, x0, y1, rad)
	path.ArcTo(x0, y1, x0, y0, rad)
	path.ArcTo(x0, y0, x1, y0, rad)
	path.Close()
	return &path
}

func (p painter) triangles(vs []ebiten.Vertex, is []uint16, c color.RGBA) {
	for i := range vs {
		vs[i].SrcX, vs[i].SrcY = 1, 1
		vs[i].ColorR = float32(c.R) / 255
		vs[i].ColorG = float32(c.G) / 255
		vs[i].ColorB = float32(c.B) / 255
		vs[i].ColorA = float32(c.A) / 255
	}
	op := &ebiten.DrawTrianglesOptions{AntiAlias: true, FillRule: ebiten.FillRuleNonZero}
	p.dst.DrawTriangles(vs, is, whiteSubImage, op)
}

// fill fills r with rounded corners.
func (p painter) fill(r widget.Rect, radius float64, c color.RGBA) {
	if r.W <= 0 || r.H <= 0 {
		return
	}
	vs, is := p.roundRect(r, radius).AppendVerticesAndIndicesForFilling(nil, nil)
	p.triangles(vs, is, c)
}

// stroke outlines r with rounded corners, the line centred on r's edge.
func (p painter) stroke(r widget.Rect, radius, width float64, c color.RGBA) {
	if r.W <= 0 || r.H <= 0 {
		return
	}
	op := &vector.StrokeOptions{Width: float32(width * p.scale), LineJoin: vector.LineJoinRound}
	vs, is := p.roundRect(r, radius).AppendVerticesAndIndicesForStroke(nil, nil, op)
	p.triangles(vs, is, c)
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

// image draws img (28×28) into r with nearest filtering: every image pixel
// becomes a sharp square, as the layout gives it whole device pixels.
func (p painter) image(img *ebiten.Image, r widget.Rect) {
	op := &ebiten.DrawImageOptions{Filter: ebiten.FilterNearest}
	op.GeoM.Scale(r.W*p.scale/widget.ImageSide, r.H*p.scale/widget.ImageSide)
	op.GeoM.Translate(r.X*p.scale, r.Y*p.scale)
	p.dst.DrawImage(img, op)
}

// wrap breaks s into at most maxLines lines no wider than maxW, ending the
// last with an ellipsis if s does not fit.
func (p painter) wrap(s string, f *text.GoTextFace, maxW float64, maxLines int) []string {
	var lines []string
	line := ""
	fits := func(t string) bool { return p.width(t, f) <= maxW }
	for _, word := range strings.Fields(s) {
		switch {
		case line == "" && fits(word):
			line = word
		case line != "" && fits(line+" "+word):
			line += " " + word
		default:
			if line != "" {
				lines = append(lines, line)
			}
			line = word
			for !fits(line) && len(line) > 1 { // a word wider than a line: break it
				cut := len(line) - 1
				for cut > 1 && !fits(line[:cut]) {
					cut--
				}
				lines = append(lines, line[:cut])
				line = line[cut:]
			}
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	if len(lines) > maxLines {
		last := lines[maxLines-1]
		for last != "" && !fits(last+"…") {
			last = last[:len(last)-1]
		}
		lines = append(lines[:maxLines-1], last+"…")
	}
	return lines
}

func inset(r widget.Rect, d float64) widget.Rect {
	return widget.Rect{X: r.X + d, Y: r.Y + d, W: r.W - 2*d, H: r.H - 2*d}
}

// draw paints the whole widget.
func (g *Game) draw(screen *ebiten.Image) {
	screen.Fill(bgColor)
	p := painter{dst: screen, scale: g.scale, fonts: g.fonts}
	g.drawChooser(p)
	g.drawDigit(p)
	g.drawRow(p)
	g.drawInfo(p)
	g.drawBanner(p)
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
		p.fill(b.Rect, 6, fill)
		p.stroke(inset(b.Rect, 0.5), 6, 1, edge)
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
	p.fill(inset(d, -1), 4, borderColor)
	p.fill(d, 3, cardColor)
	switch {
	case g.hasShown && g.shown == sel:
		p.image(g.digit, d)
		if g.hover.Action == widget.Sample {
			p.stroke(inset(d, -1), 4, 2, accentColor)
		}
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
	ready := g.hasShown && g.shown == sel
	for dgt, c := range l.Cells {
		p.fill(inset(c, -1), 3, borderColor)
		p.fill(c, 2, cardColor)
		if ready {
			p.image(g.row[dgt], c)
		}
		// Hovering a digit's button or its cell marks the cell.
		hovered := g.hover == widget.Intent{Action: widget.Choose, Kind: widget.CVAE, Digit: dgt}
		ink, f := mutedColor, small
		switch {
		case dgt == sel.Digit:
			p.stroke(inset(c, -1.5), 3, 2, accentColor)
			ink, f = accentColor, p.face(0.85*l.Font, true)
		case hovered:
			p.stroke(inset(c, -1.5), 3, 2, accentSoft)
		}
		p.text(fmt.Sprint(dgt), f, c.X+c.W/2, c.Y+c.H+l.Line/2+1, text.AlignCenter, ink)
	}
}

func (g *Game) drawInfo(p painter) {
	l, sel := g.layout, g.state.Selection()
	f := p.face(0.85*l.Font, false)
	y := l.Info.Y + l.Info.H/2
	right := ""
	if g.hasShown && g.shown == sel {
		right = fmt.Sprintf("decoded in %.2f ms", g.decodeMs)
		if sel.Kind == widget.CVAE {
			right = fmt.Sprintf("decoded in %.2f ms · row of 10 in %.2f ms", g.decodeMs, g.rowMs)
			if p.width(right, f) > 0.5*l.Info.W {
				right = fmt.Sprintf("decoded in %.2f ms", g.decodeMs)
			}
		}
		p.text(right, f, l.Info.X+l.Info.W, y, text.AlignEnd, mutedColor)
	}
	room := l.Info.W - p.width(right, f) - 16
	seed := fmt.Sprintf("seed %d", sel.Seed)
	for _, left := range []string{
		seed + " · click the digit or press space for a new z · keys 0–9 and A choose",
		seed + " · click the digit or press space for a new z",
		seed + " · click for a new z",
		seed,
	} {
		if p.width(left, f) <= room || left == seed {
			p.text(left, f, l.Info.X, y, text.AlignStart, mutedColor)
			break
		}
	}
}

func (g *Game) drawBanner(p painter) {
	msgs := g.state.Banner()
	if len(msgs) == 0 {
		return
	}
	l := g.layout
	b := l.Banner
	p.fill(b, 6, bannerColor)
	p.stroke(inset(b, 0.5), 6, 1, bannerBorder)
	msg := msgs[len(msgs)-1]
	if len(msgs) > 1 {
		msg = fmt.Sprintf("(%d errors, newest shown) %s", len(msgs), msg)
	}
	f := p.face(0.9*l.Font, false)
	closeW := p.width("hide ×", f) + 16
	lines := p.wrap(msg, f, b.W-closeW-16, 2)
	top := b.Y + b.H/2 - float64(len(lines)-1)*l.Line/2
	for i, line := range lines {
		p.text(line, f, b.X+10, top+float64(i)*l.Line, text.AlignStart, bannerText)
	}
	p.text("hide ×", f, b.X+b.W-10, b.Y+b.H/2, text.AlignEnd, bannerText)
}
