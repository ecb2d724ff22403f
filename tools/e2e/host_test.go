package e2e

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// testHostMessages drives the widget from a host page: z, temperature and
// panel by message, the state coming back, and a malformed message answered
// with an error and changing nothing.
func testHostMessages(t *testing.T, bctx context.Context, base, dir string) {
	tb := openTab(t, bctx)
	tb.navigate(base + "examples.html")
	// Several widgets report at once (the interpolation animates), so each
	// check looks at the messages of the frame it drives: ex1.
	msgs := tb.waitMessages(`"ready" from every example`, func(ms []Message) bool {
		n := 0
		for _, m := range ms {
			if m.Type == "ready" {
				n++
			}
		}
		return n >= 4
	})
	from := func(id string, ms []Message) []Message {
		var out []Message
		for _, m := range ms {
			if m.Frame == id {
				out = append(out, m)
			}
		}
		return out
	}
	keepShot(t, tb, "examples")
	post := func(msg string) {
		t.Helper()
		var ok bool
		if err := tb.eval(`JSON.stringify((() => { const f = document.querySelector("iframe"); if (!f) return false; f.contentWindow.postMessage(`+msg+`, "*"); return true; })())`, &ok); err != nil || !ok {
			t.Fatalf("posting %s: ok=%v err=%v", msg, ok, err)
		}
	}
	n := len(msgs)
	post(`{target: "vaeplay", type: "set", digit: 2, seed: 40}`)
	msgs = tb.waitMessages("state with digit 2 seed 40", func(ms []Message) bool {
		return slices.ContainsFunc(from("ex1", ms[n:]), func(m Message) bool {
			return m.Type == "state" && m.State != nil && m.State.Digit == 2 && m.State.Seed == 40 && m.State.DecodeMs > 0
		})
	})
	var last *State
	for _, m := range from("ex1", msgs) {
		if m.Type == "state" && m.State != nil && m.State.Digit == 2 && m.State.Seed == 40 {
			last = m.State
		}
	}
	z := make([]string, len(last.Z))
	for i := range z {
		z[i] = "0.5"
	}
	n = len(tb.messages())
	post(`{target: "vaeplay", type: "set", z: [` + strings.Join(z, ",") + `], panel: "sliders"}`)
	tb.waitMessages("state with the z sent", func(ms []Message) bool {
		return slices.ContainsFunc(from("ex1", ms[n:]), func(m Message) bool {
			return m.Type == "state" && m.State != nil && len(m.State.Z) > 0 && m.State.Z[0] == 0.5 && m.State.Z[len(m.State.Z)-1] == 0.5
		})
	})
	// Malformed: answered with an error, nothing changes.
	n = len(tb.messages())
	post(`{target: "vaeplay", type: "set", z: [1, "two"], temperature: 0.5}`)
	ms := tb.waitMessages("an error answering a malformed z", func(ms []Message) bool {
		return slices.ContainsFunc(from("ex1", ms[n:]), func(m Message) bool { return m.Type == "error" && strings.Contains(m.Message, "z entry 2") })
	})
	for _, m := range from("ex1", ms[n:]) {
		if m.State != nil && (m.State.Digit != 2 || m.State.Seed != 40 || len(m.State.Z) == 0 || m.State.Z[0] != 0.5) {
			t.Errorf("a malformed message changed the state: %+v", m.State)
		}
	}
	n = len(tb.messages())
	post(`{target: "vaeplay", type: "set", panel: "atlas"}`)
	tb.waitMessages("an error answering panel atlas", func(ms []Message) bool {
		return slices.ContainsFunc(from("ex1", ms[n:]), func(m Message) bool {
			return m.Type == "error" && strings.Contains(m.Message, `panel "atlas": want one of`)
		})
	})

	// The map example: the page's button moves the point, and the state
	// comes back with it.
	if _, err := os.Stat(filepath.Join(dir, "weights", "vae2d.safetensors")); err != nil {
		return
	}
	n = len(tb.messages())
	var ok bool
	if err := tb.eval(`JSON.stringify((() => { const b = document.querySelector('[data-z="-2,2"]'); if (!b) return false; b.click(); return true; })())`, &ok); err != nil || !ok {
		t.Fatalf("clicking the map example's button: ok=%v err=%v", ok, err)
	}
	tb.waitMessages("the map example's state at z (-2, 2)", func(ms []Message) bool {
		return slices.ContainsFunc(from("ex4", ms[n:]), func(m Message) bool {
			return m.Type == "state" && m.State != nil && slices.Equal(m.State.Z, []float64{-2, 2}) && m.State.DecodeMs > 0
		})
	})
}
