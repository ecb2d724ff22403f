package main

import (
	"errors"
	"fmt"

	"github.com/chromedp/chromedp"
)

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
