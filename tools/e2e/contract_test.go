package e2e

import (
	"math"
	"slices"
	"testing"
)

// State mirrors window.vaeplay as the widget contract defines it.
type State struct {
	Status   string    `json:"status"`
	Model    string    `json:"model"`
	Digit    int       `json:"digit"`
	Seed     float64   `json:"seed"`
	Z        []float64 `json:"z"`
	DecodeMs float64   `json:"decodeMs"`
	Samples  int       `json:"samples"`
	Errors   []string  `json:"errors"`
	Layout   struct {
		Digit   Rect     `json:"digit"`
		Row     Rect     `json:"row"`
		Chooser []Button `json:"chooser"`
	} `json:"layout"`
}

// Rect is a layout rectangle in CSS pixels of the widget's viewport.
type Rect struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
	W float64 `json:"w"`
	H float64 `json:"h"`
}

// Button is one chooser button.
type Button struct {
	Label string `json:"label"`
	Rect
}

func (r Rect) center() (x, y float64) { return r.X + r.W/2, r.Y + r.H/2 }

func (r Rect) inside(w, h float64) bool {
	return r.W >= 1 && r.H >= 1 && r.X >= 0 && r.Y >= 0 && r.X+r.W <= w+0.5 && r.Y+r.H <= h+0.5
}

// Message is one postMessage the widget sent to its parent.
type Message struct {
	Source  string `json:"source"`
	Type    string `json:"type"`
	Message string `json:"message"`
	State   *State `json:"state"`
	Frame   string `json:"frame"` // the id of the iframe that sent it
}

// checkReady checks what holds for any widget that has drawn its first digit.
func checkReady(t *testing.T, s *State) {
	t.Helper()
	if s.Model != "vae" && s.Model != "cvae" {
		t.Errorf("model %q, want vae or cvae", s.Model)
	}
	if s.Model == "vae" && s.Digit != -1 || s.Model == "cvae" && (s.Digit < 0 || s.Digit > 9) {
		t.Errorf("model %q with digit %d", s.Model, s.Digit)
	}
	if len(s.Z) == 0 {
		t.Errorf("z is empty")
	}
	for i, v := range s.Z {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Errorf("z[%d] = %v", i, v)
		}
	}
	if s.Samples < 1 {
		t.Errorf("samples %d at ready, want >= 1", s.Samples)
	}
	if !(s.DecodeMs > 0) {
		t.Errorf("decodeMs %v, want > 0", s.DecodeMs)
	}
	if !s.Layout.Digit.inside(viewW, viewH) {
		t.Errorf("layout.digit %+v is not a rectangle inside the %dx%d viewport", s.Layout.Digit, viewW, viewH)
	}
	var labels []string
	for _, b := range s.Layout.Chooser {
		labels = append(labels, b.Label)
		if !b.inside(viewW, viewH) {
			t.Errorf("chooser button %q %+v is not inside the viewport", b.Label, b.Rect)
		}
	}
	want := []string{"any", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
	if !slices.Equal(labels, want) {
		t.Errorf("chooser labels %q, want %q", labels, want)
	}
}

func button(t *testing.T, s *State, label string) Rect {
	t.Helper()
	for _, b := range s.Layout.Chooser {
		if b.Label == label {
			return b.Rect
		}
	}
	t.Fatalf("no chooser button %q in %+v", label, s.Layout.Chooser)
	return Rect{}
}
