// Sitedata writes the site's files of digits from the verified MNIST IDX
// files: the first -train training images and the first -test test images,
// each as a file in the format of vaeplay/wasm/digitfile, which the widget's
// panels fetch when they need real digits (training in the page, completion).
//
//	go run ./tools/sitedata -data .cache/mnist -out build/site/data
//
// writes mnist-train.digits and mnist-test.digits in -out. make site runs
// it; the files are never committed.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"vaeplay/tools/internal/atomicfile"
	"vaeplay/tools/internal/mnist"
	"vaeplay/wasm/digitfile"
)

func main() {
	data := flag.String("data", ".cache/mnist", "folder with the verified MNIST IDX files (make data)")
	out := flag.String("out", "build/site/data", "folder to write mnist-train.digits and mnist-test.digits in")
	train := flag.Int("train", 10000, "training images to write, the first of the training set")
	test := flag.Int("test", 1000, "test images to write, the first of the test set")
	flag.Parse()
	if err := run(*data, *out, *train, *test); err != nil {
		fmt.Fprintln(os.Stderr, "sitedata:", err)
		os.Exit(1)
	}
}

func run(data, out string, train, test int) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for _, f := range []struct {
		split mnist.Split
		n     int
		name  string
	}{{mnist.Train, train, "mnist-train.digits"}, {mnist.Test, test, "mnist-test.digits"}} {
		set, err := mnist.Load(data, f.split)
		if err != nil {
			return err
		}
		if f.n < 1 || f.n > set.N {
			return fmt.Errorf("%s: %d images asked for, the set has %d", f.name, f.n, set.N)
		}
		labels := make([]uint8, f.n)
		pixels := make([]byte, 0, f.n*set.Pixels())
		for i := range f.n {
			labels[i] = uint8(set.Labels[i])
			for _, v := range set.Image(i) {
				// The set holds p/255; this gives back p exactly.
				pixels = append(pixels, byte(v*255+0.5))
			}
		}
		var b bytes.Buffer
		if err := digitfile.Write(&b, set.Rows, set.Cols, mnist.Classes, labels, pixels); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
		path := filepath.Join(out, f.name)
		if err := atomicfile.Write(path, func(w io.Writer) error { _, err := w.Write(b.Bytes()); return err }); err != nil {
			return err
		}
		fmt.Printf("sitedata: %s: %d images, %d bytes\n", path, f.n, b.Len())
	}
	return nil
}
