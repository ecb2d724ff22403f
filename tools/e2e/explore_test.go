package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"vaeplay/model"
)

// ExploreState is the part of window.vaeplay the explorer adds to the
// contract's State.
type ExploreState struct {
	State
	Temperature float64   `json:"temperature"`
	Panel       string    `json:"panel"`
	Controls    string    `json:"controls"`
	ExplicitZ   bool      `json:"explicitZ"`
	Permalink   string    `json:"permalink"`
	To          []float64 `json:"to"`
	Ranking     string    `json:"ranking"`
	Draw        struct {
		Strokes    int      `json:"strokes"`
		Encodes    int      `json:"encodes"`
		Nats       float64  `json:"nats"`
		Percentile *float64 `json:"percentile"`
		Label      int      `json:"label"`
	} `json:"draw"`
	Layout struct {
		Pad     Rect     `json:"pad"`
		Clear   Rect     `json:"clear"`
		Morph   Rect     `json:"morph"`
		Map     Rect     `json:"map"`
		Digit   Rect     `json:"digit"`
		Row     Rect     `json:"row"`
		Tabs    []Button `json:"tabs"`
		Sliders []Button `json:"sliders"`
		Grid    []Rect   `json:"grid"`
	} `json:"layout"`
}

// explore reads window.vaeplay with the explorer's fields.
func (tb *tab) explore() *ExploreState {
	tb.t.Helper()
	var s *ExploreState
	if err := tb.eval(`JSON.stringify(window.vaeplay ?? null)`, &s); err != nil || s == nil {
		tb.t.Fatalf("reading window.vaeplay: %v\n%s", err, tb.diagnostics())
	}
	return s
}

// drag presses the left button at from, moves to to in steps, and releases:
// the mouse events a person dragging a slider makes.
func (tb *tab) drag(fromX, fromY, toX, toY float64) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, actionTimeout)
	defer cancel()
	acts := []chromedp.Action[chromedp.Void]{
		chromedp.MouseEvent(chromedp.MouseMoved, fromX, fromY),
		chromedp.MouseEvent(chromedp.MousePressed, fromX, fromY, chromedp.ButtonLeft, chromedp.ClickCount(1)),
	}
	const steps = 6
	for i := 1; i <= steps; i++ {
		f := float64(i) / steps
		acts = append(acts, chromedp.Sleep(40*time.Millisecond),
			chromedp.MouseEvent(chromedp.MouseMoved, fromX+f*(toX-fromX), fromY+f*(toY-fromY), chromedp.ButtonLeft))
	}
	acts = append(acts, chromedp.Sleep(80*time.Millisecond),
		chromedp.MouseEvent(chromedp.MouseReleased, toX, toY, chromedp.ButtonLeft, chromedp.ClickCount(1)))
	if err := chromedp.Do(ctx, acts...); err != nil {
		tb.t.Fatalf("dragging from (%.0f, %.0f) to (%.0f, %.0f): %v", fromX, fromY, toX, toY, err)
	}
}

// keepShot writes a screenshot for a look when VAEPLAY_SHOTS names a folder.
func keepShot(t *testing.T, tb *tab, name string) {
	dir := os.Getenv("VAEPLAY_SHOTS")
	if dir == "" {
		return
	}
	tb.saveScreenshot(filepath.Join(fromRoot(t, dir), name+".png"))
}

// TestExplore covers the explorer of issue 5 with real input: the sliders,
// the permalink, the other panels, and the host page's messages.
func TestExplore(t *testing.T) {
	dir := siteDir(t)
	base := serve(t, dir)
	bctx := startBrowser(t)

	var link string
	var linked image.Image
	t.Run("slider drag", func(t *testing.T) { link, linked = testSliderDrag(t, bctx, base, dir) })
	t.Run("permalink", func(t *testing.T) {
		if link == "" {
			t.Skip("no permalink: the slider test failed")
		}
		testPermalink(t, bctx, link, linked)
	})
	t.Run("panels", func(t *testing.T) { testPanels(t, bctx, base) })
	t.Run("draw", func(t *testing.T) { testDraw(t, bctx, base, dir) })
	t.Run("map", func(t *testing.T) { testMap(t, bctx, base, dir) })
	t.Run("host messages", func(t *testing.T) { testHostMessages(t, bctx, base, dir) })
}

// testSliderDrag drags the first latent slider with the mouse and checks
// that z and the digit change and the address bar follows. It returns the
// permalink and the digit it shows.
func testSliderDrag(t *testing.T, bctx context.Context, base, dir string) (string, image.Image) {
	tb := openTab(t, bctx)
	tb.navigate(base + "embed.html?digit=3&seed=5&panel=sliders")
	tb.waitState(`status "ready"`, loadTimeout, false, func(s *State) bool { return s.Status == "ready" })
	s := tb.explore()
	// The temperature and five latent dimensions, or as many as the model has.
	if want := 1 + min(5, len(s.Z)); s.Panel != "sliders" || len(s.Layout.Sliders) != want {
		t.Fatalf("panel %q with %d sliders, want sliders with %d (z has %d numbers)", s.Panel, len(s.Layout.Sliders), want, len(s.Z))
	}
	if s.Layout.Sliders[0].Label != "temperature" || !strings.HasPrefix(s.Layout.Sliders[1].Label, "z") || s.Layout.Sliders[1].Label == "z" {
		t.Errorf("slider labels %q, %q: want temperature, then a latent dimension", s.Layout.Sliders[0].Label, s.Layout.Sliders[1].Label)
	}
	// The sliders follow the weights' latent_kl when the file has it: the
	// first slider is then the dimension with the most KL.
	want := "decoder"
	if kl := siteMetadata(t, dir, "cvae", "latent_kl"); kl != "" {
		want = "latent_kl"
		var v []float64
		if err := json.Unmarshal([]byte(kl), &v); err != nil || len(v) == 0 {
			t.Fatalf("cvae latent_kl %q: %v", kl, err)
		}
		var dim int
		fmt.Sscanf(s.Layout.Sliders[1].Label, "z%d", &dim)
		if best := slices.Index(v, slices.Max(v)); dim != best {
			t.Errorf("first latent slider is z%d, but latent_kl is largest for z%d: %v", dim, best, v)
		}
	}
	if s.Ranking != want {
		t.Errorf("ranking %q, want %q", s.Ranking, want)
	}
	keepShot(t, tb, "sliders")
	before := tb.waitPixels("digit at ready", s.Layout.Digit, notBlank)
	zBefore := slices.Clone(s.Z)

	sl := s.Layout.Sliders[1]
	y := sl.Y + sl.H/2
	tb.drag(sl.X+sl.W/2, y, sl.X+0.95*sl.W, y)
	tb.waitState("an explicit z after the drag", actionTimeout, false, func(s *State) bool { return !slices.Equal(s.Z, zBefore) })
	after := tb.waitPixels("digit after dragging a slider", s.Layout.Digit, changedFrom(before), before)
	s = tb.explore()
	if !s.ExplicitZ {
		t.Errorf("explicitZ false after a drag")
	}
	var dim int
	if _, err := fmt.Sscanf(s.Layout.Sliders[1].Label, "z%d", &dim); err != nil || dim >= len(s.Z) {
		t.Fatalf("slider label %q names no dimension of z (len %d)", s.Layout.Sliders[1].Label, len(s.Z))
	}
	if s.Z[dim] < 2 {
		t.Errorf("z[%d] = %v after dragging its slider to 95%%, want near +2.7", dim, s.Z[dim])
	}
	for i := range s.Z {
		if i != dim && abs(s.Z[i]-zBefore[i]) > 0.0005 {
			t.Errorf("z[%d] moved from %v to %v; only z[%d] was dragged", i, zBefore[i], s.Z[i], dim)
		}
	}
	if !strings.Contains(s.Permalink, "z=") || !strings.Contains(s.Permalink, "panel=sliders") {
		t.Errorf("permalink %q holds no z or panel", s.Permalink)
	}
	// The address bar follows, a little later.
	deadline := time.Now().Add(actionTimeout)
	for {
		var href string
		if err := tb.eval(`JSON.stringify(location.href)`, &href); err == nil && href == s.Permalink {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("location.href %q never became the permalink %q", href, s.Permalink)
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	return s.Permalink, after
}

func abs(v float64) float64 { return max(v, -v) }

// testPermalink opens the permalink in a new tab: the same z, the same pixels.
func testPermalink(t *testing.T, bctx context.Context, link string, want image.Image) {
	tb := openTab(t, bctx)
	tb.navigate(link)
	tb.waitState(`status "ready"`, loadTimeout, false, func(s *State) bool { return s.Status == "ready" })
	s := tb.explore()
	if s.Permalink != link {
		t.Errorf("the permalink reopens with permalink %q, want %q", s.Permalink, link)
	}
	if len(s.Errors) > 0 {
		t.Errorf("errors opening the permalink: %q", s.Errors)
	}
	tb.waitPixels("the permalink's digit", s.Layout.Digit, func(img image.Image) (bool, string) {
		f := changed(want, img)
		return f == 0, fmt.Sprintf("%.2f%% of the pixels differ from the original's, want none", 100*f)
	}, want)
}

// testPanels opens the interpolation and grid panels with minimal and full
// controls, and switches panels by tab and key.
func testPanels(t *testing.T, bctx context.Context, base string) {
	tb := openTab(t, bctx)
	tb.navigate(base + "embed.html?model=vae&seed=11&panel=interpolate")
	tb.waitState(`status "ready"`, loadTimeout, false, func(s *State) bool { return s.Status == "ready" })
	s := tb.explore()
	if s.Panel != "interpolate" || !s.Layout.Row.inside(viewW, viewH) {
		t.Fatalf("panel %q, strip %+v", s.Panel, s.Layout.Row)
	}
	strip := tb.waitPixels("the interpolation strip", s.Layout.Row, notBlank)
	// The animation plays: the big digit changes by itself.
	first := tb.shot(s.Layout.Digit)
	tb.waitPixels("the interpolation animating", s.Layout.Digit, changedFrom(first), first)
	keepShot(t, tb, "interpolate")
	// A click moves on to the next pair.
	tb.click(s.Layout.Digit.center())
	tb.waitState("seed 12 after a click", actionTimeout, false, func(s *State) bool { return s.Seed == 12 })
	tb.waitPixels("the strip after a click", s.Layout.Row, changedFrom(strip), strip)

	// The grid tab, by click.
	var grid Button
	for _, b := range s.Layout.Tabs {
		if b.Label == "grid" {
			grid = b
		}
	}
	if grid.W == 0 {
		t.Fatalf("no grid tab in %+v", s.Layout.Tabs)
	}
	tb.click(grid.center())
	tb.waitState("the grid panel", actionTimeout, false, func(*State) bool { return tb.explore().Panel == "grid" })
	s = tb.explore()
	if len(s.Layout.Grid) < 12 {
		t.Fatalf("grid of %d cells", len(s.Layout.Grid))
	}
	tb.waitPixels("a grid cell", s.Layout.Grid[len(s.Layout.Grid)-1], notBlank)
	keepShot(t, tb, "grid")
	tb.click(s.Layout.Grid[3].center())
	tb.waitState("seed 15 on the sample panel after clicking cell 3", actionTimeout, false, func(s *State) bool { return s.Seed == 15 })
	if p := tb.explore().Panel; p != "sample" {
		t.Errorf("panel %q after picking a grid cell, want sample", p)
	}
	// The plain VAE's sample read by the conditional VAE: its style under
	// every label, a row that changes with the sample (a caption would not).
	s = tb.explore()
	row := tb.waitPixels("the VAE sample's style row", s.Layout.Row, notBlank)
	tb.press(' ')
	tb.waitState("seed 16 after space", actionTimeout, false, func(s *State) bool { return s.Seed == 16 })
	tb.waitPixels("the style row of the next sample", s.Layout.Row, changedFrom(row), row)
	tb.press('p')
	tb.waitState("the sliders panel after key p", actionTimeout, false, func(*State) bool { return tb.explore().Panel == "sliders" })

	// Minimal controls: no chooser, no tabs; a panel that does not exist
	// is named, not ignored.
	tb2 := openTab(t, bctx)
	tb2.navigate(base + "embed.html?digit=8&seed=3&controls=minimal&panel=atlas")
	tb2.waitState(`status "ready"`, loadTimeout, true, func(s *State) bool { return s.Status == "ready" })
	s = tb2.explore()
	if len(s.State.Layout.Chooser) != 0 || len(s.Layout.Tabs) != 0 {
		t.Errorf("controls=minimal shows %d chooser buttons and %d tabs", len(s.State.Layout.Chooser), len(s.Layout.Tabs))
	}
	if !slices.ContainsFunc(s.Errors, func(e string) bool { return strings.Contains(e, `panel "atlas": want one of`) }) {
		t.Errorf("panel=atlas: errors %q, want one naming the panels there are", s.Errors)
	}
	tb2.waitPixels("the digit with minimal controls", s.Layout.Digit, notBlank)
	keepShot(t, tb2, "minimal")
}

// testHostMessages drives the widget from a host page: z, temperature and
// panel by message, the state coming back, and a malformed message answered
// with an error and changing nothing.
func testHostMessages(t *testing.T, bctx context.Context, base, dir string) {
	tb := openTab(t, bctx)
	tb.navigate(base + "examples.html")
	// Several widgets report at once (the interpolation animates), so each
	// check looks at the messages of the frame it drives: ex1.
	msgs := tb.waitMessages(`"ready" from every example`, func(ms []Message) bool {
		n := 0
		for _, m := range ms {
			if m.Type == "ready" {
				n++
			}
		}
		return n >= 4
	})
	from := func(id string, ms []Message) []Message {
		var out []Message
		for _, m := range ms {
			if m.Frame == id {
				out = append(out, m)
			}
		}
		return out
	}
	keepShot(t, tb, "examples")
	post := func(msg string) {
		t.Helper()
		var ok bool
		if err := tb.eval(`JSON.stringify((() => { const f = document.querySelector("iframe"); if (!f) return false; f.contentWindow.postMessage(`+msg+`, "*"); return true; })())`, &ok); err != nil || !ok {
			t.Fatalf("posting %s: ok=%v err=%v", msg, ok, err)
		}
	}
	n := len(msgs)
	post(`{target: "vaeplay", type: "set", digit: 2, seed: 40}`)
	msgs = tb.waitMessages("state with digit 2 seed 40", func(ms []Message) bool {
		return slices.ContainsFunc(from("ex1", ms[n:]), func(m Message) bool {
			return m.Type == "state" && m.State != nil && m.State.Digit == 2 && m.State.Seed == 40 && m.State.DecodeMs > 0
		})
	})
	var last *State
	for _, m := range from("ex1", msgs) {
		if m.Type == "state" && m.State != nil && m.State.Digit == 2 && m.State.Seed == 40 {
			last = m.State
		}
	}
	z := make([]string, len(last.Z))
	for i := range z {
		z[i] = "0.5"
	}
	n = len(tb.messages())
	post(`{target: "vaeplay", type: "set", z: [` + strings.Join(z, ",") + `], panel: "sliders"}`)
	tb.waitMessages("state with the z sent", func(ms []Message) bool {
		return slices.ContainsFunc(from("ex1", ms[n:]), func(m Message) bool {
			return m.Type == "state" && m.State != nil && len(m.State.Z) > 0 && m.State.Z[0] == 0.5 && m.State.Z[len(m.State.Z)-1] == 0.5
		})
	})
	// Malformed: answered with an error, nothing changes.
	n = len(tb.messages())
	post(`{target: "vaeplay", type: "set", z: [1, "two"], temperature: 0.5}`)
	ms := tb.waitMessages("an error answering a malformed z", func(ms []Message) bool {
		return slices.ContainsFunc(from("ex1", ms[n:]), func(m Message) bool { return m.Type == "error" && strings.Contains(m.Message, "z entry 2") })
	})
	for _, m := range from("ex1", ms[n:]) {
		if m.State != nil && (m.State.Digit != 2 || m.State.Seed != 40 || len(m.State.Z) == 0 || m.State.Z[0] != 0.5) {
			t.Errorf("a malformed message changed the state: %+v", m.State)
		}
	}
	n = len(tb.messages())
	post(`{target: "vaeplay", type: "set", panel: "atlas"}`)
	tb.waitMessages("an error answering panel atlas", func(ms []Message) bool {
		return slices.ContainsFunc(from("ex1", ms[n:]), func(m Message) bool {
			return m.Type == "error" && strings.Contains(m.Message, `panel "atlas": want one of`)
		})
	})

	// The map example: the page's button moves the point, and the state
	// comes back with it.
	if _, err := os.Stat(filepath.Join(dir, "weights", "vae2d.safetensors")); err != nil {
		return
	}
	n = len(tb.messages())
	var ok bool
	if err := tb.eval(`JSON.stringify((() => { const b = document.querySelector('[data-z="-2,2"]'); if (!b) return false; b.click(); return true; })())`, &ok); err != nil || !ok {
		t.Fatalf("clicking the map example's button: ok=%v err=%v", ok, err)
	}
	tb.waitMessages("the map example's state at z (-2, 2)", func(ms []Message) bool {
		return slices.ContainsFunc(from("ex4", ms[n:]), func(m Message) bool {
			return m.Type == "state" && m.State != nil && slices.Equal(m.State.Z, []float64{-2, 2}) && m.State.DecodeMs > 0
		})
	})
}

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

// testMap drags the point across the latent map of the 2-D models with the
// mouse and the arrow keys, checks that the digit follows, and that the
// map's permalink reproduces the same pixels.
func testMap(t *testing.T, bctx context.Context, base, dir string) {
	for _, m := range []string{"vae2d", "cvae2d"} {
		if _, err := os.Stat(filepath.Join(dir, "weights", m+".safetensors")); err != nil {
			need(t, "the site has no weights/%s.safetensors (SITE_MODELS in the Makefile)", m)
		}
	}
	tb := openTab(t, bctx)
	if _, err := chromedp.Call(tb.ctx, emulation.SetTouchEmulationEnabled, emulation.SetTouchEmulationEnabledParams{Enabled: true, MaxTouchPoints: 1}); err != nil {
		t.Fatalf("enabling touch: %v", err)
	}
	tb.navigate(base + "embed.html?model=vae&seed=4&panel=map")
	tb.waitState(`status "ready"`, loadTimeout, false, func(s *State) bool { return s.Status == "ready" })
	s := tb.explore()
	mp := s.Layout.Map
	if s.Panel != "map" || !mp.inside(viewW, viewH) || mp.W < 150 || len(s.Z) != 2 {
		t.Fatalf("panel %q, map %+v, z %v: want the map panel with a 2-D z", s.Panel, mp, s.Z)
	}
	if len(s.Errors) > 0 {
		t.Errorf("errors on the map: %q", s.Errors)
	}
	background := tb.waitPixels("the map's background of decoded digits", mp, notBlank)
	before := tb.waitPixels("the digit at the seed's z", s.Layout.Digit, notBlank)
	keepShot(t, tb, "map")

	// Drag from the centre towards the top left, 3/4 of the way to the corner.
	cx, cy := mp.center()
	tx, ty := mp.X+0.125*mp.W, mp.Y+0.125*mp.H
	tb.drag(cx, cy, tx, ty)
	tb.waitState("z at the dragged point", actionTimeout, false, func(s *State) bool {
		return len(s.Z) == 2 && s.Z[0] < -2 && s.Z[1] > 2
	})
	s = tb.explore()
	after := tb.waitPixels("the digit after dragging on the map", s.Layout.Digit, changedFrom(before), before)
	if z := s.Z; abs(z[0]+2.25) > 0.1 || abs(z[1]-2.25) > 0.1 {
		t.Errorf("z %v after dragging to 1/8 of the map, want about (-2.25, 2.25)", z)
	}

	// A finger drags it too: to the bottom right quarter.
	tb.touchStroke(line(cx, cy, mp.X+0.75*mp.W, mp.Y+0.75*mp.H, 8))
	tb.waitState("z after a touch drag", actionTimeout, false, func(s *State) bool {
		return len(s.Z) == 2 && abs(s.Z[0]-1.5) < 0.1 && abs(s.Z[1]+1.5) < 0.1
	})
	touched := tb.waitPixels("the digit after a touch drag", s.Layout.Digit, changedFrom(after), after)
	tb.drag(cx, cy, tx, ty)
	tb.waitState("z back at the mouse's point", actionTimeout, false, func(s *State) bool { return len(s.Z) == 2 && s.Z[0] < -2 })
	tb.waitPixels("the digit back at the mouse's point", s.Layout.Digit, changedFrom(touched), touched)
	s = tb.explore()

	// The arrow keys move the point one step of 0.1, and the point on the
	// map with it.
	z0 := s.Z[0]
	mapBefore := tb.shot(mp)
	tb.press([]rune(kb.ArrowRight)[0])
	tb.waitState("z0 one step right after the arrow key", actionTimeout, false, func(s *State) bool {
		return len(s.Z) == 2 && abs(s.Z[0]-(z0+0.1)) < 1e-6
	})
	tb.waitPixels("the map's point after the arrow key", mp, func(img image.Image) (bool, string) {
		return changed(mapBefore, img) > 0, "the map did not change after moving the point"
	}, mapBefore)
	after = tb.shot(s.Layout.Digit)
	link := tb.explore().Permalink
	if !strings.Contains(link, "panel=map") || !strings.Contains(link, "z=") {
		t.Errorf("map permalink %q holds no panel=map or z", link)
	}

	// The conditional VAE's map: another background.
	tb.press('3')
	tb.waitState("digit 3 on the map", actionTimeout, false, func(s *State) bool { return s.Digit == 3 && len(s.Z) == 2 })
	tb.waitPixels("the CVAE's map for the digit 3", mp, changedFrom(background), background)
	tb.press('a')
	tb.waitState("the plain VAE again", actionTimeout, false, func(s *State) bool { return s.Model == "vae" && len(s.Z) == 2 })
	// The mouse leaves the map, so that its point is drawn without hover.
	if err := chromedp.Do(tb.ctx, chromedp.MouseEvent(chromedp.MouseMoved, 2, 2)); err != nil {
		t.Fatal(err)
	}
	mapNow := tb.waitPixels("the VAE's map again", mp, func(img image.Image) (bool, string) {
		f := changed(background, img)
		return f > 0 && f < 0.2, fmt.Sprintf("%.2f%% of the map differs from the first look, want only the point moved", 100*f)
	}, background)

	// The permalink reproduces the same pixels: the digit and the map.
	tb2 := openTab(t, bctx)
	tb2.navigate(link)
	tb2.waitState(`status "ready"`, loadTimeout, false, func(s *State) bool { return s.Status == "ready" })
	s2 := tb2.explore()
	if s2.Permalink != link || len(s2.Errors) > 0 {
		t.Errorf("the map's permalink reopens as %q with errors %q, want %q", s2.Permalink, s2.Errors, link)
	}
	same := func(want image.Image) func(image.Image) (bool, string) {
		return func(img image.Image) (bool, string) {
			f := changed(want, img)
			return f == 0, fmt.Sprintf("%.2f%% of the pixels differ from the original's, want none", 100*f)
		}
	}
	tb2.waitPixels("the map permalink's digit", s2.Layout.Digit, same(after), after)
	tb2.waitPixels("the map permalink's map", mp, same(mapNow), mapNow)
}
