// Command train fits a VAE or a conditional VAE to MNIST and writes its
// weights as safetensors.
//
//	go run ./tools/train -model vae -epochs 10 -out weights/vae.safetensors
//
// It prints one line per epoch (train loss, test loss with its reconstruction
// and KL parts, seconds), or with -json one JSON object per epoch on standard
// output and the rest on standard error, logs the same figures as CSV beside
// the weights,
// writes a checkpoint after every epoch and on Ctrl-C, and continues from one
// with -resume.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"vaeplay/model"
)

func main() {
	var (
		kind       = flag.String("model", "vae", "vae, or cvae for the conditional VAE")
		epochs     = flag.Int("epochs", 10, "number of passes over the training set")
		batch      = flag.Int("batch", 128, "minibatch size")
		lr         = flag.Float64("lr", 1e-3, "Adam learning rate")
		hidden     = flag.String("hidden", "400", "comma-separated hidden layer widths")
		latent     = flag.Int("latent", 20, "latent dimensions")
		beta       = flag.Float64("beta", 1, "weight of the KL term")
		likelihood = flag.String("likelihood", "bernoulli", "bernoulli (binary cross-entropy) or gaussian (squared error)")
		seed       = flag.Uint64("seed", 1, "random seed for initialisation, data order and noise")
		dataset    = flag.String("dataset", "mnist", "mnist, or fashion-mnist for Zalando's Fashion-MNIST")
		data       = flag.String("data", "", "folder with the data set's IDX files (default .cache/<dataset>, as make data fills it)")
		out        = flag.String("out", "", "output weights (default weights/<model>.safetensors)")
		resume     = flag.String("resume", "", "checkpoint to continue from (default: none; see -out.ckpt)")
		limit      = flag.Int("limit", 0, "use only the first N training images (0: all); for quick runs")
		quiet      = flag.Bool("quiet", false, "no progress bar")
		binarize   = flag.Bool("binarize", false, "dynamic binarization: each epoch, each training pixel is 1 with probability its grey value (test and validation images binarized once, seeded)")
		valid      = flag.Int("valid", 0, "hold out the last N training images for validation (0: none); the best validation epoch's weights are written")
		patience   = flag.Int("patience", 0, "stop after N epochs without a better validation loss (0: never; needs -valid)")
		schedule   = flag.String("lr-schedule", "constant", "learning-rate schedule: constant, exp (times -lr-gamma each epoch) or cosine (from -lr to -lr-min over -epochs)")
		lrGamma    = flag.Float64("lr-gamma", 0.95, "factor per epoch of the exp schedule")
		lrMin      = flag.Float64("lr-min", 0, "final learning rate of the cosine schedule")
		iwae       = flag.Int("iwae", 1, "train on the importance-weighted bound with this many samples per image (Burda et al. 2015); 1 is the ELBO")
		warmup     = flag.Int("warmup", 0, "epochs over which the KL weight rises linearly from 0 to -beta (KL warm-up; 0: none)")
		jsonOut    = flag.Bool("json", false, "print each epoch's figures as a JSON object, one a line, on standard output (everything else goes to standard error)")
	)
	flag.Parse()

	opts := options{
		epochs: *epochs, batch: *batch, lr: *lr, seed: *seed, dataset: *dataset, data: *data,
		out: *out, resume: *resume, limit: *limit, progress: !*quiet,
		binarize: *binarize, valid: *valid, patience: *patience,
		schedule: *schedule, lrGamma: *lrGamma, lrMin: *lrMin,
		iwae: *iwae, warmup: *warmup,
	}
	cfg := model.DefaultConfig()
	cfg.Latent, cfg.Beta, cfg.Likelihood = *latent, *beta, model.Likelihood(*likelihood)
	var err error
	if cfg.Hidden, err = parseWidths(*hidden); err != nil {
		fail(err)
	}
	switch *kind {
	case "vae":
	case "cvae":
		cfg.Classes = 10
	default:
		fail(fmt.Errorf("-model %q: want vae or cvae", *kind))
	}
	if opts.data == "" {
		opts.data = ".cache/" + *dataset
	}
	if opts.out == "" {
		opts.out = "weights/" + *kind + ".safetensors"
	}
	opts.config = cfg
	opts.command = strings.Join(os.Args[1:], " ")
	opts.explicit = map[string]bool{}
	flag.Visit(func(f *flag.Flag) { opts.explicit[f.Name] = true })

	w := io.Writer(os.Stdout)
	var figures *jsonEpochs
	if *jsonOut {
		figures = newJSONEpochs(os.Stdout)
		opts.onEpoch, w = figures.epoch, os.Stderr
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = run(ctx, opts, w)
	if err == nil && figures != nil && figures.err != nil {
		err = fmt.Errorf("-json: writing the figures: %w", figures.err)
	}
	if err != nil {
		if errors.Is(err, context.Canceled) {
			fmt.Fprintln(os.Stderr, "train: interrupted:", err)
			os.Exit(130)
		}
		fail(err)
	}
}

func parseWidths(s string) ([]int, error) {
	var ws []int
	for _, f := range strings.Split(s, ",") {
		w, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || w <= 0 {
			return nil, fmt.Errorf("-hidden %q: want comma-separated positive widths such as 400 or 512,256", s)
		}
		ws = append(ws, w)
	}
	return ws, nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "train:", err)
	os.Exit(1)
}
