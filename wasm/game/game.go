//go:build js

// Package game draws the vaeplay widget with Ebiten: a chooser of models and
// digits, the digit decoded from the current z, and the same z decoded under
// every label. The interaction state lives in package widget; this package
// turns input into widget intents, decodes with model.Decode and draws.
package game

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync/atomic"
	"time"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/inpututil"

	"vaeplay/model"
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
	// when the map is first shown with k; the loader answers with
	// MapModelReady or MapModelFailed.
	LoadMap func(k widget.Kind)
}

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

	state  *widget.State
	models [len(widget.Kinds)]*model.Model
	ranks  [len(widget.Kinds)][]int     // latent dimensions, most important first, per model
	kl     [len(widget.Kinds)][]float64 // each model's latent_kl, nil when its file has none
	pcts   [len(widget.Kinds)][]float64 // each model's nelbo_percentiles, nil when its file has none
	taps   widget.Taps
	drags  map[int]int                // slider held by each pointer
	pens   map[int]bool               // pointers drawing on the pad
	points map[int]bool               // pointers dragging the map's point
	focus  int                        // the slider arrow keys move
	loaded struct{ got, total int64 } // bytes of weights fetched so far

	// View: frame size in CSS pixels, device pixels per CSS pixel, layout.
	w, h, scale float64
	layout      widget.Layout
	layoutKind  widget.Kind // the model whose ranking names the sliders
	hover       widget.Intent
	banner      widget.Rect // where the error banner was last drawn
	fonts       *fonts
	masks       map[int]*mask

	// The map: its models (2-D latent space), which have been asked for,
	// and its background of decoded digits for one selection.
	mapModels  [len(widget.Kinds)]*model.Model
	mapAsked   [len(widget.Kinds)]bool
	tiles      *ebiten.Image
	tilesFor   widget.Selection // Seed unused
	hasTiles   bool
	focused    bool // the widget's document has the keyboard focus
	focusKnown bool

	// What is decoded: the view, its z and timings, as images.
	shown    widget.View
	shownN   int // grid cells decoded
	hasShown bool
	z        []float64
	decodeMs float64
	rowMs    float64
	digit    *ebiten.Image
	row      [widget.Digits]*ebiten.Image
	pix      []byte // scratch RGBA for one image

	// The interpolation panel: frames along the slerp path from z to the
	// next sample's z, played back and forth; the strip shows every
	// framesPerCell-th.
	frames    []*ebiten.Image
	frame     int
	animStart time.Time
	gridImgs  []*ebiten.Image

	// The draw panel: the strokes, the drawing as the model reads it, and
	// what the last encode made of it.
	drawing    widget.Drawing
	strokes    int
	seen       *ebiten.Image // the 28×28 raster of the drawing
	encoded    widget.Selection
	hasEncoded bool
	padReport  widget.DrawReport
	mu         []float64 // where the current drawing landed
	prevMu     []float64 // where the drawing before the last clear landed
	style      [widget.Digits]*ebiten.Image
	hasStyle   bool // style holds the drawing's CVAE z under every label
	rowLabel   int  // on the sample panel with the VAE: the label the CVAE read the sample as, or -1

	// Drawing and reporting.
	dirty        bool        // the screen needs drawing
	layoutGen    int         // counts relayouts, so that a frame key tells layouts apart
	screenKey    frameKey    // what the last frame drew outside the damage regions (see drawDamage)
	hasScreen    bool        // the screen holds a frame: screenKey describes it
	drawnSliders sliderFrame // the screen's frame, when on the sliders panel
	rowScratch   []rowKey    // the rows of the frame before, reused
	undrawn      bool        // a decoded digit waits to be drawn
	drawn        bool        // a digit has been drawn
	samples      int
	answer       bool // a command from the page waits for its answer
	errorsPosted int
	report       []byte // the last report published
	readySent    bool
}

// New returns a game starting from the URL's options; errs are the URL's
// errors, shown like any other.
func New(opt widget.Options, errs []error, hooks Hooks) (*Game, error) {
	f, err := newFonts()
	if err != nil {
		return nil, err
	}
	g := &Game{
		hooks:  hooks,
		inbox:  make(chan func(), inboxSize),
		state:  widget.NewState(opt, errs),
		fonts:  f,
		masks:  make(map[int]*mask),
		drags:  make(map[int]int),
		pens:   make(map[int]bool),
		points: make(map[int]bool),
		scale:  1,
		dirty:  true,
		digit:  ebiten.NewImage(widget.ImageSide, widget.ImageSide),
		seen:   ebiten.NewImage(widget.ImageSide, widget.ImageSide),
		pix:    make([]byte, 4*widget.ImageSide*widget.ImageSide),
		tiles:  ebiten.NewImage(widget.MapTiles*widget.ImageSide, widget.MapTiles*widget.ImageSide),
	}
	g.padReport.Label, g.rowLabel = -1, -1
	for i := range g.row {
		g.row[i] = ebiten.NewImage(widget.ImageSide, widget.ImageSide)
		g.style[i] = ebiten.NewImage(widget.ImageSide, widget.ImageSide)
	}
	return g, nil
}

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

// ModelReady hands over a loaded model with its file's metadata; its kind
// follows from its config. The metadata's latent_kl ranks the sliders and
// its nelbo_percentiles place a drawing's score; a malformed entry is
// reported and the widget does without it.
func (g *Game) ModelReady(m *model.Model, meta model.Metadata) {
	g.inbox <- func() {
		k, err := widget.KindOf(m.Config)
		if err != nil {
			g.state.Fail(err)
			return
		}
		i := kindIndex(k)
		kl, _, err := model.ParseLatentKL(meta, m.Config.Latent)
		if err != nil {
			g.state.Fail(fmt.Errorf("model %s: %w (ranking the sliders by decoder weights instead)", k, err))
		}
		pcts, _, err := model.ParseNELBOPercentiles(meta)
		if err != nil {
			g.state.Fail(fmt.Errorf("model %s: %w (drawings get no percentile)", k, err))
		}
		g.models[i], g.kl[i], g.pcts[i] = m, kl, pcts
		g.ranks[i] = widget.RankLatents(m, kl)
		g.state.SetLatent(k, m.Config.Latent)
		g.state.SetReady(k)
		g.relayout()
		g.dirty = true
	}
}

// MapModelReady hands over a loaded model for the map: its latent space
// must be a plane.
func (g *Game) MapModelReady(m *model.Model) {
	g.inbox <- func() {
		k, err := widget.KindOf(m.Config)
		if err == nil && m.Config.Latent != widget.MapLatent {
			err = fmt.Errorf("the map shows models with %d latent dimensions, this %s has %d", widget.MapLatent, k, m.Config.Latent)
		}
		if err != nil {
			g.state.SetMapFailed(k, err)
			return
		}
		g.mapModels[kindIndex(k)] = m
		g.mapAsked[kindIndex(k)] = true
		g.state.SetMapReady(k, m.Config.Latent)
		if g.hasEncoded && g.encoded.Kind == k {
			g.landOnMap()
		}
		g.dirty = true
	}
}

// MapModelFailed reports that the map's model of kind k could not be had.
func (g *Game) MapModelFailed(k widget.Kind, err error) {
	g.inbox <- func() {
		g.state.SetMapFailed(k, err)
		g.dirty = true
	}
}

// SetFocus tells whether the widget's document has the keyboard focus, for
// the hint that asks for a click first.
func (g *Game) SetFocus(focused bool) {
	g.post(func() {
		g.focused, g.focusKnown = focused, true
		g.dirty = true
	})
}

// ModelFailed reports that the weights of kind k could not be had.
func (g *Game) ModelFailed(k widget.Kind, err error) {
	g.inbox <- func() {
		g.state.SetFailed(k, err)
		g.dirty = true
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
		g.loaded.got, g.loaded.total = got, total
		// The progress shows until the first digit, and on the map until
		// its model is there.
		if !g.hasShown || (g.state.Panel() == widget.PanelMap && g.state.MapAvailability(g.state.Selection().Kind) == widget.Loading) {
			g.dirty = true
		}
	})
}

// Message handles the JSON data of a message from the embedding page. A
// malformed message is shown as an error; every message is answered.
func (g *Game) Message(data []byte) {
	g.post(func() {
		g.answer, g.dirty = true, true
		c, err := widget.ParseCommand(data)
		if err != nil {
			g.state.Fail(err)
			return
		}
		g.state.Command(c)
		g.relayout()
	})
}

// Pointer handles a pointer event from the page.
func (g *Game) Pointer(p Pointer) {
	g.post(func() {
		if i, ok := g.drags[p.ID]; ok { // a slider follows its pointer until release
			g.slide(i, p.X)
			if p.Kind == PointerUp || p.Kind == PointerCancel {
				delete(g.drags, p.ID)
			}
			return
		}
		if g.points[p.ID] { // the map's point follows its pointer until release
			g.mapPoint(p.X, p.Y)
			if p.Kind == PointerUp || p.Kind == PointerCancel {
				delete(g.points, p.ID)
			}
			return
		}
		if g.pens[p.ID] { // a stroke follows its pointer until release
			g.pen(p.X, p.Y, false)
			if p.Kind == PointerUp || p.Kind == PointerCancel {
				delete(g.pens, p.ID)
				g.drawing.End()
				g.encode()
			}
			return
		}
		in := g.hit(p.X, p.Y)
		switch p.Kind {
		case PointerDown:
			if in.Action == widget.Pen {
				g.pens[p.ID] = true
				g.strokes++
				g.pen(p.X, p.Y, true)
				return
			}
			if in.Action == widget.ClearPad {
				g.clearPad()
				return
			}
			if in.Action == widget.MapPress {
				g.points[p.ID] = true
				g.mapPoint(p.X, p.Y)
				return
			}
			if in.Action == widget.Slide {
				g.drags[p.ID] = in.Slider
				g.focus = in.Slider
				g.slide(in.Slider, p.X)
				return
			}
			g.taps.Down(p.ID, in)
		case PointerUp:
			g.apply(g.taps.Up(p.ID, in))
		case PointerCancel:
			g.taps.Cancel(p.ID)
		}
	})
}

// apply carries out an intent from a tap or a key: the drawing's own here,
// the rest by the state.
func (g *Game) apply(in widget.Intent) {
	switch in.Action {
	case widget.Morph:
		if g.state.Panel() == widget.PanelDraw {
			g.morph()
		}
	case widget.ClearPad:
		if g.state.Panel() == widget.PanelDraw {
			g.clearPad()
		}
	default:
		if g.state.Apply(in) {
			g.dirty = true
			g.relayout()
		}
	}
}

// clearPad clears the drawing; where it landed is kept as the start of a
// morph to the next drawing.
func (g *Game) clearPad() {
	if g.hasEncoded && g.mu != nil {
		g.prevMu = g.mu
	}
	g.drawing.Clear()
	g.strokes, g.hasEncoded, g.hasStyle, g.mu = 0, false, false, nil
	g.padReport.Nats, g.padReport.Percentile, g.padReport.Label = 0, nil, -1
	g.dirty = true
}

// morph shows the interpolation from the previous drawing's z to this
// one's.
func (g *Game) morph() {
	if g.prevMu == nil || g.mu == nil || len(g.prevMu) != len(g.mu) {
		g.state.Fail(errors.New("morph needs two drawings: draw one, clear the pad, draw another"))
		return
	}
	g.state.SetMorph(g.prevMu, g.mu)
	g.relayout()
	g.dirty = true
}

// mapPoint moves the map's point to the pointer at (x, y) CSS pixels.
func (g *Game) mapPoint(x, y float64) {
	if g.layout.Map.W <= 0 {
		return
	}
	if g.state.SetExplicitZ(widget.MapPoint(g.layout.Map, x, y)) {
		g.dirty = true
	}
}

// pen adds the point (x, y) in CSS pixels to the drawing.
func (g *Game) pen(x, y float64, start bool) {
	pad := g.layout.Pad
	if pad.W <= 0 {
		return
	}
	g.drawing.Add(widget.Point{X: (x - pad.X) / pad.W, Y: (y - pad.Y) / pad.H}, start)
	g.dirty = true
}

// encode encodes the drawing with the selected model (under the selected
// digit for the CVAE), makes its μ the current z, so the reconstruction is
// the digit decoded from z, and keeps its score.
func (g *Game) encode() {
	sel := g.state.Selection()
	m := g.models[kindIndex(sel.Kind)]
	x := g.drawing.Raster()
	if m == nil || x == nil {
		return
	}
	g.writeImage(g.seen, x)
	enc, err := widget.Encode(m, x, sel.Digit)
	if err != nil {
		g.state.Fail(fmt.Errorf("encoding the drawing: %w", err))
		return
	}
	g.state.SetExplicitZ(enc.Mu)
	g.mu = enc.Mu
	g.encoded, g.hasEncoded = sel, true
	g.padReport.Encodes++
	g.padReport.Nats = math.Round(enc.Nats*10) / 10
	g.padReport.Percentile = nil
	if ps := g.pcts[kindIndex(sel.Kind)]; ps != nil {
		p := math.Round(model.PercentileOf(ps, enc.Nats)*10) / 10
		g.padReport.Percentile = &p
	}
	g.styleRow(x, sel)
	g.landOnMap()
	g.dirty = true
}

// landOnMap encodes the drawing with the map's model of the selected kind
// and makes its μ the map's point, so that the map panel shows where the
// drawing lands in a plane. The map's model is asked for if it has not
// been; it encodes the drawing when it arrives.
func (g *Game) landOnMap() {
	sel := g.state.Selection()
	x := g.drawing.Raster()
	m := g.mapModel(sel.Kind)
	if m == nil || x == nil || !g.hasEncoded {
		return
	}
	enc, err := widget.Encode(m, x, sel.Digit)
	if err != nil {
		g.state.Fail(fmt.Errorf("placing the drawing on the map: %w", err))
		return
	}
	g.state.SetMapPoint(enc.Mu)
}

// styleRow fills the draw panel's row: the drawing encoded with the
// conditional VAE (under the chosen digit, or under "any" the label it
// reads best as) and that z decoded under every label.
func (g *Game) styleRow(x []float64, sel widget.Selection) {
	g.hasStyle, g.padReport.Label = false, -1
	cm := g.models[kindIndex(widget.CVAE)]
	if cm == nil {
		return
	}
	label, enc, err := sel.Digit, widget.Encoding{}, error(nil)
	if sel.Kind == widget.CVAE {
		enc, err = widget.Encode(cm, x, label)
	} else {
		label, enc, err = widget.ReadLabel(cm, x)
	}
	if err != nil {
		g.state.Fail(fmt.Errorf("style of the drawing: %w", err))
		return
	}
	g.decodeRow(cm, enc.Mu, g.style[:])
	g.hasStyle, g.padReport.Label = true, label
}

// decodeRow decodes z (of the conditional model cm) under every label into
// imgs.
func (g *Game) decodeRow(cm *model.Model, z []float64, imgs []*ebiten.Image) float64 {
	zs := make([][]float64, widget.Digits)
	labels := make([]int, widget.Digits)
	for d := range labels {
		zs[d] = z
		labels[d] = d
	}
	start := time.Now()
	xs := widget.Decode(cm, zs, labels)
	ms := millis(time.Since(start))
	for d := range labels {
		g.writeImage(imgs[d], xs[d])
	}
	return ms
}

// slide sets slider i to the value under x.
func (g *Game) slide(i int, x float64) {
	if i < 0 || i >= len(g.layout.Sliders) {
		return
	}
	g.setSlider(i, widget.SliderValue(i, g.layout.Sliders[i].Rect, x))
}

// setSlider sets slider i (0 the temperature, 1.. the ranked latent
// dimensions) to v.
func (g *Game) setSlider(i int, v float64) {
	if i == 0 {
		if g.state.SetTemperature(v) {
			g.dirty = true
		}
		return
	}
	dim, latent := g.sliderDim(i)
	if dim >= 0 && g.state.SetZ(latent, dim, v) {
		g.dirty = true
	}
}

// sliderDim returns the latent dimension of slider i ≥ 1 and the latent
// size of the selected model, or -1 when its model is not loaded.
func (g *Game) sliderDim(i int) (dim, latent int) {
	k := kindIndex(g.state.Selection().Kind)
	m, rank := g.models[k], g.ranks[k]
	if m == nil || i-1 >= len(rank) {
		return -1, 0
	}
	return rank[i-1], m.Config.Latent
}

// sliderValue returns slider i's current value.
func (g *Game) sliderValue(i int) (float64, bool) {
	if i == 0 {
		return g.state.Temperature(), true
	}
	dim, _ := g.sliderDim(i)
	if dim < 0 || !g.hasShown || dim >= len(g.z) {
		return 0, false
	}
	return g.z[dim], true
}

// relayout lays the widget out again when the panel changed or a model
// arrived (which names the sliders).
func (g *Game) relayout() {
	if g.w == 0 {
		return
	}
	g.layout = widget.ComputeLayoutFor(g.w, g.h, g.scale, g.state.Controls(), g.state.Panel())
	g.layoutGen++
	g.layoutKind = g.state.Selection().Kind
	rank := g.ranks[kindIndex(g.layoutKind)]
	if n := 1 + len(rank); rank != nil && n < len(g.layout.Sliders) {
		// A model with fewer latent dimensions than sliders: no dead ones.
		g.layout.Sliders = g.layout.Sliders[:n]
	}
	for i := range g.layout.Sliders {
		if i > 0 && i-1 < len(rank) {
			g.layout.Sliders[i].Label = fmt.Sprintf("z%d", rank[i-1])
		}
	}
	g.dirty = true
}

func kindIndex(k widget.Kind) int { return slices.Index(widget.Kinds[:], k) }

// hit maps a point in CSS pixels to the intent of what lies there.
func (g *Game) hit(x, y float64) widget.Intent {
	var banner widget.Rect
	if len(g.state.Banner()) > 0 {
		banner = g.banner
	}
	return g.layout.Hit(x, y, banner, g.state.Selection().Kind == widget.CVAE)
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
	for _, in := range keyIntents() {
		g.apply(in)
	}
	g.sliderKeys()
	g.mapKeys()
	if g.state.Selection() != before {
		g.dirty = true
	}
	// The sliders name the dimensions of the selected model's ranking.
	if g.layout.Panel != g.state.Panel() || g.layout.Chooser == nil || g.layoutKind != g.state.Selection().Kind {
		g.relayout()
	}

	// Hover feedback for the mouse; touch screens simply never hover.
	cx, cy := ebiten.CursorPosition()
	if h := g.hit(float64(cx)/g.scale, float64(cy)/g.scale); h != g.hover {
		g.hover = h
		g.dirty = true
		if h.Action != widget.NoAction {
			ebiten.SetCursorShape(ebiten.CursorShapePointer)
		} else {
			ebiten.SetCursorShape(ebiten.CursorShapeDefault)
		}
	}

	// Choosing another digit or model encodes the drawing again, under the
	// new label: the style of the drawing, written as another digit.
	if g.state.Panel() == widget.PanelDraw && g.hasEncoded && g.encoded != g.state.Selection() && len(g.pens) == 0 {
		sel := g.state.Selection()
		if g.encoded.Kind != sel.Kind || g.encoded.Digit != sel.Digit {
			g.encode()
		}
		g.encoded = sel
	}
	g.decode()
	if g.state.Panel() == widget.PanelInterpolate && len(g.frames) > 0 && g.hasShown {
		if f := g.animFrame(); f != g.frame {
			g.frame, g.dirty = f, true
		}
	}

	if n := g.state.ErrorCount(); n != g.errorsPosted {
		for _, msg := range g.state.ErrorsSince(g.errorsPosted) {
			if g.hooks.Error != nil {
				g.hooks.Error(msg)
			}
		}
		g.errorsPosted = n
		g.dirty = true
	}
	return nil
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

// sliderKeys moves sliders with the arrow keys on the sliders panel: up and
// down choose one, left and right move it. + and - change the temperature
// on any panel.
func (g *Game) sliderKeys() {
	just := inpututil.IsKeyJustPressed
	n := len(g.layout.Sliders)
	if n > 0 {
		switch {
		case just(ebiten.KeyArrowUp):
			g.focus, g.dirty = (g.focus+n-1)%n, true
		case just(ebiten.KeyArrowDown):
			g.focus, g.dirty = (g.focus+1)%n, true
		}
		for _, d := range []struct {
			key  ebiten.Key
			sign float64
		}{{ebiten.KeyArrowLeft, -1}, {ebiten.KeyArrowRight, 1}} {
			if just(d.key) || (ebiten.IsKeyPressed(d.key) && inpututil.KeyPressDuration(d.key) > 20 && inpututil.KeyPressDuration(d.key)%4 == 0) {
				if v, ok := g.sliderValue(g.focus); ok {
					g.setSlider(g.focus, v+d.sign*widget.SliderStep(g.focus))
				}
			}
		}
	}
	for _, r := range ebiten.AppendInputChars(nil) {
		switch r {
		case '+', '=':
			g.setSlider(0, g.state.Temperature()+widget.SliderStep(0))
		case '-', '_':
			g.setSlider(0, g.state.Temperature()-widget.SliderStep(0))
		}
	}
}

// mapKeys moves the map's point with the arrow keys on the map panel, one
// MapStep a press, repeating while held.
func (g *Game) mapKeys() {
	if g.state.Panel() != widget.PanelMap || g.mapModels[kindIndex(g.state.Selection().Kind)] == nil {
		return
	}
	var dx, dy float64
	for _, d := range []struct {
		key    ebiten.Key
		dx, dy float64
	}{{ebiten.KeyArrowLeft, -1, 0}, {ebiten.KeyArrowRight, 1, 0}, {ebiten.KeyArrowUp, 0, 1}, {ebiten.KeyArrowDown, 0, -1}} {
		n := inpututil.KeyPressDuration(d.key)
		if inpututil.IsKeyJustPressed(d.key) || (n > 20 && n%4 == 0) {
			dx, dy = dx+d.dx, dy+d.dy
		}
	}
	if dx == 0 && dy == 0 {
		return
	}
	z := widget.MovePoint(g.state.Z(widget.MapLatent), dx, dy)
	if g.state.SetExplicitZ(z) {
		g.dirty = true
	}
}

// framesPerCell is how many animation frames lie between two cells of the
// interpolation strip; the strip's ten cells span the path.
const framesPerCell = 4

// animPeriod is one pass of the interpolation animation, there or back.
const animPeriod = 2500 * time.Millisecond

// animFrame returns the frame of the interpolation to show now: forth, then
// back, so the digit morphs smoothly without a jump.
func (g *Game) animFrame() int {
	n := len(g.frames)
	if n < 2 {
		return 0
	}
	phase := float64(time.Since(g.animStart)%(2*animPeriod)) / float64(animPeriod) // 0..2
	if phase > 1 {
		phase = 2 - phase
	}
	return int(math.Round(phase * float64(n-1)))
}

// decode runs the decoder when the view differs from what is shown and its
// model is ready: the main digit, timed, and what the panel needs besides:
// for the CVAE's sample panel the same z under every label, for the
// interpolation the frames of the path, for the grid its samples.
func (g *Game) decode() {
	view := g.state.View()
	sel := view.Selection
	m := g.models[kindIndex(sel.Kind)]
	if view.Panel == widget.PanelMap {
		m = g.mapModel(sel.Kind)
		if m != nil {
			g.decodeTiles(m, sel)
		}
	}
	if m == nil || (g.hasShown && g.shown == view && g.shownN == len(g.layout.Grid)) {
		return
	}
	latent := m.Config.Latent
	zv := g.state.Z(latent)
	view = g.state.View()          // Z may have dropped a z of the wrong length
	z := widget.Narrow(latent, zv) // the code as the model sees it
	start := time.Now()
	x := widget.Widen(m.Decode(z, sel.Labels()).Row(0))
	g.decodeMs = millis(time.Since(start))
	g.writeImage(g.digit, x)

	switch {
	case view.Panel == widget.PanelInterpolate:
		g.decodeInterpolation(m, sel, zv)
	case view.Panel == widget.PanelGrid:
		g.decodeGrid(m, sel, view.Temperature)
	case sel.Kind == widget.CVAE && view.Panel == widget.PanelSample:
		g.rowMs = g.decodeRow(m, zv, g.row[:])
	case view.Panel == widget.PanelSample:
		// The plain VAE's sample, read by the conditional VAE: its style
		// under every label.
		g.rowLabel = -1
		if cm := g.models[kindIndex(widget.CVAE)]; cm != nil {
			label, enc, err := widget.ReadLabel(cm, x)
			if err != nil {
				g.state.Fail(fmt.Errorf("style of the sample: %w", err))
				break
			}
			g.rowMs = g.decodeRow(cm, enc.Mu, g.row[:])
			g.rowLabel = label
		}
	}
	g.z = append(g.z[:0], zv...)
	g.shown, g.shownN, g.hasShown = view, len(g.layout.Grid), true
	g.undrawn, g.dirty = true, true
}

// decodeInterpolation decodes the slerp path from z to the z of the next
// sample (seed+1 at the same temperature) in one batch.
func (g *Game) decodeInterpolation(m *model.Model, sel widget.Selection, z []float64) {
	latent := m.Config.Latent
	next := g.state.To()
	if len(next) != latent { // the next sample's z, unless an end was set
		next = widget.SeedZ(sel.Seed+1, latent, g.state.Temperature())
	}
	n := (widget.Digits-1)*framesPerCell + 1
	zs := make([][]float64, n)
	for i := range n {
		zs[i] = widget.Slerp(z, next, float64(i)/float64(n-1))
	}
	xs := widget.Decode(m, zs, repeatLabels(sel, n))
	for len(g.frames) < n {
		g.frames = append(g.frames, ebiten.NewImage(widget.ImageSide, widget.ImageSide))
	}
	for i := range n {
		g.writeImage(g.frames[i], xs[i])
	}
	g.animStart, g.frame = time.Now(), 0
}

// decodeGrid decodes one sample per grid cell: seeds seed, seed+1, … at the
// current temperature.
func (g *Game) decodeGrid(m *model.Model, sel widget.Selection, temp float64) {
	n := len(g.layout.Grid)
	if n == 0 {
		return
	}
	latent := m.Config.Latent
	zs := make([][]float64, n)
	for i := range n {
		zs[i] = widget.SeedZ(sel.Seed+uint64(i), latent, temp)
	}
	xs := widget.Decode(m, zs, repeatLabels(sel, n))
	for len(g.gridImgs) < n {
		g.gridImgs = append(g.gridImgs, ebiten.NewImage(widget.ImageSide, widget.ImageSide))
	}
	for i := range n {
		g.writeImage(g.gridImgs[i], xs[i])
	}
}

// mapModel returns the map's model of kind k, asking the loader for it the
// first time; nil until it has arrived.
func (g *Game) mapModel(k widget.Kind) *model.Model {
	i := kindIndex(k)
	if !g.mapAsked[i] && g.hooks.LoadMap != nil {
		g.mapAsked[i] = true
		g.loaded.got, g.loaded.total = 0, 0
		g.hooks.LoadMap(k)
	}
	return g.mapModels[i]
}

// decodeTiles decodes the map's background for the selection's model and
// digit, unless it already shows them: one digit at the centre of each of
// MapTiles² cells of the plane, in one batch.
func (g *Game) decodeTiles(m *model.Model, sel widget.Selection) {
	sel.Seed = 0
	if g.hasTiles && g.tilesFor == sel {
		return
	}
	n := widget.MapTiles * widget.MapTiles
	zs := make([][]float64, n)
	for r := range widget.MapTiles {
		for c := range widget.MapTiles {
			zs[r*widget.MapTiles+c] = widget.MapTileZ(c, r)
		}
	}
	xs := widget.Decode(m, zs, repeatLabels(sel, n))
	side := widget.MapTiles * widget.ImageSide
	pix := make([]byte, 4*side*side)
	for r := range widget.MapTiles {
		for c := range widget.MapTiles {
			row := xs[r*widget.MapTiles+c]
			for y := range widget.ImageSide {
				for x := range widget.ImageSide {
					ink := math.Max(0, math.Min(1, row[y*widget.ImageSide+x]))
					o := 4 * ((r*widget.ImageSide+y)*side + c*widget.ImageSide + x)
					pix[o], pix[o+1], pix[o+2], pix[o+3] = mixInk(ink, inkColor.R), mixInk(ink, inkColor.G), mixInk(ink, inkColor.B), 255
				}
			}
		}
	}
	g.tiles.WritePixels(pix)
	g.tilesFor, g.hasTiles = sel, true
	g.dirty = true
}

// repeatLabels returns the labels of n rows of the selection: nil for the
// VAE.
func repeatLabels(sel widget.Selection, n int) []int {
	if sel.Kind != widget.CVAE {
		return nil
	}
	ls := make([]int, n)
	for i := range ls {
		ls[i] = sel.Digit
	}
	return ls
}

// millis returns d in milliseconds, rounded to microseconds.
func millis(d time.Duration) float64 { return math.Round(float64(d.Microseconds())) / 1000 }

// writeImage paints pixel means p (ink probability per pixel, row-major) as
// dark ink on white paper.
func (g *Game) writeImage(img *ebiten.Image, p []float64) {
	for i, v := range p {
		ink := math.Max(0, math.Min(1, v))
		g.pix[4*i], g.pix[4*i+1], g.pix[4*i+2], g.pix[4*i+3] = mixInk(ink, inkColor.R), mixInk(ink, inkColor.G), mixInk(ink, inkColor.B), 255
	}
	img.WritePixels(g.pix)
}

// mixInk is one colour channel of ink of the given density on white paper.
func mixInk(ink float64, c uint8) byte { return byte(math.Round(255 + ink*(float64(c)-255))) }

// Layout implements ebiten.Game: the widget fills its frame and draws at
// device pixels, so text and digits stay crisp on HiDPI screens.
func (g *Game) Layout(outsideWidth, outsideHeight int) (int, int) {
	s := ebiten.Monitor().DeviceScaleFactor()
	if !(s > 0) {
		s = 1
	}
	w, h := float64(outsideWidth), float64(outsideHeight)
	if w != g.w || h != g.h || s != g.scale || g.layout.Chooser == nil {
		g.w, g.h, g.scale = w, h, s
		g.relayout()
	}
	return int(w * s), int(h * s)
}

// Draw implements ebiten.Game. It draws only when something changed, then
// publishes the state report if it changed: a report never describes a frame
// that is not on the screen.
func (g *Game) Draw(screen *ebiten.Image) {
	if !g.dirty {
		return
	}
	g.dirty = false
	key := g.frameKey()
	var now sliderFrame
	if key.panel == widget.PanelSliders {
		now = g.sliderFrame(g.rowScratch)
	}
	if !g.hasScreen || key != g.screenKey || !g.drawDamage(screen, now) {
		g.draw(screen)
	}
	g.screenKey, g.hasScreen = key, true
	g.rowScratch, g.drawnSliders = g.drawnSliders.rows, now
	if g.undrawn && g.hasShown {
		g.undrawn = false
		g.drawn = true
		g.samples++
	}
	g.publish()
}

// publish sends the state report when it changed or a command asked.
func (g *Game) publish() {
	var z []float64
	if g.hasShown && g.shown == g.state.View() {
		z = g.z // else the z of the view is not decoded yet
	}
	r := g.state.Report(g.drawn, z, g.decodeMs, g.samples, g.layout)
	r.Draw = g.padReport
	r.Draw.Strokes = g.strokes
	r.Ranking = "decoder"
	if g.kl[kindIndex(g.state.Selection().Kind)] != nil {
		r.Ranking = "latent_kl"
	}
	r.FPS = math.Round(ebiten.ActualFPS())
	data, err := json.Marshal(r)
	if err != nil { // cannot happen: the report holds no NaN or Inf
		g.state.Fail(fmt.Errorf("state report: %w", err))
		return
	}
	if !g.answer && slices.Equal(data, g.report) {
		return
	}
	g.answer = false
	g.report = data
	ready := r.Status == "ready" && !g.readySent
	g.readySent = g.readySent || ready
	if g.hooks.Publish != nil {
		g.hooks.Publish(data, ready)
	}
}
