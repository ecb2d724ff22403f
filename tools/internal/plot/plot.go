// Package plot draws the project's figures as PNG with gonum.org/v1/plot:
// grids of grey images (digits) with labelled axes, line charts of losses
// by epoch, and scatter plots coloured by class.
//
// Image grids are assembled here as image.Gray and scaled up by whole
// pixels before gonum/plot draws them, so that digits stay sharp instead of
// being smoothed by the renderer's interpolation.
package plot

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"vaeplay/tools/internal/atomicfile"
)

// DPI is the resolution figures are rendered at.
const DPI = 96

// Palette holds ten colours that stay distinguishable side by side (the
// Tableau 10 palette), one per class of a ten-class data set.
var Palette = [10]color.RGBA{
	{0x1f, 0x77, 0xb4, 0xff}, {0xff, 0x7f, 0x0e, 0xff}, {0x2c, 0xa0, 0x2c, 0xff}, {0xd6, 0x27, 0x28, 0xff},
	{0x94, 0x67, 0xbd, 0xff}, {0x8c, 0x56, 0x4b, 0xff}, {0xe3, 0x77, 0xc2, 0xff}, {0x7f, 0x7f, 0x7f, 0xff},
	{0xbc, 0xbd, 0x22, 0xff}, {0x17, 0xbe, 0xcf, 0xff},
}

// Grid describes how Tile lays images out: Rows x Cols cells of Width x
// Height pixels each, separated and framed by Pad pixels of grey.
type Grid struct {
	Rows, Cols    int
	Width, Height int
	Pad           int
}

// padGrey frames the cells: lighter than MNIST's black background so that
// neighbouring digits read as separate, darker than their strokes.
const padGrey = 96

// Tile assembles images, each Width*Height grey values in [0, 1] row by row,
// into one image filled row by row; cells beyond len(images) stay empty.
// Values outside [0, 1] are clipped.
func Tile(images [][]float64, g Grid) (*image.Gray, error) {
	switch {
	case g.Rows <= 0 || g.Cols <= 0 || g.Width <= 0 || g.Height <= 0 || g.Pad < 0:
		return nil, fmt.Errorf("plot: grid %+v: sizes must be positive", g)
	case len(images) > g.Rows*g.Cols:
		return nil, fmt.Errorf("plot: %d images do not fit a %dx%d grid", len(images), g.Rows, g.Cols)
	case g.Cols*(g.Width+g.Pad) > 1<<15 || g.Rows*(g.Height+g.Pad) > 1<<15:
		return nil, fmt.Errorf("plot: grid %+v is too large an image", g)
	}
	w := g.Cols*(g.Width+g.Pad) + g.Pad
	h := g.Rows*(g.Height+g.Pad) + g.Pad
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = padGrey
	}
	for k, px := range images {
		if len(px) != g.Width*g.Height {
			return nil, fmt.Errorf("plot: image %d has %d values, want %dx%d", k, len(px), g.Width, g.Height)
		}
		x0 := g.Pad + (k%g.Cols)*(g.Width+g.Pad)
		y0 := g.Pad + (k/g.Cols)*(g.Height+g.Pad)
		for y := 0; y < g.Height; y++ {
			for x := 0; x < g.Width; x++ {
				img.SetGray(x0+x, y0+y, color.Gray{Y: grey(px[y*g.Width+x])})
			}
		}
	}
	return img, nil
}

func grey(v float64) uint8 {
	if !(v > 0) { // also NaN
		return 0
	}
	if v >= 1 {
		return 255
	}
	return uint8(math.Round(v * 255))
}

// Upscale returns img enlarged k times by repeating pixels.
func Upscale(img *image.Gray, k int) *image.Gray {
	if k <= 1 {
		return img
	}
	b := img.Bounds()
	out := image.NewGray(image.Rect(0, 0, b.Dx()*k, b.Dy()*k))
	for y := 0; y < b.Dy()*k; y++ {
		for x := 0; x < b.Dx()*k; x++ {
			out.Pix[y*out.Stride+x] = img.GrayAt(b.Min.X+x/k, b.Min.Y+y/k).Y
		}
	}
	return out
}

// ImageOptions labels a figure made of one image.
type ImageOptions struct {
	Title, XLabel, YLabel string
	// Extent places the image in data coordinates: Xmin, Ymin, Xmax, Ymax.
	// The zero value gives pixel coordinates without tick labels.
	Extent [4]float64
	// RowNames, if set, names rows of the image evenly spaced from top to
	// bottom (for example the digit each row of samples was asked for), and
	// replaces the Y axis' numbers.
	RowNames []string
	// ColNames does the same for columns, left to right.
	ColNames []string
}

// ImageFigure returns a plot showing img with the labels of o. Pass an img
// already scaled up with Upscale to about its size on the figure: the
// renderer interpolates, which blurs small images stretched far.
func ImageFigure(img image.Image, o ImageOptions) *plot.Plot {
	p := plot.New()
	p.Title.Text = o.Title
	p.X.Label.Text, p.Y.Label.Text = o.XLabel, o.YLabel
	b := img.Bounds()
	ext := o.Extent
	numeric := ext != [4]float64{}
	if !numeric {
		ext = [4]float64{0, 0, float64(b.Dx()), float64(b.Dy())}
	}
	p.Add(plotter.NewImage(img, ext[0], ext[1], ext[2], ext[3]))
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = ext[0], ext[2], ext[1], ext[3]
	if !numeric {
		p.HideAxes()
		// HideAxes also drops the labels' room; keep the names.
		p.X.Label.Text, p.Y.Label.Text = o.XLabel, o.YLabel
	}
	if len(o.RowNames) > 0 {
		p.Y.Tick.Marker = spread(o.RowNames, ext[1], ext[3], true)
		p.Y.Tick.Length = 0
	}
	if len(o.ColNames) > 0 {
		p.X.Tick.Marker = spread(o.ColNames, ext[0], ext[2], false)
		p.X.Tick.Length = 0
	}
	return p
}

// spread puts names at the centres of len(names) equal bands of [lo, hi],
// from hi down when descending (image rows run top to bottom).
func spread(names []string, lo, hi float64, descending bool) plot.ConstantTicks {
	band := (hi - lo) / float64(len(names))
	ticks := make(plot.ConstantTicks, len(names))
	for i, n := range names {
		v := lo + (float64(i)+0.5)*band
		if descending {
			v = hi - (float64(i)+0.5)*band
		}
		ticks[i] = plot.Tick{Value: v, Label: n}
	}
	return ticks
}

// Series is one line of a line chart.
type Series struct {
	Name string
	X, Y []float64
}

// LineFigure returns a line chart of series with point markers, so that a
// series of one point still shows.
func LineFigure(title, xLabel, yLabel string, series ...Series) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text, p.Y.Label.Text = xLabel, yLabel
	p.Add(plotter.NewGrid())
	p.Legend.Top = true
	for i, s := range series {
		if len(s.X) != len(s.Y) || len(s.X) == 0 {
			return nil, fmt.Errorf("plot: series %q has %d x and %d y values", s.Name, len(s.X), len(s.Y))
		}
		xys := make(plotter.XYs, len(s.X))
		for j := range s.X {
			xys[j] = plotter.XY{X: s.X[j], Y: s.Y[j]}
		}
		line, points, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, fmt.Errorf("plot: series %q: %w", s.Name, err)
		}
		c := Palette[i%len(Palette)]
		line.Color, line.Width = c, vg.Points(1.5)
		points.Color, points.Shape = c, draw.CircleGlyph{}
		p.Add(line, points)
		p.Legend.Add(s.Name, line, points)
	}
	return p, nil
}

// ScatterFigure returns a scatter plot of the points (x[i], y[i]) coloured
// by class[i], with a legend naming each class by names[class].
func ScatterFigure(title, xLabel, yLabel string, x, y []float64, class []int, names []string) (*plot.Plot, error) {
	if len(x) != len(y) || len(x) != len(class) {
		return nil, fmt.Errorf("plot: %d x, %d y and %d classes", len(x), len(y), len(class))
	}
	if len(names) > len(Palette) {
		return nil, fmt.Errorf("plot: %d classes, the palette has %d colours", len(names), len(Palette))
	}
	byClass := make([]plotter.XYs, len(names))
	for i, c := range class {
		if c < 0 || c >= len(names) {
			return nil, fmt.Errorf("plot: point %d has class %d, want 0..%d", i, c, len(names)-1)
		}
		byClass[c] = append(byClass[c], plotter.XY{X: x[i], Y: y[i]})
	}
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text, p.Y.Label.Text = xLabel, yLabel
	p.Add(plotter.NewGrid())
	p.Legend.Top = true
	p.Legend.Left = false
	for c, pts := range byClass {
		if len(pts) == 0 {
			continue
		}
		s, err := plotter.NewScatter(pts)
		if err != nil {
			return nil, fmt.Errorf("plot: class %s: %w", names[c], err)
		}
		// Translucent, so that overlapping points show as density.
		col := color.NRGBA{R: Palette[c].R, G: Palette[c].G, B: Palette[c].B, A: 0xa0}
		s.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(1.2), Shape: draw.CircleGlyph{}}
		p.Add(s)
		p.Legend.Add(names[c], &legendDot{col})
	}
	return p, nil
}

// legendDot is a legend entry bigger than the scatter's tiny points.
type legendDot struct{ c color.Color }

func (d *legendDot) Thumbnail(c *draw.Canvas) {
	ctr := vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: (c.Min.Y + c.Max.Y) / 2}
	c.DrawGlyph(draw.GlyphStyle{Color: d.c, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}, ctr)
}

// Size is a figure's size in output pixels.
type Size struct{ W, H int }

func (s Size) lengths() (vg.Length, vg.Length) {
	return vg.Length(s.W) * vg.Inch / DPI, vg.Length(s.H) * vg.Inch / DPI
}

// Save renders p as a PNG of size s and writes it to path atomically.
func Save(path string, p *plot.Plot, s Size) error {
	return SaveTiles(path, [][]*plot.Plot{{p}}, s)
}

// SaveTiles renders a table of plots, rows of equal length, side by side
// into one PNG of size s. A nil entry leaves its tile empty.
func SaveTiles(path string, plots [][]*plot.Plot, s Size) error {
	if len(plots) == 0 || len(plots[0]) == 0 {
		return errors.New("plot: no plots to save")
	}
	for _, row := range plots {
		if len(row) != len(plots[0]) {
			return fmt.Errorf("plot: rows of %d and %d plots", len(plots[0]), len(row))
		}
	}
	if s.W <= 0 || s.H <= 0 || s.W > 1<<14 || s.H > 1<<14 {
		return fmt.Errorf("plot: figure size %dx%d out of range", s.W, s.H)
	}
	w, h := s.lengths()
	c := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(DPI), vgimg.UseBackgroundColor(color.White))
	dc := draw.New(c)
	pad := vg.Points(6)
	tiles := draw.Tiles{Rows: len(plots), Cols: len(plots[0]), PadX: pad, PadY: pad,
		PadTop: pad, PadBottom: pad, PadLeft: pad, PadRight: pad}
	canvases := plot.Align(plots, tiles, dc)
	for i, row := range plots {
		for j, p := range row {
			if p != nil {
				p.Draw(canvases[i][j])
			}
		}
	}
	return WritePNG(path, c.Image())
}

// WritePNG encodes img as PNG into path atomically.
func WritePNG(path string, img image.Image) error {
	if err := atomicfile.Write(path, func(w io.Writer) error { return png.Encode(w, img) }); err != nil {
		return fmt.Errorf("plot: writing %s: %w", path, err)
	}
	return nil
}
