package model

import (
	"math"

	"vaeplay/model/internal/vmath"
	"vaeplay/model/nn"
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

// LossFunction is the loss of PyTorch's examples/vae, summed over the
// images of a batch:
//
//	BCE = F.binary_cross_entropy(recon_x, x, reduction='sum')   (Bernoulli)
//	      or the summed squared error                            (Gaussian)
//	KLD = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
//	return BCE + beta * KLD
//
// It takes the decoder's logits, before the sigmoid, since the
// cross-entropy of a saturated sigmoid loses everything to rounding.
func (m *VAE[T]) LossFunction(logits, x, mu, logVar nn.Matrix[T]) Loss {
	return m.loss(logits, x, mu, logVar, nil, m.Config.Beta)
}

// lossGradient holds the gradient of the loss with respect to the
// decoder's logits and the encoder's outputs.
type lossGradient[T Float] struct {
	logits, mu, logVar nn.Matrix[T]
}

// loss is LossFunction with KL weight beta that also stores the loss's
// gradient in g when g is not nil.
func (m *VAE[T]) loss(logits, x, mu, logVar nn.Matrix[T], g *lossGradient[T], beta float64) Loss {
	var dLogits, dMu, dLogVar nn.Matrix[T]
	if g != nil {
		dLogits, dMu, dLogVar = g.logits, g.mu, g.logVar
	}
	recon := reconstruction(m.Config.Likelihood, logits, x, dLogits)
	kl := klDivergence(mu, logVar, T(beta), dMu, dLogVar)
	return Loss{Recon: recon, KL: kl, Total: recon + beta*kl}
}

// reconChunk is how many rows of a batch one goroutine's share of the
// reconstruction term holds.
const reconChunk = 32

// reconstruction returns -log p(x|z) summed over the batch, given the
// decoder's logits, and, if grad has rows, stores its derivative with
// respect to the logits there. With an exp and a log1p per pixel it is a
// large part of a training step, so it runs on every core
// (reconstructionRows); the rows' terms are added in row order, so the
// result does not depend on the number of cores.
func reconstruction[T Float](lik Likelihood, logits, x, grad nn.Matrix[T]) float64 {
	var total float64
	for _, v := range reconstructionRows(lik, logits, x, grad) {
		total += v
	}
	return total
}

// reconstructionRows is reconstruction image by image: -log p(x_i|z_i)
// for each row i, computed in chunks of reconChunk rows on every core.
func reconstructionRows[T Float](lik Likelihood, logits, x, grad nn.Matrix[T]) []float64 {
	rows := make([]float64, logits.Rows)
	chunks := (logits.Rows + reconChunk - 1) / reconChunk
	nn.Parallel(chunks, func(c int) {
		for i := c * reconChunk; i < min((c+1)*reconChunk, logits.Rows); i++ {
			var g []T
			if grad.Rows > 0 {
				g = grad.Row(i)
			}
			rows[i] = reconstructionRow(lik, logits.Row(i), x.Row(i), g)
		}
	})
	return rows
}

// reconstructionRow is reconstruction for one image.
//
// Binary cross-entropy is computed from the logits as softplus(l) - x*l,
// which equals -x log σ(l) - (1-x) log(1-σ(l)) without the loss of
// precision of taking the log of a saturated sigmoid. Its derivative is
// σ(l) - x. The squared error's is 2(σ(l) - x)·σ(l)(1 - σ(l)). Both σ(l)
// and softplus(l) = max(l, 0) + log1p(exp(-|l|)) come from one exponential.
func reconstructionRow[T Float](lik Likelihood, logits, x, grad []T) float64 {
	if l, ok := any(logits).([]float32); ok {
		// The vectorized form of the same, for the model's float32.
		x, grad := any(x).([]float32), any(grad).([]float32)
		if lik == Gaussian {
			return vmath.GaussianLoss(l, x, grad)
		}
		return vmath.BernoulliLoss(l, x, grad)
	}
	x = x[:len(logits)]
	var sum float64
	for i, li := range logits {
		l, xi := float64(li), float64(x[i])
		e := math.Exp(-math.Abs(l))
		p := 1 / (1 + e) // σ(|l|)
		if l < 0 {
			p = e * p
		}
		switch lik {
		case Bernoulli:
			sum += math.Max(l, 0) - xi*l + math.Log1p(e)
			if grad != nil {
				grad[i] = T(p - xi)
			}
		case Gaussian:
			d := p - xi
			sum += d * d
			if grad != nil {
				grad[i] = T(2 * d * p * (1 - p))
			}
		}
	}
	return sum
}

// klDivergence returns KL(N(mu, exp(logvar)) || N(0, I)) summed over the
// batch: -1/2 Σ (1 + logvar - mu² - exp(logvar)), Appendix B of Kingma and
// Welling (2014). If dMu has rows, it stores there and in dLogVar the
// gradient of beta times the KL: beta·mu and beta·(exp(logvar) - 1)/2.
func klDivergence[T Float](mu, logVar nn.Matrix[T], beta T, dMu, dLogVar nn.Matrix[T]) float64 {
	var sum float64
	for i := range mu.Rows {
		m, lv := mu.Row(i), logVar.Row(i)
		for j, mj := range m {
			e := math.Exp(float64(lv[j]))
			sum += 1 + float64(lv[j]) - float64(mj)*float64(mj) - e
			if dMu.Rows > 0 {
				dMu.Row(i)[j] = beta * mj
				dLogVar.Row(i)[j] = beta * T((e-1)/2)
			}
		}
	}
	return -sum / 2
}
