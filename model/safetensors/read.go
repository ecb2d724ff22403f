package safetensors

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// Read parses a whole safetensors file. It returns the tensors in the order
// of their data in the file, and the metadata (empty, never nil, if the file
// has none).
//
// Read rejects, with an error naming the tensor and the problem: a file too
// short for its header, a header longer than MaxHeaderSize, a header that is
// not a JSON object of the expected form, names used twice, unsupported
// dtypes, negative dimensions, data_offsets that disagree with shape and
// dtype or fall outside the data section, tensors that overlap, and bytes of
// the data section that belong to no tensor.
func Read(data []byte) ([]Tensor, map[string]string, error) {
	if len(data) < 8 {
		return nil, nil, errorf("file is %d bytes, too short for the 8-byte header length", len(data))
	}
	n := binary.LittleEndian.Uint64(data)
	if n > MaxHeaderSize {
		return nil, nil, errorf("header length %d exceeds the limit of %d bytes", n, MaxHeaderSize)
	}
	if n > uint64(len(data)-8) {
		return nil, nil, errorf("header length %d exceeds the %d bytes that follow it", n, len(data)-8)
	}
	header, body := data[8:8+n], data[8+n:]
	entries, meta, err := parseHeader(header)
	if err != nil {
		return nil, nil, err
	}
	for i := range entries {
		if err := entries[i].check(len(body)); err != nil {
			return nil, nil, err
		}
	}
	slices.SortStableFunc(entries, func(a, b entry) int {
		return cmp.Or(cmp.Compare(a.begin, b.begin), cmp.Compare(a.end, b.end))
	})
	// The data section must be covered exactly once: no gaps, no overlaps,
	// no trailing bytes.
	pos := 0
	for i, e := range entries {
		switch {
		case e.begin > pos:
			return nil, nil, errorf("tensor %q: data_offsets [%d %d] leave bytes [%d %d) of the data section unused", e.name, e.begin, e.end, pos, e.begin)
		case e.begin < pos:
			p := entries[i-1]
			return nil, nil, errorf("tensor %q: data_offsets [%d %d] overlap tensor %q at [%d %d]", e.name, e.begin, e.end, p.name, p.begin, p.end)
		}
		pos = e.end
	}
	if pos != len(body) {
		return nil, nil, errorf("bytes [%d %d) at the end of the data section belong to no tensor", pos, len(body))
	}
	tensors := make([]Tensor, len(entries))
	for i, e := range entries {
		tensors[i] = Tensor{Name: e.name, DType: e.dtype, Shape: e.shape, Data: decode(e.dtype, body[e.begin:e.end])}
	}
	return tensors, meta, nil
}

// entry is one tensor's header record, not yet checked against the data.
type entry struct {
	name       string
	dtype      DType
	shape      []int
	begin, end int
}

// check validates e's type, shape and offsets against a data section of
// size bytes.
func (e *entry) check(size int) error {
	if e.dtype.Size() == 0 {
		return errorf("tensor %q: unsupported dtype %q (want F16, BF16, F32 or F64)", e.name, e.dtype)
	}
	n, err := elements(e.shape)
	if err != nil {
		return errorf("tensor %q: %v", e.name, err)
	}
	if e.begin > e.end {
		return errorf("tensor %q: data_offsets [%d %d] end before they begin", e.name, e.begin, e.end)
	}
	if need := n * uint64(e.dtype.Size()); uint64(e.end-e.begin) != need {
		return errorf("tensor %q: data_offsets [%d %d] hold %d bytes, shape %v %s needs %d", e.name, e.begin, e.end, e.end-e.begin, e.shape, e.dtype, need)
	}
	if e.end > size {
		return errorf("tensor %q: data_offsets [%d %d] run past the %d-byte data section", e.name, e.begin, e.end, size)
	}
	return nil
}

// parseHeader parses the JSON header into tensor entries, in header order,
// and metadata. It walks the top-level object token by token so that
// duplicate names are caught rather than silently overwritten.
func parseHeader(header []byte) ([]entry, map[string]string, error) {
	if !utf8.Valid(header) {
		return nil, nil, errorf("header is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(header))
	if err := openObject(dec); err != nil {
		return nil, nil, errorf("header: %v", jsonError(err))
	}
	var entries []entry
	meta := map[string]string{}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, errorf("header: %v", jsonError(err))
		}
		name, ok := tok.(string)
		if !ok { // unreachable: Token reports a non-string key as a syntax error
			return nil, nil, errorf("header: key %v is not a string", tok)
		}
		if seen[name] {
			return nil, nil, errorf("header: name %q appears twice", name)
		}
		seen[name] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, errorf("header: %q: %v", name, jsonError(err))
		}
		if name == metadataKey {
			if meta, err = parseMetadata(raw); err != nil {
				return nil, nil, err
			}
			continue
		}
		e, err := parseEntry(name, raw)
		if err != nil {
			return nil, nil, err
		}
		entries = append(entries, e)
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, errorf("header: %v", jsonError(err))
	}
	// Only the padding may follow the object.
	if rest := bytes.TrimLeft(header[dec.InputOffset():], " \t\r\n"); len(rest) > 0 {
		return nil, nil, errorf("header: unexpected bytes after the JSON object at offset %d", len(header)-len(rest))
	}
	return entries, meta, nil
}

// openObject consumes the '{' that must start a JSON object.
func openObject(dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != json.Delim('{') {
		return fmt.Errorf("want a JSON object, found %v", tok)
	}
	return nil
}

// parseMetadata parses the "__metadata__" object, whose values must all be
// strings. null counts as empty, as in the reference implementation.
func parseMetadata(raw json.RawMessage) (map[string]string, error) {
	meta := map[string]string{}
	if string(raw) == "null" {
		return meta, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := openObject(dec); err != nil {
		return nil, errorf("%s: %v", metadataKey, jsonError(err))
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, errorf("%s: %v", metadataKey, jsonError(err))
		}
		key, ok := tok.(string)
		if !ok {
			return nil, errorf("%s: key %v is not a string", metadataKey, tok)
		}
		if _, dup := meta[key]; dup {
			return nil, errorf("%s: key %q appears twice", metadataKey, key)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, errorf("%s: %q: %v", metadataKey, key, jsonError(err))
		}
		var s string
		if v[0] != '"' || json.Unmarshal(v, &s) != nil {
			return nil, errorf("%s: value of %q is %s, not a string", metadataKey, key, abbrev(v))
		}
		meta[key] = s
	}
	return meta, nil
}

// parseEntry parses one tensor's record, {"dtype", "shape", "data_offsets"}.
func parseEntry(name string, raw json.RawMessage) (entry, error) {
	e := entry{name: name}
	if raw[0] != '{' {
		return e, errorf("tensor %q: record is %s, not a JSON object", name, abbrev(raw))
	}
	var r struct {
		DType   json.RawMessage `json:"dtype"`
		Shape   json.RawMessage `json:"shape"`
		Offsets json.RawMessage `json:"data_offsets"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return e, errorf("tensor %q: %v", name, err)
	}
	var dtype string
	if len(r.DType) == 0 || r.DType[0] != '"' || json.Unmarshal(r.DType, &dtype) != nil {
		return e, errorf("tensor %q: dtype is %s, want a string such as \"F32\"", name, abbrev(r.DType))
	}
	e.dtype = DType(dtype)
	var err error
	if e.shape, err = parseInts(r.Shape); err != nil {
		return e, errorf("tensor %q: shape %s: %v", name, abbrev(r.Shape), err)
	}
	offsets, err := parseInts(r.Offsets)
	if err == nil && len(offsets) != 2 {
		err = errors.New("want [begin, end]")
	}
	if err == nil && (offsets[0] < 0 || offsets[1] < 0) {
		err = errors.New("negative offset")
	}
	if err != nil {
		return e, errorf("tensor %q: data_offsets %s: %v", name, abbrev(r.Offsets), err)
	}
	e.begin, e.end = offsets[0], offsets[1]
	return e, nil
}

// parseInts parses a JSON array of integers that fit in an int.
func parseInts(raw json.RawMessage) ([]int, error) {
	var items []json.RawMessage
	if len(raw) == 0 || raw[0] != '[' || json.Unmarshal(raw, &items) != nil {
		return nil, errors.New("want an array of integers")
	}
	ints := make([]int, len(items))
	for i, it := range items {
		v, err := strconv.ParseInt(string(bytes.TrimSpace(it)), 10, strconv.IntSize)
		if err != nil {
			return nil, fmt.Errorf("element %d is %s, want an integer in range", i, abbrev(it))
		}
		ints[i] = int(v)
	}
	return ints, nil
}

// jsonError rewords the decoder's bare EOF, which would otherwise read as an
// I/O failure.
func jsonError(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("JSON ends early")
	}
	return err
}

// abbrev returns raw JSON shortened for an error message.
func abbrev(raw json.RawMessage) string {
	const max = 40
	if len(raw) == 0 {
		return "missing"
	}
	if len(raw) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(raw[cut]) {
			cut--
		}
		return string(raw[:cut]) + "..."
	}
	return string(raw)
}

// decode converts little-endian elements of type d to float64.
func decode(d DType, b []byte) []float64 {
	size := d.Size()
	out := make([]float64, len(b)/size)
	// One loop per type rather than a switch per value: in the browser this
	// runs for every weight of every model the widget starts with.
	switch d {
	case F16:
		for i := range out {
			out[i] = fromF16(binary.LittleEndian.Uint16(b[2*i:]))
		}
	case BF16:
		for i := range out {
			out[i] = fromBF16(binary.LittleEndian.Uint16(b[2*i:]))
		}
	case F32:
		for i := range out {
			out[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:])))
		}
	case F64:
		for i := range out {
			out[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
		}
	}
	return out
}
