package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
)

// file assembles a safetensors file from a header, as a hostile or careless
// writer might, followed by body zero bytes of data.
func file(header string, body int) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	b = append(b, header...)
	return append(b, make([]byte, body)...)
}

// sameTensors reports how got differs from want, or "" if it does not. NaNs
// compare equal to NaNs; otherwise values must match bit for bit, so -0 and
// +0 differ.
func sameTensors(got, want []Tensor) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d tensors, want %d", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Name != w.Name || g.DType != w.DType || !slices.Equal(g.Shape, w.Shape) || len(g.Data) != len(w.Data) {
			return fmt.Sprintf("tensor %d is %q %s %v (%d values), want %q %s %v (%d values)",
				i, g.Name, g.DType, g.Shape, len(g.Data), w.Name, w.DType, w.Shape, len(w.Data))
		}
		for j := range g.Data {
			a, b := g.Data[j], w.Data[j]
			if math.Float64bits(a) != math.Float64bits(b) && !(math.IsNaN(a) && math.IsNaN(b)) {
				return fmt.Sprintf("tensor %q element %d is %v, want %v", g.Name, j, a, b)
			}
		}
	}
	return ""
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name    string
		tensors []Tensor
		meta    map[string]string
	}{
		{name: "empty file"},
		{name: "metadata only", meta: map[string]string{"config": `{"a":[1,2]}`, "é<&>": "\"quoted\"\n"}},
		{
			name: "every dtype",
			tensors: []Tensor{
				{Name: "w32", DType: F32, Shape: []int{2, 3}, Data: []float64{1, -2, 0.5, math.SmallestNonzeroFloat32, math.Inf(1), math.Copysign(0, -1)}},
				{Name: "b64", DType: F64, Shape: []int{3}, Data: []float64{0.1, math.MaxFloat64, math.SmallestNonzeroFloat64}},
				{Name: "h16", DType: F16, Shape: []int{2, 2}, Data: []float64{65504, -6.103515625e-05, 5.960464477539063e-08, math.Inf(-1)}},
				{Name: "bf", DType: BF16, Shape: []int{1, 3}, Data: []float64{1.5, -3.3895313892515355e+38, 0.0078125}},
			},
			meta: map[string]string{"format": "pt"},
		},
		{
			name: "scalar and zero-size tensors",
			tensors: []Tensor{
				{Name: "empty", DType: F32, Shape: []int{0, 5}, Data: []float64{}},
				{Name: "scalar", DType: F64, Shape: []int{}, Data: []float64{42}},
				{Name: "also empty", DType: F16, Shape: []int{3, 0}, Data: []float64{}},
			},
		},
		{
			name:    "odd sizes then wide type",
			tensors: []Tensor{{Name: "a", DType: F16, Shape: []int{3}, Data: []float64{1, 2, 3}}, {Name: "b", DType: F64, Shape: []int{1}, Data: []float64{-7}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, tt.tensors, tt.meta); err != nil {
				t.Fatalf("Write: %v", err)
			}
			raw := buf.Bytes()
			n := binary.LittleEndian.Uint64(raw)
			if n%8 != 0 {
				t.Errorf("header length %d is not a multiple of 8", n)
			}
			header := raw[8 : 8+n]
			if trimmed := bytes.TrimRight(header, " "); trimmed[len(trimmed)-1] != '}' || len(header)-len(trimmed) >= 8 {
				t.Errorf("header %q is not a JSON object padded with fewer than 8 spaces", header)
			}
			// A generic JSON parser must see the documented structure.
			var generic map[string]any
			if err := json.Unmarshal(header, &generic); err != nil {
				t.Fatalf("header is not JSON: %v", err)
			}
			if want := len(tt.tensors) + min(len(tt.meta), 1); len(generic) != want {
				t.Errorf("header has %d keys, want %d", len(generic), want)
			}

			got, meta, err := Read(raw)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if d := sameTensors(got, tt.tensors); d != "" {
				t.Error(d)
			}
			if meta == nil || !maps.Equal(meta, tt.meta) {
				t.Errorf("metadata %v, want %v", meta, tt.meta)
			}
		})
	}
}

func TestReadReturnsOffsetOrder(t *testing.T) {
	raw := file(`{"late":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"early":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, 0)
	raw = append(raw, binary.LittleEndian.AppendUint32(nil, math.Float32bits(1))...)
	raw = append(raw, binary.LittleEndian.AppendUint32(nil, math.Float32bits(2))...)
	got, _, err := Read(raw)
	if err != nil {
		t.Fatal(err)
	}
	want := []Tensor{{Name: "early", DType: F32, Shape: []int{1}, Data: []float64{1}}, {Name: "late", DType: F32, Shape: []int{1}, Data: []float64{2}}}
	if d := sameTensors(got, want); d != "" {
		t.Error(d)
	}
}

func TestWriteRounds(t *testing.T) {
	tests := []struct {
		dtype DType
		in    float64
		want  float64
	}{
		{F32, 0.1, float64(float32(0.1))},
		{F32, 1e300, math.Inf(1)},
		{F16, 65504, 65504},
		{F16, 65519.99, 65504},
		{F16, 65520, math.Inf(1)}, // the midpoint to the next power of two rounds to even, which is infinity
		{F16, 1 + 1.0/2048, 1},    // tie, rounds to the even mantissa
		{F16, 1 + 3.0/2048, 1 + 2.0/1024},
		{F16, 2.98e-8, 0},                     // below half the smallest subnormal
		{F16, 2.99e-8, 5.960464477539063e-08}, // above it
		{F16, -1e-9, math.Copysign(0, -1)},
		{BF16, 1 + 1.0/256, 1},
		{BF16, 1 + 1.0/256 + 1e-12, 1 + 1.0/128},
		{BF16, 3.39e38, 3.3895313892515355e+38},
		{BF16, 3.4e38, math.Inf(1)}, // past the midpoint to 2^128
		{F64, 0.1, 0.1},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		if err := Write(&buf, []Tensor{{Name: "x", DType: tt.dtype, Shape: []int{1}, Data: []float64{tt.in}}}, nil); err != nil {
			t.Fatal(err)
		}
		got, _, err := Read(buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		if g := got[0].Data[0]; math.Float64bits(g) != math.Float64bits(tt.want) {
			t.Errorf("%s: %v written and read back is %v, want %v", tt.dtype, tt.in, g, tt.want)
		}
	}
}

func TestWriteErrors(t *testing.T) {
	ok := Tensor{Name: "ok", DType: F32, Shape: []int{2}, Data: []float64{1, 2}}
	tests := []struct {
		name    string
		tensors []Tensor
		meta    map[string]string
		want    string
	}{
		{"duplicate name", []Tensor{ok, ok}, nil, `tensor "ok": name used twice`},
		{"reserved name", []Tensor{{Name: "__metadata__", DType: F32, Shape: []int{0}}}, nil, "reserved"},
		{"unsupported dtype", []Tensor{{Name: "q", DType: "I8", Shape: []int{1}, Data: []float64{1}}}, nil, `tensor "q": unsupported dtype "I8"`},
		{"data shorter than shape", []Tensor{{Name: "s", DType: F32, Shape: []int{2, 2}, Data: []float64{1, 2, 3}}}, nil, `tensor "s": shape [2 2] holds 4 values, Data has 3`},
		{"negative dimension", []Tensor{{Name: "n", DType: F32, Shape: []int{-1}, Data: nil}}, nil, `tensor "n": shape [-1] has a negative dimension`},
		{"name not UTF-8", []Tensor{{Name: "\xff", DType: F32, Shape: []int{0}}}, nil, "UTF-8"},
		{"metadata not UTF-8", nil, map[string]string{"k": "\xfe"}, `metadata "k": not valid UTF-8`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Write(&buf, tt.tensors, tt.meta)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Write error %v, want one containing %q", err, tt.want)
			}
			if buf.Len() != 0 {
				t.Errorf("Write wrote %d bytes before failing", buf.Len())
			}
		})
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteReportsWriterError(t *testing.T) {
	err := Write(failWriter{}, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Write error %v, want the writer's", err)
	}
}

func TestReadErrors(t *testing.T) {
	f32 := func(name string, shape string, begin, end int) string {
		return fmt.Sprintf(`%q:{"dtype":"F32","shape":%s,"data_offsets":[%d,%d]}`, name, shape, begin, end)
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty file", nil, "file is 0 bytes, too short"},
		{"seven bytes", make([]byte, 7), "file is 7 bytes, too short"},
		{"absurd header length", binary.LittleEndian.AppendUint64(nil, 1<<60), "header length 1152921504606846976 exceeds the limit"},
		{"header length past the end", append(binary.LittleEndian.AppendUint64(nil, 100), "{}"...), "header length 100 exceeds the 2 bytes that follow it"},
		{"largest header length", binary.LittleEndian.AppendUint64(nil, math.MaxUint64), "exceeds the limit"},
		{"empty header", file("", 0), "header: JSON ends early"},
		{"truncated JSON", file(`{"a":`, 0), `header: "a": JSON ends early`},
		{"array header", file(`[1,2]`, 0), "header: want a JSON object"},
		{"bytes after the object", file(`{} x`, 0), "unexpected bytes after the JSON object at offset 3"},
		{"second object", file(`{}{}`, 0), "unexpected bytes"},
		{"header not UTF-8", file("{\"\xff\":1}", 0), "header is not valid UTF-8"},
		{"record not an object", file(`{"a":5}`, 0), `tensor "a": record is 5, not a JSON object`},
		{"unknown field", file(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"offsets":[0,4]}}`, 4), `tensor "a": json: unknown field "offsets"`},
		{"missing dtype", file(`{"a":{"shape":[1],"data_offsets":[0,4]}}`, 4), `tensor "a": dtype is missing`},
		{"dtype not a string", file(`{"a":{"dtype":4,"shape":[1],"data_offsets":[0,4]}}`, 4), `tensor "a": dtype is 4`},
		{"unsupported dtype", file(`{"a":{"dtype":"Q4","shape":[1],"data_offsets":[0,4]}}`, 4), `tensor "a": unsupported dtype "Q4"`},
		{"missing shape", file(`{"a":{"dtype":"F32","data_offsets":[0,4]}}`, 4), `tensor "a": shape missing: want an array`},
		{"null shape", file(`{"a":{"dtype":"F32","shape":null,"data_offsets":[0,4]}}`, 4), `tensor "a": shape null: want an array`},
		{"fractional dimension", file(`{`+f32("a", "[1.5]", 0, 4)+`}`, 4), `tensor "a": shape [1.5]: element 0 is 1.5`},
		{"string dimension", file(`{`+f32("a", `["1"]`, 0, 4)+`}`, 4), `element 0 is "1"`},
		{"huge dimension", file(`{`+f32("a", "[99999999999999999999]", 0, 4)+`}`, 4), "element 0 is 99999999999999999999, want an integer in range"},
		{"negative dimension", file(`{`+f32("w", "[-1,4]", 0, 4)+`}`, 4), `tensor "w": shape [-1 4] has a negative dimension`},
		{"element count overflow", file(`{`+f32("w", "[4294967296,4294967296]", 0, 4)+`}`, 4), `tensor "w": shape [4294967296 4294967296] has more than 2^60 elements`},
		{"missing offsets", file(`{"a":{"dtype":"F32","shape":[1]}}`, 4), `tensor "a": data_offsets missing`},
		{"one offset", file(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4]}}`, 4), `tensor "a": data_offsets [4]: want [begin, end]`},
		{"negative offset", file(`{`+f32("a", "[1]", -4, 0)+`}`, 4), `tensor "a": data_offsets [-4,0]: negative offset`},
		{"end before begin", file(`{`+f32("a", "[0]", 8, 4)+`}`, 8), `tensor "a": data_offsets [8 4] end before they begin`},
		{"offsets disagree with shape", file(`{`+f32("enc.fc1.weight", "[400,784]", 0, 100)+`}`, 100),
			`safetensors: tensor "enc.fc1.weight": data_offsets [0 100] hold 100 bytes, shape [400 784] F32 needs 1254400`},
		{"offsets past the data", file(`{`+f32("a", "[2]", 0, 8)+`}`, 4), `tensor "a": data_offsets [0 8] run past the 4-byte data section`},
		{"overlap", file(`{`+f32("a", "[2]", 0, 8)+`,`+f32("b", "[2]", 4, 12)+`}`, 12), `tensor "b": data_offsets [4 12] overlap tensor "a" at [0 8]`},
		{"same bytes twice", file(`{`+f32("a", "[1]", 0, 4)+`,`+f32("b", "[1]", 0, 4)+`}`, 4), `tensor "b": data_offsets [0 4] overlap tensor "a"`},
		{"gap", file(`{`+f32("a", "[1]", 0, 4)+`,`+f32("b", "[1]", 8, 12)+`}`, 12), `tensor "b": data_offsets [8 12] leave bytes [4 8) of the data section unused`},
		{"gap at the start", file(`{`+f32("a", "[1]", 4, 8)+`}`, 8), `leave bytes [0 4)`},
		{"trailing data", file(`{`+f32("a", "[1]", 0, 4)+`}`, 8), "bytes [4 8) at the end of the data section belong to no tensor"},
		{"data without tensors", file(`{}`, 1), "bytes [0 1) at the end"},
		{"duplicate name", file(`{`+f32("a", "[1]", 0, 4)+`,`+f32("a", "[1]", 4, 8)+`}`, 8), `header: name "a" appears twice`},
		{"metadata twice", file(`{"__metadata__":{},"__metadata__":{}}`, 0), `name "__metadata__" appears twice`},
		{"metadata not an object", file(`{"__metadata__":[1]}`, 0), "__metadata__: want a JSON object"},
		{"metadata number", file(`{"__metadata__":{"k":1}}`, 0), `__metadata__: value of "k" is 1, not a string`},
		{"metadata nested", file(`{"__metadata__":{"k":{"x":"y"}}}`, 0), `value of "k" is {"x":"y"}, not a string`},
		{"metadata null value", file(`{"__metadata__":{"k":null}}`, 0), `value of "k" is null`},
		{"metadata duplicate key", file(`{"__metadata__":{"k":"a","k":"b"}}`, 0), `__metadata__: key "k" appears twice`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tensors, meta, err := Read(tt.data)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Read error %v, want one containing %q", err, tt.want)
			}
			if testing.Verbose() {
				t.Log(err)
			}
			if !strings.HasPrefix(err.Error(), "safetensors: ") || strings.Count(err.Error(), "safetensors:") != 1 {
				t.Errorf("error %q should carry the package prefix once", err)
			}
			if tensors != nil || meta != nil {
				t.Errorf("Read returned data alongside an error")
			}
		})
	}
}

func TestReadAccepts(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		meta map[string]string
	}{
		{"null metadata", file(`{"__metadata__":null}`, 0), map[string]string{}},
		{"whitespace and newlines", file(" \n{ \"a\" : { \"dtype\" : \"F32\" , \"shape\" : [ 1 ] , \"data_offsets\" : [ 0 , 4 ] } }\t\r\n", 4), map[string]string{}},
		{"zero-size tensor between others", file(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"z":{"dtype":"F64","shape":[0],"data_offsets":[4,4]},"b":{"dtype":"F16","shape":[2],"data_offsets":[4,8]}}`, 8), map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, meta, err := Read(tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if meta == nil || !maps.Equal(meta, tt.meta) {
				t.Errorf("metadata %v, want %v", meta, tt.meta)
			}
		})
	}
}

func TestReadNeverPanicsOnTruncation(t *testing.T) {
	var buf bytes.Buffer
	err := Write(&buf, []Tensor{
		{Name: "a", DType: F32, Shape: []int{2, 3}, Data: []float64{1, 2, 3, 4, 5, 6}},
		{Name: "b", DType: F16, Shape: []int{3}, Data: []float64{1, 2, 3}},
	}, map[string]string{"k": "v"})
	if err != nil {
		t.Fatal(err)
	}
	full := buf.Bytes()
	for n := range len(full) {
		if _, _, err := Read(full[:n]); err == nil {
			t.Errorf("Read accepted the first %d of %d bytes", n, len(full))
		}
	}
}

func FuzzRead(f *testing.F) {
	var buf bytes.Buffer
	if err := Write(&buf, []Tensor{
		{Name: "enc.fc1.weight", DType: F32, Shape: []int{2, 3}, Data: []float64{1, -2, 3, 0.5, 0, math.Inf(1)}},
		{Name: "h", DType: F16, Shape: []int{1}, Data: []float64{-1}},
		{Name: "bf", DType: BF16, Shape: []int{}, Data: []float64{2}},
		{Name: "d", DType: F64, Shape: []int{0, 2}, Data: []float64{}},
	}, map[string]string{"config": `{"input":4}`}); err != nil {
		f.Fatal(err)
	}
	valid := buf.Bytes()
	f.Add(valid)
	f.Add(valid[:len(valid)-1])
	f.Add(file(`{}`, 0))
	f.Add(file(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, 8))
	f.Add(file(`{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}`, 4))
	f.Add(file(`{"__metadata__":{"k":1}}`, 0))
	f.Add(binary.LittleEndian.AppendUint64(nil, 1<<60))
	f.Fuzz(func(t *testing.T, data []byte) {
		tensors, meta, err := Read(data)
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := Write(&out, tensors, meta); err != nil {
			t.Fatalf("Write of what Read accepted: %v", err)
		}
		again, meta2, err := Read(out.Bytes())
		if err != nil {
			t.Fatalf("Read of what Write wrote: %v", err)
		}
		if d := sameTensors(again, tensors); d != "" {
			t.Fatalf("round trip changed the tensors: %s", d)
		}
		if !maps.Equal(meta, meta2) {
			t.Fatalf("round trip changed the metadata: %v, then %v", meta, meta2)
		}
	})
}
