package model

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// Loss holds the terms of the negative ELBO, summed over the images of a
// batch, in nats (for the Gaussian likelihood, the reconstruction term is a
// summed squared error).
type Loss struct {
	Recon float64 // reconstruction: -log p(x|z) summed over pixels
	KL    float64 // KL(q(z|x) || N(0, I)) summed over latent dimensions
	Total float64 // Recon + Beta*KL: what training minimises
}

// PerImage divides every term by the number of images n, the way PyTorch's
// examples/vae reports its losses.
func (l Loss) PerImage(n int) Loss {
	f := 1 / float64(n)
	return Loss{Recon: l.Recon * f, KL: l.KL * f, Total: l.Total * f}
}

// Add returns the termwise sum of l and o, for accumulating over batches.
func (l Loss) Add(o Loss) Loss {
	return Loss{Recon: l.Recon + o.Recon, KL: l.KL + o.KL, Total: l.Total + o.Total}
}

// reconstruction returns -log p(x|z) summed over the batch, given the decoder's
// logits, and, if grad is not nil, stores its derivative with respect to the
// logits there.
//
// Binary cross-entropy is computed from the logits as softplus(l) - x*l, which
// equals -x log σ(l) - (1-x) log(1-σ(l)) without the loss of precision of
// taking the log of a saturated sigmoid.
func reconstruction(lik Likelihood, logits, x, grad *mat.Dense) float64 {
	l, xs := logits.RawMatrix().Data, x.RawMatrix().Data
	var g []float64
	if grad != nil {
		g = grad.RawMatrix().Data
	}
	var sum float64
	for i, li := range l {
		xi := xs[i]
		p := 1 / (1 + math.Exp(-li))
		switch lik {
		case Bernoulli:
			sum += math.Max(li, 0) - xi*li + math.Log1p(math.Exp(-math.Abs(li)))
			if g != nil {
				g[i] = p - xi
			}
		case Gaussian:
			d := p - xi
			sum += d * d
			if g != nil {
				g[i] = 2 * d * p * (1 - p)
			}
		}
	}
	return sum
}

// klDivergence returns KL(N(mu, exp(logvar)) || N(0, I)) summed over the
// batch: -1/2 Σ (1 + logvar - mu² - exp(logvar)), Appendix B of Kingma and
// Welling (2014).
func klDivergence(mu, logVar *mat.Dense) float64 {
	m, lv := mu.RawMatrix().Data, logVar.RawMatrix().Data
	var sum float64
	for i := range m {
		sum += 1 + lv[i] - m[i]*m[i] - math.Exp(lv[i])
	}
	return -sum / 2
}
