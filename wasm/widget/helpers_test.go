package widget

import (
	"math/rand/v2"
	"testing"

	"vaeplay/model"
)

// testPanels are the widget's panels as package game's registry lists them.
var testPanels = Panels{SampleSpec, SlidersSpec, MapSpec, InterpolateSpec, GridSpec, DrawSpec}

// newState is NewState with testPanels.
func newState(opt Options, errs []error) *State { return NewState(opt, errs, testPanels) }

// layoutOf lays out a frame of w×h CSS pixels at scale with controls c and
// panel p.
func layoutOf(w, h, scale float64, c Controls, p PanelSpec) Layout {
	return ComputeLayout(Frame{W: w, H: h, Scale: scale, Controls: c, Tabs: testPanels.Names()}, p)
}

// tinyModel returns an untrained model of kind k with latent dimensions and
// one small hidden layer.
func tinyModel(t testing.TB, k Kind, latent int) *model.Model {
	t.Helper()
	cfg := model.DefaultConfig()
	cfg.Hidden, cfg.Latent = []int{16}, latent
	if k == CVAE {
		cfg.Classes = Digits
	}
	m, err := model.New(cfg, rand.New(rand.NewPCG(1, uint64(latent))))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// loadTiny hands s a tiny model of kind k, with latent dimensions, for role.
func loadTiny(t testing.TB, s *State, k Kind, role Role, latent int) {
	t.Helper()
	s.Load(Loaded{Kind: k, Role: role, Model: tinyModel(t, k, latent)})
}
