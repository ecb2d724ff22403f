package main

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vaeplay/model"
)

func TestReadPeerEpoch(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     epoch
		err      bool
	}{
		{"pytorch", "noise\nepoch 1 train_loss 164.2 test_loss 127.9 epoch_s 18.00\nepoch 2 train_loss 1 test_loss 1 epoch_s 1\n", epoch{1, 164.2, 127.9, 18}, false},
		{"trainer's text line", "epoch 1 train_loss 164.51 test_loss 127.20 (recon 107.9 + kl 19.3) lr 0.001 epoch_s 13.92\n", epoch{1, 164.51, 127.20, 13.92}, false},
		{"a figure missing", "epoch 1 train_loss 164.2 epoch_s 18.00\n", epoch{}, true},
		{"a figure garbled", "epoch 1 train_loss x test_loss 1 epoch_s 1\n", epoch{}, true},
		{"none", "peer: Debian's python3-torch not installed\n", epoch{}, true},
		{"epoch without a number", "epoch one train_loss 1 test_loss 1 epoch_s 1\n", epoch{}, true},
		{"empty", "", epoch{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readPeerEpoch(strings.NewReader(tc.in))
			if (err != nil) != tc.err {
				t.Fatalf("error %v, want error %v", err, tc.err)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestReadTrainJSON(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     epoch
		err      bool
	}{
		{"two epochs", `{"epoch":1,"train_loss":164.51,"test_loss":127.2,"test_recon":107.9,"test_kl":19.3,"epoch_s":13.92,"lr":0.001}` + "\n" +
			`{"epoch":2,"train_loss":120,"test_loss":115,"test_recon":95,"test_kl":20,"epoch_s":13,"lr":0.001}` + "\n", epoch{1, 164.51, 127.2, 13.92}, false},
		{"empty", "", epoch{}, true},
		{"text, not JSON", "epoch 1 train_loss 164.2 test_loss 127.9 epoch_s 18.00\n", epoch{}, true},
		{"not an epoch", `{"status":"ok"}`, epoch{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readTrainJSON(strings.NewReader(tc.in))
			if (err != nil) != tc.err {
				t.Fatalf("error %v, want error %v", err, tc.err)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

// benchEvents is go test -json -bench Step's output as Go 1.27 writes it,
// the vae's result line in two pieces.
const benchEvents = `{"Action":"start","Package":"vaeplay/model"}
{"Action":"output","Package":"vaeplay/model","Output":"goos: linux\n"}
{"Action":"run","Package":"vaeplay/model","Test":"BenchmarkStep"}
{"Action":"output","Package":"vaeplay/model","Test":"BenchmarkStep","Output":"=== RUN   BenchmarkStep\n","OutputType":"frame"}
{"Action":"output","Package":"vaeplay/model","Test":"BenchmarkStep","Output":"BenchmarkStep\n"}
{"Action":"output","Package":"vaeplay/model","Test":"BenchmarkStep/vae","Output":"BenchmarkStep/vae\n"}
{"Action":"output","Package":"vaeplay/model","Test":"BenchmarkStep/vae","Output":"BenchmarkStep/vae-2         \t"}
{"Action":"output","Package":"vaeplay/model","Test":"BenchmarkStep/vae","Output":"      40\t  27300000 ns/op\t      4690 images/s\n"}
{"Action":"output","Package":"vaeplay/model","Test":"BenchmarkStep/cvae","Output":"BenchmarkStep/cvae-2        \t      40\t  28000000 ns/op\t      4571 images/s\n"}
{"Action":"output","Package":"vaeplay/model","Test":"BenchmarkDecode","Output":"BenchmarkDecode-2 \t 40\t 200000 ns/op\n"}
{"Action":"output","Package":"vaeplay/model","Output":"PASS\n","OutputType":"frame"}
{"Action":"pass","Package":"vaeplay/model","Elapsed":0.514}
`

func TestReadBenchJSON(t *testing.T) {
	results, err := readBenchJSON(strings.NewReader(benchEvents))
	if err != nil {
		t.Fatal(err)
	}
	if got := results["BenchmarkDecode"]["ns/op"]; got != 200000 {
		t.Errorf("BenchmarkDecode: %v ns/op, want 200000 (all results: %v)", got, results)
	}
	steps, err := stepResults(results)
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != 2 || steps["vae"] != (stepBench{27.3, 4690}) || steps["cvae"] != (stepBench{28, 4571}) {
		t.Errorf("got %+v", steps)
	}
	for _, bad := range []string{
		"",
		"BenchmarkStep/vae-2 40 27300000 ns/op 4690 images/s\n", // text, not JSON
		`{"Action":"output","Test":"BenchmarkStep/vae","Output":"BenchmarkStep/vae-2 40 x ns/op\n"}`,
	} {
		if r, err := readBenchJSON(strings.NewReader(bad)); err == nil {
			t.Errorf("readBenchJSON(%q) = %v, want an error", bad, r)
		}
	}
	only, err := readBenchJSON(strings.NewReader(`{"Action":"output","Test":"BenchmarkDecode","Output":"BenchmarkDecode-2 40 200000 ns/op\n"}`))
	if err != nil {
		t.Fatal(err)
	}
	if s, err := stepResults(only); err == nil {
		t.Errorf("stepResults without BenchmarkStep = %v, want an error", s)
	}
}

func TestPeakFromCPUInfo(t *testing.T) {
	const vm = "processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Processor\ncpu MHz\t\t: 2000.000\nsiblings\t: 2\ncpu cores\t: 2\nflags\t\t: fpu sse2 avx avx2 fma avx512f\n\nprocessor\t: 1\nmodel name\t: Intel(R) Xeon(R) Processor\ncpu MHz\t\t: 2000.000\nsiblings\t: 2\ncpu cores\t: 2\nflags\t\t: fpu sse2 avx avx2 fma avx512f\n"
	const ht = "processor : 0\nmodel name : Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz\ncpu MHz : 800.0\nsiblings : 2\ncpu cores : 1\nflags : sse2 avx2 fma\nprocessor : 1\nmodel name : Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz\nsiblings : 2\ncpu cores : 1\nflags : sse2 avx2 fma\n"
	for _, tc := range []struct {
		name, in string
		numCPU   int
		gflops   float64
		err      bool
	}{
		{"avx512 vm", vm, 2, 2 * 2.0 * 32, false},
		{"one cpu allowed", vm, 1, 2.0 * 32, false},
		{"hyper-threads share a core", ht, 2, 3.2 * 16, false},
		{"sse2 only", "processor : 0\ncpu MHz : 1000\nflags : sse2\n", 1, 1.0 * 4, false},
		{"no flags", "processor : 0\ncpu MHz : 1000\n", 1, 0, true},
		{"no clock", "processor : 0\nflags : avx2 fma\n", 1, 0, true},
		{"empty", "", 1, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := peakFromCPUInfo(tc.in, tc.numCPU)
			if (err != nil) != tc.err {
				t.Fatalf("error %v, want error %v", err, tc.err)
			}
			if !tc.err && (math.Abs(p.gflops64-tc.gflops) > 1e-9 || p.gf32 != 2*p.gflops64) {
				t.Errorf("peak %g (float32 %g) GFLOP/s, want %g: %+v", p.gflops64, p.gf32, tc.gflops, p)
			}
		})
	}
}

// TestFlopsPerImage counts the default recipe's products by hand: forward
// and weight gradient of every layer, input gradient of all but enc.fc1.
func TestFlopsPerImage(t *testing.T) {
	got, err := flopsPerImage(model.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	mn := func(in, out int) float64 { return float64(2 * in * out) }
	all := mn(784, 400) + 2*mn(400, 20) + mn(20, 400) + mn(400, 784)
	if want := 2*all + all - mn(784, 400); got != want {
		t.Errorf("%g FLOPs per image, want %g", got, want)
	}
}

func TestSummary(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		stepFile:  benchEvents,
		trainFile: `{"epoch":1,"train_loss":164.5,"test_loss":127.2,"test_recon":1,"test_kl":2,"epoch_s":12,"lr":0.001}` + "\n",
		torchFile: "epoch 1 train_loss 164.2 test_loss 127.9 epoch_s 16.00\n",
		webFile:   `{"single_ms": 0.4, "grid_ms": 30, "tfjs_single_ms": 0.13, "tfjs_grid_ms": 5, "wasm_mb": 3.2, "weights_mb": 2.3, "first_digit_ms": 1400, "fps_held": 60, "fps_readings": [60, 61], "ebiten_floor_mb": 2.45, "fps_floor": 60, "load": "1.00 1.00 1.00", "half_cost_nats": [0.0001, -0.0002]}`,
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if err := summary(&out, dir); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{
		"0.75x", // epoch ratio 12/16
		"MISSED",
		"0.400 ms",
		"5.50 MB",
		"1400 ms",
		"+0.0001, -0.0002 nats",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "n/a") {
		t.Errorf("summary has n/a with every file present:\n%s", s)
	}

	// Without the peer, its figures are n/a and the reason is given.
	if err := os.WriteFile(filepath.Join(dir, torchFile), []byte("peer: Debian's python3-torch not installed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := summary(&out, dir); err != nil {
		t.Fatal(err)
	}
	if s := out.String(); !strings.Contains(s, "n/a") || !strings.Contains(s, "python3-torch not installed") {
		t.Errorf("summary without the peer:\n%s", s)
	}
}

func TestBusyMachine(t *testing.T) {
	for _, tc := range []struct {
		web, train string
		busy       bool
	}{
		{"0.40 0.30 0.20", "2.05 1.77 1.65", false}, // the trainers' own load
		{"1.73 1.68 1.62", "2.90 2.10 1.90", false},
		{"2.60 2.10 1.90", "2.05 1.77 1.65", true}, // busy while the browser ran
		{"0.40 0.30 0.20", "3.50 3.00 2.50", true}, // someone else beside the trainers
		{"", "", false},
		{"garbage", "n/a", false},
	} {
		if busy, _ := busyMachine(tc.web, tc.train, 2); busy != tc.busy {
			t.Errorf("busyMachine(%q, %q, 2) = %v, want %v", tc.web, tc.train, busy, tc.busy)
		}
	}
}

func TestDecoderShape(t *testing.T) {
	for _, tc := range []struct {
		hidden          []int
		latent, classes int
		want            string
	}{
		{[]int{400, 300}, 2, 10, "12-300-400-784"},
		{[]int{400}, 20, 0, "20-400-784"},
	} {
		cfg := model.DefaultConfig()
		cfg.Hidden, cfg.Latent, cfg.Classes = tc.hidden, tc.latent, tc.classes
		m, err := model.New(cfg, rand.New(rand.NewPCG(1, 2)))
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := model.Save(&buf, m, nil); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "cvae.safetensors")
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := decoderShape(path); got != tc.want {
			t.Errorf("decoderShape of %v latent %d classes %d = %q, want %q", tc.hidden, tc.latent, tc.classes, got, tc.want)
		}
	}
	if got := decoderShape(filepath.Join(t.TempDir(), "missing")); !strings.Contains(got, "no such file") {
		t.Errorf("decoderShape of a missing file = %q, want the error", got)
	}
}
