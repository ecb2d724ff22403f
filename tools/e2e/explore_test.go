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

	"github.com/chromedp/chromedp"
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

// TestExplore covers the explorer with real input: the sliders,
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
