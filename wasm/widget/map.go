package widget

// PanelMap shows the latent plane of a model with a 2-D latent space, with a
// point the user drags across it and the digit it decodes to.
const PanelMap Panel = "map"

// MapSpec is the map panel. Its models are the registry's Plane ones,
// fetched when the map is first shown, and its z is the plane's own.
var MapSpec = PanelSpec{Name: PanelMap, Place: placeMap, Plane: true}

// The latent map shows models whose latent space is a plane: z = (z0, z1),
// z0 across and z1 up, over [-MapRange, MapRange]² (where the prior puts
// 99.7% of its mass on each axis). Its background is a grid of MapTiles ×
// MapTiles digits decoded at the centres of the grid's cells, so the reader
// sees which region of the plane holds which digit before dragging the point
// there.
const (
	// MapLatent is the latent size of the models the map shows.
	MapLatent = 2
	// MapRange is the half-width of the plane the map shows.
	MapRange = 3.0
	// MapTiles is how many decoded digits the background has per side.
	MapTiles = 12
	// MapStep is how far one arrow key moves the point.
	MapStep = 0.1
)

// MapPoint maps a pointer at (x, y) over the map r to the z it points at,
// clamped to the map and rounded as a URL keeps z, so that a permalink
// reproduces it.
func MapPoint(r Rect, x, y float64) []float64 {
	fx, fy := 0.5, 0.5
	if r.W > 0 && r.H > 0 {
		fx = max(0, min(1, (x-r.X)/r.W))
		fy = max(0, min(1, (y-r.Y)/r.H))
	}
	return []float64{
		Quantize(-MapRange+2*MapRange*fx, zDecimals),
		Quantize(MapRange-2*MapRange*fy, zDecimals),
	}
}

// MapXY is where z (its first two coordinates) lies on the map r; points
// outside the plane shown are pinned to its edge.
func MapXY(r Rect, z []float64) (x, y float64) {
	if len(z) < MapLatent {
		return r.X + r.W/2, r.Y + r.H/2
	}
	fx := max(0, min(1, (z[0]+MapRange)/(2*MapRange)))
	fy := max(0, min(1, (MapRange-z[1])/(2*MapRange)))
	return r.X + fx*r.W, r.Y + fy*r.H
}

// MapTileZ returns the z at the centre of the background's tile in column
// col and row row (row 0 at the top, where z1 is largest).
func MapTileZ(col, row int) []float64 {
	cell := 2 * MapRange / MapTiles
	return []float64{-MapRange + (float64(col)+0.5)*cell, MapRange - (float64(row)+0.5)*cell}
}

// MovePoint moves z (a point of the map) by (dx, dy) steps of MapStep,
// clamped to the plane shown and rounded as a URL keeps it.
func MovePoint(z []float64, dx, dy float64) []float64 {
	out := make([]float64, MapLatent)
	for i, d := range [MapLatent]float64{dx, dy} {
		v := 0.0
		if i < len(z) {
			v = z[i]
		}
		out[i] = Quantize(max(-MapRange, min(MapRange, v+d*MapStep)), zDecimals)
	}
	return out
}

// placeMap puts the latent map, a square under a caption line, beside (or,
// in a tall frame, above) the digit its point decodes to, whose z is
// written under it.
func placeMap(l *Layout, area Rect) {
	l.Row, l.Cells, l.RowCaption = Rect{}, [Digits]Rect{}, Rect{}
	gap := l.Gap
	top := area.Y + l.Line + gap // the caption line above the map
	h := max(area.Y+area.H-top, 0)
	if area.W >= 1.2*area.H {
		side := l.snap(min(h, 0.6*area.W))
		d := l.fit(min(area.W-side-6*gap, h))
		x0 := l.snap(area.X + (area.W-side-6*gap-d)/2)
		l.Map = Rect{X: x0, Y: l.snap(top), W: side, H: side}
		l.Digit = Rect{X: l.snap(x0 + side + 6*gap), Y: l.snap(top + (side-d)/2), W: d, H: d}
	} else {
		side := l.snap(min(area.W, 0.62*h))
		d := l.fit(min(area.W, h-side-2*gap))
		l.Map = Rect{X: l.snap(area.X + (area.W-side)/2), Y: l.snap(top), W: side, H: side}
		l.Digit = Rect{X: l.snap(area.X + (area.W-d)/2), Y: l.snap(top + side + 2*gap), W: d, H: d}
	}
	// The caption may run past the map, over the digit's column.
	l.MapCaption = Rect{X: l.Map.X, Y: l.Map.Y - l.Line - 2, W: l.Map.W + l.Digit.W, H: l.Line}
	l.MapZ = Rect{X: l.Digit.X, Y: l.Digit.Y + l.Digit.H + 4, W: l.Digit.W, H: l.Line}
}

// MapTileZs returns the z at the centre of each of the background's
// MapTiles² tiles, row by row from the top.
func MapTileZs() [][]float64 {
	zs := make([][]float64, 0, MapTiles*MapTiles)
	for r := range MapTiles {
		for c := range MapTiles {
			zs = append(zs, MapTileZ(c, r))
		}
	}
	return zs
}
