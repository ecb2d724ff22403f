//go:build js

package game

import "vaeplay/wasm/widget"

// newPanels returns the registry of the widget's panels, in the order of
// their tabs. A new panel is a type in a file of its own here, its state
// (its name, where its parts lie, what it keeps) in one in package widget,
// and a line below.
func newPanels() []panel {
	return []panel{
		newSamplePanel(),
		newSlidersPanel(),
		newMapPanel(),
		newInterpolatePanel(),
		newGridPanel(),
		newDrawPanel(),
	}
}

// A panel is one view of the widget's main area, as Ebiten shows it: what
// it decodes, draws, and does with the pointers and keys the chooser and
// the tabs leave to it. Game calls the methods of the panel shown, but for
// loaded and report, which every panel hears. A panel embeds basePanel for
// what it does not do.
type panel interface {
	// spec is the panel's name, placement (its layout and so its hit
	// testing) and latent space, from package widget.
	spec() widget.PanelSpec
	// update runs each tick while the panel is shown, before the digit is
	// decoded.
	update(g *Game)
	// decoded decodes what the panel shows besides the digit, just decoded
	// by d from z into the pixels x.
	decoded(g *Game, d decoder, z, x []float64)
	// draw paints the panel in the main area.
	draw(g *Game, p painter)
	// press handles a press on the panel's part in, at (x, y) CSS pixels:
	// handled is false for a press that is the start of a tap, and d, if
	// not nil, follows the pointer until its release.
	press(g *Game, in widget.Intent, x, y float64) (d drag, handled bool)
	// apply carries out a tap or key meant for the panel, and reports
	// whether it was one.
	apply(g *Game, in widget.Intent) bool
	// keys reads the keys the panel takes besides the characters (arrows).
	keys(g *Game)
	// loaded hears of every weights file loaded, whichever panel is shown.
	loaded(g *Game, msg widget.Loaded)
	// report adds what the panel keeps to the state report, whichever panel
	// is shown.
	report(r *widget.Report)
}

// basePanel does nothing for a panel but say what it is.
type basePanel struct{ widget.PanelSpec }

func (b basePanel) spec() widget.PanelSpec                     { return b.PanelSpec }
func (basePanel) update(*Game)                                 {}
func (basePanel) decoded(*Game, decoder, []float64, []float64) {}
func (basePanel) press(*Game, widget.Intent, float64, float64) (drag, bool) {
	return nil, false
}
func (basePanel) apply(*Game, widget.Intent) bool { return false }
func (basePanel) keys(*Game)                      {}
func (basePanel) loaded(*Game, widget.Loaded)     {}
func (basePanel) report(*widget.Report)           {}
