// Package safetensors reads and writes the safetensors tensor file format:
//
//	8 bytes   N, the header length, little-endian uint64
//	N bytes   a JSON object: for each tensor
//	          "name": {"dtype": "F32", "shape": [out, in], "data_offsets": [begin, end]}
//	          and optionally "__metadata__": {"key": "value", ...} (strings only)
//	rest      the data section: each tensor's values, little-endian, row-major,
//	          at [begin, end) relative to the start of the data section
//
// Tensors are held in memory as float64 whatever their type on disk, which is
// exact for every type this package knows (F16, BF16, F32, F64).
//
// Read treats its input as hostile: it checks every length, offset and shape
// before it allocates or slices, and reports the first problem as an error
// that names the tensor involved.
package safetensors

import "fmt"

// DType is a tensor's element type on disk, spelled as in the header.
type DType string

// The floating-point types this package reads and writes.
const (
	F16  DType = "F16"  // IEEE 754 binary16
	BF16 DType = "BF16" // bfloat16: the top half of a float32
	F32  DType = "F32"  // IEEE 754 binary32
	F64  DType = "F64"  // IEEE 754 binary64
)

// Size returns the number of bytes of one element, or 0 if the type is not
// one this package supports.
func (d DType) Size() int {
	switch d {
	case F16, BF16:
		return 2
	case F32:
		return 4
	case F64:
		return 8
	}
	return 0
}

// Tensor is one named array.
type Tensor struct {
	// Name is the tensor's key in the header, e.g. "enc.fc1.weight".
	Name string
	// DType is the element type on disk; values are converted on write,
	// rounding to nearest, ties to even.
	DType DType
	// Shape lists the dimensions, outermost first; empty for a scalar.
	Shape []int
	// Data holds the elements in row-major order.
	Data []float64
}

// MaxHeaderSize bounds the JSON header Read accepts, as the reference
// implementation does, so that a hostile length cannot make it allocate
// without limit.
const MaxHeaderSize = 100_000_000

// metadataKey is the reserved header key for the string-to-string metadata.
const metadataKey = "__metadata__"

// errorf returns an error prefixed with the package name.
func errorf(format string, args ...any) error {
	return fmt.Errorf("safetensors: "+format, args...)
}
