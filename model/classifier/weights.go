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

// Save writes n's parameters to w as float32 safetensors with meta plus
// FormatKey and ConfigKey, which are always Save's own.
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
		for i, v := range p.Data {
			if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > math.MaxFloat32 {
				return fmt.Errorf("classifier: not saving: tensor %q element %d is %v", p.Name, i, v)
			}
		}
		ts = append(ts, safetensors.Tensor{Name: p.Name, DType: safetensors.F32, Shape: p.Shape, Data: p.Data})
	}
	if err := safetensors.Write(w, ts, out); err != nil {
		return fmt.Errorf("classifier: %w", err)
	}
	return nil
}

// Load reads what Save wrote, checking the format, the config, every
// tensor's presence and shape, and that all values are finite; the error
// names what is wrong.
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
	n, err := newZero(cfg)
	if err != nil {
		return nil, nil, err
	}
	byName := map[string]safetensors.Tensor{}
	for _, t := range tensors {
		byName[t.Name] = t
	}
	params := n.Params()
	if len(tensors) != len(params) {
		return nil, nil, fmt.Errorf("classifier: file has %d tensors, the config wants %d", len(tensors), len(params))
	}
	for _, p := range params {
		t, ok := byName[p.Name]
		if !ok {
			return nil, nil, fmt.Errorf("classifier: file lacks tensor %q", p.Name)
		}
		if !slices.Equal(t.Shape, p.Shape) {
			return nil, nil, fmt.Errorf("classifier: tensor %q has shape %v, config wants %v", p.Name, t.Shape, p.Shape)
		}
		for i, v := range t.Data {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, nil, fmt.Errorf("classifier: tensor %q element %d is %v", p.Name, i, v)
			}
		}
		copy(p.Data, t.Data)
	}
	return n, meta, nil
}
