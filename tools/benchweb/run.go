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
	"strings"
)

//go:embed page
var pages embed.FS

// The widget's goals.
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
	// agreeTol is how far the two decoders' pixels may differ: both compute
	// in float32, summing in their own orders.
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
	if !o.decodeOnly && !o.fpsOnly {
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

	if o.fpsOnly {
		drag, err := b.frameRates(siteURL+dragPage, benchURL+"floor.html", o.rounds)
		if err != nil {
			return err
		}
		fmt.Printf("frames per second while dragging a slider, median of %d readings: %.0f (lowest %.0f); the smallest Ebiten program: %.0f; ratio %.2f\n",
			len(drag.Readings), drag.Held(), drag.Lowest(), median(drag.Floor), drag.Held()/median(drag.Floor))
		fmt.Printf("readings: widget %v\nsmallest Ebiten program %v\n", drag.Readings, drag.Floor)
		return nil
	}
	var fd *firstDigit
	var drag *dragResult
	if !o.decodeOnly {
		fmt.Println("benchweb: first digit from an empty cache ...")
		if fd, err = b.firstDigit(siteURL+"embed.html", nil); err != nil {
			return err
		}
		if drag, err = b.frameRates(siteURL+dragPage, benchURL+"floor.html", o.rounds); err != nil {
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

// floorWasm is the smallest Ebiten program, built into the decode pages'
// folder for page/floor.html.
const floorWasm = "ebitenfloor.wasm"

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
	d, err := b.dragFPS(url+dragPage, dragLength, &drag)
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
	// The smallest Ebiten program, for page/floor.html and to weigh Ebiten
	// itself.
	build = exec.Command(goCmd, "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(dir, floorWasm), "./tools/benchweb/ebitenfloor")
	build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("building ebitenfloor: %w\n%s", err, out)
	}
	root, err := exec.Command(goCmd, "env", "GOROOT").Output()
	if err != nil {
		return fmt.Errorf("go env GOROOT: %w", err)
	}
	copies := map[string]string{
		filepath.Join(strings.TrimSpace(string(root)), "lib", "wasm", "wasm_exec.js"): "wasm_exec.js",
		filepath.Join(o.weights, "cvae.safetensors"):                                  "cvae.safetensors",
	}
	if !o.fpsOnly {
		for _, f := range tfjsFiles {
			copies[filepath.Join(o.npm, "node_modules", f)] = filepath.Base(f)
		}
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
