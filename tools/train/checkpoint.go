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
	// Binarize, Valid, Patience and the schedule are options.binarize and
	// so on; their zero values are those of checkpoints that predate them.
	Binarize bool    `json:"binarize,omitempty"`
	Valid    int     `json:"valid,omitempty"`
	Patience int     `json:"patience,omitempty"`
	Schedule string  `json:"lr_schedule,omitempty"`
	LRGamma  float64 `json:"lr_gamma,omitempty"`
	LRMin    float64 `json:"lr_min,omitempty"`
	// Epochs is the length of a cosine schedule: the -epochs of the run that
	// started it, so that a resumed run with more epochs keeps its rates.
	Epochs int `json:"epochs,omitempty"`
	// IWAE is the k of the importance-weighted bound the steps climb (0 or
	// 1: the ELBO); Warmup the epochs over which the KL weight rises from 0
	// to beta (0: none).
	IWAE   int `json:"iwae,omitempty"`
	Warmup int `json:"warmup,omitempty"`
}

// Learning-rate schedules.
const (
	scheduleConstant = "constant"
	scheduleExp      = "exp"
	scheduleCosine   = "cosine"
)

// recipe returns the part of opts that a checkpoint keeps.
func (o options) recipe() recipe {
	r := recipe{
		Batch: o.batch, LR: o.lr, Seed: o.seed, Limit: o.limit, Dataset: o.dataset,
		Binarize: o.binarize, Valid: o.valid, Patience: o.patience,
		Schedule: o.schedule, LRGamma: o.lrGamma, LRMin: o.lrMin,
		Warmup: o.warmup,
	}
	if o.iwae > 1 {
		r.IWAE = o.iwae
	}
	// A schedule's parameters are kept only when it uses them, so that the
	// flags' defaults do not make a constant recipe look like another.
	switch r.Schedule {
	case scheduleExp:
		r.LRMin = 0
	case scheduleCosine:
		r.Epochs, r.LRGamma = o.epochs, 0
	default:
		r.LRGamma, r.LRMin = 0, 0
	}
	return r
}

// lrAt returns the learning rate of epoch (counted from 0).
func (r recipe) lrAt(epoch int) float64 {
	switch r.Schedule {
	case scheduleExp:
		return r.LR * math.Pow(r.LRGamma, float64(epoch))
	case scheduleCosine:
		f := (1 + math.Cos(math.Pi*float64(epoch)/float64(r.Epochs))) / 2
		return r.LRMin + (r.LR-r.LRMin)*f
	}
	return r.LR
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
	case r.Valid < 0:
		return fmt.Errorf("-valid %d: want 0 (no validation split) or more images", r.Valid)
	case r.Patience < 0:
		return fmt.Errorf("-patience %d: want 0 (never stop early) or more epochs", r.Patience)
	case r.IWAE < 0 || r.IWAE > 1000:
		return fmt.Errorf("-iwae %d: want 1 (the ELBO) to 1000 samples", r.IWAE)
	case r.Warmup < 0:
		return fmt.Errorf("-warmup %d: want 0 (none) or more epochs", r.Warmup)
	case r.Patience > 0 && r.Valid == 0:
		return fmt.Errorf("-patience %d needs a validation split (-valid N): early stopping never looks at the test set", r.Patience)
	}
	if _, err := mnist.ClassNames(r.dataset()); err != nil {
		return fmt.Errorf("-dataset: %w", err)
	}
	switch r.Schedule {
	case "", scheduleConstant:
	case scheduleExp:
		if !(r.LRGamma > 0 && r.LRGamma <= 1) {
			return fmt.Errorf("-lr-gamma %v: the exp schedule wants a factor per epoch in (0, 1]", r.LRGamma)
		}
	case scheduleCosine:
		if !(r.LRMin >= 0 && r.LRMin < r.LR) {
			return fmt.Errorf("-lr-min %v: the cosine schedule wants a floor in [0, -lr %v)", r.LRMin, r.LR)
		}
		if r.Epochs < 1 {
			return fmt.Errorf("cosine schedule over %d epochs: want at least 1", r.Epochs)
		}
	default:
		return fmt.Errorf("-lr-schedule %q: want %s, %s or %s", r.Schedule, scheduleConstant, scheduleExp, scheduleCosine)
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
	o.binarize, o.valid, o.patience = r.Binarize, r.Valid, r.Patience
	o.schedule, o.lrGamma, o.lrMin = r.Schedule, r.LRGamma, r.LRMin
	o.iwae, o.warmup = max(r.IWAE, 1), r.Warmup
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
		"batch":       {fmt.Sprint(opts.batch), fmt.Sprint(s.recipe.Batch)},
		"lr":          {fmt.Sprint(opts.lr), fmt.Sprint(s.recipe.LR)},
		"seed":        {fmt.Sprint(opts.seed), fmt.Sprint(s.recipe.Seed)},
		"limit":       {fmt.Sprint(opts.limit), fmt.Sprint(s.recipe.Limit)},
		"dataset":     {opts.dataset, s.recipe.dataset()},
		"binarize":    {fmt.Sprint(opts.binarize), fmt.Sprint(s.recipe.Binarize)},
		"valid":       {fmt.Sprint(opts.valid), fmt.Sprint(s.recipe.Valid)},
		"patience":    {fmt.Sprint(opts.patience), fmt.Sprint(s.recipe.Patience)},
		"lr-schedule": {scheduleName(opts.schedule), scheduleName(s.recipe.Schedule)},
		"lr-gamma":    {fmt.Sprint(opts.lrGamma), fmt.Sprint(s.recipe.LRGamma)},
		"lr-min":      {fmt.Sprint(opts.lrMin), fmt.Sprint(s.recipe.LRMin)},
		"iwae":        {fmt.Sprint(max(opts.iwae, 1)), fmt.Sprint(max(s.recipe.IWAE, 1))},
		"warmup":      {fmt.Sprint(opts.warmup), fmt.Sprint(s.recipe.Warmup)},
		"model":       {modelKind(opts.config), kind},
		"hidden":      {fmt.Sprint(opts.config.Hidden), fmt.Sprint(cfg.Hidden)},
		"latent":      {fmt.Sprint(opts.config.Latent), fmt.Sprint(cfg.Latent)},
		"beta":        {fmt.Sprint(opts.config.Beta), fmt.Sprint(cfg.Beta)},
		"likelihood":  {string(opts.config.Likelihood), string(cfg.Likelihood)},
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

func scheduleName(s string) string {
	if s == "" {
		return scheduleConstant
	}
	return s
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
	// Best is the epoch with the lowest validation loss so far, and
	// bestParams its weights; nil without a validation split.
	Best       *best `json:"best,omitempty"`
	bestParams [][]float32
	// Stopped is set when early stopping ended the run.
	Stopped bool `json:"stopped,omitempty"`
}

// best is the best validation epoch so far.
type best struct {
	Epoch int     `json:"epoch"`
	Loss  float64 `json:"valid_loss"`
}

// Streams of the seeded PCG, one per use, so that the same seed gives the
// same weights, data order and noise.
const (
	streamInit  = 1
	streamNoise = 2
	streamOrder = 3 // plus the epoch number
	// streamBinarize, with the epoch in bits 32..61 and the image in bits
	// 0..31, seeds the dynamic binarization of each image in each epoch.
	streamBinarize = 1 << 62
)

// bestPrefix starts the names of the checkpoint's tensors holding the best
// validation epoch's weights.
const bestPrefix = model.OptimPrefix + "best."

func newState(opts options) (*state, error) {
	m, err := model.New(opts.config, rand.New(rand.NewPCG(opts.seed, streamInit)))
	if err != nil {
		return nil, err
	}
	return &state{
		model:  m,
		opt:    model.NewAdam(opts.lr),
		noise:  rand.NewPCG(opts.seed, streamNoise),
		recipe: opts.recipe(),
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

// encode writes the checkpoint: the float32 weights, Adam's moments as
// float32 tensors named optim.m.<param> and optim.v.<param>, and the rest as
// JSON. Every number is stored as the run holds it, so a resumed run goes on
// bit for bit.
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
				tensor32(model.OptimPrefix+"m."+p.Name, p.Shape, s.opt.M[i]),
				tensor32(model.OptimPrefix+"v."+p.Name, p.Shape, s.opt.V[i]))
		}
	}
	if s.Best != nil {
		for i, p := range s.model.Params() {
			extra = append(extra, tensor32(bestPrefix+p.Name, p.Shape, s.bestParams[i]))
		}
	}
	return model.SaveCheckpoint(w, s.model, model.Metadata{"train": string(train)}, extra)
}

// tensor32 returns data as a float32 safetensors tensor: safetensors holds
// values as float64 in memory, exactly.
func tensor32(name string, shape []int, data []float32) safetensors.Tensor {
	wide := make([]float64, len(data))
	for i, v := range data {
		wide[i] = float64(v)
	}
	return safetensors.Tensor{Name: name, DType: safetensors.F32, Shape: shape, Data: wide}
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
	case s.Best != nil && (s.Best.Epoch < 1 || s.Best.Epoch > s.Epoch):
		return nil, fmt.Errorf("best epoch %d of %d done", s.Best.Epoch, s.Epoch)
	}
	s.recipe = c.Recipe
	s.noise = new(rand.PCG)
	if err := s.noise.UnmarshalBinary(c.Noise); err != nil {
		return nil, fmt.Errorf("noise state: %w", err)
	}
	s.opt = model.NewAdam(c.Recipe.LR)
	s.opt.Steps = c.AdamSteps
	byName := map[string][]float32{}
	for _, t := range extra {
		if strings.HasPrefix(t.Name, model.OptimPrefix) {
			data := make([]float32, len(t.Data))
			for i, v := range t.Data {
				data[i] = float32(v)
			}
			byName[t.Name] = data
		}
	}
	if s.Best != nil {
		for _, p := range m.Params() {
			b := byName[bestPrefix+p.Name]
			if len(b) != len(p.Data) {
				return nil, fmt.Errorf("best epoch's weights for %s missing or misshapen", p.Name)
			}
			s.bestParams = append(s.bestParams, b)
		}
	}
	if c.AdamSteps > 0 {
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
