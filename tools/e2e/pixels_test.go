package e2e

import (
	"fmt"
	"image"
	"math"
	"slices"
)

// Thresholds on grey levels (0..255). A blank area (nothing drawn, or one
// flat colour) has a standard deviation near 0; a digit, even the grey noise
// of untrained weights, has far more than blankStdDev. Software rendering is
// deterministic, so an unchanged area is identical pixel for pixel: a new
// sample must change more than changedFraction of the pixels by more than
// pixelDiff, and the same (model, digit, seed) may change at most
// sameFraction of them.
const (
	blankStdDev     = 4
	pixelDiff       = 4
	changedFraction = 0.05
	sameFraction    = 0.01
)

// grey returns the luminance of every pixel in row order.
func grey(img image.Image) []float64 {
	b := img.Bounds()
	out := make([]float64, 0, b.Dx()*b.Dy())
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			out = append(out, (0.299*float64(r)+0.587*float64(g)+0.114*float64(bl))/257)
		}
	}
	return out
}

func stdDev(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	var sum, sq float64
	for _, x := range v {
		sum += x
	}
	mean := sum / float64(len(v))
	for _, x := range v {
		sq += (x - mean) * (x - mean)
	}
	return math.Sqrt(sq / float64(len(v)))
}

// changed is the fraction of pixels whose grey level differs by more than
// pixelDiff; images of different sizes count as entirely changed.
func changed(a, b image.Image) float64 {
	if a.Bounds().Size() != b.Bounds().Size() {
		return 1
	}
	ga, gb := grey(a), grey(b)
	n := 0
	for i := range ga {
		if math.Abs(ga[i]-gb[i]) > pixelDiff {
			n++
		}
	}
	return float64(n) / float64(len(ga))
}

func notBlank(img image.Image) (bool, string) {
	sd := stdDev(grey(img))
	return sd > blankStdDev, fmt.Sprintf("blank: grey std dev %.2f, want > %d (size %v)", sd, blankStdDev, img.Bounds().Size())
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s) == 0 {
		return math.NaN()
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// changedFrom accepts a screenshot that differs from before in enough pixels
// to be a different sample.
func changedFrom(before image.Image) func(image.Image) (bool, string) {
	return func(img image.Image) (bool, string) {
		f := changed(before, img)
		return f >= changedFraction, fmt.Sprintf("only %.2f%% of the pixels changed, want >= %.0f%%", 100*f, 100*changedFraction)
	}
}
