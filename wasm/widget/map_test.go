package widget

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestMapGeometry(t *testing.T) {
	r := Rect{X: 100, Y: 50, W: 300, H: 300}
	tests := []struct {
		x, y float64
		want []float64
	}{
		{250, 200, []float64{0, 0}},       // the centre is the prior's mean
		{100, 50, []float64{-3, 3}},       // top left: z1 grows upwards
		{400, 350, []float64{3, -3}},      // bottom right
		{-50, 900, []float64{-3, -3}},     // outside: clamped to the edge
		{175, 125, []float64{-1.5, 1.5}},  // a quarter in
		{250.1, 200, []float64{0.002, 0}}, // rounded as a URL keeps it
		{250, 200.0001, []float64{0, -0}}, // no negative zero
		{400, 200, []float64{3, 0}},       // right edge
		{325, 275, []float64{1.5, -1.5}},  // three quarters in
		{100 + 300.0/7, 50, []float64{-2.143, 3}},
	}
	for _, tt := range tests {
		got := MapPoint(r, tt.x, tt.y)
		if !slices.Equal(got, tt.want) {
			t.Errorf("MapPoint(%v, %v) = %v, want %v", tt.x, tt.y, got, tt.want)
		}
		// Back to the screen: the same place, up to the rounding.
		x, y := MapXY(r, got)
		if cx, cy := max(r.X, min(r.X+r.W, tt.x)), max(r.Y, min(r.Y+r.H, tt.y)); math.Abs(x-cx) > 0.1 || math.Abs(y-cy) > 0.1 {
			t.Errorf("MapXY(MapPoint(%v, %v)) = (%v, %v), want (%v, %v)", tt.x, tt.y, x, y, cx, cy)
		}
	}
	if got := FormatZ(MapPoint(r, 250, 200.0001)); got != "0,0" {
		t.Errorf("the centre formats as %q, want 0,0", got)
	}
	if x, y := MapXY(r, []float64{9, -9}); x != 400 || y != 350 {
		t.Errorf("MapXY outside the plane = (%v, %v), want the corner (400, 350)", x, y)
	}
	if z := MapTileZ(0, 0); z[0] != -3+0.25 || z[1] != 3-0.25 {
		t.Errorf("MapTileZ(0, 0) = %v, want the top-left cell's centre", z)
	}
	if z := MapTileZ(MapTiles-1, MapTiles-1); z[0] != 3-0.25 || z[1] != -3+0.25 {
		t.Errorf("MapTileZ(last, last) = %v, want the bottom-right cell's centre", z)
	}
	if got := MovePoint([]float64{2.95, 0}, 1, -1); !slices.Equal(got, []float64{3, -0.1}) {
		t.Errorf("MovePoint = %v, want [3 -0.1] (clamped, one step down)", got)
	}
	if got := MovePoint(nil, 1, 0); !slices.Equal(got, []float64{0.1, 0}) {
		t.Errorf("MovePoint(nil) = %v, want [0.1 0]", got)
	}
}

// TestMapSpace checks that the map keeps a z of its own: the full model's z
// survives a visit to the map, and the map's point is what its permalink
// holds.
func TestMapSpace(t *testing.T) {
	const latent = 4
	s := newState(Options{Selection: Selection{CVAE, 2, 10}, Temperature: 1}, nil)
	loadTiny(t, s, CVAE, FullModel, latent)
	s.SetCoordinate(latent, 0, 2)
	full := s.Z(latent)

	s.Apply(Intent{Action: ShowPanel, Panel: PanelMap})
	if s.ExplicitZ() {
		t.Errorf("the map starts with an explicit z before its point moved")
	}
	if z := s.Z(MapLatent); !slices.Equal(z, SeedZ(10, MapLatent, 1)) {
		t.Errorf("map z %v, want the seed's 2-D z", z)
	}
	if !s.SetZ(s.Space(), []float64{1.5, -0.25}) || s.SetZ(s.Space(), []float64{1.5, -0.25}) {
		t.Errorf("SetExplicitZ: want a change the first time and none the second")
	}
	q := s.Options().Query()
	if !strings.Contains(q, "z=1.5,-0.25") || !strings.Contains(q, "panel=map") {
		t.Errorf("permalink %q, want the map's point and panel", q)
	}
	opt, errs := ParseQuery(q, 0, testPanels)
	if len(errs) > 0 {
		t.Fatalf("the permalink %q reads back with errors %v", q, errs)
	}
	if z := newState(opt, nil).Z(MapLatent); !slices.Equal(z, []float64{1.5, -0.25}) {
		t.Errorf("the permalink reopens the map at %v, want [1.5 -0.25]", z)
	}

	s.Apply(Intent{Action: ShowPanel, Panel: PanelSliders})
	if z := s.Z(latent); !slices.Equal(z, full) {
		t.Errorf("back from the map, z = %v, want %v as before", z, full)
	}

	// A message's z is checked against the map's size when it goes there.
	c, err := ParseCommand([]byte(`{"target":"vaeplay","type":"set","panel":"map","z":[1,2,3,4]}`), testPanels)
	if err != nil {
		t.Fatal(err)
	}
	if s.Command(c) || s.ErrorCount() != 1 || !strings.Contains(s.Errors()[0], "the map has 2 latent dimensions") {
		t.Errorf("a 4-number z for the map: errors %q, want one naming the map's 2", s.Errors())
	}
	c, _ = ParseCommand([]byte(`{"target":"vaeplay","type":"set","panel":"map","z":[-1,2]}`), testPanels)
	if !s.Command(c) || s.Panel() != PanelMap || !slices.Equal(s.Z(MapLatent), []float64{-1, 2}) {
		t.Errorf("set panel map z [-1 2]: panel %s z %v", s.Panel(), s.Z(MapLatent))
	}

	// When the map's model fails the widget leaves the map, with the error.
	s.Load(Loaded{Kind: CVAE, Role: MapModel, Err: errors.New("weights/cvae2d.safetensors: HTTP 404")})
	if s.Panel() != PanelSample || s.Models().PlaneAvailability(CVAE) != Failed || s.Models().PlaneAvailability(VAE) != Loading {
		t.Errorf("after the map's model failed: panel %s, availability %v %v", s.Panel(), s.Models().PlaneAvailability(CVAE), s.Models().PlaneAvailability(VAE))
	}
}

// TestMorph checks the interpolation between two drawings: its ends are
// set, kept in the permalink, scaled by the temperature, and dropped by a
// new sample.
func TestMorph(t *testing.T) {
	s := newState(Options{Selection: Selection{VAE, -1, 3}, Temperature: 1}, nil)
	loadTiny(t, s, VAE, FullModel, 3)
	s.SetMorph([]float64{1.23456, 0, -1}, []float64{0, 2, 0.5})
	if s.Panel() != PanelInterpolate || !slices.Equal(s.Z(3), []float64{1.235, 0, -1}) || !slices.Equal(s.To(), []float64{0, 2, 0.5}) {
		t.Fatalf("after SetMorph: panel %s z %v to %v", s.Panel(), s.Z(3), s.To())
	}
	q := s.Options().Query()
	if want := "?model=vae&seed=3&z=1.235,0,-1&to=0,2,0.5&panel=interpolate"; q != want {
		t.Errorf("permalink %q, want %q", q, want)
	}
	s.SetTemperature(0.5)
	if !slices.Equal(s.To(), []float64{0, 1, 0.25}) {
		t.Errorf("to after temperature 0.5: %v, want halved", s.To())
	}
	c, _ := ParseCommand([]byte(`{"target":"vaeplay","type":"set","to":[1,2]}`), testPanels)
	if s.Command(c) || s.ErrorCount() != 1 {
		t.Errorf("a 2-number to for a 3-D model: errors %q, want one", s.Errors())
	}
	s.Apply(Intent{Action: Sample})
	if s.To() != nil || s.ExplicitZ() {
		t.Errorf("after a new sample: to %v explicit %v, want the next sample's path", s.To(), s.ExplicitZ())
	}
}
