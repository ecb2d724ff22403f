package widget

import (
	"errors"
	"fmt"

	"vaeplay/model"
)

// Availability is how far a model's weights have come.
type Availability int

const (
	// Loading: the weights are being fetched or parsed.
	Loading Availability = iota
	// Ready: the model decodes.
	Ready
	// Failed: the weights could not be fetched or loaded.
	Failed
)

// Role is what a loaded model serves as.
type Role int

const (
	// FullModel is the model of its kind: every panel but the map shows it.
	FullModel Role = iota
	// MapModel is the model the map shows for its kind: its latent space is a
	// plane (MapLatent). It may be the full model itself, when that one's
	// latent space is a plane already.
	MapModel
)

// String names the role in errors: "model" or "the map's model".
func (r Role) String() string {
	if r == MapModel {
		return "the map's model"
	}
	return "model"
}

// Loaded is the loader's one message: how loading one file ended. The
// loader sends one for each file it tries, and State.Load hands it to the
// registry.
type Loaded struct {
	// Kind and Role are what the model is loaded for. Kind is empty for a
	// file whose kind could not be told (a weights= file that failed before
	// it said what it holds): then Err is shown and no model changes.
	Kind Kind
	Role Role
	// Model and Meta are the model and its file's metadata; nil with Err.
	Model *model.Model
	Meta  model.Metadata
	Err   error
}

// Models is the widget's registry of models: for each kind its full model
// and its map's, with what the full model's metadata say (the latent
// dimensions ranked, their KL, the percentiles of the test set's scores).
// Package game reads it; only State.Load changes it.
type Models struct {
	full, plane [len(Kinds)]entry
}

// entry is one model of the registry.
type entry struct {
	avail Availability
	asked bool // the map's model has been asked for
	m     *model.Model
	rank  []int     // latent dimensions, most important first
	kl    []float64 // latent_kl; nil when the file has none
	pcts  []float64 // nelbo_percentiles; nil when the file has none
}

func (r *Models) entry(k Kind, role Role) *entry {
	i := k.index()
	switch {
	case i < 0:
		return nil
	case role == MapModel:
		return &r.plane[i]
	}
	return &r.full[i]
}

// Model returns the full model of kind k, or nil until it is loaded.
func (r *Models) Model(k Kind) *model.Model { return r.get(k, FullModel).m }

// Plane returns the map's model of kind k, or nil until it is loaded.
func (r *Models) Plane(k Kind) *model.Model { return r.get(k, MapModel).m }

// Availability reports how far the full model of kind k has come; an
// unknown kind has failed.
func (r *Models) Availability(k Kind) Availability { return r.get(k, FullModel).avail }

// PlaneAvailability reports how far the map's model of kind k has come.
func (r *Models) PlaneAvailability(k Kind) Availability { return r.get(k, MapModel).avail }

// Latent returns the latent size of the full model of kind k, 0 until it is
// loaded.
func (r *Models) Latent(k Kind) int {
	if m := r.Model(k); m != nil {
		return m.Config.Latent
	}
	return 0
}

// Ranking returns the latent dimensions of the full model of kind k, most
// important first (RankLatents): what the sliders show. Not to be modified.
func (r *Models) Ranking(k Kind) []int { return r.get(k, FullModel).rank }

// KL returns the latent_kl of the full model of kind k: the mean KL of each
// latent dimension on the test set, in nats; nil when its file has none.
func (r *Models) KL(k Kind) []float64 { return r.get(k, FullModel).kl }

// Percentiles returns the nelbo_percentiles of the full model of kind k,
// which place a drawing's score among the test set's; nil when its file has
// none.
func (r *Models) Percentiles(k Kind) []float64 { return r.get(k, FullModel).pcts }

// Ask reports whether the map's model of kind k is still to be asked for,
// the first time, and notes that it has been.
func (r *Models) Ask(k Kind) bool {
	e := r.entry(k, MapModel)
	if e == nil || e.asked || e.avail != Loading {
		return false
	}
	e.asked = true
	return true
}

// failed is the entry of a kind the widget does not know.
var failed = entry{avail: Failed}

func (r *Models) get(k Kind, role Role) *entry {
	if e := r.entry(k, role); e != nil {
		return e
	}
	f := failed
	return &f
}

// add records a model that loaded. Metadata that do not parse cost what
// they would have told, not the model: errs say what the widget does
// without. A model that cannot serve as it was loaded for is an error, and
// add records nothing.
func (r *Models) add(msg Loaded) (errs []error, err error) {
	e := r.entry(msg.Kind, msg.Role)
	if e == nil {
		return nil, fmt.Errorf("%s of an unknown kind %q", msg.Role, msg.Kind)
	}
	m := msg.Model
	if m == nil {
		return nil, errors.New("loaded without a model")
	}
	k, err := KindOf(m.Config)
	switch {
	case err != nil:
		return nil, err
	case k != msg.Kind:
		return nil, fmt.Errorf("holds a %s, want a %s", k, msg.Kind)
	case msg.Role == MapModel && m.Config.Latent != MapLatent:
		return nil, fmt.Errorf("the map shows models with %d latent dimensions, this %s has %d", MapLatent, k, m.Config.Latent)
	}
	*e = entry{avail: Ready, asked: true, m: m}
	if msg.Role == MapModel {
		return nil, nil
	}
	e.kl, e.pcts, errs = readMetadata(m, msg.Meta)
	for i, err := range errs {
		errs[i] = fmt.Errorf("model %s: %w", k, err)
	}
	e.rank = RankLatents(m, e.kl)
	return errs, nil
}

// fail records that the model of kind k for role could not be had.
func (r *Models) fail(k Kind, role Role) {
	if e := r.entry(k, role); e != nil {
		*e = entry{avail: Failed, asked: true}
	}
}
