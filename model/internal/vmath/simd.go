//go:build goexperiment.simd

package vmath

import "simd"

// lanes is the number of float32s in a vector on this machine.
func lanes() int { return simd.VectorBitSize() / 32 }

// splat is simd.BroadcastFloat32s. The constants are broadcast inside each
// function, since the simd package cannot yet initialize package-level
// vectors.
func splat(v float32) simd.Float32s { return simd.BroadcastFloat32s(v) }

// expNeg returns e^x for x ≤ 0, flushing below e^-87.3 (the smallest
// normal float32) to it. Cody and Waite's reduction x = n·ln 2 + r with
// |r| ≤ ln 2/2, then Cephes's degree-7 polynomial for e^r (relative error
// about 1e-7), then 2ⁿ from the exponent bits.
func expNeg(x simd.Float32s) simd.Float32s {
	x = x.Max(splat(-87.33654))
	magic := splat(12582912) // 1.5·2²³: adding it rounds to an integer
	n := x.MulAdd(splat(1.44269504088896341), magic).Sub(magic)
	r := n.MulAdd(splat(-0.693359375), x)
	r = n.MulAdd(splat(2.12194440e-4), r)
	p := splat(1.9875691500e-4)
	p = p.MulAdd(r, splat(1.3981999507e-3))
	p = p.MulAdd(r, splat(8.3334519073e-3))
	p = p.MulAdd(r, splat(4.1665795894e-2))
	p = p.MulAdd(r, splat(1.6666665459e-1))
	p = p.MulAdd(r, splat(5.0000001201e-1))
	p = p.MulAdd(r.Mul(r), r).Add(splat(1))
	scale := n.ConvertToInt32().Add(simd.BroadcastInt32s(127)).ShiftAllLeft(23)
	return p.Mul(scale.ToBits().BitsToFloat32())
}

// log1pSmall returns log(1 + e) for e in [0, 1]: 2 atanh(s) with
// s = e/(2+e) in [0, 1/3], by its series to s¹³, whose next term is below
// 1.5e-8 relative. There is no cancellation, so tiny e keep their digits.
func log1pSmall(e simd.Float32s) simd.Float32s {
	s := e.Div(e.Add(splat(2)))
	s2 := s.Mul(s)
	q := splat(1.0 / 13)
	q = q.MulAdd(s2, splat(1.0/11))
	q = q.MulAdd(s2, splat(1.0/9))
	q = q.MulAdd(s2, splat(1.0/7))
	q = q.MulAdd(s2, splat(1.0/5))
	q = q.MulAdd(s2, splat(1.0/3))
	q = q.MulAdd(s2, splat(1))
	return s.Add(s).Mul(q)
}

// sigmoidParts returns e = exp(-|l|) and σ(l): 1/(1+e) for l ≥ 0 and
// e/(1+e) below, which never overflows.
func sigmoidParts(l simd.Float32s) (e, sig simd.Float32s) {
	e = expNeg(l.Abs().Neg())
	inv := splat(1).Div(e.Add(splat(1)))
	var zero simd.Float32s
	return e, e.Mul(inv).IfElse(l.Less(zero), inv)
}

// sum returns the lanes of v added in float64.
func sum(v simd.Float32s) float64 {
	var buf [64]float32 // room for vectors up to 2048 bits
	v.Store(buf[:])
	var s float64
	for _, x := range buf[:v.Len()] {
		s += float64(x)
	}
	return s
}

func bernoulli(logits, x, grad []float32) float64 {
	L := lanes()
	var acc, zero simd.Float32s
	i := 0
	for ; i+L <= len(logits); i += L {
		l, xi := simd.LoadFloat32s(logits[i:]), simd.LoadFloat32s(x[i:])
		e, sig := sigmoidParts(l)
		// softplus(l) - x·l = max(l, 0) - x·l + log1p(e)
		acc = acc.Add(l.Max(zero).Sub(xi.Mul(l)).Add(log1pSmall(e)))
		if grad != nil {
			sig.Sub(xi).Store(grad[i:])
		}
	}
	var tail []float32
	if grad != nil {
		tail = grad[i:]
	}
	s := sum(acc)
	clearUpper()
	return s + bernoulliScalar(logits[i:], x[i:], tail)
}

func gaussian(logits, x, grad []float32) float64 {
	L := lanes()
	var acc simd.Float32s
	i := 0
	for ; i+L <= len(logits); i += L {
		_, sig := sigmoidParts(simd.LoadFloat32s(logits[i:]))
		d := sig.Sub(simd.LoadFloat32s(x[i:]))
		acc = d.MulAdd(d, acc)
		if grad != nil {
			d.Add(d).Mul(sig).Mul(splat(1).Sub(sig)).Store(grad[i:])
		}
	}
	var tail []float32
	if grad != nil {
		tail = grad[i:]
	}
	s := sum(acc)
	clearUpper()
	return s + gaussianScalar(logits[i:], x[i:], tail)
}

func sigmoid(a []float32) {
	L := lanes()
	i := 0
	for ; i+L <= len(a); i += L {
		_, sig := sigmoidParts(simd.LoadFloat32s(a[i:]))
		sig.Store(a[i:])
	}
	clearUpper()
	sigmoidScalar(a[i:])
}

func adam(p, g, m, v []float32, c AdamConstants) {
	L := lanes()
	b1, b2, c1, c2 := splat(c.Beta1), splat(c.Beta2), splat(c.OneMinusBeta1), splat(c.OneMinusBeta2)
	step, corr, eps := splat(c.StepSize), splat(c.SqrtCorrection2), splat(c.Eps)
	j := 0
	for ; j+L <= len(p); j += L {
		gj := simd.LoadFloat32s(g[j:])
		mj := gj.MulAdd(c1, simd.LoadFloat32s(m[j:]).Mul(b1))
		vj := gj.Mul(gj).MulAdd(c2, simd.LoadFloat32s(v[j:]).Mul(b2))
		mj.Store(m[j:])
		vj.Store(v[j:])
		denom := vj.Sqrt().Div(corr).Add(eps)
		simd.LoadFloat32s(p[j:]).Sub(mj.Mul(step).Div(denom)).Store(p[j:])
	}
	clearUpper()
	adamScalar(p[j:], g[j:], m[j:], v[j:], c)
}
