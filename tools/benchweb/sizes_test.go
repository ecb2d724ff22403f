package main

import (
	"bytes"
	"compress/gzip"
	"math"
	"testing"
)

func TestPackageGroup(t *testing.T) {
	for _, tt := range []struct{ sym, want string }{
		{"github.com_hajimehoshi_ebiten_v2_internal_ui.__UserInterface_.Run", "github.com/hajimehoshi/ebiten/v2"},
		{"type_.eq.github.com_hajimehoshi_ebiten_v2_internal_packing.Node", "github.com/hajimehoshi/ebiten/v2"},
		{"gonum.org_v1_gonum_lapack_gonum.__Implementation_.Dlauum", "gonum.org/v1/gonum/lapack"},
		{"gonum.org_v1_gonum_mat.putCDenseWorkspace", "gonum.org/v1/gonum/mat"},
		{"github.com_ebitengine_purego_internal_x.F", "github.com/ebitengine/purego"},
		{"runtime.chansend.func1", "runtime"},
		{"internal_reflectlite.__rtype_.Name", "internal/reflectlite"},
		{"math_big.__stack_.free", "math/big"},
		{"vaeplay_model.__Model_.Decode", "vaeplay"},
		{"wasm_export_run", "other"},
	} {
		if got := packageGroup(tt.sym); got != tt.want {
			t.Errorf("packageGroup(%q) = %q, want %q", tt.sym, got, tt.want)
		}
	}
}

func TestGzipSize(t *testing.T) {
	data := bytes.Repeat([]byte("vaeplay "), 1000)
	got, err := gzipSize(data, 5)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, 5)
	zw.Write(data)
	zw.Close()
	if got != buf.Len() {
		t.Errorf("gzipSize = %d, gzip wrote %d", got, buf.Len())
	}
}

func TestMedian(t *testing.T) {
	for _, tt := range []struct {
		xs   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{3, 1, 2}, 2},
		{[]float64{4, 1, 3, 2}, 2.5},
	} {
		if got := median(tt.xs); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.xs, got, tt.want)
		}
	}
	if got := median(nil); !math.IsNaN(got) {
		t.Errorf("median(nil) = %v, want NaN", got)
	}
}

// TestWasmSizes reads a module built by hand: one imported function, two
// function bodies named in the name section, and a data section.
func TestWasmSizes(t *testing.T) {
	section := func(id byte, body ...byte) []byte { return append([]byte{id, byte(len(body))}, body...) }
	str := func(s string) []byte { return append([]byte{byte(len(s))}, s...) }
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	mod := cat([]byte("\x00asm\x01\x00\x00\x00"),
		section(2, cat([]byte{1}, str("go"), str("debug"), []byte{0, 0})...),
		section(10, 2, 3, 0, 0x0b, 0x0b, 5, 0, 1, 2, 3, 0x0b),
		section(11, 1, 2, 3, 4, 5, 6, 7),
		section(0, cat(str("name"), []byte{1}, func() []byte {
			names := cat([]byte{2}, []byte{1}, str("runtime.f"), []byte{2}, str("gonum.org_v1_gonum_mat.g"))
			return append([]byte{byte(len(names))}, names...)
		}())...),
	)
	got, err := wasmSizes(mod)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"gonum.org/v1/gonum/mat": 5, "runtime": 3, "(data section: constants, tables, strings)": 7}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for _, p := range got {
		if want[p.name] != p.bytes {
			t.Errorf("%s: %d bytes, want %d", p.name, p.bytes, want[p.name])
		}
	}
	if _, err := wasmSizes(mod[:len(mod)-3]); err == nil {
		t.Error("truncated module: no error")
	}
	if _, err := wasmSizes([]byte("not wasm")); err == nil {
		t.Error("not a module: no error")
	}
}
