package nn

import "fmt"

// Tape records what a training forward pass computed, layer by layer, for
// the backward pass. Its zero value is empty and ready to use.
type Tape[T Float] struct {
	records []record[T]
}

// record is one layer's part of a forward pass.
type record[T Float] struct {
	layer   *Linear[T]
	act     Activation
	in, out Matrix[T]
}

func (t *Tape[T]) push(l *Linear[T], act Activation, in, out Matrix[T]) {
	t.records = append(t.records, record[T]{l, act, in, out})
}

// pop takes off the last record, which must be l's: the backward pass
// visits the layers in the reverse order of the forward pass, and any
// other order is a bug in the network's code.
func (t *Tape[T]) pop(l *Linear[T]) record[T] {
	if t == nil || len(t.records) == 0 {
		panic("nn: backward pass through a layer with nothing on the tape")
	}
	r := t.records[len(t.records)-1]
	if r.layer != l {
		panic(fmt.Sprintf("nn: backward pass out of order: the tape's last layer is %d×%d, not this %d×%d one",
			r.layer.Out(), r.layer.In(), l.Out(), l.In()))
	}
	t.records = t.records[:len(t.records)-1]
	return r
}

// Len returns the number of records on the tape; after a complete backward
// pass it is zero.
func (t *Tape[T]) Len() int { return len(t.records) }
