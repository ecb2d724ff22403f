package widget

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

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

// maxErrorLen bounds one error's text. Errors quote what the URL or the
// embedding page sent, and the banner wraps the text by measuring it: a
// 10 KB digit value in one message ran main.wasm out of memory (4 GB).
const maxErrorLen = 400

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

	temp     float64
	z        []float64 // an explicit z (slider, URL, message), or nil for the seed's
	mapZ     []float64 // the same for the map's 2-D latent space
	to       []float64 // the interpolation's end, or nil for the next sample's z
	zRev     int       // bumped whenever z, mapZ or to changes, for View
	panel    Panel
	controls Controls
	weights  string
	latent   [len(Kinds)]int // latent size of each model once ready

	// The map's models (2-D latent space), fetched when the map is shown.
	mapAvail  [len(Kinds)]Availability
	mapLatent [len(Kinds)]int
}

// View is everything that decides the pixels, comparable so that the game
// can tell whether it must decode again.
type View struct {
	Selection
	Temperature float64
	Panel       Panel
	ZRev        int // changes whenever an explicit z changes
}

// NewState starts from the options of the URL; errs are the URL's errors,
// shown like any other.
func NewState(opt Options, errs []error) *State {
	s := &State{sel: opt.Selection, lastDigit: opt.Digit, temp: opt.Temperature, panel: opt.Panel, controls: opt.Controls, weights: opt.Weights}
	if s.temp == 0 {
		s.temp = TempDefault
	}
	if s.panel == "" {
		s.panel = PanelSample
	}
	if s.controls == "" {
		s.controls = Full
	}
	if opt.Z != "" {
		if z, err := ParseZ(opt.Z); err == nil {
			*s.space() = z
		}
	}
	if opt.To != "" {
		if z, err := ParseZ(opt.To); err == nil {
			s.to = z
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

// Availability reports how far model k has come.
func (s *State) Availability(k Kind) Availability {
	if i := k.index(); i >= 0 {
		return s.avail[i]
	}
	return Failed
}

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

// MapAvailability reports how far the map's model of kind k has come.
func (s *State) MapAvailability(k Kind) Availability {
	if i := k.index(); i >= 0 {
		return s.mapAvail[i]
	}
	return Failed
}

// SetMapReady marks the map's model of kind k, of the given latent size, as
// usable.
func (s *State) SetMapReady(k Kind, latent int) {
	if i := k.index(); i >= 0 {
		s.mapAvail[i], s.mapLatent[i] = Ready, latent
	}
}

// SetMapFailed marks the map's model of kind k as unusable because of err
// and shows err. If the map shows that model, the widget goes to the sample
// panel, so that it still draws a digit.
func (s *State) SetMapFailed(k Kind, err error) {
	i := k.index()
	if i < 0 {
		return
	}
	s.mapAvail[i] = Failed
	s.Fail(err)
	if s.panel == PanelMap && s.sel.Kind == k {
		s.panel = PanelSample
	}
}

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
		s.clearZ()
		s.clearTo()
		return true
	case Dismiss:
		changed := s.dismissedAt != s.errorCount
		s.dismissedAt = s.errorCount
		return changed
	case ShowPanel:
		p := in.Panel
		if p == "" { // the next one, as the key P asks
			i := slices.Index(Panels[:], s.panel)
			p = Panels[(i+1)%len(Panels)]
		}
		changed := p != s.panel
		s.panel = p
		return changed
	case PickSeed:
		s.sel.Seed += uint64(in.Offset)
		s.clearZ()
		s.clearTo()
		s.panel = PanelSample
		return true
	}
	return false
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
	if s.Availability(sel.Kind) == Failed {
		s.Fail(fmt.Errorf("model %s is not available: its weights failed to load", sel.Kind))
		return false
	}
	panel := s.panel
	if c.Panel != nil {
		panel = *c.Panel
	}
	latent, what := s.latent[sel.Kind.index()], "model "+string(sel.Kind)
	if panel == PanelMap {
		latent, what = MapLatent, "the map"
	}
	if c.Z != nil && latent > 0 && len(c.Z) != latent {
		s.Fail(fmt.Errorf("z has %d numbers, %s has %d latent dimensions", len(c.Z), what, latent))
		return false
	}
	if n := s.latent[sel.Kind.index()]; c.To != nil && n > 0 && len(c.To) != n {
		s.Fail(fmt.Errorf("to has %d numbers, model %s has %d latent dimensions", len(c.To), sel.Kind, n))
		return false
	}
	before := s.View()
	s.selectWhen(sel)
	s.panel = panel // before z: the map keeps a z of its own
	switch {
	case c.Z != nil:
		*s.space() = slices.Clone(c.Z)
		s.zRev++
	case c.Seed != nil: // a seed names its own z
		s.clearZ()
	}
	switch {
	case c.To != nil:
		s.to = slices.Clone(c.To)
		s.zRev++
	case c.Seed != nil:
		s.clearTo()
	}
	if c.Temperature != nil {
		if c.Z != nil || c.To != nil {
			s.temp = *c.Temperature
		} else {
			s.SetTemperature(*c.Temperature)
		}
	}
	return s.View() != before || c.Z != nil || c.To != nil
}

// space returns the explicit z of the latent space shown: the map's own
// (2-D) or the full model's. Each keeps its z when the other is shown, so
// that going to the map and back changes nothing.
func (s *State) space() *[]float64 {
	if s.panel == PanelMap {
		return &s.mapZ
	}
	return &s.z
}

// clearZ goes back to the seed's z.
func (s *State) clearZ() {
	if z := s.space(); *z != nil {
		*z = nil
		s.zRev++
	}
}

// clearTo goes back to interpolating towards the next sample.
func (s *State) clearTo() {
	if s.to != nil {
		s.to = nil
		s.zRev++
	}
}

// To returns the interpolation's end, or nil when it is the next sample's z.
func (s *State) To() []float64 { return slices.Clone(s.to) }

// SetMorph shows the interpolation from z to to (both rounded as a URL keeps
// them): from one drawing to another.
func (s *State) SetMorph(from, to []float64) {
	s.panel = PanelInterpolate
	s.z, s.to = quantizeZ(from), quantizeZ(to)
	s.zRev++
}

// quantizeZ clamps and rounds z as a URL keeps it.
func quantizeZ(z []float64) []float64 {
	out := make([]float64, len(z))
	for i, v := range z {
		out[i] = Quantize(max(-ZMax, min(ZMax, v)), zDecimals)
	}
	return out
}

// View returns what decides the pixels now.
func (s *State) View() View {
	return View{Selection: s.sel, Temperature: s.temp, Panel: s.panel, ZRev: s.zRev}
}

// Temperature returns the temperature of samples drawn from the seed.
func (s *State) Temperature() float64 { return s.temp }

// Panel returns what the main area shows.
func (s *State) Panel() Panel { return s.panel }

// Controls returns how much chrome shows.
func (s *State) Controls() Controls { return s.controls }

// ExplicitZ reports whether z was set directly (slider, URL, message, map)
// rather than drawn from the seed.
func (s *State) ExplicitZ() bool { return *s.space() != nil }

// SetLatent records the latent size of model k once it is loaded, so that a
// z of the wrong length can be refused.
func (s *State) SetLatent(k Kind, n int) {
	if i := k.index(); i >= 0 {
		s.latent[i] = n
	}
}

// Z returns the current latent code for a model with latent dimensions: the
// explicit z if there is one, else temperature · ε(seed). An explicit z of
// the wrong length (a URL made for another model) is dropped, with an error.
func (s *State) Z(latent int) []float64 {
	if z := *s.space(); z != nil {
		if len(z) == latent {
			return slices.Clone(z)
		}
		s.Fail(fmt.Errorf("z has %d numbers, model %s has %d latent dimensions (using the seed's z)", len(z), s.sel.Kind, latent))
		s.clearZ()
	}
	return SeedZ(s.sel.Seed, latent, s.temp)
}

// SeedZ returns temperature · ε for ε drawn from seed as Selection.Z draws
// it.
func SeedZ(seed uint64, latent int, temp float64) []float64 {
	z := Selection{Seed: seed}.Z(latent)
	out := make([]float64, latent)
	for i, v := range z {
		out[i] = temp * v
	}
	return out
}

// SetZ sets latent coordinate dim to v (rounded as a URL keeps it), starting
// from the current z; it reports whether z changed.
func (s *State) SetZ(latent, dim int, v float64) bool {
	if dim < 0 || dim >= latent || math.IsNaN(v) {
		return false
	}
	z := s.Z(latent)
	v = Quantize(max(-ZMax, min(ZMax, v)), zDecimals)
	if *s.space() != nil && z[dim] == v {
		return false
	}
	for i := range z { // what the URL will hold, so that it reproduces this
		z[i] = Quantize(z[i], zDecimals)
	}
	z[dim] = v
	*s.space() = z
	s.zRev++
	return true
}

// SetMapPoint makes z (rounded as a URL keeps it) the map's point, whichever
// panel is shown: where a drawing lands in the 2-D model's plane.
func (s *State) SetMapPoint(z []float64) {
	s.mapZ = quantizeZ(z)
	s.zRev++
}

// SetExplicitZ makes z (rounded as a URL keeps it) the current latent code
// of the space shown: where a drawing landed, or the map's point. It reports
// whether z changed.
func (s *State) SetExplicitZ(z []float64) bool {
	q := quantizeZ(z)
	if cur := *s.space(); cur != nil && slices.Equal(cur, q) {
		return false
	}
	*s.space() = q
	s.zRev++
	return true
}

// SetTemperature sets the temperature, clamped to TempMin..TempMax and
// rounded to two decimals. An explicit z is scaled with it, so that the
// control acts on what is shown either way.
func (s *State) SetTemperature(t float64) bool {
	if math.IsNaN(t) {
		return false
	}
	t = Quantize(max(TempMin, min(TempMax, t)), tempDecimals)
	if t == s.temp {
		return false
	}
	for _, z := range []*[]float64{s.space(), &s.to} {
		if *z != nil {
			for i := range *z {
				(*z)[i] = Quantize(max(-ZMax, min(ZMax, (*z)[i]*t/s.temp)), zDecimals)
			}
			s.zRev++
		}
	}
	s.temp = t
	return true
}

// Options returns the current view as URL options: their Query is the
// permalink.
func (s *State) Options() Options {
	o := Options{Selection: s.sel, Weights: s.weights, Temperature: s.temp, Panel: s.panel, Controls: s.controls}
	if z := *s.space(); z != nil {
		o.Z = FormatZ(z)
	}
	if s.to != nil {
		o.To = FormatZ(s.to)
	}
	return o
}
