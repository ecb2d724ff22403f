package widget

// PanelGrid shows a grid of consecutive samples; a click on one opens it on
// the sample panel.
const PanelGrid Panel = "grid"

// GridSpec is the grid panel.
var GridSpec = PanelSpec{Name: PanelGrid, Place: placeGrid}

// placeGrid fills the area under a caption line with the largest cells
// that fit twelve to thirty samples.
func placeGrid(l *Layout, area Rect) {
	l.Row, l.Cells, l.RowCaption, l.Digit = Rect{}, [Digits]Rect{}, Rect{}, Rect{}
	gap := l.Gap
	l.GridCaption = Rect{X: area.X, Y: area.Y, W: area.W, H: l.Line}
	area.Y += l.Line + gap
	area.H -= l.Line + gap
	bestScore, bc, br, bcell := -1.0, 0, 0, 0.0
	for c := 3; c <= 10; c++ {
		for r := 2; r <= 6; r++ {
			if c*r < 12 || c*r > 30 {
				continue
			}
			cell := l.fit(min((area.W-float64(c-1)*gap)/float64(c), (area.H-float64(r-1)*gap)/float64(r)))
			if score := cell * cell * float64(c*r); cell > 0 && score > bestScore {
				bestScore, bc, br, bcell = score, c, r, cell
			}
		}
	}
	gw := float64(bc)*bcell + float64(bc-1)*gap
	gh := float64(br)*bcell + float64(br-1)*gap
	x0, y0 := l.snap(area.X+(area.W-gw)/2), l.snap(area.Y+(area.H-gh)/2)
	l.GridCaption.X, l.GridCaption.W = x0, gw
	for r := range br {
		for c := range bc {
			l.Grid = append(l.Grid, Rect{X: l.snap(x0 + float64(c)*(bcell+gap)), Y: l.snap(y0 + float64(r)*(bcell+gap)), W: bcell, H: bcell})
		}
	}
}

// GridSeeds returns the seeds of n grid cells from seed on: seed, seed+1, …
func GridSeeds(seed uint64, n int) []uint64 {
	s := make([]uint64, n)
	for i := range s {
		s[i] = seed + uint64(i)
	}
	return s
}
