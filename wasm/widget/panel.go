package widget

import (
	"fmt"
	"slices"
	"strings"
)

// Panel names one of the widget's panels, what its main area shows: the
// label of its tab, the value of the URL's panel= and of a message's panel.
// Each panel's name, placement and state are in a file of this package of
// their own (sample.go, sliders.go, …); package game's registry lists the
// panels in the order of their tabs and hands their specs to NewState.
type Panel string

// PanelSpec is what this package needs to know of a panel: its name, where
// its parts lie, and which latent space it shows.
type PanelSpec struct {
	Name Panel
	// Place lays the panel's parts out in the main area, the room between
	// the chooser and the bottom line, where ComputeLayout has already put
	// the digit and, under it, the row of ten cells with its caption; it
	// moves or clears them as the panel needs.
	Place func(l *Layout, area Rect)
	// Plane is set for a panel that shows the map's 2-D latent space
	// (PlaneSpace), whose z is its own: going there and back leaves the
	// full model's z as it was, and the permalink holds the plane's z.
	Plane bool
}

// Panels are the widget's panels in the order of their tabs.
type Panels []PanelSpec

// spec returns the spec of panel p.
func (ps Panels) spec(p Panel) (PanelSpec, bool) {
	i := slices.IndexFunc(ps, func(s PanelSpec) bool { return s.Name == p })
	if i < 0 {
		return PanelSpec{}, false
	}
	return ps[i], true
}

// Names returns the panels' names in the order of their tabs.
func (ps Panels) Names() []Panel {
	names := make([]Panel, len(ps))
	for i, s := range ps {
		names[i] = s.Name
	}
	return names
}

// parse reads a panel name; the error says which panels exist.
func (ps Panels) parse(v string) (Panel, error) {
	if s, ok := ps.spec(Panel(v)); ok {
		return s.Name, nil
	}
	names := make([]string, len(ps))
	for i, s := range ps {
		names[i] = string(s.Name)
	}
	return "", fmt.Errorf("panel %q: want one of %s", v, strings.Join(names, ", "))
}

// next returns the panel after p, in the order of the tabs: the key P.
func (ps Panels) next(p Panel) Panel {
	if len(ps) == 0 {
		return p
	}
	i := slices.IndexFunc(ps, func(s PanelSpec) bool { return s.Name == p })
	return ps[(i+1)%len(ps)].Name
}
