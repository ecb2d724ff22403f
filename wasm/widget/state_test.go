package widget

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestKeyIntent(t *testing.T) {
	tests := []struct {
		r    rune
		want Intent
	}{
		{'0', Intent{Action: Choose, Kind: CVAE, Digit: 0}},
		{'7', Intent{Action: Choose, Kind: CVAE, Digit: 7}},
		{'9', Intent{Action: Choose, Kind: CVAE, Digit: 9}},
		{'a', Intent{Action: Choose, Kind: VAE, Digit: -1}},
		{'A', Intent{Action: Choose, Kind: VAE, Digit: -1}},
		{' ', Intent{Action: Sample}},
		{'\n', Intent{Action: Sample}},
		{'\r', Intent{Action: Sample}},
		{'b', Intent{}},
		{'/', Intent{}},
		{':', Intent{}},
		{'٣', Intent{}}, // an Arabic-Indic three is not a key the widget knows
	}
	for _, tt := range tests {
		if got := KeyIntent(tt.r); got != tt.want {
			t.Errorf("KeyIntent(%q) = %+v, want %+v", tt.r, got, tt.want)
		}
	}
}

func TestChooserIntent(t *testing.T) {
	if got, want := ChooserIntent(0), (Intent{Action: Choose, Kind: VAE, Digit: -1}); got != want {
		t.Errorf("ChooserIntent(0) = %+v, want %+v", got, want)
	}
	for d := range Digits {
		if got, want := ChooserIntent(d+1), (Intent{Action: Choose, Kind: CVAE, Digit: d}); got != want {
			t.Errorf("ChooserIntent(%d) = %+v, want %+v", d+1, got, want)
		}
	}
}

// step is one thing that happens to a State in a scenario.
type step struct {
	intent  *Intent
	command string // JSON message, parsed with ParseCommand
	ready   Kind
	failed  Kind

	want    Selection
	changed bool
	errs    int // errors added by this step
}

func TestStateScenarios(t *testing.T) {
	in := func(i Intent) *Intent { return &i }
	tests := []struct {
		name  string
		start Options
		steps []step
	}{
		{
			name:  "keys and clicks",
			start: Options{Selection: Selection{CVAE, 3, 10}},
			steps: []step{
				{intent: in(Intent{Action: Sample}), want: Selection{CVAE, 3, 11}, changed: true},
				{intent: in(KeyIntent('5')), want: Selection{CVAE, 5, 11}, changed: true},
				{intent: in(KeyIntent('5')), want: Selection{CVAE, 5, 11}},
				{intent: in(KeyIntent('a')), want: Selection{VAE, -1, 11}, changed: true},
				{intent: in(KeyIntent(' ')), want: Selection{VAE, -1, 12}, changed: true},
				// Back to the CVAE: its last digit returns.
				{command: `{"target":"vaeplay","type":"set","model":"cvae"}`, want: Selection{CVAE, 5, 12}, changed: true},
				{intent: in(Intent{}), want: Selection{CVAE, 5, 12}},
			},
		},
		{
			name:  "commands",
			start: Options{Selection: Selection{VAE, -1, 1}},
			steps: []step{
				{command: `{"target":"vaeplay","type":"set","digit":2}`, want: Selection{CVAE, 2, 1}, changed: true},
				{command: `{"target":"vaeplay","type":"set","digit":-1}`, want: Selection{VAE, -1, 1}, changed: true},
				{command: `{"target":"vaeplay","type":"set","model":"cvae","digit":8,"seed":99}`, want: Selection{CVAE, 8, 99}, changed: true},
				{command: `{"target":"vaeplay","type":"sample"}`, want: Selection{CVAE, 8, 100}, changed: true},
				{command: `{"target":"vaeplay","type":"set","seed":"18446744073709551615"}`, want: Selection{CVAE, 8, 1<<64 - 1}, changed: true},
				{command: `{"target":"vaeplay","type":"sample"}`, want: Selection{CVAE, 8, 0}, changed: true},
				{command: `{"target":"vaeplay","type":"set","model":"vae","seed":5}`, want: Selection{VAE, -1, 5}, changed: true},
				{command: `{"target":"vaeplay","type":"set","model":"vae","seed":5}`, want: Selection{VAE, -1, 5}},
			},
		},
		{
			name:  "cvae fails while selected",
			start: Options{Selection: Selection{CVAE, 4, 7}},
			steps: []step{
				{ready: VAE, want: Selection{CVAE, 4, 7}},
				{failed: CVAE, want: Selection{VAE, -1, 7}, errs: 1},
				{intent: in(KeyIntent('3')), want: Selection{VAE, -1, 7}, errs: 1},
				{command: `{"target":"vaeplay","type":"set","digit":1,"seed":3}`, want: Selection{VAE, -1, 7}, errs: 1},
				{intent: in(KeyIntent(' ')), want: Selection{VAE, -1, 8}, changed: true},
			},
		},
		{
			name:  "vae fails while cvae selected",
			start: Options{Selection: Selection{CVAE, 4, 7}},
			steps: []step{
				{failed: VAE, want: Selection{CVAE, 4, 7}, errs: 1},
				{intent: in(KeyIntent('a')), want: Selection{CVAE, 4, 7}, errs: 1},
				{intent: in(KeyIntent('1')), want: Selection{CVAE, 1, 7}, changed: true},
			},
		},
		{
			name:  "both fail",
			start: Options{Selection: Selection{VAE, -1, 7}},
			steps: []step{
				{failed: VAE, want: Selection{CVAE, 7, 7}, errs: 1},
				{failed: CVAE, want: Selection{CVAE, 7, 7}, errs: 1},
			},
		},
	}
	for _, tt := range tests {
		s := newState(tt.start, nil)
		for i, st := range tt.steps {
			before := s.ErrorCount()
			changed := false
			switch {
			case st.intent != nil:
				changed = s.Apply(*st.intent)
			case st.command != "":
				c, err := ParseCommand([]byte(st.command), testPanels)
				if err != nil {
					t.Fatalf("%s: step %d: %v", tt.name, i, err)
				}
				changed = s.Command(c)
			case st.ready != "":
				loadTiny(t, s, st.ready, FullModel, 4)
			case st.failed != "":
				s.Load(Loaded{Kind: st.failed, Err: errors.New("weights/" + string(st.failed) + ".safetensors: HTTP 404")})
			}
			if got := s.Selection(); got != st.want {
				t.Errorf("%s: step %d: selection %+v, want %+v", tt.name, i, got, st.want)
			}
			if changed != st.changed {
				t.Errorf("%s: step %d: changed = %v, want %v", tt.name, i, changed, st.changed)
			}
			if got := s.ErrorCount() - before; got != st.errs {
				t.Errorf("%s: step %d: %d errors added (%q), want %d", tt.name, i, got, s.ErrorsSince(before), st.errs)
			}
		}
	}
}

func TestStatus(t *testing.T) {
	s := newState(Options{Selection: Selection{CVAE, 1, 1}}, nil)
	if got := s.Status(false); got != "loading" {
		t.Errorf("fresh state: status %q, want loading", got)
	}
	s.Load(Loaded{Kind: CVAE, Err: errors.New("corrupt")})
	if got := s.Status(false); got != "loading" {
		t.Errorf("one model failed: status %q, want loading", got)
	}
	loadTiny(t, s, VAE, FullModel, 4)
	if got := s.Status(true); got != "ready" {
		t.Errorf("drawn: status %q, want ready", got)
	}
	s.Load(Loaded{Kind: VAE, Err: errors.New("corrupt")})
	if got := s.Status(false); got != "error" {
		t.Errorf("both failed: status %q, want error", got)
	}
	if got := s.Models().Availability("gan"); got != Failed {
		t.Errorf("unknown kind: availability %v, want Failed", got)
	}
}

func TestErrorsAndBanner(t *testing.T) {
	_, errs := ParseQuery("?digit=12&model=foo", 1, testPanels)
	s := newState(Options{Selection: Selection{CVAE, 1, 1}}, errs)
	if got := s.Errors(); len(got) != 2 || !strings.Contains(got[1], `digit "12"`) {
		t.Fatalf("Errors() = %q, want the two URL errors", got)
	}
	if got := s.Banner(); len(got) != 2 {
		t.Errorf("Banner() = %q, want both errors", got)
	}
	if !s.Apply(Intent{Action: Dismiss}) {
		t.Error("dismissing a showing banner changed nothing")
	}
	if got := s.Banner(); len(got) != 0 {
		t.Errorf("Banner() after dismiss = %q, want none", got)
	}
	if s.Apply(Intent{Action: Dismiss}) {
		t.Error("dismissing a hidden banner reported a change")
	}
	s.Fail(errors.New("third"))
	if got := s.Banner(); !slices.Equal(got, []string{"third"}) {
		t.Errorf("Banner() = %q, want [third]", got)
	}
	if got := len(s.Errors()); got != 3 {
		t.Errorf("%d errors kept, want 3 (dismissing hides, it does not forget)", got)
	}

	// A flood keeps the newest maxErrors and still counts them all.
	n := s.ErrorCount()
	for range 3 * maxErrors {
		s.Fail(errors.New("flood"))
	}
	if got := len(s.Errors()); got != maxErrors {
		t.Errorf("%d errors kept after a flood, want %d", got, maxErrors)
	}
	if got := len(s.ErrorsSince(n)); got != maxErrors {
		t.Errorf("ErrorsSince = %d errors, want the %d kept", got, maxErrors)
	}
	if got := s.ErrorsSince(s.ErrorCount()); got != nil {
		t.Errorf("ErrorsSince(now) = %q, want none", got)
	}

	// A huge error, quoting what a page sent, is clipped whole characters
	// short, so the banner never measures kilobytes of text.
	s.Fail(errors.New(`digit "` + strings.Repeat("é", 10_000) + `"`))
	last := s.Errors()[len(s.Errors())-1]
	if len(last) > maxErrorLen+len("…") || !utf8.ValidString(last) || !strings.HasSuffix(last, "…") {
		t.Errorf("a 20 KB error kept as %d bytes (valid UTF-8: %t), want at most %d ending in an ellipsis",
			len(last), utf8.ValidString(last), maxErrorLen+len("…"))
	}
}
