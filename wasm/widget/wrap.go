package widget

import (
	"strings"
	"unicode/utf8"
)

// Wrap breaks s into at most maxLines lines no wider than maxW by width,
// ending the last with an ellipsis when s does not fit. A word wider than a
// line is broken between characters.
//
// Measuring text is what costs: the game's width shapes the string, and the
// text package caches every string it shapes. So Wrap measures a bounded
// number of candidates, whatever the length of s: the cut of an over-wide
// word is found by binary search, and wrapping stops once one line more than
// fits has been found. A 10 KB error once ran the widget out of memory
// through a byte-at-a-time search here.
func Wrap(s string, width func(string) float64, maxW float64, maxLines int) []string {
	if maxLines < 1 {
		return nil
	}
	fits := func(t string) bool { return width(t) <= maxW }
	fitsWhole := func(t string) bool {
		// A long string is measured by growing prefixes, so that one
		// that is far too wide is never measured whole.
		if len(t) > longString {
			return longestFittingPrefix(t, fits) == len(t)
		}
		return fits(t)
	}
	var lines []string
	full := func() bool { return len(lines) > maxLines }
	line := ""
	for _, word := range strings.Fields(s) {
		if full() {
			break
		}
		switch {
		case line == "" && fitsWhole(word):
			line = word
			continue
		case line != "" && fitsWhole(line+" "+word):
			line += " " + word
			continue
		}
		if line != "" {
			lines = append(lines, line)
		}
		line = word
		for !full() && !fitsWhole(line) && utf8.RuneCountInString(line) > 1 {
			cut := longestFittingPrefix(line, fits)
			lines = append(lines, line[:cut])
			line = line[cut:]
		}
	}
	if line != "" && !full() {
		lines = append(lines, line)
	}
	if len(lines) > maxLines {
		last := lines[maxLines-1]
		if !fits(last + "…") {
			last = last[:longestFittingPrefix(last+"…", fits)]
			// The prefix may have taken part of the ellipsis or its last
			// character fits only without one: drop whole characters.
			last = strings.TrimSuffix(last, "…")
			for last != "" && !fits(last+"…") {
				_, size := utf8.DecodeLastRuneInString(last)
				last = last[:len(last)-size]
			}
		}
		lines = append(lines[:maxLines-1], last+"…")
	}
	return lines
}

// longString is the length in bytes above which Wrap measures a string by
// growing prefixes rather than whole.
const longString = 256

// longestFittingPrefix returns the byte length of the longest prefix of s,
// cut at a character boundary, that fits; at least one character, so that
// wrapping always advances. Widths grow with the prefix, so a galloping
// search (1, 2, 4, ... characters, then bisection) finds it in O(log n)
// measurements of strings at most twice a line long, however long s is.
func longestFittingPrefix(s string, fits func(string) bool) int {
	var bounds []int // bounds[i] is the byte length of the first i+1 characters
	for i := range s {
		if i > 0 {
			bounds = append(bounds, i)
		}
	}
	bounds = append(bounds, len(s))
	lo, hi := 0, 1 // bounds[lo] is the answer unless a longer prefix fits
	for hi < len(bounds) && fits(s[:bounds[hi]]) {
		lo, hi = hi, 2*hi
	}
	hi = min(hi, len(bounds)) - 1
	for lo < hi { // the answer is in bounds[lo..hi]
		mid := (lo + hi + 1) / 2
		if fits(s[:bounds[mid]]) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return bounds[lo]
}
