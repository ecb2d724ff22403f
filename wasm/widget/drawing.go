package widget

import "math"

// Point is a point of a stroke in the drawing pad's own coordinates: 0..1
// across and down.
type Point struct{ X, Y float64 }

// Drawing is what the user drew on the pad: strokes of points.
type Drawing struct {
	strokes [][]Point
	open    bool // the last stroke is still being drawn
}

// maxPoints bounds a drawing, so that a pointer held down for minutes cannot
// grow it without end.
const maxPoints = 4000

// Add extends the current stroke, or starts one when start is set. Points
// outside the pad are clamped to its edge.
func (d *Drawing) Add(p Point, start bool) {
	if math.IsNaN(p.X) || math.IsNaN(p.Y) || d.Points() >= maxPoints {
		return
	}
	p = Point{max(0, min(1, p.X)), max(0, min(1, p.Y))}
	if start || !d.open || len(d.strokes) == 0 {
		d.strokes = append(d.strokes, nil)
		d.open = true
	}
	last := &d.strokes[len(d.strokes)-1]
	*last = append(*last, p)
}

// End closes the current stroke.
func (d *Drawing) End() { d.open = false }

// Clear forgets everything drawn.
func (d *Drawing) Clear() { *d = Drawing{} }

// Strokes returns the strokes drawn so far (not to be modified).
func (d *Drawing) Strokes() [][]Point { return d.strokes }

// Points counts the points of all strokes.
func (d *Drawing) Points() int {
	n := 0
	for _, s := range d.strokes {
		n += len(s)
	}
	return n
}

// Empty reports whether nothing was drawn.
func (d *Drawing) Empty() bool { return d.Points() == 0 }

// MNIST's preparation, which a drawing must match to be read as the training
// digits were: each digit's bounding box was scaled to fit 20×20 pixels
// (keeping its aspect ratio), then placed in the 28×28 image so that its
// centre of mass fell on the image centre.
const (
	digitBox = 20.0
	// penRadius is the half-width of the pen in image pixels: MNIST strokes
	// are two to three pixels wide.
	penRadius = 1.1
)

// Raster renders the drawing as MNIST would have it: 784 ink values in
// [0,1], row-major, bounding box scaled into 20×20 and centre of mass at the
// centre. It returns nil for an empty drawing.
func (d *Drawing) Raster() []float64 {
	if d.Empty() {
		return nil
	}
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, s := range d.strokes {
		for _, p := range s {
			x0, y0, x1, y1 = min(x0, p.X), min(y0, p.Y), max(x1, p.X), max(y1, p.Y)
		}
	}
	// Scale the longer side of the box, pen included, to 20 pixels; a dot
	// or a straight line keeps the pen's width rather than becoming huge.
	inner := digitBox - 2*penRadius
	side := max(x1-x0, y1-y0)
	scale := 0.0
	if side > 0 {
		scale = inner / side
	}
	cx, cy := (x0+x1)/2, (y0+y1)/2
	// First place the box's centre at the image centre, then move the ink's
	// centre of mass there.
	place := func(dx, dy float64) [][]Point {
		out := make([][]Point, len(d.strokes))
		for i, s := range d.strokes {
			out[i] = make([]Point, len(s))
			for j, p := range s {
				out[i][j] = Point{(p.X-cx)*scale + ImageSide/2 + dx, (p.Y-cy)*scale + ImageSide/2 + dy}
			}
		}
		return out
	}
	img := render(place(0, 0))
	mx, my := centreOfMass(img)
	if math.IsNaN(mx) {
		return img
	}
	return render(place(ImageSide/2-mx, ImageSide/2-my))
}

// render draws strokes (in image pixels) with a round pen of penRadius and
// a one-pixel soft edge, sampling each pixel at its centre.
func render(strokes [][]Point) []float64 {
	img := make([]float64, ImageSide*ImageSide)
	for _, s := range strokes {
		for j := range s {
			a, b := s[j], s[j]
			if j > 0 {
				a = s[j-1]
			}
			// Only the pixels near the segment can be inked.
			lx := int(math.Floor(min(a.X, b.X) - penRadius - 1))
			hx := int(math.Ceil(max(a.X, b.X) + penRadius + 1))
			ly := int(math.Floor(min(a.Y, b.Y) - penRadius - 1))
			hy := int(math.Ceil(max(a.Y, b.Y) + penRadius + 1))
			for y := max(ly, 0); y <= min(hy, ImageSide-1); y++ {
				for x := max(lx, 0); x <= min(hx, ImageSide-1); x++ {
					dist := segmentDistance(Point{float64(x) + 0.5, float64(y) + 0.5}, a, b)
					ink := max(0, min(1, penRadius+0.5-dist))
					img[y*ImageSide+x] = max(img[y*ImageSide+x], ink)
				}
			}
		}
	}
	return img
}

// segmentDistance returns the distance from p to the segment ab.
func segmentDistance(p, a, b Point) float64 {
	dx, dy := b.X-a.X, b.Y-a.Y
	t := 0.0
	if l := dx*dx + dy*dy; l > 0 {
		t = max(0, min(1, ((p.X-a.X)*dx+(p.Y-a.Y)*dy)/l))
	}
	return math.Hypot(p.X-(a.X+t*dx), p.Y-(a.Y+t*dy))
}

// centreOfMass returns the ink-weighted mean pixel centre of img, or NaN
// for a blank image.
func centreOfMass(img []float64) (x, y float64) {
	var sum, sx, sy float64
	for i, v := range img {
		sum += v
		sx += v * (float64(i%ImageSide) + 0.5)
		sy += v * (float64(i/ImageSide) + 0.5)
	}
	if sum == 0 {
		return math.NaN(), math.NaN()
	}
	return sx / sum, sy / sum
}
