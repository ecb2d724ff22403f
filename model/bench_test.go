package model

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkStep measures one training step of the default recipe
// (784-400-20, batch 128): forward, backward and Adam.
func BenchmarkStep(b *testing.B) {
	for _, bc := range []struct {
		name    string
		classes int
	}{{"vae", 0}, {"cvae", 10}} {
		b.Run(bc.name, func(b *testing.B) {
			cfg := DefaultConfig()
			cfg.Classes = bc.classes
			rng := rand.New(rand.NewPCG(1, 1))
			m, err := New(cfg, rng)
			if err != nil {
				b.Fatal(err)
			}
			x := uniform[float32](128, cfg.Input, rng)
			var labels []int
			if bc.classes > 0 {
				for i := 0; i < 128; i++ {
					labels = append(labels, i%10)
				}
			}
			tr := NewTrainer(m, NewAdam(1e-3), rng)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				tr.Step(x, labels)
			}
			b.ReportMetric(float64(128*b.N)/b.Elapsed().Seconds(), "images/s")
		})
	}
}

// BenchmarkDecode measures decoding one digit, what the browser widget does
// on every click.
func BenchmarkDecode(b *testing.B) {
	cfg := DefaultConfig()
	cfg.Classes = 10
	m, err := New(cfg, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		b.Fatal(err)
	}
	z := NewMatrix(1, cfg.Latent, nil)
	for i := 0; i < b.N; i++ {
		m.Decode(z, []int{3})
	}
}
