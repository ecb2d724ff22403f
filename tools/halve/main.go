// Command halve rewrites a weights file in half precision (F16) for the
// site: the page downloads the weights, and F16 halves them at a cost in
// test loss that tools/benchweb measures (about 0.0002 nats per image for
// the shipped models, against a budget of 0.1).
//
//	go run ./tools/halve -in weights/cvae.safetensors -out build/site/weights/cvae.safetensors
//
// The file is read with model.Load, so it is validated as the widget would
// validate it, and written with model.SaveHalf, metadata unchanged; the
// result is read back and checked before the command reports success.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	in := flag.String("in", "", "weights file to read (safetensors, any precision model.Load reads)")
	out := flag.String("out", "", "half-precision file to write")
	flag.Parse()
	if *in == "" || *out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: halve -in weights.safetensors -out half.safetensors")
		os.Exit(2)
	}
	r, err := halve(*in, *out)
	if err != nil {
		fmt.Fprintf(os.Stderr, "halve: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("halve: %s (%d bytes) -> %s (%d bytes), largest parameter change %.2g\n", *in, r.inBytes, *out, r.outBytes, r.maxChange)
}
