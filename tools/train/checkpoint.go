package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"

	"vaeplay/model"
	"vaeplay/model/safetensors"
	"vaeplay/tools/internal/atomicfile"
	"vaeplay/tools/internal/mnist"
)

// recipe is the part of the options that a resumed run must keep.
type recipe struct {
	Batch int     `json:"batch"`
	LR    float64 `json:"lr"`
	Seed  uint64  `json:"seed"`
	Limit int     `json:"limit"`
	// Dataset is empty in checkpoints from before Fashion-MNIST: MNIST.
	Dataset string `json:"dataset,omitempty"`
}

// check reports the first setting that cannot train: they come from flags
// or from a checkpoint file, and a zero batch would divide by zero.
func (r recipe) check() error {
	switch {
	case r.Batch < 1:
		return fmt.Errorf("-batch %d: want at least 1", r.Batch)
	case !(r.LR > 0) || math.IsInf(r.LR, 0):
		return fmt.Errorf("-lr %v: want a positive number", r.LR)
	case r.Limit < 0:
		return fmt.Errorf("-limit %d: want 0 (all images) or more", r.Limit)
	}
	return nil
}

func (r recipe) dataset() string {
	if r.Dataset == "" {
		return mnist.MNIST
	}
	return r.Dataset
}

func (r recipe) apply(o options) options {
	o.batch, o.lr, o.seed, o.limit = r.Batch, r.LR, r.Seed, r.Limit
	o.dataset = r.dataset()
	return o
}

// contradictions reports the flags given on the command line that differ
// from what the checkpoint s was trained with: a resumed run keeps its recipe,
// and silently dropping a flag the user typed would train something else
// than they asked for.
func contradictions(opts options, s *state) error {
	cfg := s.model.Config
	kind := modelKind(cfg)
	theirs := map[string][2]string{
		"batch":      {fmt.Sprint(opts.batch), fmt.Sprint(s.recipe.Batch)},
		"lr":         {fmt.Sprint(opts.lr), fmt.Sprint(s.recipe.LR)},
		"seed":       {fmt.Sprint(opts.seed), fmt.Sprint(s.recipe.Seed)},
		"limit":      {fmt.Sprint(opts.limit), fmt.Sprint(s.recipe.Limit)},
		"dataset":    {opts.dataset, s.recipe.dataset()},
		"model":      {modelKind(opts.config), kind},
		"hidden":     {fmt.Sprint(opts.config.Hidden), fmt.Sprint(cfg.Hidden)},
		"latent":     {fmt.Sprint(opts.config.Latent), fmt.Sprint(cfg.Latent)},
		"beta":       {fmt.Sprint(opts.config.Beta), fmt.Sprint(cfg.Beta)},
		"likelihood": {string(opts.config.Likelihood), string(cfg.Likelihood)},
	}
	var bad []string
	for _, name := range slices.Sorted(maps.Keys(theirs)) {
		if v := theirs[name]; opts.explicit[name] && v[0] != v[1] {
			bad = append(bad, fmt.Sprintf("-%s %s (the checkpoint has %s)", name, v[0], v[1]))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("-resume %s: %s: a resumed run keeps the checkpoint's recipe; drop the flag or train afresh",
			opts.resume, strings.Join(bad, ", "))
	}
	return nil
}

func modelKind(cfg model.Config) string {
	if cfg.Conditional() {
		return "cvae"
	}
	return "vae"
}

// state is everything that decides the rest of a run. A checkpoint holds it
// all, so a resumed run reaches bit for bit the weights of an uninterrupted
// one.
type state struct {
	model  *model.Model
	opt    *model.Adam
	noise  *rand.PCG // reparameterization noise
	recipe recipe

	Epoch   int        `json:"epoch"`    // epochs completed
	Batch   int        `json:"batch"`    // batches completed in the current epoch
	LossSum float64    `json:"loss_sum"` // training loss summed over those batches
	Seconds float64    `json:"seconds"`  // time spent on those batches
	History []epochLog `json:"history"`
}

// Streams of the seeded PCG, one per use, so that the same seed gives the
// same weights, data order and noise.
const (
	streamInit  = 1
	streamNoise = 2
	streamOrder = 3 // plus the epoch number
)

func newState(opts options) (*state, error) {
	m, err := model.New(opts.config, rand.New(rand.NewPCG(opts.seed, streamInit)))
	if err != nil {
		return nil, err
	}
	return &state{
		model:  m,
		opt:    model.NewAdam(opts.lr),
		noise:  rand.NewPCG(opts.seed, streamNoise),
		recipe: recipe{Batch: opts.batch, LR: opts.lr, Seed: opts.seed, Limit: opts.limit, Dataset: opts.dataset},
	}, nil
}

// epochOrder returns the order of the training images in an epoch: a
// function of the seed and the epoch alone, so resuming needs no saved state.
func epochOrder(seed uint64, epoch, n int) []int {
	return rand.New(rand.NewPCG(seed, streamOrder+uint64(epoch))).Perm(n)
}

// checkpoint is the JSON saved under the "train" metadata key.
type checkpoint struct {
	*state
	Recipe    recipe `json:"recipe"`
	Noise     []byte `json:"noise"`
	AdamSteps int    `json:"adam_steps"`
}

// save writes the checkpoint to path, replacing any earlier one only once
// the new one is complete.
func (s *state) save(path string) error {
	return atomicfile.Write(path, s.encode)
}

// encode writes the checkpoint: float64 weights, Adam's moments as tensors
// named optim.m.<param> and optim.v.<param>, and the rest as JSON.
func (s *state) encode(w io.Writer) error {
	noise, err := s.noise.MarshalBinary()
	if err != nil {
		return err
	}
	train, err := json.Marshal(checkpoint{state: s, Recipe: s.recipe, Noise: noise, AdamSteps: s.opt.Steps})
	if err != nil {
		return err
	}
	var extra []safetensors.Tensor
	if s.opt.M != nil {
		for i, p := range s.model.Params() {
			extra = append(extra,
				safetensors.Tensor{Name: model.OptimPrefix + "m." + p.Name, DType: safetensors.F64, Shape: p.Shape, Data: s.opt.M[i]},
				safetensors.Tensor{Name: model.OptimPrefix + "v." + p.Name, DType: safetensors.F64, Shape: p.Shape, Data: s.opt.V[i]})
		}
	}
	return model.SaveCheckpoint(w, s.model, model.Metadata{"train": string(train)}, extra)
}

// loadCheckpoint reads what save wrote.
func loadCheckpoint(path string) (*state, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("resume: %w", err)
	}
	s, err := parseCheckpoint(data)
	if err != nil {
		return nil, fmt.Errorf("resume %s: %w", path, err)
	}
	return s, nil
}

// parseCheckpoint decodes a checkpoint file's bytes and checks that the
// state in it is one a run could have saved.
func parseCheckpoint(data []byte) (*state, error) {
	m, meta, extra, err := model.LoadCheckpoint(data)
	if err != nil {
		return nil, err
	}
	s := &state{model: m}
	c := checkpoint{state: s}
	if err := json.NewDecoder(bytes.NewReader([]byte(meta["train"]))).Decode(&c); err != nil {
		return nil, fmt.Errorf("not a training checkpoint (metadata \"train\": %v)", err)
	}
	if err := c.Recipe.check(); err != nil {
		return nil, fmt.Errorf("recipe: %w", err)
	}
	switch {
	case s.Epoch < 0 || s.Batch < 0 || c.AdamSteps < 0:
		return nil, fmt.Errorf("negative progress (epoch %d, batch %d, Adam step %d)", s.Epoch, s.Batch, c.AdamSteps)
	case len(s.History) != s.Epoch:
		return nil, fmt.Errorf("%d epochs done but %d in the history", s.Epoch, len(s.History))
	case math.IsNaN(s.LossSum) || math.IsInf(s.LossSum, 0):
		return nil, fmt.Errorf("training loss so far is %v", s.LossSum)
	}
	s.recipe = c.Recipe
	s.noise = new(rand.PCG)
	if err := s.noise.UnmarshalBinary(c.Noise); err != nil {
		return nil, fmt.Errorf("noise state: %w", err)
	}
	s.opt = model.NewAdam(c.Recipe.LR)
	s.opt.Steps = c.AdamSteps
	if c.AdamSteps > 0 {
		byName := map[string][]float64{}
		for _, t := range extra {
			if strings.HasPrefix(t.Name, model.OptimPrefix) {
				byName[t.Name] = t.Data
			}
		}
		for _, p := range m.Params() {
			mom, vel := byName[model.OptimPrefix+"m."+p.Name], byName[model.OptimPrefix+"v."+p.Name]
			if len(mom) != len(p.Data) || len(vel) != len(p.Data) {
				return nil, fmt.Errorf("optimizer state for %s missing or misshapen", p.Name)
			}
			s.opt.M = append(s.opt.M, mom)
			s.opt.V = append(s.opt.V, vel)
		}
	}
	return s, nil
}
