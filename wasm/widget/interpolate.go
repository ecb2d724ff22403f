package widget

import (
	"math"
	"time"
)

// PanelInterpolate shows a spherical interpolation (Slerp) from the current
// z to the next sample's, or to the end set by a morph, the URL's to= or a
// message: animated in the digit, and as a strip of ten points of the path
// in the row.
const PanelInterpolate Panel = "interpolate"

// InterpolateSpec is the interpolation panel: the digit and the strip where
// ComputeLayout puts the digit and the row, whose cells are there to look
// at.
var InterpolateSpec = PanelSpec{Name: PanelInterpolate}

// The interpolation's path is decoded as PathFrames frames; the strip shows
// every FramesPerCell-th, ten cells spanning the path.
const (
	FramesPerCell = 4
	PathFrames    = (Digits-1)*FramesPerCell + 1
)

// AnimPeriod is one pass of the interpolation's animation, there or back.
const AnimPeriod = 2500 * time.Millisecond

// AnimFrame returns the frame of n to show after elapsed time: forth, then
// back, so that the digit morphs smoothly without a jump.
func AnimFrame(elapsed time.Duration, n int) int {
	if n < 2 {
		return 0
	}
	phase := float64(elapsed%(2*AnimPeriod)) / float64(AnimPeriod) // 0..2
	if phase > 1 {
		phase = 2 - phase
	}
	return int(math.Round(phase * float64(n-1)))
}

// StripCell returns the cell of the strip that frame falls in.
func StripCell(frame int) int { return int(math.Round(float64(frame) / FramesPerCell)) }

// Path returns the n points of the slerp path from z to to, ends included.
func Path(z, to []float64, n int) [][]float64 {
	zs := make([][]float64, n)
	for i := range n {
		zs[i] = Slerp(z, to, float64(i)/float64(n-1))
	}
	return zs
}
