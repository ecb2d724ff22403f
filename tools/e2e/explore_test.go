package e2e

import (
	"context"
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
)

// ExploreState is the part of window.vaeplay the explorer adds to the
// contract's State.
type ExploreState struct {
	State
	Temperature float64 `json:"temperature"`
	Panel       string  `json:"panel"`
	Controls    string  `json:"controls"`
	ExplicitZ   bool    `json:"explicitZ"`
	Permalink   string  `json:"permalink"`
	Draw        struct {
		Strokes int     `json:"strokes"`
		Encodes int     `json:"encodes"`
		Nats    float64 `json:"nats"`
	} `json:"draw"`
	Layout struct {
		Pad     Rect     `json:"pad"`
		Clear   Rect     `json:"clear"`
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
	t.Run("slider drag", func(t *testing.T) { link, linked = testSliderDrag(t, bctx, base) })
	t.Run("permalink", func(t *testing.T) {
		if link == "" {
			t.Skip("no permalink: the slider test failed")
		}
		testPermalink(t, bctx, link, linked)
	})
	t.Run("panels", func(t *testing.T) { testPanels(t, bctx, base) })
	t.Run("draw", func(t *testing.T) { testDraw(t, bctx, base) })
	t.Run("host messages", func(t *testing.T) { testHostMessages(t, bctx, base) })
}

// testSliderDrag drags the first latent slider with the mouse and checks
// that z and the digit change and the address bar follows. It returns the
// permalink and the digit it shows.
func testSliderDrag(t *testing.T, bctx context.Context, base string) (string, image.Image) {
	tb := openTab(t, bctx)
	tb.navigate(base + "embed.html?digit=3&seed=5&panel=sliders")
	tb.waitState(`status "ready"`, loadTimeout, false, func(s *State) bool { return s.Status == "ready" })
	s := tb.explore()
	if s.Panel != "sliders" || len(s.Layout.Sliders) != 6 {
		t.Fatalf("panel %q with %d sliders, want sliders with 6", s.Panel, len(s.Layout.Sliders))
	}
	if s.Layout.Sliders[0].Label != "temperature" || !strings.HasPrefix(s.Layout.Sliders[1].Label, "z") || s.Layout.Sliders[1].Label == "z" {
		t.Errorf("slider labels %q, %q: want temperature, then a latent dimension", s.Layout.Sliders[0].Label, s.Layout.Sliders[1].Label)
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
	tb.press('p')
	tb.waitState("the sliders panel after key p", actionTimeout, false, func(*State) bool { return tb.explore().Panel == "sliders" })

	// Minimal controls: no chooser, no tabs; a panel that is not built yet
	// is named, not ignored.
	tb2 := openTab(t, bctx)
	tb2.navigate(base + "embed.html?digit=8&seed=3&controls=minimal&panel=map")
	tb2.waitState(`status "ready"`, loadTimeout, true, func(s *State) bool { return s.Status == "ready" })
	s = tb2.explore()
	if len(s.State.Layout.Chooser) != 0 || len(s.Layout.Tabs) != 0 {
		t.Errorf("controls=minimal shows %d chooser buttons and %d tabs", len(s.State.Layout.Chooser), len(s.Layout.Tabs))
	}
	if !slices.ContainsFunc(s.Errors, func(e string) bool { return strings.Contains(e, "panel=map is not available yet") }) {
		t.Errorf("panel=map: errors %q, want one saying it is not available yet", s.Errors)
	}
	tb2.waitPixels("the digit with minimal controls", s.Layout.Digit, notBlank)
	keepShot(t, tb2, "minimal")
}

// testHostMessages drives the widget from a host page: z, temperature and
// panel by message, the state coming back, and a malformed message answered
// with an error and changing nothing.
func testHostMessages(t *testing.T, bctx context.Context, base string) {
	tb := openTab(t, bctx)
	tb.navigate(base + "examples.html")
	msgs := tb.waitMessages(`"ready" from every example`, func(ms []Message) bool {
		n := 0
		for _, m := range ms {
			if m.Type == "ready" {
				n++
			}
		}
		return n >= 3
	})
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
		return slices.ContainsFunc(ms[n:], func(m Message) bool {
			return m.Type == "state" && m.State != nil && m.State.Digit == 2 && m.State.Seed == 40 && m.State.DecodeMs > 0
		})
	})
	var last *State
	for _, m := range msgs {
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
		return slices.ContainsFunc(ms[n:], func(m Message) bool {
			return m.Type == "state" && m.State != nil && len(m.State.Z) > 0 && m.State.Z[0] == 0.5 && m.State.Z[len(m.State.Z)-1] == 0.5
		})
	})
	// Malformed: answered with an error, nothing changes.
	n = len(tb.messages())
	post(`{target: "vaeplay", type: "set", z: [1, "two"], temperature: 0.5}`)
	ms := tb.waitMessages("an error answering a malformed z", func(ms []Message) bool {
		return slices.ContainsFunc(ms[n:], func(m Message) bool { return m.Type == "error" && strings.Contains(m.Message, "z entry 2") })
	})
	for _, m := range ms[n:] {
		if m.State != nil && (m.State.Digit != 2 || m.State.Seed != 40 || len(m.State.Z) == 0 || m.State.Z[0] != 0.5) {
			t.Errorf("a malformed message changed the state: %+v", m.State)
		}
	}
	n = len(tb.messages())
	post(`{target: "vaeplay", type: "set", panel: "map"}`)
	tb.waitMessages("an error answering panel map", func(ms []Message) bool {
		return slices.ContainsFunc(ms[n:], func(m Message) bool {
			return m.Type == "error" && strings.Contains(m.Message, "panel=map is not available yet")
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
func testDraw(t *testing.T, bctx context.Context, base string) {
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
	square := tb.explore().Draw.Nats
	t.Logf("a drawn 1 scores %.1f nats (negative ELBO), a filled square %.1f", one, square)
	if !(one < square) {
		t.Errorf("the 1 scores %.1f nats, the square %.1f: want the 1 more typical (lower)", one, square)
	}
	keepShot(t, tb, "draw-square")
}
