package widget

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"vaeplay/model"
)

// Panel names what the widget's main area shows.
type Panel string

const (
	// PanelSample: the digit, and for the CVAE its z under every label.
	PanelSample Panel = "sample"
	// PanelSliders: the digit beside sliders for temperature and the latent
	// dimensions the decoder uses most.
	PanelSliders Panel = "sliders"
	// PanelInterpolate: a spherical interpolation from the current z to the
	// next sample's, animated and as a strip.
	PanelInterpolate Panel = "interpolate"
	// PanelGrid: a grid of consecutive samples.
	PanelGrid Panel = "grid"
	// PanelDraw: a pad to draw a digit on, which is encoded, reconstructed
	// and scored.
	PanelDraw Panel = "draw"
	// PanelMap: the latent plane of a model with a 2-D latent space, with a
	// point the user drags across it and the digit it decodes to.
	PanelMap Panel = "map"
)

// Panels lists the panels the widget has, in the order of its tabs.
var Panels = [...]Panel{PanelSample, PanelSliders, PanelMap, PanelInterpolate, PanelGrid, PanelDraw}

// parsePanel reads a panel name; the error says which panels exist.
func parsePanel(v string) (Panel, error) {
	p := Panel(v)
	if slices.Contains(Panels[:], p) {
		return p, nil
	}
	names := make([]string, len(Panels))
	for i, p := range Panels {
		names[i] = string(p)
	}
	return "", fmt.Errorf("panel %q: want one of %s", v, strings.Join(names, ", "))
}

// Controls is how much of the widget's chrome shows.
type Controls string

const (
	// Full shows the model chooser, the panel tabs and the info line.
	Full Controls = "full"
	// Minimal shows the panel alone: for a tutorial that drives the widget
	// from its own text through postMessage.
	Minimal Controls = "minimal"
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

// ZMax bounds each latent coordinate a URL or message may set; the prior
// puts nearly all mass within ±4.
const ZMax = 6.0

// maxLatent bounds how many numbers a z list may hold before the model is
// known, so that a long URL or message cannot make the widget allocate
// without end.
const maxLatent = 1024

// zDecimals is the precision of a z coordinate in a URL: three decimals
// keep a 20-dimensional z near 150 characters, far finer than any visible
// change.
const zDecimals = 3

// Quantize rounds v to the given number of decimals the way the URL writes
// it, so that the value used is exactly the value a permalink reads back.
func Quantize(v float64, decimals int) float64 {
	q, err := strconv.ParseFloat(strconv.FormatFloat(v, 'f', decimals, 64), 64)
	if err != nil { // cannot happen: FormatFloat writes a valid number
		return v
	}
	if q == 0 {
		q = 0 // no negative zero: it would print as "-0"
	}
	return q
}

// FormatZ writes z as the URL's compact comma list, each coordinate with
// three decimals and no trailing zeros.
func FormatZ(z []float64) string {
	var b strings.Builder
	for i, v := range z {
		if i > 0 {
			b.WriteByte(',')
		}
		s := strconv.FormatFloat(Quantize(v, zDecimals), 'f', -1, 64)
		b.WriteString(s)
	}
	return b.String()
}

// ParseZ reads a comma list of finite numbers within ±ZMax, rounded to
// three decimals: the z a permalink or a message asks for. The error names
// the first bad entry.
func ParseZ(s string) ([]float64, error) {
	if s == "" {
		return nil, errors.New("want a comma-separated list of numbers")
	}
	parts := strings.Split(s, ",")
	if len(parts) > maxLatent {
		return nil, fmt.Errorf("%d numbers, want at most %d", len(parts), maxLatent)
	}
	z := make([]float64, len(parts))
	for i, p := range parts {
		v, err := strconv.ParseFloat(p, 64)
		if err != nil || strings.ContainsAny(p, "xXpP_") || math.IsNaN(v) {
			return nil, fmt.Errorf("entry %d %q: want a decimal number", i+1, p)
		}
		if err := checkZ(i, v); err != nil {
			return nil, err
		}
		z[i] = Quantize(v, zDecimals)
	}
	return z, nil
}

func checkZ(i int, v float64) error {
	if math.IsNaN(v) || math.Abs(v) > ZMax {
		return fmt.Errorf("entry %d %g: want a number within ±%g", i+1, v, ZMax)
	}
	return nil
}

// parseTemperature reads a temperature, rounded to two decimals.
func parseTemperature(v float64) (float64, error) {
	if math.IsNaN(v) || v < TempMin || v > TempMax {
		return 0, fmt.Errorf("temperature %g: want a number %g..%g", v, TempMin, TempMax)
	}
	return Quantize(v, tempDecimals), nil
}

// Slerp interpolates spherically from a to b: t=0 gives a, t=1 gives b, and
// between them the path follows the great circle, its norm moving smoothly
// from |a| to |b|. Linear interpolation would pass near the origin, where a
// Gaussian prior in many dimensions puts almost no mass, and decode to a
// washed-out blur. Nearly parallel vectors fall back to linear
// interpolation, where the two agree.
func Slerp(a, b []float64, t float64) []float64 {
	out := make([]float64, len(a))
	na, nb := norm(a), norm(b)
	if na == 0 || nb == 0 || len(a) != len(b) {
		for i := range out {
			var bi float64
			if i < len(b) {
				bi = b[i]
			}
			out[i] = (1-t)*a[i] + t*bi
		}
		return out
	}
	var dot float64
	for i := range a {
		dot += a[i] * b[i]
	}
	cos := max(-1, min(1, dot/(na*nb)))
	omega := math.Acos(cos)
	so := math.Sin(omega)
	if so < 1e-6 {
		for i := range out {
			out[i] = (1-t)*a[i] + t*b[i]
		}
		return out
	}
	wa, wb := math.Sin((1-t)*omega)/so, math.Sin(t*omega)/so
	for i := range out {
		out[i] = wa*a[i] + wb*b[i]
	}
	return out
}

func norm(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x * x
	}
	return math.Sqrt(s)
}

// Slider value ranges: latent sliders span ±SliderZ, which holds 99.7% of
// the prior; the temperature slider spans TempMin..TempMax.
const SliderZ = 3.0

// SliderCount is how many latent dimensions get a slider.
const SliderCount = 5

// sliderRange returns the value range of slider i: 0 is the temperature,
// 1.. are latent dimensions.
func sliderRange(i int) (lo, hi float64) {
	if i == 0 {
		return TempMin, TempMax
	}
	return -SliderZ, SliderZ
}

// SliderValue maps a pointer at x over a slider's track to the slider's
// value, clamped to its range and rounded to the precision a URL keeps.
func SliderValue(i int, track Rect, x float64) float64 {
	lo, hi := sliderRange(i)
	f := 0.0
	if track.W > 0 {
		f = max(0, min(1, (x-track.X)/track.W))
	}
	v := lo + f*(hi-lo)
	if i == 0 {
		return Quantize(max(lo, min(hi, v)), tempDecimals)
	}
	return Quantize(v, zDecimals)
}

// SliderX maps slider i's value v to the x of its knob on the track; values
// outside the range pin the knob to the track's end.
func SliderX(i int, track Rect, v float64) float64 {
	lo, hi := sliderRange(i)
	f := max(0, min(1, (v-lo)/(hi-lo)))
	return track.X + f*track.W
}

// SliderStep is how far one arrow key moves slider i.
func SliderStep(i int) float64 {
	if i == 0 {
		return 0.05
	}
	return 0.25
}

// RankLatents orders m's latent dimensions by how much they matter, most
// first. With kl (one number per dimension: the mean KL of q(z_i|x) from the
// prior on the test set, which the trainer writes into the weights'
// metadata as latent_kl) they are ranked by it: a dimension with no KL
// carries no information about the image, however the decoder's weights
// look. Without it (kl nil, or of the wrong length: files trained before
// the key existed) a load-time proxy ranks them: the Euclidean norm of each
// z coordinate's column in the decoder's first weight matrix, which shrinks
// towards zero for a dimension the KL term switched off.
func RankLatents(m *model.Model, kl []float64) []int {
	latent := m.Config.Latent
	score := make([]float64, latent)
	if len(kl) == latent {
		copy(score, kl)
	} else {
		w := m.Out.W // no hidden layers: z feeds the output layer directly
		if len(m.Decoder) > 0 {
			w = m.Decoder[0].W
		}
		for j := range min(latent, w.Cols) { // columns past latent are the label's one-hot
			var s float64
			for i := range w.Rows {
				v := float64(w.At(i, j))
				s += v * v
			}
			score[j] = math.Sqrt(s)
		}
	}
	order := make([]int, latent)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case score[a] > score[b]:
			return -1
		case score[a] < score[b]:
			return 1
		}
		return 0
	})
	return order
}
