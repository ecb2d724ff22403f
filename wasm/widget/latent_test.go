package widget

import (
	"math"
	"slices"
	"strings"
	"testing"
)

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
		{name: "slider sets one coordinate", do: func(s *State) bool { return s.SetCoordinate(latent, 1, 2.5) },
			changed: true, explicit: true, panel: PanelSample, temp: 1, seed: 10,
			checkZ: func(z []float64) bool {
				return z[1] == 2.5 && z[0] == Quantize(seedZ[0], 3) && z[3] == Quantize(seedZ[3], 3)
			}, wantZDesc: "z[1]=2.5, others the seed's rounded"},
		{name: "slider out of range is clamped", do: func(s *State) bool { return s.SetCoordinate(latent, 0, 99) },
			changed: true, explicit: true, panel: PanelSample, temp: 1, seed: 10,
			checkZ: func(z []float64) bool { return z[0] == ZMax }, wantZDesc: "z[0]=ZMax"},
		{name: "bad dimension changes nothing", do: func(s *State) bool { return s.SetCoordinate(latent, latent, 1) },
			panel: PanelSample, temp: 1, seed: 10,
			checkZ: func(z []float64) bool { return slices.Equal(z, seedZ) }, wantZDesc: "the seed's z"},
		{name: "temperature scales the seed's z", do: func(s *State) bool { return s.SetTemperature(0.5) },
			changed: true, panel: PanelSample, temp: 0.5, seed: 10,
			checkZ: func(z []float64) bool { return z[2] == 0.5*seedZ[2] }, wantZDesc: "half the seed's z"},
		{name: "temperature clamped", do: func(s *State) bool { return s.SetTemperature(9) },
			changed: true, panel: PanelSample, temp: TempMax, seed: 10},
		{name: "same temperature is no change", do: func(s *State) bool { return s.SetTemperature(1) },
			panel: PanelSample, temp: 1, seed: 10},
		{name: "temperature scales an explicit z", do: func(s *State) bool { s.SetCoordinate(latent, 0, 2); return s.SetTemperature(0.5) },
			changed: true, explicit: true, panel: PanelSample, temp: 0.5, seed: 10,
			checkZ: func(z []float64) bool { return z[0] == 1 }, wantZDesc: "z[0]=1"},
		{name: "sample leaves the explicit z", do: func(s *State) bool { s.SetCoordinate(latent, 0, 2); return s.Apply(Intent{Action: Sample}) },
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
			c, _ := ParseCommand([]byte(`{"target":"vaeplay","type":"set","z":[1,2],"panel":"grid"}`), testPanels)
			return s.Command(c)
		}, panel: PanelSample, temp: 1, seed: 10, errs: 1},
		{name: "command z and temperature", do: func(s *State) bool {
			c, _ := ParseCommand([]byte(`{"target":"vaeplay","type":"set","z":[1,2,3,-4],"temperature":0.5}`), testPanels)
			return s.Command(c)
		}, changed: true, explicit: true, panel: PanelSample, temp: 0.5, seed: 10,
			checkZ: func(z []float64) bool { return slices.Equal(z, []float64{1, 2, 3, -4}) }, wantZDesc: "[1 2 3 -4] as sent"},
		{name: "command seed drops an explicit z", do: func(s *State) bool {
			s.SetCoordinate(latent, 0, 1)
			c, _ := ParseCommand([]byte(`{"target":"vaeplay","type":"set","seed":10}`), testPanels)
			return s.Command(c)
		}, changed: true, panel: PanelSample, temp: 1, seed: 10,
			checkZ: func(z []float64) bool { return slices.Equal(z, seedZ) }, wantZDesc: "the seed's z"},
	}
	for _, tt := range tests {
		s := newState(start, nil)
		loadTiny(t, s, CVAE, FullModel, latent)
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

	// A URL z made for another model is dropped when the model about to
	// decode says its size, with an error naming both sizes; reading z
	// changes nothing.
	s := newState(Options{Selection: Selection{CVAE, 2, 10}, Z: "1,2,3"}, nil)
	if z := s.Z(latent); !slices.Equal(z, seedZ) || s.ErrorCount() != 0 || !s.ExplicitZ() {
		t.Errorf("reading a wrong-length URL z: z %v errors %q explicit %v, want the seed's z, no error, the URL's z kept", z, s.Errors(), s.ExplicitZ())
	}
	s.FitZ(3)
	if s.ErrorCount() != 0 || !s.ExplicitZ() {
		t.Errorf("FitZ with the URL z's own size: errors %q, want none and the z kept", s.Errors())
	}
	s.FitZ(latent)
	if z := s.Z(latent); !slices.Equal(z, seedZ) || s.ErrorCount() != 1 || s.ExplicitZ() || !strings.Contains(s.Errors()[0], "z has 3 numbers, model cvae has 4") {
		t.Errorf("FitZ(%d) of a 3-number z: z %v errors %q, want the seed's z and one error naming both sizes", latent, z, s.Errors())
	}
}

func TestLatent(t *testing.T) {
	l := NewLatent(0)
	if l.Temperature() != TempDefault || l.Explicit(FullSpace) != nil || l.To() != nil {
		t.Fatalf("NewLatent(0): temperature %v, z %v, to %v", l.Temperature(), l.Explicit(FullSpace), l.To())
	}
	steps := []struct {
		name    string
		do      func() bool
		changed bool
		full    []float64 // the explicit z of each space after the step
		plane   []float64
		to      []float64
		temp    float64
	}{
		{"set rounds and clamps", func() bool { return l.Set(FullSpace, []float64{1.23456, -7, 0}) }, true, []float64{1.235, -ZMax, 0}, nil, nil, 1},
		{"the same again", func() bool { return l.Set(FullSpace, []float64{1.235, -6, 0}) }, false, []float64{1.235, -ZMax, 0}, nil, nil, 1},
		{"the plane keeps its own", func() bool { return l.Set(PlaneSpace, []float64{0.5, -0.5}) }, true, []float64{1.235, -ZMax, 0}, []float64{0.5, -0.5}, nil, 1},
		{"an end", func() bool { return l.SetTo([]float64{2, 2, 2}) }, true, []float64{1.235, -ZMax, 0}, []float64{0.5, -0.5}, []float64{2, 2, 2}, 1},
		{"temperature alone", func() bool { return l.SetTemperature(0.5) }, true, []float64{1.235, -ZMax, 0}, []float64{0.5, -0.5}, []float64{2, 2, 2}, 0.5},
		{"rescale the plane", func() bool { return l.Rescale(PlaneSpace, 1) }, true, []float64{1.235, -ZMax, 0}, []float64{1, -1}, []float64{4, 4, 4}, 1},
		{"rescale to the same", func() bool { return l.Rescale(FullSpace, 1) }, false, []float64{1.235, -ZMax, 0}, []float64{1, -1}, []float64{4, 4, 4}, 1},
		{"NaN is no temperature", func() bool { return l.SetTemperature(math.NaN()) }, false, []float64{1.235, -ZMax, 0}, []float64{1, -1}, []float64{4, 4, 4}, 1},
		{"back to the seed", func() bool { return l.Set(FullSpace, nil) }, true, nil, []float64{1, -1}, []float64{4, 4, 4}, 1},
		{"no end", func() bool { return l.SetTo(nil) }, true, nil, []float64{1, -1}, nil, 1},
		{"no end again", func() bool { return l.SetTo(nil) }, false, nil, []float64{1, -1}, nil, 1},
	}
	for _, st := range steps {
		rev := l.Rev()
		if got := st.do(); got != st.changed {
			t.Errorf("%s: changed %v, want %v", st.name, got, st.changed)
		}
		if (l.Rev() != rev) != st.changed {
			t.Errorf("%s: revision %d to %d, changed %v", st.name, rev, l.Rev(), st.changed)
		}
		if !slices.Equal(l.Explicit(FullSpace), st.full) || !slices.Equal(l.Explicit(PlaneSpace), st.plane) || !slices.Equal(l.To(), st.to) || l.Temperature() != st.temp {
			t.Errorf("%s: z %v plane %v to %v temperature %v, want %v %v %v %v", st.name,
				l.Explicit(FullSpace), l.Explicit(PlaneSpace), l.To(), l.Temperature(), st.full, st.plane, st.to, st.temp)
		}
	}
	// Z is the explicit z when it fits the model, else the seed's.
	if z := l.Z(PlaneSpace, 7, 2); !slices.Equal(z, []float64{1, -1}) {
		t.Errorf("Z of the plane = %v, want its point", z)
	}
	if z := l.Z(PlaneSpace, 7, 3); !slices.Equal(z, SeedZ(7, 3, 1)) {
		t.Errorf("Z of the plane for a 3-D model = %v, want the seed's", z)
	}
}
