package e2e

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"vaeplay/model"
)

// touchStroke draws a stroke through points with touch events, as a finger
// does: start, moves, end.
func (tb *tab) touchStroke(pts [][2]float64) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, actionTimeout)
	defer cancel()
	at := func(p [2]float64) []*input.TouchPoint {
		return []*input.TouchPoint{{X: p[0], Y: p[1]}}
	}
	steps := []input.DispatchTouchEventParams{{Type: input.DispatchTouchEventTypeTouchStart, TouchPoints: at(pts[0])}}
	for _, p := range pts[1:] {
		steps = append(steps, input.DispatchTouchEventParams{Type: input.DispatchTouchEventTypeTouchMove, TouchPoints: at(p)})
	}
	steps = append(steps, input.DispatchTouchEventParams{Type: input.DispatchTouchEventTypeTouchEnd, TouchPoints: []*input.TouchPoint{}})
	for _, st := range steps {
		if _, err := chromedp.Call(ctx, input.DispatchTouchEvent, st); err != nil {
			tb.t.Fatalf("touch %s: %v", st.Type, err)
		}
		time.Sleep(15 * time.Millisecond)
	}
}

// line returns n+1 points from a to b.
func line(ax, ay, bx, by float64, n int) [][2]float64 {
	ps := make([][2]float64, n+1)
	for i := range ps {
		f := float64(i) / float64(n)
		ps[i] = [2]float64{ax + f*(bx-ax), ay + f*(by-ay)}
	}
	return ps
}

// testDraw draws with touch events on the draw panel: a vertical stroke
// (a "1") is encoded, reconstructed and scores as more typical than a filled
// square.
func testDraw(t *testing.T, bctx context.Context, base, dir string) {
	tb := openTab(t, bctx)
	if _, err := chromedp.Call(tb.ctx, emulation.SetTouchEmulationEnabled, emulation.SetTouchEmulationEnabledParams{Enabled: true, MaxTouchPoints: 1}); err != nil {
		t.Fatalf("enabling touch: %v", err)
	}
	tb.navigate(base + "embed.html?digit=1&seed=2&panel=draw")
	tb.waitState(`status "ready"`, loadTimeout, false, func(s *State) bool { return s.Status == "ready" })
	s := tb.explore()
	pad := s.Layout.Pad
	if !pad.inside(viewW, viewH) || pad.W < 100 {
		t.Fatalf("pad %+v", pad)
	}
	before := tb.waitPixels("the digit before drawing", s.Layout.Digit, notBlank)

	tb.touchStroke(line(pad.X+0.52*pad.W, pad.Y+0.15*pad.H, pad.X+0.48*pad.W, pad.Y+0.85*pad.H, 12))
	tb.waitState("an encode after the stroke", actionTimeout, false, func(*State) bool { return tb.explore().Draw.Encodes >= 1 })
	s = tb.explore()
	one := s.Draw.Nats
	if !s.ExplicitZ || s.Draw.Strokes != 1 || one <= 0 {
		t.Errorf("after one stroke: explicitZ %v strokes %d nats %v", s.ExplicitZ, s.Draw.Strokes, one)
	}
	tb.waitPixels("the reconstruction", s.Layout.Digit, changedFrom(before), before)
	// Style transfer: the drawing's z under every label, in the row.
	if s.Draw.Label != 1 || !s.Layout.Row.inside(viewW, viewH) {
		t.Errorf("style row: label %d, row %+v; want label 1 (the chosen digit) and a row on screen", s.Draw.Label, s.Layout.Row)
	}
	tb.waitPixels("the drawing's style under every label", s.Layout.Row, notBlank)
	withPercentiles := siteMetadata(t, dir, "cvae", "nelbo_percentiles") != ""
	onePct := s.Draw.Percentile
	if withPercentiles != (onePct != nil) {
		t.Errorf("percentile %v; the weights carry nelbo_percentiles: %v", onePct, withPercentiles)
	}
	keepShot(t, tb, "draw")

	tb.click(s.Layout.Clear.center())
	tb.waitState("a clear pad", actionTimeout, false, func(*State) bool { return tb.explore().Draw.Strokes == 0 })
	// A filled square: close horizontal strokes.
	const rows = 14
	for i := range rows {
		y := pad.Y + pad.H*(0.2+0.6*float64(i)/(rows-1))
		tb.touchStroke(line(pad.X+0.2*pad.W, y, pad.X+0.8*pad.W, y, 3))
	}
	tb.waitState("an encode of the square", actionTimeout, false, func(*State) bool { return tb.explore().Draw.Encodes >= 1+rows })
	s = tb.explore()
	square := s.Draw.Nats
	t.Logf("a drawn 1 scores %.1f nats (negative ELBO), a filled square %.1f", one, square)
	if !(one < square) {
		t.Errorf("the 1 scores %.1f nats, the square %.1f: want the 1 more typical (lower)", one, square)
	}
	if sqPct := s.Draw.Percentile; withPercentiles && onePct != nil && sqPct != nil {
		t.Logf("percentiles among test digits: the 1 %.1f, the square %.1f", *onePct, *sqPct)
		if !(*onePct < *sqPct) || *sqPct < 95 {
			t.Errorf("percentile of the 1 %.1f, of the square %.1f: want the 1 more typical, the square unusual (>= 95)", *onePct, *sqPct)
		}
	}
	keepShot(t, tb, "draw-square")

	// Morph: from the 1 (the drawing before the clear) to the square.
	prev := tb.explore().Z
	tb.click(s.Layout.Morph.center())
	tb.waitState("the interpolate panel after morph", actionTimeout, false, func(*State) bool { return tb.explore().Panel == "interpolate" })
	s = tb.explore()
	if len(s.To) != len(s.Z) || slices.Equal(s.To, s.Z) || !slices.Equal(s.To, prev) {
		t.Errorf("after morph: z %v to %v; want z the 1's and to the square's z %v", s.Z, s.To, prev)
	}
	if !strings.Contains(s.Permalink, "to=") {
		t.Errorf("morph permalink %q holds no to=", s.Permalink)
	}
	tb.waitPixels("the morph's strip", s.Layout.Row, notBlank)
	keepShot(t, tb, "morph")

	// The map shows where the last drawing landed in the 2-D model's plane.
	if _, err := os.Stat(filepath.Join(dir, "weights", "cvae2d.safetensors")); err != nil {
		return
	}
	for _, b := range s.Layout.Tabs {
		if b.Label == "map" {
			tb.click(b.center())
		}
	}
	tb.waitState("the map panel with the drawing's point", actionTimeout, false, func(st *State) bool {
		e := tb.explore()
		return e.Panel == "map" && len(st.Z) == 2 && e.ExplicitZ
	})
	if errs := tb.explore().Errors; len(errs) > 0 {
		t.Errorf("errors after drawing: %q", errs)
	}
	keepShot(t, tb, "draw-on-map")
}

// siteMetadata returns the __metadata__ entry key of the site's weights
// file <name>.safetensors, or "" when it has none.
func siteMetadata(t *testing.T, dir, name, key string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "weights", name+".safetensors"))
	if err != nil {
		t.Fatalf("reading the site's weights: %v", err)
	}
	_, meta, err := model.Load(data)
	if err != nil {
		t.Fatalf("%s.safetensors: %v", name, err)
	}
	return meta[key]
}
