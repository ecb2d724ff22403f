//go:build js

// Package game draws the vaeplay widget with Ebiten. Game routes between
// Ebiten, the page and the panels: it queues what the page and the loader
// send for the next tick, hands pointers and keys to the panel shown, lays
// the widget out, decodes the digit of the current z, draws, and reports
// the state back to the page. Each panel is a type of its own, one file
// each (sample.go, sliders.go, mappanel.go, interpolate.go, grid.go,
// drawpanel.go), listed in the registry of panels.go; what a panel keeps
// lives in package widget, which has no Ebiten and is tested natively.
package game

import (
	"fmt"
	"sync/atomic"

	"github.com/hajimehoshi/ebiten/v2"

	"vaeplay/wasm/widget"
)

// Hooks connect the game to the page. Both are called on the game's
// goroutine.
type Hooks struct {
	// Publish receives the JSON state report after a frame that changed it
	// (or after a command from the page, as an answer). ready is true once:
	// with the first report whose status is "ready".
	Publish func(report []byte, ready bool)
	// Error receives every error as it is shown.
	Error func(msg string)
	// LoadMap asks for the map's model (2-D latent space) of kind k, once,
	// when the map first needs it; the loader answers with Loaded.
	LoadMap func(k widget.Kind)
}

// inboxSize bounds the events waiting for the next tick; a page that posts
// more messages than that in one frame loses the rest, and is told so.
const inboxSize = 1024

// Game is the Ebiten game of the widget. Its exported methods other than the
// ebiten.Game ones may be called from any goroutine: they queue work for the
// next Update.
type Game struct {
	hooks   Hooks
	inbox   chan func()
	dropped atomic.Int64

	state    *widget.State
	panels   []panel                    // the registry's, in the order of their tabs
	pointers pointers                   // the pointers held down and the taps under way
	screen   screen                     // the frame, its layout, what is on it
	digit    digit                      // the digit decoded from the current z
	loading  struct{ got, total int64 } // bytes of weights fetched so far
	report   reporter
}

// New returns a game for the query string of embed.html (its errors are
// shown like any other); seed is the seed when the query names none.
func New(query string, seed uint64, hooks Hooks) (*Game, error) {
	sc, err := newScreen()
	if err != nil {
		return nil, err
	}
	panels := newPanels()
	specs := make(widget.Panels, len(panels))
	for i, p := range panels {
		specs[i] = p.spec()
	}
	opt, errs := widget.ParseQuery(query, seed, specs)
	g := &Game{
		hooks:  hooks,
		inbox:  make(chan func(), inboxSize),
		state:  widget.NewState(opt, errs, specs),
		panels: panels,
		screen: sc,
		digit:  newDigit(),
	}
	g.pointers.drags = make(map[int]drag)
	return g, nil
}

// Weights returns the URL of the weights file the query asked for, or ""
// for the shipped ones.
func (g *Game) Weights() string { return g.state.Options().Weights }

// Run runs the game until the page goes away. The screen is kept between
// frames and drawn only when something changed, which spares the CPU of a
// tutorial reader's laptop.
func (g *Game) Run() error {
	ebiten.SetScreenClearedEveryFrame(false)
	return ebiten.RunGame(g)
}

// post queues f for the next Update without blocking; it reports false when
// the inbox is full.
func (g *Game) post(f func()) bool {
	select {
	case g.inbox <- f:
		return true
	default:
		g.dropped.Add(1)
		return false
	}
}

// Loaded hands over what the loader made of one weights file: a model
// with its file's metadata, or why there is none.
func (g *Game) Loaded(msg widget.Loaded) {
	g.inbox <- func() {
		g.state.Load(msg)
		for _, p := range g.panels {
			p.loaded(g, msg)
		}
		if msg.Role == widget.FullModel {
			g.relayout() // the sliders name the model's dimensions
		}
		g.screen.dirty = true
	}
}

// Fail shows an error that concerns no model in particular.
func (g *Game) Fail(err error) {
	g.inbox <- func() { g.state.Fail(err) }
}

// Progress reports bytes of weights fetched so far out of total (0 when not
// yet known).
func (g *Game) Progress(got, total int64) {
	g.post(func() {
		g.loading.got, g.loading.total = got, total
		// The progress shows until the first digit, and on the map until
		// its model is there.
		sel := g.state.Selection()
		if !g.digit.ok || (g.panel().spec().Plane && g.models().PlaneAvailability(sel.Kind) == widget.Loading) {
			g.screen.dirty = true
		}
	})
}

// SetFocus tells whether the widget's document has the keyboard focus, for
// the hint that asks for a click first.
func (g *Game) SetFocus(focused bool) {
	g.post(func() {
		g.screen.focused, g.screen.focusKnown = focused, true
		g.screen.dirty = true
	})
}

// Message handles the JSON data of a message from the embedding page. A
// malformed message is shown as an error; every message is answered.
func (g *Game) Message(data []byte) {
	g.post(func() {
		g.report.answer, g.screen.dirty = true, true
		if g.state.Message(data) {
			g.relayout()
		}
	})
}

// panel returns the panel shown.
func (g *Game) panel() panel {
	p := g.state.Panel()
	for _, q := range g.panels {
		if q.spec().Name == p {
			return q
		}
	}
	return g.panels[0] // cannot happen: the state names only the registry's panels
}

// models returns the registry of models.
func (g *Game) models() *widget.Models { return g.state.Models() }

// mapModel returns the map's model of kind k, asking the loader for it the
// first time; nil until it has arrived.
func (g *Game) mapModel(k widget.Kind) *decoder {
	if g.state.AskMap(k) && g.hooks.LoadMap != nil {
		g.loading.got, g.loading.total = 0, 0
		g.hooks.LoadMap(k)
	}
	if m := g.models().Plane(k); m != nil {
		return &decoder{m}
	}
	return nil
}

// fullModel returns the full model of kind k, nil until it has arrived.
func (g *Game) fullModel(k widget.Kind) *decoder {
	if m := g.models().Model(k); m != nil {
		return &decoder{m}
	}
	return nil
}

// Update implements ebiten.Game: it applies queued events and keys, then
// decodes whatever the selection now asks for.
func (g *Game) Update() error {
	before := g.state.Selection()
	for drained := false; !drained; {
		select {
		case f := <-g.inbox:
			f()
		default:
			drained = true
		}
	}
	if n := g.dropped.Swap(0); n > 0 {
		g.state.Fail(fmt.Errorf("%d events dropped: the widget takes at most %d per frame", n, inboxSize))
	}
	g.keys()
	if g.state.Selection() != before {
		g.screen.dirty = true
	}
	// The sliders name the dimensions of the selected model's ranking.
	if l := g.screen.layout; l.Panel != g.state.Panel() || l.Chooser == nil || g.screen.layoutKind != g.state.Selection().Kind {
		g.relayout()
	}
	g.hoverCursor()

	p := g.panel()
	p.update(g)
	g.decode()

	if n := g.state.ErrorCount(); n != g.report.errorsPosted {
		for _, msg := range g.state.ErrorsSince(g.report.errorsPosted) {
			if g.hooks.Error != nil {
				g.hooks.Error(msg)
			}
		}
		g.report.errorsPosted = n
		g.screen.dirty = true
	}
	return nil
}

// Layout implements ebiten.Game: the widget fills its frame and draws at
// device pixels, so text and digits stay crisp on HiDPI screens.
func (g *Game) Layout(outsideWidth, outsideHeight int) (int, int) {
	s := ebiten.Monitor().DeviceScaleFactor()
	if !(s > 0) {
		s = 1
	}
	w, h := float64(outsideWidth), float64(outsideHeight)
	sc := &g.screen
	if w != sc.w || h != sc.h || s != sc.scale || sc.layout.Chooser == nil {
		sc.w, sc.h, sc.scale = w, h, s
		g.relayout()
	}
	return int(w * s), int(h * s)
}

// relayout lays the widget out again: after a resize, when the panel
// changed, or when a model arrived or was chosen (its ranking names the
// sliders).
func (g *Game) relayout() {
	sc := &g.screen
	if sc.w == 0 {
		return
	}
	kind := g.state.Selection().Kind
	f := widget.Frame{W: sc.w, H: sc.h, Scale: sc.scale, Controls: g.state.Controls(), Tabs: g.state.Panels().Names(), TextHeight: sc.textHeight}
	sc.layout = widget.ComputeLayout(f, g.panel().spec())
	widget.NameSliders(&sc.layout, g.models().Ranking(kind))
	sc.layoutGen++
	sc.layoutKind = kind
	sc.dirty = true
}

// Draw implements ebiten.Game. It draws only when something changed, then
// publishes the state report if it changed: a report never describes a frame
// that is not on the screen.
func (g *Game) Draw(screen *ebiten.Image) {
	if !g.screen.dirty {
		return
	}
	g.screen.dirty = false
	g.drawFrame(screen)
	if g.digit.undrawn && g.digit.ok {
		g.digit.undrawn = false
		g.digit.drawn = true
		g.digit.samples++
	}
	g.publish()
}
