//go:build js

package game

import (
	"time"

	"vaeplay/model"
	"vaeplay/wasm/widget"
)

// The panels decode through a decoder, which times widget.Decode (where the
// widget's calls into package model are); they never see the model's
// matrices.

// decoder decodes latent codes with one model of the registry.
type decoder struct{ m *model.Model }

// latent returns the model's latent size.
func (d decoder) latent() int { return d.m.Config.Latent }

// decode decodes the latent codes zs (each of latent() numbers) under
// labels (one per code, or nil for a plain VAE) in one batch, and returns
// each code's 784 pixel means and how long the decode took in milliseconds.
func (d decoder) decode(zs [][]float64, labels []int) (xs [][]float64, ms float64) {
	start := time.Now()
	xs = widget.Decode(d.m, zs, labels)
	return xs, millis(time.Since(start))
}

// labels returns the labels of n codes decoded for the selection: nil for
// the VAE, its digit n times for the CVAE.
func labels(sel widget.Selection, n int) []int {
	if sel.Kind != widget.CVAE {
		return nil
	}
	ls := make([]int, n)
	for i := range ls {
		ls[i] = sel.Digit
	}
	return ls
}

// everyLabel returns z once for each label 0..9, with those labels: the
// same z under every label, the conditional VAE's row.
func everyLabel(z []float64) (zs [][]float64, labels []int) {
	zs, labels = make([][]float64, widget.Digits), make([]int, widget.Digits)
	for d := range labels {
		zs[d], labels[d] = z, d
	}
	return zs, labels
}

// millis returns d in milliseconds, rounded to microseconds.
func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
