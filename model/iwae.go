package model

import (
	"fmt"
	"math"

	"vaeplay/model/nn"
)

// The importance-weighted bound of Burda, Grosse and Salakhutdinov (2015),
// IWAE: for k samples z_1 … z_k of q(z|x),
//
//	L_k(x) = log (1/k) Σ_j w_j,   log w_j = log p(x|z_j) + β (log p(z_j) - log q(z_j|x))
//
// is a lower bound on log p(x) (for β = 1) that tightens as k grows, and is
// the ELBO for k = 1. Training on it keeps more latent units alive and
// buys a better log-likelihood than the ELBO for the same network. Its
// gradient weighs each sample's gradient of log w_j by its normalized
// weight w̃_j = w_j / Σ w: the samples that explain x best count most.
//
// log p(x|z) is the negative reconstruction term as the loss defines it
// (binary cross-entropy, or the squared error for the Gaussian
// likelihood), and log p(z) - log q(z|x) = -z²/2 + eps²/2 + logvar/2,
// summed over the latent dimensions, for z = mu + exp(logvar/2)·eps.

// IWAEBound returns the negative importance-weighted bound -L_k(x) of the
// batch x summed over its images, from the noise eps: k rows of it per
// image, image after image ([n·k, Latent]). Loss.Total is that sum; Recon
// and KL are the ELBO's two terms averaged over the k samples (their sum
// is the k-sample ELBO, never below Total). β is Config.Beta.
func (m *VAE[T]) IWAEBound(x nn.Matrix[T], labels []int, eps nn.Matrix[T], k int) Loss {
	return m.iwae(nil, x, labels, eps, k, m.Config.Beta)
}

// IWAEGradient is IWAEBound that also stores in grad, a model of the same
// shape, the gradient of Loss.Total with respect to every parameter.
func (m *VAE[T]) IWAEGradient(grad *VAE[T], x nn.Matrix[T], labels []int, eps nn.Matrix[T], k int) Loss {
	return m.iwae(grad, x, labels, eps, k, m.Config.Beta)
}

// iwae is IWAEBound with KL weight beta, and its gradient in grad when
// grad is not nil.
func (m *VAE[T]) iwae(grad *VAE[T], x nn.Matrix[T], labels []int, eps nn.Matrix[T], k int, beta float64) Loss {
	n := x.Rows
	if k < 1 || eps.Rows != n*k {
		panic(fmt.Sprintf("model: %d rows of noise for %d images of %d samples each", eps.Rows, n, k))
	}
	var t *nn.Tape[T]
	if grad != nil {
		t = new(nn.Tape[T])
	}
	mu, logVar := m.encode(x, labels, t)
	// Every image's encoding k times over, and its label and pixels.
	muK, lvK := repeatRows(mu, k), repeatRows(logVar, k)
	var labelsK []int
	if labels != nil {
		labelsK = make([]int, n*k)
		for r := range labelsK {
			labelsK[r] = labels[r/k]
		}
	}
	z := reparameterize(muK, lvK, eps)
	logits := m.decode(z, labelsK, t)
	var dLogits nn.Matrix[T]
	if grad != nil {
		dLogits = nn.NewMatrix[T](logits.Rows, logits.Cols, nil)
	}
	recon := reconstructionRows(m.Config.Likelihood, logits, repeatRows(x, k), dLogits)

	// log w for every sample, then per image the bound and the normalized
	// weights.
	logW := make([]float64, n*k)
	var loss Loss
	for r := range logW {
		var prior float64 // log p(z) - log q(z|x)
		zr, er, lv := z.Row(r), eps.Row(r), lvK.Row(r)
		for j := range zr {
			zj, ej := float64(zr[j]), float64(er[j])
			prior += -zj*zj/2 + ej*ej/2 + float64(lv[j])/2
		}
		logW[r] = -recon[r] + beta*prior
		loss.Recon += recon[r] / float64(k)
		loss.KL -= prior / float64(k)
	}
	w := make([]float64, n*k)
	for i := range n {
		var lse logSumExp
		for _, lw := range logW[i*k : (i+1)*k] {
			lse.add(lw)
		}
		norm := lse.value()
		loss.Total -= norm - math.Log(float64(k))
		for r := i * k; r < (i+1)*k; r++ {
			w[r] = math.Exp(logW[r] - norm)
		}
	}
	if grad == nil {
		return loss
	}

	// d Total / d log w_r = -w̃_r. Through the reconstruction: each row's
	// gradient scaled by w̃_r. Through log p(z) - log q(z|x): β·w̃_r·z with
	// respect to z, and -β/2 with respect to logvar (the w̃ of an image sum
	// to one).
	for r := range w {
		row := dLogits.Row(r)
		for j := range row {
			row[j] *= T(w[r])
		}
	}
	dz := m.decoderBackward(grad, dLogits, t)
	for r := range w {
		d, zr := dz.Row(r), z.Row(r)
		for j := range d {
			d[j] += T(beta * w[r] * float64(zr[j]))
		}
	}
	dMu := nn.NewMatrix[T](n, m.Config.Latent, nil)
	dLogVar := nn.NewMatrix[T](n, m.Config.Latent, nil)
	for i := range dLogVar.Data {
		dLogVar.Data[i] = T(-beta / 2)
	}
	reparameterizeBackward(dz, eps, logVar, dMu, dLogVar)
	m.encoderBackward(grad, dMu, dLogVar, t)
	return loss
}

// repeatRows returns a with each row repeated k times in place.
func repeatRows[T Float](a nn.Matrix[T], k int) nn.Matrix[T] {
	if k == 1 {
		return a
	}
	out := nn.NewMatrix[T](a.Rows*k, a.Cols, nil)
	for r := range out.Rows {
		copy(out.Row(r), a.Row(r/k))
	}
	return out
}
