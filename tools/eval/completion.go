package main

import (
	"fmt"
	"math"
	"math/rand/v2"

	"vaeplay/model"
	"vaeplay/model/classifier"
	"vaeplay/tools/internal/mnist"
)

// completionReport is how well the model fills in the bottom half of test
// digits from their top half, by three methods.
type completionReport struct {
	Mask string `json:"mask"`
	N    int    `json:"n"`
	// K and Warm are the importance sampler's samples and the pseudo-Gibbs
	// steps its proposal starts from; Steps is the plain pseudo-Gibbs
	// chain's length.
	K     int `json:"k"`
	Warm  int `json:"warm"`
	Steps int `json:"steps"`
	// Methods maps a method to its figures: "mean_image" (the training
	// set's mean pixel), "pseudo_gibbs" (Rezende et al. 2014) and
	// "importance" (importance-weighted imputation, what the widget shows).
	Methods map[string]completionFigures `json:"methods"`
	// TopHalfAccuracy is the classifier's accuracy on the top halves alone
	// (the bottom left black), the yardstick for the methods' accuracy.
	TopHalfAccuracy *float64 `json:"top_half_accuracy,omitempty"`
	// MeanESS is the importance sampler's mean effective sample size.
	MeanESS float64 `json:"mean_ess"`
}

// completionFigures are one method's results.
type completionFigures struct {
	// BCE is the binary cross-entropy of the hidden pixels against the
	// completion, in nats per image, the completion's pixels clamped to
	// [1e-7, 1-1e-7] so that a certain wrong pixel costs 16 nats, not
	// infinity.
	BCE float64 `json:"bce_hidden"`
	// Accuracy is the classifier's accuracy on the completed images.
	Accuracy *float64 `json:"accuracy,omitempty"`
}

// completionMethods are the methods in the order the table lists them.
var completionMethods = []string{"mean_image", "pseudo_gibbs", "importance"}

// bottomHalf hides the bottom rows/2 rows of a rows×cols image.
func bottomHalf(rows, cols int) model.Mask {
	mask := make(model.Mask, rows*cols)
	for i := range mask {
		mask[i] = i < rows/2*cols
	}
	return mask
}

// hiddenBCE returns the binary cross-entropy of the hidden pixels of x
// against the completion c.
func hiddenBCE(x, c []float32, visible model.Mask) float64 {
	const eps = 1e-7
	var sum float64
	for i, v := range visible {
		if v {
			continue
		}
		p := min(max(float64(c[i]), eps), 1-eps)
		t := float64(x[i])
		sum -= t*math.Log(p) + (1-t)*math.Log(1-p)
	}
	return sum
}

// completion fills in the bottom half of the first n images of x (labels
// their classes, given to a conditional model) by the three methods, and
// scores the results; net, if not nil, labels the completed images.
func completion(m *model.Model, x model.Matrix, labels []int, train *mnist.Set, net *classifier.Net, n, k, warm, steps int, seed uint64, rows, cols int) (completionReport, error) {
	r := completionReport{Mask: "bottom half hidden", N: n, K: k, Warm: warm, Steps: steps, Methods: map[string]completionFigures{}}
	mask := bottomHalf(rows, cols)
	mean := make([]float32, train.Pixels())
	for i := range train.N {
		for j, v := range train.Image(i) {
			mean[j] += v / float32(train.N)
		}
	}
	completed := map[string]model.Matrix{}
	for _, name := range completionMethods {
		completed[name] = model.NewMatrix(n, x.Cols, nil)
	}
	topHalves := model.NewMatrix(n, x.Cols, nil)
	var bce [3]float64
	for i := range n {
		xi := x.Row(i)
		label := 0
		if m.Config.Conditional() {
			label = labels[i]
		}
		img := completed["mean_image"].Row(i)
		for j, v := range mask {
			if v {
				img[j], topHalves.Row(i)[j] = xi[j], xi[j]
			} else {
				img[j] = mean[j]
			}
		}
		chain, err := m.PseudoGibbs(xi, mask, label, steps)
		if err != nil {
			return r, fmt.Errorf("test image %d: %w", i, err)
		}
		copy(completed["pseudo_gibbs"].Row(i), chain[len(chain)-1])
		c, err := m.Complete(xi, mask, label, model.CompleteOptions{K: k, Warm: warm, RNG: rand.New(rand.NewPCG(seed, completionStream+uint64(i)))})
		if err != nil {
			return r, fmt.Errorf("test image %d: %w", i, err)
		}
		copy(completed["importance"].Row(i), c.Image)
		r.MeanESS += c.ESS / float64(n)
		for mi, name := range completionMethods {
			bce[mi] += hiddenBCE(xi, completed[name].Row(i), mask) / float64(n)
		}
	}
	accuracy := func(imgs model.Matrix) (*float64, error) {
		if net == nil {
			return nil, nil
		}
		pred, err := net.Predict(imgs)
		if err != nil {
			return nil, err
		}
		right := 0
		for i, p := range pred {
			if p == labels[i] {
				right++
			}
		}
		a := float64(right) / float64(n)
		return &a, nil
	}
	for mi, name := range completionMethods {
		acc, err := accuracy(completed[name])
		if err != nil {
			return r, fmt.Errorf("classifying the %s completions: %w", name, err)
		}
		r.Methods[name] = completionFigures{BCE: bce[mi], Accuracy: acc}
	}
	acc, err := accuracy(topHalves)
	if err != nil {
		return r, fmt.Errorf("classifying the top halves: %w", err)
	}
	r.TopHalfAccuracy = acc
	return r, nil
}

// completionStream seeds image i's importance samples as (seed,
// completionStream+i), apart from the likelihood's streams.
const completionStream = 0xc0de << 32
