package model

import (
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Trainer takes minibatch steps of Adam on a model's negative ELBO.
type Trainer struct {
	Model *Model
	Opt   *Adam
	// RNG draws the reparameterization noise; with a seeded source, training
	// is deterministic.
	RNG  *rand.Rand
	grad *Model
}

// NewTrainer returns a trainer for m.
func NewTrainer(m *Model, opt *Adam, rng *rand.Rand) *Trainer {
	grad, err := newZero(m.Config)
	if err != nil {
		panic(err) // m was built from a valid config
	}
	return &Trainer{Model: m, Opt: opt, RNG: rng, grad: grad}
}

// Step computes the loss of the batch x (with labels for a conditional
// model), back-propagates it and updates the parameters. The loss is summed
// over the batch, as PyTorch's examples/vae sums it, so the gradient is that
// of the sum.
func (t *Trainer) Step(x *mat.Dense, labels []int) Loss {
	n, _ := x.Dims()
	eps := Noise(n, t.Model.Config.Latent, t.RNG)
	loss := t.Model.Gradient(t.grad, x, labels, eps)
	t.Opt.Update(t.Model.Params(), t.grad.Params())
	return loss
}
