package main

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"vaeplay/model"
)

// log2Pi is log(2π), the constant of every Gaussian log-density.
var log2Pi = math.Log(2 * math.Pi)

// logSumExp returns log Σ exp(v) without overflow or underflow: the largest
// term is factored out. It is -Inf for no terms or all terms -Inf.
func logSumExp(v []float64) float64 {
	var a lseAcc
	for _, x := range v {
		a.add(x)
	}
	return a.value()
}

// lseAcc accumulates log Σ exp(x) one term at a time, in the same stable
// way, so that the k importance weights of an image can arrive in chunks.
// Its zero value is the empty sum.
type lseAcc struct {
	max float64 // largest term so far, once sum > 0
	sum float64 // Σ exp(x - max)
}

func (a *lseAcc) add(x float64) {
	switch {
	case math.IsNaN(a.max) || math.IsNaN(x):
		a.max, a.sum = math.NaN(), math.NaN()
	case math.IsInf(x, -1) || math.IsInf(a.max, 1):
		// exp(-Inf) adds nothing; nothing adds to +Inf.
	case a.sum == 0:
		a.max, a.sum = x, 1
	case x > a.max:
		a.sum = a.sum*math.Exp(a.max-x) + 1
		a.max = x
	default:
		a.sum += math.Exp(x - a.max)
	}
}

func (a *lseAcc) value() float64 {
	if a.sum == 0 {
		return math.Inf(-1)
	}
	return a.max + math.Log(a.sum)
}

// estimate is the importance-sampling result for one image.
type estimate struct {
	// LogLik is log (1/k) Σ_i p(x, z_i) / q(z_i|x): the estimate of
	// log p(x) (log p(x|y) for a conditional model) of Burda et al. (2015),
	// a lower bound in expectation that tightens as k grows.
	LogLik float64
	// ELBO is (1/k) Σ_i log [p(x, z_i) / q(z_i|x)] from the same samples: a
	// Monte Carlo ELBO, never above LogLik (Jensen's inequality).
	ELBO float64
}

// sampler estimates log-likelihoods by importance sampling with q(z|x) as
// the proposal.
type sampler struct {
	m *model.Model
	// k is the number of samples per image.
	k int
	// rows bounds the rows of one decoder batch; images with small k share
	// a batch, images with large k are split over several.
	rows int
	// seed and the image's index seed the noise of each image, so that an
	// image's estimate is the same whatever -n or the batching.
	seed uint64
}

// run returns the estimates for the images in the rows of x (labels: one
// per row for a conditional model, else nil); first is the index of x's
// first row in the data set, for seeding. done is called with the number of
// images finished after each batch, if not nil.
func (s sampler) run(x *mat.Dense, labels []int, first int, done func(int)) ([]estimate, error) {
	n, d := x.Dims()
	cfg := s.m.Config
	if d != cfg.Input {
		return nil, fmt.Errorf("images have %d pixels, the model takes %d", d, cfg.Input)
	}
	if err := checkLabels(cfg, labels, n); err != nil {
		return nil, err
	}
	if s.k <= 0 {
		return nil, fmt.Errorf("k = %d samples, want at least 1", s.k)
	}
	rows := max(s.rows, 1)
	mu, logVar := s.m.Encode(x, labels)
	lat := cfg.Latent
	out := make([]estimate, n)
	acc := make([]lseAcc, n)
	meanW := make([]float64, n)

	// A batch is a list of runs of samples, image after image; the noise
	// is drawn as a run is cut, so that an image split over two batches
	// keeps drawing from its own generator.
	type run struct{ img, count int }
	var (
		img, next int // current image and its next sample
		rng       *rand.Rand
		eps       = make([]float64, 0, rows*lat)
	)
	for img < n {
		var runs []run
		eps = eps[:0]
		total := 0
		for total < rows && img < n {
			if next == 0 {
				rng = rand.New(rand.NewPCG(s.seed, uint64(first+img)))
			}
			c := min(s.k-next, rows-total)
			runs = append(runs, run{img, c})
			for range c * lat {
				eps = append(eps, rng.NormFloat64())
			}
			total += c
			next += c
			if next == s.k {
				img, next = img+1, 0
			}
		}
		// z = mu + sigma*eps for every row, and the part of the log weight
		// that needs no decoder: log p(z) - log q(z|x).
		z := mat.NewDense(total, lat, nil)
		w := make([]float64, total)
		var batchLabels []int
		if cfg.Conditional() {
			batchLabels = make([]int, total)
		}
		r := 0
		for _, ru := range runs {
			muRow, lvRow := mu.RawRowView(ru.img), logVar.RawRowView(ru.img)
			for range ru.count {
				zr, er := z.RawRowView(r), eps[r*lat:(r+1)*lat]
				var lw float64
				for l, e := range er {
					zl := muRow[l] + math.Exp(lvRow[l]/2)*e
					zr[l] = zl
					// log N(z; 0, 1) - log N(z; mu, sigma²); the 2π terms cancel.
					lw += -zl*zl/2 + e*e/2 + lvRow[l]/2
				}
				w[r] = lw
				if batchLabels != nil {
					batchLabels[r] = labels[ru.img]
				}
				r++
			}
		}
		logits := s.m.DecodeLogits(z, batchLabels)
		r = 0
		for _, ru := range runs {
			xr := x.RawRowView(ru.img)
			for j := 0; j < ru.count; j++ {
				lw := w[r] + logPXGivenZ(cfg.Likelihood, logits.RawRowView(r), xr)
				acc[ru.img].add(lw)
				meanW[ru.img] += lw
				r++
			}
		}
		if done != nil {
			done(img)
		}
	}
	for i := range out {
		out[i] = estimate{
			LogLik: acc[i].value() - math.Log(float64(s.k)),
			ELBO:   meanW[i] / float64(s.k),
		}
	}
	return out, nil
}

// checkLabels reports labels that do not suit cfg for n images.
func checkLabels(cfg model.Config, labels []int, n int) error {
	if !cfg.Conditional() {
		if labels != nil {
			return fmt.Errorf("labels given for a model without classes")
		}
		return nil
	}
	if len(labels) != n {
		return fmt.Errorf("%d labels for %d images", len(labels), n)
	}
	for i, y := range labels {
		if y < 0 || y >= cfg.Classes {
			return fmt.Errorf("label %d of image %d is outside the model's 0..%d", y, i, cfg.Classes-1)
		}
	}
	return nil
}

// logPXGivenZ returns log p(x|z) for one image x given the decoder's logits.
//
// Bernoulli: Σ x log σ(l) + (1-x) log(1-σ(l)) = Σ x l - softplus(l), the
// negative binary cross-entropy, also for grey x in (0, 1) as in training.
// Gaussian: the density of a unit-variance Gaussian around the means σ(l),
// -Σ (x-σ(l))²/2 - D/2 log 2π. (The training loss is Σ (x-σ(l))², twice
// the first term, without the constant: not a log-likelihood itself.)
func logPXGivenZ(lik model.Likelihood, logits, x []float64) float64 {
	var sum float64
	switch lik {
	case model.Gaussian:
		for i, l := range logits {
			d := x[i] - 1/(1+math.Exp(-l))
			sum -= d * d / 2
		}
		return sum - float64(len(x))/2*log2Pi
	default:
		for i, l := range logits {
			sum += x[i]*l - (math.Max(l, 0) + math.Log1p(math.Exp(-math.Abs(l))))
		}
		return sum
	}
}

// testLoss returns the per-image loss of the images in x exactly as
// tools/train's evaluate computes it, and PyTorch's examples/vae reports it:
// one z per image, drawn from the same fixed seed in batches of 1000, so
// that on the full grey test set it reproduces the trainer's test_loss.
func testLoss(m *model.Model, x *mat.Dense, labels []int) model.Loss {
	n, _ := x.Dims()
	rng := rand.New(rand.NewPCG(0x7e57, 0x7e57))
	var total model.Loss
	for start := 0; start < n; start += 1000 {
		end := min(start+1000, n)
		var ls []int
		if labels != nil {
			ls = labels[start:end]
		}
		xb := x.Slice(start, end, 0, m.Config.Input).(*mat.Dense)
		total = total.Add(m.Evaluate(xb, ls, model.Noise(end-start, m.Config.Latent, rng)))
	}
	return total.PerImage(n)
}

// ActiveThreshold is Burda et al.'s (2015) cut: a latent unit is active when
// the variance over the data of its posterior mean exceeds it.
const ActiveThreshold = 0.01

// activeUnits returns the variance over the rows of mu (the posterior means
// E_q[z|x] of a set of images) of each latent unit, and how many exceed
// ActiveThreshold.
func activeUnits(mu *mat.Dense) (count int, variance []float64) {
	n, lat := mu.Dims()
	variance = make([]float64, lat)
	for l := range lat {
		var mean float64
		for i := range n {
			mean += mu.At(i, l)
		}
		mean /= float64(n)
		var ss float64
		for i := range n {
			d := mu.At(i, l) - mean
			ss += d * d
		}
		variance[l] = ss / float64(n)
		if variance[l] > ActiveThreshold {
			count++
		}
	}
	return count, variance
}

// binarize returns a copy of x with every pixel set to 1 with probability
// its grey value and to 0 otherwise: a fixed stochastic binarization, the
// form of MNIST the literature reports likelihoods on. Image first+i draws
// from its own generator seeded by (seed, first+i), so an image binarizes
// the same whatever subset is evaluated.
func binarize(x *mat.Dense, first int, seed uint64) *mat.Dense {
	n, d := x.Dims()
	out := mat.NewDense(n, d, nil)
	for i := range n {
		rng := rand.New(rand.NewPCG(seed, uint64(first+i)))
		src, dst := x.RawRowView(i), out.RawRowView(i)
		for j, v := range src {
			if rng.Float64() < v {
				dst[j] = 1
			}
		}
	}
	return out
}
