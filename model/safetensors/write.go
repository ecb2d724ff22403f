package safetensors

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"unicode/utf8"
)

// Write writes tensors and meta to w as one safetensors file.
//
// The header lists "__metadata__" first (omitted when meta is empty, keys
// sorted), then the tensors in the order given, and is padded with spaces to
// a multiple of 8 bytes as the reference writer pads it. The data section
// holds the tensors in the same order, back to back; unlike the reference
// writer, Write does not reorder them by type for alignment.
//
// Write checks that names are unique, valid UTF-8 and not "__metadata__",
// that each type is supported and that each Data holds exactly as many values
// as its Shape, before it writes anything.
func Write(w io.Writer, tensors []Tensor, meta map[string]string) error {
	header, err := encodeHeader(tensors, meta)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	var buf [8]byte
	binary.LittleEndian.PutUint64(buf[:], uint64(len(header)))
	bw.Write(buf[:])
	bw.Write(header)
	for _, t := range tensors {
		for _, v := range t.Data {
			var b []byte
			switch t.DType {
			case F16:
				b = binary.LittleEndian.AppendUint16(buf[:0], f16Bits(v))
			case BF16:
				b = binary.LittleEndian.AppendUint16(buf[:0], bf16Bits(v))
			case F32:
				b = binary.LittleEndian.AppendUint32(buf[:0], math.Float32bits(float32(v)))
			case F64:
				b = binary.LittleEndian.AppendUint64(buf[:0], math.Float64bits(v))
			}
			// bufio.Writer remembers the first error; Flush reports it.
			bw.Write(b)
		}
	}
	if err := bw.Flush(); err != nil {
		return errorf("writing: %w", err)
	}
	return nil
}

// encodeHeader validates tensors and meta and returns the padded JSON header.
func encodeHeader(tensors []Tensor, meta map[string]string) ([]byte, error) {
	var h bytes.Buffer
	h.WriteByte('{')
	if len(meta) > 0 {
		h.WriteString(`"` + metadataKey + `":{`)
		for i, k := range slices.Sorted(maps.Keys(meta)) {
			if !utf8.ValidString(k) || !utf8.ValidString(meta[k]) {
				return nil, errorf("metadata %q: not valid UTF-8", k)
			}
			if i > 0 {
				h.WriteByte(',')
			}
			writeString(&h, k)
			h.WriteByte(':')
			writeString(&h, meta[k])
		}
		h.WriteByte('}')
	}
	seen := make(map[string]bool, len(tensors))
	var offset uint64
	for i, t := range tensors {
		switch {
		case !utf8.ValidString(t.Name):
			return nil, errorf("tensor %q: name is not valid UTF-8", t.Name)
		case t.Name == metadataKey:
			return nil, errorf("tensor name %q is reserved for metadata", t.Name)
		case seen[t.Name]:
			return nil, errorf("tensor %q: name used twice", t.Name)
		case t.DType.Size() == 0:
			return nil, errorf("tensor %q: unsupported dtype %q (want F16, BF16, F32 or F64)", t.Name, t.DType)
		}
		seen[t.Name] = true
		n, err := elements(t.Shape)
		if err != nil {
			return nil, errorf("tensor %q: %v", t.Name, err)
		}
		if n != uint64(len(t.Data)) {
			return nil, errorf("tensor %q: shape %v holds %d values, Data has %d", t.Name, t.Shape, n, len(t.Data))
		}
		if len(meta) > 0 || i > 0 {
			h.WriteByte(',')
		}
		writeString(&h, t.Name)
		h.WriteString(`:{"dtype":`)
		writeString(&h, string(t.DType))
		h.WriteString(`,"shape":[`)
		for j, d := range t.Shape {
			if j > 0 {
				h.WriteByte(',')
			}
			h.WriteString(strconv.Itoa(d))
		}
		end := offset + n*uint64(t.DType.Size())
		h.WriteString(`],"data_offsets":[` + strconv.FormatUint(offset, 10) + "," + strconv.FormatUint(end, 10) + "]}")
		offset = end
	}
	h.WriteByte('}')
	for h.Len()%8 != 0 {
		h.WriteByte(' ')
	}
	return h.Bytes(), nil
}

// writeString writes s as a JSON string. HTML escaping is off so that names
// like "a<b" read back the same in any JSON parser without surprise.
func writeString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)           // cannot fail for a valid UTF-8 string
	b.Truncate(b.Len() - 1) // Encode appends a newline
}

// elements returns the number of elements of shape. It fails on a negative
// dimension, or when the size in bytes at the widest type would overflow an
// int64.
func elements(shape []int) (uint64, error) {
	n := uint64(1)
	for _, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("shape %v has a negative dimension", shape)
		}
		if d == 0 {
			n = 0
		}
	}
	if n == 0 {
		return 0, nil
	}
	for _, d := range shape {
		hi, lo := bits.Mul64(n, uint64(d))
		if hi != 0 || lo > math.MaxInt64/8 {
			return 0, fmt.Errorf("shape %v has more than 2^60 elements", shape)
		}
		n = lo
	}
	return n, nil
}
