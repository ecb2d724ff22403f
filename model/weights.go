package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"

	"vaeplay/model/safetensors"
)

// Metadata is the string-to-string map kept in a weights file's header, for
// example training metrics as JSON under "metrics".
type Metadata map[string]string

// Metadata keys and values that Save writes and Load reads.
const (
	// FormatKey names the file layout; its value is Format.
	FormatKey = "format"
	// Format is the value of FormatKey for files this package writes.
	Format = "vaeplay/1"
	// ConfigKey holds the model's Config as JSON.
	ConfigKey = "config"
	// OptimPrefix starts the names of tensors that are not parameters, such
	// as optimizer state in a checkpoint; Load ignores them.
	OptimPrefix = "optim."
)

// Save writes m's parameters to w as float32 safetensors, named as Params
// names them, with meta plus meta["format"] = Format and meta["config"] = m's
// Config as JSON. Those two keys are always Save's own, whatever meta holds,
// so Metadata returned by Load can be passed back in unchanged.
//
// Save refuses a model with a NaN or infinite parameter, or one too large
// for float32, since Load would refuse the file.
func Save(w io.Writer, m *Model, meta Metadata) error {
	return save(w, m, meta, safetensors.F32, nil)
}

// SaveHalf is Save with the parameters rounded to IEEE half precision (F16),
// which halves the file: for a page that downloads the weights, the bytes
// matter more than the last digits. Load reads it like any other file. It
// refuses a parameter beyond half precision's range (±65504).
func SaveHalf(w io.Writer, m *Model, meta Metadata) error {
	return save(w, m, meta, safetensors.F16, nil)
}

// SaveCheckpoint is Save with extra tensors such as optimizer state
// appended; their names must start with OptimPrefix. The parameters are
// float32, as the model holds them, so LoadCheckpoint returns them bit for
// bit, with the extra tensors.
func SaveCheckpoint(w io.Writer, m *Model, meta Metadata, extra []safetensors.Tensor) error {
	for _, t := range extra {
		if !strings.HasPrefix(t.Name, OptimPrefix) {
			return fmt.Errorf("model: extra tensor %q: name must start with %q", t.Name, OptimPrefix)
		}
	}
	return save(w, m, meta, safetensors.F32, extra)
}

func save(w io.Writer, m *Model, meta Metadata, dtype safetensors.DType, extra []safetensors.Tensor) error {
	if err := m.checkLayout(); err != nil {
		return fmt.Errorf("model: not saving: %w", err)
	}
	cfg, err := json.Marshal(m.Config)
	if err != nil {
		return fmt.Errorf("model: encoding config: %w", err)
	}
	out := maps.Clone(meta)
	if out == nil {
		out = Metadata{}
	}
	out[FormatKey] = Format
	out[ConfigKey] = string(cfg)

	var tensors []safetensors.Tensor
	for _, p := range m.Params() {
		data := widen(p.Data)
		if i := firstNonFinite(data); i >= 0 {
			return fmt.Errorf("model: not saving: tensor %q element %d is %v", p.Name, i, data[i])
		}
		if i := firstBeyond(data, dtype); i >= 0 {
			return fmt.Errorf("model: not saving: tensor %q element %d is %v, beyond %s", p.Name, i, data[i], dtypeName[dtype])
		}
		tensors = append(tensors, safetensors.Tensor{Name: p.Name, DType: dtype, Shape: p.Shape, Data: data})
	}
	tensors = append(tensors, extra...)
	if err := safetensors.Write(w, tensors, out); err != nil {
		return fmt.Errorf("model: %w", err)
	}
	return nil
}

// checkLayout reports a model whose layers disagree with its Config, which
// only a hand-built Model can have; Params would otherwise mislabel or
// misread them.
func (m *VAE[T]) checkLayout() error {
	if m == nil {
		return errors.New("nil model")
	}
	if err := m.Config.Validate(); err != nil {
		return err
	}
	h := len(m.Config.Hidden)
	if len(m.Encoder) != h || len(m.Decoder) != h {
		return fmt.Errorf("%d encoder and %d decoder layers, config has %d hidden layers", len(m.Encoder), len(m.Decoder), h)
	}
	shapes := m.Config.layerShapes()
	for i, l := range m.layers() {
		s := shapes[i]
		w := l.W
		if w.Rows != s.out || w.Cols != s.in || w.Stride != s.in || len(w.Data) != s.out*s.in || len(l.B) != s.out {
			return fmt.Errorf("layer %s is %dx%d (stride %d, %d values) with %d biases, config wants %dx%d with %d",
				s.name, w.Rows, w.Cols, w.Stride, len(w.Data), len(l.B), s.out, s.in, s.out)
		}
	}
	return nil
}

// Load reads a model written by Save or SaveCheckpoint, or by PyTorch with
// the same tensor names and metadata (see the package documentation). The
// tensors may be F16, BF16, F32 or F64.
//
// Load checks everything before it trusts it: the safetensors structure, a
// valid config in the metadata, every parameter present with exactly the
// shape the config gives it, no tensor it does not know (apart from those
// named OptimPrefix..., which it ignores), and every value finite. Its errors
// name the offending tensor.
func Load(data []byte) (*Model, Metadata, error) {
	m, meta, _, err := LoadCheckpoint(data)
	return m, meta, err
}

// LoadCheckpoint is Load that also returns the tensors named OptimPrefix...,
// in file order, such as the optimizer state SaveCheckpoint stored.
func LoadCheckpoint(data []byte) (*Model, Metadata, []safetensors.Tensor, error) {
	tensors, meta, err := safetensors.Read(data)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("model: %w", err)
	}
	if f, ok := meta[FormatKey]; ok && f != Format {
		return nil, nil, nil, fmt.Errorf("model: metadata %q is %q, want %q", FormatKey, f, Format)
	}
	raw, ok := meta[ConfigKey]
	if !ok {
		return nil, nil, nil, fmt.Errorf("model: metadata has no %q entry (the model.Config as JSON)", ConfigKey)
	}
	cfg, err := parseConfig(raw)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("model: metadata %q: %w", ConfigKey, err)
	}
	byName := make(map[string]safetensors.Tensor, len(tensors))
	var extra []safetensors.Tensor
	for _, t := range tensors {
		if strings.HasPrefix(t.Name, OptimPrefix) {
			extra = append(extra, t)
			continue
		}
		byName[t.Name] = t
	}
	// Check the tensors against the config before building the model: the
	// config is as untrusted as the rest, and a few bytes of it can ask for
	// gigabytes of parameters that the file does not hold.
	want := cfg.params()
	var missing []string
	for _, p := range want {
		t, ok := byName[p.name]
		if !ok {
			missing = append(missing, p.name)
			continue
		}
		if !slices.Equal(t.Shape, p.shape) {
			return nil, nil, nil, fmt.Errorf("model: tensor %q has shape %v, config wants %v", p.name, t.Shape, p.shape)
		}
		if i := firstNonFinite(t.Data); i >= 0 {
			return nil, nil, nil, fmt.Errorf("model: tensor %q element %d (index %v) is %v", p.name, i, unravel(i, p.shape), t.Data[i])
		}
		if i := firstBeyond(t.Data, safetensors.F32); i >= 0 {
			return nil, nil, nil, fmt.Errorf("model: tensor %q element %d (index %v) is %v, beyond float32", p.name, i, unravel(i, p.shape), t.Data[i])
		}
	}
	if len(missing) > 0 {
		return nil, nil, nil, fmt.Errorf("model: file lacks %d of the config's %d tensors: %s", len(missing), len(want), nameList(missing))
	}
	if len(byName) > len(want) {
		var unknown []string
		for _, t := range tensors {
			if _, ok := byName[t.Name]; ok && !slices.ContainsFunc(want, func(p paramShape) bool { return p.name == t.Name }) {
				unknown = append(unknown, t.Name)
			}
		}
		return nil, nil, nil, fmt.Errorf("model: file has tensors the config does not: %s", nameList(unknown))
	}
	m, err := newZero[float32](cfg)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("model: metadata %q: %w", ConfigKey, err)
	}
	for _, p := range m.Params() {
		for i, v := range byName[p.Name].Data {
			p.Data[i] = float32(v)
		}
	}
	return m, Metadata(meta), extra, nil
}

// paramShape is one parameter's name and shape, as Params gives them.
type paramShape struct {
	name  string
	shape []int
}

// params lists the parameters a model of c has, by name and shape, without
// allocating them.
func (c Config) params() []paramShape {
	var ps []paramShape
	for _, s := range c.layerShapes() {
		ps = append(ps, paramShape{s.name + ".weight", []int{s.out, s.in}}, paramShape{s.name + ".bias", []int{s.out}})
	}
	return ps
}

// configFields are the keys a config must spell out: a missing "beta" would
// otherwise decode silently as 0.
var configFields = []string{"input", "hidden", "latent", "classes", "likelihood", "beta"}

// parseConfig decodes a Config strictly: every field present, no unknown
// field, nothing after the object, and the result valid.
func parseConfig(raw string) (Config, error) {
	var cfg Config
	var fields map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &fields); err != nil {
		return cfg, err
	}
	for _, f := range configFields {
		if _, ok := fields[f]; !ok {
			return cfg, fmt.Errorf("field %q missing", f)
		}
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		return cfg, err
	}
	return cfg, cfg.Validate()
}

// dtypeName names the narrow types in Save's errors.
var dtypeName = map[safetensors.DType]string{safetensors.F32: "float32", safetensors.F16: "half precision"}

// firstBeyond returns the index of the first value in xs that rounds to an
// infinity when stored as dtype, or -1.
func firstBeyond(xs []float64, dtype safetensors.DType) int {
	for i, x := range xs {
		switch dtype {
		case safetensors.F32:
			if math.IsInf(float64(float32(x)), 0) {
				return i
			}
		case safetensors.F16:
			// 65520 is halfway between the largest half, 65504, and the
			// next step up, 65536, which is infinity; it rounds to even,
			// the infinity.
			if math.Abs(x) >= 65520 {
				return i
			}
		}
	}
	return -1
}

// widen returns xs as float64, which safetensors holds in memory: exactly.
func widen(xs []float32) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = float64(x)
	}
	return out
}

// firstNonFinite returns the index of the first NaN or infinity in xs, or -1.
func firstNonFinite(xs []float64) int {
	for i, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return i
		}
	}
	return -1
}

// unravel turns a row-major flat index into per-dimension indices.
func unravel(i int, shape []int) []int {
	idx := make([]int, len(shape))
	for d := len(shape) - 1; d >= 0; d-- {
		idx[d] = i % shape[d]
		i /= shape[d]
	}
	return idx
}

// nameList quotes names for an error message, eliding all but the first few.
func nameList(names []string) string {
	const show = 4
	var b strings.Builder
	for i, n := range names {
		if i == show {
			fmt.Fprintf(&b, " and %d more", len(names)-show)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", n)
	}
	return b.String()
}
