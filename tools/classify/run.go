package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"vaeplay/model/classifier"
	"vaeplay/model/nn"
	"vaeplay/tools/internal/atomicfile"
	"vaeplay/tools/internal/mnist"
)

// options are the flags of one training run.
type options struct {
	epochs, batch, shift, limit int
	lr, gamma                   float64
	seed                        uint64
	data, out, command          string
}

// epochLog is one line of the log.
type epochLog struct {
	Epoch     int     `json:"epoch"`
	LR        float64 `json:"lr"`
	TrainLoss float64 `json:"train_loss"`
	TrainAcc  float64 `json:"train_accuracy"`
	TestAcc   float64 `json:"test_accuracy"`
	Seconds   float64 `json:"epoch_s"`
}

// Streams of the seeded PCG, one per use.
const (
	streamInit  = 1
	streamOrder = 2       // plus the epoch
	streamShift = 1 << 62 // with the epoch in bits 32..61 and the image in bits 0..31
)

func (o options) check() error {
	switch {
	case o.epochs < 1:
		return fmt.Errorf("-epochs %d: want at least 1", o.epochs)
	case o.batch < 1:
		return fmt.Errorf("-batch %d: want at least 1", o.batch)
	case !(o.lr > 0) || math.IsInf(o.lr, 0):
		return fmt.Errorf("-lr %v: want a positive number", o.lr)
	case !(o.gamma > 0 && o.gamma <= 1):
		return fmt.Errorf("-lr-gamma %v: want a factor in (0, 1]", o.gamma)
	case o.shift < 0 || o.shift > 8:
		return fmt.Errorf("-shift %d: want 0..8 pixels", o.shift)
	case o.limit < 0:
		return fmt.Errorf("-limit %d: want 0 (all images) or more", o.limit)
	}
	return nil
}

// run trains as o says, printing one line per epoch to w.
func run(o options, w io.Writer) error {
	if err := o.check(); err != nil {
		return err
	}
	train, err := mnist.Load(o.data, mnist.Train)
	if err != nil {
		return err
	}
	test, err := mnist.Load(o.data, mnist.Test)
	if err != nil {
		return err
	}
	cfg := classifier.DefaultConfig()
	for _, s := range []*mnist.Set{train, test} {
		if s.Rows != cfg.Side || s.Cols != cfg.Side {
			return fmt.Errorf("%s: images are %dx%d, the classifier takes %dx%d", s.ImagesPath, s.Rows, s.Cols, cfg.Side, cfg.Side)
		}
	}
	if err := os.MkdirAll(filepath.Dir(o.out), 0o755); err != nil {
		return fmt.Errorf("output folder: %w", err)
	}
	net, err := classifier.New(cfg, rand.New(rand.NewPCG(o.seed, streamInit)))
	if err != nil {
		return err
	}
	grad := net.NewGradient()
	opt := nn.NewAdam[float32](o.lr)
	n := train.N
	if o.limit > 0 && o.limit < n {
		n = o.limit
	}
	px := train.Pixels()
	fmt.Fprintf(w, "training the classifier (conv %d-%d, fc %d) on %d images of %s, shifts up to %d pixels\n",
		cfg.Conv1, cfg.Conv2, cfg.Hidden, n, o.data, o.shift)
	var history []epochLog
	for epoch := 0; epoch < o.epochs; epoch++ {
		start := time.Now()
		opt.LR = o.lr * math.Pow(o.gamma, float64(epoch))
		perm := rand.New(rand.NewPCG(o.seed, streamOrder+uint64(epoch))).Perm(n)
		var lossSum float64
		var correct int
		x := make([]float32, o.batch*px)
		labels := make([]int, o.batch)
		for b := 0; b < n; b += o.batch {
			idx := perm[b:min(b+o.batch, n)]
			for r, i := range idx {
				rng := rand.New(rand.NewPCG(o.seed, streamShift|uint64(epoch)<<32|uint64(i)))
				dx, dy := rng.IntN(2*o.shift+1)-o.shift, rng.IntN(2*o.shift+1)-o.shift
				shift(x[r*px:(r+1)*px], train.Image(i), train.Cols, dx, dy)
				labels[r] = train.Labels[i]
			}
			loss, c, err := net.Gradient(grad, nn.NewMatrix(len(idx), px, x[:len(idx)*px]), labels[:len(idx)])
			if err != nil {
				return err
			}
			if math.IsNaN(loss) || math.IsInf(loss, 0) {
				return fmt.Errorf("epoch %d: loss is %v (try a lower -lr)", epoch+1, loss)
			}
			opt.Update(net.Params(), grad.Params())
			lossSum += loss
			correct += c
		}
		acc, err := accuracy(net, test)
		if err != nil {
			return err
		}
		line := epochLog{
			Epoch: epoch + 1, LR: opt.LR, TrainLoss: lossSum / float64(n), TrainAcc: float64(correct) / float64(n),
			TestAcc: acc, Seconds: time.Since(start).Seconds(),
		}
		history = append(history, line)
		fmt.Fprintf(w, "epoch %d lr %.3g train_loss %.4f train_accuracy %.4f test_accuracy %.4f epoch_s %.1f\n",
			line.Epoch, line.LR, line.TrainLoss, line.TrainAcc, line.TestAcc, line.Seconds)
		if err := writeLog(logPath(o.out), history); err != nil {
			return err
		}
	}
	last := history[len(history)-1]
	metrics, err := json.Marshal(struct {
		epochLog
		Date string `json:"date"`
	}{last, time.Now().UTC().Format(time.DateOnly)})
	if err != nil {
		return err
	}
	meta := map[string]string{"metrics": string(metrics), "command": o.command, "dataset": mnist.MNIST}
	if err := atomicfile.Write(o.out, func(f io.Writer) error { return classifier.Save(f, net, meta) }); err != nil {
		return err
	}
	fmt.Fprintf(w, "wrote %s (test accuracy %.2f%%, log %s)\n", o.out, 100*last.TestAcc, logPath(o.out))
	return nil
}

// shift copies the square image src (side x side) into dst moved right by
// dx and down by dy pixels, filling what comes in with 0 (background).
func shift(dst, src []float32, side, dx, dy int) {
	for y := 0; y < side; y++ {
		for x := 0; x < side; x++ {
			sx, sy := x-dx, y-dy
			var v float32
			if sx >= 0 && sx < side && sy >= 0 && sy < side {
				v = src[sy*side+sx]
			}
			dst[y*side+x] = v
		}
	}
}

// accuracy returns the fraction of the set's images the network labels
// correctly.
func accuracy(net *classifier.Net, s *mnist.Set) (float64, error) {
	x, _ := s.All()
	pred, err := net.Predict(x)
	if err != nil {
		return 0, err
	}
	correct := 0
	for i, p := range pred {
		if p == s.Labels[i] {
			correct++
		}
	}
	return float64(correct) / float64(s.N), nil
}

func logPath(out string) string { return strings.TrimSuffix(out, ".safetensors") + ".log.csv" }

func writeLog(path string, history []epochLog) error {
	return atomicfile.Write(path, func(f io.Writer) error {
		cw := csv.NewWriter(f)
		cw.Write([]string{"epoch", "lr", "train_loss", "train_accuracy", "test_accuracy", "epoch_s"})
		for _, l := range history {
			row := []string{strconv.Itoa(l.Epoch)}
			for _, v := range []float64{l.LR, l.TrainLoss, l.TrainAcc, l.TestAcc, l.Seconds} {
				row = append(row, strconv.FormatFloat(v, 'g', 6, 64))
			}
			cw.Write(row)
		}
		cw.Flush()
		return cw.Error()
	})
}
