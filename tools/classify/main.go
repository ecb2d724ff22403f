// Command classify trains the project's digit classifier (package
// vaeplay/model/classifier) on MNIST and writes its weights, which
// tools/eval uses to measure whether CVAE samples show the digit asked for.
//
//	go run ./tools/classify -out weights/classifier.safetensors
//
// Each epoch shows every training image once, shifted by a random whole
// number of pixels (up to -shift in each direction; the digits are centred
// by their centre of mass, so small shifts are the variation the test set
// has). Adam's learning rate decays by -lr-gamma each epoch. It prints the
// training loss and accuracy and the test accuracy per epoch, and logs them
// as CSV beside the weights. Training is deterministic given -seed.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
)

func main() {
	o := options{}
	flag.IntVar(&o.epochs, "epochs", 6, "passes over the training set")
	flag.IntVar(&o.batch, "batch", 64, "minibatch size")
	flag.Float64Var(&o.lr, "lr", 1e-3, "Adam's learning rate in the first epoch")
	flag.Float64Var(&o.gamma, "lr-gamma", 0.7, "factor of the learning rate per epoch")
	flag.IntVar(&o.shift, "shift", 1, "largest random shift of a training image, in pixels (0: none)")
	flag.Uint64Var(&o.seed, "seed", 1, "seed of the initial weights, the order of the images and the shifts")
	flag.StringVar(&o.data, "data", ".cache/mnist", "folder with the MNIST IDX files (make data)")
	flag.StringVar(&o.out, "out", "weights/classifier.safetensors", "output weights")
	flag.IntVar(&o.limit, "limit", 0, "use only the first N training images (0: all); for quick runs")
	flag.Parse()
	if flag.NArg() > 0 {
		fail(fmt.Errorf("unexpected arguments %q", flag.Args()))
	}
	o.command = "go run ./tools/classify " + strings.Join(os.Args[1:], " ")
	if err := run(o, os.Stdout); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "classify:", err)
	os.Exit(1)
}
