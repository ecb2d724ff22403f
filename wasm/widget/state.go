package widget

import "fmt"

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
)

// Intent is one user action, already mapped from screen coordinates or keys.
type Intent struct {
	Action Action
	Kind   Kind // with Choose
	Digit  int  // with Choose: -1 for VAE, 0..9 for CVAE
}

// KeyIntent maps a typed character to an intent: 0-9 choose a digit, a or A
// chooses "any" (the plain VAE), space or Enter samples.
func KeyIntent(r rune) Intent {
	switch {
	case r >= '0' && r <= '9':
		return Intent{Action: Choose, Kind: CVAE, Digit: int(r - '0')}
	case r == 'a' || r == 'A':
		return Intent{Action: Choose, Kind: VAE, Digit: -1}
	case r == ' ' || r == '\n' || r == '\r':
		return Intent{Action: Sample}
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

// Availability is how far a model's weights have come.
type Availability int

const (
	// Loading: the weights are being fetched or parsed.
	Loading Availability = iota
	// Ready: the model decodes.
	Ready
	// Failed: the weights could not be fetched or loaded.
	Failed
)

// maxErrors bounds the error history kept for the state report, so that a
// page flooding the widget with bad messages cannot grow it without end.
const maxErrors = 100

// State is the widget's interaction state: the selection, which models are
// usable, and every error shown. The zero value is not usable; use NewState.
type State struct {
	sel       Selection
	lastDigit int // the CVAE digit to return to after "any"
	avail     [len(Kinds)]Availability

	errors      []string // the last maxErrors errors
	errorCount  int      // errors ever added
	dismissedAt int      // errorCount when the banner was last dismissed
}

// NewState starts from the options of the URL; errs are the URL's errors,
// shown like any other.
func NewState(opt Options, errs []error) *State {
	s := &State{sel: opt.Selection, lastDigit: opt.Digit}
	if s.lastDigit < 0 {
		s.lastDigit = defaultDigit(opt.Seed)
	}
	if s.sel.Kind == VAE {
		s.sel.Digit = -1
	}
	for _, err := range errs {
		s.Fail(err)
	}
	return s
}

// Selection returns what the widget shows now.
func (s *State) Selection() Selection { return s.sel }

// Availability reports how far model k has come.
func (s *State) Availability(k Kind) Availability {
	if i := k.index(); i >= 0 {
		return s.avail[i]
	}
	return Failed
}

// Fail records an error to show in the banner and report to the page.
func (s *State) Fail(err error) {
	s.errors = append(s.errors, err.Error())
	if len(s.errors) > maxErrors {
		s.errors = s.errors[len(s.errors)-maxErrors:]
	}
	s.errorCount++
}

// Errors returns the errors shown so far, oldest first (at most the last
// 100).
func (s *State) Errors() []string { return append([]string{}, s.errors...) }

// ErrorCount returns how many errors were ever added; with ErrorsSince it
// lets a caller pick out the new ones.
func (s *State) ErrorCount() int { return s.errorCount }

// ErrorsSince returns the errors added after the count was n, as far as they
// are still kept.
func (s *State) ErrorsSince(n int) []string {
	k := min(s.errorCount-n, len(s.errors))
	if k <= 0 {
		return nil
	}
	return append([]string(nil), s.errors[len(s.errors)-k:]...)
}

// Banner returns the errors the banner shows: those since it was last
// dismissed.
func (s *State) Banner() []string { return s.ErrorsSince(s.dismissedAt) }

// SetReady marks model k as usable.
func (s *State) SetReady(k Kind) {
	if i := k.index(); i >= 0 {
		s.avail[i] = Ready
	}
}

// SetFailed marks model k as unusable because of err, shows err, and moves the
// selection to the other model if that one may still work.
func (s *State) SetFailed(k Kind, err error) {
	i := k.index()
	if i < 0 {
		return
	}
	s.avail[i] = Failed
	s.Fail(err)
	if s.sel.Kind != k {
		return
	}
	other := Kinds[1-i]
	if s.Availability(other) != Failed {
		s.sel = s.with(other, -1)
	}
}

// Status is the state report's status: "ready" once a digit has been drawn,
// "error" when neither model can draw one, "loading" before that.
func (s *State) Status(drawn bool) string {
	switch {
	case drawn:
		return "ready"
	case s.Availability(VAE) == Failed && s.Availability(CVAE) == Failed:
		return "error"
	}
	return "loading"
}

// with returns the selection moved to kind k and digit d (ignored for the
// VAE; -1 means the CVAE's last digit), keeping the seed.
func (s *State) with(k Kind, d int) Selection {
	sel := Selection{Kind: k, Digit: -1, Seed: s.sel.Seed}
	if k == CVAE {
		sel.Digit = d
		if d < 0 {
			sel.Digit = s.lastDigit
		}
	}
	return sel
}

// selectWhen sets the selection unless its model failed, in which case it
// records why not. It reports whether the selection changed.
func (s *State) selectWhen(sel Selection) bool {
	if s.Availability(sel.Kind) == Failed {
		s.Fail(fmt.Errorf("model %s is not available: its weights failed to load", sel.Kind))
		return false
	}
	if sel.Kind == CVAE {
		s.lastDigit = sel.Digit
	}
	changed := sel != s.sel
	s.sel = sel
	return changed
}

// Apply carries out a user's intent and reports whether anything visible
// changed.
func (s *State) Apply(in Intent) bool {
	switch in.Action {
	case Choose:
		return s.selectWhen(s.with(in.Kind, in.Digit))
	case Sample:
		s.sel.Seed++ // wraps at 2^64, which keeps every seed reachable
		return true
	case Dismiss:
		changed := s.dismissedAt != s.errorCount
		s.dismissedAt = s.errorCount
		return changed
	}
	return false
}

// Command carries out a command from the embedding page and reports whether
// the selection changed. A set command whose model failed is refused whole.
func (s *State) Command(c Command) bool {
	if c.Sample {
		return s.Apply(Intent{Action: Sample})
	}
	sel := s.sel
	if c.Digit != nil {
		if *c.Digit < 0 {
			sel = s.with(VAE, -1)
		} else {
			sel = s.with(CVAE, *c.Digit)
		}
	}
	if c.Kind != nil && *c.Kind != sel.Kind {
		sel = s.with(*c.Kind, -1)
	}
	if c.Seed != nil {
		sel.Seed = *c.Seed
	}
	return s.selectWhen(sel)
}
