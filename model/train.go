package model

import (
	"math"
	"math/rand/v2"

	"vaeplay/model/nn"
)

// Evaluate returns the loss of a batch x of shape [n, Input], summed over
// its images, with eps ([n, Latent], standard normal) as the noise of the
// reparameterization: PyTorch's
//
//	mu, logvar = model.encode(x)
//	z = model.reparameterize(mu, logvar)
//	loss = loss_function(model.decode(z), x, mu, logvar)
func (m *VAE[T]) Evaluate(x nn.Matrix[T], labels []int, eps nn.Matrix[T]) Loss {
	mu, logVar := m.Encode(x, labels)
	logits := m.DecodeLogits(reparameterize(mu, logVar, eps), labels)
	return m.LossFunction(logits, x, mu, logVar)
}

// Gradient is Evaluate that also stores in grad, a model of the same
// shape, the gradient of Loss.Total with respect to every parameter. It
// runs the same forward pass, recording each layer on a tape, and then the
// backward pass takes the records off in reverse.
func (m *VAE[T]) Gradient(grad *VAE[T], x nn.Matrix[T], labels []int, eps nn.Matrix[T]) Loss {
	return m.gradient(grad, x, labels, eps, m.Config.Beta)
}

// gradient is Gradient with KL weight beta.
func (m *VAE[T]) gradient(grad *VAE[T], x nn.Matrix[T], labels []int, eps nn.Matrix[T], beta float64) Loss {
	var t nn.Tape[T]
	mu, logVar := m.encode(x, labels, &t)
	logits := m.decode(reparameterize(mu, logVar, eps), labels, &t)

	g := lossGradient[T]{
		logits: nn.NewMatrix[T](logits.Rows, logits.Cols, nil),
		mu:     nn.NewMatrix[T](mu.Rows, mu.Cols, nil),
		logVar: nn.NewMatrix[T](logVar.Rows, logVar.Cols, nil),
	}
	loss := m.loss(logits, x, mu, logVar, &g, beta)

	dz := m.decoderBackward(grad, g.logits, &t)
	reparameterizeBackward(dz, eps, logVar, g.mu, g.logVar)
	m.encoderBackward(grad, g.mu, g.logVar, &t)
	return loss
}

// decoderBackward takes the decoder's records off the tape t, from the
// output layer down to its input [z, y], storing the gradients of its
// layers in grad, and returns the gradient with respect to z.
func (m *VAE[T]) decoderBackward(grad *VAE[T], dLogits nn.Matrix[T], t *nn.Tape[T]) nn.Matrix[T] {
	dh := m.Out.Backward(&grad.Out, dLogits, t, true)
	for i := len(m.Decoder) - 1; i >= 0; i-- {
		dh = m.Decoder[i].Backward(&grad.Decoder[i], dh, t, true)
	}
	return dh.ColSlice(0, m.Config.Latent)
}

// reparameterizeBackward adds to dMu and dLogVar the gradient that dz, the
// gradient with respect to z = mu + exp(logvar/2)·eps, passes on:
// dz/dmu = 1 and dz/dlogvar = eps·exp(logvar/2)/2. Row r of dz and eps
// belongs to row r·len(dMu)/len(dz) of mu: several samples of z may share
// one encoding.
func reparameterizeBackward[T Float](dz, eps, logVar, dMu, dLogVar nn.Matrix[T]) {
	per := dz.Rows / dMu.Rows
	for r := range dz.Rows {
		i := r / per
		d, e, lv := dz.Row(r), eps.Row(r), logVar.Row(i)
		dm, dlv := dMu.Row(i), dLogVar.Row(i)
		for j, dj := range d {
			dm[j] += dj
			dlv[j] += dj * e[j] * T(math.Exp(float64(lv[j])/2)) / 2
		}
	}
}

// encoderBackward takes the encoder's records off the tape t given the
// gradients with respect to its two heads, storing the gradients of its
// layers in grad.
func (m *VAE[T]) encoderBackward(grad *VAE[T], dMu, dLogVar nn.Matrix[T], t *nn.Tape[T]) {
	// Both heads read the last hidden layer, so their input gradients add;
	// the tape holds the log-variance head last.
	dh := m.LogVar.Backward(&grad.LogVar, dLogVar, t, true)
	dMuIn := m.Mu.Backward(&grad.Mu, dMu, t, true)
	for i := range dh.Data {
		dh.Data[i] += dMuIn.Data[i]
	}
	for i := len(m.Encoder) - 1; i >= 0; i-- {
		// The image and label are data: no gradient is needed below layer 1.
		dh = m.Encoder[i].Backward(&grad.Encoder[i], dh, t, i > 0)
	}
}

// Trainer takes minibatch steps of Adam on a model's negative ELBO, or on
// the negative importance-weighted bound when Samples > 1.
type Trainer struct {
	Model *Model
	Opt   *Adam
	// RNG draws the reparameterization noise; with a seeded source,
	// training is deterministic.
	RNG *rand.Rand
	// Samples is the k of the importance-weighted bound the steps climb
	// (IWAEGradient): 0 or 1 for the ELBO, as PyTorch's example trains.
	Samples int
	// Warmup is the number of steps over which the KL term's weight rises
	// linearly from 0 to Config.Beta (the warm-up of Sønderby et al.
	// 2016), so that the decoder learns to use z before the KL term can
	// switch units off; 0 for none. The weight is a function of Opt.Steps,
	// so a resumed run continues the ramp where it stopped.
	Warmup int
	grad   *Model
}

// Adam is the optimizer the trainer uses, in float32.
type Adam = nn.Adam[float32]

// NewAdam returns Adam with PyTorch's defaults and the given learning rate.
func NewAdam(lr float64) *Adam { return nn.NewAdam[float32](lr) }

// NewTrainer returns a trainer for m.
func NewTrainer(m *Model, opt *Adam, rng *rand.Rand) *Trainer {
	grad, err := newZero[float32](m.Config)
	if err != nil {
		panic(err) // m was built from a valid config
	}
	return &Trainer{Model: m, Opt: opt, RNG: rng, grad: grad}
}

// Beta returns the KL weight of the next step.
func (t *Trainer) Beta() float64 {
	beta := t.Model.Config.Beta
	if t.Warmup > 0 {
		beta *= min(1, float64(t.Opt.Steps+1)/float64(t.Warmup))
	}
	return beta
}

// Step computes the loss of the batch x (with labels for a conditional
// model), back-propagates it and updates the parameters. The loss is
// summed over the batch, as PyTorch's examples/vae sums it, so the
// gradient is that of the sum; it is the objective of this step, with the
// step's KL weight.
func (t *Trainer) Step(x Matrix, labels []int) Loss {
	k := max(t.Samples, 1)
	eps := Noise(x.Rows*k, t.Model.Config.Latent, t.RNG)
	var loss Loss
	if k == 1 {
		loss = t.Model.gradient(t.grad, x, labels, eps, t.Beta())
	} else {
		loss = t.Model.iwae(t.grad, x, labels, eps, k, t.Beta())
	}
	t.Opt.Update(t.Model.Params(), t.grad.Params())
	return loss
}
