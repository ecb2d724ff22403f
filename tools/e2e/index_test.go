package e2e

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
)

// testIndex checks the demo page: it forwards its query string to the
// iframe, receives the widget's messages and shows them, and can drive the
// widget with postMessage as any embedding page may.
func testIndex(t *testing.T, bctx context.Context, base string) {
	tb := openTab(t, bctx)
	tb.navigate(base + "index.html?seed=1&digit=4")

	msgs := tb.waitMessages(`a "ready" message from the iframe`, func(ms []Message) bool {
		return slices.ContainsFunc(ms, func(m Message) bool { return m.Type == "ready" })
	})
	i := slices.IndexFunc(msgs, func(m Message) bool { return m.Type == "ready" })
	ready := msgs[i].State
	if ready == nil || ready.Status != "ready" {
		t.Fatalf("ready message without a ready state: %+v", msgs[i])
	}
	if ready.Seed != 1 || ready.Digit != 4 || ready.Model != "cvae" {
		t.Errorf("index.html?seed=1&digit=4: the iframe reports seed %v digit %d model %q; the query string was not forwarded", ready.Seed, ready.Digit, ready.Model)
	}
	if !slices.ContainsFunc(msgs, func(m Message) bool { return m.Type == "state" && m.State != nil }) {
		t.Errorf("no state message before or with ready; got types %q", types(msgs))
	}
	var text string
	if err := tb.eval(`JSON.stringify(document.body.innerText)`, &text); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "ready") {
		t.Errorf("index.html shows no readout of the state it receives (no %q in its text)", "ready")
	}

	// The README's picture: the demo as a reader first sees it, before the
	// messages below change the widget and show an error.
	if out := os.Getenv("VAEPLAY_SCREENSHOT"); out != "" {
		tb.saveScreenshot(fromRoot(t, out))
	}

	// Drive the widget as an embedding page would.
	post := func(msg string) {
		t.Helper()
		var ok bool
		if err := tb.eval(`JSON.stringify((() => { const f = document.querySelector("iframe"); if (!f) return false; f.contentWindow.postMessage(`+msg+`, "*"); return true; })())`, &ok); err != nil || !ok {
			t.Fatalf("posting %s to the iframe: ok=%v err=%v", msg, ok, err)
		}
	}
	n := len(msgs)
	post(`{target: "vaeplay", type: "set", digit: 6, seed: 7}`)
	tb.waitMessages("a state message with digit 6 and seed 7", func(ms []Message) bool {
		return slices.ContainsFunc(ms[n:], func(m Message) bool {
			return m.Type == "state" && m.State != nil && m.State.Digit == 6 && m.State.Seed == 7 && m.State.Model == "cvae"
		})
	})
	n = len(tb.messages())
	post(`{target: "vaeplay", type: "sample"}`)
	tb.waitMessages("a state message with the next seed after sample", func(ms []Message) bool {
		return slices.ContainsFunc(ms[n:], func(m Message) bool { return m.Type == "state" && m.State != nil && m.State.Seed == 8 })
	})
	n = len(tb.messages())
	post(`{target: "vaeplay", type: "set", digit: "six"}`)
	tb.waitMessages("an error message answering a malformed set", func(ms []Message) bool {
		return slices.ContainsFunc(ms[n:], func(m Message) bool { return m.Type == "error" && m.Message != "" })
	})
}
