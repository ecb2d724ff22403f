package main

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vaeplay/model"
)

func writeModel(t *testing.T, path string, scale float32) *model.Model {
	t.Helper()
	cfg := model.DefaultConfig()
	cfg.Hidden = []int{16}
	cfg.Latent = 3
	cfg.Classes = 10
	m, err := model.New(cfg, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range m.Params() {
		for i := range p.Data {
			p.Data[i] *= scale
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := model.Save(f, m, model.Metadata{"dataset": "mnist"}); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestHalve(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "cvae.safetensors"), filepath.Join(dir, "half.safetensors")
	writeModel(t, in, 1)
	orig, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	m, _, err := model.Load(orig) // float32, as halve reads it
	if err != nil {
		t.Fatal(err)
	}
	r, err := halve(in, out)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	h, meta, err := model.Load(data)
	if err != nil {
		t.Fatal(err)
	}
	if meta["dataset"] != "mnist" {
		t.Errorf("metadata lost: %v", meta)
	}
	if len(data) != r.outBytes || r.outBytes >= r.inBytes*6/10 {
		t.Errorf("%d bytes from %d (reported %d): want little more than half", len(data), r.inBytes, r.outBytes)
	}
	if r.maxChange == 0 || r.maxChange > 1e-3 {
		t.Errorf("largest change %g, want rounding to F16 of weights below 1", r.maxChange)
	}
	hp := h.Params()
	for i, p := range m.Params() {
		for j, v := range p.Data {
			if d := math.Abs(float64(hp[i].Data[j] - v)); d > r.maxChange {
				t.Fatalf("%s[%d]: %g -> %g, beyond the reported %g", p.Name, j, v, hp[i].Data[j], r.maxChange)
			}
		}
	}
}

func TestHalveErrors(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.safetensors")
	writeModel(t, big, 1e6) // beyond F16's ±65504
	good := filepath.Join(dir, "good.safetensors")
	writeModel(t, good, 1)
	junk := filepath.Join(dir, "junk.safetensors")
	if err := os.WriteFile(junk, []byte("not safetensors"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ name, in, out, want string }{
		{"missing", filepath.Join(dir, "none.safetensors"), filepath.Join(dir, "o"), "no such file"},
		{"junk", junk, filepath.Join(dir, "o"), "junk.safetensors"},
		{"out of range", big, filepath.Join(dir, "o"), "half"},
		{"bad output folder", good, filepath.Join(dir, "no", "o"), "no such file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := halve(tt.in, tt.out)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
			if _, err := os.Stat(tt.out); err == nil {
				t.Errorf("%s written despite the error", tt.out)
			}
		})
	}
}
