//go:build js

// Command wasm is the vaeplay widget, built with GOOS=js GOARCH=wasm into
// main.wasm and started by web/loader.js in embed.html. It reads the page's
// query string, fetches the weights (load.go), runs the Ebiten game and
// keeps the page informed through window.vaeplay and postMessage (see
// bridge.go).
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
	b := newBridge()
	l := newLoader()
	g, err := game.New(search, widget.DefaultSeed(time.Now()), game.Hooks{Publish: b.publish, Error: b.error, LoadMap: l.loadMap})
	if err != nil {
		b.fatal(err)
		return
	}
	b.listen(g)
	go l.run(g, g.Weights())
	if err := g.Run(); err != nil {
		b.fatal(fmt.Errorf("Ebiten: %w", err))
	}
}
