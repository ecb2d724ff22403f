package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"text/tabwriter"

	"vaeplay/model"
)

const mb = 1e6

// verdict says whether got meets a goal of at most goal.
func verdict(got, goal float64) string {
	if got <= goal {
		return "met"
	}
	return "MISSED"
}

// webResult holds the widget's headline figures, which make bench's final
// table (-summary) reads back from the -json file.
type webResult struct {
	SingleMs     float64   `json:"single_ms"`      // decode of one digit, Go in wasm
	GridMs       float64   `json:"grid_ms"`        // decode of 100 digits
	TFSingleMs   float64   `json:"tfjs_single_ms"` // the same by TensorFlow.js's wasm backend
	TFGridMs     float64   `json:"tfjs_grid_ms"`
	WasmMB       float64   `json:"wasm_mb"` // main.wasm as served
	WeightsMB    float64   `json:"weights_mb"`
	OtherMB      float64   `json:"other_mb"` // html, js, css
	FirstDigitMs float64   `json:"first_digit_ms"`
	FPSHeld      float64   `json:"fps_held"` // median reading while dragging a slider
	FPSReadings  []float64 `json:"fps_readings"`
	FPSFloor     float64   `json:"fps_floor"`       // median reading of the smallest Ebiten program
	EbitenMB     float64   `json:"ebiten_floor_mb"` // the smallest Ebiten program, gzip -9
	HalfCost     []float64 `json:"half_cost_nats"`  // test loss F16 - F32 for vae, cvae
	Load         string    `json:"load"`            // load average when the run ended
}

// report prints every figure beside its goal and the peer's figure, and
// returns the headline figures.
func report(w io.Writer, o options, sz *sizes, fd *firstDigit, drag *dragResult, goRuns, tfRuns []*pageResult) *webResult {
	load := "unknown"
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		load = strings.Join(strings.Fields(string(b))[:3], " ")
	}
	fmt.Fprintf(w, "Widget benchmark: headless Chromium on this machine (%d CPUs, load average %s), pages on loopback\n\n", runtime.NumCPU(), load)

	single := bestMedian(goRuns, func(r *pageResult) []float64 { return r.Single })
	grid := bestMedian(goRuns, func(r *pageResult) []float64 { return r.Batch })
	tfSingle := bestMedian(tfRuns, func(r *pageResult) []float64 { return r.Single })
	tfGrid := bestMedian(tfRuns, func(r *pageResult) []float64 { return r.Batch })

	// What the widget fetched before its first digit, as served.
	var wasm, weights, other float64
	for _, r := range fd.Resources {
		switch {
		case strings.HasSuffix(r.Name, ".wasm"):
			wasm += r.Encoded
		case strings.HasSuffix(r.Name, ".safetensors"):
			weights += r.Encoded
		default:
			other += r.Encoded
		}
	}

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tours\tgoal\tTF.js (wasm)\tours/TF.js\tgoal")
	fmt.Fprintf(tw, "decode one digit, median\t%.3f ms\t≤ %.1f ms\t%.3f ms\t%.2fx\t%s%s\n", single, goalSingleMs, tfSingle, single/tfSingle, verdict(single, goalSingleMs), peerVerdict(single, tfSingle))
	fmt.Fprintf(tw, "10x10 grid (batch of 100), median\t%.2f ms\t≤ %d ms\t%.2f ms\t%.2fx\t%s\n", grid, goalGridMs, tfGrid, grid/tfGrid, verdict(grid, goalGridMs))
	fmt.Fprintf(tw, "download: wasm + weights, as served\t%.2f MB\t≤ %.1f MB\t\t\t%s\n", (wasm+weights)/mb, goalMB, verdict((wasm+weights)/mb, goalMB))
	fmt.Fprintf(tw, "  main.wasm\t%.2f MB\t\t\t\t\n", wasm/mb)
	fmt.Fprintf(tw, "  weights (every file fetched)\t%.2f MB\t\t\t\t\n", weights/mb)
	fmt.Fprintf(tw, "  html, js, css\t%.3f MB\t\t\t\t\n", other/mb)
	fmt.Fprintf(tw, "first digit after navigation (empty cache)\t%.0f ms\t≤ %d ms\t\t\t%s\n", fd.ReadyMs, goalFirstMs, verdict(fd.ReadyMs, goalFirstMs))
	// The floor's median: what the browser gives an idle Ebiten canvas.
	floor := median(drag.Floor)
	fmt.Fprintf(tw, "frames per second while dragging a slider, median (lowest)\t%.0f (%.0f)\t≥ %d\t%.0f (smallest Ebiten program, median)\t%.2fx\t%s\n", drag.Held(), drag.Lowest(), goalFPS, floor, drag.Held()/floor, verdictAtLeast(drag.Held(), goalFPS))
	tw.Flush()
	fmt.Fprintf(w, "\nSlider drag: %d mouse moves in %.1f s on the first latent slider (%d drags, taking turns with the smallest Ebiten program); Ebiten's ActualFPS read every 250 ms after each drag's first second: %v.\n",
		drag.Moves, drag.Seconds, o.rounds, drag.Readings)
	fmt.Fprintf(w, "The smallest Ebiten program (ebitenfloor: fills its canvas, draws one 28x28 image) in the same browser, same window, as long: %v.\n", drag.Floor)

	fmt.Fprintf(w, "\nFirst digit: ready at %.0f ms after navigation; downloads (ms after navigation, start-end):", fd.ReadyMs)
	for _, r := range fd.Resources {
		if strings.HasSuffix(r.Name, ".wasm") || strings.HasSuffix(r.Name, ".safetensors") {
			fmt.Fprintf(w, " %s %.0f-%.0f;", r.Name[strings.LastIndex(r.Name, "/")+1:], r.Start, r.End)
		}
	}
	for _, m := range fd.Marks {
		fmt.Fprintf(w, " %s at %.0f;", m.Name, m.At)
	}
	fmt.Fprintln(w)

	d, _ := maxDiff(goRuns[0].Pixels, tfRuns[0].Pixels)
	fmt.Fprintf(w, "Decode figures: each page decodes the CVAE of %s (decoder %s); one digit is the median of 200 samples of 10 decodes\n",
		filepath.Join(o.weights, "cvae.safetensors"), decoderShape(filepath.Join(o.weights, "cvae.safetensors")))
	fmt.Fprintf(w, "(the browser's clock ticks in steps near one decode), the grid the median of 30 batches; best of %d alternating rounds\n", len(goRuns))
	fmt.Fprintf(w, "(all rounds' medians, ms: Go %s | TF.js %s; grid Go %s | TF.js %s).\n",
		medians(goRuns, false), medians(tfRuns, false), medians(goRuns, true), medians(tfRuns, true))
	fmt.Fprintf(w, "Go: vaeplay/model in js/wasm, float32, no SIMD (Go emits none for wasm). TF.js: %v.\n", tfRuns[0].Info)
	fmt.Fprintf(w, "Both decode a fixed code to the same pixels within %.1g (largest difference %.2g; both compute in float32).\n", agreeTol, d)
	fmt.Fprintf(w, "Page setup (instantiate wasm or start TF.js, parse weights): Go %.0f ms, TF.js %.0f ms.\n", goRuns[0].SetupMs, tfRuns[0].SetupMs)

	fmt.Fprintf(w, "\nDownload by file (bytes raw, gzip level %d as tools/internal/static compresses a file without twins, gzip level 9, the site's brotli twin that Chromium is sent):\n", servedLevel)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "file\traw MB\tgzip -5 MB\tgzip -9 MB\tbrotli twin MB\t")
	rows := append([]fileSize(nil), sz.files...)
	for _, h := range sz.halves {
		rows = append(rows, h.f16)
	}
	for _, f := range rows {
		br := "-"
		if f.brotli > 0 {
			br = fmt.Sprintf("%.2f", float64(f.brotli)/mb)
		}
		fmt.Fprintf(tw, "%s\t%.2f\t%.2f\t%.2f\t%s\t\n", f.name, float64(f.raw)/mb, float64(f.served)/mb, float64(f.level9)/mb, br)
	}
	tw.Flush()

	fmt.Fprintf(w, "\nHalf-precision weights (model.SaveHalf), test loss as tools/train evaluates it (nats per image, full MNIST test set):\n")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "model\tgzip -5 F32 → F16\tdecoder-only F16, raw\ttest loss F32\tF16\tcost\tgoal\tlargest pixel change")
	var halfServed float64
	for _, h := range sz.halves {
		halfServed += float64(h.f16.served)
		cost := h.lossF16 - h.lossF32
		v := verdict(math.Abs(cost), goalNats)
		if math.IsNaN(cost) {
			v = "not measured: " + sz.noData
		}
		fmt.Fprintf(tw, "%s\t%.2f → %.2f MB\t%.2f MB\t%.3f\t%.3f\t%+.4f\t< %.1f nats: %s\t%.1g\n",
			h.kind, float64(h.f32.served)/mb, float64(h.f16.served)/mb, float64(h.decoderF16)/mb, h.lossF32, h.lossF16, cost, goalNats, v, h.decodeDiff)
	}
	tw.Flush()
	fmt.Fprintf(w, "The site ships F16 (make site runs tools/halve); with gzip -5 alone both would be %.2f MB.\n", halfServed/mb)

	fmt.Fprintf(w, "\nThe widget's wasm by dependency (function bodies by the wasm name section of a build with symbols, before gzip):\n")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	var total int
	for _, p := range sz.pkgs {
		total += p.bytes
	}
	lapack := 0
	for i, p := range sz.pkgs {
		if strings.Contains(p.name, "gonum/lapack") {
			lapack += p.bytes
		}
		if i < 15 {
			fmt.Fprintf(tw, "  %s\t%.2f MB\t%.0f%%\n", p.name, float64(p.bytes)/mb, 100*float64(p.bytes)/float64(total))
		}
	}
	fmt.Fprintf(tw, "  (%d more groups)\t\t\n", max(0, len(sz.pkgs)-15))
	tw.Flush()
	fmt.Fprintf(w, "gonum's LAPACK in the widget: %.2f MB.\n", float64(lapack)/mb)

	res := &webResult{
		SingleMs: single, GridMs: grid, TFSingleMs: tfSingle, TFGridMs: tfGrid,
		WasmMB: wasm / mb, WeightsMB: weights / mb, OtherMB: other / mb,
		FirstDigitMs: fd.ReadyMs, FPSHeld: drag.Held(), FPSReadings: drag.Readings, FPSFloor: zeroIfNaN(floor),
		Load: load,
	}
	for _, f := range sz.files {
		if strings.HasPrefix(f.name, "ebitenfloor") {
			res.EbitenMB = float64(f.level9) / mb
		}
	}
	for _, h := range sz.halves {
		if c := h.lossF16 - h.lossF32; !math.IsNaN(c) { // NaN without data; JSON has no NaN
			res.HalfCost = append(res.HalfCost, c)
		}
	}
	return res
}

// verdictAtLeast says whether got meets a goal of at least goal.
func verdictAtLeast(got, goal float64) string {
	if got >= goal {
		return "met"
	}
	return "MISSED"
}

// peerVerdict adds whether ours is no slower than the peer.
func peerVerdict(ours, peer float64) string {
	if ours <= peer {
		return ", no slower than TF.js"
	}
	return ", slower than TF.js"
}

// medians lists each round's median.
func medians(runs []*pageResult, batch bool) string {
	var s []string
	for _, r := range runs {
		xs := r.Single
		if batch {
			xs = r.Batch
		}
		s = append(s, fmt.Sprintf("%.3f", median(xs)))
	}
	return strings.Join(s, " ")
}

// zeroIfNaN returns 0 for NaN, which JSON cannot hold.
func zeroIfNaN(v float64) float64 {
	if math.IsNaN(v) {
		return 0
	}
	return v
}

// decoderShape returns the widths of the decoder in the weights file at
// path, z (and label) in to pixels out, as "12-400-400-784", or why not.
func decoderShape(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	m, _, err := model.Load(data)
	if err != nil {
		return err.Error()
	}
	c := m.Config
	widths := []string{fmt.Sprint(c.Latent + c.Classes)}
	for i := len(c.Hidden) - 1; i >= 0; i-- {
		widths = append(widths, fmt.Sprint(c.Hidden[i]))
	}
	return strings.Join(append(widths, fmt.Sprint(c.Input)), "-")
}
