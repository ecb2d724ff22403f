package widget

import (
	"fmt"
	"math"
	"slices"
)

// Temperature bounds: z = temperature · ε for ε ~ N(0, I). Below TempMin
// every sample is the same blurred mean; above TempMax samples leave the
// region the decoder was trained on.
const (
	TempMin     = 0.1
	TempMax     = 2.0
	TempDefault = 1.0
	// tempDecimals is the precision of a temperature in a URL; values are
	// rounded to it on the way in, so that the URL reproduces them.
	tempDecimals = 2
)

// parseTemperature reads a temperature, rounded to two decimals.
func parseTemperature(v float64) (float64, error) {
	if math.IsNaN(v) || v < TempMin || v > TempMax {
		return 0, fmt.Errorf("temperature %g: want a number %g..%g", v, TempMin, TempMax)
	}
	return Quantize(v, tempDecimals), nil
}

// Space names one of the latent spaces the widget shows.
type Space int

const (
	// FullSpace is the space of the selected kind's full model.
	FullSpace Space = iota
	// PlaneSpace is the plane of the map's 2-D model (MapLatent numbers).
	PlaneSpace
	spaces
)

// Latent is the latent code the widget shows, and its one owner: in each
// space an explicit z (set by a slider, the map's point, a drawing, the URL
// or a message) or none, in which case z is the seed's, temperature · ε;
// the interpolation's end; and the temperature. Every change to z goes
// through Set, to the end through SetTo, to the temperature through
// SetTemperature or Rescale, and each counts in Rev, so that a view that
// changed is told from one that did not. The zero value has no temperature;
// use NewLatent.
type Latent struct {
	z    [spaces][]float64
	to   []float64
	temp float64
	rev  int
}

// NewLatent returns a latent code at temperature t (TempDefault when 0),
// drawn from the seed in every space.
func NewLatent(t float64) Latent {
	if t == 0 {
		t = TempDefault
	}
	return Latent{temp: t}
}

// Z returns the latent code of space sp for a model with latent
// dimensions: the explicit z if it has that length, else the seed's.
func (l *Latent) Z(sp Space, seed uint64, latent int) []float64 {
	if z := l.z[sp]; len(z) == latent && z != nil {
		return slices.Clone(z)
	}
	return SeedZ(seed, latent, l.temp)
}

// Explicit returns the explicit z of space sp, or nil when z is the seed's.
// The slice is the Latent's: not to be modified.
func (l *Latent) Explicit(sp Space) []float64 { return l.z[sp] }

// Set makes z, clamped to ±ZMax and rounded as a URL keeps it, the explicit
// latent code of space sp; nil goes back to the seed's. It reports whether
// z changed.
func (l *Latent) Set(sp Space, z []float64) bool {
	if z != nil {
		z = quantizeZ(z)
	}
	if cur := l.z[sp]; (cur == nil) == (z == nil) && slices.Equal(cur, z) {
		return false
	}
	l.z[sp] = z
	l.rev++
	return true
}

// To returns the interpolation's end, or nil when it is the next sample's
// z. The slice is the Latent's: not to be modified.
func (l *Latent) To() []float64 { return l.to }

// SetTo makes z, rounded as Set rounds it, the interpolation's end; nil
// goes back to the next sample's z. It reports whether the end changed.
func (l *Latent) SetTo(z []float64) bool {
	if z != nil {
		z = quantizeZ(z)
	}
	if (l.to == nil) == (z == nil) && slices.Equal(l.to, z) {
		return false
	}
	l.to = z
	l.rev++
	return true
}

// Temperature returns the temperature of samples drawn from the seed.
func (l *Latent) Temperature() float64 { return l.temp }

// SetTemperature sets the temperature, clamped to TempMin..TempMax and
// rounded to two decimals, leaving every explicit z as it is: a message
// that sends z with a temperature means that z. It reports whether the
// temperature changed.
func (l *Latent) SetTemperature(t float64) bool {
	if math.IsNaN(t) {
		return false
	}
	t = Quantize(max(TempMin, min(TempMax, t)), tempDecimals)
	if t == l.temp {
		return false
	}
	l.temp = t
	l.rev++
	return true
}

// Rescale sets the temperature as SetTemperature does and scales the
// explicit z of space sp and the interpolation's end with it, so that the
// temperature control acts on what is shown either way. It reports whether
// the temperature changed.
func (l *Latent) Rescale(sp Space, t float64) bool {
	old := l.temp
	if !l.SetTemperature(t) {
		return false
	}
	for _, z := range []*[]float64{&l.z[sp], &l.to} {
		if *z != nil {
			scaled := make([]float64, len(*z))
			for i, v := range *z {
				scaled[i] = v * l.temp / old
			}
			*z = quantizeZ(scaled)
		}
	}
	return true
}

// Rev counts the changes to the latent code: equal revisions, equal codes.
func (l *Latent) Rev() int { return l.rev }
