package model

import (
	"fmt"
	"math"
	"math/rand/v2"

	"vaeplay/model/nn"
)

// Image completion: given the visible pixels x_v of an image, fill in the
// hidden ones x_h with their expectation under the model,
//
//	E[x_h | x_v] = ∫ E[x_h | z] p(z | x_v) dz,   p(z | x_v) ∝ p(x_v | z) p(z),
//
// where E[x_h | z] is the decoder's pixel means. Two ways are here:
//
//   - PseudoGibbs, the chain of Rezende et al. (2014): encode the current
//     guess, decode the mean, keep the visible pixels, repeat. It needs no
//     sampling and converges quickly, but to a fixed point of the
//     encoder-decoder round trip, not to the model's conditional.
//   - Complete, importance-weighted imputation (Mattei and Frellsen's MIWAE,
//     2019): draw z_k from a proposal, weigh each by
//     w_k ∝ p(x_v | z_k) p(z_k) / r(z_k), and average the decoder's means
//     with the normalized weights. It converges to the model's true
//     conditional expectation as K grows. The proposal r is the encoder's
//     q(z | x̃) at the pseudo-Gibbs guess x̃, with its spread widened so
//     that its tails cover the posterior's: any proposal with full support
//     gives the same limit, a good one only makes the weights even.

// Mask marks which pixels of an image are visible: Mask[i] is true when
// pixel i is given and false when the model is to fill it in.
type Mask []bool

// Hidden returns the number of hidden pixels.
func (m Mask) Hidden() int {
	n := 0
	for _, v := range m {
		if !v {
			n++
		}
	}
	return n
}

// Completion is an image with its hidden pixels filled in.
type Completion[T Float] struct {
	// Image holds every pixel: the visible ones exactly as given, the
	// hidden ones their estimated expectation given the visible ones.
	Image []T
	// StdErr is, for each pixel, the estimate's standard error (zero for
	// the visible pixels), by the delta method for a self-normalized
	// importance sampler: sqrt(Σ w̄_k² (f_k - f̂)²).
	StdErr []float64
	// ESS is the effective sample size of the weights, 1/Σ w̄_k²: between 1
	// (one sample carries all the weight) and K (all weigh the same).
	ESS float64
	// LogVisible is the importance-sampling estimate of log p(x_v), the
	// likelihood of the visible pixels alone, in nats: low when what is
	// shown is unlike the training data.
	LogVisible float64
}

// CompleteOptions sets how Complete samples.
type CompleteOptions struct {
	// K is the number of importance samples (at least 1).
	K int
	// Warm is the number of pseudo-Gibbs steps that make the guess the
	// proposal is encoded from.
	Warm int
	// Widen scales the proposal's standard deviations; 0 means
	// DefaultWiden.
	Widen float64
	// RNG draws the proposal's noise.
	RNG *rand.Rand
}

// DefaultWiden is the proposal's default widening: heavier tails than the
// encoder's, so that no part of the posterior the encoder misjudges goes
// unsampled.
const DefaultWiden = 1.5

// checkCompletion reports an image, mask or label the model cannot take.
func (m *VAE[T]) checkCompletion(x []T, visible Mask, label int) ([]int, error) {
	switch {
	case len(x) != m.Config.Input:
		return nil, fmt.Errorf("model: image of %d pixels for a model of %d", len(x), m.Config.Input)
	case len(visible) != len(x):
		return nil, fmt.Errorf("model: mask of %d pixels for an image of %d", len(visible), len(x))
	}
	if !m.Config.Conditional() {
		return nil, nil
	}
	if label < 0 || label >= m.Config.Classes {
		return nil, fmt.Errorf("model: label %d out of range 0..%d", label, m.Config.Classes-1)
	}
	return []int{label}, nil
}

// PseudoGibbs runs steps of the pseudo-Gibbs chain of Rezende et al. (2014)
// from x with its hidden pixels set to zero: encode the guess, decode the
// posterior mean, put back the visible pixels. It returns the guess after
// each step (steps+1 images, the first the zero-filled start), so that a
// view can show the chain fill the image in. label is the class for a
// conditional model and is ignored otherwise.
func (m *VAE[T]) PseudoGibbs(x []T, visible Mask, label, steps int) ([][]T, error) {
	labels, err := m.checkCompletion(x, visible, label)
	if err != nil {
		return nil, err
	}
	guess := make([]T, len(x))
	for i, v := range visible {
		if v {
			guess[i] = x[i]
		}
	}
	out := [][]T{append([]T(nil), guess...)}
	for range steps {
		mu, _ := m.Encode(nn.NewMatrix(1, len(guess), guess), labels)
		mean := m.Decode(mu, labels).Row(0)
		guess = make([]T, len(x))
		for i, v := range visible {
			if v {
				guess[i] = x[i]
			} else {
				guess[i] = mean[i]
			}
		}
		out = append(out, guess)
	}
	return out, nil
}

// Complete fills in the hidden pixels of x by importance-weighted
// imputation (see the package's notes above PseudoGibbs): E[x_h | x_v]
// under the model, from opt.K samples of z. label is the class for a
// conditional model and is ignored otherwise. The visible pixels are kept
// exactly.
func (m *VAE[T]) Complete(x []T, visible Mask, label int, opt CompleteOptions) (Completion[T], error) {
	labels, err := m.checkCompletion(x, visible, label)
	if err != nil {
		return Completion[T]{}, err
	}
	if opt.K < 1 {
		return Completion[T]{}, fmt.Errorf("model: %d importance samples, want at least 1", opt.K)
	}
	if opt.RNG == nil {
		return Completion[T]{}, fmt.Errorf("model: no random source for the importance samples")
	}
	widen := opt.Widen
	if widen == 0 {
		widen = DefaultWiden
	}
	if !(widen > 0) || math.IsInf(widen, 0) {
		return Completion[T]{}, fmt.Errorf("model: proposal widening %v, want a positive number", opt.Widen)
	}
	chain, _ := m.PseudoGibbs(x, visible, label, opt.Warm)
	mu, logVar := m.Encode(nn.NewMatrix(1, len(x), chain[len(chain)-1]), labels)
	lat := m.Config.Latent
	logWiden := math.Log(widen)

	// z_k = mu + widen·sigma·eps_k, and the part of the log weight that
	// needs no decoder: log p(z) - log r(z), the 2π terms cancelling.
	z := nn.NewMatrix[T](opt.K, lat, nil)
	logW := make([]float64, opt.K)
	for k := range opt.K {
		zr := z.Row(k)
		for l := range lat {
			u, lv := float64(mu.At(0, l)), float64(logVar.At(0, l))
			s := widen * math.Exp(lv/2)
			zl := T(u + s*opt.RNG.NormFloat64())
			zr[l] = zl
			d := (float64(zl) - u) / s
			logW[k] += -float64(zl)*float64(zl)/2 + d*d/2 + lv/2 + logWiden
		}
	}
	logits := m.DecodeLogits(z, m.labelsFor(opt.K, label))
	var lse logSumExp
	for k := range opt.K {
		logW[k] += logPVisible(m.Config.Likelihood, logits.Row(k), x, visible)
		lse.add(logW[k])
	}
	norm := lse.value()
	if math.IsNaN(norm) || math.IsInf(norm, 0) {
		return Completion[T]{}, fmt.Errorf("model: importance weights are %v: the visible pixels have no likelihood under the model", norm)
	}

	// Normalized weights, the weighted mean of the decoder's pixel means,
	// and the delta method's variance about it.
	w := make([]float64, opt.K)
	var sumSq float64
	for k, lw := range logW {
		w[k] = math.Exp(lw - norm)
		sumSq += w[k] * w[k]
	}
	c := Completion[T]{
		Image:      make([]T, len(x)),
		StdErr:     make([]float64, len(x)),
		ESS:        1 / sumSq,
		LogVisible: norm - math.Log(float64(opt.K)),
	}
	mean := make([]float64, len(x))
	for k := range opt.K {
		for i, l := range logits.Row(k) {
			if !visible[i] {
				mean[i] += w[k] * sigmoid64(float64(l))
			}
		}
	}
	for k := range opt.K {
		for i, l := range logits.Row(k) {
			if !visible[i] {
				d := sigmoid64(float64(l)) - mean[i]
				c.StdErr[i] += w[k] * w[k] * d * d
			}
		}
	}
	for i, v := range visible {
		if v {
			c.Image[i] = x[i]
		} else {
			c.Image[i] = T(mean[i])
			c.StdErr[i] = math.Sqrt(c.StdErr[i])
		}
	}
	return c, nil
}

// logPVisible returns log p(x_v | z) for the visible pixels of x given the
// decoder's logits: logPXGivenZ restricted to the mask.
func logPVisible[T Float](lik Likelihood, logits, x []T, visible Mask) float64 {
	var sum float64
	for i, l := range logits {
		if !visible[i] {
			continue
		}
		switch lik {
		case Gaussian:
			d := float64(x[i]) - sigmoid64(float64(l))
			sum -= d*d/2 + log2Pi/2
		default:
			sum -= reconstructionRow(Bernoulli, logits[i:i+1], x[i:i+1], nil)
		}
	}
	return sum
}

// sigmoid64 is 1/(1+exp(-l)).
func sigmoid64(l float64) float64 { return 1 / (1 + math.Exp(-l)) }
