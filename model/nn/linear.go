package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Activation is the function a layer applies to its output.
type Activation int

const (
	// Identity leaves the output as it is: a layer that feeds a loss or a
	// distribution's parameters.
	Identity Activation = iota
	// ReLU clamps the output at zero: max(0, y).
	ReLU
)

// Linear is a fully connected layer y = x·Wᵀ + b, stored as PyTorch's
// nn.Linear stores it, so that its tensors map one to one onto a
// state_dict.
type Linear[T Float] struct {
	W Matrix[T] // [out, in]
	B []T       // [out]
}

// NewLinear returns a layer of zeros with out outputs and in inputs.
func NewLinear[T Float](out, in int) Linear[T] {
	return Linear[T]{W: NewMatrix[T](out, in, nil), B: make([]T, out)}
}

// In returns the layer's input width.
func (l *Linear[T]) In() int { return l.W.Cols }

// Out returns the layer's output width.
func (l *Linear[T]) Out() int { return l.W.Rows }

// Init draws the weights and biases uniformly from ±1/sqrt(fanIn), as
// PyTorch initialises nn.Linear and nn.Conv2d; fanIn is the layer's input
// width, or a convolution's channels × kernel area.
func (l *Linear[T]) Init(fanIn int, rng *rand.Rand) {
	bound := 1 / math.Sqrt(float64(fanIn))
	for _, p := range [][]T{l.W.Data, l.B} {
		for i := range p {
			p[i] = T(bound * (2*rng.Float64() - 1))
		}
	}
}

// Forward returns act(x·Wᵀ + b) for a batch x of shape [n, In]. If t is
// not nil, it records x and the output for Backward.
func (l *Linear[T]) Forward(x Matrix[T], act Activation, t *Tape[T]) Matrix[T] {
	y := NewMatrix[T](x.Rows, l.Out(), nil)
	Mul(y, x, false, l.W, true)
	// The bias and the activation in one pass over the output.
	bias := l.B[:y.Cols]
	for i := range y.Rows {
		row := y.Row(i)
		if act == ReLU {
			for j, b := range bias {
				row[j] = max(row[j]+b, 0)
			}
		} else {
			for j, b := range bias {
				row[j] += b
			}
		}
	}
	if t != nil {
		t.push(l, act, x, y)
	}
	return y
}

// Backward takes the layer's last record off the tape t and, given dy, the
// gradient of the loss with respect to the layer's output (after the
// activation), stores the gradients with respect to W and b in g, a layer
// of the same shape. It returns the gradient with respect to the input x
// when wantInput is set, and an empty matrix otherwise (below the first
// layer there is only data). Backward overwrites dy.
func (l *Linear[T]) Backward(g *Linear[T], dy Matrix[T], t *Tape[T], wantInput bool) Matrix[T] {
	r := t.pop(l)
	if dy.Rows != r.out.Rows || dy.Cols != r.out.Cols {
		panic(fmt.Sprintf("nn: gradient %d×%d for a layer output of %d×%d", dy.Rows, dy.Cols, r.out.Rows, r.out.Cols))
	}
	if r.act == ReLU {
		for i := range dy.Rows {
			d, o := dy.Row(i), r.out.Row(i)
			for j, v := range o {
				if v <= 0 {
					d[j] = 0
				}
			}
		}
	}
	Mul(g.W, dy, true, r.in, false) // dW = dyᵀ x
	gb := g.B[:dy.Cols]
	clear(gb)
	for i := range dy.Rows {
		for j, v := range dy.Row(i) {
			gb[j] += v
		}
	}
	if !wantInput {
		return Matrix[T]{}
	}
	dx := NewMatrix[T](dy.Rows, l.In(), nil)
	Mul(dx, dy, false, l.W, false) // dx = dy W
	return dx
}
