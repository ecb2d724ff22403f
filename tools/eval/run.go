package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"vaeplay/model"
	"vaeplay/tools/internal/atomicfile"
	"vaeplay/tools/internal/mnist"
)

// options are the flags of one evaluation.
type options struct {
	weights, data, out string
	k, n, rows         int
	binarize, quiet    bool
	seed               uint64
	command            string
	// classifier is the digit classifier's weights for a CVAE's conditional
	// accuracy; classifierExplicit says the user named it, so that a
	// missing file is an error rather than a skipped measurement. perClass
	// is the number of samples per class (0: skip).
	classifier         string
	classifierExplicit bool
	perClass           int
}

// binarizeStream separates the binarization's random streams from the
// importance samples', which are seeded by the same -seed.
const binarizeStream = 0xb1a7

// report is metrics.json.
type report struct {
	Date    string `json:"date"`
	Command string `json:"command"`
	Weights string `json:"weights"`
	// Metadata is the weights' metadata; values holding JSON (config,
	// metrics, recipe) are embedded as JSON.
	Metadata map[string]json.RawMessage `json:"metadata"`
	Data     string                     `json:"data"`
	// Pixels says what the model was evaluated on: "grey" values in [0, 1]
	// as in training, or "binarized" (fixed, seeded by BinarizeSeed).
	Pixels       string  `json:"pixels"`
	BinarizeSeed *uint64 `json:"binarize_seed,omitempty"`
	N            int     `json:"n"`
	K            int     `json:"k"`
	Seed         uint64  `json:"seed"`

	// TestLoss is per image, as PyTorch's examples/vae reports it.
	TestLoss struct {
		Total float64 `json:"total"`
		Recon float64 `json:"recon"`
		KL    float64 `json:"kl"`
	} `json:"test_loss"`
	// LogLikelihood is the mean over images of the importance-sampling
	// estimate of log p(x) (log p(x|y) for a conditional model), in nats;
	// LogLikelihoodSE is its standard error over images.
	LogLikelihood   float64 `json:"log_likelihood"`
	LogLikelihoodSE float64 `json:"log_likelihood_se"`
	Conditional     bool    `json:"conditional"`
	// ELBO is the mean over images of the Monte Carlo ELBO from the same k
	// samples.
	ELBO float64 `json:"elbo"`
	// ActiveUnits counts latent units whose posterior mean has variance over
	// the images above ActiveThreshold; LatentVariance lists them all.
	ActiveUnits     int       `json:"active_units"`
	ActiveThreshold float64   `json:"active_threshold"`
	LatentVariance  []float64 `json:"latent_variance"`
	// Conditional is the CVAE's conditional accuracy; ConditionalNote says
	// why it is absent for a CVAE.
	CondAccuracy    *conditionalReport `json:"conditional_accuracy,omitempty"`
	ConditionalNote string             `json:"conditional_accuracy_note,omitempty"`
	Figures         []figure           `json:"figures"`
	Seconds         float64            `json:"seconds"`
}

// run evaluates as o says, printing the table to w and progress to status.
func run(o options, w, status io.Writer) error {
	start := time.Now()
	switch {
	case o.k <= 0:
		return fmt.Errorf("-k %d: want at least 1 sample per image", o.k)
	case o.n <= 0:
		return fmt.Errorf("-n %d: want at least 1 image", o.n)
	case o.rows <= 0:
		return fmt.Errorf("-rows %d: want at least 1", o.rows)
	case o.perClass < 0:
		return fmt.Errorf("-per-class %d: want 0 (skip) or more samples", o.perClass)
	}
	raw, err := os.ReadFile(o.weights)
	if err != nil {
		return err
	}
	m, meta, err := model.Load(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", o.weights, err)
	}
	test, err := mnist.Load(o.data, mnist.Test)
	if err != nil {
		return err
	}
	cfg := m.Config
	if test.Pixels() != cfg.Input {
		return fmt.Errorf("data %s: images are %dx%d = %d pixels, the model takes %d", o.data, test.Rows, test.Cols, test.Pixels(), cfg.Input)
	}
	if cfg.Conditional() && cfg.Classes != mnist.Classes {
		return fmt.Errorf("the model has %d classes, the data %d", cfg.Classes, mnist.Classes)
	}
	n := min(o.n, test.N)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	x, allLabels := test.Batch(idx)
	var labels []int // what the model is given: nil for a plain VAE
	if cfg.Conditional() {
		labels = allLabels
	}
	rep := report{
		Date: time.Now().UTC().Format(time.RFC3339), Command: "go run ./tools/eval " + o.command,
		Weights: o.weights, Metadata: metadataJSON(meta), Data: o.data,
		Pixels: "grey", N: n, K: o.k, Seed: o.seed, Conditional: cfg.Conditional(),
		ActiveThreshold: ActiveThreshold,
	}
	if o.binarize {
		s := o.seed ^ binarizeStream
		x = binarize(x, 0, s)
		rep.Pixels, rep.BinarizeSeed = "binarized", &s
	}

	loss := m.TestLoss(x, labels)
	rep.TestLoss.Total, rep.TestLoss.Recon, rep.TestLoss.KL = loss.Total, loss.Recon, loss.KL
	mu, _ := m.Encode(x, labels)
	rep.ActiveUnits, rep.LatentVariance = activeUnits(mu)

	prog := newProgress(status, n, !o.quiet)
	est, err := m.LogLikelihood(x, labels, model.Sampling{K: o.k, Rows: o.rows, Seed: o.seed, Progress: prog.update})
	prog.finish()
	if err != nil {
		return err
	}
	var sum, sumSq, elbo float64
	for i, e := range est {
		if math.IsNaN(e.LogLik) || math.IsInf(e.LogLik, 0) || math.IsNaN(e.ELBO) || math.IsInf(e.ELBO, 0) {
			return fmt.Errorf("test image %d: log-likelihood estimate %v, ELBO %v: not finite", i, e.LogLik, e.ELBO)
		}
		sum, sumSq, elbo = sum+e.LogLik, sumSq+e.LogLik*e.LogLik, elbo+e.ELBO
	}
	rep.LogLikelihood, rep.ELBO = sum/float64(n), elbo/float64(n)
	if n > 1 {
		v := (sumSq - sum*sum/float64(n)) / float64(n-1)
		rep.LogLikelihoodSE = math.Sqrt(max(v, 0) / float64(n))
	}

	if cfg.Conditional() {
		switch {
		case o.perClass == 0:
			rep.ConditionalNote = "not measured (-per-class 0)"
		case meta[model.DatasetKey] != "" && meta[model.DatasetKey] != mnist.MNIST:
			rep.ConditionalNote = fmt.Sprintf("not measured: the classifier reads digits, the model draws %s", meta[model.DatasetKey])
		default:
			net, cmeta, err := loadClassifier(o.classifier, o.classifierExplicit)
			if err != nil {
				return err
			}
			if net == nil {
				rep.ConditionalNote = fmt.Sprintf("not measured: no classifier at %s (go run ./tools/classify)", o.classifier)
				break
			}
			cr, err := conditionalAccuracy(m, net, o.perClass, o.rows, o.seed)
			if err != nil {
				return fmt.Errorf("conditional accuracy: %w", err)
			}
			cr.Classifier, cr.ClassifierMetrics = o.classifier, cmeta["metrics"]
			rep.CondAccuracy = &cr
		}
	}

	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return fmt.Errorf("output folder: %w", err)
	}
	rep.Figures, err = writeFigures(o.out, figureInput{
		m: m, x: x, labels: allLabels, mu: mu, rows: test.Rows, cols: test.Cols,
		log: strings.TrimSuffix(o.weights, ".safetensors") + ".log.csv", seed: o.seed,
	})
	if err != nil {
		return err
	}
	rep.Seconds = math.Round(time.Since(start).Seconds()*10) / 10
	js, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	jsonPath := o.out + "/metrics.json"
	if err := atomicfile.Write(jsonPath, func(f io.Writer) error {
		_, err := f.Write(append(js, '\n'))
		return err
	}); err != nil {
		return fmt.Errorf("writing %s: %w", jsonPath, err)
	}
	printTable(w, rep, cfg, jsonPath, o.out)
	return nil
}

// metadataJSON keeps each metadata value that is a JSON object or array as
// JSON, and the others as JSON strings.
func metadataJSON(meta model.Metadata) map[string]json.RawMessage {
	out := make(map[string]json.RawMessage, len(meta))
	for k, v := range meta {
		t := strings.TrimSpace(v)
		if (strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")) && json.Valid([]byte(t)) {
			out[k] = json.RawMessage(t)
			continue
		}
		s, _ := json.Marshal(v) // a string always marshals
		out[k] = s
	}
	return out
}

func describe(cfg model.Config) string {
	kind := "VAE"
	if cfg.Conditional() {
		kind = fmt.Sprintf("CVAE (%d classes)", cfg.Classes)
	}
	widths := []string{fmt.Sprint(cfg.Input)}
	for _, h := range cfg.Hidden {
		widths = append(widths, fmt.Sprint(h))
	}
	widths = append(widths, fmt.Sprint(cfg.Latent))
	return fmt.Sprintf("%s %s, %s likelihood, beta %g", kind, strings.Join(widths, "-"), cfg.Likelihood, cfg.Beta)
}

func printTable(w io.Writer, r report, cfg model.Config, jsonPath, dir string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	pixels := "grey values in [0, 1], as in training (not binarized)"
	if r.BinarizeSeed != nil {
		pixels = fmt.Sprintf("binarized: each pixel 1 with probability its grey value, fixed seed %#x", *r.BinarizeSeed)
	}
	ll := "log p(x)"
	if r.Conditional {
		ll = "log p(x|y)"
	}
	lik := "Bernoulli: log p(x|z) = -binary cross-entropy"
	if cfg.Likelihood == model.Gaussian {
		lik = "unit-variance Gaussian density around the decoded means"
	}
	fmt.Fprintf(tw, "model\t%s\t%s\n", r.Weights, describe(cfg))
	fmt.Fprintf(tw, "data\t%s, first %d test images\t%s\n", r.Data, r.N, pixels)
	fmt.Fprintf(tw, "test loss\t%.2f = %.2f recon + %.2f KL\tnats per image, one z per image (PyTorch examples/vae)\n",
		r.TestLoss.Total, r.TestLoss.Recon, r.TestLoss.KL)
	fmt.Fprintf(tw, "%s\t%.2f ± %.2f\tnats per image, importance sampling k = %d (Burda et al. 2015); %s\n",
		ll, r.LogLikelihood, r.LogLikelihoodSE, r.K, lik)
	fmt.Fprintf(tw, "ELBO\t%.2f\tnats per image, mean log weight of the same samples\n", r.ELBO)
	fmt.Fprintf(tw, "active units\t%d of %d\tvariance over the images of E_q[z_i] > %g\n", r.ActiveUnits, len(r.LatentVariance), r.ActiveThreshold)
	if c := r.CondAccuracy; c != nil {
		var by []string
		for d, a := range c.ByClass {
			by = append(by, fmt.Sprintf("%d: %.1f", d, 100*a))
		}
		fmt.Fprintf(tw, "conditional accuracy\t%.2f%%\t%d prior samples per label, labelled by %s; by label (%%) %s\n",
			100*c.Accuracy, c.PerClass, c.Classifier, strings.Join(by, ", "))
	} else if r.ConditionalNote != "" {
		fmt.Fprintf(tw, "conditional accuracy\t-\t%s\n", r.ConditionalNote)
	}
	var files []string
	for _, f := range r.Figures {
		files = append(files, f.File)
	}
	slices.Sort(files)
	fmt.Fprintf(tw, "written\t%s\t%s in %s\n", jsonPath, strings.Join(files, ", "), dir)
	fmt.Fprintf(tw, "time\t%.1f s\t\n", r.Seconds)
	tw.Flush()
}
