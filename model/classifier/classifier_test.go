package classifier

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"vaeplay/model"
)

// small is a network small enough to check every parameter's gradient.
var small = Config{Side: 14, Kernel: 3, Conv1: 3, Conv2: 4, Hidden: 6, Classes: 4}

func randomBatch(cfg Config, count int, rng *rand.Rand) ([]float64, []int) {
	x := make([]float64, count*cfg.Side*cfg.Side)
	for i := range x {
		x[i] = rng.Float64()
	}
	labels := make([]int, count)
	for i := range labels {
		labels[i] = rng.IntN(cfg.Classes)
	}
	return x, labels
}

// TestGradient compares every parameter's analytic gradient with central
// finite differences of the mean cross-entropy.
func TestGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n, err := New(small, rng)
	if err != nil {
		t.Fatal(err)
	}
	// Larger weights than the initialisation, so that the loss is not flat.
	for _, p := range n.Params() {
		for i := range p.Data {
			p.Data[i] *= 3
		}
	}
	const count = 3
	x, labels := randomBatch(small, count, rng)
	g := n.NewGradient()
	if _, _, err := n.Gradient(g, x, labels); err != nil {
		t.Fatal(err)
	}
	meanLoss := func() float64 {
		l, _, err := n.Loss(x, labels)
		if err != nil {
			t.Fatal(err)
		}
		return l / count
	}
	const h = 1e-6
	grads := g.Params()
	checked := 0
	for pi, p := range n.Params() {
		for i := range p.Data {
			orig := p.Data[i]
			p.Data[i] = orig + h
			up := meanLoss()
			p.Data[i] = orig - h
			down := meanLoss()
			p.Data[i] = orig
			num := (up - down) / (2 * h)
			got := grads[pi].Data[i]
			if math.Abs(num-got) > 1e-6+1e-4*math.Abs(num) {
				t.Errorf("%s[%d]: gradient %v, finite difference %v", p.Name, i, got, num)
			}
			checked++
		}
	}
	if want := len(g.Conv1W) + len(g.Conv1B) + len(g.Conv2W) + len(g.Conv2B) + len(g.FC1W) + len(g.FC1B) + len(g.FC2W) + len(g.FC2B); checked != want {
		t.Errorf("checked %d parameters, the network has %d", checked, want)
	}
}

// TestIm2colAdjoint checks <col2im(c), x> = <c, im2col(x)>, which is what
// makes col2im the backward pass of im2col.
func TestIm2colAdjoint(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct{ count, side, ch, k int }{
		{1, 5, 1, 3}, {2, 6, 3, 2}, {3, 12, 4, 5}, {1, 4, 2, 4},
	} {
		x := make([]float64, tc.count*tc.side*tc.side*tc.ch)
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		cols := im2col(x, tc.count, tc.side, tc.ch, tc.k)
		c := make([]float64, len(cols))
		for i := range c {
			c[i] = rng.NormFloat64()
		}
		back := col2im(c, tc.count, tc.side, tc.ch, tc.k)
		var lhs, rhs float64
		for i := range x {
			lhs += back[i] * x[i]
		}
		for i := range c {
			rhs += c[i] * cols[i]
		}
		if math.Abs(lhs-rhs) > 1e-9*math.Abs(rhs) {
			t.Errorf("%+v: <col2im(c), x> = %v, <c, im2col(x)> = %v", tc, lhs, rhs)
		}
	}
}

func TestConvolutionMatchesDefinition(t *testing.T) {
	// One image, a 2-channel 4x4 map, a 3x3 kernel: the unfolded product
	// equals the convolution (cross-correlation, as PyTorch's) summed by
	// hand with the weight laid out [out, in, ky, kx].
	rng := rand.New(rand.NewPCG(5, 6))
	const side, ch, k, out = 4, 2, 3, 2
	x := make([]float64, side*side*ch) // NHWC
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	w := make([]float64, out*ch*k*k)
	for i := range w {
		w[i] = rng.NormFloat64()
	}
	b := []float64{0.5, -1}
	o := side - k + 1
	y := linear(im2col(x, 1, side, ch, k), o*o, ch*k*k, w, b, out)
	for oy := 0; oy < o; oy++ {
		for ox := 0; ox < o; ox++ {
			for f := 0; f < out; f++ {
				want := b[f]
				for c := 0; c < ch; c++ {
					for ky := 0; ky < k; ky++ {
						for kx := 0; kx < k; kx++ {
							want += w[((f*ch+c)*k+ky)*k+kx] * x[((oy+ky)*side+ox+kx)*ch+c]
						}
					}
				}
				if got := y[(oy*o+ox)*out+f]; math.Abs(got-want) > 1e-12 {
					t.Errorf("output (%d, %d, %d) = %v, want %v", oy, ox, f, got, want)
				}
			}
		}
	}
}

func TestMaxPoolAndFlatten(t *testing.T) {
	// One 4x4 map with 1 channel.
	a := []float64{
		1, 2, 0, 0,
		3, 4, 9, 0,
		0, 0, -1, -2,
		7, 0, -3, -4,
	}
	out, arg := maxPool(a, 1, 4, 1)
	wantOut, wantArg := []float64{4, 9, 7, -1}, []int32{5, 6, 12, 10}
	for i := range wantOut {
		if out[i] != wantOut[i] || arg[i] != wantArg[i] {
			t.Errorf("pool %d: %v at %d, want %v at %d", i, out[i], arg[i], wantOut[i], wantArg[i])
		}
	}
	// Two images of 2x2x3 NHWC: flattened channel-major and back.
	m := make([]float64, 2*2*2*3)
	for i := range m {
		m[i] = float64(i)
	}
	flat := flattenCHW(m, 2, 2, 3)
	// Image 0, channel 1, pixel (0, 1) is NHWC index (0*2+1)*3+1 = 4 and
	// CHW index 1*4+0*2+1 = 5.
	if flat[5] != 4 {
		t.Errorf("flat[5] = %v, want 4", flat[5])
	}
	back := unflattenCHW(flat, 2, 2, 3)
	for i := range m {
		if back[i] != m[i] {
			t.Fatalf("unflatten(flatten) differs at %d", i)
		}
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"default", func(*Config) {}, ""},
		{"small", func(c *Config) { *c = small }, ""},
		{"zero side", func(c *Config) { c.Side = 0 }, "side 0"},
		{"huge hidden", func(c *Config) { c.Hidden = 1 << 20 }, "hidden 1048576"},
		{"one class", func(c *Config) { c.Classes = 1 }, "1 classes"},
		{"odd map", func(c *Config) { c.Kernel = 4 }, "must be even"},
		{"kernel too large", func(c *Config) { c.Kernel = 20 }, "must be even"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			tc.edit(&c)
			err := c.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("unexpected error %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	n, _ := New(small, rand.New(rand.NewPCG(1, 1)))
	x, labels := randomBatch(small, 2, rand.New(rand.NewPCG(2, 2)))
	for _, tc := range []struct {
		name   string
		x      []float64
		labels []int
		want   string
	}{
		{"no pixels", nil, nil, "0 pixels"},
		{"partial image", x[:200], labels, "200 pixels"},
		{"too few labels", x, labels[:1], "1 labels for 2 images"},
		{"label out of range", x, []int{0, 4}, "label 4 of image 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := n.Loss(tc.x, tc.labels); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Loss: error %v, want one containing %q", err, tc.want)
			}
			if _, _, err := n.Gradient(n.NewGradient(), tc.x, tc.labels); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Gradient: error %v, want one containing %q", err, tc.want)
			}
		})
	}
	if _, err := n.Predict(x[:5]); err == nil {
		t.Error("Predict of 5 pixels: no error")
	}
	other, _ := New(DefaultConfig(), rand.New(rand.NewPCG(1, 1)))
	if _, _, err := n.Gradient(other, x, labels); err == nil {
		t.Error("Gradient into a network of another shape: no error")
	}
}

func TestSaveLoad(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	n, _ := New(small, rng)
	var buf bytes.Buffer
	if err := Save(&buf, n, map[string]string{"accuracy": "0.5", FormatKey: "mine"}); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	m, meta, err := Load(good)
	if err != nil {
		t.Fatal(err)
	}
	if meta["accuracy"] != "0.5" || meta[FormatKey] != Format || m.Config != small {
		t.Errorf("metadata %v, config %+v", meta, m.Config)
	}
	x, _ := randomBatch(small, 4, rng)
	want, _ := n.Logits(x)
	got, _ := m.Logits(x)
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-4*(1+math.Abs(want[i])) {
			t.Errorf("logit %d: %v after the round trip, %v before", i, got[i], want[i])
		}
	}

	// A VAE's weights are not a classifier's.
	vae, _ := model.New(model.Config{Input: 4, Hidden: []int{3}, Latent: 2, Likelihood: model.Bernoulli, Beta: 1}, rng)
	var vbuf bytes.Buffer
	if err := model.Save(&vbuf, vae, nil); err != nil {
		t.Fatal(err)
	}
	nan, _ := New(small, rng)
	nan.FC2B[1] = math.NaN()
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "classifier:"},
		{"truncated", good[:len(good)-10], "classifier:"},
		{"a VAE", vbuf.Bytes(), `want "vaeplay-classifier/1"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := Load(tc.data); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
	if err := Save(&bytes.Buffer{}, nan, nil); err == nil || !strings.Contains(err.Error(), "fc2.bias") {
		t.Errorf("Save with a NaN: error %v", err)
	}
}

// BenchmarkGradient times one training step's forward and backward pass at
// batch 64 with the default network.
func BenchmarkGradient(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	n, _ := New(DefaultConfig(), rng)
	x, labels := randomBatch(DefaultConfig(), 64, rng)
	g := n.NewGradient()
	b.ResetTimer()
	for range b.N {
		if _, _, err := n.Gradient(g, x, labels); err != nil {
			b.Fatal(err)
		}
	}
}
