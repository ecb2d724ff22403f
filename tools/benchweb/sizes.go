package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"vaeplay/model"
	"vaeplay/tools/internal/mnist"
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

// fileSize is one file's bytes raw, gzipped at the level
// tools/internal/static uses when a file has no precompressed twin, at
// gzip's best level, and as its brotli twin (0 without one).
type fileSize struct {
	name                        string
	raw, served, level9, brotli int
}

func sizeOf(name string, data []byte) (fileSize, error) {
	s := fileSize{name: name, raw: len(data)}
	var err error
	if s.served, err = gzipSize(data, servedLevel); err != nil {
		return s, err
	}
	s.level9, err = gzipSize(data, 9)
	return s, err
}

// halfResult is one model's shipped file against its half-precision save.
type halfResult struct {
	kind             string
	f32, f16         fileSize
	decoderF16       int     // raw bytes of a decoder-only F16 file's tensors
	lossF32, lossF16 float64 // test loss per image, nats; NaN without data
	decodeDiff       float64 // largest pixel difference on the test set's codes
}

// sizes is everything measured without the browser.
type sizes struct {
	files  []fileSize // main.wasm, weights as shipped, bench.wasm
	halves []halfResult
	pkgs   []pkgSize // the widget's wasm by dependency
	noData string    // why test losses are missing, if they are
}

func measureSizes(goCmd string, o options, benchDir, tmp string) (*sizes, error) {
	var sz sizes
	floor := filepath.Join(benchDir, floorWasm) // assemble built it
	for _, f := range []struct{ name, path string }{
		{"main.wasm (widget)", filepath.Join(o.site, "main.wasm")},
		{"weights/vae.safetensors", filepath.Join(o.site, "weights", "vae.safetensors")},
		{"weights/cvae.safetensors", filepath.Join(o.site, "weights", "cvae.safetensors")},
		{"bench.wasm (model package alone)", filepath.Join(benchDir, "bench.wasm")},
		{"ebitenfloor.wasm (smallest Ebiten program)", floor},
	} {
		data, err := os.ReadFile(f.path)
		if err != nil {
			return nil, fmt.Errorf("%w (run make site first)", err)
		}
		s, err := sizeOf(f.name, data)
		if err != nil {
			return nil, err
		}
		// The site's precompressed twin, which the server sends instead.
		if fi, err := os.Stat(f.path + ".br"); err == nil {
			s.brotli = int(fi.Size())
		}
		sz.files = append(sz.files, s)
	}

	var test *mnist.Set
	if t, err := mnist.Load(o.data, mnist.Test); err != nil {
		sz.noData = err.Error()
	} else {
		test = t
	}
	for _, kind := range []string{"vae", "cvae"} {
		data, err := os.ReadFile(filepath.Join(o.weights, kind+".safetensors"))
		if err != nil {
			return nil, err
		}
		m, meta, err := model.Load(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", kind, err)
		}
		half, hm, err := halfOf(m, meta)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", kind, err)
		}
		h := halfResult{kind: kind, decoderF16: decoderBytes(m, 2), lossF32: math.NaN(), lossF16: math.NaN()}
		if h.f32, err = sizeOf(kind+".safetensors (F32)", data); err != nil {
			return nil, err
		}
		if h.f16, err = sizeOf(kind+".safetensors (F16)", half); err != nil {
			return nil, err
		}
		if test != nil {
			if h.lossF32, h.lossF16, h.decodeDiff, err = compareLoss(m, hm, test); err != nil {
				return nil, fmt.Errorf("%s: %w", kind, err)
			}
		}
		sz.halves = append(sz.halves, h)
	}

	// A build with its symbols, to see what the widget's bytes are made of.
	full := filepath.Join(tmp, "widget-symbols.wasm")
	build := exec.Command(goCmd, "build", "-trimpath", "-o", full, "./wasm")
	build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("building ./wasm with symbols: %w\n%s", err, out)
	}
	bin, err := os.ReadFile(full)
	if err != nil {
		return nil, err
	}
	if sz.pkgs, err = wasmSizes(bin); err != nil {
		return nil, err
	}
	return &sz, nil
}

// compareLoss returns the test loss per image of a and b (model.TestLoss,
// as tools/train and tools/eval report it), and the largest difference
// between their decodes of the posterior means of the first 1000 test
// images.
func compareLoss(a, b *model.Model, test *mnist.Set) (lossA, lossB, diff float64, err error) {
	if test.Pixels() != a.Config.Input {
		return 0, 0, 0, fmt.Errorf("test images have %d pixels, the model takes %d", test.Pixels(), a.Config.Input)
	}
	x, labels := test.All()
	if !a.Config.Conditional() {
		labels = nil
	}
	n := min(test.N, 1000)
	var ls []int
	if labels != nil {
		ls = labels[:n]
	}
	mu, _ := a.Encode(x.RowSlice(0, n), ls)
	d, _ := maxDiff(a.Decode(mu, ls).Data, b.Decode(mu, ls).Data)
	return a.TestLoss(x, labels).Total, b.TestLoss(x, labels).Total, d, nil
}
