package e2e

import (
	"context"
	"fmt"
	"image"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// decodeSamples is how many samples the decode time is measured over.
const decodeSamples = 20

// TestWidget runs the widget contract against the built site.
func TestWidget(t *testing.T) {
	dir := siteDir(t)
	base := serve(t, dir)
	logSizes(t, base, dir)
	bctx := startBrowser(t)

	var first sample
	t.Run("embed", func(t *testing.T) { first = testEmbed(t, bctx, base) })
	t.Run("reproducible", func(t *testing.T) {
		if first.img == nil {
			t.Skip("no first sample: embed failed")
		}
		testReproducible(t, bctx, base, first)
	})
	t.Run("bad parameters", func(t *testing.T) { testBadParameters(t, bctx, base) })
	t.Run("index", func(t *testing.T) { testIndex(t, bctx, base) })
}

// sample is a drawn digit with what should reproduce it.
type sample struct {
	model string
	digit int
	seed  float64
	z     []float64
	img   image.Image
}

// testEmbed drives embed.html the way a reader does: look, click, type,
// choose, sample. It returns the first digit drawn.
func testEmbed(t *testing.T, bctx context.Context, base string) sample {
	tb := openTab(t, bctx)
	tb.navigate(base + "embed.html?seed=1")
	s := tb.waitState(`status "ready"`, loadTimeout, false, func(s *State) bool { return s.Status == "ready" })
	var readyAt float64
	if err := tb.eval(`JSON.stringify(window.__vaeplayRec.readyAt)`, &readyAt); err != nil || readyAt == 0 {
		// The widget set window.vaeplay some other way; the poll is late by
		// at most one interval.
		tb.eval(`JSON.stringify(performance.now())`, &readyAt)
	}
	t.Logf("embed.html?seed=1: ready %.0f ms after navigation started; load average %s", readyAt, loadAverage())
	checkReady(t, s)
	if s.Seed != 1 || s.Samples != 1 {
		t.Errorf("at ready: seed %v samples %d, want seed 1 samples 1", s.Seed, s.Samples)
	}
	if s.Model != "cvae" {
		t.Errorf("default model %q, want cvae", s.Model)
	}
	if len(s.Errors) > 0 {
		t.Errorf("errors without bad input: %q", s.Errors)
	}
	digit := s.Layout.Digit
	before := tb.waitPixels("digit area at ready", digit, notBlank)
	first := sample{model: s.Model, digit: s.Digit, seed: s.Seed, z: s.Z, img: before}
	if s.Layout.Row.inside(viewW, viewH) {
		tb.waitPixels("row of digits 0-9", s.Layout.Row, notBlank)
	} else {
		t.Errorf("layout.row %+v is not a rectangle inside the viewport (model cvae)", s.Layout.Row)
	}

	// A click on the digit draws the next sample: seed+1.
	clicked := time.Now()
	tb.click(digit.center())
	s = tb.waitState("a new sample after clicking the digit", actionTimeout, false, func(s *State) bool { return s.Samples > 1 })
	if s.Samples != 2 || s.Seed != 2 {
		t.Errorf("after one click: samples %d seed %v, want 2 and 2", s.Samples, s.Seed)
	}
	tb.waitPixels("digit pixels after a new sample", digit, changedFrom(before), before)
	t.Logf("click to new digit on screen: %.0f ms; load average %s", float64(time.Since(clicked).Microseconds())/1000, loadAverage())

	// Keys and chooser buttons.
	for _, step := range []struct {
		desc      string
		do        func(*State)
		model     string
		wantDigit int
	}{
		{"key 7", func(*State) { tb.press('7') }, "cvae", 7},
		{"chooser 3", func(s *State) { tb.click(button(t, s, "3").center()) }, "cvae", 3},
		{"chooser any", func(s *State) { tb.click(button(t, s, "any").center()) }, "vae", -1},
		{"key 5", func(*State) { tb.press('5') }, "cvae", 5},
		{"key a", func(*State) { tb.press('a') }, "vae", -1},
		{"chooser 0", func(s *State) { tb.click(button(t, s, "0").center()) }, "cvae", 0},
	} {
		step.do(s)
		s = tb.waitState(step.desc, actionTimeout, false, func(s *State) bool {
			return s.Model == step.model && s.Digit == step.wantDigit
		})
		tb.waitPixels("digit area after "+step.desc, s.Layout.Digit, notBlank)
	}

	// Space and Enter sample; time the decodes. Under heavy load each
	// sample can take seconds, so stop early rather than hit go test's
	// deadline, and say so.
	var decodes []float64
	deadline, hasDeadline := t.Deadline()
	for i := range decodeSamples {
		if hasDeadline && time.Until(deadline) < 4*time.Minute && i > 1 {
			t.Logf("stopped sampling after %d samples: the test deadline is near", i)
			break
		}
		key := ' '
		if i == 0 {
			key = '\r'
		}
		n := s.Samples
		tb.press(key)
		s = tb.waitState(fmt.Sprintf("sample %d (key %q)", i+1, key), actionTimeout, false, func(s *State) bool { return s.Samples > n })
		if s.Samples != n+1 {
			t.Errorf("one key press drew %d samples", s.Samples-n)
		}
		decodes = append(decodes, s.DecodeMs)
	}
	t.Logf("decode of the main digit: median %.2f ms over %d samples (min %.2f, max %.2f); load average %s",
		median(decodes), len(decodes), slices.Min(decodes), slices.Max(decodes), loadAverage())
	if len(s.Errors) > 0 {
		t.Errorf("errors after normal use: %q", s.Errors)
	}
	return first
}

// testReproducible checks that (model, digit, seed) fixes z and the pixels,
// which is what lets a tutorial point at one particular sample: a fresh page
// given the first sample's parameters must draw it again.
func testReproducible(t *testing.T, bctx context.Context, base string, first sample) {
	tb := openTab(t, bctx)
	q := fmt.Sprintf("embed.html?model=%s&digit=%d&seed=%.0f", first.model, first.digit, first.seed)
	tb.navigate(base + q)
	s := tb.waitState(`status "ready"`, loadTimeout, false, func(s *State) bool { return s.Status == "ready" })
	if s.Model != first.model || s.Digit != first.digit || s.Seed != first.seed {
		t.Fatalf("%s: model %q digit %d seed %v", q, s.Model, s.Digit, s.Seed)
	}
	if !slices.Equal(s.Z, first.z) {
		t.Errorf("%s: z differs from the first page's:\n%v\n%v", q, first.z, s.Z)
	}
	tb.waitPixels(q+": the same digit again", s.Layout.Digit, func(img image.Image) (bool, string) {
		f := changed(first.img, img)
		return f <= sameFraction, fmt.Sprintf("%.2f%% of the pixels differ from the first page's, want <= %.1f%%", 100*f, 100*sameFraction)
	}, first.img)
}

// logSizes reports what a reader downloads: main.wasm and the weights, raw
// and as the handler sends them gzipped.
func logSizes(t *testing.T, base, dir string) {
	t.Helper()
	names := []string{"main.wasm"}
	weights, _ := filepath.Glob(filepath.Join(dir, "weights", "*.safetensors"))
	for _, w := range weights {
		rel, _ := filepath.Rel(dir, w)
		names = append(names, filepath.ToSlash(rel))
	}
	// The transport must not decompress, so that the body is what travels.
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	defer client.CloseIdleConnections()
	for _, name := range names {
		fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest("GET", base+(&url.URL{Path: name}).EscapedPath(), nil)
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %s", name, resp.Status)
		}
		enc := resp.Header.Get("Content-Encoding")
		if enc == "" {
			enc = "identity"
		}
		t.Logf("%s: %.2f MB raw, %.2f MB sent (%s)", name, float64(fi.Size())/1e6, float64(n)/1e6, enc)
	}
	if len(weights) == 0 {
		t.Errorf("%s has no weights/*.safetensors", dir)
	}
}
