package widget

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestParseQuery(t *testing.T) {
	const seed = 1234 // default seed; its default digit is 4
	tests := []struct {
		query   string
		want    Options
		errs    []string // substrings, one per expected error, in order
		comment string
	}{
		{query: "", want: Options{Selection: Selection{CVAE, 4, seed}}},
		{query: "?", want: Options{Selection: Selection{CVAE, 4, seed}}},
		{query: "?model=vae", want: Options{Selection: Selection{VAE, -1, seed}}},
		{query: "model=cvae", want: Options{Selection: Selection{CVAE, 4, seed}}},
		{query: "?digit=7", want: Options{Selection: Selection{CVAE, 7, seed}}},
		{query: "?digit=0&model=cvae", want: Options{Selection: Selection{CVAE, 0, seed}}},
		{query: "?seed=42", want: Options{Selection: Selection{CVAE, 2, 42}}},
		{query: "?seed=0", want: Options{Selection: Selection{CVAE, 0, 0}}},
		{query: "?seed=007&digit=3", want: Options{Selection: Selection{CVAE, 3, 7}}},
		{query: "?seed=18446744073709551615&model=vae", want: Options{Selection: Selection{VAE, -1, 18446744073709551615}}},
		{query: "?weights=my.safetensors", want: Options{Selection: Selection{CVAE, 4, seed}, Weights: "my.safetensors"}},
		{query: "?weights=https%3A%2F%2Fexample.org%2Fw.safetensors&model=vae",
			want: Options{Selection: Selection{VAE, -1, seed}, Weights: "https://example.org/w.safetensors"}},
		{query: "?weights=/w/a.safetensors", want: Options{Selection: Selection{CVAE, 4, seed}, Weights: "/w/a.safetensors"}},

		// Bad values fall back to the default and are named.
		{query: "?digit=12", want: Options{Selection: Selection{CVAE, 4, seed}}, errs: []string{`digit "12": want 0..9`}},
		{query: "?digit=-1", want: Options{Selection: Selection{CVAE, 4, seed}}, errs: []string{`digit "-1": want 0..9`}},
		{query: "?digit=-0", want: Options{Selection: Selection{CVAE, 4, seed}}, errs: []string{`digit "-0": want 0..9`}},
		{query: "?digit=%2B3", want: Options{Selection: Selection{CVAE, 4, seed}}, errs: []string{`digit "+3": want 0..9`}},
		{query: "?digit=03", want: Options{Selection: Selection{CVAE, 4, seed}}, errs: []string{`digit "03": want 0..9`}},
		{query: "?digit=3.0", want: Options{Selection: Selection{CVAE, 4, seed}}, errs: []string{`digit "3.0": want 0..9`}},
		{query: "?digit=", want: Options{Selection: Selection{CVAE, 4, seed}}, errs: []string{`digit "": want 0..9`}},
		{query: "?digit=x", want: Options{Selection: Selection{CVAE, 4, seed}}, errs: []string{`digit "x": want 0..9`}},
		{query: "?digit=%203", want: Options{Selection: Selection{CVAE, 4, seed}}, errs: []string{`digit " 3": want 0..9`}},
		{query: "?model=foo", want: Options{Selection: Selection{CVAE, 4, seed}}, errs: []string{`model "foo": want vae or cvae`}},
		{query: "?model=VAE", want: Options{Selection: Selection{CVAE, 4, seed}}, errs: []string{`model "VAE": want vae or cvae`}},
		{query: "?model=", want: Options{Selection: Selection{CVAE, 4, seed}}, errs: []string{`model "": want vae or cvae`}},
		{query: "?model=foo&digit=2", want: Options{Selection: Selection{CVAE, 2, seed}}, errs: []string{`model "foo"`}},
		{query: "?seed=-3", want: Options{Selection: Selection{CVAE, 4, seed}}, errs: []string{`seed "-3": want a decimal integer`}},
		{query: "?seed=%2B3", want: Options{Selection: Selection{CVAE, 4, seed}}, errs: []string{`seed "+3"`}},
		{query: "?seed=0x10", want: Options{Selection: Selection{CVAE, 4, seed}}, errs: []string{`seed "0x10"`}},
		{query: "?seed=1e3", want: Options{Selection: Selection{CVAE, 4, seed}}, errs: []string{`seed "1e3"`}},
		{query: "?seed=1.5", want: Options{Selection: Selection{CVAE, 4, seed}}, errs: []string{`seed "1.5"`}},
		{query: "?seed=", want: Options{Selection: Selection{CVAE, 4, seed}}, errs: []string{`seed ""`}},
		{query: "?seed=18446744073709551616", want: Options{Selection: Selection{CVAE, 4, seed}}, errs: []string{`seed "18446744073709551616"`}},
		{query: "?model=vae&digit=3", want: Options{Selection: Selection{VAE, -1, seed}}, errs: []string{`digit "3" with model=vae`}},
		{query: "?digit=3&digit=4", want: Options{Selection: Selection{CVAE, 4, seed}}, errs: []string{`digit given 2 times`}},
		{query: "?model=vae&model=vae", want: Options{Selection: Selection{CVAE, 4, seed}}, errs: []string{`model given 2 times`}},
		{query: "?digt=3", want: Options{Selection: Selection{CVAE, 4, seed}}, errs: []string{`unknown parameter "digt"`}},
		{query: "?weights=", want: Options{Selection: Selection{CVAE, 4, seed}}, errs: []string{`weights "": want the URL`}},
		{query: "?weights=javascript:alert(1)", want: Options{Selection: Selection{CVAE, 4, seed}}, errs: []string{`not a javascript: URL`}},
		{query: "?weights=data:,x", want: Options{Selection: Selection{CVAE, 4, seed}}, errs: []string{`not a data: URL`}},
		{query: "?weights=http://%zz", want: Options{Selection: Selection{CVAE, 4, seed}}, errs: []string{`invalid URL escape`}},
		{query: "?digit=5;model=vae", want: Options{Selection: Selection{CVAE, 4, seed}}, errs: []string{`semicolon`}},
		{query: "?digit=%zz&seed=9", want: Options{Selection: Selection{CVAE, 9, 9}}, errs: []string{`invalid URL escape`}},
		{query: "?digit=12&model=foo&seed=-3", want: Options{Selection: Selection{CVAE, 4, seed}},
			errs: []string{`model "foo"`, `seed "-3"`, `digit "12"`}},

		// The explorer's parameters: temperature, z, panel, controls.
		{query: "?temperature=0.5", want: Options{Selection: Selection{CVAE, 4, seed}, Temperature: 0.5}},
		{query: "?temperature=1.234", want: Options{Selection: Selection{CVAE, 4, seed}, Temperature: 1.23}},
		{query: "?temperature=2", want: Options{Selection: Selection{CVAE, 4, seed}, Temperature: 2}},
		{query: "?temperature=0", want: Options{Selection: Selection{CVAE, 4, seed}}, errs: []string{`temperature 0: want a number 0.1..2`}},
		{query: "?temperature=hot", want: Options{Selection: Selection{CVAE, 4, seed}}, errs: []string{`temperature "hot"`}},
		{query: "?temperature=NaN", want: Options{Selection: Selection{CVAE, 4, seed}}, errs: []string{`temperature NaN`}},
		{query: "?z=0.5,-1.25,3", want: Options{Selection: Selection{CVAE, 4, seed}, Z: "0.5,-1.25,3"}},
		{query: "?z=0.12345,-0.0001,1e-1", want: Options{Selection: Selection{CVAE, 4, seed}, Z: "0.123,0,0.1"}},
		{query: "?z=1,,2", want: Options{Selection: Selection{CVAE, 4, seed}}, errs: []string{`z "1,,2": entry 2 "": want a decimal number`}},
		{query: "?z=1,Inf", want: Options{Selection: Selection{CVAE, 4, seed}}, errs: []string{`entry 2 +Inf: want a number within ±6`}},
		{query: "?z=0x1p0", want: Options{Selection: Selection{CVAE, 4, seed}}, errs: []string{`entry 1 "0x1p0"`}},
		{query: "?z=", want: Options{Selection: Selection{CVAE, 4, seed}}, errs: []string{`z "": want a comma-separated list`}},
		{query: "?panel=sliders", want: Options{Selection: Selection{CVAE, 4, seed}, Panel: PanelSliders}},
		{query: "?panel=interpolate", want: Options{Selection: Selection{CVAE, 4, seed}, Panel: PanelInterpolate}},
		{query: "?panel=grid&controls=minimal", want: Options{Selection: Selection{CVAE, 4, seed}, Panel: PanelGrid, Controls: Minimal}},
		{query: "?panel=draw", want: Options{Selection: Selection{CVAE, 4, seed}, Panel: PanelDraw}},
		{query: "?panel=map&z=1.5,-0.25", want: Options{Selection: Selection{CVAE, 4, seed}, Panel: PanelMap, Z: "1.5,-0.25"}},
		{query: "?to=1,2,3", want: Options{Selection: Selection{CVAE, 4, seed}, To: "1,2,3"}},
		{query: "?to=1,x", want: Options{Selection: Selection{CVAE, 4, seed}}, errs: []string{`to "1,x": entry 2 "x": want a decimal number`}},
		{query: "?panel=zoo", want: Options{Selection: Selection{CVAE, 4, seed}}, errs: []string{`panel "zoo": want one of sample, sliders, map, interpolate, grid, draw`}},
		{query: "?controls=some", want: Options{Selection: Selection{CVAE, 4, seed}}, errs: []string{`controls "some": want full or minimal`}},
	}
	for _, tt := range tests {
		// Unset explorer fields in want mean their defaults.
		if tt.want.Temperature == 0 {
			tt.want.Temperature = TempDefault
		}
		if tt.want.Panel == "" {
			tt.want.Panel = PanelSample
		}
		if tt.want.Controls == "" {
			tt.want.Controls = Full
		}
		got, errs := ParseQuery(tt.query, seed, testPanels)
		if got != tt.want {
			t.Errorf("ParseQuery(%q, testPanels) = %+v, want %+v", tt.query, got, tt.want)
		}
		var msgs []string
		for _, e := range errs {
			msgs = append(msgs, e.Error())
		}
		if len(msgs) != len(tt.errs) {
			t.Errorf("ParseQuery(%q, testPanels) errors %q, want %d matching %q", tt.query, msgs, len(tt.errs), tt.errs)
			continue
		}
		for i, want := range tt.errs {
			if !strings.Contains(msgs[i], want) {
				t.Errorf("ParseQuery(%q, testPanels) error %d = %q, want it to contain %q", tt.query, i, msgs[i], want)
			}
		}
	}
}

func TestParseQueryNeverBlank(t *testing.T) {
	// Whatever the query, the result is a selection the widget can draw.
	queries := []string{"%", "&&&", "=", "?=3", "digit", "model", "?seed", "?%00=%00", strings.Repeat("digit=1&", 1000)}
	for _, q := range queries {
		got, _ := ParseQuery(q, 5, testPanels)
		switch {
		case got.Kind == VAE && got.Digit == -1:
		case got.Kind == CVAE && got.Digit >= 0 && got.Digit < Digits:
		default:
			t.Errorf("ParseQuery(%q, testPanels) = %+v, not drawable", q, got)
		}
	}
}

// TestPermalinkRoundTrip checks that the query a state writes reads back as
// the same view, and that the z it holds is exactly the z decoded.
func TestPermalinkRoundTrip(t *testing.T) {
	base := Options{Selection: Selection{CVAE, 3, 42}, Temperature: TempDefault, Panel: PanelSample, Controls: Full}
	tests := []struct {
		name string
		edit func(s *State)
		want string // the query
	}{
		{"defaults", func(*State) {}, "?digit=3&seed=42"},
		{"vae", func(s *State) { s.Apply(KeyIntent('a')) }, "?model=vae&seed=42"},
		{"temperature", func(s *State) { s.SetTemperature(0.7) }, "?digit=3&seed=42&temperature=0.7"},
		{"panel and sample", func(s *State) {
			s.Apply(Intent{Action: ShowPanel, Panel: PanelGrid})
			s.Apply(Intent{Action: Sample})
		}, "?digit=3&seed=43&panel=grid"},
		{"slider", func(s *State) { s.SetCoordinate(4, 2, 1.23456) }, ""},
		{"slider then temperature", func(s *State) { s.SetCoordinate(4, 0, -2.5); s.SetTemperature(0.33) }, ""},
		{"command z", func(s *State) {
			c, err := ParseCommand([]byte(`{"target":"vaeplay","type":"set","z":[0.1,-0.2,0.30049,4],"panel":"sliders"}`), testPanels)
			if err != nil {
				t.Fatal(err)
			}
			s.Command(c)
		}, "?digit=3&seed=42&z=0.1,-0.2,0.3,4&panel=sliders"},
		{"weights kept", func(*State) {}, ""},
	}
	for _, tt := range tests {
		opt := base
		if tt.name == "weights kept" {
			opt.Weights = "https://example.org/w b.safetensors"
		}
		s := newState(opt, nil)
		tt.edit(s)
		q := s.Options().Query()
		if tt.want != "" && q != tt.want {
			t.Errorf("%s: query %q, want %q", tt.name, q, tt.want)
		}
		again, errs := ParseQuery(q, 999, testPanels)
		if len(errs) > 0 {
			t.Fatalf("%s: %q reads back with errors %v", tt.name, q, errs)
		}
		if again != s.Options() {
			t.Errorf("%s: %q reads back as %+v, want %+v", tt.name, q, again, s.Options())
		}
		s2 := newState(again, nil)
		if s2.View().Selection != s.View().Selection || s2.Temperature() != s.Temperature() || s2.Panel() != s.Panel() {
			t.Errorf("%s: view %+v reopens as %+v", tt.name, s.View(), s2.View())
		}
		if a, b := s.Z(4), s2.Z(4); !slices.Equal(a, b) {
			t.Errorf("%s: z %v reopens as %v", tt.name, a, b)
		}
	}
}

func TestZText(t *testing.T) {
	for _, z := range [][]float64{{0}, {1, -1}, {0.0004, -0.0004, 0.0005, 5.9999, -3.14159}, {1e-9, 2.5e-3}} {
		text := FormatZ(z)
		back, err := ParseZ(text)
		if err != nil {
			t.Fatalf("ParseZ(FormatZ(%v) = %q): %v", z, text, err)
		}
		if FormatZ(back) != text {
			t.Errorf("FormatZ(ParseZ(%q)) = %q", text, FormatZ(back))
		}
		for i := range z {
			if d := math.Abs(back[i] - z[i]); d > 0.0005+1e-12 {
				t.Errorf("%v: coordinate %d comes back as %v (off by %g)", z, i, back[i], d)
			}
			if back[i] != Quantize(back[i], zDecimals) {
				t.Errorf("%v: %v is not stable under Quantize", z, back[i])
			}
		}
		if strings.Contains(text, "-0,") || strings.HasSuffix(text, "-0") || strings.HasPrefix(text, "-0,") {
			t.Errorf("FormatZ(%v) = %q writes a negative zero", z, text)
		}
	}
}
