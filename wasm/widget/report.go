package widget

// Report is the widget's state as the page sees it: window.vaeplay in
// embed.html and the state field of the messages posted to the parent.
type Report struct {
	Status   string    `json:"status"` // "loading", "ready" or "error"
	Model    Kind      `json:"model"`
	Digit    int       `json:"digit"` // -1 with the VAE
	Seed     uint64    `json:"seed"`
	Z        []float64 `json:"z"`        // the current latent code
	DecodeMs float64   `json:"decodeMs"` // last decode of the main digit
	Samples  int       `json:"samples"`  // digits drawn so far
	Errors   []string  `json:"errors"`   // every error shown
	Layout   Layout    `json:"layout"`

	Temperature float64  `json:"temperature"` // of samples drawn from the seed
	Panel       Panel    `json:"panel"`
	Controls    Controls `json:"controls"`
	// ExplicitZ is true when z was set directly (a slider, the URL, a
	// message) rather than drawn from the seed.
	ExplicitZ bool `json:"explicitZ"`
	// To is the interpolation's end: [] for the next sample's z, else the z
	// set (by the draw panel's morph, the URL's to= or a message).
	To []float64 `json:"to"`
	// Ranking tells how the sliders' dimensions were ranked: "latent_kl"
	// (the weights' metadata) or "decoder" (the load-time proxy).
	Ranking string `json:"ranking"`
	// Permalink reproduces this view: the query string from the state, to
	// which the game prefixes embed.html's own address.
	Permalink string `json:"permalink"`
	// Draw is what the draw panel made of the drawing; the game fills it in.
	Draw DrawReport `json:"draw"`
	// FPS is Ebiten's ActualFPS when the report was made, rounded to a
	// whole frame; the game fills it in. Reports are made when something
	// changes, so it is current while a slider is dragged, stale when idle.
	FPS float64 `json:"fps"`
}

// DrawReport describes the drawing pad's last encode.
type DrawReport struct {
	Strokes int     `json:"strokes"` // strokes drawn since the pad was cleared
	Encodes int     `json:"encodes"` // drawings encoded so far
	Nats    float64 `json:"nats"`    // negative ELBO of the last drawing encoded; 0 before any
	// Percentile is where Nats falls among the test set's images (0..100,
	// from the weights' nelbo_percentiles): a high one is unusual. null
	// before an encode, or when the weights carry no percentiles.
	Percentile *float64 `json:"percentile"`
	// Label is the label the conditional VAE read the drawing under, whose
	// z the row decodes under every label: the chosen digit, or with "any"
	// the label under which the drawing scores best; -1 before an encode.
	Label int `json:"label"`
}

// Report assembles the state report. drawn tells whether a digit has been
// drawn; z, decodeMs, samples and the layout come from the game, as do the
// panels' own parts (Draw) and FPS.
func (s *State) Report(drawn bool, z []float64, decodeMs float64, samples int, l Layout) Report {
	if z == nil {
		z = []float64{}
	}
	if l.Chooser == nil {
		l.Chooser = []Button{}
	}
	if l.Tabs == nil {
		l.Tabs = []Button{}
	}
	if l.Sliders == nil {
		l.Sliders = []Slider{}
	}
	if l.Grid == nil {
		l.Grid = []Rect{}
	}
	ranking := "decoder"
	if s.models.KL(s.sel.Kind) != nil {
		ranking = "latent_kl"
	}
	return Report{
		Status:   s.Status(drawn),
		Model:    s.sel.Kind,
		Digit:    s.sel.Digit,
		Seed:     s.sel.Seed,
		Z:        z,
		DecodeMs: decodeMs,
		Samples:  samples,
		Errors:   s.Errors(),
		Layout:   l,

		Temperature: s.latent.Temperature(),
		Panel:       s.panel,
		Controls:    s.controls,
		ExplicitZ:   s.ExplicitZ(),
		To:          nonNil(s.To()),
		Ranking:     ranking,
		Permalink:   s.Options().Query(),
		Draw:        DrawReport{Label: -1},
	}
}

// nonNil returns z, or an empty list for nil, so that JSON shows [] not null.
func nonNil(z []float64) []float64 {
	if z == nil {
		return []float64{}
	}
	return z
}
