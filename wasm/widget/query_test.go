package widget

import (
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
	}
	for _, tt := range tests {
		got, errs := ParseQuery(tt.query, seed)
		if got != tt.want {
			t.Errorf("ParseQuery(%q) = %+v, want %+v", tt.query, got, tt.want)
		}
		var msgs []string
		for _, e := range errs {
			msgs = append(msgs, e.Error())
		}
		if len(msgs) != len(tt.errs) {
			t.Errorf("ParseQuery(%q) errors %q, want %d matching %q", tt.query, msgs, len(tt.errs), tt.errs)
			continue
		}
		for i, want := range tt.errs {
			if !strings.Contains(msgs[i], want) {
				t.Errorf("ParseQuery(%q) error %d = %q, want it to contain %q", tt.query, i, msgs[i], want)
			}
		}
	}
}

func TestParseQueryNeverBlank(t *testing.T) {
	// Whatever the query, the result is a selection the widget can draw.
	queries := []string{"%", "&&&", "=", "?=3", "digit", "model", "?seed", "?%00=%00", strings.Repeat("digit=1&", 1000)}
	for _, q := range queries {
		got, _ := ParseQuery(q, 5)
		switch {
		case got.Kind == VAE && got.Digit == -1:
		case got.Kind == CVAE && got.Digit >= 0 && got.Digit < Digits:
		default:
			t.Errorf("ParseQuery(%q) = %+v, not drawable", q, got)
		}
	}
}
