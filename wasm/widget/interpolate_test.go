package widget

import (
	"slices"
	"testing"
	"time"
)

func TestAnimFrame(t *testing.T) {
	n := PathFrames
	for _, tc := range []struct {
		at   time.Duration
		want int
	}{
		{0, 0},
		{AnimPeriod / 2, (n - 1) / 2},
		{AnimPeriod, n - 1},
		{AnimPeriod + AnimPeriod/2, (n - 1) / 2}, // and back
		{2 * AnimPeriod, 0},
		{5 * AnimPeriod, n - 1},
	} {
		if got := AnimFrame(tc.at, n); got != tc.want {
			t.Errorf("AnimFrame(%v, %d) = %d, want %d", tc.at, n, got, tc.want)
		}
	}
	if got := AnimFrame(time.Second, 1); got != 0 {
		t.Errorf("AnimFrame of one frame = %d", got)
	}
	for cell := range Digits {
		if got := StripCell(cell * FramesPerCell); got != cell {
			t.Errorf("StripCell(%d) = %d, want %d", cell*FramesPerCell, got, cell)
		}
	}
}

func TestPath(t *testing.T) {
	a, b := []float64{1, 0}, []float64{0, 2}
	p := Path(a, b, PathFrames)
	if len(p) != PathFrames || !slices.Equal(p[0], a) || maxDiff(p[PathFrames-1], b) > 1e-12 {
		t.Fatalf("Path: %d points from %v to %v", len(p), p[0], p[len(p)-1])
	}
	if mid := p[PathFrames/2]; maxDiff(mid, Slerp(a, b, 0.5)) > 1e-12 {
		t.Errorf("the middle of the path %v, want Slerp's %v", mid, Slerp(a, b, 0.5))
	}
}
