package widget

import "math"

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
