package model

import (
	"math"
	"runtime"
	"sync"
)

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
	u := adamStep{
		b1: a.Beta1, b2: a.Beta2, eps: a.Eps,
		stepSize:        a.LR / (1 - math.Pow(a.Beta1, t)),
		sqrtCorrection2: math.Sqrt(1 - math.Pow(a.Beta2, t)),
	}
	// The update is element-wise, so cutting the parameters into chunks
	// for both cores changes no result. Small models stay on one.
	var total int
	for _, p := range params {
		total += len(p.Data)
	}
	workers := min(runtime.GOMAXPROCS(0), total/adamChunk)
	if workers <= 1 {
		for i, p := range params {
			u.apply(p.Data, grads[i].Data, a.M[i], a.V[i])
		}
		return
	}
	per := (total + workers - 1) / workers
	var wg sync.WaitGroup
	// Worker w updates elements [w*per, (w+1)*per) of the parameters laid
	// end to end.
	for w := range workers {
		from, to := w*per, min((w+1)*per, total)
		work := func() {
			off := 0
			for i, p := range params {
				n := len(p.Data)
				lo, hi := max(from-off, 0), min(to-off, n)
				if lo < hi {
					u.apply(p.Data[lo:hi], grads[i].Data[lo:hi], a.M[i][lo:hi], a.V[i][lo:hi])
				}
				off += n
			}
		}
		if w == workers-1 {
			work()
		} else {
			wg.Go(work)
		}
	}
	wg.Wait()
}

// adamChunk is the fewest parameters worth a goroutine of their own.
const adamChunk = 1 << 16

// adamStep holds the constants of one Adam update.
type adamStep struct {
	b1, b2, eps               float64
	stepSize, sqrtCorrection2 float64
}

// apply updates the parameters p with their gradients g and moments m, v,
// all of the same length.
func (u *adamStep) apply(p, g, m, v []float64) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	b1, b2, c1, c2 := u.b1, u.b2, 1-u.b1, 1-u.b2
	for j, gj := range g {
		mj := b1*m[j] + c1*gj
		vj := b2*v[j] + c2*gj*gj
		m[j], v[j] = mj, vj
		p[j] -= u.stepSize * mj / (math.Sqrt(vj)/u.sqrtCorrection2 + u.eps)
	}
}
