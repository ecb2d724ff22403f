package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"vaeplay/tools/internal/chrome"
	"vaeplay/tools/internal/static"
)

// pageTimeout bounds one page's whole run: loading, warm-up and timing.
const pageTimeout = 3 * time.Minute

// serve serves dir on a loopback port with the site's own handler (exact
// types, gzip), so that sizes and times are what a visitor gets. stop shuts
// it down.
func serve(dir string) (url string, stop func(), err error) {
	h, err := static.New(dir)
	if err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("listening on loopback: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String() + "/", func() { srv.Close() }, nil
}

// browser is one headless Chromium, started as the browser test starts it
// (tools/internal/chrome).
type browser struct {
	ctx  context.Context
	stop func()
}

func startBrowser() (*browser, error) {
	ctx, stop, err := chrome.Start()
	if err != nil {
		return nil, err
	}
	return &browser{ctx: ctx, stop: stop}, nil
}

// tab opens a tab in a new browser context, which has its own empty cache,
// and installs script to run before each document's own scripts.
func (b *browser) tab(script string) (context.Context, context.CancelFunc, error) {
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		return nil, nil, fmt.Errorf("opening a tab: %w", err)
	}
	if script != "" {
		if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: script}); err != nil {
			cancel()
			return nil, nil, fmt.Errorf("installing a script: %w", err)
		}
	}
	return ctx, cancel, nil
}

// waitJSON evaluates expr, a JavaScript expression that yields JSON text or
// null, every 50 ms until it yields JSON, and decodes that into v.
func waitJSON(ctx context.Context, expr string, v any) error {
	for {
		raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const v = (`+expr+`); return v == null ? "" : JSON.stringify(v); })()`))
		if err != nil {
			return err
		}
		if raw != "" {
			return json.Unmarshal([]byte(raw), v)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// pageResult is what page/bench.js leaves in window.benchResult.
type pageResult struct {
	Name    string         `json:"name"`
	SetupMs float64        `json:"setupMs"`
	Single  []float64      `json:"single"` // ms per one-digit decode, one per sample
	Batch   []float64      `json:"batch"`  // ms per 100-digit decode
	Pixels  []float64      `json:"pixels"` // a fixed latent code decoded
	Info    map[string]any `json:"info"`
}

// decodePage loads one of the decode benchmark pages and returns its result.
func (b *browser) decodePage(url string) (*pageResult, error) {
	ctx, cancel, err := b.tab("")
	if err != nil {
		return nil, err
	}
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, pageTimeout)
	defer cancelT()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		return nil, fmt.Errorf("%s: %w", url, err)
	}
	var out struct {
		Result *pageResult `json:"result"`
		Error  string      `json:"error"`
	}
	if err := waitJSON(ctx, `(window.benchResult || window.benchError) ? {result: window.benchResult, error: window.benchError} : null`, &out); err != nil {
		return nil, fmt.Errorf("%s: waiting for the result: %w", url, err)
	}
	if out.Error != "" {
		return nil, fmt.Errorf("%s: %s", url, out.Error)
	}
	return out.Result, nil
}

// readyHook records when window.vaeplay first reports status "ready", which
// the widget contract sets once the first digit is drawn, by hooking the
// assignment: the widget replaces the object on every change.
const readyHook = `(() => {
	if (window.__bench) return;
	const rec = window.__bench = {readyAt: 0, error: ""};
	let v;
	Object.defineProperty(window, "vaeplay", {
		configurable: true,
		get() { return v; },
		set(x) {
			v = x;
			if (x && x.status === "ready" && !rec.readyAt) rec.readyAt = performance.now();
			if (x && x.status === "error" && !rec.error) rec.error = JSON.stringify(x.errors);
		},
	});
})();`

// resource is one fetched file as the Resource Timing API saw it.
type resource struct {
	Name     string  `json:"name"`
	Transfer float64 `json:"transfer"` // bytes on the wire, headers included
	Encoded  float64 `json:"encoded"`  // body as served (gzipped)
	Decoded  float64 `json:"decoded"`  // body after decompression
	Start    float64 `json:"start"`    // ms after navigation start
	End      float64 `json:"end"`      // ms after navigation start
}

// mark is a performance.mark the page set (web/loader.js marks
// "vaeplay:compiled" when main.wasm is compiled and instantiated).
type mark struct {
	Name string  `json:"name"`
	At   float64 `json:"at"` // ms after navigation start
}

// firstDigit is the widget's load from an empty cache.
type firstDigit struct {
	ReadyMs   float64    `json:"readyAt"`
	Error     string     `json:"error"`
	Resources []resource `json:"resources"`
	Marks     []mark     `json:"marks"`
}

// firstDigit navigates a fresh browser context to the widget and returns
// the time to its first digit and what it fetched.
// With prof, the page's main thread is profiled from navigation to the
// first digit.
func (b *browser) firstDigit(url string, prof *profiling) (*firstDigit, error) {
	ctx, cancel, err := b.tab(readyHook)
	if err != nil {
		return nil, err
	}
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, pageTimeout)
	defer cancelT()
	if prof != nil {
		if err := prof.start(ctx); err != nil {
			return nil, err
		}
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		return nil, fmt.Errorf("%s: %w", url, err)
	}
	var fd firstDigit
	err = waitJSON(ctx, `(window.__bench && (window.__bench.readyAt || window.__bench.error)) ? {
		readyAt: window.__bench.readyAt, error: window.__bench.error,
		resources: [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")].map(e => ({
			name: e.name, transfer: e.transferSize, encoded: e.encodedBodySize, decoded: e.decodedBodySize, start: e.startTime, end: e.responseEnd})),
		marks: performance.getEntriesByType("mark").map(m => ({name: m.name, at: m.startTime})),
	} : null`, &fd)
	if err != nil {
		return nil, fmt.Errorf("%s: waiting for the first digit: %w", url, err)
	}
	if fd.Error != "" {
		return nil, fmt.Errorf("%s: the widget reports errors %s", url, fd.Error)
	}
	if fd.ReadyMs <= 0 {
		return nil, errors.New(url + ": no ready time recorded")
	}
	if prof != nil {
		if err := prof.stop(ctx); err != nil {
			return nil, err
		}
	}
	return &fd, nil
}

// dragResult is the frame rate Ebiten reported (window.vaeplay.fps, its
// ActualFPS) while a latent slider was dragged back and forth.
type dragResult struct {
	Readings []float64 `json:"readings"` // fps, sampled about every 250 ms after the first second
	Moves    int       `json:"moves"`    // mouse moves sent
	Seconds  float64   `json:"seconds"`  // length of the drag
	// Floor is the smallest Ebiten program's ActualFPS in the same browser
	// over as long (floorFPS): the most this browser gives any Ebiten canvas.
	Floor []float64 `json:"floor"`
}

// Held returns the median reading: the frame rate the drag held, measured
// as the floor (the smallest Ebiten program) is, so the two compare. The
// lowest reading is no fairer a figure: it usually comes from the first
// second of the drag, while the panel's first frames warm up.
func (d *dragResult) Held() float64 {
	if len(d.Readings) == 0 {
		return math.NaN()
	}
	return median(d.Readings)
}

// Lowest returns the lowest reading.
func (d *dragResult) Lowest() float64 {
	if len(d.Readings) == 0 {
		return math.NaN()
	}
	return slices.Min(d.Readings)
}

// dragFPS opens the widget's sliders panel, presses the mouse on the first
// latent slider and moves it to and fro for the given time, a move about
// every frame, as a person's drag sends them; each move decodes and draws a
// digit. Ebiten updates ActualFPS about once a second, and the widget
// reports it with every state change, so readings start after a second.
// With prof, the page's main thread is profiled during the drag.
func (b *browser) dragFPS(url string, length time.Duration, prof *profiling) (*dragResult, error) {
	ctx, cancel, err := b.tab("")
	if err != nil {
		return nil, err
	}
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, pageTimeout)
	defer cancelT()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		return nil, fmt.Errorf("%s: %w", url, err)
	}
	var sliders []struct {
		Label      string  `json:"label"`
		X, Y, W, H float64 // CSS pixels of the page: the widget fills it
	}
	err = waitJSON(ctx, `(window.vaeplay && window.vaeplay.status === "error") ? {error: window.vaeplay.errors} :
		(window.vaeplay && window.vaeplay.status === "ready" && window.vaeplay.layout.sliders.length > 1) ? window.vaeplay.layout.sliders : null`, &sliders)
	if err != nil {
		return nil, fmt.Errorf("%s: waiting for the sliders (the widget may report an error): %w", url, err)
	}
	s := sliders[1] // [0] is the temperature
	x0, y := s.X+s.W/2, s.Y+s.H/2
	at := func(t time.Duration) float64 { // a to-and-fro over 80% of the track, 1.5 s a cycle
		return x0 + 0.4*s.W*math.Sin(2*math.Pi*t.Seconds()/1.5)
	}
	if err := chromedp.Do(ctx,
		chromedp.MouseEvent(chromedp.MouseMoved, x0, y),
		chromedp.MouseEvent(chromedp.MousePressed, x0, y, chromedp.ButtonLeft, chromedp.ClickCount(1))); err != nil {
		return nil, fmt.Errorf("%s: pressing on slider %s: %w", url, s.Label, err)
	}
	if prof != nil {
		if err := prof.start(ctx); err != nil {
			return nil, err
		}
	}
	var d dragResult
	start := time.Now()
	lastRead := start
	for el := time.Since(start); el < length; el = time.Since(start) {
		if err := chromedp.Do(ctx, chromedp.MouseEvent(chromedp.MouseMoved, at(el), y, chromedp.ButtonLeft)); err != nil {
			return nil, fmt.Errorf("%s: dragging slider %s: %w", url, s.Label, err)
		}
		d.Moves++
		if el > time.Second && time.Since(lastRead) >= 250*time.Millisecond {
			lastRead = time.Now()
			fps, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`window.vaeplay.fps`))
			if err != nil {
				return nil, fmt.Errorf("%s: reading window.vaeplay.fps: %w", url, err)
			}
			d.Readings = append(d.Readings, fps)
		}
		// About one move per frame at 60 Hz, counting the round trip.
		time.Sleep(10 * time.Millisecond)
	}
	d.Seconds = time.Since(start).Seconds()
	if prof != nil {
		if err := prof.stop(ctx); err != nil {
			return nil, err
		}
	}
	if err := chromedp.Do(ctx, chromedp.MouseEvent(chromedp.MouseReleased, at(time.Since(start)), y, chromedp.ButtonLeft, chromedp.ClickCount(1))); err != nil {
		return nil, fmt.Errorf("%s: releasing slider %s: %w", url, s.Label, err)
	}
	if len(d.Readings) == 0 {
		return nil, fmt.Errorf("%s: no fps reading in a %v drag", url, length)
	}
	return &d, nil
}

// floorFPS loads page/floor.html, the smallest Ebiten program, and samples
// its ActualFPS every 250 ms after the first second, for as long as a drag
// lasts: the frame rate this browser sustains for an Ebiten canvas of the
// widget's size that draws next to nothing.
func (b *browser) floorFPS(url string, length time.Duration) ([]float64, error) {
	ctx, cancel, err := b.tab("")
	if err != nil {
		return nil, err
	}
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, pageTimeout)
	defer cancelT()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		return nil, fmt.Errorf("%s: %w", url, err)
	}
	var first float64
	if err := waitJSON(ctx, `window.benchError ? (() => { throw new Error(window.benchError); })() : (window.ebitenFPS > 0 ? window.ebitenFPS : null)`, &first); err != nil {
		return nil, fmt.Errorf("%s: waiting for a frame rate: %w", url, err)
	}
	time.Sleep(time.Second)
	var readings []float64
	for start := time.Now(); time.Since(start) < length-time.Second; time.Sleep(250 * time.Millisecond) {
		fps, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`window.ebitenFPS`))
		if err != nil {
			return nil, fmt.Errorf("%s: reading window.ebitenFPS: %w", url, err)
		}
		readings = append(readings, fps)
	}
	return readings, nil
}
