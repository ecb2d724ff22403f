//go:build js

// Command wasm is the vaeplay widget, built with GOOS=js GOARCH=wasm into
// main.wasm and started by web/loader.js in embed.html. It reads the page's
// query string, fetches the weights, runs the Ebiten game and keeps the page
// informed through window.vaeplay and postMessage (see bridge.go).
package main

import (
	"fmt"
	"time"

	"syscall/js"

	"vaeplay/wasm/game"
	"vaeplay/wasm/widget"
)

func main() {
	search := js.Global().Get("location").Get("search").String()
	opt, errs := widget.ParseQuery(search, widget.DefaultSeed(time.Now()))

	b := newBridge()
	var l *loader
	g, err := game.New(opt, errs, game.Hooks{Publish: b.publish, Error: b.error, LoadMap: func(k widget.Kind) { l.loadMap(k) }})
	if err != nil {
		b.fatal(err)
		return
	}
	l = newLoader(g)
	b.listen(g)
	go l.loadModels(opt.Weights)
	if err := g.Run(); err != nil {
		b.fatal(fmt.Errorf("Ebiten: %w", err))
	}
}
