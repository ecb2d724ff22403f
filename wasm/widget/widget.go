// Package widget holds the interaction state of the vaeplay browser widget:
// which model and digit are chosen, which latent code z is shown, what the
// URL and the embedding page asked for, and the state report sent back to the
// page. It imports neither Ebiten nor syscall/js, so it is tested natively;
// the game package draws it and the wasm main package connects it to the page.
//
// Where things are: State (state.go) owns the selection, the panel shown and
// the errors, and holds the latent code (Latent, latent.go: the one owner of
// z) and the registry of models (Models, models.go, fed by the loader's
// Loaded messages). Each panel has a file with its name, its placement in
// the layout and what it keeps: sample.go, sliders.go, map.go,
// interpolate.go, grid.go and pad.go (the draw panel); panel.go says what a
// panel is to this package. layout.go places the chrome and holds every box
// the game draws in and hit tests against. query.go reads the URL and writes
// the permalink, command.go reads the embedding page's messages, report.go
// is the state report, zlist.go the text form of z. Every call into package
// model is in model.go.
package widget

import "time"

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

// DefaultSeed derives a seed from the clock, kept at or below MaxSafeSeed so
// that JavaScript reads it back exactly.
func DefaultSeed(t time.Time) uint64 {
	return uint64(t.UnixNano()) & MaxSafeSeed
}

// defaultDigit picks the CVAE's digit when nothing chose one: derived from the
// seed so that different visits show different digits, yet reproducibly.
func defaultDigit(seed uint64) int { return int(seed % Digits) }
