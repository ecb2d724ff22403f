//go:build js

package main

import (
	"fmt"
	"syscall/js"

	"vaeplay/wasm/game"
	"vaeplay/wasm/widget"
)

// bridge connects the game to the page: it keeps window.vaeplay up to date,
// posts state, ready and error messages to the parent window, and turns the
// parent's messages and the page's pointer events into game input.
type bridge struct {
	win    js.Value
	parent js.Value // window itself when not in a frame
	shown  bool     // the loader's overlay has been hidden
	funcs  []js.Func

	// The address bar follows the view (history.replaceState), at most
	// every urlDelay: a dragged slider changes the view many times a second,
	// and browsers throttle replaceState calls.
	url      string // the permalink to show
	urlTimer bool   // a replaceState is scheduled
	urlFunc  js.Func

	label string // the canvas's aria-label as last set
}

// urlDelay is how long the address bar may lag behind the view.
const urlDelay = 250 // milliseconds

func newBridge() *bridge {
	win := js.Global()
	b := &bridge{win: win, parent: win.Get("parent")}
	b.urlFunc = js.FuncOf(func(js.Value, []js.Value) any {
		b.urlTimer = false
		loc := b.win.Get("location")
		if loc.Get("href").String() != b.url {
			// A page whose history cannot be written (a sandboxed frame)
			// keeps its address; the permalink is still in the state.
			defer func() { recover() }()
			b.win.Get("history").Call("replaceState", nil, "", b.url)
		}
		return nil
	})
	return b
}

// base returns embed.html's address without query or fragment.
func (b *bridge) base() string {
	loc := b.win.Get("location")
	return loc.Get("origin").String() + loc.Get("pathname").String()
}

// post sends msg to the parent window, if the widget has one.
func (b *bridge) post(msg map[string]any) {
	if b.parent.IsUndefined() || b.parent.IsNull() || b.parent.Equal(b.win) {
		return
	}
	msg["source"] = widget.Target
	b.parent.Call("postMessage", msg, "*")
}

// publish is the game's Publish hook.
func (b *bridge) publish(report []byte, ready bool) {
	state := b.win.Get("JSON").Call("parse", string(report))
	link := b.base() + state.Get("permalink").String()
	state.Set("permalink", link)
	if state.Get("status").String() == "ready" && link != b.url {
		b.url = link
		if !b.urlTimer {
			b.urlTimer = true
			b.win.Call("setTimeout", b.urlFunc, urlDelay)
		}
	}
	b.win.Set("vaeplay", state)
	b.describe(state)
	if !b.shown {
		b.shown = true
		b.loader("hide")
	}
	b.post(map[string]any{"type": "state", "state": state})
	if ready {
		b.post(map[string]any{"type": "ready", "state": state})
	}
}

// describe gives Ebiten's canvas a text alternative for screen readers,
// since everything in it is drawn.
func (b *bridge) describe(state js.Value) {
	canvas := b.win.Get("document").Call("querySelector", "canvas")
	if canvas.IsNull() {
		return
	}
	var what string
	switch {
	case state.Get("status").String() != "ready":
		what = "loading"
	case state.Get("model").String() == "vae":
		what = fmt.Sprintf("a digit drawn by the plain VAE from seed %.0f", state.Get("seed").Float())
	default:
		what = fmt.Sprintf("the digit %d drawn by the conditional VAE from seed %.0f, and the same z under every label", state.Get("digit").Int(), state.Get("seed").Float())
	}
	if p := state.Get("panel").String(); p != "sample" {
		what += ", on the " + p + " panel"
	}
	label := "Variational autoencoder widget: " + what + ". Keys: 0 to 9 choose a digit, A any digit, space a new sample, P the next panel, + and - the temperature, arrows the sliders or the map's point."
	// A dragged slider publishes every frame with the same description:
	// setting it again would still make the browser process the change.
	if label == b.label {
		return
	}
	b.label = label
	canvas.Call("setAttribute", "role", "img")
	canvas.Call("setAttribute", "aria-label", label)
}

// error is the game's Error hook.
func (b *bridge) error(msg string) {
	b.win.Get("console").Call("warn", "vaeplay: "+msg)
	b.post(map[string]any{"type": "error", "message": msg})
}

// fatal reports an error that stops the widget, in the page itself since
// nothing is drawn.
func (b *bridge) fatal(err error) {
	msg := err.Error()
	b.win.Get("console").Call("error", "vaeplay: "+msg)
	b.loader("fail", msg)
	b.post(map[string]any{"type": "error", "message": msg})
}

// loader calls a method of web/loader.js's window.vaeplayLoader, if present.
func (b *bridge) loader(method string, args ...any) {
	l := b.win.Get("vaeplayLoader")
	if l.Type() == js.TypeObject && l.Get(method).Type() == js.TypeFunction {
		l.Call(method, args...)
	}
}

// on adds a listener to window that reports a JavaScript exception inside it
// as an error instead of crashing the program.
func (b *bridge) on(g *game.Game, event string, f func(e js.Value)) {
	fn := js.FuncOf(func(_ js.Value, args []js.Value) any {
		defer func() {
			if r := recover(); r != nil {
				g.Fail(fmt.Errorf("%s event: %v", event, r))
			}
		}()
		f(args[0])
		return nil
	})
	b.funcs = append(b.funcs, fn)
	b.win.Call("addEventListener", event, fn)
}

// stringify returns JSON.stringify(v), or the exception it throws (on
// cycles and BigInts) as an error.
func stringify(v js.Value) (_ string, err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok {
				err = e
				return
			}
			err = fmt.Errorf("%v", r)
		}
	}()
	return js.Global().Get("JSON").Call("stringify", v).String(), nil
}

// listen feeds the page's messages and pointer events to g.
func (b *bridge) listen(g *game.Game) {
	b.on(g, "message", func(e js.Value) {
		// Only the embedding page (or the page itself, when not framed)
		// drives the widget; messages not marked for it are someone else's.
		if !e.Get("source").Equal(b.parent) {
			return
		}
		data := e.Get("data")
		if data.Type() != js.TypeObject {
			return
		}
		if t := data.Get("target"); t.Type() != js.TypeString || t.String() != widget.Target {
			return
		}
		text, err := stringify(data)
		if err != nil {
			g.Fail(fmt.Errorf("message cannot be read as JSON: %w", err))
			return
		}
		g.Message([]byte(text))
	})
	pointer := func(kind game.PointerKind) func(js.Value) {
		return func(e js.Value) {
			if kind == game.PointerDown && e.Get("button").Int() != 0 {
				return // only the primary button, a finger or a pen tip
			}
			g.Pointer(game.Pointer{Kind: kind, ID: e.Get("pointerId").Int(), X: e.Get("clientX").Float(), Y: e.Get("clientY").Float()})
		}
	}
	// The keys reach the widget only once its document has the focus: in an
	// iframe, after a click inside it. The game shows a hint until then.
	b.on(g, "focus", func(js.Value) { g.SetFocus(true) })
	b.on(g, "blur", func(js.Value) { g.SetFocus(false) })
	g.SetFocus(b.win.Get("document").Call("hasFocus").Bool())
	b.on(g, "pointerdown", pointer(game.PointerDown))
	b.on(g, "pointerup", pointer(game.PointerUp))
	b.on(g, "pointercancel", pointer(game.PointerCancel))
	b.on(g, "pointermove", pointer(game.PointerMove))
}
