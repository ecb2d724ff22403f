package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"

	"vaeplay/model"
)

// Goals of issue 6 for the trainer.
const (
	goalEpochRatio = 0.25 // our epoch over PyTorch's
	trainImages    = 60000
)

// The files of one make bench run that summary reads, in its -summary folder.
const (
	stepFile  = "step.txt"  // go test -bench Step ./model/
	trainFile = "train.txt" // go run ./tools/train -epochs 1
	torchFile = "torch.txt" // ../shared/peers/torch_vae.py --epochs 1, or why it did not run
	webFile   = "web.json"  // benchweb -json
)

// epoch is one "epoch N train_loss ... test_loss ... epoch_s S" line, the
// format tools/train and the PyTorch peer share.
type epoch struct {
	n                   int
	trainLoss, testLoss float64
	seconds             float64
}

var epochLine = regexp.MustCompile(`^epoch (\d+) train_loss ([0-9.]+) test_loss ([0-9.]+).* epoch_s ([0-9.]+)`)

// parseEpoch returns the first epoch line of r.
func parseEpoch(r io.Reader) (epoch, error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		m := epochLine.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if m == nil {
			continue
		}
		var e epoch
		var err error
		e.n, _ = strconv.Atoi(m[1])
		for i, p := range []*float64{&e.trainLoss, &e.testLoss, &e.seconds} {
			if *p, err = strconv.ParseFloat(m[i+2], 64); err != nil {
				return e, fmt.Errorf("epoch line %q: %w", m[0], err)
			}
		}
		return e, nil
	}
	if err := sc.Err(); err != nil {
		return epoch{}, err
	}
	return epoch{}, errors.New("no line \"epoch N train_loss L test_loss L ... epoch_s S\"")
}

// stepBench is one BenchmarkStep result.
type stepBench struct {
	ms, imagesPerSec float64
}

var benchLine = regexp.MustCompile(`^BenchmarkStep/(\w+)(?:-\d+)?\s+\d+\s+([0-9.]+) ns/op\s+([0-9.]+) images/s`)

// parseSteps returns BenchmarkStep's results by sub-benchmark (vae, cvae).
func parseSteps(r io.Reader) (map[string]stepBench, error) {
	out := map[string]stepBench{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if m == nil {
			continue
		}
		ns, err1 := strconv.ParseFloat(m[2], 64)
		ips, err2 := strconv.ParseFloat(m[3], 64)
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("benchmark line %q: %w", m[0], err)
		}
		out[m[1]] = stepBench{ms: ns / 1e6, imagesPerSec: ips}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errors.New("no BenchmarkStep line with images/s")
	}
	return out, nil
}

// cpuPeak is this machine's peak floating-point rate, derived from what
// /proc/cpuinfo says about the CPU.
type cpuPeak struct {
	model          string
	cores          int     // physical cores the process may use
	ghz            float64 // nominal clock
	isa            string  // widest FMA instruction set
	lanes64        int     // float64 lanes of its vectors
	fmaUnits       int     // FMA pipes per core (assumed: cpuinfo does not say)
	gflops64, gf32 float64 // peak GFLOP/s in float64 and float32
}

// peakFromCPUInfo derives the peak: cores × GHz × FLOPs per cycle, where a
// core retires per cycle fmaUnits fused multiply-adds (2 FLOPs each) on
// vectors of lanes64 doubles (twice as many floats). Intel's server cores
// (Xeon Scalable since Skylake-SP, Gold and Platinum) and AMD's Zen have two
// FMA pipes; cpuinfo does not tell, so two is assumed.
func peakFromCPUInfo(cpuinfo string, numCPU int) (cpuPeak, error) {
	p := cpuPeak{fmaUnits: 2}
	var mhz float64
	var flags []string
	processors, siblings, coresPerSocket := 0, 0, 0
	for line := range strings.SplitSeq(cpuinfo, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch k {
		case "processor":
			processors++
		case "model name":
			if p.model == "" {
				p.model = v
			}
		case "cpu MHz":
			if mhz == 0 {
				mhz, _ = strconv.ParseFloat(v, 64)
			}
		case "flags":
			if flags == nil {
				flags = strings.Fields(v)
			}
		case "siblings":
			siblings, _ = strconv.Atoi(v)
		case "cpu cores":
			coresPerSocket, _ = strconv.Atoi(v)
		}
	}
	if processors == 0 || flags == nil {
		return p, errors.New("cpuinfo lists no processor with flags")
	}
	// "Intel(R) Xeon(R) Gold 6154 CPU @ 3.00GHz" names the nominal clock;
	// a virtual machine's model name may not, and then cpu MHz does.
	if m := regexp.MustCompile(`@\s*([0-9.]+)\s*GHz`).FindStringSubmatch(p.model); m != nil {
		p.ghz, _ = strconv.ParseFloat(m[1], 64)
	} else {
		p.ghz = mhz / 1000
	}
	if p.ghz <= 0 {
		return p, errors.New("cpuinfo gives no clock rate")
	}
	// Hyper-threads share their core's FMA pipes.
	p.cores = min(processors, numCPU)
	if siblings > coresPerSocket && coresPerSocket > 0 {
		p.cores = max(1, p.cores*coresPerSocket/siblings)
	}
	has := func(f string) bool { return slicesContains(flags, f) }
	switch {
	case has("avx512f"):
		p.isa, p.lanes64 = "AVX-512 FMA", 8
	case has("avx2") && has("fma"):
		p.isa, p.lanes64 = "AVX2 FMA", 4
	default:
		p.isa, p.lanes64, p.fmaUnits = "SSE2 (no FMA: a multiply and an add)", 2, 1
	}
	perCycle := float64(p.lanes64 * 2 * p.fmaUnits)
	p.gflops64 = float64(p.cores) * p.ghz * perCycle
	p.gf32 = 2 * p.gflops64
	return p, nil
}

func slicesContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// flopsPerImage counts the floating-point operations of one training step
// per image in the matrix products of cfg's model: 2·in·out each for the
// forward product, the weight gradient and the input gradient (none for the
// first encoder layer, whose input is data). Element-wise work (activations,
// loss, Adam) is left out, as FLOP counts usually do.
func flopsPerImage(cfg model.Config) (float64, error) {
	m, err := model.New(cfg, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		return 0, err
	}
	var f float64
	for _, p := range m.Params() {
		if len(p.Shape) != 2 {
			continue
		}
		mn := float64(2 * p.Shape[0] * p.Shape[1])
		f += 2 * mn // forward and weight gradient
		if !strings.HasPrefix(p.Name, "enc.fc1.") {
			f += mn
		}
	}
	return f, nil
}

// summary prints make bench's final table from the outputs of one run in
// dir: every figure of issue 6 next to its goal and the peer's figure.
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
	} else if ours, err = parseEpoch(strings.NewReader(s)); err != nil {
		note(trainFile, err)
	} else {
		haveOurs = true
	}
	if s, err := read(torchFile); err != nil {
		note(torchFile, err)
	} else if torch, err = parseEpoch(strings.NewReader(s)); err != nil {
		note("PyTorch peer ("+torchFile+")", fmt.Errorf("%w; it said: %.200q", err, strings.TrimSpace(s)))
	} else {
		haveTorch = true
	}
	var steps map[string]stepBench
	if s, err := read(stepFile); err != nil {
		note(stepFile, err)
	} else if steps, err = parseSteps(strings.NewReader(s)); err != nil {
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
	fmt.Fprintf(w, "\n== make bench: every figure of issue 6 (one run; load average at the widget's end %s, after the trainers %s) ==\n\n", orNA(web.Load), orNA(now))
	if busy, load := busyMachine(web.Load, now, runtime.NumCPU()); busy {
		fmt.Fprintf(w, "WARNING: the machine was busy (load %.1f on %d CPUs): every time below is inflated, and the epoch ratio most of all,\n"+
			"as PyTorch's two OpenBLAS threads spin and wait when a core is taken. Run make bench on a quiet machine for figures to quote.\n\n", load, runtime.NumCPU())
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tours\tpeer\tours/peer\tgoal\tverdict")
	ratio := ours.seconds / torch.seconds
	fmt.Fprintf(tw, "trainer: one epoch, VAE 784-400-20, batch 128\t%s\t%s (PyTorch, 2 threads)\t%s\t≤ %.2fx PyTorch\t%s\n",
		f("%.2f s", ours.seconds, haveOurs), f("%.2f s", torch.seconds, haveTorch), f("%.2fx", ratio, haveOurs && haveTorch),
		goalEpochRatio, verdictIf(haveOurs && haveTorch, ratio <= goalEpochRatio))
	fmt.Fprintf(tw, "trainer: test loss after that epoch (nats)\t%s\t%s\t%s\tsame loss (≤ 0.5 nats apart after 10 epochs)\t%s\n",
		f("%.2f", ours.testLoss, haveOurs), f("%.2f", torch.testLoss, haveTorch), f("%+.2f", ours.testLoss-torch.testLoss, haveOurs && haveTorch),
		"see weights/README.md")
	oursIPS, torchIPS := trainImages/ours.seconds, trainImages/torch.seconds
	fmt.Fprintf(tw, "trainer: throughput over the epoch\t%s\t%s\t%s\t\t\n",
		f("%.0f images/s", oursIPS, haveOurs), f("%.0f images/s", torchIPS, haveTorch), f("%.2fx", oursIPS/torchIPS, haveOurs && haveTorch))
	if s, ok := steps["vae"]; ok {
		fmt.Fprintf(tw, "trainer: one step at batch 128 (go test -bench Step)\t%.1f ms, %.0f images/s\t\t\t\t\n", s.ms, s.imagesPerSec)
	}
	if peak.gflops64 > 0 {
		if s, ok := steps["vae"]; ok {
			g := s.imagesPerSec * fpi / 1e9
			fmt.Fprintf(tw, "trainer: FLOP rate in the products (step)\t%.1f GFLOP/s = %.1f%% of float64 peak\t\t\t\t\n", g, 100*g/peak.gflops64)
		}
		if haveOurs {
			g := oursIPS * fpi / 1e9
			tg := torchIPS * fpi / 1e9
			peer := na
			if haveTorch {
				peer = fmt.Sprintf("%.1f GFLOP/s = %.1f%% of float32 peak", tg, 100*tg/peak.gf32)
			}
			fmt.Fprintf(tw, "trainer: FLOP rate over the epoch\t%.1f GFLOP/s = %.1f%% of float64 peak\t%s\t\t\t\n", g, 100*g/peak.gflops64, peer)
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
	fmt.Fprintf(tw, "widget: frames per second, slider dragged (median)\t%s\t%s (smallest Ebiten program)\t\t≥ %d\t%s\n",
		f("%.0f", web.FPSHeld, hw && len(web.FPSReadings) > 0), f("%.0f", web.FPSFloor, web.FPSFloor > 0), goalFPS, verdictIf(hw && len(web.FPSReadings) > 0, web.FPSHeld >= goalFPS))
	tw.Flush()

	// What stands in the way of each goal missed, as measured by this
	// benchmark and its profiles (benchweb -profile).
	var why []string
	if haveOurs && haveTorch && ratio > goalEpochRatio {
		why = append(why, fmt.Sprintf("epoch: the step is float64 (PyTorch computes in float32, twice the lanes) and reaches %s of the float64 peak; "+
			"besides the GEMM kernel, packing (transposes) and the scalar exp/log1p of the loss and Adam's sqrt/divide take about half the step (go test -bench Step -cpuprofile)",
			f("%.0f%%", 100*oursIPS*fpi/1e9/peak.gflops64, peak.gflops64 > 0)))
	}
	if hw && (web.SingleMs > goalSingleMs || web.SingleMs > web.TFSingleMs || web.GridMs > goalGridMs) {
		why = append(why, "decode: Go compiles to WebAssembly without SIMD, so every multiply-add is a scalar float64 instruction; "+
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
		fmt.Fprintf(w, "\nPeak FLOP rate: %s, %d cores x %.2f GHz x %d FLOPs/cycle (%s: %d float64 lanes x 2 for the fused multiply-add x %d FMA units per core, assumed: cpuinfo does not say)\n",
			peak.model, peak.cores, peak.ghz, peak.lanes64*2*peak.fmaUnits, peak.isa, peak.lanes64, peak.fmaUnits)
		fmt.Fprintf(w, "= %.0f GFLOP/s in float64 (ours computes in float64), %.0f in float32 (PyTorch's). A training step does %.2f MFLOP per image in its matrix products.\n",
			peak.gflops64, peak.gf32, fpi/1e6)
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
