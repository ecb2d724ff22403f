package widget

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"vaeplay/model"
)

func TestZReproducible(t *testing.T) {
	s := Selection{CVAE, 3, 42}
	a, b := s.Z(20), s.Z(20)
	if !slices.Equal(a, b) {
		t.Error("the same seed gave two different z")
	}
	// The same draw the trainer's model.Noise makes from PCG(seed, seed).
	want := model.Noise(1, 20, rand.New(rand.NewPCG(42, 42)))
	if !slices.Equal(a, Widen(want.Row(0))) {
		t.Error("z is not model.Noise from PCG(seed, seed)")
	}
	next := Selection{CVAE, 3, 43}.Z(20)
	if slices.Equal(a, next) {
		t.Error("seed+1 gave the same z")
	}
	if len(a) != 20 {
		t.Errorf("z has %d coordinates, want 20", len(a))
	}
}

func TestLabels(t *testing.T) {
	if got := (Selection{VAE, -1, 1}).Labels(); got != nil {
		t.Errorf("VAE labels = %v, want nil", got)
	}
	if got := (Selection{CVAE, 6, 1}).Labels(); !slices.Equal(got, []int{6}) {
		t.Errorf("CVAE labels = %v, want [6]", got)
	}
}

func TestDefaultSeedIsSafeForJavaScript(t *testing.T) {
	for _, tm := range []time.Time{time.Unix(0, 0), time.Now(), time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC), time.Unix(0, -1)} {
		if s := DefaultSeed(tm); s > MaxSafeSeed {
			t.Errorf("DefaultSeed(%v) = %d > %d", tm, s, uint64(MaxSafeSeed))
		}
	}
	if DefaultSeed(time.Unix(0, 1)) == DefaultSeed(time.Unix(0, 2)) {
		t.Error("DefaultSeed ignores the nanoseconds")
	}
}

func TestKindOf(t *testing.T) {
	cfg := model.DefaultConfig()
	tests := []struct {
		input, classes int
		want           Kind
		err            string
	}{
		{784, 0, VAE, ""},
		{784, 10, CVAE, ""},
		{784, 3, "", "3 classes"},
		{100, 0, "", "100 inputs"},
		{1024, 10, "", "1024 inputs"},
	}
	for _, tt := range tests {
		cfg.Input, cfg.Classes = tt.input, tt.classes
		got, err := KindOf(cfg)
		if got != tt.want || (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("KindOf(input %d, classes %d) = %q, %v; want %q, error containing %q", tt.input, tt.classes, got, err, tt.want, tt.err)
		}
	}
}

func TestReportJSON(t *testing.T) {
	s := NewState(Options{Selection: Selection{CVAE, 2, 9007199254740991}}, nil)
	l := ComputeLayout(640, 480, 1)
	for _, p := range Panels[1:] { // every panel's layout reports in the same shape
		for _, c := range []Controls{Full, Minimal} {
			if _, err := json.Marshal(s.Report(false, nil, 0, 0, ComputeLayoutFor(640, 480, 1, c, p))); err != nil {
				t.Errorf("%s %s: %v", c, p, err)
			}
		}
	}
	got, err := json.Marshal(s.Report(false, nil, 0, 0, l))
	if err != nil {
		t.Fatal(err)
	}
	// The shape the contract names: keys, types, empty lists as [] not null,
	// chooser buttons flat {label,x,y,w,h}, nothing beyond the contract.
	var m map[string]any
	if err := json.Unmarshal(got, &m); err != nil {
		t.Fatal(err)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"controls", "decodeMs", "digit", "draw", "errors", "explicitZ", "fps", "layout", "model", "panel", "permalink", "ranking", "samples", "seed", "status", "temperature", "to", "z"}; !slices.Equal(keys, want) {
		t.Errorf("report keys %q, want %q", keys, want)
	}
	for _, want := range []string{`"status":"loading"`, `"model":"cvae"`, `"digit":2`, `"seed":9007199254740991`, `"z":[]`, `"errors":[]`,
		`"chooser":[{"label":"any","x":`, `"digit":{"x":`, `"row":{"x":`, `"tabs":[{"label":"sample","x":`, `"sliders":[]`, `"grid":[]`,
		`"temperature":1`, `"panel":"sample"`, `"controls":"full"`, `"explicitZ":false`, `"permalink":"?digit=2\u0026seed=9007199254740991"`} {
		if !strings.Contains(string(got), want) {
			t.Errorf("report %s lacks %s", got, want)
		}
	}
	lay := m["layout"].(map[string]any)
	if len(lay) != 10 {
		t.Errorf("layout has keys %v, want digit, row, chooser, tabs, sliders, grid, pad, clear, morph, map only", lay)
	}
	b := lay["chooser"].([]any)[10].(map[string]any)
	if len(b) != 5 || b["label"] != "9" {
		t.Errorf("last chooser button = %v, want {label:9, x, y, w, h}", b)
	}

	s.SetReady(CVAE)
	s.Fail(errWant("bad"))
	r := s.Report(true, []float64{0.5, -1}, 1.25, 3, l)
	if r.Status != "ready" || r.Samples != 3 || r.DecodeMs != 1.25 || !slices.Equal(r.Z, []float64{0.5, -1}) || !slices.Equal(r.Errors, []string{"bad"}) {
		t.Errorf("Report = %+v", r)
	}
}

type errWant string

func (e errWant) Error() string { return string(e) }
