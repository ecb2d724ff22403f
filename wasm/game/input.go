//go:build js

package game

import (
	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/inpututil"

	"vaeplay/wasm/widget"
)

// PointerKind tells what a pointer did.
type PointerKind int

const (
	// PointerDown: a mouse button, finger or pen went down.
	PointerDown PointerKind = iota
	// PointerUp: it came up.
	PointerUp
	// PointerCancel: the browser took the pointer over.
	PointerCancel
	// PointerMove: it moved (pressed or not).
	PointerMove
)

// Pointer is one pointer event from the page, in CSS pixels of the viewport.
type Pointer struct {
	Kind PointerKind
	ID   int
	X, Y float64
}

// A drag follows one pointer from its press until its release: each move
// goes to it, and the release, with done set.
type drag func(x, y float64, done bool)

// pointers routes the page's pointer events: a pointer pressed on a part
// that follows it (a slider, the map's point, the pad) drives that part's
// drag until it is released; any other press and release is a tap.
type pointers struct {
	taps  widget.Taps
	drags map[int]drag
}

// dragging reports whether any pointer drives a drag.
func (ps *pointers) dragging() bool { return len(ps.drags) > 0 }

// Pointer handles a pointer event from the page.
func (g *Game) Pointer(p Pointer) {
	g.post(func() {
		ps := &g.pointers
		if d, ok := ps.drags[p.ID]; ok {
			done := p.Kind == PointerUp || p.Kind == PointerCancel
			if done {
				delete(ps.drags, p.ID)
			}
			d(p.X, p.Y, done)
			return
		}
		in := g.hit(p.X, p.Y)
		switch p.Kind {
		case PointerDown:
			if d, handled := g.panel().press(g, in, p.X, p.Y); handled {
				if d != nil {
					ps.drags[p.ID] = d
				}
				return
			}
			ps.taps.Down(p.ID, in)
		case PointerUp:
			g.apply(ps.taps.Up(p.ID, in))
		case PointerCancel:
			ps.taps.Cancel(p.ID)
		}
	})
}

// apply carries out an intent from a tap or a key: the panel's own by the
// panel, the rest by the state.
func (g *Game) apply(in widget.Intent) {
	if g.panel().apply(g, in) {
		return
	}
	if g.state.Apply(in) {
		g.screen.dirty = true
		g.relayout()
	}
}

// keys reads the keys typed since the last tick: the characters (digits,
// a, space, p, the panels' own), + and - for the temperature on any panel,
// and the panel's other keys (arrows).
func (g *Game) keys() {
	for _, in := range keyIntents() {
		g.apply(in)
	}
	g.panel().keys(g)
	for _, r := range ebiten.AppendInputChars(nil) {
		switch r {
		case '+', '=':
			g.setTemperature(g.state.Temperature() + widget.SliderStep(0))
		case '-', '_':
			g.setTemperature(g.state.Temperature() - widget.SliderStep(0))
		}
	}
}

// setTemperature sets the temperature to t, as the temperature slider does.
func (g *Game) setTemperature(t float64) {
	if g.state.SetTemperature(t) {
		g.screen.dirty = true
	}
}

// keyIntents reads the keys typed since the last tick. Characters are queued
// by the browser, so fast typing loses none; Enter has no character and is
// read as a key.
func keyIntents() []widget.Intent {
	var ins []widget.Intent
	modified := ebiten.IsKeyPressed(ebiten.KeyControl) || ebiten.IsKeyPressed(ebiten.KeyMeta) || ebiten.IsKeyPressed(ebiten.KeyAlt)
	if !modified { // Ctrl+A and friends belong to the browser
		for _, r := range ebiten.AppendInputChars(nil) {
			if in := widget.KeyIntent(r); in.Action != widget.NoAction {
				ins = append(ins, in)
			}
		}
	}
	if inpututil.IsKeyJustPressed(ebiten.KeyEnter) || inpututil.IsKeyJustPressed(ebiten.KeyNumpadEnter) {
		ins = append(ins, widget.KeyIntent('\n'))
	}
	return ins
}

// repeated reports whether key k acts this tick: when just pressed, and
// while held, after a moment, every fourth tick.
func repeated(k ebiten.Key) bool {
	n := inpututil.KeyPressDuration(k)
	return inpututil.IsKeyJustPressed(k) || (n > 20 && n%4 == 0)
}
