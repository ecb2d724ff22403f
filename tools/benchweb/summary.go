package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"

	"vaeplay/model"
)

// The trainer's goals.
const (
	goalEpochRatio = 0.25 // our epoch over PyTorch's
	trainImages    = 60000
)

// summary prints make bench's final table from the outputs of one run in
// dir: every figure next to its goal and the peer's figure.
func summary(w io.Writer, dir string) error {
	read := func(name string) (string, error) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		return string(b), err
	}
	var problems []string
	note := func(what string, err error) { problems = append(problems, fmt.Sprintf("%s: %v", what, err)) }

	var web webResult
	if s, err := read(webFile); err != nil {
		note(webFile, err)
	} else if err := json.Unmarshal([]byte(s), &web); err != nil {
		note(webFile, err)
	}
	var ours, torch epoch
	haveOurs, haveTorch := false, false
	if s, err := read(trainFile); err != nil {
		note(trainFile, err)
	} else if ours, err = readTrainJSON(strings.NewReader(s)); err != nil {
		note(trainFile, err)
	} else {
		haveOurs = true
	}
	if s, err := read(torchFile); err != nil {
		note(torchFile, err)
	} else if torch, err = readPeerEpoch(strings.NewReader(s)); err != nil {
		note("PyTorch peer ("+torchFile+")", fmt.Errorf("%w; it said: %.200q", err, strings.TrimSpace(s)))
	} else {
		haveTorch = true
	}
	var steps map[string]stepBench
	if s, err := read(stepFile); err != nil {
		note(stepFile, err)
	} else if results, err := readBenchJSON(strings.NewReader(s)); err != nil {
		note(stepFile, err)
	} else if steps, err = stepResults(results); err != nil {
		note(stepFile, err)
	}
	cpuinfo, err := os.ReadFile("/proc/cpuinfo")
	var peak cpuPeak
	if err == nil {
		peak, err = peakFromCPUInfo(string(cpuinfo), runtime.NumCPU())
	}
	if err != nil {
		note("peak FLOP rate", err)
	}
	fpi, err := flopsPerImage(model.DefaultConfig())
	if err != nil {
		return err
	}

	na := "n/a"
	f := func(format string, v float64, ok bool) string {
		if !ok || math.IsNaN(v) {
			return na
		}
		return fmt.Sprintf(format, v)
	}
	now := ""
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		now = strings.Join(strings.Fields(string(b))[:3], " ")
	}
	fmt.Fprintf(w, "\n== make bench: every figure beside its goal (one run; load average at the widget's end %s, after the trainers %s) ==\n\n", orNA(web.Load), orNA(now))
	if busy, load := busyMachine(web.Load, now, runtime.NumCPU()); busy {
		fmt.Fprintf(w, "WARNING: the machine was busy (load %.1f on %d CPUs): every time below is inflated, and the epoch ratio most of all,\n"+
			"as PyTorch's two OpenBLAS threads spin and wait when a core is taken. Run make bench on a quiet machine for figures to quote.\n\n", load, runtime.NumCPU())
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tours\tpeer\tours/peer\tgoal\tverdict")
	ratio := ours.Seconds / torch.Seconds
	fmt.Fprintf(tw, "trainer: one epoch, VAE 784-400-20, batch 128\t%s\t%s (PyTorch, 2 threads)\t%s\t≤ %.2fx PyTorch\t%s\n",
		f("%.2f s", ours.Seconds, haveOurs), f("%.2f s", torch.Seconds, haveTorch), f("%.2fx", ratio, haveOurs && haveTorch),
		goalEpochRatio, verdictIf(haveOurs && haveTorch, ratio <= goalEpochRatio))
	fmt.Fprintf(tw, "trainer: test loss after that epoch (nats)\t%s\t%s\t%s\tsame loss (≤ 0.5 nats apart after 10 epochs)\t%s\n",
		f("%.2f", ours.TestLoss, haveOurs), f("%.2f", torch.TestLoss, haveTorch), f("%+.2f", ours.TestLoss-torch.TestLoss, haveOurs && haveTorch),
		"see weights/README.md")
	oursIPS, torchIPS := trainImages/ours.Seconds, trainImages/torch.Seconds
	fmt.Fprintf(tw, "trainer: throughput over the epoch\t%s\t%s\t%s\t\t\n",
		f("%.0f images/s", oursIPS, haveOurs), f("%.0f images/s", torchIPS, haveTorch), f("%.2fx", oursIPS/torchIPS, haveOurs && haveTorch))
	if s, ok := steps["vae"]; ok {
		fmt.Fprintf(tw, "trainer: one step at batch 128 (go test -bench Step)\t%.1f ms, %.0f images/s\t\t\t\t\n", s.ms, s.imagesPerSec)
	}
	if peak.gflops64 > 0 {
		if s, ok := steps["vae"]; ok {
			g := s.imagesPerSec * fpi / 1e9
			fmt.Fprintf(tw, "trainer: FLOP rate in the products (step)\t%.1f GFLOP/s = %.1f%% of float32 peak\t\t\t\t\n", g, 100*g/peak.gf32)
		}
		if haveOurs {
			g := oursIPS * fpi / 1e9
			tg := torchIPS * fpi / 1e9
			peer := na
			if haveTorch {
				peer = fmt.Sprintf("%.1f GFLOP/s = %.1f%% of float32 peak", tg, 100*tg/peak.gf32)
			}
			fmt.Fprintf(tw, "trainer: FLOP rate over the epoch\t%.1f GFLOP/s = %.1f%% of float32 peak\t%s\t\t\t\n", g, 100*g/peak.gf32, peer)
		}
	}
	hw := web.SingleMs > 0
	fmt.Fprintf(tw, "widget: decode one digit, median\t%s\t%s (TF.js wasm)\t%s\t≤ %.1f ms and ≤ TF.js\t%s\n",
		f("%.3f ms", web.SingleMs, hw), f("%.3f ms", web.TFSingleMs, hw), f("%.2fx", web.SingleMs/web.TFSingleMs, hw),
		goalSingleMs, verdictIf(hw, web.SingleMs <= goalSingleMs && web.SingleMs <= web.TFSingleMs))
	fmt.Fprintf(tw, "widget: 10x10 grid (batch of 100), median\t%s\t%s (TF.js wasm)\t%s\t≤ %d ms\t%s\n",
		f("%.2f ms", web.GridMs, hw), f("%.2f ms", web.TFGridMs, hw), f("%.2fx", web.GridMs/web.TFGridMs, hw),
		goalGridMs, verdictIf(hw, web.GridMs <= goalGridMs))
	dl := web.WasmMB + web.WeightsMB
	fmt.Fprintf(tw, "widget: download, wasm + weights as served\t%s\t%s (smallest Ebiten program)\t\t≤ %.1f MB\t%s\n",
		f("%.2f MB", dl, hw), f("%.2f MB", web.EbitenMB, web.EbitenMB > 0), goalMB, verdictIf(hw, dl <= goalMB))
	fmt.Fprintf(tw, "  of which main.wasm / weights (F16, every file fetched)\t%s / %s\t\t\t\t\n", f("%.2f MB", web.WasmMB, hw), f("%.2f MB", web.WeightsMB, hw))
	costs := make([]string, 0, len(web.HalfCost))
	worst := 0.0
	for _, c := range web.HalfCost {
		costs = append(costs, fmt.Sprintf("%+.4f", c))
		worst = math.Max(worst, math.Abs(c))
	}
	fmt.Fprintf(tw, "widget: test-loss cost of F16 weights (vae, cvae)\t%s nats\t\t\t< %.1f nats\t%s\n",
		orNA(strings.Join(costs, ", ")), goalNats, verdictIf(len(costs) > 0, worst < goalNats))
	fmt.Fprintf(tw, "widget: first digit after navigation, empty cache\t%s\t\t\t≤ %d ms\t%s\n",
		f("%.0f ms", web.FirstDigitMs, hw), goalFirstMs, verdictIf(hw, web.FirstDigitMs <= goalFirstMs))
	fmt.Fprintf(tw, "widget: frames per second, slider dragged (median)\t%s\t%s (smallest Ebiten program)\t%s\t≥ %d\t%s\n",
		f("%.0f", web.FPSHeld, hw && len(web.FPSReadings) > 0), f("%.0f", web.FPSFloor, web.FPSFloor > 0), f("%.2fx", web.FPSHeld/web.FPSFloor, len(web.FPSReadings) > 0 && web.FPSFloor > 0),
		goalFPS, verdictIf(hw && len(web.FPSReadings) > 0, web.FPSHeld >= goalFPS))
	tw.Flush()

	// What stands in the way of each goal missed, as measured by this
	// benchmark and its profiles (benchweb -profile).
	var why []string
	if haveOurs && haveTorch && ratio > goalEpochRatio {
		why = append(why, fmt.Sprintf("epoch: the step reaches %s of the float32 peak; "+
			"besides the GEMM kernel, packing (transposes) and the scalar exp/log1p of the loss and Adam's sqrt/divide take a large part of the step (go test -bench Step -cpuprofile)",
			f("%.0f%%", 100*oursIPS*fpi/1e9/peak.gf32, peak.gf32 > 0)))
	}
	if hw && (web.SingleMs > goalSingleMs || web.SingleMs > web.TFSingleMs || web.GridMs > goalGridMs) {
		why = append(why, "decode: Go compiles to WebAssembly without SIMD, so every multiply-add is a scalar instruction; "+
			"TF.js runs float32 with 128-bit SIMD (4 lanes). Blocking the grid for the cache and a float32 copy of the weights (half the bytes) showed no clear gain in interleaved runs on this loaded machine, so they were not kept")
	}
	if hw && dl > goalMB {
		why = append(why, fmt.Sprintf("download: the smallest Ebiten program alone is %s gzipped; the widget adds go-text/typesetting (text), gonum's LAPACK/BLAS "+
			"(kept whole because Ebiten's text/template use disables the linker's dead-method elimination) and the weights (F16 already)", f("%.2f MB", web.EbitenMB, web.EbitenMB > 0)))
	}
	if hw && web.FirstDigitMs > goalFirstMs {
		why = append(why, "first digit: downloads and compilation end early (see the timeline above); the rest is main.wasm starting: "+
			"Go's runtime and package init, Ebiten's start (shader compilation, font parsing) and the first frames through headless Chromium's software GL (benchweb -profile)")
	}
	if hw && len(web.FPSReadings) > 0 && web.FPSHeld < goalFPS {
		why = append(why, fmt.Sprintf("frame rate: the smallest Ebiten program gets a median %s frames per second in this browser (software GL, SwiftShader, on the 2 shared cores): "+
			"the ceiling is the renderer, not the widget, whose decodes take about 1%% of the main thread while dragging (benchweb -profile)", f("%.0f", web.FPSFloor, web.FPSFloor > 0)))
	}
	if len(why) > 0 {
		fmt.Fprintf(w, "\nWhat stands in the way of the goals missed:\n")
		for _, s := range why {
			fmt.Fprintf(w, "  - %s.\n", s)
		}
	}

	if peak.gflops64 > 0 {
		fmt.Fprintf(w, "\nPeak FLOP rate: %s, %d cores x %.2f GHz x %d float32 FLOPs/cycle (%s: %d float32 lanes x 2 for the fused multiply-add x %d FMA units per core, assumed: cpuinfo does not say)\n",
			peak.model, peak.cores, peak.ghz, 2*peak.lanes64*2*peak.fmaUnits, peak.isa, 2*peak.lanes64, peak.fmaUnits)
		fmt.Fprintf(w, "= %.0f GFLOP/s in float32 (ours and PyTorch's), %.0f in float64. A training step does %.2f MFLOP per image in its matrix products.\n",
			peak.gf32, peak.gflops64, fpi/1e6)
	}
	if len(problems) > 0 {
		fmt.Fprintf(w, "\nNot measured (n/a above):\n")
		for _, p := range problems {
			fmt.Fprintf(w, "  %s\n", p)
		}
	}
	return nil
}

func verdictIf(measured, met bool) string {
	switch {
	case !measured:
		return "not measured"
	case met:
		return "met"
	}
	return "MISSED"
}

func orNA(s string) string {
	if s == "" {
		return "n/a"
	}
	return s
}

// busyMachine says whether the one-minute load averages read after the
// widget's benchmark (webLoad) and after the two trainers (trainLoad) show
// other work competing with the run, and returns the load that says so. The
// trainers keep every CPU busy for most of the minute before trainLoad is
// read, so they alone bring it to about cpus: only a load of more than one
// runnable task beyond that is someone else's.
func busyMachine(webLoad, trainLoad string, cpus int) (bool, float64) {
	first := func(la string) float64 {
		if f := strings.Fields(la); len(f) > 0 {
			if l, err := strconv.ParseFloat(f[0], 64); err == nil {
				return l
			}
		}
		return 0
	}
	if l := first(webLoad); l > float64(cpus) {
		return true, l
	}
	if l := first(trainLoad); l > float64(cpus)+1 {
		return true, l
	}
	return false, 0
}
