package model_test

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"vaeplay/model"
	"vaeplay/model/safetensors"
)

var update = flag.Bool("update", false, "rewrite testdata/tiny.safetensors from Save's output")

func newModel(t testing.TB, cfg model.Config, seed uint64) *model.Model {
	t.Helper()
	m, err := model.New(cfg, rand.New(rand.NewPCG(seed, 1)))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func save(t testing.TB, m *model.Model, meta model.Metadata) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := model.Save(&buf, m, meta); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// configs covers the shapes the format must carry: plain and conditional,
// one and several hidden layers, both likelihoods.
var configs = map[string]model.Config{
	"tiny VAE":        {Input: 4, Hidden: []int{3}, Latent: 2, Likelihood: model.Bernoulli, Beta: 1},
	"tiny CVAE":       {Input: 4, Hidden: []int{3}, Latent: 2, Classes: 2, Likelihood: model.Bernoulli, Beta: 1},
	"deep Gaussian":   {Input: 9, Hidden: []int{7, 5, 3}, Latent: 2, Classes: 3, Likelihood: model.Gaussian, Beta: 0.25},
	"default 784-400": model.DefaultConfig(),
}

func TestSaveLoadRoundTrip(t *testing.T) {
	for name, cfg := range configs {
		t.Run(name, func(t *testing.T) {
			m := newModel(t, cfg, 7)
			meta := model.Metadata{"metrics": `{"elbo":-101.5}`, "format": "overwritten", "config": "overwritten"}
			got, gotMeta, err := model.Load(save(t, m, meta))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Config, cfg) {
				t.Errorf("config %+v, want %+v", got.Config, cfg)
			}
			if gotMeta["metrics"] != meta["metrics"] || gotMeta[model.FormatKey] != model.Format || len(gotMeta) != 3 {
				t.Errorf("metadata %v, want metrics kept plus format and config", gotMeta)
			}
			if meta["format"] != "overwritten" {
				t.Errorf("Save modified the caller's metadata")
			}
			want, have := m.Params(), got.Params()
			for i := range want {
				for j, v := range want[i].Data {
					if math.Float32bits(have[i].Data[j]) != math.Float32bits(v) {
						t.Fatalf("%s[%d] = %v, want %v", want[i].Name, j, have[i].Data[j], v)
					}
				}
			}
			// Saving what was loaded must give the same bytes: a file is
			// a fixed point of Load then Save.
			if b1, b2 := save(t, got, gotMeta), save(t, got, gotMeta); !bytes.Equal(b1, b2) {
				t.Error("Save is not deterministic")
			}
		})
	}
}

func TestCheckpointRoundTripIsExact(t *testing.T) {
	for name, cfg := range configs {
		t.Run(name, func(t *testing.T) {
			m := newModel(t, cfg, 11)
			var optim []safetensors.Tensor
			for _, p := range m.Params() {
				moment := make([]float64, len(p.Data))
				for i := range moment {
					moment[i] = float64(float32(float64(i) / 3))
				}
				optim = append(optim, safetensors.Tensor{Name: model.OptimPrefix + "m." + p.Name, DType: safetensors.F32, Shape: p.Shape, Data: moment})
			}
			optim = append(optim, safetensors.Tensor{Name: model.OptimPrefix + "step", DType: safetensors.F64, Shape: []int{}, Data: []float64{1234}})
			var buf bytes.Buffer
			if err := model.SaveCheckpoint(&buf, m, model.Metadata{"epoch": "3"}, optim); err != nil {
				t.Fatal(err)
			}
			got, meta, extra, err := model.LoadCheckpoint(buf.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, m) {
				t.Error("checkpoint does not restore the model exactly")
			}
			if meta["epoch"] != "3" {
				t.Errorf("metadata %v lost the epoch", meta)
			}
			if !reflect.DeepEqual(extra, optim) {
				t.Errorf("optimizer tensors did not round trip: got %d tensors", len(extra))
			}
			// Load reads the same file and ignores the optimizer state.
			plain, _, err := model.Load(buf.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(plain, m) {
				t.Error("Load of a checkpoint differs from the model")
			}
			// The loaded model computes what the original did.
			z := model.Noise(3, cfg.Latent, rand.New(rand.NewPCG(5, 5)))
			labels := []int(nil)
			if cfg.Classes > 0 {
				labels = []int{0, 1, 1}
			}
			if !reflect.DeepEqual(plain.Decode(z, labels), m.Decode(z, labels)) {
				t.Error("decoding differs after the round trip")
			}
		})
	}
}

// tinyLayout is the tensor list of the golden config, written out by hand
// from the PyTorch module in the package doc rather than derived from the
// package's code.
var tinyLayout = []struct {
	name  string
	shape []int
}{
	{"enc.fc1.weight", []int{3, 6}}, {"enc.fc1.bias", []int{3}},
	{"enc.mu.weight", []int{2, 3}}, {"enc.mu.bias", []int{2}},
	{"enc.logvar.weight", []int{2, 3}}, {"enc.logvar.bias", []int{2}},
	{"dec.fc1.weight", []int{3, 4}}, {"dec.fc1.bias", []int{3}},
	{"dec.out.weight", []int{4, 3}}, {"dec.out.bias", []int{4}},
}

// tinyValue is element i of tensor k in the golden file: distinct, signed,
// and exact in float32.
func tinyValue(k, i int) float32 {
	v := float32(k+1) + float32(i)/8
	if i%2 == 1 {
		v = -v
	}
	return v
}

// tinyExpected writes the golden file with nothing but encoding/binary and
// a hand-written header, independently of the safetensors package.
func tinyExpected() []byte {
	h := `{"__metadata__":{"config":"{\"input\":4,\"hidden\":[3],\"latent\":2,\"classes\":2,\"likelihood\":\"bernoulli\",\"beta\":1}","format":"vaeplay/1","note":"golden"}`
	var data []byte
	for k, l := range tinyLayout {
		n := 1
		dims := make([]string, len(l.shape))
		for j, d := range l.shape {
			n *= d
			dims[j] = fmt.Sprint(d)
		}
		h += fmt.Sprintf(`,"%s":{"dtype":"F32","shape":[%s],"data_offsets":[%d,%d]}`, l.name, strings.Join(dims, ","), len(data), len(data)+4*n)
		for i := range n {
			data = binary.LittleEndian.AppendUint32(data, math.Float32bits(float32(tinyValue(k, i))))
		}
	}
	h += "}"
	h += strings.Repeat(" ", (8-len(h)%8)%8)
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
	return append(append(out, h...), data...)
}

func TestGoldenFile(t *testing.T) {
	cfg := model.Config{Input: 4, Hidden: []int{3}, Latent: 2, Classes: 2, Likelihood: model.Bernoulli, Beta: 1}
	m := newModel(t, cfg, 1)
	params := m.Params()
	if len(params) != len(tinyLayout) {
		t.Fatalf("%d params, the golden layout has %d", len(params), len(tinyLayout))
	}
	for k, p := range params {
		if p.Name != tinyLayout[k].name || !reflect.DeepEqual(p.Shape, tinyLayout[k].shape) {
			t.Fatalf("param %d is %s %v, want %s %v", k, p.Name, p.Shape, tinyLayout[k].name, tinyLayout[k].shape)
		}
		for i := range p.Data {
			p.Data[i] = tinyValue(k, i)
		}
	}
	got := save(t, m, model.Metadata{"note": "golden"})
	path := filepath.Join("testdata", "tiny.safetensors")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if want := tinyExpected(); !bytes.Equal(got, want) {
		t.Errorf("Save wrote\n%q\nthe independent writer wrote\n%q", got, want)
	}
	golden, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, golden) {
		t.Errorf("Save's output differs from %s", path)
	}

	loaded, meta, err := model.Load(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(loaded.Config, cfg) || meta["note"] != "golden" {
		t.Errorf("golden file loads as config %+v, metadata %v", loaded.Config, meta)
	}
	for k, p := range loaded.Params() {
		for i, v := range p.Data {
			if v != tinyValue(k, i) {
				t.Fatalf("golden %s[%d] = %v, want %v", p.Name, i, v, tinyValue(k, i))
			}
		}
	}
}

// tensorsOf returns m's parameters as F32 safetensors, for tests to corrupt.
func tensorsOf(m *model.Model) []safetensors.Tensor {
	var ts []safetensors.Tensor
	for _, p := range m.Params() {
		data := make([]float64, len(p.Data))
		for i, v := range p.Data {
			data[i] = float64(v)
		}
		ts = append(ts, safetensors.Tensor{Name: p.Name, DType: safetensors.F32, Shape: p.Shape, Data: data})
	}
	return ts
}

func TestLoadErrors(t *testing.T) {
	cfg := configs["tiny CVAE"]
	m := newModel(t, cfg, 3)
	goodConfig := `{"input":4,"hidden":[3],"latent":2,"classes":2,"likelihood":"bernoulli","beta":1}`
	meta := func(config string) map[string]string {
		return map[string]string{"format": model.Format, "config": config}
	}
	write := func(ts []safetensors.Tensor, meta map[string]string) []byte {
		var buf bytes.Buffer
		if err := safetensors.Write(&buf, ts, meta); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	edit := func(f func([]safetensors.Tensor) []safetensors.Tensor) []byte {
		return write(f(tensorsOf(m)), meta(goodConfig))
	}
	hostile := `{"input":65536,"hidden":[65536,65536,65536,65536,65536,65536,65536,65536,65536,65536,65536,65536,65536,65536,65536,65536],"latent":65536,"classes":65536,"likelihood":"bernoulli","beta":1}`
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"not safetensors", []byte("PK\x03\x04 this is a zip file"), "model: safetensors: header length"},
		{"no config", write(tensorsOf(m), map[string]string{"format": model.Format}), `model: metadata has no "config" entry`},
		{"other format", write(tensorsOf(m), map[string]string{"format": "vaeplay/2", "config": goodConfig}), `model: metadata "format" is "vaeplay/2", want "vaeplay/1"`},
		{"config not JSON", write(tensorsOf(m), meta("{input: 4}")), `model: metadata "config": invalid character`},
		{"config with trailing text", write(tensorsOf(m), meta(goodConfig+"x")), `model: metadata "config": invalid character 'x'`},
		{"config without beta", write(tensorsOf(m), meta(`{"input":4,"hidden":[3],"latent":2,"classes":2,"likelihood":"bernoulli"}`)), `field "beta" missing`},
		{"config with unknown field", write(tensorsOf(m), meta(strings.Replace(goodConfig, `"beta":1`, `"beta":1,"dropout":0.5`, 1))), `unknown field "dropout"`},
		{"config wrong type", write(tensorsOf(m), meta(strings.Replace(goodConfig, `"latent":2`, `"latent":"2"`, 1))), `cannot unmarshal string`},
		{"invalid config", write(tensorsOf(m), meta(strings.Replace(goodConfig, `"latent":2`, `"latent":0`, 1))), "model: latent size 0 out of range"},
		{"hostile config", write(tensorsOf(m), meta(hostile)), `model: tensor "enc.fc1.weight" has shape [3 6], config wants [65536 131072]`},
		{"missing tensor", edit(func(ts []safetensors.Tensor) []safetensors.Tensor { return ts[1:] }), `model: file lacks 1 of the config's 10 tensors: "enc.fc1.weight"`},
		{"all tensors renamed", edit(func(ts []safetensors.Tensor) []safetensors.Tensor {
			for i := range ts {
				ts[i].Name = "model." + ts[i].Name
			}
			return ts
		}), `file lacks 10 of the config's 10 tensors: "enc.fc1.weight", "enc.fc1.bias", "enc.mu.weight", "enc.mu.bias" and 6 more`},
		{"transposed weight", edit(func(ts []safetensors.Tensor) []safetensors.Tensor {
			ts[0].Shape = []int{6, 3}
			return ts
		}), `model: tensor "enc.fc1.weight" has shape [6 3], config wants [3 6]`},
		{"bias as a matrix", edit(func(ts []safetensors.Tensor) []safetensors.Tensor {
			ts[3].Shape = []int{1, 2}
			return ts
		}), `model: tensor "enc.mu.bias" has shape [1 2], config wants [2]`},
		{"unexpected tensor", edit(func(ts []safetensors.Tensor) []safetensors.Tensor {
			return append(ts, safetensors.Tensor{Name: "enc.bn1.running_mean", DType: safetensors.F32, Shape: []int{3}, Data: make([]float64, 3)})
		}), `model: file has tensors the config does not: "enc.bn1.running_mean"`},
		{"NaN", edit(func(ts []safetensors.Tensor) []safetensors.Tensor {
			ts[4].Data[4] = math.NaN() // enc.logvar.weight, row 1 column 1
			return ts
		}), `model: tensor "enc.logvar.weight" element 4 (index [1 1]) is NaN`},
		{"infinity", edit(func(ts []safetensors.Tensor) []safetensors.Tensor {
			ts[9].Data[3] = math.Inf(-1)
			return ts
		}), `model: tensor "dec.out.bias" element 3 (index [3]) is -Inf`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			m, meta, err := model.Load(tt.data)
			var after runtime.MemStats
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load error %v, want one containing %q", err, tt.want)
			}
			if m != nil || meta != nil {
				t.Error("Load returned a model alongside an error")
			}
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 10<<20 {
				t.Errorf("Load allocated %d MB on a %d-byte file", grew>>20, len(tt.data))
			}
		})
	}
}

func TestLoadAccepts(t *testing.T) {
	m := newModel(t, configs["tiny VAE"], 4)
	config := `{"input":4,"hidden":[3],"latent":2,"classes":0,"likelihood":"bernoulli","beta":1}`
	tests := []struct {
		name    string
		tensors func() []safetensors.Tensor
		meta    map[string]string
	}{
		// PyTorch users need not know the format key.
		{"no format key", func() []safetensors.Tensor { return tensorsOf(m) }, map[string]string{"config": config}},
		{"optimizer state", func() []safetensors.Tensor {
			return append(tensorsOf(m), safetensors.Tensor{Name: "optim.v.enc.mu.bias", DType: safetensors.F32, Shape: []int{2}, Data: []float64{1, 2}})
		}, map[string]string{"config": config}},
		{"half precision, reordered", func() []safetensors.Tensor {
			ts := tensorsOf(m)
			for i := range ts {
				ts[i].DType = []safetensors.DType{safetensors.F16, safetensors.BF16}[i%2]
			}
			ts[0], ts[len(ts)-1] = ts[len(ts)-1], ts[0]
			return ts
		}, map[string]string{"config": config}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := safetensors.Write(&buf, tt.tensors(), tt.meta); err != nil {
				t.Fatal(err)
			}
			got, _, err := model.Load(buf.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			// Values are within the coarsest type's precision (bfloat16,
			// 8 significant bits) of the original.
			for i, p := range got.Params() {
				for j, v := range p.Data {
					if w := m.Params()[i].Data[j]; math.Abs(float64(v-w)) > math.Abs(float64(w))/128 {
						t.Fatalf("%s[%d] = %v, want about %v", p.Name, j, v, w)
					}
				}
			}
		})
	}
}

func TestLoadNeverPanicsOnTruncation(t *testing.T) {
	full := save(t, newModel(t, configs["tiny CVAE"], 5), model.Metadata{"metrics": "{}"})
	for n := range len(full) {
		if m, _, err := model.Load(full[:n]); err == nil || m != nil {
			t.Fatalf("Load accepted the first %d of %d bytes", n, len(full))
		}
	}
}

func TestSaveErrors(t *testing.T) {
	cfg := configs["tiny VAE"]
	tests := []struct {
		name  string
		model func() *model.Model
		extra []safetensors.Tensor
		want  string
	}{
		{"NaN parameter", func() *model.Model {
			m := newModel(t, cfg, 1)
			m.Params()[2].Data[1] = float32(math.NaN())
			return m
		}, nil, `model: not saving: tensor "enc.mu.weight" element 1 is NaN`},
		{"infinite parameter", func() *model.Model {
			m := newModel(t, cfg, 1)
			m.Out.B[0] = float32(math.Inf(1))
			return m
		}, nil, `tensor "dec.out.bias" element 0 is +Inf`},
		{"invalid config", func() *model.Model {
			m := newModel(t, cfg, 1)
			m.Config.Latent = -1
			return m
		}, nil, "model: not saving: model: latent size -1"},
		{"layers disagree with config", func() *model.Model {
			m := newModel(t, cfg, 1)
			m.Config.Hidden = []int{3, 3}
			return m
		}, nil, "1 encoder and 1 decoder layers, config has 2 hidden layers"},
		{"missing weights", func() *model.Model {
			m := newModel(t, cfg, 1)
			m.Mu.W = model.Matrix{}
			return m
		}, nil, "layer enc.mu is 0x0 (stride 0, 0 values) with 2 biases, config wants 2x3 with 2"},
		{"wrong layer shape", func() *model.Model {
			m := newModel(t, cfg, 1)
			m.Out.W = model.NewMatrix(3, 4, nil)
			return m
		}, nil, "layer dec.out is 3x4 (stride 4, 12 values) with 4 biases, config wants 4x3 with 4"},
		{"zero model", func() *model.Model { return &model.Model{} }, nil, "model: not saving: model: input size 0"},
		{"nil model", func() *model.Model { return nil }, nil, "model: not saving: nil model"},
		{"extra tensor without prefix", func() *model.Model { return newModel(t, cfg, 1) },
			[]safetensors.Tensor{{Name: "adam.m", DType: safetensors.F64, Shape: []int{1}, Data: []float64{0}}}, `extra tensor "adam.m": name must start with "optim."`},
		{"extra tensor clashing", func() *model.Model { return newModel(t, cfg, 1) },
			[]safetensors.Tensor{{Name: "optim.x", DType: safetensors.F64, Shape: []int{1}, Data: []float64{0}}, {Name: "optim.x", DType: safetensors.F64, Shape: []int{1}, Data: []float64{0}}}, `tensor "optim.x": name used twice`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			var err error
			if tt.extra != nil {
				err = model.SaveCheckpoint(&buf, tt.model(), nil, tt.extra)
			} else {
				err = model.Save(&buf, tt.model(), nil)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes before failing", buf.Len())
			}
		})
	}
}

func FuzzLoad(f *testing.F) {
	m, err := model.New(configs["tiny CVAE"], rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		f.Fatal(err)
	}
	var buf bytes.Buffer
	if err := model.Save(&buf, m, model.Metadata{"metrics": "{}"}); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	golden, err := os.ReadFile(filepath.Join("testdata", "tiny.safetensors"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(golden)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, meta, err := model.Load(data)
		if err != nil {
			return
		}
		// Whatever loads must save and load again to the same model.
		var out bytes.Buffer
		if err := model.SaveCheckpoint(&out, m, meta, nil); err != nil {
			t.Fatalf("SaveCheckpoint of a loaded model: %v", err)
		}
		again, meta2, err := model.Load(out.Bytes())
		if err != nil {
			t.Fatalf("Load of a saved model: %v", err)
		}
		// Save rewrites the config in its own spelling and adds the format.
		for _, k := range []string{model.ConfigKey, model.FormatKey} {
			delete(meta, k)
			delete(meta2, k)
		}
		if !reflect.DeepEqual(again, m) || !maps.Equal(meta, meta2) {
			t.Fatal("save and load changed the model")
		}
	})
}

func TestSaveHalfRoundTrip(t *testing.T) {
	for name, cfg := range configs {
		t.Run(name, func(t *testing.T) {
			m := newModel(t, cfg, 13)
			m.Out.B[0] = 65504 // the largest half
			m.Out.B[1] = -1e-9 // below the smallest subnormal half: -0
			var half bytes.Buffer
			if err := model.SaveHalf(&half, m, model.Metadata{"note": "f16"}); err != nil {
				t.Fatal(err)
			}
			got, meta, err := model.Load(half.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Config, cfg) || meta["note"] != "f16" {
				t.Errorf("config %+v, metadata %v: not what was saved", got.Config, meta)
			}
			want, have := m.Params(), got.Params()
			for i := range want {
				for j, v := range want[i].Data {
					// Half precision keeps 11 significant bits: relative
					// error at most 2⁻¹¹ for normal numbers, absolute error
					// at most 2⁻²⁵ below them.
					if d := math.Abs(float64(have[i].Data[j] - v)); d > math.Abs(float64(v))/2048 && d > 0x1p-25 {
						t.Fatalf("%s[%d] = %v, want %v to half precision", want[i].Name, j, have[i].Data[j], v)
					}
				}
			}
			if f32 := save(t, m, nil); half.Len() >= len(f32)*6/10 && len(f32) > 10000 {
				t.Errorf("half file %d bytes, float32 file %d: want about half", half.Len(), len(f32))
			}
		})
	}
}

func TestSaveHalfRefusesOverflow(t *testing.T) {
	m := newModel(t, configs["tiny VAE"], 1)
	m.Out.B[0] = -65520
	var buf bytes.Buffer
	err := model.SaveHalf(&buf, m, nil)
	if want := `tensor "dec.out.bias" element 0 is -65520, beyond half precision`; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v, want one containing %q", err, want)
	}
	if buf.Len() != 0 {
		t.Errorf("wrote %d bytes before failing", buf.Len())
	}
}
