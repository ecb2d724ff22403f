//go:build js

package main

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sync"

	"vaeplay/model"
	"vaeplay/model/safetensors"
	"vaeplay/wasm/game"
	"vaeplay/wasm/widget"
)

// defaultWeights are the shipped files, relative to embed.html.
var defaultWeights = map[widget.Kind]string{
	widget.VAE:  "weights/vae.safetensors",
	widget.CVAE: "weights/cvae.safetensors",
}

// defaultMapWeights are the shipped models with a 2-D latent space, which
// the map panel shows; they are fetched only when the map is first shown.
var defaultMapWeights = map[widget.Kind]string{
	widget.VAE:  "weights/vae2d.safetensors",
	widget.CVAE: "weights/cvae2d.safetensors",
}

// loader fetches the widget's models and hands each to the game as a
// widget.Loaded: the two full ones at start, and the map's when the game
// asks for them (loadMap), which it may do before the loader runs.
type loader struct {
	g *game.Game
	// requests are the map's models the game asked for: loadMap only
	// queues them, run serves them once it has the game.
	requests chan widget.Kind
	// customDone is closed once the weights= file has been tried; mapKind
	// is then the kind it serves the map for (a file with a 2-D latent
	// space replaces the map's model of its kind), or "".
	customDone chan struct{}
	mapKind    widget.Kind
	// full holds the outcome of each kind's full model; the map takes a
	// full model whose latent space is a plane rather than download the
	// same weights again (the shipped CVAE is 2-D).
	full map[widget.Kind]*fullModel
}

// fullModel is the outcome of loading one full model: m, or nil if it
// failed, set before done is closed.
type fullModel struct {
	m    *model.Model
	done chan struct{}
}

func newLoader() *loader {
	l := &loader{requests: make(chan widget.Kind, len(widget.Kinds)), customDone: make(chan struct{}), full: map[widget.Kind]*fullModel{}}
	for _, k := range widget.Kinds {
		l.full[k] = &fullModel{done: make(chan struct{})}
	}
	return l
}

// run loads the models for g (the weights= file custom, if any, and the
// defaults), and serves the game's requests for the map's models.
func (l *loader) run(g *game.Game, custom string) {
	l.g = g
	go func() {
		for k := range l.requests {
			go l.mapModel(k)
		}
	}()
	l.loadModels(custom)
}

// loadMap asks for the map's model of kind k (the game's LoadMap hook).
func (l *loader) loadMap(k widget.Kind) {
	select {
	case l.requests <- k:
	default: // the game asks once per kind, which the buffer holds
	}
}

// settle records the outcome of kind k's full model (m nil: it failed).
func (l *loader) settle(k widget.Kind, m *model.Model) {
	l.full[k].m = m
	close(l.full[k].done)
}

// loadModels fetches and loads the models and hands each to g as it
// arrives. A custom file (the weights= parameter) replaces the default of its
// own kind; if it fails, both defaults load. One model failing leaves the
// other working. A custom file whose latent space is a plane serves the map
// instead, and both full models load as usual.
func (l *loader) loadModels(custom string) {
	g := l.g
	var p progress
	p.g = g
	want := map[widget.Kind]string{widget.VAE: defaultWeights[widget.VAE], widget.CVAE: defaultWeights[widget.CVAE]}
	if custom != "" {
		m, meta, err := loadModel(custom, p.file())
		var k widget.Kind
		if err == nil {
			if k, err = widget.KindOf(m.Config); err != nil {
				err = fmt.Errorf("%s: %w", custom, err)
			}
		}
		switch {
		case err != nil:
			g.Loaded(widget.Loaded{Err: fmt.Errorf("%w (using the default weights)", err)})
		case m.Config.Latent == widget.MapLatent:
			l.mapKind = k
			g.Loaded(widget.Loaded{Kind: k, Role: widget.MapModel, Model: m, Meta: meta})
		default:
			g.Loaded(widget.Loaded{Kind: k, Role: widget.FullModel, Model: m, Meta: meta})
			l.settle(k, m)
			delete(want, k)
		}
	}
	close(l.customDone)
	var wg sync.WaitGroup
	for k, url := range want {
		report := p.file()
		wg.Go(func() {
			m, meta, err := loadKind(url, k, report)
			g.Loaded(widget.Loaded{Kind: k, Role: widget.FullModel, Model: m, Meta: meta, Err: err})
			l.settle(k, m)
		})
	}
	wg.Wait()
}

// mapModel fetches the map's model of kind k, after the weights= file has
// been tried, unless that file serves the map.
func (l *loader) mapModel(k widget.Kind) {
	<-l.customDone
	if l.mapKind == k {
		return
	}
	if f := l.full[k]; f != nil {
		<-f.done
		if f.m != nil && f.m.Config.Latent == widget.MapLatent {
			l.g.Loaded(widget.Loaded{Kind: k, Role: widget.MapModel, Model: f.m})
			return
		}
	}
	var p progress
	p.g = l.g
	m, _, err := loadKind(defaultMapWeights[k], k, p.file())
	if err != nil {
		err = fmt.Errorf("the map's model: %w", err)
	}
	l.g.Loaded(widget.Loaded{Kind: k, Role: widget.MapModel, Model: m, Err: err})
}

// loadKind loads url, which must hold a model of kind k.
func loadKind(url string, k widget.Kind, progress func(got, total int64)) (*model.Model, model.Metadata, error) {
	m, meta, err := loadModel(url, progress)
	if err != nil {
		return nil, nil, err
	}
	if got, err := widget.KindOf(m.Config); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", url, err)
	} else if got != k {
		return nil, nil, fmt.Errorf("%s: holds a %s, want a %s", url, got, k)
	}
	return m, meta, nil
}

// loadModel fetches url and parses it with model.Load, the trainer's own
// loader.
func loadModel(url string, progress func(got, total int64)) (*model.Model, model.Metadata, error) {
	data, err := fetchBytes(url, progress)
	if err != nil {
		return nil, nil, err
	}
	m, meta, err := model.Load(data)
	if err != nil {
		if t := truncation(data); t != "" {
			return nil, nil, fmt.Errorf("%s: %s (%w)", url, t, err)
		}
		return nil, nil, fmt.Errorf("%s: %w", url, err)
	}
	return m, meta, nil
}

// truncation says so when data is a safetensors file cut short, or returns
// "". model.Load then reports offsets past the end of the data, while what
// the reader needs to hear is that the upload or copy was cut.
func truncation(data []byte) string {
	if len(data) < 8 {
		return ""
	}
	n := binary.LittleEndian.Uint64(data)
	switch {
	case n > safetensors.MaxHeaderSize:
		return "" // not a length a writer produces: the file is not safetensors
	case n > uint64(len(data)-8):
		return fmt.Sprintf("the file is truncated: %d bytes, its header alone is %d", len(data), 8+n)
	}
	var header map[string]json.RawMessage
	if json.Unmarshal(data[8:8+n], &header) != nil {
		return ""
	}
	var end uint64 // where the tensors' data ends
	for name, raw := range header {
		var t struct {
			Offsets []uint64 `json:"data_offsets"`
		}
		if name == "__metadata__" || json.Unmarshal(raw, &t) != nil || len(t.Offsets) != 2 {
			continue
		}
		end = max(end, t.Offsets[1])
	}
	// A bound keeps the sum below from overflowing on absurd offsets.
	if have := uint64(len(data)) - 8 - n; end > have && end <= maxWeights {
		return fmt.Sprintf("the file is truncated: %d bytes, its header describes %d", len(data), 8+n+end)
	}
	return ""
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
