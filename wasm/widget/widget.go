// Package widget holds the interaction state of the vaeplay browser widget:
// which model and digit are chosen, which latent code z is shown, what the
// URL and the embedding page asked for, and the state report sent back to the
// page. It imports neither Ebiten nor syscall/js, so it is tested natively;
// the game package draws it and the wasm main package connects it to the page.
package widget

import (
	"fmt"
	"math/rand/v2"
	"time"

	"vaeplay/model"
)

// Kind names one of the two models the widget can show.
type Kind string

const (
	// VAE is the plain variational autoencoder, shown as the chooser's "any":
	// z alone decides which digit comes out.
	VAE Kind = "vae"
	// CVAE is the conditional VAE: z and a label 0..9 decide the image.
	CVAE Kind = "cvae"
)

// Kinds lists the models in a fixed order, for loops over both.
var Kinds = [...]Kind{VAE, CVAE}

// index returns k's position in Kinds, or -1.
func (k Kind) index() int {
	for i, kk := range Kinds {
		if k == kk {
			return i
		}
	}
	return -1
}

// Digits is the number of labels of the conditional model: MNIST's 0..9.
const Digits = 10

// ImageSide is the side of a decoded image in pixels; the widget draws
// ImageSide×ImageSide grey values.
const ImageSide = 28

// MaxSafeSeed is the largest seed that a JavaScript number holds exactly
// (Number.MAX_SAFE_INTEGER). Default seeds stay at or below it so that the
// seed in the state report reproduces the image when sent back.
const MaxSafeSeed = 1<<53 - 1

// Selection is what the widget shows: a model, a digit (for the CVAE) and the
// seed that fixes z. (Kind, Digit, Seed) reproduces the pixels exactly.
type Selection struct {
	Kind  Kind
	Digit int // -1 with VAE, 0..9 with CVAE
	Seed  uint64
}

// Labels returns the label argument of model.Decode for one image: nil for
// the VAE, the digit for the CVAE.
func (s Selection) Labels() []int {
	if s.Kind == VAE {
		return nil
	}
	return []int{s.Digit}
}

// Z returns the selection's latent code: standard normal noise from a PCG
// generator seeded with (Seed, Seed), drawn by the same model.Noise the
// trainer samples with.
func (s Selection) Z(latent int) []float64 {
	return Widen(model.Noise(1, latent, rand.New(rand.NewPCG(s.Seed, s.Seed))).Row(0))
}

// DefaultSeed derives a seed from the clock, kept at or below MaxSafeSeed so
// that JavaScript reads it back exactly.
func DefaultSeed(t time.Time) uint64 {
	return uint64(t.UnixNano()) & MaxSafeSeed
}

// defaultDigit picks the CVAE's digit when nothing chose one: derived from the
// seed so that different visits show different digits, yet reproducibly.
func defaultDigit(seed uint64) int { return int(seed % Digits) }

// KindOf tells which of the widget's two models a loaded model can be, or why
// it can be neither: the widget draws 28×28 images and labels 0..9.
func KindOf(cfg model.Config) (Kind, error) {
	if cfg.Input != ImageSide*ImageSide {
		return "", fmt.Errorf("model has %d inputs, the widget draws %d×%d = %d pixels", cfg.Input, ImageSide, ImageSide, ImageSide*ImageSide)
	}
	switch cfg.Classes {
	case 0:
		return VAE, nil
	case Digits:
		return CVAE, nil
	}
	return "", fmt.Errorf("model has %d classes, the widget shows 0 (a VAE) or %d (a CVAE of digits)", cfg.Classes, Digits)
}
