// Package e2e is the browser end-to-end test of the vaeplay site: it serves
// the folder that `make site` builds with the project's own static handler,
// drives Debian's headless Chromium through chromedp, and checks the widget
// contract from the outside, the way a tutorial page would use it: the
// window.vaeplay state, the layout rectangles, clicks, keys, the chooser,
// bad URL parameters, and the postMessage protocol of index.html.
// TestBadWeights feeds the widget broken weights files through weights=
// (truncated, wrong shapes, NaN, a wrong dtype, a 2^60 header length, an
// HTML 404 page, another origin without CORS) and TestBadMessages malformed
// postMessage commands: each must be named in an error while the widget keeps
// drawing. TestExplore drives every panel with real input: a slider dragged
// with the mouse, the latent map's point dragged with mouse, finger and arrow
// keys, strokes drawn with touch events (a "1" must score as more typical
// than a filled square, by nats and by percentile), the morph between two
// drawings, the grid and interpolation by clicks, permalinks reopened pixel
// for pixel, and the host pages' messages.
//
// Run it with
//
//	make site chromium
//	go test ./tools/e2e -v
//
// Environment:
//
//	VAEPLAY_SITE        site folder (default build/site); relative paths are
//	                    taken from the module root
//	VAEPLAY_CHROMIUM    browser binary (default /usr/bin/chromium, then
//	                    chromium on PATH)
//	VAEPLAY_SCREENSHOT  if set, a PNG of index.html is written there (make
//	                    screenshot uses it for the README)
//	CI                  when "true", a missing site or browser fails the test
//	                    instead of skipping it
//
// The measured figures (time to ready, decode time, download sizes) are
// reported with t.Logf; run with -v to see them.
package e2e
