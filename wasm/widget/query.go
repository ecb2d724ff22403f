package widget

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Options is what embed.html's query string asks for.
type Options struct {
	Selection
	// Weights is the URL of one weights file that replaces the default file
	// of its own kind; empty means the two shipped files.
	Weights string
	// Temperature scales the noise of samples drawn from the seed:
	// z = Temperature · ε. TempDefault when not given.
	Temperature float64
	// Z is an explicit latent code that replaces the seed's, as the URL's
	// canonical comma list (FormatZ of ParseZ), or "" for the seed's z. It is
	// kept as text so that Options stays comparable.
	Z string
	// To is the interpolation's end as a canonical comma list, or "" for the
	// next sample's z: the interpolation between two drawings.
	To string
	// Panel is what the main area shows; PanelSample when not given.
	Panel Panel
	// Controls is how much chrome shows; Full when not given.
	Controls Controls
}

// queryParams lists the parameters ParseQuery knows, in the order errors
// mention them.
var queryParams = []string{"model", "digit", "seed", "temperature", "z", "to", "panel", "controls", "weights"}

// ParseQuery reads embed.html's query string (with or without the leading
// "?"): model=vae|cvae, digit=0..9, seed=decimal uint64, temperature=0.1..2,
// z=comma list, to=comma list, panel=sample|sliders|map|interpolate|grid|draw,
// controls=full|minimal, weights=URL.
// A bad parameter falls back to its default and adds an error naming it, so
// the widget always has something to show; seed is the default seed, and
// panels are the panels panel= may name.
func ParseQuery(query string, seed uint64, panels Panels) (Options, []error) {
	opt := Options{Selection: Selection{Kind: CVAE, Digit: -1, Seed: seed}, Temperature: TempDefault, Panel: PanelSample, Controls: Full}
	var errs []error
	vals, err := url.ParseQuery(strings.TrimPrefix(query, "?"))
	if err != nil {
		// ParseQuery keeps every pair it could read; the error names the first
		// it could not.
		errs = append(errs, fmt.Errorf("query %q: %w", query, err))
	}
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.Contains(queryParams, k) {
			errs = append(errs, fmt.Errorf("unknown parameter %q (known: %s)", k, strings.Join(queryParams, ", ")))
		}
	}
	// one returns the single value of a parameter, or ok=false when it is
	// absent or repeated (which is reported).
	one := func(name string) (string, bool) {
		vs := vals[name]
		switch len(vs) {
		case 0:
			return "", false
		case 1:
			return vs[0], true
		}
		errs = append(errs, fmt.Errorf("%s given %d times (%q): want it once", name, len(vs), vs))
		return "", false
	}

	kindGiven := false
	if v, ok := one("model"); ok {
		switch Kind(v) {
		case VAE, CVAE:
			opt.Kind, kindGiven = Kind(v), true
		default:
			errs = append(errs, fmt.Errorf("model %q: want vae or cvae", v))
		}
	}
	if v, ok := one("seed"); ok {
		if s, err := parseSeed(v); err != nil {
			errs = append(errs, err)
		} else {
			opt.Seed = s
		}
	}
	if v, ok := one("digit"); ok {
		switch {
		case len(v) != 1 || v[0] < '0' || v[0] > '9':
			errs = append(errs, fmt.Errorf("digit %q: want 0..9", v))
		case kindGiven && opt.Kind == VAE:
			errs = append(errs, fmt.Errorf("digit %q with model=vae: the plain VAE takes no digit (digit implies model=cvae)", v))
		default:
			opt.Kind, opt.Digit = CVAE, int(v[0]-'0')
		}
	}
	if opt.Kind == CVAE && opt.Digit < 0 {
		opt.Digit = defaultDigit(opt.Seed)
	}
	if v, ok := one("temperature"); ok {
		f, err := strconv.ParseFloat(v, 64)
		if err == nil {
			f, err = parseTemperature(f)
		} else {
			err = fmt.Errorf("temperature %q: want a number %g..%g", v, TempMin, TempMax)
		}
		if err != nil {
			errs = append(errs, err)
		} else {
			opt.Temperature = f
		}
	}
	if v, ok := one("z"); ok {
		if z, err := ParseZ(v); err != nil {
			errs = append(errs, fmt.Errorf("z %q: %w", quoteShort(v), err))
		} else {
			opt.Z = FormatZ(z)
		}
	}
	if v, ok := one("to"); ok {
		if z, err := ParseZ(v); err != nil {
			errs = append(errs, fmt.Errorf("to %q: %w", quoteShort(v), err))
		} else {
			opt.To = FormatZ(z)
		}
	}
	if v, ok := one("panel"); ok {
		if p, err := panels.parse(v); err != nil {
			errs = append(errs, err)
		} else {
			opt.Panel = p
		}
	}
	if v, ok := one("controls"); ok {
		switch Controls(v) {
		case Full, Minimal:
			opt.Controls = Controls(v)
		default:
			errs = append(errs, fmt.Errorf("controls %q: want full or minimal", v))
		}
	}
	if v, ok := one("weights"); ok {
		if err := checkWeightsURL(v); err != nil {
			errs = append(errs, err)
		} else {
			opt.Weights = v
		}
	}
	return opt, errs
}

// parseSeed reads a decimal uint64, rejecting signs, spaces and other bases
// so that the seed in a URL means exactly one z.
func parseSeed(v string) (uint64, error) {
	s, err := strconv.ParseUint(v, 10, 64)
	if err != nil || strings.HasPrefix(v, "+") {
		return 0, fmt.Errorf("seed %q: want a decimal integer 0..18446744073709551615", v)
	}
	return s, nil
}

// checkWeightsURL accepts a path relative to embed.html or an http(s) URL:
// the page fetches it, and other schemes either cannot be fetched or should
// not be.
func checkWeightsURL(v string) error {
	if strings.TrimSpace(v) == "" {
		return fmt.Errorf("weights %q: want the URL of a .safetensors file", v)
	}
	u, err := url.Parse(v)
	if err != nil {
		return fmt.Errorf("weights %q: %w", v, err)
	}
	switch strings.ToLower(u.Scheme) {
	case "", "http", "https":
		return nil
	}
	return fmt.Errorf("weights %q: want an http(s) URL or a path, not a %s: URL", v, u.Scheme)
}

// quoteShort cuts a long value for an error message.
func quoteShort(v string) string {
	if len(v) > maxQuoted {
		return v[:maxQuoted] + "…"
	}
	return v
}

// Query is the canonical query string of a view, with the leading "?":
// what a permalink holds. Parameters at their defaults are left out; z is
// written raw (digits, signs, points and commas need no escaping) so that
// the link stays short and readable.
func (o Options) Query() string {
	var parts []string
	add := func(k, v string) { parts = append(parts, k+"="+v) }
	if o.Kind == VAE {
		add("model", string(VAE))
	} else {
		add("digit", strconv.Itoa(o.Digit))
	}
	add("seed", strconv.FormatUint(o.Seed, 10))
	if o.Temperature != TempDefault && o.Temperature != 0 {
		add("temperature", strconv.FormatFloat(o.Temperature, 'f', -1, 64))
	}
	if o.Z != "" {
		add("z", o.Z)
	}
	if o.To != "" {
		add("to", o.To)
	}
	if o.Panel != "" && o.Panel != PanelSample {
		add("panel", string(o.Panel))
	}
	if o.Controls != "" && o.Controls != Full {
		add("controls", string(o.Controls))
	}
	if o.Weights != "" {
		add("weights", url.QueryEscape(o.Weights))
	}
	return "?" + strings.Join(parts, "&")
}
