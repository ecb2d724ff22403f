package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"vaeplay/tools/internal/atomicfile"
	"vaeplay/tools/internal/chrome"
)

// The viewport every tab gets, in CSS pixels at device scale 1, so that the
// widget's layout rectangles are screenshot pixels too.
const viewW, viewH = 1024, 768

// Timeouts. Loading means fetching and compiling main.wasm and the weights,
// then starting Ebiten on SwiftShader, on a 2-core machine. Every redraw is
// software rendering too: on a machine busy with training, one input event
// has been seen to wait 13 s for the page to take it, so the timeouts are
// generous; the test is about behaviour, and the figures it logs are about
// speed.
const (
	loadTimeout   = 120 * time.Second
	actionTimeout = 60 * time.Second
)

// recorderJS runs before any script of every document (the page and its
// frames). It timestamps the first "ready" by hooking the assignment of
// window.vaeplay, which the contract says is replaced on every change, and
// keeps every vaeplay message that reaches the window.
const recorderJS = `(() => {
	if (window.__vaeplayRec) return;
	const rec = window.__vaeplayRec = {readyAt: 0, statuses: [], messages: []};
	let cur;
	Object.defineProperty(window, "vaeplay", {
		configurable: true, enumerable: true,
		get() { return cur; },
		set(v) {
			cur = v;
			if (!v || typeof v !== "object") return;
			if (rec.statuses[rec.statuses.length - 1] !== v.status) rec.statuses.push(v.status);
			if (v.status === "ready" && !rec.readyAt) rec.readyAt = performance.now();
		},
	});
	window.addEventListener("message", (e) => {
		const d = e.data;
		if (d && typeof d === "object" && d.source === "vaeplay") {
			// Which iframe sent it, by id, for pages with several widgets.
			const f = [...document.querySelectorAll("iframe")].find((f) => f.contentWindow === e.source);
			const frame = f ? f.id : "";
			try { rec.messages.push(Object.assign(JSON.parse(JSON.stringify(d)), {frame})); } catch (err) { rec.messages.push({source: "vaeplay", type: "unserializable", message: String(err), frame}); }
		}
	});
})();`

// startBrowser starts Chromium (tools/internal/chrome) and returns a context for
// opening tabs on it; the browser stops when the test ends.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	bctx, stop, err := chrome.Start()
	if errors.Is(err, chrome.ErrNotFound) {
		need(t, "%v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return bctx
}

// tab is one browser tab with its console output collected.
type tab struct {
	t   *testing.T
	ctx context.Context

	mu      sync.Mutex
	console []string
}

func openTab(t *testing.T, bctx context.Context) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(bctx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	tb := &tab{t: t, ctx: ctx}
	if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
		Width: viewW, Height: viewH, DeviceScaleFactor: 1,
	}); err != nil {
		t.Fatalf("setting the viewport: %v", err)
	}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: recorderJS}); err != nil {
		t.Fatalf("installing the recorder: %v", err)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			line := m.String()
			if m.URL != "" {
				line += fmt.Sprintf(" (%s:%d)", m.URL, m.Line+1)
			}
			tb.mu.Lock()
			tb.console = append(tb.console, line)
			tb.mu.Unlock()
		}
	}()
	return tb
}

func (tb *tab) navigate(u string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, actionTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(u)); err != nil {
		tb.t.Fatalf("navigating to %s: %v\n%s", u, err, tb.diagnostics())
	}
}

// eval evaluates a JavaScript expression that yields JSON text and decodes
// it into v.
func (tb *tab) eval(expr string, v any) error {
	ctx, cancel := context.WithTimeout(tb.ctx, actionTimeout)
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		return err
	}
	return json.Unmarshal([]byte(raw), v)
}

// state reads window.vaeplay; nil when the page has not set it yet.
func (tb *tab) state() (*State, error) {
	var s *State
	err := tb.eval(`JSON.stringify(window.vaeplay ?? null)`, &s)
	return s, err
}

// waitState polls window.vaeplay until cond holds. A status of "error" fails
// at once (with everything the page said) unless tolerateError is set.
func (tb *tab) waitState(desc string, timeout time.Duration, tolerateError bool, cond func(*State) bool) *State {
	tb.t.Helper()
	deadline := time.Now().Add(timeout)
	var last *State
	var lastErr error
	for time.Now().Before(deadline) {
		s, err := tb.state()
		switch {
		case err != nil:
			lastErr = err // the page may be between documents; retry
		case s != nil:
			last, lastErr = s, nil
			if cond(s) {
				return s
			}
			if s.Status == "error" && !tolerateError {
				tb.t.Fatalf("waiting for %s: the widget reports status \"error\"\n%s", desc, tb.diagnostics())
			}
		}
		time.Sleep(40 * time.Millisecond)
	}
	if lastErr != nil {
		tb.t.Fatalf("waiting for %s: timed out after %v (last evaluation error: %v)\n%s", desc, timeout, lastErr, tb.diagnostics())
	}
	if last == nil {
		tb.t.Fatalf("waiting for %s: timed out after %v; window.vaeplay was never set\n%s", desc, timeout, tb.diagnostics())
	}
	tb.t.Fatalf("waiting for %s: timed out after %v\n%s", desc, timeout, tb.diagnostics())
	return nil
}

// diagnostics gathers what the page showed and logged, for failure messages.
func (tb *tab) diagnostics() string {
	var b strings.Builder
	if s, err := tb.state(); err != nil {
		fmt.Fprintf(&b, "window.vaeplay: cannot read: %v\n", err)
	} else if s == nil {
		b.WriteString("window.vaeplay: not set\n")
	} else {
		fmt.Fprintf(&b, "window.vaeplay: status=%q model=%q digit=%d seed=%v samples=%d decodeMs=%.2f len(z)=%d\n",
			s.Status, s.Model, s.Digit, s.Seed, s.Samples, s.DecodeMs, len(s.Z))
		for _, e := range s.Errors {
			fmt.Fprintf(&b, "  error: %s\n", e)
		}
	}
	var statuses []string
	if err := tb.eval(`JSON.stringify(window.__vaeplayRec ? window.__vaeplayRec.statuses : [])`, &statuses); err == nil {
		fmt.Fprintf(&b, "statuses seen: %q\n", statuses)
	}
	var text string
	if err := tb.eval(`JSON.stringify(document.body ? document.body.innerText : "")`, &text); err == nil {
		text = strings.TrimSpace(text)
		if len(text) > 1500 {
			text = text[:1500] + "..."
		}
		fmt.Fprintf(&b, "page text:\n%s\n", indent(text))
	}
	tb.mu.Lock()
	lines := slices.Clone(tb.console)
	tb.mu.Unlock()
	if len(lines) > 60 {
		lines = append([]string{fmt.Sprintf("... %d earlier lines", len(lines)-60)}, lines[len(lines)-60:]...)
	}
	fmt.Fprintf(&b, "console:\n%s", indent(strings.Join(lines, "\n")))
	return b.String()
}

func indent(s string) string {
	if s == "" {
		return "  (none)"
	}
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}

// click presses and releases the left button at (x, y), holding it for a
// moment as a person does: a game that polls input once per frame cannot
// see a press and release that arrive between two frames.
func (tb *tab) click(x, y float64) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, actionTimeout)
	defer cancel()
	err := chromedp.Do(ctx,
		chromedp.MouseEvent(chromedp.MouseMoved, x, y),
		chromedp.MouseEvent(chromedp.MousePressed, x, y, chromedp.ButtonLeft, chromedp.ClickCount(1)),
		chromedp.Sleep(80*time.Millisecond),
		chromedp.MouseEvent(chromedp.MouseReleased, x, y, chromedp.ButtonLeft, chromedp.ClickCount(1)),
	)
	if err != nil {
		tb.t.Fatalf("clicking at (%.0f, %.0f): %v", x, y, err)
	}
}

// press types one key, held down for a moment like click.
func (tb *tab) press(r rune) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, actionTimeout)
	defer cancel()
	for _, ev := range kb.Encode(r) {
		if ev.Type == input.DispatchKeyEventTypeKeyUp {
			time.Sleep(80 * time.Millisecond)
		}
		if _, err := chromedp.Call(ctx, input.DispatchKeyEvent, *ev); err != nil {
			tb.t.Fatalf("pressing %q: %v", r, err)
		}
	}
}

// shot takes a screenshot of r (the whole viewport when r is zero).
func (tb *tab) shot(r Rect) image.Image {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, actionTimeout)
	defer cancel()
	params := page.CaptureScreenshotParams{Format: page.CaptureScreenshotFormatPng}
	if r != (Rect{}) {
		params.Clip = &page.Viewport{X: r.X, Y: r.Y, Width: r.W, Height: r.H, Scale: 1}
	}
	res, err := chromedp.Call(ctx, page.CaptureScreenshot, params)
	if err != nil {
		tb.t.Fatalf("screenshot: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(res.Data))
	if err != nil {
		tb.t.Fatalf("screenshot: %v", err)
	}
	return img
}

// waitPixels takes screenshots of r until ok accepts one, because a state
// change reaches the screen a frame or two after window.vaeplay shows it. On
// failure the last screenshot and the reference images are kept on disk for
// a look.
func (tb *tab) waitPixels(desc string, r Rect, ok func(image.Image) (bool, string), refs ...image.Image) image.Image {
	tb.t.Helper()
	deadline := time.Now().Add(actionTimeout)
	for {
		img := tb.shot(r)
		good, detail := ok(img)
		if good {
			return img
		}
		if time.Now().After(deadline) {
			tb.t.Fatalf("%s: %s%s\n%s", desc, detail, keep(append(refs, img)), tb.diagnostics())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// keep writes images to a new folder that outlives the test, and says where.
func keep(imgs []image.Image) string {
	dir, err := os.MkdirTemp("", "vaeplay-e2e-")
	if err != nil {
		return ""
	}
	var names []string
	for i, img := range imgs {
		name := filepath.Join(dir, fmt.Sprintf("%d.png", i))
		f, err := os.Create(name)
		if err != nil {
			continue
		}
		err = png.Encode(f, img)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			names = append(names, name)
		}
	}
	return "\nscreenshots (reference first, last seen last): " + strings.Join(names, " ")
}

// saveScreenshot writes a PNG of the viewport, scrolled to the top, to out.
func (tb *tab) saveScreenshot(out string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, actionTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`), chromedp.Sleep(300*time.Millisecond)); err != nil {
		tb.t.Fatal(err)
	}
	res, err := chromedp.Call(ctx, page.CaptureScreenshot, page.CaptureScreenshotParams{Format: page.CaptureScreenshotFormatPng})
	if err != nil {
		tb.t.Fatalf("screenshot: %v", err)
	}
	err = atomicfile.Write(out, func(w io.Writer) error { _, err := w.Write(res.Data); return err })
	if err != nil {
		tb.t.Fatalf("saving the screenshot: %v", err)
	}
	tb.t.Logf("screenshot: %s (%d bytes)", out, len(res.Data))
}

func types(ms []Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Type)
	}
	return out
}

// messages returns the vaeplay messages the top page received so far.
func (tb *tab) messages() []Message {
	var ms []Message
	if err := tb.eval(`JSON.stringify(window.__vaeplayRec ? window.__vaeplayRec.messages : [])`, &ms); err != nil {
		return nil
	}
	return ms
}

func (tb *tab) waitMessages(desc string, ok func([]Message) bool) []Message {
	tb.t.Helper()
	deadline := time.Now().Add(loadTimeout)
	for {
		ms := tb.messages()
		if ok(ms) {
			return ms
		}
		if time.Now().After(deadline) {
			var last []string
			for _, m := range ms[max(0, len(ms)-10):] {
				line := m.Type
				if m.State != nil {
					line += fmt.Sprintf(" status=%s model=%s digit=%d seed=%v samples=%d", m.State.Status, m.State.Model, m.State.Digit, m.State.Seed, m.State.Samples)
				}
				if m.Message != "" {
					line += " message=" + m.Message
				}
				last = append(last, line)
			}
			tb.t.Fatalf("waiting for %s: timed out; %d messages, the last:\n%s\n%s", desc, len(ms), indent(strings.Join(last, "\n")), tb.diagnostics())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
