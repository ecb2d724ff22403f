package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"strings"

	"vaeplay/model"
)

// gzipSize returns the length of data gzipped at level.
func gzipSize(data []byte, level int) (int, error) {
	var n countWriter
	zw, err := gzip.NewWriterLevel(&n, level)
	if err != nil {
		return 0, err
	}
	if _, err := zw.Write(data); err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	return int(n), nil
}

type countWriter int

func (c *countWriter) Write(p []byte) (int, error) {
	*c += countWriter(len(p))
	return len(p), nil
}

// halfOf returns m saved with model.SaveHalf, and the model Load reads back
// from it.
func halfOf(m *model.Model, meta model.Metadata) ([]byte, *model.Model, error) {
	var buf bytes.Buffer
	if err := model.SaveHalf(&buf, m, meta); err != nil {
		return nil, nil, err
	}
	h, _, err := model.Load(buf.Bytes())
	if err != nil {
		return nil, nil, fmt.Errorf("loading the half-precision file: %w", err)
	}
	return buf.Bytes(), h, nil
}

// decoderBytes is the size of the decoder's parameters stored with
// bytesPerValue bytes each: what a decoder-only file would hold.
func decoderBytes(m *model.Model, bytesPerValue int) int {
	n := 0
	for _, p := range m.Params() {
		if strings.HasPrefix(p.Name, "dec.") {
			n += len(p.Data)
		}
	}
	return n * bytesPerValue
}

// pkgSize is the bytes a package (or group of packages) holds in
// a binary.
type pkgSize struct {
	name  string
	bytes int
}

// knownGroups are the dependencies the widget's wasm is reported by, as the
// wasm name section spells their import paths ("/" and "-" become "_").
var knownGroups = []struct{ prefix, name string }{
	{"github.com_hajimehoshi_ebiten_v2", "github.com/hajimehoshi/ebiten/v2"},
	{"github.com_go_text_typesetting", "github.com/go-text/typesetting"},
	{"gonum.org_v1_gonum_lapack", "gonum.org/v1/gonum/lapack"},
	{"gonum.org_v1_gonum_blas", "gonum.org/v1/gonum/blas"},
	{"gonum.org_v1_gonum_mat", "gonum.org/v1/gonum/mat"},
	{"gonum.org_v1_gonum", "gonum.org/v1/gonum (other)"},
	{"golang.org_x_image", "golang.org/x/image"},
	{"golang.org_x_text", "golang.org/x/text"},
	{"golang.org_x_sys", "golang.org/x/sys"},
	{"vaeplay_", "vaeplay"},
	{"go_", "go/... (go/parser etc.: Ebiten's shader compiler)"},
	{"text_template", "text/template"},
	{"math_big", "math/big"},
}

// packageGroup maps a function name from the wasm name section (such as
// "github.com_hajimehoshi_ebiten_v2_internal_ui.__UserInterface_.Run") to
// the dependency it belongs to: a knownGroups name, else its package, with
// other third-party modules cut to their host, owner and repository.
func packageGroup(sym string) string {
	for _, p := range []string{"type_.eq.", "type_.", "go_itab.", "go_shape."} {
		sym = strings.TrimPrefix(sym, p)
	}
	for _, g := range knownGroups {
		if strings.HasPrefix(sym, g.prefix) {
			return g.name
		}
	}
	// The package ends at the first dot after the host name, if any.
	from := 0
	if i := strings.Index(sym, "_"); i > 0 && strings.Contains(sym[:i], ".") {
		from = i
	}
	dot := strings.Index(sym[from:], ".")
	if dot < 0 {
		return "other"
	}
	pkg := sym[:from+dot]
	if from > 0 {
		if parts := strings.Split(pkg, "_"); len(parts) > 3 {
			pkg = strings.Join(parts[:3], "_")
		}
	}
	return strings.ReplaceAll(pkg, "_", "/")
}
