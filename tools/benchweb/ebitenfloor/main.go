//go:build js

// Command ebitenfloor is the smallest Ebiten program that draws a digit-sized
// image, built by tools/benchweb for js/wasm to weigh it (the bytes any
// Ebiten widget downloads before its own code) and to time it
// (page/floor.html): it redraws its whole canvas every frame and leaves
// Ebiten's ActualFPS in window.ebitenFPS, the frame rate this browser gives
// an Ebiten canvas that does next to nothing.
package main

import (
	"image/color"
	"log"
	"syscall/js"

	"github.com/hajimehoshi/ebiten/v2"
)

type game struct{ img *ebiten.Image }

func (g *game) Update() error {
	js.Global().Set("ebitenFPS", ebiten.ActualFPS())
	return nil
}

func (g *game) Draw(screen *ebiten.Image) {
	g.img.Fill(color.Gray{Y: 200})
	screen.DrawImage(g.img, nil)
}

func (g *game) Layout(w, h int) (int, int) { return w, h }

func main() {
	if err := ebiten.RunGame(&game{img: ebiten.NewImage(28, 28)}); err != nil {
		log.Fatal(err)
	}
}
