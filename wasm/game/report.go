//go:build js

package game

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/hajimehoshi/ebiten/v2"
)

// reporter is what the game has told the page: the last state report
// published, whether a command still waits for its answer, whether the
// page has heard "ready", and how many errors it has been sent.
type reporter struct {
	last         []byte
	answer       bool
	readySent    bool
	errorsPosted int
}

// publish sends the state report when it changed or a command asked.
func (g *Game) publish() {
	var z []float64
	if g.current() {
		z = g.digit.z // else the z of the view is not decoded yet
	}
	r := g.state.Report(g.digit.drawn, z, g.digit.ms, g.digit.samples, g.screen.layout)
	for _, p := range g.panels {
		p.report(&r)
	}
	r.FPS = math.Round(ebiten.ActualFPS())
	data, err := json.Marshal(r)
	if err != nil { // cannot happen: the report holds no NaN or Inf
		g.state.Fail(fmt.Errorf("state report: %w", err))
		return
	}
	rep := &g.report
	if !rep.answer && slices.Equal(data, rep.last) {
		return
	}
	rep.answer = false
	rep.last = data
	ready := r.Status == "ready" && !rep.readySent
	rep.readySent = rep.readySent || ready
	if g.hooks.Publish != nil {
		g.hooks.Publish(data, ready)
	}
}
