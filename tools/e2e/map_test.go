package e2e

import (
	"context"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

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
