package main

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"vaeplay/model"
	"vaeplay/tools/internal/mnist"
)

//go:embed page
var pages embed.FS

// Goals of issue 6 for the widget.
const (
	goalSingleMs = 0.5
	goalGridMs   = 20
	goalMB       = 3.5
	goalFirstMs  = 1500
	goalFPS      = 60
	goalNats     = 0.1
	// servedLevel is tools/internal/static's gzip level for files without
	// a precompressed twin.
	servedLevel = 5
	// agreeTol is how far the two decoders' pixels may differ: TensorFlow.js
	// computes in float32, the model package in float64.
	agreeTol = 1e-4
)

// tfjsFiles are the files of the peer page, from the npm prefix.
var tfjsFiles = []string{
	"@tensorflow/tfjs/dist/tf.min.js",
	"@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.min.js",
	"@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm",
	"@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm",
	"@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm",
}

func run(o options) error {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "vaeplay-benchweb-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	benchDir := filepath.Join(tmp, "bench")
	fmt.Println("benchweb: building the decode pages and measuring sizes ...")
	if err := assemble(goCmd, o, benchDir); err != nil {
		return err
	}
	var sz *sizes
	if !o.decodeOnly {
		if sz, err = measureSizes(goCmd, o, benchDir, tmp); err != nil {
			return err
		}
	}

	b, err := startBrowser()
	if err != nil {
		return err
	}
	defer b.stop()
	benchURL, stopBench, err := serve(benchDir)
	if err != nil {
		return err
	}
	defer stopBench()
	siteURL, stopSite, err := serve(o.site)
	if err != nil {
		return err
	}
	defer stopSite()

	var fd *firstDigit
	var drag *dragResult
	if !o.decodeOnly {
		fmt.Println("benchweb: first digit from an empty cache ...")
		if fd, err = b.firstDigit(siteURL+"embed.html", nil); err != nil {
			return err
		}
		fmt.Println("benchweb: dragging a slider for the frame rate ...")
		if drag, err = b.dragFPS(siteURL+dragPage, 5*time.Second, nil); err != nil {
			return err
		}
		if drag.Floor, err = b.floorFPS(benchURL+"floor.html", 5*time.Second); err != nil {
			return err
		}
	}
	var goRuns, tfRuns []*pageResult
	for r := range o.rounds {
		fmt.Printf("benchweb: decode pages, round %d of %d ...\n", r+1, o.rounds)
		g, err := b.decodePage(benchURL + "bench-go.html")
		if err != nil {
			return err
		}
		t, err := b.decodePage(benchURL + "bench-tfjs.html")
		if err != nil {
			return err
		}
		goRuns, tfRuns = append(goRuns, g), append(tfRuns, t)
	}
	if d, i := maxDiff(goRuns[0].Pixels, tfRuns[0].Pixels); d > agreeTol || math.IsNaN(d) {
		return fmt.Errorf("the two decoders disagree: pixel %d differs by %g (Go %d pixels, TensorFlow.js %d)", i, d, len(goRuns[0].Pixels), len(tfRuns[0].Pixels))
	}
	if o.decodeOnly {
		fmt.Printf("decode one digit, ms (each round's median): Go %s | TF.js %s\n10x10 grid, ms: Go %s | TF.js %s\n",
			medians(goRuns, false), medians(tfRuns, false), medians(goRuns, true), medians(tfRuns, true))
		return nil
	}
	fmt.Println()
	res := report(os.Stdout, o, sz, fd, drag, goRuns, tfRuns)
	if o.profile {
		if err := profilePages(b, o, tmp); err != nil {
			return err
		}
	}
	if o.json != "" {
		data, err := json.MarshalIndent(res, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(o.json, append(data, '\n'), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// dragPage is the widget on its sliders panel, where dragFPS drags.
const dragPage = "embed.html?digit=3&seed=5&panel=sliders"

// profilePages profiles the first digit and the slider drag on a copy of the
// site whose main.wasm keeps its function names (measureSizes built it), and
// prints where the time goes.
func profilePages(b *browser, o options, tmp string) error {
	fmt.Println("\nbenchweb: profiling the first digit and the slider drag (main.wasm with symbols, served gzipped on the fly) ...")
	dir := filepath.Join(tmp, "profile-site")
	if err := os.CopyFS(dir, os.DirFS(o.site)); err != nil {
		return fmt.Errorf("copying the site: %w", err)
	}
	for _, twin := range []string{"main.wasm.br", "main.wasm.gz"} {
		if err := os.Remove(filepath.Join(dir, twin)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	if err := copyFile(filepath.Join(dir, "main.wasm"), filepath.Join(tmp, "widget-symbols.wasm")); err != nil {
		return err
	}
	url, stop, err := serve(dir)
	if err != nil {
		return err
	}
	defer stop()
	var first, drag profiling
	fd, err := b.firstDigit(url+"embed.html", &first)
	if err != nil {
		return err
	}
	d, err := b.dragFPS(url+dragPage, 5*time.Second, &drag)
	if err != nil {
		return err
	}
	printProfile(os.Stdout, fmt.Sprintf("First digit (ready at %.0f ms, profiled)", fd.ReadyMs), first.prof)
	printProfile(os.Stdout, fmt.Sprintf("Slider drag (%d moves in %.1f s, fps %v, profiled)", d.Moves, d.Seconds, d.Readings), drag.prof)
	return nil
}

// assemble builds bench.wasm and copies the pages, wasm_exec.js, the
// TensorFlow.js files and the CVAE weights into dir.
func assemble(goCmd string, o options, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	build := exec.Command(goCmd, "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(dir, "bench.wasm"), "./tools/benchweb/wasmbench")
	build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("building wasmbench: %w\n%s", err, out)
	}
	root, err := exec.Command(goCmd, "env", "GOROOT").Output()
	if err != nil {
		return fmt.Errorf("go env GOROOT: %w", err)
	}
	copies := map[string]string{
		filepath.Join(strings.TrimSpace(string(root)), "lib", "wasm", "wasm_exec.js"): "wasm_exec.js",
		filepath.Join(o.weights, "cvae.safetensors"):                                  "cvae.safetensors",
	}
	for _, f := range tfjsFiles {
		copies[filepath.Join(o.npm, "node_modules", f)] = filepath.Base(f)
	}
	for src, dst := range copies {
		if err := copyFile(filepath.Join(dir, dst), src); err != nil {
			if errors.Is(err, fs.ErrNotExist) && strings.Contains(src, "@tensorflow") {
				return fmt.Errorf("%w: install the peer with npm install --prefix %s @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0 (make bench-web does)", err, o.npm)
			}
			return err
		}
	}
	sub, err := fs.Sub(pages, "page")
	if err != nil {
		return err
	}
	return os.CopyFS(dir, sub)
}

func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copying %s: %w", src, err)
	}
	return out.Close()
}

// fileSize is one file's bytes raw, gzipped at the level
// tools/internal/static uses when a file has no precompressed twin, at
// gzip's best level, and as its brotli twin (0 without one).
type fileSize struct {
	name                        string
	raw, served, level9, brotli int
}

func sizeOf(name string, data []byte) (fileSize, error) {
	s := fileSize{name: name, raw: len(data)}
	var err error
	if s.served, err = gzipSize(data, servedLevel); err != nil {
		return s, err
	}
	s.level9, err = gzipSize(data, 9)
	return s, err
}

// halfResult is one model's shipped file against its half-precision save.
type halfResult struct {
	kind             string
	f32, f16         fileSize
	decoderF16       int     // raw bytes of a decoder-only F16 file's tensors
	lossF32, lossF16 float64 // test loss per image, nats; NaN without data
	decodeDiff       float64 // largest pixel difference on the test set's codes
}

// sizes is everything measured without the browser.
type sizes struct {
	files  []fileSize // main.wasm, weights as shipped, bench.wasm
	halves []halfResult
	pkgs   []pkgSize // the widget's wasm by dependency
	noData string    // why test losses are missing, if they are
}

func measureSizes(goCmd string, o options, benchDir, tmp string) (*sizes, error) {
	var sz sizes
	// The smallest Ebiten program, to weigh Ebiten itself.
	floor := filepath.Join(benchDir, "ebitenfloor.wasm") // served for page/floor.html
	build := exec.Command(goCmd, "build", "-trimpath", "-ldflags=-s -w", "-o", floor, "./tools/benchweb/ebitenfloor")
	build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("building ebitenfloor: %w\n%s", err, out)
	}
	for _, f := range []struct{ name, path string }{
		{"main.wasm (widget)", filepath.Join(o.site, "main.wasm")},
		{"weights/vae.safetensors", filepath.Join(o.site, "weights", "vae.safetensors")},
		{"weights/cvae.safetensors", filepath.Join(o.site, "weights", "cvae.safetensors")},
		{"bench.wasm (model package alone)", filepath.Join(benchDir, "bench.wasm")},
		{"ebitenfloor.wasm (smallest Ebiten program)", floor},
	} {
		data, err := os.ReadFile(f.path)
		if err != nil {
			return nil, fmt.Errorf("%w (run make site first)", err)
		}
		s, err := sizeOf(f.name, data)
		if err != nil {
			return nil, err
		}
		// The site's precompressed twin, which the server sends instead.
		if fi, err := os.Stat(f.path + ".br"); err == nil {
			s.brotli = int(fi.Size())
		}
		sz.files = append(sz.files, s)
	}

	var test *mnist.Set
	if t, err := mnist.Load(o.data, mnist.Test); err != nil {
		sz.noData = err.Error()
	} else {
		test = t
	}
	for _, kind := range []string{"vae", "cvae"} {
		data, err := os.ReadFile(filepath.Join(o.weights, kind+".safetensors"))
		if err != nil {
			return nil, err
		}
		m, meta, err := model.Load(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", kind, err)
		}
		half, hm, err := halfOf(m, meta)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", kind, err)
		}
		h := halfResult{kind: kind, decoderF16: decoderBytes(m, 2), lossF32: math.NaN(), lossF16: math.NaN()}
		if h.f32, err = sizeOf(kind+".safetensors (F32)", data); err != nil {
			return nil, err
		}
		if h.f16, err = sizeOf(kind+".safetensors (F16)", half); err != nil {
			return nil, err
		}
		if test != nil {
			if h.lossF32, h.lossF16, h.decodeDiff, err = compareLoss(m, hm, test); err != nil {
				return nil, fmt.Errorf("%s: %w", kind, err)
			}
		}
		sz.halves = append(sz.halves, h)
	}

	// A build with its symbols, to see what the widget's bytes are made of.
	full := filepath.Join(tmp, "widget-symbols.wasm")
	build = exec.Command(goCmd, "build", "-trimpath", "-o", full, "./wasm")
	build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("building ./wasm with symbols: %w\n%s", err, out)
	}
	bin, err := os.ReadFile(full)
	if err != nil {
		return nil, err
	}
	if sz.pkgs, err = wasmSizes(bin); err != nil {
		return nil, err
	}
	return &sz, nil
}

// compareLoss returns the test loss per image of a and b (model.TestLoss,
// as tools/train and tools/eval report it), and the largest difference
// between their decodes of the posterior means of the first 1000 test
// images.
func compareLoss(a, b *model.Model, test *mnist.Set) (lossA, lossB, diff float64, err error) {
	if test.Pixels() != a.Config.Input {
		return 0, 0, 0, fmt.Errorf("test images have %d pixels, the model takes %d", test.Pixels(), a.Config.Input)
	}
	x, labels := test.All()
	if !a.Config.Conditional() {
		labels = nil
	}
	n := min(test.N, 1000)
	var ls []int
	if labels != nil {
		ls = labels[:n]
	}
	mu, _ := a.Encode(x.RowSlice(0, n), ls)
	d, _ := maxDiff(a.Decode(mu, ls).Data, b.Decode(mu, ls).Data)
	return a.TestLoss(x, labels).Total, b.TestLoss(x, labels).Total, d, nil
}

// maxDiff returns the largest |a[i]-b[i]| and its index; +Inf when the
// lengths differ.
func maxDiff[T float32 | float64](a, b []T) (float64, int) {
	if len(a) != len(b) || len(a) == 0 {
		return math.Inf(1), -1
	}
	best, at := 0.0, 0
	for i := range a {
		if d := math.Abs(float64(a[i]) - float64(b[i])); d > best || math.IsNaN(d) {
			best, at = d, i
		}
	}
	return best, at
}

// median returns the median of xs (the mean of the middle two for an even
// count); NaN for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// bestMedian returns the lowest of the rounds' medians of what pick selects:
// on a busy machine the fastest round is the one least disturbed.
func bestMedian(runs []*pageResult, pick func(*pageResult) []float64) float64 {
	best := math.Inf(1)
	for _, r := range runs {
		best = min(best, median(pick(r)))
	}
	return best
}
