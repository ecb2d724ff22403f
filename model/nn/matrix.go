package nn

import (
	"fmt"
)

// Float is the element type of the networks' matrices.
type Float interface{ ~float32 | ~float64 }

// Matrix is a dense row-major matrix: element (i, j) is Data[i*Stride+j].
// Its fields are those of gonum's blas32.General, in the same order, so a
// Matrix[float32] converts to one.
type Matrix[T Float] struct {
	Rows, Cols int
	Stride     int
	Data       []T
}

// NewMatrix returns a rows×cols matrix backed by data, which must hold
// rows*cols elements, or by a new zero slice if data is nil.
func NewMatrix[T Float](rows, cols int, data []T) Matrix[T] {
	if rows < 0 || cols < 0 {
		panic(fmt.Sprintf("nn: negative dimensions %d×%d", rows, cols))
	}
	if data == nil {
		data = make([]T, rows*cols)
	}
	if len(data) != rows*cols {
		panic(fmt.Sprintf("nn: %d elements for a %d×%d matrix", len(data), rows, cols))
	}
	return Matrix[T]{Rows: rows, Cols: cols, Stride: cols, Data: data}
}

// Row returns row i, aliasing the matrix's storage.
func (m Matrix[T]) Row(i int) []T {
	if i < 0 || i >= m.Rows {
		panic(fmt.Sprintf("nn: row %d of a %d-row matrix", i, m.Rows))
	}
	return m.Data[i*m.Stride : i*m.Stride+m.Cols]
}

// At returns element (i, j).
func (m Matrix[T]) At(i, j int) T { return m.Row(i)[j] }

// RowSlice returns rows [from, to) of m, aliasing its storage.
func (m Matrix[T]) RowSlice(from, to int) Matrix[T] {
	if from < 0 || to < from || to > m.Rows {
		panic(fmt.Sprintf("nn: rows [%d, %d) of a %d-row matrix", from, to, m.Rows))
	}
	if from == to {
		return Matrix[T]{Cols: m.Cols, Stride: m.Stride}
	}
	return Matrix[T]{Rows: to - from, Cols: m.Cols, Stride: m.Stride, Data: m.Data[from*m.Stride : (to-1)*m.Stride+m.Cols]}
}

// ColSlice returns columns [from, to) of m, aliasing its storage.
func (m Matrix[T]) ColSlice(from, to int) Matrix[T] {
	if from < 0 || to < from || to > m.Cols {
		panic(fmt.Sprintf("nn: columns [%d, %d) of a %d-column matrix", from, to, m.Cols))
	}
	if m.Rows == 0 || from == to {
		return Matrix[T]{Rows: m.Rows, Cols: to - from, Stride: m.Stride}
	}
	return Matrix[T]{Rows: m.Rows, Cols: to - from, Stride: m.Stride, Data: m.Data[from : (m.Rows-1)*m.Stride+to]}
}

// Contiguous reports whether the rows follow each other without gaps, so
// that Data[:Rows*Cols] holds the whole matrix in order.
func (m Matrix[T]) Contiguous() bool { return m.Stride == m.Cols || m.Rows <= 1 }

// Clone returns a contiguous copy of m.
func (m Matrix[T]) Clone() Matrix[T] {
	c := NewMatrix[T](m.Rows, m.Cols, nil)
	for i := range m.Rows {
		copy(c.Row(i), m.Row(i))
	}
	return c
}

// Convert returns a contiguous copy of m with elements of type U.
func Convert[U, T Float](m Matrix[T]) Matrix[U] {
	c := NewMatrix[U](m.Rows, m.Cols, nil)
	for i := range m.Rows {
		dst := c.Row(i)
		for j, v := range m.Row(i) {
			dst[j] = U(v)
		}
	}
	return c
}

// Mul stores op(a)·op(b) in c, where op(x) is xᵀ when its flag is set,
// overwriting c. c must not share storage with a or b. Mul panics if the
// dimensions do not agree, which is a bug in the caller.
func Mul[T Float](c Matrix[T], a Matrix[T], transA bool, b Matrix[T], transB bool) {
	ar, k := a.Rows, a.Cols
	if transA {
		ar, k = k, ar
	}
	br, bc := b.Rows, b.Cols
	if transB {
		br, bc = bc, br
	}
	if ar != c.Rows || br != k || bc != c.Cols {
		panic(fmt.Sprintf("nn: %d×%d = %d×%d · %d×%d: dimension mismatch", c.Rows, c.Cols, ar, k, br, bc))
	}
	kernelMul(transA, transB, c.Rows, c.Cols, k, a.Data, max(a.Stride, 1), b.Data, max(b.Stride, 1), c.Data, max(c.Stride, 1))
}
