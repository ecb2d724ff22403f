package widget

// Action is what a user's click or key asks for.
type Action int

const (
	// NoAction: the click or key means nothing to the widget.
	NoAction Action = iota
	// Choose selects Intent.Kind and Intent.Digit, keeping z.
	Choose
	// Sample draws a new z: the seed goes up by one.
	Sample
	// Dismiss hides the error banner until the next error.
	Dismiss
	// ShowPanel switches the main area to Intent.Panel.
	ShowPanel
	// PickSeed moves the seed on by Intent.Offset (a grid cell) and shows
	// that sample on the sample panel.
	PickSeed
	// Slide is a press on slider Intent.Slider (0 the temperature, 1.. the
	// ranked latent dimensions); the game follows the pointer from there.
	Slide
	// Pen is a press on the drawing pad: a stroke starts.
	Pen
	// ClearPad clears the drawing pad.
	ClearPad
	// MapPress is a press on the latent map: the point follows the pointer
	// from there.
	MapPress
	// Morph interpolates from the previous drawing to the current one.
	Morph
)

// Intent is one user action, already mapped from screen coordinates or keys.
type Intent struct {
	Action Action
	Kind   Kind  // with Choose
	Digit  int   // with Choose: -1 for VAE, 0..9 for CVAE
	Panel  Panel // with ShowPanel
	Offset int   // with PickSeed
	Slider int   // with Slide
}

// KeyIntent maps a typed character to an intent: 0-9 choose a digit, a or A
// chooses "any" (the plain VAE), space or Enter samples, P shows the next
// panel; on the draw panel C clears the pad and M morphs from the previous
// drawing to this one.
func KeyIntent(r rune) Intent {
	switch {
	case r >= '0' && r <= '9':
		return Intent{Action: Choose, Kind: CVAE, Digit: int(r - '0')}
	case r == 'a' || r == 'A':
		return Intent{Action: Choose, Kind: VAE, Digit: -1}
	case r == ' ' || r == '\n' || r == '\r':
		return Intent{Action: Sample}
	case r == 'p' || r == 'P':
		return Intent{Action: ShowPanel} // the next panel; the state knows which
	case r == 'c' || r == 'C':
		return Intent{Action: ClearPad}
	case r == 'm' || r == 'M':
		return Intent{Action: Morph}
	}
	return Intent{}
}

// ChooserIntent returns the intent of the chooser's button i: 0 is "any",
// 1..10 are the digits 0..9.
func ChooserIntent(i int) Intent {
	if i == 0 {
		return Intent{Action: Choose, Kind: VAE, Digit: -1}
	}
	return Intent{Action: Choose, Kind: CVAE, Digit: i - 1}
}
