package widget

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"vaeplay/model"
)

// TestModels feeds the registry through State.Load, as the loader does, and
// checks what it keeps and what follows.
func TestModels(t *testing.T) {
	const latent = 4
	cvae, vae, plane := tinyModel(t, CVAE, latent), tinyModel(t, VAE, latent), tinyModel(t, VAE, MapLatent)
	kl := `[0.5, 3, 0.1, 2]`
	tests := []struct {
		name  string
		start Selection
		panel Panel
		msgs  []Loaded
		check func(t *testing.T, s *State)
	}{
		{
			name: "full model with its metadata", start: Selection{CVAE, 3, 1},
			msgs: []Loaded{{Kind: CVAE, Model: cvae, Meta: model.Metadata{model.LatentKLKey: kl}}},
			check: func(t *testing.T, s *State) {
				r := s.Models()
				if r.Availability(CVAE) != Ready || r.Model(CVAE) != cvae || r.Latent(CVAE) != latent || s.ErrorCount() != 0 {
					t.Errorf("availability %v model %p latent %d errors %q", r.Availability(CVAE), r.Model(CVAE), r.Latent(CVAE), s.Errors())
				}
				if got := r.Ranking(CVAE); !slices.Equal(got, []int{1, 3, 0, 2}) {
					t.Errorf("ranking %v, want by latent_kl [1 3 0 2]", got)
				}
				if r.KL(CVAE) == nil || r.Percentiles(CVAE) != nil {
					t.Errorf("KL %v percentiles %v, want the file's KL and no percentiles", r.KL(CVAE), r.Percentiles(CVAE))
				}
				if r.Availability(VAE) != Loading || r.PlaneAvailability(CVAE) != Loading {
					t.Errorf("the others: %v %v, want loading", r.Availability(VAE), r.PlaneAvailability(CVAE))
				}
			},
		},
		{
			name: "malformed metadata cost what they tell, not the model", start: Selection{CVAE, 3, 1},
			msgs: []Loaded{{Kind: CVAE, Model: cvae, Meta: model.Metadata{model.LatentKLKey: `[1, 2]`, model.NELBOPercentilesKey: `"x"`}}},
			check: func(t *testing.T, s *State) {
				r := s.Models()
				errs := s.Errors()
				if r.Availability(CVAE) != Ready || r.KL(CVAE) != nil || r.Percentiles(CVAE) != nil || len(r.Ranking(CVAE)) != latent || len(errs) != 2 {
					t.Fatalf("availability %v KL %v percentiles %v ranking %v errors %q", r.Availability(CVAE), r.KL(CVAE), r.Percentiles(CVAE), r.Ranking(CVAE), errs)
				}
				if !strings.HasPrefix(errs[0], "model cvae: ") || !strings.HasSuffix(errs[0], "(ranking the sliders by decoder weights instead)") ||
					!strings.HasPrefix(errs[1], "model cvae: ") || !strings.HasSuffix(errs[1], "(drawings get no percentile)") {
					t.Errorf("errors %q, want each naming the model and what the widget does without", errs)
				}
			},
		},
		{
			name: "a failed model moves the selection to the other", start: Selection{CVAE, 3, 1},
			msgs: []Loaded{{Kind: CVAE, Err: errors.New("weights/cvae.safetensors: HTTP 404")}},
			check: func(t *testing.T, s *State) {
				if s.Models().Availability(CVAE) != Failed || s.Selection().Kind != VAE || s.ErrorCount() != 1 {
					t.Errorf("availability %v selection %+v errors %q", s.Models().Availability(CVAE), s.Selection(), s.Errors())
				}
			},
		},
		{
			name: "a model of the wrong kind fails", start: Selection{VAE, -1, 1},
			msgs: []Loaded{{Kind: CVAE, Model: vae}},
			check: func(t *testing.T, s *State) {
				if s.Models().Availability(CVAE) != Failed || s.Models().Model(CVAE) != nil || s.ErrorCount() != 1 || !strings.Contains(s.Errors()[0], "holds a vae, want a cvae") {
					t.Errorf("availability %v errors %q", s.Models().Availability(CVAE), s.Errors())
				}
			},
		},
		{
			name: "the map's model", start: Selection{VAE, -1, 1}, panel: PanelMap,
			msgs: []Loaded{{Kind: VAE, Role: MapModel, Model: plane}},
			check: func(t *testing.T, s *State) {
				r := s.Models()
				if r.PlaneAvailability(VAE) != Ready || r.Plane(VAE) != plane || r.Model(VAE) != nil || r.Availability(VAE) != Loading || s.Panel() != PanelMap {
					t.Errorf("plane %v %p, full %p %v, panel %s", r.PlaneAvailability(VAE), r.Plane(VAE), r.Model(VAE), r.Availability(VAE), s.Panel())
				}
				if s.AskMap(VAE) {
					t.Error("the map's model asked for after it arrived")
				}
			},
		},
		{
			name: "the map's model must be 2-D", start: Selection{VAE, -1, 1}, panel: PanelMap,
			msgs: []Loaded{{Kind: VAE, Role: MapModel, Model: vae}},
			check: func(t *testing.T, s *State) {
				if s.Models().PlaneAvailability(VAE) != Failed || s.Panel() != PanelSample || s.ErrorCount() != 1 || !strings.Contains(s.Errors()[0], "the map shows models with 2 latent dimensions") {
					t.Errorf("availability %v panel %s errors %q", s.Models().PlaneAvailability(VAE), s.Panel(), s.Errors())
				}
			},
		},
		{
			name: "the map's model failing elsewhere leaves the panel", start: Selection{VAE, -1, 1}, panel: PanelMap,
			msgs: []Loaded{{Kind: CVAE, Role: MapModel, Err: errors.New("the map's model: HTTP 404")}},
			check: func(t *testing.T, s *State) {
				if s.Models().PlaneAvailability(CVAE) != Failed || s.Panel() != PanelMap || s.ErrorCount() != 1 {
					t.Errorf("availability %v panel %s errors %q", s.Models().PlaneAvailability(CVAE), s.Panel(), s.Errors())
				}
			},
		},
		{
			name: "a weights= file that failed before saying its kind", start: Selection{CVAE, 1, 1},
			msgs: []Loaded{{Err: errors.New("bad.safetensors: HTTP 404 (using the default weights)")}},
			check: func(t *testing.T, s *State) {
				if s.ErrorCount() != 1 || s.Models().Availability(CVAE) != Loading || s.Models().Availability(VAE) != Loading {
					t.Errorf("errors %q availability %v %v", s.Errors(), s.Models().Availability(CVAE), s.Models().Availability(VAE))
				}
			},
		},
		{
			name: "an unknown kind", start: Selection{CVAE, 1, 1},
			msgs: []Loaded{{Kind: "gan", Model: vae}},
			check: func(t *testing.T, s *State) {
				if s.ErrorCount() != 1 || s.Models().Availability("gan") != Failed {
					t.Errorf("errors %q availability %v", s.Errors(), s.Models().Availability("gan"))
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newState(Options{Selection: tt.start, Panel: tt.panel}, nil)
			for _, msg := range tt.msgs {
				s.Load(msg)
			}
			tt.check(t, s)
		})
	}
}

func TestAskMap(t *testing.T) {
	s := newState(Options{Selection: Selection{CVAE, 1, 1}}, nil)
	if !s.AskMap(CVAE) || s.AskMap(CVAE) {
		t.Error("AskMap: want true once, then false")
	}
	if !s.AskMap(VAE) {
		t.Error("AskMap(VAE) after AskMap(CVAE): want true")
	}
	s.Load(Loaded{Kind: VAE, Role: MapModel, Err: errors.New("404")})
	if s.AskMap(VAE) || s.AskMap("gan") {
		t.Error("AskMap after a failure, or of an unknown kind: want false")
	}
}
