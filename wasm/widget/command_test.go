package widget

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func ptr[T any](v T) *T { return &v }

func TestParseCommand(t *testing.T) {
	tests := []struct {
		data string
		want Command
		err  string // substring of the error; "" for none
	}{
		{data: `{"target":"vaeplay","type":"sample"}`, want: Command{Sample: true}},
		{data: `{"type":"sample","target":"vaeplay"}`, want: Command{Sample: true}},
		{data: `{"target":"vaeplay","type":"set","digit":3}`, want: Command{Digit: ptr(3)}},
		{data: `{"target":"vaeplay","type":"set","digit":0}`, want: Command{Digit: ptr(0)}},
		{data: `{"target":"vaeplay","type":"set","digit":-1}`, want: Command{Digit: ptr(-1)}},
		{data: `{"target":"vaeplay","type":"set","model":"vae"}`, want: Command{Kind: ptr(VAE)}},
		{data: `{"target":"vaeplay","type":"set","model":"cvae","digit":9,"seed":77}`,
			want: Command{Kind: ptr(CVAE), Digit: ptr(9), Seed: ptr(uint64(77))}},
		{data: `{"target":"vaeplay","type":"set","model":"vae","digit":-1}`, want: Command{Kind: ptr(VAE), Digit: ptr(-1)}},
		{data: `{"target":"vaeplay","type":"set","seed":0}`, want: Command{Seed: ptr(uint64(0))}},
		{data: `{"target":"vaeplay","type":"set","seed":9007199254740991}`, want: Command{Seed: ptr(uint64(MaxSafeSeed))}},
		{data: `{"target":"vaeplay","type":"set","seed":"18446744073709551615"}`, want: Command{Seed: ptr(uint64(18446744073709551615))}},

		{data: ``, err: "want a JSON object"},
		{data: `null`, err: "want a JSON object"},
		{data: `"set"`, err: "want a JSON object"},
		{data: `[1,2]`, err: "want a JSON object"},
		{data: `{"target":"vaeplay","type":"set"`, err: "want a JSON object"},
		{data: `{}`, err: `missing field "target"`},
		{data: `{"type":"sample"}`, err: `missing field "target"`},
		{data: `{"target":"other","type":"sample"}`, err: `target "other": want "vaeplay"`},
		{data: `{"target":1,"type":"sample"}`, err: `target 1: want a string`},
		{data: `{"target":"vaeplay"}`, err: `missing field "type"`},
		{data: `{"target":"vaeplay","type":null}`, err: `type null: want a string`},
		{data: `{"target":"vaeplay","type":"reset"}`, err: `type "reset": want "set" or "sample"`},
		{data: `{"target":"vaeplay","type":"SET","digit":1}`, err: `type "SET"`},
		{data: `{"target":"vaeplay","type":"sample","n":3}`, err: `unknown field "n" in a sample message`},
		{data: `{"target":"vaeplay","type":"sample","digit":3}`, err: `unknown field "digit" in a sample message`},
		{data: `{"target":"vaeplay","type":"set","digt":3}`, err: `unknown field "digt" in a set message`},
		{data: `{"target":"vaeplay","type":"set"}`, err: "needs model, digit, seed, z, to, temperature or panel"},
		{data: `{"target":"vaeplay","type":"set","z":[0.5,-1.2346,0]}`, want: Command{Z: []float64{0.5, -1.235, 0}}},
		{data: `{"target":"vaeplay","type":"set","temperature":0.8,"panel":"sliders"}`, want: Command{Temperature: ptr(0.8), Panel: ptr(PanelSliders)}},
		{data: `{"target":"vaeplay","type":"set","digit":2,"panel":"interpolate"}`, want: Command{Digit: ptr(2), Panel: ptr(PanelInterpolate)}},
		{data: `{"target":"vaeplay","type":"set","z":[]}`, err: "z []: want an array of numbers"},
		{data: `{"target":"vaeplay","type":"set","z":"1,2"}`, err: `z "1,2": want an array of numbers`},
		{data: `{"target":"vaeplay","type":"set","z":[1,"2"]}`, err: `z entry 2 "2": want a number within ±6`},
		{data: `{"target":"vaeplay","type":"set","z":[1,7]}`, err: `z entry 2 7`},
		{data: `{"target":"vaeplay","type":"set","z":[null]}`, err: `z entry 1 null`},
		{data: `{"target":"vaeplay","type":"set","temperature":5}`, err: "temperature 5: want a number 0.1..2"},
		{data: `{"target":"vaeplay","type":"set","temperature":"hot"}`, err: `temperature "hot"`},
		{data: `{"target":"vaeplay","type":"set","panel":"map","z":[0.5,-1]}`, want: Command{Panel: ptr(PanelMap), Z: []float64{0.5, -1}}},
		{data: `{"target":"vaeplay","type":"set","to":[1,2.00049]}`, want: Command{To: []float64{1, 2}}},
		{data: `{"target":"vaeplay","type":"set","to":[1,"x"]}`, err: `to entry 2 "x": want a number within ±6`},
		{data: `{"target":"vaeplay","type":"set","to":{}}`, err: `to {}: want an array of numbers`},
		{data: `{"target":"vaeplay","type":"set","panel":"tabs"}`, err: `panel "tabs": want one of`},
		{data: `{"target":"vaeplay","type":"set","panel":3}`, err: `panel 3: want a string`},
		{data: `{"target":"vaeplay","type":"set","digit":10}`, err: "digit 10: want an integer 0..9"},
		{data: `{"target":"vaeplay","type":"set","digit":-2}`, err: "digit -2"},
		{data: `{"target":"vaeplay","type":"set","digit":3.5}`, err: "digit 3.5"},
		{data: `{"target":"vaeplay","type":"set","digit":1e0}`, err: "digit 1e0"},
		{data: `{"target":"vaeplay","type":"set","digit":"3"}`, err: `digit "3"`},
		{data: `{"target":"vaeplay","type":"set","digit":null}`, err: "digit null"},
		{data: `{"target":"vaeplay","type":"set","digit":true}`, err: "digit true"},
		{data: `{"target":"vaeplay","type":"set","digit":[3]}`, err: "digit [3]"},
		{data: `{"target":"vaeplay","type":"set","model":"foo"}`, err: `model "foo": want "vae" or "cvae"`},
		{data: `{"target":"vaeplay","type":"set","model":3}`, err: `model 3`},
		{data: `{"target":"vaeplay","type":"set","model":null}`, err: `model null`},
		{data: `{"target":"vaeplay","type":"set","model":"vae","digit":3}`, err: `digit 3 with model "vae"`},
		{data: `{"target":"vaeplay","type":"set","model":"cvae","digit":-1}`, err: `digit -1 with model "cvae"`},
		{data: `{"target":"vaeplay","type":"set","seed":-3}`, err: "seed -3: want an integer 0..9007199254740991"},
		{data: `{"target":"vaeplay","type":"set","seed":1.5}`, err: "seed 1.5"},
		{data: `{"target":"vaeplay","type":"set","seed":1e+21}`, err: "seed 1e+21"},
		{data: `{"target":"vaeplay","type":"set","seed":9007199254740992}`, err: "seed 9007199254740992"},
		{data: `{"target":"vaeplay","type":"set","seed":null}`, err: "seed null"},
		{data: `{"target":"vaeplay","type":"set","seed":"-3"}`, err: `seed "-3": want a decimal integer`},
		{data: `{"target":"vaeplay","type":"set","seed":"abc"}`, err: `seed "abc"`},
		{data: `{"target":"vaeplay","type":"set","seed":{}}`, err: `seed {}`},
	}
	for _, tt := range tests {
		got, err := ParseCommand([]byte(tt.data), testPanels)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("ParseCommand(%s, testPanels): %v", tt.data, err)
		case tt.err != "" && err == nil:
			t.Errorf("ParseCommand(%s, testPanels) = %+v, want an error containing %q", tt.data, got, tt.err)
		case tt.err != "" && !strings.Contains(err.Error(), tt.err):
			t.Errorf("ParseCommand(%s, testPanels) error %q, want it to contain %q", tt.data, err, tt.err)
		case tt.err != "" && !strings.HasPrefix(err.Error(), "message "):
			t.Errorf("ParseCommand(%s, testPanels) error %q does not quote the message", tt.data, err)
		case tt.err == "" && !sameCommand(got, tt.want):
			t.Errorf("ParseCommand(%s, testPanels) = %s, want %s", tt.data, show(got), show(tt.want))
		}
	}
}

func TestParseCommandQuotesLongMessagesShort(t *testing.T) {
	data := `{"target":"vaeplay","type":"set","junk":"` + strings.Repeat("x", 10000) + `"}`
	_, err := ParseCommand([]byte(data), testPanels)
	if err == nil {
		t.Fatal("no error for an unknown field")
	}
	if n := len(err.Error()); n > 400 {
		t.Errorf("error is %d bytes long; a banner cannot show that", n)
	}
}

func sameCommand(a, b Command) bool {
	return a.Sample == b.Sample && eqPtr(a.Kind, b.Kind) && eqPtr(a.Digit, b.Digit) && eqPtr(a.Seed, b.Seed) &&
		slices.Equal(a.Z, b.Z) && eqPtr(a.Temperature, b.Temperature) && eqPtr(a.Panel, b.Panel)
}

func eqPtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func show(c Command) string {
	var b strings.Builder
	b.WriteString("{")
	if c.Sample {
		b.WriteString(" sample")
	}
	if c.Kind != nil {
		b.WriteString(" model=" + string(*c.Kind))
	}
	if c.Digit != nil {
		b.WriteString(" digit=" + string(rune('0'+*c.Digit)))
	}
	if c.Seed != nil {
		b.WriteString(" seed set")
	}
	if c.Z != nil {
		fmt.Fprintf(&b, " z=%v", c.Z)
	}
	if c.Temperature != nil {
		fmt.Fprintf(&b, " temperature=%v", *c.Temperature)
	}
	if c.Panel != nil {
		b.WriteString(" panel=" + string(*c.Panel))
	}
	return b.String() + " }"
}
