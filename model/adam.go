package model

import "math"

// Adam is the optimizer of Kingma and Ba (2015) with PyTorch's defaults and
// update rule (torch.optim.Adam, no weight decay, no amsgrad).
type Adam struct {
	LR    float64 // learning rate, 1e-3 by default
	Beta1 float64 // decay of the first-moment estimate, 0.9
	Beta2 float64 // decay of the second-moment estimate, 0.999
	Eps   float64 // added to the denominator for stability, 1e-8

	// Steps counts the updates made; M and V are the moment estimates, one
	// slice per parameter in Params order. They are exported so that a
	// checkpoint can save and restore them.
	Steps int
	M, V  [][]float64
}

// NewAdam returns Adam with PyTorch's defaults and the given learning rate.
func NewAdam(lr float64) *Adam {
	return &Adam{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
}

// Update moves every parameter against its gradient. params and grads list
// tensors of the same shapes in the same order, as Model.Params gives them.
func (a *Adam) Update(params, grads []Param) {
	if a.M == nil {
		a.M = make([][]float64, len(params))
		a.V = make([][]float64, len(params))
		for i, p := range params {
			a.M[i] = make([]float64, len(p.Data))
			a.V[i] = make([]float64, len(p.Data))
		}
	}
	a.Steps++
	t := float64(a.Steps)
	stepSize := a.LR / (1 - math.Pow(a.Beta1, t))
	sqrtCorrection2 := math.Sqrt(1 - math.Pow(a.Beta2, t))
	for i, p := range params {
		m, v, g := a.M[i], a.V[i], grads[i].Data
		for j, gj := range g {
			m[j] = a.Beta1*m[j] + (1-a.Beta1)*gj
			v[j] = a.Beta2*v[j] + (1-a.Beta2)*gj*gj
			p.Data[j] -= stepSize * m[j] / (math.Sqrt(v[j])/sqrtCorrection2 + a.Eps)
		}
	}
}
