// Command benchweb measures the widget's figures in one run of
// headless Chromium, each beside its goal and, where there is one, beside
// the peer's figure:
//
//   - decode time of one digit and of a batch of 100 (a 10x10 grid), for the
//     vaeplay model package built for js/wasm (wasmbench, timed by
//     page/bench-go.html) and for TensorFlow.js with its wasm backend running
//     the same decoder on the same weights (page/bench-tfjs.html);
//   - the bytes the widget downloads (as served, gzipped by
//     tools/internal/static) and the time from navigation to the first digit
//     drawn, from a fresh browser context (empty cache) on the built site;
//   - what would shrink the download: gzip levels, half-precision weights
//     (model.SaveHalf) with their cost in test loss, a decoder-only file, and
//     which packages the widget's wasm spends its bytes on.
//
// Usage (make bench-web does all of this):
//
//	make site chromium
//	npm install --prefix .cache/npm @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0
//	go run ./tools/benchweb [-site build/site] [-npm .cache/npm] [-data .cache/mnist] [-rounds 2]
package main

import (
	"flag"
	"fmt"
	"os"
)

type options struct {
	site    string // built site: main.wasm, embed.html, weights/
	weights string // folder of the shipped weights
	npm     string // npm prefix holding @tensorflow/tfjs and tfjs-backend-wasm
	data    string // MNIST, for the test loss of half-precision weights
	rounds  int    // alternating rounds of the two decode pages
	json    string // file to write the figures to, for -summary
	summary string // folder of a make bench run's outputs: print its table and stop
	profile bool   // also profile the first digit and the slider drag
	// decodeOnly runs the decode pages alone, fpsOnly the frame rate
	// alone, for quick comparisons.
	decodeOnly, fpsOnly bool
}

func main() {
	var o options
	flag.StringVar(&o.site, "site", "build/site", "the built site (make site)")
	flag.StringVar(&o.weights, "weights", "weights", "folder with vae.safetensors and cvae.safetensors")
	flag.StringVar(&o.npm, "npm", ".cache/npm", "npm prefix with @tensorflow/tfjs and @tensorflow/tfjs-backend-wasm installed")
	flag.StringVar(&o.data, "data", ".cache/mnist", "MNIST folder (make data), for the test loss of half-precision weights; skipped when absent")
	flag.IntVar(&o.rounds, "rounds", 2, "rounds of the Go and TensorFlow.js decode pages, alternating, each figure the best round's median; and of the slider drag beside the smallest Ebiten program, their readings pooled")
	flag.StringVar(&o.json, "json", "", "also write the figures as JSON to this file (make bench reads it back with -summary)")
	flag.StringVar(&o.summary, "summary", "", "print the final table of make bench from the outputs in this folder (web.json, step.txt, train.txt, torch.txt) and stop")
	flag.BoolVar(&o.profile, "profile", false, "also profile the page's main thread during the first digit and the slider drag, and print where the time goes")
	flag.BoolVar(&o.decodeOnly, "decode-only", false, "run only the decode pages (Go and TensorFlow.js) and print their medians")
	flag.BoolVar(&o.fpsOnly, "fps-only", false, "run only the frame rate: -rounds slider drags, each beside the smallest Ebiten program, and print their medians")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "benchweb: unexpected arguments %q\n", flag.Args())
		os.Exit(2)
	}
	if o.decodeOnly && o.fpsOnly {
		fmt.Fprintln(os.Stderr, "benchweb: -decode-only and -fps-only exclude each other")
		os.Exit(2)
	}
	if o.rounds < 1 {
		fmt.Fprintln(os.Stderr, "benchweb: -rounds must be at least 1")
		os.Exit(2)
	}
	if o.summary != "" {
		if err := summary(os.Stdout, o.summary); err != nil {
			fmt.Fprintf(os.Stderr, "benchweb: %v\n", err)
			os.Exit(1)
		}
		return
	}
	if err := run(o); err != nil {
		fmt.Fprintf(os.Stderr, "benchweb: %v\n", err)
		os.Exit(1)
	}
}
