package nn

import "math"

// Param is one named parameter tensor. Data aliases the network's storage,
// so writing to it changes the network.
type Param[T Float] struct {
	Name  string // PyTorch state_dict key, e.g. "enc.fc1.weight"
	Shape []int  // [out, in] for weights, [out] for biases
	Data  []T
}

// Adam is the optimizer of Kingma and Ba (2015) with PyTorch's defaults and
// update rule (torch.optim.Adam, no weight decay, no amsgrad).
type Adam[T Float] struct {
	LR    float64 // learning rate, 1e-3 by default
	Beta1 float64 // decay of the first-moment estimate, 0.9
	Beta2 float64 // decay of the second-moment estimate, 0.999
	Eps   float64 // added to the denominator for stability, 1e-8

	// Steps counts the updates made; M and V are the moment estimates, one
	// slice per parameter in the order Update is given them. They are
	// exported so that a checkpoint can save and restore them.
	Steps int
	M, V  [][]T
}

// NewAdam returns Adam with PyTorch's defaults and the given learning rate.
func NewAdam[T Float](lr float64) *Adam[T] {
	return &Adam[T]{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
}

// adamChunk is how many parameters one call of adamStep.apply updates. The
// update is element-wise, so any cut gives the same bits; chunks let both
// cores share a large model.
const adamChunk = 1 << 15

// Update moves every parameter against its gradient. params and grads list
// tensors of the same shapes in the same order, as a network's Params gives
// them.
func (a *Adam[T]) Update(params, grads []Param[T]) {
	if a.M == nil {
		a.M = make([][]T, len(params))
		a.V = make([][]T, len(params))
		for i, p := range params {
			a.M[i] = make([]T, len(p.Data))
			a.V[i] = make([]T, len(p.Data))
		}
	}
	a.Steps++
	t := float64(a.Steps)
	u := adamStep[T]{
		b1: T(a.Beta1), b2: T(a.Beta2), c1: T(1 - a.Beta1), c2: T(1 - a.Beta2), eps: T(a.Eps),
		stepSize:        T(a.LR / (1 - math.Pow(a.Beta1, t))),
		sqrtCorrection2: T(math.Sqrt(1 - math.Pow(a.Beta2, t))),
	}
	// Chunks of the parameters laid end to end: (tensor, from, to).
	type span struct{ i, from, to int }
	var spans []span
	for i, p := range params {
		for from := 0; from < len(p.Data); from += adamChunk {
			spans = append(spans, span{i, from, min(from+adamChunk, len(p.Data))})
		}
	}
	Parallel(len(spans), func(c int) {
		s := spans[c]
		u.apply(params[s.i].Data[s.from:s.to], grads[s.i].Data[s.from:s.to], a.M[s.i][s.from:s.to], a.V[s.i][s.from:s.to])
	})
}

// adamStep holds the constants of one Adam update.
type adamStep[T Float] struct {
	b1, b2, c1, c2, eps       T
	stepSize, sqrtCorrection2 T
}

// apply updates the parameters p with their gradients g and moments m, v,
// all of the same length, as torch.optim.Adam's single-tensor update does:
// p -= lr/(1-β1ᵗ) · m / (sqrt(v)/sqrt(1-β2ᵗ) + eps).
func (u *adamStep[T]) apply(p, g, m, v []T) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	for j, gj := range g {
		mj := u.b1*m[j] + u.c1*gj
		vj := u.b2*v[j] + u.c2*gj*gj
		m[j], v[j] = mj, vj
		p[j] -= u.stepSize * mj / (T(math.Sqrt(float64(vj)))/u.sqrtCorrection2 + u.eps)
	}
}
