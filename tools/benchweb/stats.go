package main

import (
	"math"
	"slices"
)

// maxDiff returns the largest |a[i]-b[i]| and its index; +Inf when the
// lengths differ.
func maxDiff[T float32 | float64](a, b []T) (float64, int) {
	if len(a) != len(b) || len(a) == 0 {
		return math.Inf(1), -1
	}
	best, at := 0.0, 0
	for i := range a {
		if d := math.Abs(float64(a[i]) - float64(b[i])); d > best || math.IsNaN(d) {
			best, at = d, i
		}
	}
	return best, at
}

// median returns the median of xs (the mean of the middle two for an even
// count); NaN for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// bestMedian returns the lowest of the rounds' medians of what pick selects:
// on a busy machine the fastest round is the one least disturbed.
func bestMedian(runs []*pageResult, pick func(*pageResult) []float64) float64 {
	best := math.Inf(1)
	for _, r := range runs {
		best = min(best, median(pick(r)))
	}
	return best
}
