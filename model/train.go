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
	var t nn.Tape[T]
	mu, logVar := m.encode(x, labels, &t)
	logits := m.decode(reparameterize(mu, logVar, eps), labels, &t)

	g := lossGradient[T]{
		logits: nn.NewMatrix[T](logits.Rows, logits.Cols, nil),
		mu:     nn.NewMatrix[T](mu.Rows, mu.Cols, nil),
		logVar: nn.NewMatrix[T](logVar.Rows, logVar.Cols, nil),
	}
	loss := m.loss(logits, x, mu, logVar, &g)

	// Decoder, from the output layer down to its input [z, y].
	dh := m.Out.Backward(&grad.Out, g.logits, &t, true)
	for i := len(m.Decoder) - 1; i >= 0; i-- {
		dh = m.Decoder[i].Backward(&grad.Decoder[i], dh, &t, true)
	}

	// Reparameterization z = mu + exp(logvar/2)·eps: dz/dmu = 1 and
	// dz/dlogvar = eps·exp(logvar/2)/2, added to the KL term's gradient.
	dz := dh.ColSlice(0, m.Config.Latent)
	for i := range dz.Rows {
		d, e, lv := dz.Row(i), eps.Row(i), logVar.Row(i)
		dm, dlv := g.mu.Row(i), g.logVar.Row(i)
		for j, dj := range d {
			dm[j] += dj
			dlv[j] += dj * e[j] * T(math.Exp(float64(lv[j])/2)) / 2
		}
	}

	// Encoder: both heads read the last hidden layer, so their input
	// gradients add; the tape holds the log-variance head last.
	dh = m.LogVar.Backward(&grad.LogVar, g.logVar, &t, true)
	dMuIn := m.Mu.Backward(&grad.Mu, g.mu, &t, true)
	for i := range dh.Data {
		dh.Data[i] += dMuIn.Data[i]
	}
	for i := len(m.Encoder) - 1; i >= 0; i-- {
		// The image and label are data: no gradient is needed below layer 1.
		dh = m.Encoder[i].Backward(&grad.Encoder[i], dh, &t, i > 0)
	}
	return loss
}

// Trainer takes minibatch steps of Adam on a model's negative ELBO.
type Trainer struct {
	Model *Model
	Opt   *Adam
	// RNG draws the reparameterization noise; with a seeded source,
	// training is deterministic.
	RNG  *rand.Rand
	grad *Model
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

// Step computes the loss of the batch x (with labels for a conditional
// model), back-propagates it and updates the parameters. The loss is summed
// over the batch, as PyTorch's examples/vae sums it, so the gradient is
// that of the sum.
func (t *Trainer) Step(x Matrix, labels []int) Loss {
	eps := Noise(x.Rows, t.Model.Config.Latent, t.RNG)
	loss := t.Model.Gradient(t.grad, x, labels, eps)
	t.Opt.Update(t.Model.Params(), t.grad.Params())
	return loss
}
