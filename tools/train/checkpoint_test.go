package main

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vaeplay/model"
)

// tinyCheckpoint returns the bytes of a checkpoint of a small model after
// one Adam step, with the given edit made to its state before saving.
func tinyCheckpoint(t testing.TB, edit func(*state)) []byte {
	t.Helper()
	cfg := model.Config{Input: 6, Hidden: []int{4}, Latent: 2, Classes: 10, Likelihood: model.Bernoulli, Beta: 1}
	s, err := newState(options{config: cfg, batch: 2, lr: 1e-3, seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	tr := model.NewTrainer(s.model, s.opt, rand.New(s.noise))
	x := model.Noise(2, cfg.Input, rand.New(rand.NewPCG(1, 1)))
	tr.Step(x, []int{3, 7})
	s.Epoch, s.Batch, s.LossSum = 1, 1, 12.5
	s.History = []epochLog{{Epoch: 1, TrainLoss: 3, TestLoss: 4}}
	if edit != nil {
		edit(s)
	}
	path := filepath.Join(t.TempDir(), "x.ckpt.safetensors")
	if err := s.save(path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseCheckpointRejects(t *testing.T) {
	tests := []struct {
		name string
		edit func(*state)
		want string
	}{
		{"zero batch", func(s *state) { s.recipe.Batch = 0 }, "recipe: -batch 0: want at least 1"},
		{"negative lr", func(s *state) { s.recipe.LR = -1 }, "recipe: -lr -1: want a positive number"},
		{"negative limit", func(s *state) { s.recipe.Limit = -3 }, "recipe: -limit -3"},
		{"negative epoch", func(s *state) { s.Epoch = -1 }, "negative progress (epoch -1"},
		{"negative batch", func(s *state) { s.Batch = -2 }, "negative progress (epoch 1, batch -2"},
		{"history too short", func(s *state) { s.Epoch = 3 }, "3 epochs done but 1 in the history"},
		{"no history", func(s *state) { s.History = nil }, "1 epochs done but 0 in the history"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseCheckpoint(tinyCheckpoint(t, tt.edit))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
	if _, err := parseCheckpoint(tinyCheckpoint(t, nil)); err != nil {
		t.Errorf("the unedited checkpoint: %v", err)
	}
}

// TestFlagErrors checks the settings that used to panic (a division by zero
// for -batch 0, an index out of range for -epochs 0) or train nothing.
func TestFlagErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(*options)
		want string
	}{
		{"no epochs", func(o *options) { o.epochs = 0 }, "-epochs 0: want at least 1"},
		{"zero batch", func(o *options) { o.batch = 0 }, "-batch 0: want at least 1"},
		{"negative batch", func(o *options) { o.batch = -5 }, "-batch -5: want at least 1"},
		{"negative lr", func(o *options) { o.lr = -1 }, "-lr -1: want a positive number"},
		{"negative limit", func(o *options) { o.limit = -1 }, "-limit -1: want 0 (all images) or more"},
		{"negative iwae", func(o *options) { o.iwae = -2 }, "-iwae -2: want 1 (the ELBO) or more"},
		{"huge iwae", func(o *options) { o.iwae = 5000 }, "-iwae 5000: want 1 (the ELBO) to 1000"},
		{"negative warmup", func(o *options) { o.warmup = -1 }, "-warmup -1: want 0 (none) or more epochs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := options{
				config: model.DefaultConfig(), epochs: 1, batch: 128, lr: 1e-3, seed: 1,
				data: t.TempDir(), out: filepath.Join(t.TempDir(), "vae.safetensors"),
			}
			tt.edit(&opts)
			err := run(context.Background(), opts, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// FuzzParseCheckpoint feeds -resume files that are damaged or crafted:
// parseCheckpoint must return an error or a state a run can continue from.
func FuzzParseCheckpoint(f *testing.F) {
	f.Add(tinyCheckpoint(f, nil))
	f.Add(tinyCheckpoint(f, func(s *state) { s.opt.M, s.opt.V, s.opt.Steps = nil, nil, 0 }))
	f.Add(tinyCheckpoint(f, func(s *state) { s.recipe.Batch = 0 }))
	f.Add(tinyCheckpoint(f, func(s *state) { s.Epoch, s.History = 0, nil }))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := parseCheckpoint(data)
		if err != nil {
			return
		}
		if err := s.recipe.check(); err != nil {
			t.Fatalf("accepted a checkpoint whose recipe fails: %v", err)
		}
		if s.Epoch < 0 || s.Batch < 0 || len(s.History) != s.Epoch || s.opt.Steps < 0 {
			t.Fatalf("accepted impossible progress: epoch %d batch %d history %d steps %d", s.Epoch, s.Batch, len(s.History), s.opt.Steps)
		}
		if s.opt.Steps > 0 && len(s.opt.M) != len(s.model.Params()) {
			t.Fatalf("accepted Adam steps without moments")
		}
		// What loaded must save and load again.
		var buf bytes.Buffer
		if err := s.encode(&buf); err != nil {
			t.Fatalf("encode: %v", err)
		}
		if _, err := parseCheckpoint(buf.Bytes()); err != nil {
			t.Fatalf("parse of a saved checkpoint: %v", err)
		}
	})
}

func TestResumeContradictions(t *testing.T) {
	base := options{config: model.DefaultConfig(), epochs: 1, batch: 128, lr: 1e-3, seed: 1, resume: "x.ckpt.safetensors"}
	s, err := newState(base)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		edit     func(*options)
		explicit []string
		want     string // empty: no error
	}{
		{"no flags", func(*options) {}, nil, ""},
		{"same values given", func(*options) {}, []string{"lr", "batch", "model", "hidden"}, ""},
		{"default differs but not given", func(o *options) { o.lr = 5 }, nil, ""},
		{"lr", func(o *options) { o.lr = 1e-4 }, []string{"lr"}, "-lr 0.0001 (the checkpoint has 0.001)"},
		{"model", func(o *options) { o.config.Classes = 10 }, []string{"model"}, "-model cvae (the checkpoint has vae)"},
		{"two", func(o *options) { o.batch, o.config.Latent = 64, 2 }, []string{"batch", "latent"}, "-batch 64 (the checkpoint has 128), -latent 2 (the checkpoint has 20)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := base
			opts.config.Hidden = append([]int(nil), base.config.Hidden...)
			tt.edit(&opts)
			opts.explicit = map[string]bool{}
			for _, f := range tt.explicit {
				opts.explicit[f] = true
			}
			err := contradictions(opts, s)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}
