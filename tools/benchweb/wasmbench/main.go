//go:build js

// Command wasmbench is the Go side of tools/benchweb's decode benchmark: the
// vaeplay model package alone, built for js/wasm, behind two JavaScript
// functions that bench-go.html times exactly as bench-tfjs.html times
// TensorFlow.js:
//
//	goBench.load(bytes)       parse a weights file with model.Load; returns
//	                          the model's Config as JSON
//	goBench.decode(n, reps)   decode reps batches of n digits, as the widget
//	                          does, and return the mean of the first pixel
//	goBench.check(z, label)   decode one latent code (an array) and return
//	                          its pixels, to compare with the peer's
//
// Each returns an Error object instead of its result when it fails: an
// exception cannot cross from Go back into JavaScript.
package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"syscall/js"

	"vaeplay/model"
)

func main() {
	var m *model.Model
	api := js.Global().Get("Object").New()
	api.Set("load", js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) != 1 || args[0].Type() != js.TypeObject {
			return fail("load(bytes): want one Uint8Array")
		}
		data := make([]byte, args[0].Get("length").Int())
		js.CopyBytesToGo(data, args[0])
		got, _, err := model.Load(data)
		if err != nil {
			return fail(err.Error())
		}
		m = got
		cfg, err := json.Marshal(m.Config)
		if err != nil {
			return fail(err.Error())
		}
		return string(cfg)
	}))
	api.Set("decode", js.FuncOf(func(_ js.Value, args []js.Value) any {
		if m == nil {
			return fail("decode before load")
		}
		if len(args) != 2 || args[0].Int() < 1 || args[1].Int() < 1 {
			return fail("decode(n, reps): want two positive integers")
		}
		return decode(m, args[0].Int(), args[1].Int())
	}))
	api.Set("check", js.FuncOf(func(_ js.Value, args []js.Value) any {
		if m == nil {
			return fail("check before load")
		}
		if len(args) != 2 || args[0].Get("length").Int() != m.Config.Latent {
			return fail(fmt.Sprintf("check(z, label): want %d numbers and a label", m.Config.Latent))
		}
		z := model.NewMatrix(1, m.Config.Latent, nil)
		for i := range m.Config.Latent {
			z.Data[i] = float32(args[0].Index(i).Float())
		}
		var labels []int
		if m.Config.Conditional() {
			labels = []int{args[1].Int()}
		}
		px := m.Decode(z, labels).Row(0)
		out := js.Global().Get("Array").New(len(px))
		for i, v := range px {
			out.SetIndex(i, v)
		}
		return out
	}))
	js.Global().Set("goBench", api)
	select {} // keep the functions alive
}

// decode decodes reps batches of n random latent codes with cycling labels,
// drawn before the clock starts on the JavaScript side, and returns the mean
// first pixel so that the work cannot be skipped.
func decode(m *model.Model, n, reps int) float64 {
	rng := rand.New(rand.NewPCG(uint64(n), uint64(reps)))
	z := model.Noise(n, m.Config.Latent, rng)
	var labels []int
	if m.Config.Conditional() {
		labels = make([]int, n)
		for i := range labels {
			labels[i] = i % m.Config.Classes
		}
	}
	var sum float64
	for range reps {
		sum += float64(m.Decode(z, labels).At(0, 0))
	}
	return sum / float64(reps)
}

// fail returns a JavaScript Error for the caller to throw.
func fail(msg string) any {
	return js.Global().Get("Error").New("goBench: " + msg)
}
