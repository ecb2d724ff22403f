// Package idx reads IDX files, the container format of the MNIST family of
// data sets: a 4-byte magic number (two zero bytes, an element type, the
// number of dimensions), one big-endian uint32 per dimension, then the
// elements in row-major order. Files may be gzipped; Read detects that from
// the content, not the name.
//
// Only unsigned-byte elements (type 0x08) are supported, which is what
// MNIST, Fashion-MNIST and EMNIST use.
package idx

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

// MaxBytes bounds the data size a header may declare. The header is not
// trusted for allocation anyway (buffers grow as data arrives), but a limit
// turns a corrupt or hostile header into a clear error instead of a long
// read that ends in an out-of-memory crash.
const MaxBytes = 1 << 31

// MaxDims is the largest number of dimensions accepted; MNIST uses 1 (labels)
// and 3 (images).
const MaxDims = 4

// TypeUint8 is the element type code for unsigned bytes.
const TypeUint8 = 0x08

// Array is the content of an IDX file of unsigned bytes.
type Array struct {
	// Dims are the dimensions from the header, outermost first.
	Dims []int
	// Data holds the product of Dims bytes in row-major order.
	Data []byte
}

// typeNames names the element types of the IDX format so that an
// unsupported file is rejected with a message saying what it holds.
var typeNames = map[byte]string{
	0x08: "unsigned byte",
	0x09: "signed byte",
	0x0B: "int16",
	0x0C: "int32",
	0x0D: "float32",
	0x0E: "float64",
}

// Read parses one IDX array of unsigned bytes from r, gunzipping it first if
// it starts with the gzip magic bytes. The whole stream must be one array:
// missing data and trailing bytes are both errors.
func Read(r io.Reader) (*Array, error) {
	br := bufio.NewReader(r)
	head, err := br.Peek(2)
	if len(head) == 0 {
		if err == nil || err == io.EOF {
			return nil, errors.New("empty file")
		}
		return nil, err
	}
	var src io.Reader = br
	if len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip header: %w", err)
		}
		defer zr.Close()
		src = gunzipReader{zr}
	}
	return read(src)
}

// ReadFile is Read on the named file; its errors start with the path.
func ReadFile(path string) (*Array, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err // *PathError already names the file.
	}
	defer f.Close()
	a, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}

func read(r io.Reader) (*Array, error) {
	var magic [4]byte
	if n, err := io.ReadFull(r, magic[:]); err != nil {
		return nil, headerErr("magic number", 4, n, err)
	}
	if magic[0] != 0 || magic[1] != 0 {
		return nil, fmt.Errorf("not an IDX file: magic number starts with 0x%02x 0x%02x, want 0x00 0x00", magic[0], magic[1])
	}
	if magic[2] != TypeUint8 {
		if name, ok := typeNames[magic[2]]; ok {
			return nil, fmt.Errorf("unsupported element type 0x%02x (%s): only 0x%02x (unsigned byte) is supported", magic[2], name, TypeUint8)
		}
		return nil, fmt.Errorf("unknown element type 0x%02x: only 0x%02x (unsigned byte) is supported", magic[2], TypeUint8)
	}
	ndims := int(magic[3])
	if ndims < 1 || ndims > MaxDims {
		return nil, fmt.Errorf("%d dimensions: want 1 to %d", ndims, MaxDims)
	}

	raw := make([]byte, 4*ndims)
	if n, err := io.ReadFull(r, raw); err != nil {
		return nil, headerErr(fmt.Sprintf("%d dimension sizes", ndims), len(raw), n, err)
	}
	dims := make([]int, ndims)
	size := int64(1)
	tooBig := false
	for i := range dims {
		d := binary.BigEndian.Uint32(raw[4*i:])
		dims[i] = int(d)
		// Dividing instead of multiplying keeps the check free of overflow
		// whatever the dimensions are.
		if tooBig || d != 0 && size > MaxBytes/int64(d) {
			tooBig = true
			continue
		}
		size *= int64(d)
	}
	if slices.Contains(dims, 0) {
		size = 0 // An empty array is valid whatever the other dimensions say.
	} else if tooBig {
		return nil, fmt.Errorf("header says %s elements, more than the limit of %d bytes", shape(dims), int64(MaxBytes))
	}

	data, err := readData(r, size)
	short := int64(len(data)) < size
	if err != nil && !(short && errors.Is(err, io.ErrUnexpectedEOF)) {
		return nil, fmt.Errorf("reading data: %w", err)
	}
	if short {
		return nil, fmt.Errorf("truncated: header says %s = %d bytes, file has %d after the %d-byte header",
			shape(dims), size, len(data), 4+4*ndims)
	}
	// Reading to the end also makes gzip verify its checksum.
	extra, err := io.Copy(io.Discard, io.LimitReader(r, 1<<20))
	if extra > 0 {
		return nil, fmt.Errorf("trailing data: header says %s = %d bytes, file has more after them", shape(dims), size)
	}
	if err != nil {
		return nil, fmt.Errorf("reading data: %w", err)
	}
	return &Array{Dims: dims, Data: data}, nil
}

// readData reads up to size bytes from r, stopping early at EOF. The buffer
// grows as data arrives rather than trusting the header, so a short file
// costs only what it holds, and doubles but never beyond size, so a full
// file ends in a buffer of exactly its size.
func readData(r io.Reader, size int64) ([]byte, error) {
	data := make([]byte, 0, min(size, 1<<20))
	for int64(len(data)) < size {
		if len(data) == cap(data) {
			grown := make([]byte, len(data), min(size, 2*int64(cap(data))))
			copy(grown, data)
			data = grown
		}
		n, err := r.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return data, err
		}
	}
	return data, nil
}

// gunzipReader marks errors of the gzip layer as such, so that an error
// like "unexpected EOF" says which layer ran out.
type gunzipReader struct{ r io.Reader }

func (g gunzipReader) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("gzip stream: %w", err)
	}
	return n, err
}

// headerErr explains a short read of a header field.
func headerErr(what string, want, got int, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		// A gzip stream cut inside the header lands here too: gzip reports
		// it as an error, and the message about the IDX header is the one
		// a user can act on.
		if got == 0 && what == "magic number" {
			return errors.New("empty file")
		}
		return fmt.Errorf("truncated header: %s: want %d bytes, file has %d", what, want, got)
	}
	return fmt.Errorf("reading header: %w", err)
}

// shape formats dimensions as 60000x28x28.
func shape(dims []int) string {
	s := make([]string, len(dims))
	for i, d := range dims {
		s[i] = strconv.Itoa(d)
	}
	return strings.Join(s, "x")
}
