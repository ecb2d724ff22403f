//go:build js

package main

import (
	"fmt"
	"sync"

	"vaeplay/model"
	"vaeplay/wasm/game"
	"vaeplay/wasm/widget"
)

// defaultWeights are the shipped files, relative to embed.html.
var defaultWeights = map[widget.Kind]string{
	widget.VAE:  "weights/vae.safetensors",
	widget.CVAE: "weights/cvae.safetensors",
}

// loadModels fetches and loads the models and hands each to g as it
// arrives. A custom file (the weights= parameter) replaces the default of its
// own kind; if it fails, both defaults load. One model failing leaves the
// other working.
func loadModels(custom string, g *game.Game) {
	var p progress
	p.g = g
	want := map[widget.Kind]string{widget.VAE: defaultWeights[widget.VAE], widget.CVAE: defaultWeights[widget.CVAE]}
	if custom != "" {
		m, err := loadModel(custom, p.file())
		if err != nil {
			g.Fail(fmt.Errorf("%w (using the default weights)", err))
		} else if k, err := widget.KindOf(m.Config); err != nil {
			g.Fail(fmt.Errorf("%s: %w (using the default weights)", custom, err))
		} else {
			g.ModelReady(m)
			delete(want, k)
		}
	}
	var wg sync.WaitGroup
	for k, url := range want {
		report := p.file()
		wg.Go(func() {
			m, err := loadModel(url, report)
			if err == nil {
				var got widget.Kind
				if got, err = widget.KindOf(m.Config); err == nil && got != k {
					err = fmt.Errorf("%s: holds a %s, want a %s", url, got, k)
				} else if err != nil {
					err = fmt.Errorf("%s: %w", url, err)
				}
			}
			if err != nil {
				g.ModelFailed(k, err)
				return
			}
			g.ModelReady(m)
		})
	}
	wg.Wait()
}

// loadModel fetches url and parses it with model.Load, the trainer's own
// loader.
func loadModel(url string, progress func(got, total int64)) (*model.Model, error) {
	data, err := fetchBytes(url, progress)
	if err != nil {
		return nil, err
	}
	m, _, err := model.Load(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", url, err)
	}
	return m, nil
}

// progress sums the download progress of several files for the game.
type progress struct {
	g          *game.Game
	mu         sync.Mutex
	got, total []int64
}

// file returns the progress callback of one more file.
func (p *progress) file() func(got, total int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	i := len(p.got)
	p.got, p.total = append(p.got, 0), append(p.total, 0)
	return func(got, total int64) {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.got[i], p.total[i] = got, total
		var sg, st int64
		known := true // with one size unknown, the sum of sizes means nothing
		for j := range p.got {
			sg += p.got[j]
			st += p.total[j]
			known = known && p.total[j] > 0
		}
		if !known {
			st = 0
		}
		p.g.Progress(sg, st)
	}
}
