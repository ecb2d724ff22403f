package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"

	"vaeplay/model/nn"
)

// Metadata keys that describe a trained model for its users (the widget):
// written by the trainer at the end of training, all JSON values.
const (
	// LatentKLKey holds a JSON array of Config.Latent numbers: for each
	// latent dimension i, the mean over the test set of
	// KL(q(z_i|x[,y]) || N(0, 1)) in nats (see LatentKL). A dimension near
	// zero is one the model does not use.
	LatentKLKey = "latent_kl"
	// NELBOPercentilesKey holds a JSON array of 101 numbers: the p-th
	// percentile, p = 0..100, of the per-image negative ELBO on the test set
	// at z = mu (see NELBOAtMean and Percentiles).
	NELBOPercentilesKey = "nelbo_percentiles"
	// DatasetKey names the training data: "mnist" or "fashion-mnist".
	DatasetKey = "dataset"
	// ClassNamesKey holds a JSON array of the names of the classes, in label
	// order ("0".."9" for MNIST).
	ClassNamesKey = "class_names"
)

// annotateBatch bounds the rows pushed through the model at once, so that
// annotating the 10,000 test images does not hold all their activations.
const annotateBatch = 1000

// LatentKL returns, for each latent dimension i, the mean over the rows of x
// of KL(q(z_i|x[,y]) || N(0, 1)) = -1/2 (1 + logvar_i - mu_i² - exp(logvar_i)),
// in nats. Their sum is the mean KL term of the loss. labels holds one class
// per row for a conditional model and is nil otherwise.
func (m *VAE[T]) LatentKL(x nn.Matrix[T], labels []int) ([]float64, error) {
	n, err := m.checkBatch(x, labels)
	if err != nil {
		return nil, err
	}
	sums := make([]float64, m.Config.Latent)
	for start := 0; start < n; start += annotateBatch {
		end := min(start+annotateBatch, n)
		mu, logVar := m.Encode(x.RowSlice(start, end), labelsOf(labels, start, end))
		for i := 0; i < end-start; i++ {
			for j := range sums {
				u, lv := float64(mu.At(i, j)), float64(logVar.At(i, j))
				sums[j] += -(1 + lv - u*u - math.Exp(lv)) / 2
			}
		}
	}
	for j := range sums {
		sums[j] /= float64(n)
	}
	return sums, nil
}

// NELBOAtMean returns, for each row of x, the negative ELBO in nats,
// reconstruction plus KL (unweighted by Beta), with z set to the mean of
// q(z|x[,y]): the noise of the reparameterization is zero. It is the score
// that Evaluate gives one image with zero noise, as Recon + KL, computed a
// batch at a time.
func (m *VAE[T]) NELBOAtMean(x nn.Matrix[T], labels []int) ([]float64, error) {
	n, err := m.checkBatch(x, labels)
	if err != nil {
		return nil, err
	}
	scores := make([]float64, 0, n)
	for start := 0; start < n; start += annotateBatch {
		end := min(start+annotateBatch, n)
		xb, lb := x.RowSlice(start, end), labelsOf(labels, start, end)
		mu, logVar := m.Encode(xb, lb)
		logits := m.DecodeLogits(mu, lb)
		var none nn.Matrix[T]
		for i := 0; i < end-start; i++ {
			recon := reconstructionRow(m.Config.Likelihood, logits.Row(i), xb.Row(i), nil)
			kl := klDivergence(mu.RowSlice(i, i+1), logVar.RowSlice(i, i+1), 1, none, none)
			scores = append(scores, recon+kl)
		}
	}
	return scores, nil
}

// Percentiles returns the p-th percentile of values for p = 0, 1, ..., 100:
// 101 numbers, the first the smallest value and the last the largest. A
// percentile between two sorted values is interpolated linearly between
// them (the definition of numpy.percentile's default): the p-th is at
// fractional rank p/100·(n-1) of the sorted values.
func Percentiles(values []float64) ([]float64, error) {
	if len(values) == 0 {
		return nil, errors.New("model: percentiles of no values")
	}
	for i, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("model: percentiles: value %d is %v", i, v)
		}
	}
	s := slices.Clone(values)
	slices.Sort(s)
	ps := make([]float64, 101)
	for p := range ps {
		r := float64(p) / 100 * float64(len(s)-1)
		lo := int(math.Floor(r))
		hi := min(lo+1, len(s)-1)
		ps[p] = s[lo] + (r-float64(lo))*(s[hi]-s[lo])
	}
	return ps, nil
}

// PercentileOf places score among percentiles (101 ascending numbers, as
// Percentiles returns them): the p in [0, 100], interpolated linearly
// between the two percentiles around score, such that a fraction p/100 of
// the reference images scored lower. A score below the smallest gives 0,
// above the largest 100.
func PercentileOf(percentiles []float64, score float64) float64 {
	n := len(percentiles)
	if n < 2 || math.IsNaN(score) {
		return math.NaN()
	}
	if score <= percentiles[0] {
		return 0
	}
	if score >= percentiles[n-1] {
		return 100
	}
	// percentiles[i-1] < score <= percentiles[i]
	i := sort.SearchFloat64s(percentiles, score)
	lo, hi := percentiles[i-1], percentiles[i]
	frac := 1.0
	if hi > lo {
		frac = (score - lo) / (hi - lo)
	}
	return (float64(i-1) + frac) * 100 / float64(n-1)
}

// Annotations returns the metadata entries LatentKLKey and
// NELBOPercentilesKey for m measured on the images x (the test set), labels
// being their true classes for a conditional model and nil otherwise.
func Annotations[T Float](m *VAE[T], x nn.Matrix[T], labels []int) (Metadata, error) {
	kl, err := m.LatentKL(x, labels)
	if err != nil {
		return nil, err
	}
	scores, err := m.NELBOAtMean(x, labels)
	if err != nil {
		return nil, err
	}
	ps, err := Percentiles(scores)
	if err != nil {
		return nil, err
	}
	klJSON, err := json.Marshal(kl)
	if err != nil {
		return nil, fmt.Errorf("model: latent KL: %w", err)
	}
	psJSON, err := json.Marshal(ps)
	if err != nil {
		return nil, fmt.Errorf("model: NELBO percentiles: %w", err)
	}
	return Metadata{LatentKLKey: string(klJSON), NELBOPercentilesKey: string(psJSON)}, nil
}

// ParseLatentKL reads meta[LatentKLKey] for a model of the given latent
// size. ok is false when the key is absent (files trained before it
// existed); a present but malformed value is an error.
func ParseLatentKL(meta Metadata, latent int) (kl []float64, ok bool, err error) {
	return parseFloats(meta, LatentKLKey, latent)
}

// ParseNELBOPercentiles reads meta[NELBOPercentilesKey]: 101 ascending
// numbers. ok is false when the key is absent; a present but malformed value
// is an error.
func ParseNELBOPercentiles(meta Metadata) (ps []float64, ok bool, err error) {
	ps, ok, err = parseFloats(meta, NELBOPercentilesKey, 101)
	if err != nil || !ok {
		return ps, ok, err
	}
	if !slices.IsSorted(ps) {
		return nil, true, fmt.Errorf("model: metadata %q: percentiles are not in ascending order", NELBOPercentilesKey)
	}
	return ps, true, nil
}

func parseFloats(meta Metadata, key string, want int) ([]float64, bool, error) {
	raw, ok := meta[key]
	if !ok {
		return nil, false, nil
	}
	var xs []float64
	if err := json.Unmarshal([]byte(raw), &xs); err != nil {
		return nil, true, fmt.Errorf("model: metadata %q: want a JSON array of numbers: %w", key, err)
	}
	if len(xs) != want {
		return nil, true, fmt.Errorf("model: metadata %q: %d numbers, want %d", key, len(xs), want)
	}
	return xs, true, nil
}

// checkBatch reports a batch the model cannot take, and returns its rows.
func (m *VAE[T]) checkBatch(x nn.Matrix[T], labels []int) (int, error) {
	if x.Rows == 0 {
		return 0, errors.New("model: no images")
	}
	n, d := x.Rows, x.Cols
	if d != m.Config.Input {
		return 0, fmt.Errorf("model: images have %d pixels, the model takes %d", d, m.Config.Input)
	}
	if !m.Config.Conditional() {
		if labels != nil {
			return 0, errors.New("model: labels given to an unconditional model")
		}
		return n, nil
	}
	if len(labels) != n {
		return 0, fmt.Errorf("model: %d labels for %d images", len(labels), n)
	}
	for i, y := range labels {
		if y < 0 || y >= m.Config.Classes {
			return 0, fmt.Errorf("model: label %d of image %d out of range 0..%d", y, i, m.Config.Classes-1)
		}
	}
	return n, nil
}

func labelsOf(labels []int, start, end int) []int {
	if labels == nil {
		return nil
	}
	return labels[start:end]
}
