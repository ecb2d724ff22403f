package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

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
