package widget

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Command is one request from the embedding page, sent with postMessage as
//
//	{target: "vaeplay", type: "set", model?: "vae"|"cvae", digit?: -1..9, seed?: N,
//	 z?: [numbers], to?: [numbers], temperature?: 0.1..2,
//	 panel?: "sample"|"sliders"|"map"|"interpolate"|"grid"|"draw"}
//	{target: "vaeplay", type: "sample"}
//
// A nil field of a set command leaves that part of the view alone.
type Command struct {
	Sample      bool      // type "sample": draw a new z (seed+1)
	Kind        *Kind     // type "set": choose the model
	Digit       *int      // type "set": choose the digit; -1 means the plain VAE
	Seed        *uint64   // type "set": choose z by its seed
	Z           []float64 // type "set": choose z itself (rounded to three decimals); on the map, its point
	To          []float64 // type "set": the interpolation's end (rounded likewise)
	Temperature *float64  // type "set": the temperature of samples
	Panel       *Panel    // type "set": what the main area shows
}

// Target is the value of the "target" field that marks a message as meant
// for the widget; other messages are not the widget's business.
const Target = "vaeplay"

// maxQuoted bounds how much of a bad message an error repeats.
const maxQuoted = 120

// ParseCommand reads a message's data, JSON-encoded (as JSON.stringify
// writes it), for a widget with the given panels. Anything malformed yields
// an error that names the problem and quotes the message; nothing of a
// malformed command is applied.
func ParseCommand(data []byte, panels Panels) (Command, error) {
	c, err := parseCommand(data, panels)
	if err != nil {
		q := string(data)
		if len(q) > maxQuoted {
			// Cut at a character boundary: half a character would make the
			// error invalid UTF-8.
			cut := maxQuoted
			for cut > 0 && !utf8.RuneStart(q[cut]) {
				cut--
			}
			q = q[:cut] + "…"
		}
		return Command{}, fmt.Errorf("message %s: %w", q, err)
	}
	return c, nil
}

func parseCommand(data []byte, panels Panels) (Command, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil || fields == nil {
		return Command{}, errors.New("want a JSON object")
	}
	var target, typ string
	if err := stringField(fields, "target", &target); err != nil {
		return Command{}, err
	}
	if target != Target {
		return Command{}, fmt.Errorf("target %q: want %q", target, Target)
	}
	if err := stringField(fields, "type", &typ); err != nil {
		return Command{}, err
	}
	var known []string
	switch typ {
	case "sample":
		known = []string{"target", "type"}
	case "set":
		known = []string{"target", "type", "model", "digit", "seed", "z", "to", "temperature", "panel"}
	default:
		return Command{}, fmt.Errorf("type %q: want \"set\" or \"sample\"", typ)
	}
	for _, k := range sortedKeys(fields) {
		if !slices.Contains(known, k) {
			return Command{}, fmt.Errorf("unknown field %q in a %s message (known: %s)", k, typ, strings.Join(known, ", "))
		}
	}
	if typ == "sample" {
		return Command{Sample: true}, nil
	}

	var c Command
	if raw, ok := fields["model"]; ok {
		s, ok := asString(raw)
		if !ok || (Kind(s) != VAE && Kind(s) != CVAE) {
			return Command{}, fmt.Errorf("model %s: want \"vae\" or \"cvae\"", raw)
		}
		k := Kind(s)
		c.Kind = &k
	}
	if raw, ok := fields["digit"]; ok {
		d, err := strconv.Atoi(number(raw))
		if err != nil || d < -1 || d >= Digits {
			return Command{}, fmt.Errorf("digit %s: want an integer 0..9, or -1 for the plain VAE", raw)
		}
		c.Digit = &d
	}
	if raw, ok := fields["seed"]; ok {
		s, err := parseSeedJSON(raw)
		if err != nil {
			return Command{}, err
		}
		c.Seed = &s
	}
	for _, f := range []struct {
		name string
		dst  *[]float64
	}{{"z", &c.Z}, {"to", &c.To}} {
		raw, ok := fields[f.name]
		if !ok {
			continue
		}
		var vs []json.RawMessage
		if err := json.Unmarshal(raw, &vs); err != nil || vs == nil || len(vs) == 0 {
			return Command{}, fmt.Errorf("%s %s: want an array of numbers", f.name, clip(raw))
		}
		if len(vs) > maxLatent {
			return Command{}, fmt.Errorf("%s: %d numbers, want at most %d", f.name, len(vs), maxLatent)
		}
		z := make([]float64, len(vs))
		for i, v := range vs {
			x, err := strconv.ParseFloat(number(v), 64)
			if err == nil {
				err = checkZ(i, x)
			}
			if err != nil {
				return Command{}, fmt.Errorf("%s entry %d %s: want a number within ±%g", f.name, i+1, clip(v), ZMax)
			}
			z[i] = Quantize(x, zDecimals)
		}
		*f.dst = z
	}
	if raw, ok := fields["temperature"]; ok {
		f, err := strconv.ParseFloat(number(raw), 64)
		if err == nil {
			f, err = parseTemperature(f)
		}
		if err != nil {
			return Command{}, fmt.Errorf("temperature %s: want a number %g..%g", clip(raw), TempMin, TempMax)
		}
		c.Temperature = &f
	}
	if raw, ok := fields["panel"]; ok {
		v, ok := asString(raw)
		if !ok {
			return Command{}, fmt.Errorf("panel %s: want a string", clip(raw))
		}
		p, err := panels.parse(v)
		if err != nil {
			return Command{}, err
		}
		c.Panel = &p
	}
	switch {
	case c.Kind == nil && c.Digit == nil && c.Seed == nil && c.Z == nil && c.To == nil && c.Temperature == nil && c.Panel == nil:
		return Command{}, errors.New("a set message needs model, digit, seed, z, to, temperature or panel")
	case c.Kind != nil && c.Digit != nil && *c.Kind == VAE && *c.Digit >= 0:
		return Command{}, fmt.Errorf("digit %d with model \"vae\": the plain VAE takes no digit", *c.Digit)
	case c.Kind != nil && c.Digit != nil && *c.Kind == CVAE && *c.Digit < 0:
		return Command{}, errors.New("digit -1 with model \"cvae\": the CVAE needs a digit 0..9")
	}
	return c, nil
}

// stringField stores the string field name of fields in dst.
func stringField(fields map[string]json.RawMessage, name string, dst *string) error {
	raw, ok := fields[name]
	if !ok {
		return fmt.Errorf("missing field %q", name)
	}
	s, ok := asString(raw)
	if !ok {
		return fmt.Errorf("%s %s: want a string", name, raw)
	}
	*dst = s
	return nil
}

// asString decodes raw if it is a JSON string; json.Unmarshal alone would
// accept null as well.
func asString(raw json.RawMessage) (string, bool) {
	var s string
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// number returns raw if it is a JSON number and "" otherwise, so that
// strconv rejects strings, booleans and null alike.
func number(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) {
		return ""
	}
	return string(raw)
}

// parseSeedJSON accepts a seed as a JSON number up to MaxSafeSeed (larger
// numbers have already lost digits in JavaScript) or as a decimal string for
// the whole uint64 range.
func parseSeedJSON(raw json.RawMessage) (uint64, error) {
	if s, ok := asString(raw); ok {
		return parseSeed(s)
	}
	n, err := strconv.ParseUint(number(raw), 10, 64)
	if err != nil || n > MaxSafeSeed {
		return 0, fmt.Errorf("seed %s: want an integer 0..%d, or a decimal string for larger seeds", raw, uint64(MaxSafeSeed))
	}
	return n, nil
}

// clip shortens a raw JSON value for an error message.
func clip(raw json.RawMessage) string {
	if len(raw) > 40 {
		return strings.ToValidUTF8(string(raw[:40]), "") + "…"
	}
	return string(raw)
}

func sortedKeys(m map[string]json.RawMessage) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
