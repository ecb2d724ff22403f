package widget

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"vaeplay/model"
)

func TestSlerp(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	randVec := func(n int, scale float64) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = scale * rng.NormFloat64()
		}
		return v
	}
	tests := []struct {
		name string
		a, b []float64
	}{
		{"random 20-d", randVec(20, 1), randVec(20, 1)},
		{"random, different norms", randVec(20, 0.5), randVec(20, 2)},
		{"opposite", []float64{1, 2, 3}, []float64{-1, -2, -3.0000001}},
		{"parallel", []float64{1, 2, 3}, []float64{2, 4, 6}},
		{"from zero", []float64{0, 0, 0}, []float64{1, -1, 2}},
	}
	for _, tt := range tests {
		if got := Slerp(tt.a, tt.b, 0); !slices.Equal(got, tt.a) && maxDiff(got, tt.a) > 1e-12 {
			t.Errorf("%s: Slerp(t=0) = %v, want a = %v", tt.name, got, tt.a)
		}
		if got := Slerp(tt.a, tt.b, 1); maxDiff(got, tt.b) > 1e-9 {
			t.Errorf("%s: Slerp(t=1) = %v, want b = %v", tt.name, got, tt.b)
		}
		// Between the ends the path never sags below the smaller norm, the
		// way a straight line between two random high-dimensional vectors
		// does (their midpoint has about 1/√2 of their norm).
		if tt.name == "opposite" || tt.name == "from zero" {
			continue
		}
		lo := min(norm(tt.a), norm(tt.b))
		for k := 1; k < 10; k++ {
			f := float64(k) / 10
			if n := norm(Slerp(tt.a, tt.b, f)); n < 0.95*lo {
				t.Errorf("%s: |Slerp(t=%.1f)| = %g, below the smaller end's %g", tt.name, f, n, lo)
			}
		}
	}
	// Equal norms: the norm stays put all the way, where lerp sags.
	a, b := []float64{3, 0}, []float64{0, 3}
	for k := range 11 {
		f := float64(k) / 10
		if n := norm(Slerp(a, b, f)); math.Abs(n-3) > 1e-12 {
			t.Errorf("|Slerp(%v, %v, %.1f)| = %g, want 3", a, b, f, n)
		}
	}
}

func maxDiff(a, b []float64) float64 {
	var d float64
	for i := range a {
		d = max(d, math.Abs(a[i]-b[i]))
	}
	return d
}

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

func TestRankLatents(t *testing.T) {
	for _, classes := range []int{0, Digits} {
		cfg := model.DefaultConfig()
		cfg.Classes = classes
		cfg.Hidden = []int{16}
		cfg.Latent = 6
		m, err := model.New(cfg, rand.New(rand.NewPCG(1, 1)))
		if err != nil {
			t.Fatal(err)
		}
		// Give dimension j a column of norm proportional to a chosen
		// usefulness; the label columns get the largest, to check that they
		// are not mistaken for latent dimensions.
		use := []float64{0.1, 5, 0, 2, 3, 0.5}
		w := m.Decoder[0].W
		for i := range w.Rows {
			for j := range w.Cols {
				v := 100.0
				if j < len(use) {
					v = use[j]
				}
				w.Row(i)[j] = float32(v)
			}
		}
		got := RankLatents(m, nil)
		if want := []int{1, 4, 3, 5, 0, 2}; !slices.Equal(got, want) {
			t.Errorf("classes %d: RankLatents = %v, want %v", classes, got, want)
		}
		// The KL from the metadata overrides the weights; a list of the
		// wrong length is not the model's and is ignored.
		kl := []float64{3, 0.01, 7, 0, 2, 2}
		if got, want := RankLatents(m, kl), []int{2, 0, 4, 5, 1, 3}; !slices.Equal(got, want) {
			t.Errorf("classes %d: RankLatents by KL = %v, want %v", classes, got, want)
		}
		if got, want := RankLatents(m, kl[:5]), []int{1, 4, 3, 5, 0, 2}; !slices.Equal(got, want) {
			t.Errorf("classes %d: RankLatents with 5 KLs for 6 dimensions = %v, want the proxy's %v", classes, got, want)
		}
	}
}

func TestExplorerTransitions(t *testing.T) {
	const latent = 4
	start := Options{Selection: Selection{CVAE, 2, 10}, Temperature: 1, Panel: PanelSample, Controls: Full}
	seedZ := SeedZ(10, latent, 1)
	tests := []struct {
		name      string
		do        func(s *State) bool
		changed   bool
		explicit  bool
		panel     Panel
		temp      float64
		seed      uint64
		errs      int
		checkZ    func(z []float64) bool
		wantZDesc string
	}{
		{name: "slider sets one coordinate", do: func(s *State) bool { return s.SetZ(latent, 1, 2.5) },
			changed: true, explicit: true, panel: PanelSample, temp: 1, seed: 10,
			checkZ: func(z []float64) bool {
				return z[1] == 2.5 && z[0] == Quantize(seedZ[0], 3) && z[3] == Quantize(seedZ[3], 3)
			}, wantZDesc: "z[1]=2.5, others the seed's rounded"},
		{name: "slider out of range is clamped", do: func(s *State) bool { return s.SetZ(latent, 0, 99) },
			changed: true, explicit: true, panel: PanelSample, temp: 1, seed: 10,
			checkZ: func(z []float64) bool { return z[0] == ZMax }, wantZDesc: "z[0]=ZMax"},
		{name: "bad dimension changes nothing", do: func(s *State) bool { return s.SetZ(latent, latent, 1) },
			panel: PanelSample, temp: 1, seed: 10,
			checkZ: func(z []float64) bool { return slices.Equal(z, seedZ) }, wantZDesc: "the seed's z"},
		{name: "temperature scales the seed's z", do: func(s *State) bool { return s.SetTemperature(0.5) },
			changed: true, panel: PanelSample, temp: 0.5, seed: 10,
			checkZ: func(z []float64) bool { return z[2] == 0.5*seedZ[2] }, wantZDesc: "half the seed's z"},
		{name: "temperature clamped", do: func(s *State) bool { return s.SetTemperature(9) },
			changed: true, panel: PanelSample, temp: TempMax, seed: 10},
		{name: "same temperature is no change", do: func(s *State) bool { return s.SetTemperature(1) },
			panel: PanelSample, temp: 1, seed: 10},
		{name: "temperature scales an explicit z", do: func(s *State) bool { s.SetZ(latent, 0, 2); return s.SetTemperature(0.5) },
			changed: true, explicit: true, panel: PanelSample, temp: 0.5, seed: 10,
			checkZ: func(z []float64) bool { return z[0] == 1 }, wantZDesc: "z[0]=1"},
		{name: "sample leaves the explicit z", do: func(s *State) bool { s.SetZ(latent, 0, 2); return s.Apply(Intent{Action: Sample}) },
			changed: true, panel: PanelSample, temp: 1, seed: 11,
			checkZ: func(z []float64) bool { return slices.Equal(z, SeedZ(11, latent, 1)) }, wantZDesc: "seed 11's z"},
		{name: "tab", do: func(s *State) bool { return s.Apply(Intent{Action: ShowPanel, Panel: PanelInterpolate}) },
			changed: true, panel: PanelInterpolate, temp: 1, seed: 10},
		{name: "key P cycles", do: func(s *State) bool { s.Apply(KeyIntent('p')); return s.Apply(KeyIntent('P')) },
			changed: true, panel: PanelMap, temp: 1, seed: 10},
		{name: "grid cell picks its seed", do: func(s *State) bool {
			s.Apply(Intent{Action: ShowPanel, Panel: PanelGrid})
			return s.Apply(Intent{Action: PickSeed, Offset: 5})
		}, changed: true, panel: PanelSample, temp: 1, seed: 15},
		{name: "command z of the wrong length is refused", do: func(s *State) bool {
			c, _ := ParseCommand([]byte(`{"target":"vaeplay","type":"set","z":[1,2],"panel":"grid"}`))
			return s.Command(c)
		}, panel: PanelSample, temp: 1, seed: 10, errs: 1},
		{name: "command z and temperature", do: func(s *State) bool {
			c, _ := ParseCommand([]byte(`{"target":"vaeplay","type":"set","z":[1,2,3,-4],"temperature":0.5}`))
			return s.Command(c)
		}, changed: true, explicit: true, panel: PanelSample, temp: 0.5, seed: 10,
			checkZ: func(z []float64) bool { return slices.Equal(z, []float64{1, 2, 3, -4}) }, wantZDesc: "[1 2 3 -4] as sent"},
		{name: "command seed drops an explicit z", do: func(s *State) bool {
			s.SetZ(latent, 0, 1)
			c, _ := ParseCommand([]byte(`{"target":"vaeplay","type":"set","seed":10}`))
			return s.Command(c)
		}, changed: true, panel: PanelSample, temp: 1, seed: 10,
			checkZ: func(z []float64) bool { return slices.Equal(z, seedZ) }, wantZDesc: "the seed's z"},
	}
	for _, tt := range tests {
		s := NewState(start, nil)
		s.SetReady(CVAE)
		s.SetLatent(CVAE, latent)
		if got := tt.do(s); got != tt.changed {
			t.Errorf("%s: changed = %v, want %v", tt.name, got, tt.changed)
		}
		if s.ExplicitZ() != tt.explicit || s.Panel() != tt.panel || s.Temperature() != tt.temp || s.Selection().Seed != tt.seed {
			t.Errorf("%s: explicit %v panel %s temperature %v seed %d, want %v %s %v %d", tt.name,
				s.ExplicitZ(), s.Panel(), s.Temperature(), s.Selection().Seed, tt.explicit, tt.panel, tt.temp, tt.seed)
		}
		if got := s.ErrorCount(); got != tt.errs {
			t.Errorf("%s: %d errors %q, want %d", tt.name, got, s.Errors(), tt.errs)
		}
		if tt.checkZ != nil && !tt.checkZ(s.Z(latent)) {
			t.Errorf("%s: z = %v, want %s", tt.name, s.Z(latent), tt.wantZDesc)
		}
	}

	// A URL z made for another model is dropped once the model says its
	// size, with an error naming both sizes.
	s := NewState(Options{Selection: Selection{CVAE, 2, 10}, Z: "1,2,3"}, nil)
	if z := s.Z(latent); !slices.Equal(z, seedZ) || s.ErrorCount() != 1 {
		t.Errorf("wrong-length URL z: z %v errors %q, want the seed's z and one error", z, s.Errors())
	}
}
