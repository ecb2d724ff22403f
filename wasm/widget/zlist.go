package widget

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The text form of a latent code z, as a URL and a message carry it: a
// comma list of numbers within ±ZMax, rounded to three decimals on the way
// in, so that the value the widget uses is the value a permalink reads back.

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

// quantizeZ clamps and rounds z as a URL keeps it.
func quantizeZ(z []float64) []float64 {
	out := make([]float64, len(z))
	for i, v := range z {
		out[i] = Quantize(max(-ZMax, min(ZMax, v)), zDecimals)
	}
	return out
}
