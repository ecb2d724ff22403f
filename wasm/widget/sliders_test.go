package widget

import (
	"math"
	"slices"
	"testing"
)

func TestSliderMapping(t *testing.T) {
	track := Rect{X: 100, Y: 0, W: 200, H: 10}
	tests := []struct {
		slider int
		x      float64
		want   float64
	}{
		{1, 100, -SliderZ},
		{1, 300, SliderZ},
		{1, 200, 0},
		{1, 150, -1.5},
		{1, 0, -SliderZ},   // left of the track: pinned
		{1, 999, SliderZ},  // right of it
		{1, 133.3, -2.001}, // rounded to three decimals
		{0, 100, TempMin},
		{0, 300, TempMax},
		{0, 200, 1.05},
		{0, 50, TempMin},
	}
	for _, tt := range tests {
		got := SliderValue(tt.slider, track, tt.x)
		if got != tt.want {
			t.Errorf("SliderValue(%d, x=%g) = %v, want %v", tt.slider, tt.x, got, tt.want)
		}
		// The knob sits where the pointer is (within rounding), or at the end.
		x := SliderX(tt.slider, track, got)
		if want := max(track.X, min(track.X+track.W, tt.x)); math.Abs(x-want) > 0.1 {
			t.Errorf("SliderX(%d, %v) = %g, want %g", tt.slider, got, x, want)
		}
	}
	if x := SliderX(1, track, 5); x != track.X+track.W {
		t.Errorf("SliderX beyond the range = %g, want the track's end", x)
	}
	if v := SliderValue(1, Rect{}, 5); v != -SliderZ {
		t.Errorf("SliderValue on an empty track = %g", v)
	}
}

func TestNameSliders(t *testing.T) {
	for _, tc := range []struct {
		name   string
		rank   []int
		labels []string
	}{
		{"no model yet", nil, []string{"temperature", "z", "z", "z", "z", "z"}},
		{"a ranking", []int{7, 2, 0, 1, 3, 4, 5, 6}, []string{"temperature", "z7", "z2", "z0", "z1", "z3"}},
		{"fewer dimensions than sliders", []int{1, 0}, []string{"temperature", "z1", "z0"}},
	} {
		l := layoutOf(900, 600, 1, Full, SlidersSpec)
		NameSliders(&l, tc.rank)
		var got []string
		for _, s := range l.Sliders {
			got = append(got, s.Label)
		}
		if !slices.Equal(got, tc.labels) {
			t.Errorf("%s: labels %q, want %q", tc.name, got, tc.labels)
		}
		for i := range l.Sliders {
			want := -1
			if i > 0 && tc.rank != nil {
				want = tc.rank[i-1]
			}
			if got := SliderDim(tc.rank, i); got != want {
				t.Errorf("%s: SliderDim(%d) = %d, want %d", tc.name, i, got, want)
			}
		}
	}
}

func TestSliderFocus(t *testing.T) {
	var f SliderFocus
	for _, st := range []struct{ d, n, want int }{{-1, 6, 5}, {1, 6, 0}, {1, 6, 1}, {13, 6, 2}, {1, 0, 2}} {
		f.Move(st.d, st.n)
		if int(f) != st.want {
			t.Errorf("Move(%d, %d) = %d, want %d", st.d, st.n, f, st.want)
		}
	}
}
