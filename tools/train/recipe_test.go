package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vaeplay/model"
	"vaeplay/tools/internal/mnist"
)

func TestLRSchedule(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    recipe
		want map[int]float64 // epoch -> learning rate
	}{
		{"default", recipe{LR: 1e-3}, map[int]float64{0: 1e-3, 7: 1e-3, 99: 1e-3}},
		{"constant", recipe{LR: 2e-3, Schedule: scheduleConstant}, map[int]float64{0: 2e-3, 50: 2e-3}},
		{"exp", recipe{LR: 1e-3, Schedule: scheduleExp, LRGamma: 0.5}, map[int]float64{0: 1e-3, 1: 5e-4, 3: 1.25e-4}},
		{"cosine", recipe{LR: 1e-3, Schedule: scheduleCosine, LRMin: 1e-4, Epochs: 10},
			map[int]float64{0: 1e-3, 5: 5.5e-4, 10: 1e-4}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for e, want := range tc.want {
				if got := tc.r.lrAt(e); math.Abs(got-want) > 1e-15 {
					t.Errorf("epoch %d: lr %v, want %v", e, got, want)
				}
			}
		})
	}
}

// TestRecipeErrors checks the new settings' bad values, each named.
func TestRecipeErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(*options)
		want string
	}{
		{"negative valid", func(o *options) { o.valid = -1 }, "-valid -1"},
		{"negative patience", func(o *options) { o.valid, o.patience = 100, -2 }, "-patience -2"},
		{"patience without validation", func(o *options) { o.patience = 3 }, "needs a validation split"},
		{"unknown schedule", func(o *options) { o.schedule = "linear" }, `-lr-schedule "linear"`},
		{"exp without decay", func(o *options) { o.schedule, o.lrGamma = scheduleExp, 0 }, "-lr-gamma 0"},
		{"exp growing", func(o *options) { o.schedule, o.lrGamma = scheduleExp, 1.5 }, "-lr-gamma 1.5"},
		{"cosine floor above lr", func(o *options) { o.schedule, o.lrMin = scheduleCosine, 0.1 }, "-lr-min 0.1"},
		{"unknown data set", func(o *options) { o.dataset = "cifar" }, `unknown data set "cifar"`},
		{"validation as large as the data", func(o *options) { o.data, o.valid = smallMNIST().write(t), 2560 }, "-valid 2560: the training set has only 2560 images"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := options{
				config: model.DefaultConfig(), epochs: 1, batch: 128, lr: 1e-3, seed: 1,
				data: t.TempDir(), out: filepath.Join(t.TempDir(), "vae.safetensors"),
			}
			tt.edit(&opts)
			err := run(context.Background(), opts, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestBinarizeBatch checks dynamic binarization on real digits: binary
// pixels, as much ink on average as the grey values hold, the same pixels
// for the same seed and epoch, and new ones each epoch.
func TestBinarizeBatch(t *testing.T) {
	set, err := mnist.Load(dataDir(t), mnist.Test)
	if err != nil {
		t.Fatal(err)
	}
	idx := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 500, 9999}
	grey, _ := set.Batch(idx)
	draw := func(seed uint64, epoch int) []float32 {
		x, _ := set.Batch(idx)
		binarizeBatch(x, idx, seed, epoch)
		return x.Data
	}
	a := draw(1, 0)
	var greySum, binSum float64
	for i, v := range a {
		if v != 0 && v != 1 {
			t.Fatalf("pixel %d is %v after binarization", i, v)
		}
		greySum += float64(grey.Data[i])
		binSum += float64(v)
	}
	// About 1,300 ink pixels: the sum of Bernoulli draws is within a few
	// standard deviations (sqrt of about 1,300 · 1/4) of its mean.
	if math.Abs(binSum-greySum) > 5*math.Sqrt(greySum/4) {
		t.Errorf("binarized batch has %v ink pixels, its grey values sum to %v", binSum, greySum)
	}
	for _, tc := range []struct {
		name  string
		seed  uint64
		epoch int
		same  bool
	}{
		{"same seed and epoch", 1, 0, true},
		{"next epoch", 1, 1, false},
		{"other seed", 2, 0, false},
	} {
		b := draw(tc.seed, tc.epoch)
		if got := slicesEqual(a, b); got != tc.same {
			t.Errorf("%s: equal pixels %v, want %v", tc.name, got, tc.same)
		}
	}
}

func slicesEqual(a, b []float32) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return len(a) == len(b)
}

// TestResumeIsExactWithRecipe is TestResumeIsExact with every new option
// on: dynamic binarization, a validation split, a schedule, the
// importance-weighted bound and a KL warm-up, interrupted in the middle of
// the second epoch (inside the warm-up).
func TestResumeIsExactWithRecipe(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on MNIST")
	}
	opts := quickOptions(t, "cvae")
	opts.limit, opts.epochs = 1280, 3
	opts.binarize, opts.valid, opts.patience = true, 1000, 5
	opts.schedule, opts.lrMin = scheduleCosine, 1e-4
	opts.iwae, opts.warmup = 3, 2
	if err := run(context.Background(), opts, io.Discard); err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(opts.out)

	interrupted := opts
	interrupted.out = filepath.Join(t.TempDir(), "cvae.safetensors")
	ctx, cancel := context.WithCancel(context.Background())
	interrupted.faultLoss = func(epoch, batch int, loss float64) float64 {
		if epoch == 1 && batch == 4 {
			cancel()
		}
		return loss
	}
	if err := run(ctx, interrupted, io.Discard); err == nil {
		t.Fatal("interrupted run returned no error")
	}
	s, err := loadCheckpoint(checkpointPath(interrupted.out))
	if err != nil || s.Epoch != 1 || s.Batch != 5 || s.Best == nil {
		t.Fatalf("checkpoint of the interrupted run: %v, %+v", err, s)
	}
	resumed := interrupted
	resumed.faultLoss = nil
	resumed.resume = checkpointPath(interrupted.out)
	if err := run(context.Background(), resumed, io.Discard); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(interrupted.out)
	sameWeights(t, want, got)
}

// sameWeights fails unless the two weights files hold bitwise equal
// parameters.
func sameWeights(t *testing.T, want, got []byte) {
	t.Helper()
	wm, _, err1 := model.Load(want)
	gm, _, err2 := model.Load(got)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	wp, gp := wm.Params(), gm.Params()
	for i := range wp {
		for j := range wp[i].Data {
			if wp[i].Data[j] != gp[i].Data[j] {
				t.Fatalf("%s[%d]: %v, want %v", wp[i].Name, j, gp[i].Data[j], wp[i].Data[j])
			}
		}
	}
}

// TestEarlyStopping scripts the validation losses and checks when training
// stops and which epoch's weights it writes, also after a resume.
func TestEarlyStopping(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for a few seconds")
	}
	data := smallMNIST().write(t)
	base := options{
		config: model.DefaultConfig(), batch: 128, lr: 1e-3, seed: 1,
		data: data, limit: 1024, valid: 512,
	}
	for _, tc := range []struct {
		name      string
		losses    []float64 // scripted validation loss of each epoch
		patience  int
		epochs    int
		wantRun   int // epochs trained
		wantBest  int // epoch whose weights are written
		wantEarly bool
	}{
		{"stops after patience", []float64{5, 4, 6, 7, 3, 2}, 2, 6, 4, 2, true},
		{"improvement resets patience", []float64{5, 4, 6, 3, 7, 2}, 2, 6, 6, 6, false},
		{"no patience keeps the best", []float64{5, 4, 6, 7}, 0, 4, 4, 2, false},
		{"last is best", []float64{5, 4, 3}, 1, 3, 3, 3, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := base
			opts.epochs, opts.patience = tc.epochs, tc.patience
			opts.out = filepath.Join(t.TempDir(), "vae.safetensors")
			opts.faultValid = func(epoch int, _ float64) float64 { return tc.losses[epoch] }
			var out bytes.Buffer
			if err := run(context.Background(), opts, &out); err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(out.String(), "early stop"); got != tc.wantEarly {
				t.Errorf("early stop reported %v, want %v:\n%s", got, tc.wantEarly, out.String())
			}
			rows := readCSV(t, logPath(opts.out))
			if len(rows)-1 != tc.wantRun {
				t.Errorf("log has %d epochs, want %d", len(rows)-1, tc.wantRun)
			}
			got, _ := os.ReadFile(opts.out)
			_, meta, err := model.Load(got)
			if err != nil {
				t.Fatal(err)
			}
			var metrics struct {
				Epoch     int      `json:"epoch"`
				EpochsRun int      `json:"epochs_run"`
				ValidLoss *float64 `json:"valid_loss"`
			}
			json.Unmarshal([]byte(meta["metrics"]), &metrics)
			if metrics.Epoch != tc.wantBest || metrics.EpochsRun != tc.wantRun || metrics.ValidLoss == nil || *metrics.ValidLoss != tc.losses[tc.wantBest-1] {
				t.Errorf("metrics %s, want epoch %d of %d", meta["metrics"], tc.wantBest, tc.wantRun)
			}

			// The same training for wantBest epochs, without validation:
			// the training images and noise are the same, so the weights
			// must be bit for bit those written.
			ref := base
			ref.valid, ref.epochs = 0, tc.wantBest
			ref.out = filepath.Join(t.TempDir(), "ref.safetensors")
			if err := run(context.Background(), ref, io.Discard); err != nil {
				t.Fatal(err)
			}
			want, _ := os.ReadFile(ref.out)
			sameWeights(t, want, got)

			// Resuming a finished or stopped run trains no more and writes
			// the same weights.
			again := opts
			again.resume, again.out = checkpointPath(opts.out), filepath.Join(t.TempDir(), "again.safetensors")
			var out2 bytes.Buffer
			if err := run(context.Background(), again, &out2); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(out2.String(), "epoch "+string(rune('0'+tc.wantRun+1))+" train_loss") {
				t.Errorf("the resumed run trained on:\n%s", out2.String())
			}
			got2, _ := os.ReadFile(again.out)
			sameWeights(t, want, got2)
		})
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestDeeperAndFashion trains a short epoch of a model with two hidden
// layers on Fashion-MNIST and of one on binarized MNIST, and checks that
// the weights load, decode, and carry the data set's class names.
func TestDeeperAndFashion(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on real data")
	}
	fashion := filepath.Join("..", "..", ".cache", "fashion-mnist")
	if _, err := os.Stat(filepath.Join(fashion, "train-images-idx3-ubyte.gz")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Fashion-MNIST missing in %s under CI", fashion)
		}
		t.Skipf("Fashion-MNIST missing in %s (go run ./tools/getdata -fashion)", fashion)
	}
	for _, tc := range []struct {
		name, dataset, data, first string
		hidden                     []int
		binarize                   bool
		bound                      float64 // test loss after the short epoch
	}{
		// An untrained model scores about 545 nats on MNIST.
		{"mnist 500-500 binarized", mnist.MNIST, dataDir(t), "0", []int{500, 500}, true, 230},
		{"fashion 500-500", mnist.FashionMNIST, fashion, "T-shirt/top", []int{500, 500}, false, 350},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := quickOptions(t, "cvae")
			opts.config.Hidden = tc.hidden
			opts.dataset, opts.data, opts.binarize, opts.limit = tc.dataset, tc.data, tc.binarize, 6400
			if err := run(context.Background(), opts, io.Discard); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(opts.out)
			if err != nil {
				t.Fatal(err)
			}
			m, meta, err := model.Load(data)
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Decoder) != 2 || len(m.Encoder) != 2 {
				t.Errorf("loaded %d encoder and %d decoder layers, want 2 each", len(m.Encoder), len(m.Decoder))
			}
			checkAnnotations(t, m, meta, tc.dataset, tc.first, !tc.binarize)
			var metrics struct {
				TestLoss float64 `json:"test_loss"`
			}
			json.Unmarshal([]byte(meta["metrics"]), &metrics)
			if !(metrics.TestLoss < tc.bound) {
				t.Errorf("test loss %v after a short epoch, want below %v", metrics.TestLoss, tc.bound)
			}
			img := m.Sample(1, 3, 1, rand.New(rand.NewPCG(1, 1)))
			if r, c := img.Rows, img.Cols; r != 1 || c != 784 {
				t.Errorf("sample is %dx%d", r, c)
			}
		})
	}
}
