package widget

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

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

func TestReportJSON(t *testing.T) {
	s := newState(Options{Selection: Selection{CVAE, 2, 9007199254740991}}, nil)
	l := layoutOf(640, 480, 1, Full, SampleSpec)
	for _, p := range testPanels[1:] { // every panel's layout reports in the same shape
		for _, c := range []Controls{Full, Minimal} {
			if _, err := json.Marshal(s.Report(false, nil, 0, 0, layoutOf(640, 480, 1, c, p))); err != nil {
				t.Errorf("%s %s: %v", c, p.Name, err)
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

	loadTiny(t, s, CVAE, FullModel, 4)
	s.Fail(errWant("bad"))
	r := s.Report(true, []float64{0.5, -1}, 1.25, 3, l)
	if r.Status != "ready" || r.Samples != 3 || r.DecodeMs != 1.25 || !slices.Equal(r.Z, []float64{0.5, -1}) || !slices.Equal(r.Errors, []string{"bad"}) {
		t.Errorf("Report = %+v", r)
	}
}

type errWant string

func (e errWant) Error() string { return string(e) }
