package widget

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// runeWidth measures like a monospace font: one unit per character.
func runeWidth(s string) float64 { return float64(utf8.RuneCountInString(s)) }

func TestWrap(t *testing.T) {
	tests := []struct {
		name     string
		s        string
		maxW     float64
		maxLines int
		want     []string
	}{
		{"fits", "a short note", 20, 2, []string{"a short note"}},
		{"breaks at spaces", "one two three four", 9, 3, []string{"one two", "three", "four"}},
		{"ellipsis on the last line", "one two three four", 9, 2, []string{"one two", "three…"}},
		{"ellipsis trims the last line", "abcdefgh ijklmnop", 8, 1, []string{"abcdefg…"}},
		{"long word broken", "abcdefghij", 4, 3, []string{"abcd", "efgh", "ij"}},
		{"long word cut with ellipsis", "abcdefghijkl", 4, 2, []string{"abcd", "efg…"}},
		{"multibyte word broken at characters", "ééééééé", 3, 3, []string{"ééé", "ééé", "é"}},
		{"multibyte ellipsis", "日本語の長いエラー", 4, 1, []string{"日本語…"}},
		{"empty", "", 10, 2, nil},
		{"no lines allowed", "text", 10, 0, nil},
		{"narrower than a character", "abc", 0.5, 2, []string{"a", "…"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Wrap(tt.s, runeWidth, tt.maxW, tt.maxLines)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("Wrap(%q, %v, %d) = %q, want %q", tt.s, tt.maxW, tt.maxLines, got, tt.want)
			}
			for _, line := range got {
				if !utf8.ValidString(line) {
					t.Errorf("line %q is not valid UTF-8", line)
				}
			}
		})
	}
}

// TestWrapMeasuresLittle guards the out-of-memory fix: wrapping a huge error
// into two lines must measure a few dozen strings, not one per byte.
func TestWrapMeasuresLittle(t *testing.T) {
	tests := []struct {
		name string
		s    string
	}{
		{"one long word", `seed "` + strings.Repeat("x", 100_000) + `" is not a number`},
		{"many words", strings.Repeat("word ", 20_000)},
		{"multibyte word", strings.Repeat("é", 50_000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls, measured := 0, 0
			width := func(s string) float64 {
				calls++
				measured += len(s)
				return runeWidth(s)
			}
			lines := Wrap(tt.s, width, 60, 2)
			if len(lines) != 2 || !strings.HasSuffix(lines[1], "…") {
				t.Errorf("got %q, want two lines, the last ending in an ellipsis", lines)
			}
			if calls > 100 || measured > 10_000 {
				t.Errorf("measured %d strings (%d bytes), want at most 100 strings and 10 KB", calls, measured)
			}
		})
	}
}
