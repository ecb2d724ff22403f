package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"vaeplay/tools/internal/mnist"
	"vaeplay/wasm/digitfile"
)

// TestWritesWhatMNISTHolds writes small files from the real MNIST files
// and reads them back: the same labels and the same grey values, to the
// bit, as the trainer reads from the IDX files.
func TestWritesWhatMNISTHolds(t *testing.T) {
	data := filepath.Join("..", "..", ".cache", "mnist")
	if _, err := os.Stat(filepath.Join(data, "t10k-images-idx3-ubyte")); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("MNIST missing in %s under CI (make data)", data)
		}
		t.Skipf("MNIST missing in %s (make data)", data)
	}
	out := t.TempDir()
	if err := run(data, out, 30, 20); err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		split mnist.Split
		name  string
		n     int
	}{{mnist.Train, "mnist-train.digits", 30}, {mnist.Test, "mnist-test.digits", 20}} {
		raw, err := os.ReadFile(filepath.Join(out, f.name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := digitfile.Read(raw)
		if err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		want, err := mnist.Load(data, f.split)
		if err != nil {
			t.Fatal(err)
		}
		if got.N() != f.n || !slices.Equal(got.Labels, want.Labels[:f.n]) {
			t.Errorf("%s: %d images, labels %v", f.name, got.N(), got.Labels)
		}
		for i := range f.n {
			if !slices.Equal(got.Image(i), want.Image(i)) {
				t.Fatalf("%s: image %d differs from the IDX file's", f.name, i)
			}
		}
	}
	if err := run(data, out, 70000, 1); err == nil {
		t.Error("asking for more images than the set has: no error")
	}
}
