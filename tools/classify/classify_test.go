package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vaeplay/model/classifier"
	"vaeplay/model/nn"
	"vaeplay/tools/internal/mnist"
)

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

func TestShift(t *testing.T) {
	src := []float32{
		1, 2, 3,
		4, 5, 6,
		7, 8, 9,
	}
	for _, tc := range []struct {
		dx, dy int
		want   []float32
	}{
		{0, 0, src},
		{1, 0, []float32{0, 1, 2, 0, 4, 5, 0, 7, 8}},
		{0, -1, []float32{4, 5, 6, 7, 8, 9, 0, 0, 0}},
		{-2, 2, []float32{0, 0, 0, 0, 0, 0, 3, 0, 0}},
		{3, 0, make([]float32, 9)},
	} {
		dst := make([]float32, 9)
		shift(dst, src, 3, tc.dx, tc.dy)
		for i := range dst {
			if dst[i] != tc.want[i] {
				t.Errorf("shift by (%d, %d) = %v, want %v", tc.dx, tc.dy, dst, tc.want)
				break
			}
		}
	}
}

// TestTrainsOnMNIST trains on 3,200 real digits for one epoch: the network
// must label most test digits right (an untrained one gets about a tenth),
// and the weights must load and predict the same.
func TestTrainsOnMNIST(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on MNIST")
	}
	o := options{epochs: 1, batch: 64, lr: 1e-3, gamma: 0.5, shift: 2, seed: 1, data: dataDir(t), limit: 3200,
		out: filepath.Join(t.TempDir(), "classifier.safetensors")}
	var out bytes.Buffer
	if err := run(o, &out); err != nil {
		t.Fatal(err)
	}
	t.Log(strings.TrimSpace(out.String()))
	data, err := os.ReadFile(o.out)
	if err != nil {
		t.Fatal(err)
	}
	net, meta, err := classifier.Load(data)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(meta["metrics"], `"test_accuracy"`) {
		t.Errorf("metrics %q lack the test accuracy", meta["metrics"])
	}
	if !strings.Contains(out.String(), "test_accuracy 0.") {
		t.Fatalf("no accuracy printed")
	}
	// 3,200 images and one epoch reach about 0.8; chance is 0.1.
	var acc float64
	_, after, _ := strings.Cut(out.String(), "test_accuracy ")
	if _, err := fmt.Sscan(after, &acc); err != nil || acc < 0.6 {
		t.Errorf("test accuracy %v (%v), want above 0.6", acc, err)
	}
	x := nn.NewMatrix[float32](1, 784, nil)
	for i := range x.Data {
		x.Data[i] = rand.Float32()
	}
	if _, err := net.Predict(x); err != nil {
		t.Error(err)
	}
	if _, err := os.Stat(logPath(o.out)); err != nil {
		t.Errorf("no log: %v", err)
	}
}

func TestOptionErrors(t *testing.T) {
	good := options{epochs: 1, batch: 64, lr: 1e-3, gamma: 0.5, shift: 2, seed: 1, data: t.TempDir(), out: filepath.Join(t.TempDir(), "c.safetensors")}
	for _, tc := range []struct {
		name string
		edit func(*options)
		want string
	}{
		{"no epochs", func(o *options) { o.epochs = 0 }, "-epochs 0"},
		{"zero batch", func(o *options) { o.batch = 0 }, "-batch 0"},
		{"negative lr", func(o *options) { o.lr = -1 }, "-lr -1"},
		{"growing lr", func(o *options) { o.gamma = 2 }, "-lr-gamma 2"},
		{"large shift", func(o *options) { o.shift = 20 }, "-shift 20"},
		{"negative limit", func(o *options) { o.limit = -3 }, "-limit -3"},
		{"missing data", func(*options) {}, "train-images-idx3-ubyte"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := good
			tc.edit(&o)
			err := run(o, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
			if _, err := os.Stat(o.out); err == nil {
				t.Error("weights written despite the error")
			}
		})
	}
}

// TestShippedClassifier checks the weights in the repository against the
// promise tools/eval relies on: at least 99% of the MNIST test digits
// labelled right.
func TestShippedClassifier(t *testing.T) {
	if testing.Short() {
		t.Skip("classifies the MNIST test set")
	}
	raw, err := os.ReadFile(filepath.Join("..", "..", "weights", "classifier.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	net, _, err := classifier.Load(raw)
	if err != nil {
		t.Fatal(err)
	}
	test, err := mnist.Load(dataDir(t), mnist.Test)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := accuracy(net, test)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("test accuracy %.4f", acc)
	if acc < 0.99 {
		t.Errorf("the shipped classifier labels %.2f%% of the test digits right, want at least 99%%", 100*acc)
	}
}
