package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"vaeplay/model"
)

// writeIDX writes an IDX file of unsigned bytes with the given dimensions.
func writeIDX(t *testing.T, path string, dims []int, data []byte) {
	t.Helper()
	var b bytes.Buffer
	b.Write([]byte{0, 0, 0x08, byte(len(dims))})
	for _, d := range dims {
		binary.Write(&b, binary.BigEndian, uint32(d))
	}
	b.Write(data)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// fakeMNIST writes a test split of n random 28x28 images labelled i%10.
func fakeMNIST(t *testing.T, n int) string {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 1))
	px := make([]byte, n*784)
	for i := range px {
		if rng.IntN(4) == 0 {
			px[i] = byte(rng.IntN(256))
		}
	}
	labels := make([]byte, n)
	for i := range labels {
		labels[i] = byte(i % 10)
	}
	writeIDX(t, filepath.Join(dir, "t10k-images-idx3-ubyte"), []int{n, 28, 28}, px)
	writeIDX(t, filepath.Join(dir, "t10k-labels-idx1-ubyte"), []int{n}, labels)
	return dir
}

// writeWeights saves a random model of cfg as dir/name.safetensors, with
// the trainer's CSV log beside it if log is set.
func writeWeights(t *testing.T, dir, name string, cfg model.Config, log bool) string {
	t.Helper()
	m, err := model.New(cfg, rand.New(rand.NewPCG(2, 2)))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	meta := model.Metadata{"metrics": `{"epoch":2,"test_loss":543.2}`, "command": "go run ./tools/train"}
	if err := model.Save(&b, m, meta); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+".safetensors")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if log {
		csv := "epoch,train_loss,test_loss,test_recon,test_kl,epoch_s\n1,300.5,250.25,240.0,10.25,3.0\n2,240.0,230.5,221.0,9.5,3.1\n"
		if err := os.WriteFile(filepath.Join(dir, name+".log.csv"), []byte(csv), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

func TestRun(t *testing.T) {
	data := fakeMNIST(t, 30)
	tests := []struct {
		name     string
		cfg      model.Config
		log      bool
		binarize bool
		figures  []string
	}{
		{"vae 2-d", model.Config{Input: 784, Hidden: []int{8}, Latent: 2, Likelihood: model.Bernoulli, Beta: 1}, true, false,
			[]string{"samples", "reconstructions", "loss", "manifold", "latent"}},
		{"cvae 2-d binarized", model.Config{Input: 784, Hidden: []int{8}, Latent: 2, Classes: 10, Likelihood: model.Bernoulli, Beta: 1}, true, true,
			[]string{"samples", "reconstructions", "loss", "manifold", "latent"}},
		{"vae without log", model.Config{Input: 784, Hidden: []int{8, 6}, Latent: 5, Likelihood: model.Gaussian, Beta: 0.5}, false, false,
			[]string{"samples", "reconstructions"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			weights := writeWeights(t, dir, "m", tt.cfg, tt.log)
			out := filepath.Join(dir, "eval")
			var stdout, stderr bytes.Buffer
			o := options{weights: weights, data: data, k: 4, n: 25, rows: 7, out: out, binarize: tt.binarize, seed: 3}
			if err := run(o, &stdout, &stderr); err != nil {
				t.Fatal(err)
			}
			raw, err := os.ReadFile(filepath.Join(out, "metrics.json"))
			if err != nil {
				t.Fatal(err)
			}
			var rep report
			if err := json.Unmarshal(raw, &rep); err != nil {
				t.Fatalf("metrics.json: %v", err)
			}
			if rep.N != 25 || rep.K != 4 || rep.Conditional != tt.cfg.Conditional() || len(rep.LatentVariance) != tt.cfg.Latent {
				t.Errorf("report n %d k %d conditional %v latent %d", rep.N, rep.K, rep.Conditional, len(rep.LatentVariance))
			}
			if want := map[bool]string{false: "grey", true: "binarized"}[tt.binarize]; rep.Pixels != want {
				t.Errorf("pixels %q, want %q", rep.Pixels, want)
			}
			if !(rep.LogLikelihood >= rep.ELBO) || rep.TestLoss.Total <= 0 || rep.Date == "" {
				t.Errorf("log-likelihood %v, ELBO %v, test loss %v, date %q", rep.LogLikelihood, rep.ELBO, rep.TestLoss.Total, rep.Date)
			}
			var metrics struct {
				TestLoss float64 `json:"test_loss"`
			}
			if err := json.Unmarshal(rep.Metadata["metrics"], &metrics); err != nil || metrics.TestLoss != 543.2 {
				t.Errorf("metadata metrics %s not embedded as JSON: %v", rep.Metadata["metrics"], err)
			}
			var cfg model.Config
			if err := json.Unmarshal(rep.Metadata["config"], &cfg); err != nil || cfg.Latent != tt.cfg.Latent {
				t.Errorf("metadata config %s: %v", rep.Metadata["config"], err)
			}
			var names []string
			for _, f := range rep.Figures {
				names = append(names, f.Name)
				file, err := os.Open(filepath.Join(out, f.File))
				if err != nil {
					t.Fatal(err)
				}
				if _, err := png.Decode(file); err != nil {
					t.Errorf("%s: %v", f.File, err)
				}
				file.Close()
			}
			if !slices.Equal(names, tt.figures) {
				t.Errorf("figures %v, want %v", names, tt.figures)
			}
			table := stdout.String()
			for _, want := range []string{"test loss", "active units", "k = 4", rep.Pixels} {
				if !strings.Contains(table, want) {
					t.Errorf("table lacks %q:\n%s", want, table)
				}
			}
			if ll := map[bool]string{false: "log p(x) ", true: "log p(x|y)"}[tt.cfg.Conditional()]; !strings.Contains(table, ll) {
				t.Errorf("table lacks %q:\n%s", ll, table)
			}
		})
	}
}

func TestRunErrors(t *testing.T) {
	data := fakeMNIST(t, 5)
	dir := t.TempDir()
	good := writeWeights(t, dir, "good", model.Config{Input: 784, Hidden: []int{4}, Latent: 2, Likelihood: model.Bernoulli, Beta: 1}, false)
	small := writeWeights(t, dir, "small", model.Config{Input: 16, Hidden: []int{4}, Latent: 2, Likelihood: model.Bernoulli, Beta: 1}, false)
	classes := writeWeights(t, dir, "classes", model.Config{Input: 784, Hidden: []int{4}, Latent: 2, Classes: 3, Likelihood: model.Bernoulli, Beta: 1}, false)
	junk := filepath.Join(dir, "junk.safetensors")
	os.WriteFile(junk, []byte("not safetensors"), 0o644)
	badLog := writeWeights(t, dir, "badlog", model.Config{Input: 784, Hidden: []int{4}, Latent: 2, Likelihood: model.Bernoulli, Beta: 1}, false)
	os.WriteFile(filepath.Join(dir, "badlog.log.csv"), []byte("epoch,train_loss,test_loss\n1,x,3\n"), 0o644)

	tests := []struct {
		name string
		o    options
		want string
	}{
		{"missing weights", options{weights: filepath.Join(dir, "none.safetensors"), data: data}, "no such file"},
		{"junk weights", options{weights: junk, data: data}, "junk.safetensors"},
		{"no data", options{weights: good, data: filepath.Join(dir, "nodata")}, "make data"},
		{"image size", options{weights: small, data: data}, "the model takes 16"},
		{"classes", options{weights: classes, data: data}, "3 classes"},
		{"zero k", options{weights: good, data: data, k: -1}, "-k"},
		{"zero n", options{weights: good, data: data, n: -1}, "-n"},
		{"bad log", options{weights: badLog, data: data}, "train_loss"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.o
			if o.k == 0 {
				o.k = 2
			}
			if o.n == 0 {
				o.n = 5
			}
			o.rows, o.out, o.quiet = 10, filepath.Join(t.TempDir(), "out"), true
			err := run(o, &bytes.Buffer{}, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestDefaultOut(t *testing.T) {
	for in, want := range map[string]string{
		"weights/vae.safetensors": filepath.Join("weights", "eval", "vae"),
		"vae.safetensors":         filepath.Join("eval", "vae"),
		"/tmp/x/cvae2.bin":        "/tmp/x/eval/cvae2.bin",
	} {
		if got := defaultOut(in); got != want {
			t.Errorf("defaultOut(%q) = %q, want %q", in, got, want)
		}
	}
}
