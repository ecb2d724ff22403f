// Command eval measures a trained VAE or conditional VAE on the MNIST test
// set and draws its figures.
//
//	go run ./tools/eval -weights weights/vae.safetensors [-k 5000] [-n 10000] [-binarize]
//
// It prints a table and writes metrics.json and PNG figures into -out
// (default: weights/eval/<name> beside weights/<name>.safetensors):
//
//   - the test loss as PyTorch's examples/vae reports it (one z per image,
//     fixed seed, as tools/train's per-epoch figure), with its
//     reconstruction and KL parts;
//   - log p(x) (log p(x|y) for a conditional model), estimated by importance
//     sampling with k samples from q(z|x) (Burda et al. 2015), in nats per
//     image, with the ELBO of the same samples;
//   - the number of active latent units, those whose posterior mean varies
//     over the test images with variance above 0.01 (the same paper's
//     measure);
//   - for a CVAE, its conditional accuracy: -per-class samples from the
//     prior for each label, decoded, and labelled by the project's digit
//     classifier (tools/classify; -classifier), per label and overall;
//   - figures: samples from the prior (one row per digit for a conditional
//     model), reconstructions, the loss by epoch from the trainer's log
//     (<weights minus .safetensors>.log.csv), and for a 2-D latent space the
//     decoded manifold and the test set's posterior means by label.
//
// Pixels are grey values in [0, 1] as in training unless -binarize asks for
// a fixed, seeded stochastic binarization: the literature's likelihoods are
// on binarized MNIST. Importance sampling decodes k latent codes per image;
// with k = 5000 the whole test set takes hours on a laptop, so -n evaluates
// the first n images. Every image draws from its own seeded noise, so the
// estimate of an image does not depend on -n.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	var o options
	flag.StringVar(&o.weights, "weights", "", "weights to evaluate (safetensors from tools/train), required")
	flag.StringVar(&o.data, "data", ".cache/mnist", "folder with the MNIST IDX files (make data)")
	flag.IntVar(&o.k, "k", 5000, "importance samples per image")
	flag.IntVar(&o.n, "n", 10000, "evaluate the first n test images")
	flag.StringVar(&o.out, "out", "", "folder for metrics.json and the figures (default: <weights folder>/eval/<weights name>)")
	flag.BoolVar(&o.binarize, "binarize", false, "evaluate on a fixed stochastic binarization of the test images (seeded by -seed)")
	flag.Uint64Var(&o.seed, "seed", 1, "seed of the importance samples, the binarization and the figures' samples")
	flag.IntVar(&o.rows, "rows", 1000, "latent codes decoded per batch; bounds memory (rows x pixels floats)")
	flag.BoolVar(&o.quiet, "quiet", false, "no progress display")
	flag.StringVar(&o.classifier, "classifier", "", "digit classifier's weights for a CVAE's conditional accuracy (default: classifier.safetensors beside -weights, skipped if absent)")
	flag.IntVar(&o.perClass, "per-class", 1000, "CVAE prior samples per label for the conditional accuracy (0: skip)")
	flag.IntVar(&o.complete, "complete", 0, "fill in the bottom half of the first n test images and score it (0: skip)")
	flag.IntVar(&o.completeK, "complete-k", 500, "importance samples per completed image")
	flag.IntVar(&o.completeWarm, "complete-warm", 5, "pseudo-Gibbs steps the completion's proposal starts from")
	flag.IntVar(&o.completeSteps, "complete-steps", 20, "steps of the plain pseudo-Gibbs chain it is compared with")
	flag.Parse()
	if flag.NArg() > 0 {
		fail(fmt.Errorf("unexpected arguments %q (flags go before them?)", flag.Args()))
	}
	if o.weights == "" {
		fail(errors.New("-weights is required, e.g. -weights weights/vae.safetensors"))
	}
	if o.out == "" {
		o.out = defaultOut(o.weights)
	}
	o.classifierExplicit = o.classifier != ""
	if o.classifier == "" {
		o.classifier = filepath.Join(filepath.Dir(o.weights), "classifier.safetensors")
	}
	o.command = strings.Join(os.Args[1:], " ")
	if err := run(o, os.Stdout, os.Stderr); err != nil {
		fail(err)
	}
}

// defaultOut maps dir/name.safetensors to dir/eval/name.
func defaultOut(weights string) string {
	dir, base := filepath.Split(weights)
	return filepath.Join(dir, "eval", strings.TrimSuffix(base, ".safetensors"))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "eval:", err)
	os.Exit(1)
}
