package e2e

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// testBadParameters checks that a bad URL parameter is named in an error and
// the widget still works with the default in its place. Each page load costs
// seconds, so the second case carries two bad parameters, one of them 10 KB
// long: such an error once ran the widget out of memory as it wrapped the
// text in its banner.
func testBadParameters(t *testing.T, bctx context.Context, base string) {
	for _, tc := range []struct {
		query string
		want  [][2]string // each pair: substrings of one error
	}{
		{"digit=12&seed=1", [][2]string{{"digit", "12"}}},
		{"model=" + strings.Repeat("x", 10_000) + "&seed=-3", [][2]string{{"model", "xxxx"}, {"seed", "-3"}}},
	} {
		t.Run(tc.query[:min(len(tc.query), 20)], func(t *testing.T) {
			tb := openTab(t, bctx)
			tb.navigate(base + "embed.html?" + tc.query)
			// The contract says a bad parameter never blanks the widget, so
			// it must still get to "ready".
			s := tb.waitState(`status "ready" despite the bad parameter`, loadTimeout, true, func(s *State) bool { return s.Status == "ready" })
			checkReady(t, s)
			if s.Model != "cvae" {
				t.Errorf("model %q, want the default cvae", s.Model)
			}
			for _, w := range tc.want {
				if !slices.ContainsFunc(s.Errors, func(e string) bool { return strings.Contains(e, w[0]) && strings.Contains(e, w[1]) }) {
					t.Errorf("no error naming %q and %q; errors: %q", w[0], w[1], s.Errors)
				}
			}
			if len(s.Errors) != len(tc.want) {
				t.Errorf("%d errors, want %d: %q", len(s.Errors), len(tc.want), s.Errors)
			}
			before := tb.waitPixels("digit area", s.Layout.Digit, notBlank)
			n := s.Samples
			tb.click(s.Layout.Digit.center())
			tb.waitState("a new sample after clicking", actionTimeout, true, func(s *State) bool { return s.Samples > n })
			tb.waitPixels("digit pixels after a new sample", s.Layout.Digit, changedFrom(before), before)
			tb.press('8')
			tb.waitState("digit 8 after pressing 8", actionTimeout, true, func(s *State) bool { return s.Model == "cvae" && s.Digit == 8 })
		})
	}
}
