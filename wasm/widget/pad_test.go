package widget

import (
	"slices"
	"testing"
)

func TestPad(t *testing.T) {
	var p Pad
	if r := p.Report(); r != (DrawReport{Label: -1}) || p.HasEncoded() || p.CanMorph() {
		t.Fatalf("empty pad: report %+v, encoded %v, can morph %v", r, p.HasEncoded(), p.CanMorph())
	}
	sel := Selection{CVAE, 1, 2}
	p.Stroke(Point{0.5, 0.1}, true)
	p.Stroke(Point{0.5, 0.9}, false)
	p.Lift()
	pct := 7.7
	p.Encoded(sel, []float64{1, -1}, 53.24, &pct)
	p.Styled(1, true)
	if r := p.Report(); r.Strokes != 1 || r.Encodes != 1 || r.Nats != 53.2 || r.Percentile == nil || *r.Percentile != 7.7 || r.Label != 1 {
		t.Errorf("after a stroke and its encode: %+v", r)
	}
	if _, _, err := p.MorphEnds(); err == nil || p.CanMorph() {
		t.Errorf("one drawing: morph error %v, can morph %v; want an error", err, p.CanMorph())
	}

	// Choosing another digit reads the drawing again; a new seed does not.
	if p.Rechoose(Selection{CVAE, 1, 3}) {
		t.Error("a new seed asks for a new encode")
	}
	if !p.Rechoose(Selection{VAE, -1, 3}) || p.Rechoose(Selection{VAE, -1, 3}) {
		t.Error("another model: want one new encode")
	}

	p.Clear()
	if r := p.Report(); r.Strokes != 0 || r.Encodes != 1 || r.Nats != 0 || r.Percentile != nil || r.Label != -1 || p.HasEncoded() || !p.Drawing().Empty() {
		t.Errorf("after clear: %+v, encoded %v", r, p.HasEncoded())
	}
	if p.Rechoose(Selection{CVAE, 5, 3}) {
		t.Error("a cleared pad asks for an encode")
	}
	p.Stroke(Point{0.2, 0.2}, true)
	p.Encoded(sel, []float64{0, 2}, 300, nil)
	from, to, err := p.MorphEnds()
	if err != nil || !p.CanMorph() || !slices.Equal(from, []float64{1, -1}) || !slices.Equal(to, []float64{0, 2}) {
		t.Errorf("morph after two drawings: %v to %v, %v", from, to, err)
	}
	if r := p.Report(); r.Encodes != 2 || r.Label != -1 || r.Percentile != nil {
		t.Errorf("second drawing, not styled: %+v", r)
	}
}
