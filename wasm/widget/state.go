package widget

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// maxErrorLen bounds one error's text. Errors quote what the URL or the
// embedding page sent, and the banner wraps the text by measuring it: a
// 10 KB digit value in one message ran main.wasm out of memory (4 GB).
const maxErrorLen = 400

// maxErrors bounds the error history kept for the state report, so that a
// page flooding the widget with bad messages cannot grow it without end.
const maxErrors = 100

// State is the widget's interaction state: the selection, the latent code,
// the panel shown, the registry of models, and every error shown. The zero
// value is not usable; use NewState.
type State struct {
	sel       Selection
	lastDigit int // the CVAE digit to return to after "any"
	latent    Latent
	models    Models

	errors      []string // the last maxErrors errors
	errorCount  int      // errors ever added
	dismissedAt int      // errorCount when the banner was last dismissed

	panel    Panel
	panels   Panels
	controls Controls
	weights  string
}

// View is everything that decides the pixels, comparable so that the game
// can tell whether it must decode again.
type View struct {
	Selection
	Temperature float64
	Panel       Panel
	ZRev        int // changes whenever the latent code changes
}

// NewState starts from the options of the URL with the given panels; errs
// are the URL's errors, shown like any other.
func NewState(opt Options, errs []error, panels Panels) *State {
	s := &State{sel: opt.Selection, lastDigit: opt.Digit, latent: NewLatent(opt.Temperature), panel: opt.Panel, panels: panels, controls: opt.Controls, weights: opt.Weights}
	if s.panel == "" {
		s.panel = PanelSample
	}
	if s.controls == "" {
		s.controls = Full
	}
	if opt.Z != "" {
		if z, err := ParseZ(opt.Z); err == nil {
			s.latent.Set(s.space(), z)
		}
	}
	if opt.To != "" {
		if z, err := ParseZ(opt.To); err == nil {
			s.latent.SetTo(z)
		}
	}
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

// Models returns the registry of models, for reading; Load changes it.
func (s *State) Models() *Models { return &s.models }

// Panels returns the widget's panels, in the order of their tabs.
func (s *State) Panels() Panels { return s.panels }

// Fail records an error to show in the banner and report to the page.
func (s *State) Fail(err error) {
	msg := err.Error()
	if len(msg) > maxErrorLen {
		msg = strings.ToValidUTF8(msg[:maxErrorLen], "") + "…"
	}
	s.errors = append(s.errors, msg)
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

// Load hands the registry of models what the loader made of one file, and
// carries out what follows: a model that failed is shown as an error, and
// the widget moves off it, to the other model when the selected one
// failed, to the sample panel when the map's did; a malformed entry of a
// model's metadata is shown as an error, the model still used.
func (s *State) Load(msg Loaded) {
	if msg.Kind == "" {
		if msg.Err != nil {
			s.Fail(msg.Err)
		}
		return
	}
	err := msg.Err
	if err == nil {
		var errs []error
		errs, err = s.models.add(msg)
		for _, e := range errs {
			s.Fail(e)
		}
		if err != nil {
			err = fmt.Errorf("%s %s: %w", msg.Role, msg.Kind, err)
		}
	}
	if err == nil {
		return
	}
	s.models.fail(msg.Kind, msg.Role)
	s.Fail(err)
	switch {
	case msg.Role == MapModel && s.spec().Plane && s.sel.Kind == msg.Kind:
		// Still draw a digit.
		s.panel = PanelSample
	case msg.Role == FullModel && s.sel.Kind == msg.Kind:
		if other := Kinds[1-msg.Kind.index()]; s.models.Availability(other) != Failed {
			s.sel = s.with(other, -1)
		}
	}
}

// AskMap reports whether the map's model of kind k must be asked for: the
// first time the map wants it.
func (s *State) AskMap(k Kind) bool { return s.models.Ask(k) }

// Status is the state report's status: "ready" once a digit has been drawn,
// "error" when neither model can draw one, "loading" before that.
func (s *State) Status(drawn bool) string {
	switch {
	case drawn:
		return "ready"
	case s.models.Availability(VAE) == Failed && s.models.Availability(CVAE) == Failed:
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
	if s.models.Availability(sel.Kind) == Failed {
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
		s.latent.Set(s.space(), nil)
		s.latent.SetTo(nil)
		return true
	case Dismiss:
		changed := s.dismissedAt != s.errorCount
		s.dismissedAt = s.errorCount
		return changed
	case ShowPanel:
		p := in.Panel
		if p == "" { // the next one, as the key P asks
			p = s.panels.next(s.panel)
		}
		changed := p != s.panel
		s.panel = p
		return changed
	case PickSeed:
		s.sel.Seed += uint64(in.Offset)
		s.latent.Set(s.space(), nil)
		s.latent.SetTo(nil)
		s.panel = PanelSample
		return true
	}
	return false
}

// Message carries out a message from the embedding page (its JSON data,
// see ParseCommand) and reports whether anything visible changed. A
// malformed message is shown as an error.
func (s *State) Message(data []byte) bool {
	c, err := ParseCommand(data, s.panels)
	if err != nil {
		s.Fail(err)
		return false
	}
	return s.Command(c)
}

// Command carries out a command from the embedding page and reports whether
// anything visible changed. A command that cannot be carried out whole (its
// model failed, its z has the wrong length) is refused whole, with an error.
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
	if s.models.Availability(sel.Kind) == Failed {
		s.Fail(fmt.Errorf("model %s is not available: its weights failed to load", sel.Kind))
		return false
	}
	panel := s.panel
	if c.Panel != nil {
		panel = *c.Panel
	}
	spec, _ := s.panels.spec(panel)
	latent, what := s.models.Latent(sel.Kind), "model "+string(sel.Kind)
	if spec.Plane {
		latent, what = MapLatent, "the map"
	}
	if c.Z != nil && latent > 0 && len(c.Z) != latent {
		s.Fail(fmt.Errorf("z has %d numbers, %s has %d latent dimensions", len(c.Z), what, latent))
		return false
	}
	if n := s.models.Latent(sel.Kind); c.To != nil && n > 0 && len(c.To) != n {
		s.Fail(fmt.Errorf("to has %d numbers, model %s has %d latent dimensions", len(c.To), sel.Kind, n))
		return false
	}
	before := s.View()
	s.selectWhen(sel)
	s.panel = panel // before z: the map keeps a z of its own
	switch {
	case c.Z != nil:
		s.latent.Set(s.space(), c.Z)
	case c.Seed != nil: // a seed names its own z
		s.latent.Set(s.space(), nil)
	}
	switch {
	case c.To != nil:
		s.latent.SetTo(c.To)
	case c.Seed != nil:
		s.latent.SetTo(nil)
	}
	if c.Temperature != nil {
		if c.Z != nil || c.To != nil {
			s.latent.SetTemperature(*c.Temperature) // the z sent is meant at it
		} else {
			s.latent.Rescale(s.space(), *c.Temperature)
		}
	}
	return s.View() != before || c.Z != nil || c.To != nil
}

// spec returns the spec of the panel shown.
func (s *State) spec() PanelSpec {
	spec, _ := s.panels.spec(s.panel)
	return spec
}

// space returns the latent space the panel shows: the map's own plane or
// the full model's. Each keeps its z when the other is shown, so that going
// to the map and back changes nothing.
func (s *State) space() Space {
	if s.spec().Plane {
		return PlaneSpace
	}
	return FullSpace
}

// Space returns the latent space the panel shown shows.
func (s *State) Space() Space { return s.space() }

// To returns the interpolation's end, or nil when it is the next sample's z.
func (s *State) To() []float64 { return slices.Clone(s.latent.To()) }

// SetMorph shows the interpolation from z to to (both rounded as a URL keeps
// them): from one drawing to another.
func (s *State) SetMorph(from, to []float64) {
	s.panel = PanelInterpolate
	s.latent.Set(FullSpace, from)
	s.latent.SetTo(to)
}

// View returns what decides the pixels now.
func (s *State) View() View {
	return View{Selection: s.sel, Temperature: s.latent.Temperature(), Panel: s.panel, ZRev: s.latent.Rev()}
}

// Temperature returns the temperature of samples drawn from the seed.
func (s *State) Temperature() float64 { return s.latent.Temperature() }

// Panel returns what the main area shows.
func (s *State) Panel() Panel { return s.panel }

// Controls returns how much chrome shows.
func (s *State) Controls() Controls { return s.controls }

// ExplicitZ reports whether z was set directly (slider, URL, message, map)
// rather than drawn from the seed.
func (s *State) ExplicitZ() bool { return s.latent.Explicit(s.space()) != nil }

// Z returns the current latent code of the space shown for a model with
// latent dimensions: the explicit z if there is one of that length, else
// temperature · ε(seed).
func (s *State) Z(latent int) []float64 { return s.latent.Z(s.space(), s.sel.Seed, latent) }

// FitZ drops an explicit z of the space shown that a model with latent
// dimensions cannot take (a URL made for another model), with an error
// naming both sizes: the seed's z takes its place. The game calls it before
// it decodes.
func (s *State) FitZ(latent int) {
	z := s.latent.Explicit(s.space())
	if z == nil || len(z) == latent {
		return
	}
	s.Fail(fmt.Errorf("z has %d numbers, model %s has %d latent dimensions (using the seed's z)", len(z), s.sel.Kind, latent))
	s.latent.Set(s.space(), nil)
}

// SetZ makes z the explicit latent code of space sp (the map's point, where
// a drawing landed), and reports whether it changed.
func (s *State) SetZ(sp Space, z []float64) bool { return s.latent.Set(sp, z) }

// SetCoordinate sets coordinate dim of the latent code shown, for a model
// with latent dimensions, to v (a slider): every coordinate is rounded as a
// URL keeps it, so that the permalink reproduces z. It reports whether z
// changed.
func (s *State) SetCoordinate(latent, dim int, v float64) bool {
	if dim < 0 || dim >= latent || math.IsNaN(v) {
		return false
	}
	z := s.Z(latent)
	z[dim] = v
	return s.latent.Set(s.space(), z)
}

// SetTemperature sets the temperature, clamped to TempMin..TempMax and
// rounded to two decimals. An explicit z is scaled with it, so that the
// control acts on what is shown either way.
func (s *State) SetTemperature(t float64) bool { return s.latent.Rescale(s.space(), t) }

// Options returns the current view as URL options: their Query is the
// permalink.
func (s *State) Options() Options {
	o := Options{Selection: s.sel, Weights: s.weights, Temperature: s.latent.Temperature(), Panel: s.panel, Controls: s.controls}
	if z := s.latent.Explicit(s.space()); z != nil {
		o.Z = FormatZ(z)
	}
	if to := s.latent.To(); to != nil {
		o.To = FormatZ(to)
	}
	return o
}
