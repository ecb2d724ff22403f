package classifier

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"

	"vaeplay/model/safetensors"
)

// Metadata keys of a classifier's weights file.
const (
	// FormatKey names the layout; its value is Format.
	FormatKey = "format"
	// Format marks files this package writes, so that a VAE's weights are
	// not mistaken for a classifier's.
	Format = "vaeplay-classifier/1"
	// ConfigKey holds the Config as JSON.
	ConfigKey = "config"
)

// Save writes n's parameters to w as float32 safetensors, exactly, with
// meta plus FormatKey and ConfigKey, which are always Save's own.
func Save(w io.Writer, n *Net, meta map[string]string) error {
	cfg, err := json.Marshal(n.Config)
	if err != nil {
		return fmt.Errorf("classifier: encoding config: %w", err)
	}
	out := maps.Clone(meta)
	if out == nil {
		out = map[string]string{}
	}
	out[FormatKey], out[ConfigKey] = Format, string(cfg)
	var ts []safetensors.Tensor
	for _, p := range n.Params() {
		data := make([]float64, len(p.Data))
		for i, v := range p.Data {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("classifier: not saving: tensor %q element %d is %v", p.Name, i, v)
			}
			data[i] = float64(v) // exactly
		}
		ts = append(ts, safetensors.Tensor{Name: p.Name, DType: safetensors.F32, Shape: p.Shape, Data: data})
	}
	if err := safetensors.Write(w, ts, out); err != nil {
		return fmt.Errorf("classifier: %w", err)
	}
	return nil
}

// Load reads what Save wrote, checking the format, the config, every
// tensor's presence and shape, and that all values are finite in float32,
// before it allocates the network; the error names what is wrong. Files
// written when the network computed in float64 hold float32 tensors too,
// and load unchanged.
func Load(data []byte) (*Net, map[string]string, error) {
	tensors, meta, err := safetensors.Read(data)
	if err != nil {
		return nil, nil, fmt.Errorf("classifier: %w", err)
	}
	if f := meta[FormatKey]; f != Format {
		return nil, nil, fmt.Errorf("classifier: metadata %q is %q, want %q (is this a classifier's weights file?)", FormatKey, f, Format)
	}
	var cfg Config
	if err := json.Unmarshal([]byte(meta[ConfigKey]), &cfg); err != nil {
		return nil, nil, fmt.Errorf("classifier: metadata %q: %w", ConfigKey, err)
	}
	if err := cfg.Validate(); err != nil {
		return nil, nil, err
	}
	want := cfg.params()
	if len(tensors) != len(want) {
		return nil, nil, fmt.Errorf("classifier: file has %d tensors, the config wants %d", len(tensors), len(want))
	}
	byName := map[string]safetensors.Tensor{}
	for _, t := range tensors {
		byName[t.Name] = t
	}
	// Check the tensors against the config before building the network:
	// the config is as untrusted as the rest of the file, and a few bytes
	// of it can ask for more memory than the file holds values.
	for _, p := range want {
		t, ok := byName[p.name]
		if !ok {
			return nil, nil, fmt.Errorf("classifier: file lacks tensor %q", p.name)
		}
		if !slices.Equal(t.Shape, p.shape) {
			return nil, nil, fmt.Errorf("classifier: tensor %q has shape %v, config wants %v", p.name, t.Shape, p.shape)
		}
		for i, v := range t.Data {
			if math.IsNaN(v) || math.IsInf(float64(float32(v)), 0) {
				return nil, nil, fmt.Errorf("classifier: tensor %q element %d is %v, not a finite float32", p.name, i, v)
			}
		}
	}
	n, err := newZero[float32](cfg)
	if err != nil {
		return nil, nil, err
	}
	for _, p := range n.Params() {
		for i, v := range byName[p.Name].Data {
			p.Data[i] = float32(v)
		}
	}
	return n, meta, nil
}
