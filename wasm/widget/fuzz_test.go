package widget

import (
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// The fuzz targets below check the two parsers that take text from outside
// the widget: the query string of embed.html (which is also the permalink a
// tutorial links to) and the messages of the embedding page. Their seed
// corpora are in testdata/fuzz; `go test` runs those, and
//
//	go test ./wasm/widget -run '^$' -fuzz FuzzParseQuery -fuzztime 2m
//
// explores further.

// drawable reports why sel cannot be drawn, or "" when it can.
func drawable(sel Selection) string {
	switch {
	case sel.Kind == VAE && sel.Digit == -1:
	case sel.Kind == CVAE && sel.Digit >= 0 && sel.Digit < Digits:
	default:
		return "not a model and digit the widget can draw"
	}
	return ""
}

// permalink is the query string that reproduces opt: what a page linking to
// one particular sample writes.
func permalink(opt Options) string {
	// Options.Query writes every parameter, the explorer's (temperature, z,
	// panel, controls) included.
	return opt.Query()
}

// errorPrefixes are how ParseQuery's errors begin: each names the parameter
// (or the query as a whole, when it cannot be split into parameters).
func errorPrefixes() []string {
	ps := []string{"query ", "unknown parameter "}
	for _, p := range queryParams {
		ps = append(ps, p+" ", p+":")
	}
	return ps
}

func FuzzParseQuery(f *testing.F) {
	for _, q := range []string{
		"", "?", "?seed=1", "?model=vae&seed=3", "?digit=7&seed=18446744073709551615",
		"?digit=12&model=foo&seed=-3", "?weights=w.safetensors&seed=1", "?weights=javascript:alert(1)",
		"?digit=5;model=vae", "?digit=%zz", "?digit=1&digit=2", "?%00=%00", "?model=vae&digit=3",
	} {
		f.Add(q, uint64(1234))
	}
	prefixes := errorPrefixes()
	f.Fuzz(func(t *testing.T, query string, seed uint64) {
		opt, errs := ParseQuery(query, seed, testPanels)
		if why := drawable(opt.Selection); why != "" {
			t.Fatalf("ParseQuery(%q, testPanels) = %+v: %s", query, opt, why)
		}
		if opt.Weights != "" {
			if err := checkWeightsURL(opt.Weights); err != nil {
				t.Fatalf("ParseQuery(%q, testPanels) kept weights %q that it rejects: %v", query, opt.Weights, err)
			}
		}
		for _, err := range errs {
			msg := err.Error()
			if !hasAnyPrefix(msg, prefixes) {
				t.Errorf("ParseQuery(%q, testPanels): error %q does not name a parameter", query, msg)
			}
		}

		// What a valid parameter asks for is what the widget shows.
		vals, _ := url.ParseQuery(strings.TrimPrefix(query, "?"))
		if vs := vals["seed"]; len(vs) == 1 {
			if s, err := strconv.ParseUint(vs[0], 10, 64); err == nil && !strings.HasPrefix(vs[0], "+") && opt.Seed != s {
				t.Errorf("ParseQuery(%q, testPanels): seed %d, want %d", query, opt.Seed, s)
			}
		} else if opt.Seed != seed {
			t.Errorf("ParseQuery(%q, testPanels): seed %d without a valid seed parameter, want the default %d", query, opt.Seed, seed)
		}
		if vs := vals["digit"]; len(vs) == 1 && len(vs[0]) == 1 && vs[0][0] >= '0' && vs[0][0] <= '9' && vals.Get("model") != "vae" {
			if want := int(vs[0][0] - '0'); opt.Kind != CVAE || opt.Digit != want {
				t.Errorf("ParseQuery(%q, testPanels) = %+v, want cvae digit %d", query, opt.Selection, want)
			}
		}
		if vs := vals["model"]; len(vs) == 1 && vs[0] == "vae" && opt.Kind != VAE {
			t.Errorf("ParseQuery(%q, testPanels) = %+v, want the vae", query, opt.Selection)
		}

		// A view that parsed cleanly survives its own permalink, read with a
		// different default seed.
		if len(errs) == 0 {
			link := permalink(opt)
			again, errs := ParseQuery(link, seed^1, testPanels)
			if len(errs) > 0 || again.Selection != opt.Selection || again.Weights != opt.Weights {
				t.Errorf("permalink %q of ParseQuery(%q, testPanels) = %+v reads back as %+v, %v", link, query, opt, again, errs)
			}
			// The widget's own permalink, where Options has one, keeps every
			// option, not just the selection.
			if o, ok := any(opt).(interface{ Query() string }); ok {
				link := o.Query()
				again, errs := ParseQuery(link, seed^1, testPanels)
				if len(errs) > 0 || again != opt {
					t.Errorf("Query() = %q of ParseQuery(%q, testPanels) = %+v reads back as %+v, %v", link, query, opt, again, errs)
				}
			}
		}

		// The state starts from the options and reports them as JSON.
		s := newState(opt, errs)
		if s.Selection() != opt.Selection {
			t.Errorf("newState(%+v) selects %+v", opt, s.Selection())
		}
		if got := len(s.Errors()); got != min(len(errs), maxErrors) {
			t.Errorf("NewState with %d errors shows %d", len(errs), got)
		}
		if _, err := json.Marshal(s.Report(false, nil, 0, 0, Layout{})); err != nil {
			t.Errorf("report after ParseQuery(%q, testPanels): %v", query, err)
		}
	})
}

// hasAnyPrefix reports whether s begins with one of prefixes.
func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// maxShownError bounds the length of an error as the widget shows it (in
// the banner and the state report): errors quote what the page sent, and
// the banner's text wrapping runs out of memory on a 10 KB error.
const maxShownError = 500

func FuzzParseCommand(f *testing.F) {
	for _, d := range []string{
		`{"target":"vaeplay","type":"sample"}`,
		`{"target":"vaeplay","type":"set","model":"cvae","digit":9,"seed":77}`,
		`{"target":"vaeplay","type":"set","digit":-1}`,
		`{"target":"vaeplay","type":"set","seed":"18446744073709551615"}`,
		`{"target":"vaeplay","type":"set","seed":9007199254740992}`,
		`{"target":"vaeplay","type":"set","model":"vae","digit":3}`,
		`{"target":"vaeplay","type":"set","digit":"six"}`,
		`{"target":"vaeplay","type":"set","digit":1e0}`,
		`{"target":"vaeplay","type":"set","digit":3,"digit":4}`,
		`{"target":"vaeplay","type":"set"`,
		`{"target":"other","type":"sample"}`,
		`null`, ``, `[]`, `{}`,
	} {
		f.Add([]byte(d))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCommand(data, testPanels)
		if err != nil {
			msg := err.Error()
			if !sameCommand(c, Command{}) {
				t.Errorf("ParseCommand(%q, testPanels) returned %s with the error %q", data, show(c), msg)
			}
			if !strings.HasPrefix(msg, "message ") {
				t.Errorf("ParseCommand(%q, testPanels): error %q does not quote the message", data, msg)
			}
			s := newState(Options{Selection: Selection{Kind: CVAE, Digit: 4}}, nil)
			s.Fail(err)
			shown := s.Errors()[0]
			if len(shown) > maxShownError {
				t.Errorf("ParseCommand(%q, testPanels): the error shown is %d bytes long, want at most %d", data, len(shown), maxShownError)
			}
			if utf8.Valid(data) && !utf8.ValidString(shown) {
				t.Errorf("ParseCommand(%q, testPanels): the error shown %q is not valid UTF-8, though the message was", data, shown)
			}
			return
		}

		// Only a JSON object meant for the widget is a command.
		var obj map[string]any
		if json.Unmarshal(data, &obj) != nil || obj["target"] != Target {
			t.Fatalf("ParseCommand(%q, testPanels) = %s, want an error", data, show(c))
		}
		switch {
		case c.Sample != (obj["type"] == "sample"):
			t.Fatalf("ParseCommand(%q, testPanels) = %s for type %v", data, show(c), obj["type"])
		case c.Sample && (c.Kind != nil || c.Digit != nil || c.Seed != nil):
			t.Fatalf("ParseCommand(%q, testPanels) = %s: sample with set fields", data, show(c))
		case c.Kind != nil && *c.Kind != VAE && *c.Kind != CVAE:
			t.Fatalf("ParseCommand(%q, testPanels): model %q", data, *c.Kind)
		case c.Digit != nil && (*c.Digit < -1 || *c.Digit >= Digits):
			t.Fatalf("ParseCommand(%q, testPanels): digit %d", data, *c.Digit)
		}

		// Applied, it moves the selection where it says, to somewhere drawable;
		// with a model failed, never to that model.
		for _, failed := range []Kind{"", VAE, CVAE} {
			s := newState(Options{Selection: Selection{Kind: CVAE, Digit: 4, Seed: 10}}, nil)
			if failed != "" {
				s.Load(Loaded{Kind: failed, Err: errFuzz})
			}
			before := s.Selection()
			s.Command(c)
			sel := s.Selection()
			if why := drawable(sel); why != "" {
				t.Fatalf("after %s (failed %q): %+v: %s", show(c), failed, sel, why)
			}
			if failed != "" && sel.Kind == failed {
				t.Fatalf("after %s: selection %+v uses the failed model", show(c), sel)
			}
			refused := failed != "" && len(s.Errors()) > 1
			switch {
			case refused:
				if sel != before {
					t.Errorf("refused %s (failed %q) still moved %+v to %+v", show(c), failed, before, sel)
				}
			case c.Sample:
				if sel.Seed != before.Seed+1 || sel.Kind != before.Kind || sel.Digit != before.Digit {
					t.Errorf("sample moved %+v to %+v", before, sel)
				}
			default:
				if c.Seed != nil && sel.Seed != *c.Seed {
					t.Errorf("%s: seed %d", show(c), sel.Seed)
				}
				if c.Seed == nil && sel.Seed != before.Seed {
					t.Errorf("%s changed the seed %d to %d", show(c), before.Seed, sel.Seed)
				}
				if c.Digit != nil && *c.Digit >= 0 && (sel.Kind != CVAE || sel.Digit != *c.Digit) {
					t.Errorf("%s: selection %+v", show(c), sel)
				}
				if c.Digit != nil && *c.Digit < 0 && sel.Kind != VAE {
					t.Errorf("%s: selection %+v, want the vae", show(c), sel)
				}
				if c.Kind != nil && sel.Kind != *c.Kind {
					t.Errorf("%s: selection %+v", show(c), sel)
				}
			}
		}
	})
}

// errFuzz marks a model as failed in FuzzParseCommand.
var errFuzz = errors.New("weights failed (fuzz)")
