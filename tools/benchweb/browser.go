package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
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
// and installs script to run before each document's own scripts. The tab's
// context ends after pageTimeout, or when cancel is called.
func (b *browser) tab(script string) (ctx context.Context, cancel context.CancelFunc, err error) {
	tctx, cancelTab := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	if err := chromedp.Do(tctx); err != nil {
		cancelTab()
		return nil, nil, fmt.Errorf("opening a tab: %w", err)
	}
	if script != "" {
		if _, err := chromedp.Call(tctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: script}); err != nil {
			cancelTab()
			return nil, nil, fmt.Errorf("installing a script: %w", err)
		}
	}
	ctx, cancelTimeout := context.WithTimeout(tctx, pageTimeout)
	return ctx, func() { cancelTimeout(); cancelTab() }, nil
}

// open opens url in a new tab (see tab).
func (b *browser) open(url string) (ctx context.Context, cancel context.CancelFunc, err error) {
	ctx, cancel, err = b.tab("")
	if err != nil {
		return nil, nil, err
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		cancel()
		return nil, nil, fmt.Errorf("%s: %w", url, err)
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
	ctx, cancel, err := b.open(url)
	if err != nil {
		return nil, err
	}
	defer cancel()
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
