package widget

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"vaeplay/model"
)

// Every call the widget makes into package model is in this file: the
// seed's noise, the models' kinds and metadata, the ranking of latent
// dimensions by decoder weights, encoding and scoring a drawing, and
// decoding (Decode, which package game times and paints). The widget keeps
// latent codes and pixels as float64, as the URL, the sliders and the
// page's messages spell them; the model computes in float32. Narrow and
// Widen are the conversions at that boundary.

// Narrow returns rows of width cols as a model matrix, one per row.
func Narrow(cols int, rows ...[]float64) model.Matrix {
	m := model.NewMatrix(len(rows), cols, nil)
	for i, r := range rows {
		dst := m.Row(i)
		for j, v := range r[:cols] {
			dst[j] = float32(v)
		}
	}
	return m
}

// Widen returns a row of the model's float32 values as float64, exactly.
func Widen(row []float32) []float64 {
	out := make([]float64, len(row))
	for i, v := range row {
		out[i] = float64(v)
	}
	return out
}

// Decode decodes the latent codes zs with m in one batched product, under
// labels (one per code for a CVAE, nil for a VAE), and returns each
// image's pixel means.
func Decode(m *model.Model, zs [][]float64, labels []int) [][]float64 {
	x := m.Decode(Narrow(m.Config.Latent, zs...), labels)
	out := make([][]float64, x.Rows)
	for i := range out {
		out[i] = Widen(x.Row(i))
	}
	return out
}

// SeedZ returns the latent code of a seed at a temperature: temperature · ε
// for ε standard normal noise from a PCG generator seeded with (seed, seed),
// drawn by the same model.Noise the trainer samples with. (Kind, digit,
// seed) reproduce the pixels exactly.
func SeedZ(seed uint64, latent int, temp float64) []float64 {
	z := Widen(model.Noise(1, latent, rand.New(rand.NewPCG(seed, seed))).Row(0))
	out := make([]float64, latent)
	for i, v := range z {
		out[i] = temp * v
	}
	return out
}

// KindOf tells which of the widget's two models a loaded model can be, or why
// it can be neither: the widget draws 28×28 images and labels 0..9.
func KindOf(cfg model.Config) (Kind, error) {
	if cfg.Input != ImageSide*ImageSide {
		return "", fmt.Errorf("model has %d inputs, the widget draws %d×%d = %d pixels", cfg.Input, ImageSide, ImageSide, ImageSide*ImageSide)
	}
	switch cfg.Classes {
	case 0:
		return VAE, nil
	case Digits:
		return CVAE, nil
	}
	return "", fmt.Errorf("model has %d classes, the widget shows 0 (a VAE) or %d (a CVAE of digits)", cfg.Classes, Digits)
}

// readMetadata reads what a full model's file says beyond its weights: the
// latent_kl that ranks the sliders and the nelbo_percentiles that place a
// drawing's score. A malformed entry is an error that says what the widget
// does without it; the other entries still count.
func readMetadata(m *model.Model, meta model.Metadata) (kl, pcts []float64, errs []error) {
	kl, _, err := model.ParseLatentKL(meta, m.Config.Latent)
	if err != nil {
		errs = append(errs, fmt.Errorf("%w (ranking the sliders by decoder weights instead)", err))
	}
	pcts, _, err = model.ParseNELBOPercentiles(meta)
	if err != nil {
		errs = append(errs, fmt.Errorf("%w (drawings get no percentile)", err))
	}
	return kl, pcts, errs
}

// Percentile returns where nats fall among the test set's scores, given
// their percentiles (nelbo_percentiles), rounded to a tenth.
func Percentile(pcts []float64, nats float64) float64 {
	return math.Round(model.PercentileOf(pcts, nats)*10) / 10
}

// RankLatents orders m's latent dimensions by how much they matter, most
// first. With kl (one number per dimension: the mean KL of q(z_i|x) from the
// prior on the test set, which the trainer writes into the weights'
// metadata as latent_kl) they are ranked by it: a dimension with no KL
// carries no information about the image, however the decoder's weights
// look. Without it (kl nil, or of the wrong length: files trained before
// the key existed) a load-time proxy ranks them: the Euclidean norm of each
// z coordinate's column in the decoder's first weight matrix, which shrinks
// towards zero for a dimension the KL term switched off.
func RankLatents(m *model.Model, kl []float64) []int {
	latent := m.Config.Latent
	score := make([]float64, latent)
	if len(kl) == latent {
		copy(score, kl)
	} else {
		w := m.Out.W // no hidden layers: z feeds the output layer directly
		if len(m.Decoder) > 0 {
			w = m.Decoder[0].W
		}
		for j := range min(latent, w.Cols) { // columns past latent are the label's one-hot
			var s float64
			for i := range w.Rows {
				v := float64(w.At(i, j))
				s += v * v
			}
			score[j] = math.Sqrt(s)
		}
	}
	order := make([]int, latent)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case score[a] > score[b]:
			return -1
		case score[a] < score[b]:
			return 1
		}
		return 0
	})
	return order
}

// Encoding is what the model makes of a drawing.
type Encoding struct {
	Mu []float64 // the mean of q(z|x): where the drawing lands in latent space
	// Nats is the negative ELBO of the drawing, reconstruction plus KL, in
	// nats, evaluated at z = μ (the noise of the reparameterization set to
	// zero, so that the score does not jitter). Lower is more typical: a
	// test-set digit scores around 100 with the shipped models, a scribble
	// far more.
	Nats float64
}

// Encode encodes the 784 ink values x with m (under label for a CVAE;
// ignored by a VAE) and scores them.
func Encode(m *model.Model, x []float64, label int) (Encoding, error) {
	if len(x) != m.Config.Input {
		return Encoding{}, fmt.Errorf("drawing has %d pixels, the model reads %d", len(x), m.Config.Input)
	}
	xs := Narrow(len(x), x)
	var labels []int
	if m.Config.Classes > 0 {
		if label < 0 || label >= m.Config.Classes {
			return Encoding{}, fmt.Errorf("label %d: the model has %d classes", label, m.Config.Classes)
		}
		labels = []int{label}
	}
	mu, _ := m.Encode(xs, labels)
	loss := m.Evaluate(xs, labels, model.NewMatrix(1, m.Config.Latent, nil))
	return Encoding{Mu: Widen(mu.Row(0)), Nats: loss.Recon + loss.KL}, nil
}

// ReadLabel encodes x with the conditional model m under every label and
// returns the label under which x scores best (the lowest negative ELBO at
// z = μ), with that encoding: the conditional VAE used as a classifier, so
// that a drawing or a plain VAE's sample can be given the style row
// without the reader naming its digit.
func ReadLabel(m *model.Model, x []float64) (int, Encoding, error) {
	if m.Config.Classes == 0 {
		return -1, Encoding{}, fmt.Errorf("reading a label needs a conditional model, this one has no classes")
	}
	if len(x) != m.Config.Input {
		return -1, Encoding{}, fmt.Errorf("image has %d pixels, the model reads %d", len(x), m.Config.Input)
	}
	n := m.Config.Classes
	rows := make([][]float64, n)
	labels := make([]int, n)
	for i := range n {
		rows[i] = x
		labels[i] = i
	}
	xs := Narrow(len(x), rows...)
	scores, err := m.NELBOAtMean(xs, labels)
	if err != nil {
		return -1, Encoding{}, fmt.Errorf("scoring under every label: %w", err)
	}
	best := 0
	for i, s := range scores {
		if s < scores[best] {
			best = i
		}
	}
	mu, _ := m.Encode(Narrow(len(x), x), []int{best})
	return best, Encoding{Mu: Widen(mu.Row(0)), Nats: scores[best]}, nil
}
