package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vaeplay/model"
)

// dataDir returns the MNIST cache filled by `make data`. Without it the
// real-data tests are skipped, except under CI, where they must run.
func dataDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", ".cache", "mnist")
	if _, err := os.Stat(filepath.Join(dir, "train-images-idx3-ubyte")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("MNIST missing in %s under CI: run make data first", dir)
		}
		t.Skipf("MNIST missing in %s (make data)", dir)
	}
	return dir
}

func quickOptions(t *testing.T, kind string) options {
	cfg := model.DefaultConfig()
	if kind == "cvae" {
		cfg.Classes = 10
	}
	return options{
		config: cfg, epochs: 1, batch: 128, lr: 1e-3, seed: 1,
		data: dataDir(t), out: filepath.Join(t.TempDir(), kind+".safetensors"), limit: 12800,
	}
}

// TestTrainLearns trains briefly on real MNIST and bounds the test loss. An
// untrained model scores about 545 nats and a decoder that learned only the
// mean image about 206; 100 steps reach 184 (VAE) and 180 (CVAE) with seed 1,
// so a broken gradient or update fails here.
func TestTrainLearns(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on MNIST")
	}
	for _, tt := range []struct {
		kind  string
		bound float64
	}{{"vae", 195}, {"cvae", 192}} {
		t.Run(tt.kind, func(t *testing.T) {
			opts := quickOptions(t, tt.kind)
			var out bytes.Buffer
			if err := run(context.Background(), opts, &out); err != nil {
				t.Fatal(err)
			}
			t.Log(strings.TrimSpace(out.String()))
			data, err := os.ReadFile(opts.out)
			if err != nil {
				t.Fatal(err)
			}
			m, meta, err := model.Load(data)
			if err != nil {
				t.Fatalf("the trainer wrote weights that do not load: %v", err)
			}
			if m.Config.Classes != opts.config.Classes {
				t.Errorf("weights have %d classes, want %d", m.Config.Classes, opts.config.Classes)
			}
			if !strings.Contains(meta["metrics"], `"test_loss"`) {
				t.Errorf("metrics metadata %q lacks test_loss", meta["metrics"])
			}
			s, err := loadCheckpoint(checkpointPath(opts.out))
			if err != nil {
				t.Fatal(err)
			}
			if got := s.History[0].TestLoss; got > tt.bound {
				t.Errorf("test loss after one short epoch %.2f nats, want below %.0f", got, tt.bound)
			}
			if _, err := os.Stat(logPath(opts.out)); err != nil {
				t.Errorf("no per-epoch log: %v", err)
			}
			checkAnnotations(t, m, meta, "mnist", "0", true)
		})
	}
}

// checkAnnotations checks the metadata the widget reads: per-latent KL
// summing to the last epoch's test KL (which is measured with noise, but the
// KL term does not depend on it), ascending score percentiles around the
// test loss, the data set and its class names. The annotations are measured
// on grey test images, so the comparisons with the test loss hold only when
// it was measured on grey images too.
func checkAnnotations(t *testing.T, m *model.Model, meta model.Metadata, dataset, firstClass string, grey bool) {
	t.Helper()
	kl, ok, err := model.ParseLatentKL(meta, m.Config.Latent)
	if err != nil || !ok {
		t.Fatalf("latent_kl %q: ok %v, %v", meta[model.LatentKLKey], ok, err)
	}
	var metrics struct {
		TestLoss float64 `json:"test_loss"`
		TestKL   float64 `json:"test_kl"`
	}
	if err := json.Unmarshal([]byte(meta["metrics"]), &metrics); err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, v := range kl {
		if !(v >= 0) {
			t.Errorf("latent_kl has %v", v)
		}
		sum += v
	}
	if !grey {
		metrics.TestKL = sum
	}
	// The KL at z = mu and the test loss's KL are the same sum, computed in
	// float32 in two orders.
	if math.Abs(sum-metrics.TestKL) > 1e-3*metrics.TestKL {
		t.Errorf("latent_kl sums to %v, the test KL is %v", sum, metrics.TestKL)
	}
	ps, ok, err := model.ParseNELBOPercentiles(meta)
	if err != nil || !ok {
		t.Fatalf("nelbo_percentiles %q: ok %v, %v", meta[model.NELBOPercentilesKey], ok, err)
	}
	// The scores at z = mu and the sampled test loss measure nearly the
	// same thing on the same images: the latter lies within their range and
	// near their median.
	if grey && !(ps[0] < metrics.TestLoss && metrics.TestLoss < ps[100] && ps[50] > metrics.TestLoss/2 && ps[50] < 2*metrics.TestLoss) {
		t.Errorf("score percentiles 0, 50, 100: %v, %v, %v; test loss %v", ps[0], ps[50], ps[100], metrics.TestLoss)
	}
	if meta[model.DatasetKey] != dataset {
		t.Errorf("dataset %q, want %q", meta[model.DatasetKey], dataset)
	}
	var names []string
	if err := json.Unmarshal([]byte(meta[model.ClassNamesKey]), &names); err != nil || len(names) != 10 || names[0] != firstClass {
		t.Errorf("class_names %q (%v), want 10 names starting %q", meta[model.ClassNamesKey], err, firstClass)
	}
}

// TestResumeIsExact interrupts a run mid-epoch and checks that resuming from
// its checkpoint gives bit for bit the weights of an uninterrupted run.
func TestResumeIsExact(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on MNIST")
	}
	opts := quickOptions(t, "vae")
	opts.limit = 1280
	opts.epochs = 2
	if err := run(context.Background(), opts, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(opts.out)

	interrupted := opts
	interrupted.out = filepath.Join(t.TempDir(), "vae.safetensors")
	ctx, cancel := context.WithCancel(context.Background())
	w := &cancelAfter{lines: 2, cancel: cancel} // cancel after the start line and epoch 1's line
	if err := run(ctx, interrupted, w); err == nil {
		t.Fatal("interrupted run returned no error")
	}
	resumed := interrupted
	resumed.resume = checkpointPath(interrupted.out)
	if err := run(context.Background(), resumed, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(interrupted.out)
	wm, _, err1 := model.Load(want)
	gm, _, err2 := model.Load(got)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	wp, gp := wm.Params(), gm.Params()
	for i := range wp {
		for j := range wp[i].Data {
			if wp[i].Data[j] != gp[i].Data[j] {
				t.Fatalf("%s[%d]: resumed %v, uninterrupted %v", wp[i].Name, j, gp[i].Data[j], wp[i].Data[j])
			}
		}
	}
}

// cancelAfter cancels a context once it has seen the given number of lines.
type cancelAfter struct {
	lines  int
	cancel func()
}

func (c *cancelAfter) Write(p []byte) (int, error) {
	c.lines -= bytes.Count(p, []byte("\n"))
	if c.lines <= 0 {
		c.cancel()
	}
	return len(p), nil
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(*options)
		want string
	}{
		{"missing data", func(o *options) { o.data = t.TempDir() }, "train-images-idx3-ubyte"},
		{"wrong image size", func(o *options) { o.config.Input = 100 }, "the model takes 100"},
		{"resume from garbage", func(o *options) {
			p := filepath.Join(t.TempDir(), "x.ckpt.safetensors")
			os.WriteFile(p, []byte("not a checkpoint"), 0o644)
			o.resume = p
		}, "resume"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := quickOptions(t, "vae")
			tt.edit(&opts)
			err := run(context.Background(), opts, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one mentioning %q", err, tt.want)
			}
			if _, statErr := os.Stat(opts.out); statErr == nil {
				t.Errorf("%s was written despite the error", opts.out)
			}
		})
	}
}

// TestNaNKeepsLastCheckpoint makes the loss NaN in the middle of the second
// epoch: the run must stop naming the epoch, the batch and the checkpoint of
// epoch 1, which must be the one epoch 1 wrote, byte for byte.
func TestNaNKeepsLastCheckpoint(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for a second")
	}
	for _, bad := range []float64{math.NaN(), math.Inf(1)} {
		t.Run(fmt.Sprint(bad), func(t *testing.T) {
			opts := options{
				config: model.DefaultConfig(), epochs: 3, batch: 128, lr: 1e-3, seed: 1,
				data: smallMNIST().write(t), out: filepath.Join(t.TempDir(), "vae.safetensors"),
			}
			var afterEpoch1 []byte
			opts.faultLoss = func(epoch, batch int, loss float64) float64 {
				if epoch == 1 && batch == 0 {
					afterEpoch1, _ = os.ReadFile(checkpointPath(opts.out))
				}
				if epoch == 1 && batch == 5 {
					return bad
				}
				return loss
			}
			err := run(context.Background(), opts, &bytes.Buffer{})
			want := fmt.Sprintf("epoch 2 batch 6: loss is %v; stopped without writing %s; last good checkpoint: %s", bad, opts.out, checkpointPath(opts.out))
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("error %v, want one containing %q", err, want)
			}
			got, _ := os.ReadFile(checkpointPath(opts.out))
			if len(afterEpoch1) == 0 || !bytes.Equal(got, afterEpoch1) {
				t.Error("the checkpoint is not the one epoch 1 wrote")
			}
			if s, err := loadCheckpoint(checkpointPath(opts.out)); err != nil || s.Epoch != 1 {
				t.Errorf("checkpoint: %v (epoch %v)", err, s)
			}
			if _, err := os.Stat(opts.out); err == nil {
				t.Error("weights written despite the NaN")
			}
		})
	}
}
