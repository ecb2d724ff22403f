package model

import (
	"fmt"
	"math"
	"math/rand/v2"

	"vaeplay/model/nn"
)

// testLossBatch is how many images TestLoss pushes through the model at
// once; the noise is drawn batch by batch, so it is part of what the test
// loss means.
const testLossBatch = 1000

// testLossSeed seeds the noise of TestLoss.
const testLossSeed = 0x7e57

// TestLoss returns the loss of the images x per image, as PyTorch's
// examples/vae reports its test loss: one draw of z per image. The draws
// come from a fixed seed, in batches of 1000, so that epochs, runs and
// tools compare without sampling noise between them: the trainer's test
// loss after the last epoch is what tools/eval reports for the same file.
func (m *VAE[T]) TestLoss(x nn.Matrix[T], labels []int) Loss {
	rng := rand.New(rand.NewPCG(testLossSeed, testLossSeed))
	var total Loss
	for start := 0; start < x.Rows; start += testLossBatch {
		end := min(start+testLossBatch, x.Rows)
		eps := noise[T](end-start, m.Config.Latent, rng)
		total = total.Add(m.Evaluate(x.RowSlice(start, end), labelsOf(labels, start, end), eps))
	}
	return total.PerImage(x.Rows)
}

// Estimate is the importance-sampling estimate of one image's
// log-likelihood.
type Estimate struct {
	// LogLik is log (1/k) Σ_i p(x, z_i) / q(z_i|x), z_i ~ q(z|x): the
	// estimate of log p(x) (log p(x|y) for a conditional model) of Burda et
	// al. (2015), a lower bound in expectation that tightens as k grows.
	LogLik float64
	// ELBO is (1/k) Σ_i log [p(x, z_i) / q(z_i|x)] from the same samples: a
	// Monte Carlo ELBO, never above LogLik (Jensen's inequality).
	ELBO float64
}

// Sampling sets how LogLikelihood samples.
type Sampling struct {
	// K is the number of importance samples per image (5000 in the
	// literature's figures).
	K int
	// Rows bounds the rows of one decoder batch: images with small K share
	// a batch, images with large K are split over several. It changes
	// nothing but memory and speed.
	Rows int
	// Seed and the image's index in the data set, First plus its row in x,
	// seed each image's noise, so that an image's estimate is the same
	// whatever subset of the data or batching it is evaluated in.
	Seed  uint64
	First int
	// Progress, if not nil, is called after each batch with the number of
	// images finished.
	Progress func(done int)
}

// LogLikelihood estimates log p(x) for each row of x (log p(x|y) with
// labels for a conditional model) by importance sampling with q(z|x) as
// the proposal:
//
//	log p(x) ≈ log (1/K) Σ_k p(x|z_k) p(z_k) / q(z_k|x),  z_k ~ q(z|x)
//
// For the Bernoulli likelihood, p(x|z) is Σ x log σ(l) + (1-x) log(1-σ(l)),
// also for grey x as in training; for the Gaussian, the density of a
// unit-variance Gaussian around the means σ(l).
func (m *VAE[T]) LogLikelihood(x nn.Matrix[T], labels []int, s Sampling) ([]Estimate, error) {
	n, err := m.checkBatch(x, labels)
	if err != nil {
		return nil, err
	}
	if s.K <= 0 {
		return nil, fmt.Errorf("model: %d importance samples, want at least 1", s.K)
	}
	rows := max(s.Rows, 1)
	mu, logVar := m.Encode(x, labels)
	lat := m.Config.Latent
	acc := make([]logSumExp, n)
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
				rng = rand.New(rand.NewPCG(s.Seed, uint64(s.First+img)))
			}
			c := min(s.K-next, rows-total)
			runs = append(runs, run{img, c})
			for range c * lat {
				eps = append(eps, rng.NormFloat64())
			}
			total += c
			next += c
			if next == s.K {
				img, next = img+1, 0
			}
		}
		// z = mu + sigma*eps for every row, and the part of the log weight
		// that needs no decoder: log p(z) - log q(z|x).
		z := nn.NewMatrix[T](total, lat, nil)
		w := make([]float64, total)
		var batchLabels []int
		if m.Config.Conditional() {
			batchLabels = make([]int, total)
		}
		r := 0
		for _, ru := range runs {
			muRow, lvRow := mu.Row(ru.img), logVar.Row(ru.img)
			for range ru.count {
				zr, er := z.Row(r), eps[r*lat:(r+1)*lat]
				var lw float64
				for l, e := range er {
					mu, lv := float64(muRow[l]), float64(lvRow[l])
					zl := T(mu + math.Exp(lv/2)*e)
					zr[l] = zl
					// log N(z; 0, 1) - log N(z; mu, sigma²); the 2π terms
					// cancel. From z as the decoder sees it.
					d := (float64(zl) - mu) * math.Exp(-lv/2)
					lw += -float64(zl)*float64(zl)/2 + d*d/2 + lv/2
				}
				w[r] = lw
				if batchLabels != nil {
					batchLabels[r] = labels[ru.img]
				}
				r++
			}
		}
		logits := m.DecodeLogits(z, batchLabels)
		r = 0
		for _, ru := range runs {
			xr := x.Row(ru.img)
			for range ru.count {
				lw := w[r] + logPXGivenZ(m.Config.Likelihood, logits.Row(r), xr)
				acc[ru.img].add(lw)
				meanW[ru.img] += lw
				r++
			}
		}
		if s.Progress != nil {
			s.Progress(img)
		}
	}
	out := make([]Estimate, n)
	for i := range out {
		out[i] = Estimate{
			LogLik: acc[i].value() - math.Log(float64(s.K)),
			ELBO:   meanW[i] / float64(s.K),
		}
	}
	return out, nil
}

// log2Pi is log(2π), the constant of every Gaussian log-density.
var log2Pi = math.Log(2 * math.Pi)

// logPXGivenZ returns log p(x|z) for one image x given the decoder's
// logits.
//
// Bernoulli: Σ x log σ(l) + (1-x) log(1-σ(l)) = Σ x l - softplus(l), the
// negative binary cross-entropy. Gaussian: -Σ (x-σ(l))²/2 - D/2 log 2π.
// (The training loss is Σ (x-σ(l))², twice the first term, without the
// constant: not a log-likelihood itself.)
func logPXGivenZ[T Float](lik Likelihood, logits, x []T) float64 {
	var sum float64
	switch lik {
	case Gaussian:
		for i, l := range logits {
			d := float64(x[i]) - 1/(1+math.Exp(-float64(l)))
			sum -= d * d / 2
		}
		return sum - float64(len(x))/2*log2Pi
	default:
		return -reconstructionRow(Bernoulli, logits, x, nil)
	}
}

// logSumExp accumulates log Σ exp(x) one term at a time without overflow
// or underflow: the largest term so far is factored out. Its zero value is
// the empty sum, whose value is -Inf.
type logSumExp struct {
	max float64 // largest term so far, once sum > 0
	sum float64 // Σ exp(x - max)
}

func (a *logSumExp) add(x float64) {
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

func (a *logSumExp) value() float64 {
	if a.sum == 0 {
		return math.Inf(-1)
	}
	return a.max + math.Log(a.sum)
}

// LogSumExp returns log Σ exp(v), computed stably.
func LogSumExp(v []float64) float64 {
	var a logSumExp
	for _, x := range v {
		a.add(x)
	}
	return a.value()
}
