package widget

import "vaeplay/model"

// The widget keeps latent codes and pixels as float64, as the URL, the
// sliders and the page's messages spell them; the model computes in
// float32. These are the conversions at that boundary.

// Narrow returns rows of width cols as a model matrix, one per row.
func Narrow(cols int, rows ...[]float64) model.Matrix {
	m := model.NewMatrix(len(rows), cols, nil)
	for i, r := range rows {
		dst := m.Row(i)
		for j, v := range r[:cols] {
			dst[j] = float32(v)
		}
	}
	return m
}

// Widen returns a row of the model's float32 values as float64, exactly.
func Widen(row []float32) []float64 {
	out := make([]float64, len(row))
	for i, v := range row {
		out[i] = float64(v)
	}
	return out
}

// Decode decodes the latent codes zs with m in one batched product, under
// labels (one per code for a CVAE, nil for a VAE), and returns each
// image's pixel means.
func Decode(m *model.Model, zs [][]float64, labels []int) [][]float64 {
	x := m.Decode(Narrow(m.Config.Latent, zs...), labels)
	out := make([][]float64, x.Rows)
	for i := range out {
		out[i] = Widen(x.Row(i))
	}
	return out
}
