package model

import (
	"errors"
	"fmt"
)

// Likelihood names the decoder's output distribution p(x|z), which fixes the
// reconstruction term of the loss.
type Likelihood string

const (
	// Bernoulli decodes pixel probabilities; the reconstruction term is binary
	// cross-entropy summed over pixels, as in PyTorch's examples/vae.
	Bernoulli Likelihood = "bernoulli"
	// Gaussian decodes pixel means of a unit-variance Gaussian; the
	// reconstruction term is the squared error summed over pixels.
	Gaussian Likelihood = "gaussian"
)

// Config describes a VAE or, when Classes > 0, a conditional VAE.
type Config struct {
	// Input is the number of pixels in an image (784 for 28x28 MNIST).
	Input int `json:"input"`
	// Hidden lists the encoder's hidden layer widths; the decoder mirrors them.
	Hidden []int `json:"hidden"`
	// Latent is the dimension of z.
	Latent int `json:"latent"`
	// Classes is 0 for a plain VAE; otherwise a one-hot label of this length
	// is concatenated to the encoder's input and to z.
	Classes int `json:"classes"`
	// Likelihood selects the reconstruction loss.
	Likelihood Likelihood `json:"likelihood"`
	// Beta weighs the KL term; 1 gives the ELBO.
	Beta float64 `json:"beta"`
}

// DefaultConfig returns the recipe of PyTorch's examples/vae: 784-400-20,
// Bernoulli likelihood, beta 1.
func DefaultConfig() Config {
	return Config{Input: 784, Hidden: []int{400}, Latent: 20, Likelihood: Bernoulli, Beta: 1}
}

// Conditional reports whether the model takes a label.
func (c Config) Conditional() bool { return c.Classes > 0 }

// Validate reports the first field that makes c unusable.
func (c Config) Validate() error {
	const maxWidth = 1 << 16 // far beyond any sensible layer; guards allocations from hostile metadata
	switch {
	case c.Input <= 0 || c.Input > maxWidth:
		return fmt.Errorf("model: input size %d out of range 1..%d", c.Input, maxWidth)
	case c.Latent <= 0 || c.Latent > maxWidth:
		return fmt.Errorf("model: latent size %d out of range 1..%d", c.Latent, maxWidth)
	case c.Classes < 0 || c.Classes > maxWidth:
		return fmt.Errorf("model: class count %d out of range 0..%d", c.Classes, maxWidth)
	case len(c.Hidden) == 0:
		return errors.New("model: at least one hidden layer is required")
	case len(c.Hidden) > 16:
		return fmt.Errorf("model: %d hidden layers, at most 16", len(c.Hidden))
	case c.Likelihood != Bernoulli && c.Likelihood != Gaussian:
		return fmt.Errorf("model: unknown likelihood %q (want %q or %q)", c.Likelihood, Bernoulli, Gaussian)
	case !(c.Beta >= 0) || c.Beta > 1e6:
		return fmt.Errorf("model: beta %v out of range 0..1e6", c.Beta)
	}
	for i, h := range c.Hidden {
		if h <= 0 || h > maxWidth {
			return fmt.Errorf("model: hidden layer %d has width %d, want 1..%d", i+1, h, maxWidth)
		}
	}
	return nil
}

// layerShapes lists every linear layer as (name, out, in), in the order of the
// PyTorch state_dict: encoder hidden layers, the two heads, decoder hidden
// layers, the output layer.
func (c Config) layerShapes() []layerShape {
	var ls []layerShape
	in := c.Input + c.Classes
	for i, h := range c.Hidden {
		ls = append(ls, layerShape{fmt.Sprintf("enc.fc%d", i+1), h, in})
		in = h
	}
	ls = append(ls, layerShape{"enc.mu", c.Latent, in}, layerShape{"enc.logvar", c.Latent, in})
	in = c.Latent + c.Classes
	for i := range c.Hidden {
		h := c.Hidden[len(c.Hidden)-1-i]
		ls = append(ls, layerShape{fmt.Sprintf("dec.fc%d", i+1), h, in})
		in = h
	}
	return append(ls, layerShape{"dec.out", c.Input, in})
}

type layerShape struct {
	name    string
	out, in int
}
