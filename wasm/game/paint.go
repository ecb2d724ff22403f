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
	p.fill(r.Inset(w), max(0, radius-w), in)
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

// mid is the y of the middle of r: where a line of text in r is centred.
func mid(r widget.Rect) float64 { return r.Y + r.H/2 }

// inkImages writes pixel means (ink probability per pixel, row-major) as
// dark ink on white paper into images, through one scratch buffer.
type inkImages struct{ pix []byte }

// write paints the pixel means p into img.
func (w *inkImages) write(img *ebiten.Image, p []float64) {
	if len(w.pix) < 4*len(p) {
		w.pix = make([]byte, 4*len(p))
	}
	for i, v := range p {
		ink := math.Max(0, math.Min(1, v))
		w.pix[4*i], w.pix[4*i+1], w.pix[4*i+2], w.pix[4*i+3] = mixInk(ink, inkColor.R), mixInk(ink, inkColor.G), mixInk(ink, inkColor.B), 255
	}
	img.WritePixels(w.pix[:4*len(p)])
}

// mixInk is one colour channel of ink of the given density on white paper.
func mixInk(ink float64, c uint8) byte { return byte(math.Round(255 + ink*(float64(c)-255))) }

// newImages returns n images of a decoded digit's size.
func newImages(n int) []*ebiten.Image {
	imgs := make([]*ebiten.Image, n)
	for i := range imgs {
		imgs[i] = ebiten.NewImage(widget.ImageSide, widget.ImageSide)
	}
	return imgs
}
