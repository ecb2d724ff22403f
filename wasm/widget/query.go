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
}

// queryParams lists the parameters ParseQuery knows, in the order errors
// mention them.
var queryParams = []string{"model", "digit", "seed", "weights"}

// ParseQuery reads embed.html's query string (with or without the leading
// "?"): model=vae|cvae, digit=0..9, seed=decimal uint64, weights=URL.
// A bad parameter falls back to its default and adds an error naming it, so
// the widget always has something to show; seed is the default seed.
func ParseQuery(query string, seed uint64) (Options, []error) {
	opt := Options{Selection: Selection{Kind: CVAE, Digit: -1, Seed: seed}}
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
