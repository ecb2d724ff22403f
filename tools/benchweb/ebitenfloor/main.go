//go:build js

// Command ebitenfloor is the smallest Ebiten program that draws a digit-sized
// image, built by tools/benchweb for js/wasm only to weigh it: the bytes any
// Ebiten widget downloads before its own code.
package main

import (
	"image/color"
	"log"

	"github.com/hajimehoshi/ebiten/v2"
)

type game struct{ img *ebiten.Image }

func (g *game) Update() error { return nil }

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
