package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"vaeplay/model"
	"vaeplay/tools/internal/atomicfile"
	"vaeplay/tools/internal/mnist"
)

// options is the recipe and the files of one training run.
type options struct {
	config model.Config
	epochs int
	batch  int
	lr     float64
	seed   uint64
	// dataset names the data set ("mnist" or "fashion-mnist") for the
	// metadata; data is the folder its files are read from.
	dataset string
	data    string
	out     string
	resume  string
	// explicit names the flags given on the command line; with -resume, any
	// of them that contradicts the checkpoint's recipe is an error.
	explicit map[string]bool
	limit    int
	progress bool
	command  string

	// binarize resamples every training pixel as a Bernoulli draw of its
	// grey value each epoch (dynamic binarization); the test and validation
	// images are binarized once, with fixed seeds.
	binarize bool
	// valid is the number of images at the end of the training set held out
	// for validation (0: none); patience stops training after that many
	// epochs without a better validation loss (0: never).
	valid    int
	patience int
	// schedule is the learning-rate schedule: constant, exp (times lrGamma
	// each epoch) or cosine (from lr down to lrMin over the run's epochs).
	schedule string
	lrGamma  float64
	lrMin    float64
	// iwae is the k of the importance-weighted bound the steps climb (1:
	// the ELBO); warmup the epochs over which the KL weight rises from 0
	// to the config's beta (0: none).
	iwae   int
	warmup int

	// onEpoch, when set, is given each epoch's figures as they are logged
	// (the -json output).
	onEpoch func(epochLog)

	// faultLoss, when set, replaces the loss of each step before it is
	// checked: tests use it to make a NaN appear at a chosen batch.
	faultLoss func(epoch, batch int, loss float64) float64
	// faultValid, when set, replaces each epoch's validation loss: tests
	// use it to script when early stopping should happen.
	faultValid func(epoch int, loss float64) float64
}

// epochLog is one line of the per-epoch log.
type epochLog struct {
	Epoch     int     `json:"epoch"`
	TrainLoss float64 `json:"train_loss"`
	TestLoss  float64 `json:"test_loss"`
	TestRecon float64 `json:"test_recon"`
	TestKL    float64 `json:"test_kl"`
	Seconds   float64 `json:"epoch_s"`
	// ValidLoss is the loss on the validation split, when there is one.
	ValidLoss *float64 `json:"valid_loss,omitempty"`
	// LR is the learning rate of the epoch.
	LR float64 `json:"lr,omitempty"`
}

// checkpointPath and logPath name the files written beside the weights.
func checkpointPath(out string) string {
	return strings.TrimSuffix(out, ".safetensors") + ".ckpt.safetensors"
}
func logPath(out string) string { return strings.TrimSuffix(out, ".safetensors") + ".log.csv" }

// run trains as opts say, printing one line per epoch to w.
func run(ctx context.Context, opts options, w io.Writer) error {
	if opts.epochs < 1 {
		return fmt.Errorf("-epochs %d: want at least 1", opts.epochs)
	}
	if opts.iwae < 0 {
		return fmt.Errorf("-iwae %d: want 1 (the ELBO) or more samples", opts.iwae)
	}
	if opts.dataset == "" {
		opts.dataset = mnist.MNIST
	}
	if err := opts.recipe().check(); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(opts.out), 0o755); err != nil {
		return fmt.Errorf("output folder: %w", err)
	}
	train, err := mnist.Load(opts.data, mnist.Train)
	if err != nil {
		return err
	}
	test, err := mnist.Load(opts.data, mnist.Test)
	if err != nil {
		return err
	}

	var s *state
	if opts.resume != "" {
		if s, err = loadCheckpoint(opts.resume); err != nil {
			return err
		}
		if err := contradictions(opts, s); err != nil {
			return err
		}
		opts = s.recipe.apply(opts)
		fmt.Fprintf(w, "resuming %s from epoch %d, batch %d\n", opts.resume, s.Epoch, s.Batch)
	} else if s, err = newState(opts); err != nil {
		return err
	}
	for _, set := range []*mnist.Set{train, test} {
		if set.Pixels() != s.model.Config.Input {
			return fmt.Errorf("%s: images are %dx%d = %d pixels, the model takes %d", set.ImagesPath, set.Rows, set.Cols, set.Pixels(), s.model.Config.Input)
		}
	}
	if c := s.model.Config.Classes; c > 0 && c != 10 {
		return fmt.Errorf("data %s: 10 classes, the model has %d", opts.data, c)
	}
	grey := test // the annotations score grey images, as the widget's drawings are
	if opts.binarize {
		test = test.Binarized(testBinarizeSeed)
	}
	var valid *mnist.Set
	if opts.valid > 0 {
		if opts.valid >= train.N {
			return fmt.Errorf("-valid %d: the training set has only %d images", opts.valid, train.N)
		}
		if valid, err = train.Slice(train.N-opts.valid, train.N); err != nil {
			return err
		}
		if opts.binarize {
			valid = valid.Binarized(validBinarizeSeed)
		}
	}
	n := train.N - opts.valid
	if opts.limit > 0 && opts.limit < n {
		n = opts.limit
	}

	// lastGood names the checkpoint a failed run leaves to resume from:
	// the one resumed, or the one this run writes after each epoch.
	lastGood := "none (no epoch finished)"
	if opts.resume != "" {
		lastGood = opts.resume
	}
	fmt.Fprintf(w, "training %s on %d images of %s: epoch %d of %d, checkpoint after each epoch to %s\n",
		describe(s.model.Config), n, opts.data, s.Epoch+1, opts.epochs, checkpointPath(opts.out))
	if valid != nil {
		fmt.Fprintf(w, "validation on the last %d training images\n", valid.N)
	}

	trainer := model.NewTrainer(s.model, s.opt, rand.New(s.noise))
	trainer.Samples = s.recipe.IWAE
	trainer.Warmup = s.recipe.Warmup * ((n + opts.batch - 1) / opts.batch)
	for s.Epoch < opts.epochs && !s.Stopped {
		start := time.Now()
		s.opt.LR = s.recipe.lrAt(s.Epoch)
		perm := epochOrder(opts.seed, s.Epoch, n)
		batches := (n + opts.batch - 1) / opts.batch
		bar := newBar(opts.progress, batches, s.Epoch+1)
		for b := s.Batch; b < batches; b++ {
			if ctx.Err() != nil {
				if err := s.save(checkpointPath(opts.out)); err != nil {
					return err
				}
				return fmt.Errorf("checkpoint at epoch %d batch %d written to %s (continue with -resume %[3]s): %w",
					s.Epoch+1, b, checkpointPath(opts.out), ctx.Err())
			}
			idx := perm[b*opts.batch : min((b+1)*opts.batch, n)]
			x, labels := train.Batch(idx)
			if opts.binarize {
				binarizeBatch(x, idx, opts.seed, s.Epoch)
			}
			if !s.model.Config.Conditional() {
				labels = nil
			}
			loss := trainer.Step(x, labels)
			if opts.faultLoss != nil {
				loss.Total = opts.faultLoss(s.Epoch, b, loss.Total)
			}
			if math.IsNaN(loss.Total) || math.IsInf(loss.Total, 0) {
				// The step has already spoiled the weights; nothing of this
				// epoch is saved, so the last checkpoint stays as it was.
				return fmt.Errorf("epoch %d batch %d: loss is %v; stopped without writing %s; last good checkpoint: %s (try a lower -lr)",
					s.Epoch+1, b+1, loss.Total, opts.out, lastGood)
			}
			s.LossSum += loss.Total
			s.Batch = b + 1
			bar.Add(1)
		}
		bar.Finish()
		seconds := s.Seconds + time.Since(start).Seconds()
		testLoss := evaluate(s.model, test)
		line := epochLog{
			Epoch: s.Epoch + 1, TrainLoss: s.LossSum / float64(n),
			TestLoss: testLoss.Total, TestRecon: testLoss.Recon, TestKL: testLoss.KL, Seconds: seconds,
			LR: s.opt.LR,
		}
		extra := ""
		if valid != nil {
			v := evaluate(s.model, valid).Total
			if opts.faultValid != nil {
				v = opts.faultValid(s.Epoch, v)
			}
			line.ValidLoss = &v
			extra = fmt.Sprintf(" valid_loss %.2f", v)
		}
		fmt.Fprintf(w, "epoch %d train_loss %.2f test_loss %.2f (recon %.2f + kl %.2f)%s lr %.3g epoch_s %.2f\n",
			line.Epoch, line.TrainLoss, line.TestLoss, line.TestRecon, line.TestKL, extra, line.LR, line.Seconds)
		s.History = append(s.History, line)
		if opts.onEpoch != nil {
			opts.onEpoch(line)
		}
		if line.ValidLoss != nil {
			if s.Best == nil || *line.ValidLoss < s.Best.Loss {
				s.Best = &best{Epoch: line.Epoch, Loss: *line.ValidLoss}
				s.bestParams = cloneParams(s.model)
			} else if opts.patience > 0 && line.Epoch-s.Best.Epoch >= opts.patience {
				s.Stopped = true
				fmt.Fprintf(w, "early stop: no better validation loss in %d epochs; keeping epoch %d (valid_loss %.2f)\n",
					opts.patience, s.Best.Epoch, s.Best.Loss)
			}
		}
		s.Epoch, s.Batch, s.LossSum, s.Seconds = s.Epoch+1, 0, 0, 0
		if err := s.save(checkpointPath(opts.out)); err != nil {
			return err
		}
		lastGood = checkpointPath(opts.out)
		if err := writeLog(logPath(opts.out), s.History); err != nil {
			return err
		}
	}
	if err := writeWeights(opts, s, grey); err != nil {
		return err
	}
	fmt.Fprintf(w, "wrote %s (log %s, checkpoint %s)\n", opts.out, logPath(opts.out), checkpointPath(opts.out))
	return nil
}

// describe names a model by kind and layer widths, like "VAE 784-400-20".
func describe(c model.Config) string {
	kind := "VAE"
	if c.Conditional() {
		kind = "CVAE"
	}
	widths := []string{strconv.Itoa(c.Input)}
	for _, h := range c.Hidden {
		widths = append(widths, strconv.Itoa(h))
	}
	return kind + " " + strings.Join(append(widths, strconv.Itoa(c.Latent)), "-")
}

// evaluate returns the per-image loss of the set as PyTorch's examples/vae
// reports its test loss (model.TestLoss).
func evaluate(m *model.Model, set *mnist.Set) model.Loss {
	x, labels := set.All()
	if !m.Config.Conditional() {
		labels = nil
	}
	return m.TestLoss(x, labels)
}

// bar is the progress display of one epoch; it is silent when stderr is not
// a terminal (CI logs) or -quiet is set.
type bar interface {
	Add(int) error
	Finish() error
}

type silentBar struct{}

func (silentBar) Add(int) error { return nil }
func (silentBar) Finish() error { return nil }

func newBar(enabled bool, batches, epoch int) bar {
	if !enabled || !term.IsTerminal(int(os.Stderr.Fd())) {
		return silentBar{}
	}
	return progressbar.NewOptions(batches,
		progressbar.OptionSetWriter(os.Stderr),
		progressbar.OptionSetDescription(fmt.Sprintf("epoch %d", epoch)),
		progressbar.OptionShowCount(),
		progressbar.OptionSetItsString("batches"),
		progressbar.OptionShowIts(),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionThrottle(100*time.Millisecond),
	)
}

// writeLog writes the per-epoch figures as CSV, for plots.
func writeLog(path string, history []epochLog) error {
	return atomicfile.Write(path, func(f io.Writer) error {
		cw := csv.NewWriter(f)
		cw.Write([]string{"epoch", "train_loss", "test_loss", "test_recon", "test_kl", "epoch_s", "valid_loss", "lr"})
		for _, l := range history {
			row := []string{strconv.Itoa(l.Epoch)}
			for _, v := range []float64{l.TrainLoss, l.TestLoss, l.TestRecon, l.TestKL, l.Seconds} {
				row = append(row, strconv.FormatFloat(v, 'f', 4, 64))
			}
			valid := "" // no validation split
			if l.ValidLoss != nil {
				valid = strconv.FormatFloat(*l.ValidLoss, 'f', 4, 64)
			}
			cw.Write(append(row, valid, strconv.FormatFloat(l.LR, 'g', 6, 64)))
		}
		cw.Flush()
		return cw.Error()
	})
}

// writeWeights writes the final float32 weights with the recipe, the last
// epoch's figures, the data set and its class names, and the annotations
// the widget reads (per-latent KL and the percentiles of the test images'
// scores, measured on test) in the metadata.
func writeWeights(opts options, s *state, test *mnist.Set) error {
	last := s.History[len(s.History)-1]
	if s.Best != nil {
		// The weights written are those of the best validation epoch.
		last = s.History[s.Best.Epoch-1]
		for i, p := range s.model.Params() {
			copy(p.Data, s.bestParams[i])
		}
	}
	metrics, err := json.Marshal(struct {
		epochLog
		EpochsRun int    `json:"epochs_run"`
		Dataset   string `json:"dataset"`
		Date      string `json:"date"`
	}{last, len(s.History), opts.dataset, time.Now().UTC().Format(time.DateOnly)})
	if err != nil {
		return err
	}
	recipe, err := json.Marshal(s.recipe)
	if err != nil {
		return err
	}
	names, err := mnist.ClassNames(opts.dataset)
	if err != nil {
		return err
	}
	namesJSON, err := json.Marshal(names)
	if err != nil {
		return err
	}
	x, labels := test.All()
	if !s.model.Config.Conditional() {
		labels = nil
	}
	meta, err := model.Annotations(s.model, x, labels)
	if err != nil {
		return fmt.Errorf("annotating the weights: %w", err)
	}
	meta["metrics"], meta["recipe"] = string(metrics), string(recipe)
	meta["command"] = "go run ./tools/train " + opts.command
	meta[model.DatasetKey], meta[model.ClassNamesKey] = opts.dataset, string(namesJSON)
	return atomicfile.Write(opts.out, func(f io.Writer) error { return model.Save(f, s.model, meta) })
}

// Seeds of the fixed binarizations of the test and validation images. The
// test seed is tools/eval's default (its -seed 1 XOR its stream 0xb1a7), so
// that the trainer's binarized test loss is the one eval reports.
const (
	testBinarizeSeed  = 1 ^ 0xb1a7
	validBinarizeSeed = 0xb1a7_0002
)

// binarizeBatch replaces the grey pixels of the batch x, whose rows are the
// training images idx, by Bernoulli draws: image i in epoch e draws from its
// own generator, seeded by (seed, e, i), so that an epoch's data is a
// function of the seed alone and a resumed run sees the same pixels.
func binarizeBatch(x model.Matrix, idx []int, seed uint64, epoch int) {
	for r, i := range idx {
		rng := rand.New(rand.NewPCG(seed, streamBinarize|uint64(epoch)<<32|uint64(i)))
		row := x.Row(r)
		mnist.BinarizeRow(row, row, rng)
	}
}

// cloneParams copies the model's parameters, in Params order.
func cloneParams(m *model.Model) [][]float32 {
	var ps [][]float32
	for _, p := range m.Params() {
		ps = append(ps, slices.Clone(p.Data))
	}
	return ps
}
