package main

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/chromedp/chromedp"
)

// dragResult is the frame rate Ebiten reported (window.vaeplay.fps, its
// ActualFPS) while a latent slider was dragged back and forth.
type dragResult struct {
	Readings []float64 `json:"readings"` // fps, sampled about every 250 ms after the first second
	Moves    int       `json:"moves"`    // mouse moves sent
	Seconds  float64   `json:"seconds"`  // length of the drag
	// Floor is the smallest Ebiten program's ActualFPS in the same browser
	// over as long (floorFPS): the most this browser gives any Ebiten canvas.
	Floor []float64 `json:"floor"`
}

// Held returns the median reading: the frame rate the drag held, measured
// as the floor (the smallest Ebiten program) is, so the two compare. The
// lowest reading is no fairer a figure: it usually comes from the first
// second of the drag, while the panel's first frames warm up.
func (d *dragResult) Held() float64 {
	if len(d.Readings) == 0 {
		return math.NaN()
	}
	return median(d.Readings)
}

// Lowest returns the lowest reading.
func (d *dragResult) Lowest() float64 {
	if len(d.Readings) == 0 {
		return math.NaN()
	}
	return slices.Min(d.Readings)
}

// dragFPS opens the widget's sliders panel, presses the mouse on the first
// latent slider and moves it to and fro for the given time, a move about
// every frame, as a person's drag sends them; each move decodes and draws a
// digit. Ebiten updates ActualFPS about once a second, and the widget
// reports it with every state change, so readings start after a second.
// With prof, the page's main thread is profiled during the drag.
func (b *browser) dragFPS(url string, length time.Duration, prof *profiling) (*dragResult, error) {
	ctx, cancel, err := b.open(url)
	if err != nil {
		return nil, err
	}
	defer cancel()
	var sliders []struct {
		Label      string  `json:"label"`
		X, Y, W, H float64 // CSS pixels of the page: the widget fills it
	}
	err = waitJSON(ctx, `(window.vaeplay && window.vaeplay.status === "error") ? {error: window.vaeplay.errors} :
		(window.vaeplay && window.vaeplay.status === "ready" && window.vaeplay.layout.sliders.length > 1) ? window.vaeplay.layout.sliders : null`, &sliders)
	if err != nil {
		return nil, fmt.Errorf("%s: waiting for the sliders (the widget may report an error): %w", url, err)
	}
	s := sliders[1] // [0] is the temperature
	x0, y := s.X+s.W/2, s.Y+s.H/2
	at := func(t time.Duration) float64 { // a to-and-fro over 80% of the track, 1.5 s a cycle
		return x0 + 0.4*s.W*math.Sin(2*math.Pi*t.Seconds()/1.5)
	}
	if err := chromedp.Do(ctx,
		chromedp.MouseEvent(chromedp.MouseMoved, x0, y),
		chromedp.MouseEvent(chromedp.MousePressed, x0, y, chromedp.ButtonLeft, chromedp.ClickCount(1))); err != nil {
		return nil, fmt.Errorf("%s: pressing on slider %s: %w", url, s.Label, err)
	}
	if prof != nil {
		if err := prof.start(ctx); err != nil {
			return nil, err
		}
	}
	var d dragResult
	start := time.Now()
	lastRead := start
	for el := time.Since(start); el < length; el = time.Since(start) {
		if err := chromedp.Do(ctx, chromedp.MouseEvent(chromedp.MouseMoved, at(el), y, chromedp.ButtonLeft)); err != nil {
			return nil, fmt.Errorf("%s: dragging slider %s: %w", url, s.Label, err)
		}
		d.Moves++
		if el > time.Second && time.Since(lastRead) >= 250*time.Millisecond {
			lastRead = time.Now()
			fps, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`window.vaeplay.fps`))
			if err != nil {
				return nil, fmt.Errorf("%s: reading window.vaeplay.fps: %w", url, err)
			}
			d.Readings = append(d.Readings, fps)
		}
		// About one move per frame at 60 Hz, counting the round trip.
		time.Sleep(10 * time.Millisecond)
	}
	d.Seconds = time.Since(start).Seconds()
	if prof != nil {
		if err := prof.stop(ctx); err != nil {
			return nil, err
		}
	}
	if err := chromedp.Do(ctx, chromedp.MouseEvent(chromedp.MouseReleased, at(time.Since(start)), y, chromedp.ButtonLeft, chromedp.ClickCount(1))); err != nil {
		return nil, fmt.Errorf("%s: releasing slider %s: %w", url, s.Label, err)
	}
	if len(d.Readings) == 0 {
		return nil, fmt.Errorf("%s: no fps reading in a %v drag", url, length)
	}
	return &d, nil
}

// floorFPS loads page/floor.html, the smallest Ebiten program, and samples
// its ActualFPS every 250 ms after the first second, for as long as a drag
// lasts: the frame rate this browser sustains for an Ebiten canvas of the
// widget's size that draws next to nothing.
func (b *browser) floorFPS(url string, length time.Duration) ([]float64, error) {
	ctx, cancel, err := b.open(url)
	if err != nil {
		return nil, err
	}
	defer cancel()
	var first float64
	if err := waitJSON(ctx, `window.benchError ? (() => { throw new Error(window.benchError); })() : (window.ebitenFPS > 0 ? window.ebitenFPS : null)`, &first); err != nil {
		return nil, fmt.Errorf("%s: waiting for a frame rate: %w", url, err)
	}
	time.Sleep(time.Second)
	var readings []float64
	for start := time.Now(); time.Since(start) < length-time.Second; time.Sleep(250 * time.Millisecond) {
		fps, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`window.ebitenFPS`))
		if err != nil {
			return nil, fmt.Errorf("%s: reading window.ebitenFPS: %w", url, err)
		}
		readings = append(readings, fps)
	}
	return readings, nil
}

// frameRates measures the frame rate of rounds slider drags on the widget
// (dragURL) and of as many runs of the smallest Ebiten program (floorURL),
// taking turns, which one goes first alternating, so that a change in the
// machine's load falls on both alike. The readings of all rounds are pooled.
func (b *browser) frameRates(dragURL, floorURL string, rounds int) (*dragResult, error) {
	var all dragResult
	for r := range rounds {
		fmt.Printf("benchweb: frame rate, round %d of %d: a slider dragged, and the smallest Ebiten program ...\n", r+1, rounds)
		drag := func() error {
			d, err := b.dragFPS(dragURL, dragLength, nil)
			if err != nil {
				return err
			}
			all.Readings = append(all.Readings, d.Readings...)
			all.Moves += d.Moves
			all.Seconds += d.Seconds
			return nil
		}
		floor := func() error {
			f, err := b.floorFPS(floorURL, dragLength)
			all.Floor = append(all.Floor, f...)
			return err
		}
		first, second := drag, floor
		if r%2 == 1 {
			first, second = floor, drag
		}
		if err := first(); err != nil {
			return nil, err
		}
		if err := second(); err != nil {
			return nil, err
		}
	}
	return &all, nil
}

// dragLength is how long one drag, and one run of the smallest Ebiten
// program, lasts.
const dragLength = 5 * time.Second
