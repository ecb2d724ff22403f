package main

import (
	"bytes"
	"fmt"
	"math"
	"os"

	"vaeplay/model"
)

// result describes one conversion.
type result struct {
	inBytes, outBytes int
	maxChange         float64 // largest |half - original| over all parameters
}

// halve reads the model in the file in, writes it in half precision to out,
// and checks that the written file loads back into a model of the same
// config whose parameters are the originals rounded to F16.
func halve(in, out string) (result, error) {
	data, err := os.ReadFile(in)
	if err != nil {
		return result{}, err
	}
	m, meta, err := model.Load(data)
	if err != nil {
		return result{}, fmt.Errorf("%s: %w", in, err)
	}
	var buf bytes.Buffer
	if err := model.SaveHalf(&buf, m, meta); err != nil {
		return result{}, fmt.Errorf("%s: %w", in, err)
	}
	h, _, err := model.Load(buf.Bytes())
	if err != nil {
		return result{}, fmt.Errorf("%s: reading back the half-precision file: %w", in, err)
	}
	r := result{inBytes: len(data), outBytes: buf.Len()}
	hp := h.Params()
	for i, p := range m.Params() {
		for j, w := range p.Data {
			v := float64(w)
			d := math.Abs(float64(hp[i].Data[j]) - v)
			// F16 keeps 11 significant bits: a rounding error beyond half an
			// ulp (2^-11 relative, or the subnormal step near zero) is a bug.
			if d > math.Max(math.Abs(v)*0x1p-11, 0x1p-25) {
				return result{}, fmt.Errorf("%s: %s[%d] = %g became %g in half precision", in, p.Name, j, v, hp[i].Data[j])
			}
			r.maxChange = math.Max(r.maxChange, d)
		}
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return result{}, err
	}
	return r, nil
}
