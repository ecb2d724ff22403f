package widget

import (
	"slices"
	"strings"
	"testing"
)

func TestPanels(t *testing.T) {
	if got, want := testPanels.Names(), []Panel{"sample", "sliders", "map", "interpolate", "grid", "draw"}; !slices.Equal(got, want) {
		t.Errorf("Names() = %q, want %q", got, want)
	}
	for _, tc := range []struct {
		in, want, err string
	}{
		{"grid", "grid", ""},
		{"atlas", "", `panel "atlas": want one of sample, sliders, map, interpolate, grid, draw`},
		{"", "", `panel "": want one of`},
		{"Grid", "", `panel "Grid"`},
	} {
		p, err := testPanels.parse(tc.in)
		if string(p) != tc.want || (err == nil) != (tc.err == "") || (err != nil && !strings.HasPrefix(err.Error(), tc.err)) {
			t.Errorf("parse(%q) = %q, %v; want %q, error starting %q", tc.in, p, err, tc.want, tc.err)
		}
	}
	for _, tc := range []struct{ from, want Panel }{{PanelSample, PanelSliders}, {PanelDraw, PanelSample}, {"atlas", PanelSample}} {
		if got := testPanels.next(tc.from); got != tc.want {
			t.Errorf("next(%q) = %q, want %q", tc.from, got, tc.want)
		}
	}
	if got := (Panels{}).next(PanelGrid); got != PanelGrid {
		t.Errorf("next with no panels = %q", got)
	}
	// Only the map shows a latent space of its own.
	for _, s := range testPanels {
		if s.Plane != (s.Name == PanelMap) {
			t.Errorf("%s: Plane %v", s.Name, s.Plane)
		}
	}
}
