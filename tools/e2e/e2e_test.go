package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
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
	"vaeplay/tools/internal/static"
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

// decodeSamples is how many samples the decode time is measured over.
const decodeSamples = 20

// Thresholds on grey levels (0..255). A blank area (nothing drawn, or one
// flat colour) has a standard deviation near 0; a digit, even the grey noise
// of untrained weights, has far more than blankStdDev. Software rendering is
// deterministic, so an unchanged area is identical pixel for pixel: a new
// sample must change more than changedFraction of the pixels by more than
// pixelDiff, and the same (model, digit, seed) may change at most
// sameFraction of them.
const (
	blankStdDev     = 4
	pixelDiff       = 4
	changedFraction = 0.05
	sameFraction    = 0.01
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

// need stops the test when something it depends on is missing: a skip on a
// developer's machine, a failure under CI, where a skipped browser test would
// hide that the widget was never tested, and when a screenshot was asked for.
func need(t *testing.T, format string, args ...any) {
	t.Helper()
	switch {
	case os.Getenv("CI") == "true":
		t.Fatalf("CI=true: "+format, args...)
	case os.Getenv("VAEPLAY_SCREENSHOT") != "":
		t.Fatalf("VAEPLAY_SCREENSHOT is set: "+format, args...)
	}
	t.Skipf(format, args...)
}

// moduleRoot is the folder holding go.mod, found upward from the test's
// working directory (the package folder).
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's folder")
		}
		dir = parent
	}
}

// fromRoot resolves a path given in the environment: relative paths are
// taken from the module root, so that VAEPLAY_SITE=build/site means the same
// from the Makefile and from `go test ./tools/e2e`.
func fromRoot(t *testing.T, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(moduleRoot(t), p)
}

// siteDir returns the built site folder, or skips/fails when it is missing.
func siteDir(t *testing.T) string {
	t.Helper()
	name := os.Getenv("VAEPLAY_SITE")
	if name == "" {
		name = "build/site"
	}
	dir := fromRoot(t, name)
	for _, f := range []string{"index.html", "embed.html", "main.wasm"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			need(t, "%s has no %s: run make site (or set VAEPLAY_SITE)", name, f)
		}
	}
	return dir
}

// serve serves dir with the project's static handler on a random loopback
// port and returns the base URL, ending in a slash.
func serve(t *testing.T, dir string) string {
	t.Helper()
	h, err := static.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL + "/"
}

// startBrowser starts Chromium with a fresh profile and returns a context for
// opening tabs on it; the browser stops when the test ends.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	execPath, err := ChromiumPath()
	if err != nil {
		need(t, "%v", err)
	}
	profile := t.TempDir()
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), AllocatorOptions(execPath, profile)...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	// Registered after TempDir, so it runs before the profile is removed.
	t.Cleanup(func() {
		chromedp.Cancel(bctx)
		cancelBrowser()
		cancelAlloc()
	})
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("starting %s: %v", execPath, err)
	}
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

// grey returns the luminance of every pixel in row order.
func grey(img image.Image) []float64 {
	b := img.Bounds()
	out := make([]float64, 0, b.Dx()*b.Dy())
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			out = append(out, (0.299*float64(r)+0.587*float64(g)+0.114*float64(bl))/257)
		}
	}
	return out
}

func stdDev(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	var sum, sq float64
	for _, x := range v {
		sum += x
	}
	mean := sum / float64(len(v))
	for _, x := range v {
		sq += (x - mean) * (x - mean)
	}
	return math.Sqrt(sq / float64(len(v)))
}

// changed is the fraction of pixels whose grey level differs by more than
// pixelDiff; images of different sizes count as entirely changed.
func changed(a, b image.Image) float64 {
	if a.Bounds().Size() != b.Bounds().Size() {
		return 1
	}
	ga, gb := grey(a), grey(b)
	n := 0
	for i := range ga {
		if math.Abs(ga[i]-gb[i]) > pixelDiff {
			n++
		}
	}
	return float64(n) / float64(len(ga))
}

func notBlank(img image.Image) (bool, string) {
	sd := stdDev(grey(img))
	return sd > blankStdDev, fmt.Sprintf("blank: grey std dev %.2f, want > %d (size %v)", sd, blankStdDev, img.Bounds().Size())
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s) == 0 {
		return math.NaN()
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
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

// TestBrowserWebGL2 checks the browser setup on a page of its own: that
// headless Chromium with AllocatorOptions gives a WebGL2 context, draws with
// it, and that screenshots show what WebGL drew. When this fails, the widget
// test cannot pass, and this says why.
func TestBrowserWebGL2(t *testing.T) {
	dir := t.TempDir()
	const html = `<!doctype html><html><body style="margin:0;background:#fff">
<canvas id="c" width="64" height="64" style="position:absolute;left:0;top:0"></canvas>
<script>
const gl = document.getElementById("c").getContext("webgl2", {preserveDrawingBuffer: true});
let result = null;
if (gl) {
	const info = gl.getExtension("WEBGL_debug_renderer_info");
	gl.clearColor(1, 0, 0, 1);
	gl.clear(gl.COLOR_BUFFER_BIT);
	const px = new Uint8Array(4);
	gl.readPixels(32, 32, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
	result = {
		version: gl.getParameter(gl.VERSION),
		renderer: info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER),
		pixel: Array.from(px),
	};
}
window.result = result;
</script></body></html>`
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte(html), 0o644); err != nil {
		t.Fatal(err)
	}
	base := serve(t, dir)
	tb := openTab(t, startBrowser(t))
	tb.navigate(base)

	var res *struct {
		Version, Renderer string
		Pixel             []int
	}
	if err := tb.eval(`JSON.stringify(window.result)`, &res); err != nil {
		t.Fatalf("reading the result: %v", err)
	}
	if res == nil {
		t.Fatalf("getContext('webgl2') returned null\n%s", tb.diagnostics())
	}
	t.Logf("WebGL2: %s; renderer %s", res.Version, res.Renderer)
	if !slices.Equal(res.Pixel, []int{255, 0, 0, 255}) {
		t.Errorf("readPixels after clearing to red: %v", res.Pixel)
	}
	img := tb.shot(Rect{X: 0, Y: 0, W: 64, H: 64})
	r, g, b, _ := img.At(32, 32).RGBA()
	if r>>8 < 240 || g>>8 > 15 || b>>8 > 15 {
		t.Errorf("screenshot of the canvas: pixel (%d,%d,%d), want red", r>>8, g>>8, b>>8)
	}
}

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

// changedFrom accepts a screenshot that differs from before in enough pixels
// to be a different sample.
func changedFrom(before image.Image) func(image.Image) (bool, string) {
	return func(img image.Image) (bool, string) {
		f := changed(before, img)
		return f >= changedFraction, fmt.Sprintf("only %.2f%% of the pixels changed, want >= %.0f%%", 100*f, 100*changedFraction)
	}
}

// testBadParameters checks that a bad URL parameter is named in an error and
// the widget still works with the default in its place. Each page load costs
// seconds, so the second case carries two bad parameters, one of them 10 KB
// long: such an error once ran the widget out of memory as it wrapped the
// text in its banner.
func testBadParameters(t *testing.T, bctx context.Context, base string) {
	for _, tc := range []struct {
		query string
		want  [][2]string // each pair: substrings of one error
	}{
		{"digit=12&seed=1", [][2]string{{"digit", "12"}}},
		{"model=" + strings.Repeat("x", 10_000) + "&seed=-3", [][2]string{{"model", "xxxx"}, {"seed", "-3"}}},
	} {
		t.Run(tc.query[:min(len(tc.query), 20)], func(t *testing.T) {
			tb := openTab(t, bctx)
			tb.navigate(base + "embed.html?" + tc.query)
			// The contract says a bad parameter never blanks the widget, so
			// it must still get to "ready".
			s := tb.waitState(`status "ready" despite the bad parameter`, loadTimeout, true, func(s *State) bool { return s.Status == "ready" })
			checkReady(t, s)
			if s.Model != "cvae" {
				t.Errorf("model %q, want the default cvae", s.Model)
			}
			for _, w := range tc.want {
				if !slices.ContainsFunc(s.Errors, func(e string) bool { return strings.Contains(e, w[0]) && strings.Contains(e, w[1]) }) {
					t.Errorf("no error naming %q and %q; errors: %q", w[0], w[1], s.Errors)
				}
			}
			if len(s.Errors) != len(tc.want) {
				t.Errorf("%d errors, want %d: %q", len(s.Errors), len(tc.want), s.Errors)
			}
			before := tb.waitPixels("digit area", s.Layout.Digit, notBlank)
			n := s.Samples
			tb.click(s.Layout.Digit.center())
			tb.waitState("a new sample after clicking", actionTimeout, true, func(s *State) bool { return s.Samples > n })
			tb.waitPixels("digit pixels after a new sample", s.Layout.Digit, changedFrom(before), before)
			tb.press('8')
			tb.waitState("digit 8 after pressing 8", actionTimeout, true, func(s *State) bool { return s.Model == "cvae" && s.Digit == 8 })
		})
	}
}

// testIndex checks the demo page: it forwards its query string to the
// iframe, receives the widget's messages and shows them, and can drive the
// widget with postMessage as any embedding page may.
func testIndex(t *testing.T, bctx context.Context, base string) {
	tb := openTab(t, bctx)
	tb.navigate(base + "index.html?seed=1&digit=4")

	msgs := tb.waitMessages(`a "ready" message from the iframe`, func(ms []Message) bool {
		return slices.ContainsFunc(ms, func(m Message) bool { return m.Type == "ready" })
	})
	i := slices.IndexFunc(msgs, func(m Message) bool { return m.Type == "ready" })
	ready := msgs[i].State
	if ready == nil || ready.Status != "ready" {
		t.Fatalf("ready message without a ready state: %+v", msgs[i])
	}
	if ready.Seed != 1 || ready.Digit != 4 || ready.Model != "cvae" {
		t.Errorf("index.html?seed=1&digit=4: the iframe reports seed %v digit %d model %q; the query string was not forwarded", ready.Seed, ready.Digit, ready.Model)
	}
	if !slices.ContainsFunc(msgs, func(m Message) bool { return m.Type == "state" && m.State != nil }) {
		t.Errorf("no state message before or with ready; got types %q", types(msgs))
	}
	var text string
	if err := tb.eval(`JSON.stringify(document.body.innerText)`, &text); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "ready") {
		t.Errorf("index.html shows no readout of the state it receives (no %q in its text)", "ready")
	}

	// The README's picture: the demo as a reader first sees it, before the
	// messages below change the widget and show an error.
	if out := os.Getenv("VAEPLAY_SCREENSHOT"); out != "" {
		tb.saveScreenshot(fromRoot(t, out))
	}

	// Drive the widget as an embedding page would.
	post := func(msg string) {
		t.Helper()
		var ok bool
		if err := tb.eval(`JSON.stringify((() => { const f = document.querySelector("iframe"); if (!f) return false; f.contentWindow.postMessage(`+msg+`, "*"); return true; })())`, &ok); err != nil || !ok {
			t.Fatalf("posting %s to the iframe: ok=%v err=%v", msg, ok, err)
		}
	}
	n := len(msgs)
	post(`{target: "vaeplay", type: "set", digit: 6, seed: 7}`)
	tb.waitMessages("a state message with digit 6 and seed 7", func(ms []Message) bool {
		return slices.ContainsFunc(ms[n:], func(m Message) bool {
			return m.Type == "state" && m.State != nil && m.State.Digit == 6 && m.State.Seed == 7 && m.State.Model == "cvae"
		})
	})
	n = len(tb.messages())
	post(`{target: "vaeplay", type: "sample"}`)
	tb.waitMessages("a state message with the next seed after sample", func(ms []Message) bool {
		return slices.ContainsFunc(ms[n:], func(m Message) bool { return m.Type == "state" && m.State != nil && m.State.Seed == 8 })
	})
	n = len(tb.messages())
	post(`{target: "vaeplay", type: "set", digit: "six"}`)
	tb.waitMessages("an error message answering a malformed set", func(ms []Message) bool {
		return slices.ContainsFunc(ms[n:], func(m Message) bool { return m.Type == "error" && m.Message != "" })
	})
}

// loadAverage returns the 1-minute load average, which the measured times
// depend on far more than on anything in the page, or "unknown".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "unknown"
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
