package classifier

import (
	"bytes"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"vaeplay/model"
	"vaeplay/model/nn"
	"vaeplay/model/safetensors"
)

// gradientProblem is the small network with weights three times its
// initialisation's, so that the loss is not flat, and a batch of three
// images, in float64.
func gradientProblem(seed uint64) (*CNN[float64], nn.Matrix[float64], []int) {
	rng := rand.New(rand.NewPCG(seed, 2))
	n32, err := New(small, rng)
	if err != nil {
		panic(err)
	}
	for _, p := range n32.Params() {
		for i := range p.Data {
			p.Data[i] *= 3
		}
	}
	// The images are drawn in float32 so that the float32 network of
	// TestGradientFloat32 sees exactly the same ones.
	x, labels := randomBatch[float32](small, 3, rng)
	return convert[float64](n32), nn.Convert[float64](x), labels
}

// TestGradient compares every parameter's gradient with central finite
// differences of the mean cross-entropy, in float64: the backward pass is
// the same code in both precisions, and in float64 a difference quotient
// with h = 1e-6 is good to about 1e-9 (the worst seen here), so a
// tolerance of 1e-6, relative above 1 as the VAE's, leaves no room for a
// wrong term.
func TestGradient(t *testing.T) {
	n, x, labels := gradientProblem(1)
	g := n.NewGradient()
	if _, _, err := n.Gradient(g, x, labels); err != nil {
		t.Fatal(err)
	}
	meanLoss := func() float64 {
		l, _, err := n.Loss(x, labels)
		if err != nil {
			t.Fatal(err)
		}
		return l / float64(x.Rows)
	}
	const h = 1e-6
	grads := g.Params()
	checked, total := 0, 0
	for pi, p := range n.Params() {
		total += len(p.Data)
		for i := range p.Data {
			orig := p.Data[i]
			p.Data[i] = orig + h
			up := meanLoss()
			p.Data[i] = orig - h
			down := meanLoss()
			p.Data[i] = orig
			num := (up - down) / (2 * h)
			got := grads[pi].Data[i]
			if math.Abs(num-got) > 1e-6*math.Max(1, math.Abs(num)) {
				t.Errorf("%s[%d]: gradient %v, finite difference %v", p.Name, i, got, num)
			}
			checked++
		}
	}
	if want := 3*9 + 3 + 4*3*9 + 4 + 6*16 + 6 + 4*6 + 4; checked != want || total != want {
		t.Errorf("checked %d of %d parameters, the network has %d", checked, total, want)
	}
}

// TestGradientFloat32 compares the float32 gradient with the float64 one
// of the same network on the same images. A float32 sum of n terms is off
// by at most about n·u times the sum of their magnitudes, u = 2⁻²⁴ being
// float32's unit roundoff (Higham, Accuracy and Stability of Numerical
// Algorithms, §3.1), and to first order the errors of the sums a gradient
// element is computed through add up. So the tolerance is chain·u·(|g| +
// scale), where chain is the total length of the longest chain of sums
// behind one element and scale, the largest element of that tensor, stands
// for the magnitudes of the terms, as in the VAE's test.
func TestGradientFloat32(t *testing.T) {
	const u = 0x1p-24
	n64, x64, labels := gradientProblem(7)
	c, g, count := small, small.geometry(), x64.Rows
	kk := c.Kernel * c.Kernel
	// The logits: the four layers' dot products, then the softmax's sum.
	forward := kk + c.Conv1*kk + c.Conv2*g.p2*g.p2 + c.Hidden + c.Classes
	// Back down to conv1's weight, whose gradient is the longest sum, over
	// every output pixel of every image: fc2's and fc1's input gradients,
	// conv2's, col2im's overlapping patches, then conv1's weight gradient.
	chain := forward + c.Classes + c.Hidden + c.Conv2 + kk + count*g.c1*g.c1

	n32 := convert[float32](n64)
	g64, g32 := n64.NewGradient(), n32.NewGradient()
	l64, _, err := n64.Gradient(g64, x64, labels)
	if err != nil {
		t.Fatal(err)
	}
	l32, _, err := n32.Gradient(g32, nn.Convert[float32](x64), labels)
	if err != nil {
		t.Fatal(err)
	}
	if d := math.Abs(l32 - l64); d > float64(forward)*u*math.Abs(l64) {
		t.Errorf("loss %v in float32, %v in float64", l32, l64)
	}
	want := g64.Params()
	for k, got := range g32.Params() {
		var scale float64
		for _, v := range want[k].Data {
			scale = max(scale, math.Abs(v))
		}
		for i, v := range got.Data {
			w := want[k].Data[i]
			if d := math.Abs(float64(v) - w); d > float64(chain)*u*(math.Abs(w)+scale) {
				t.Errorf("%s[%d]: float32 %.9g, float64 %.9g", got.Name, i, v, w)
			}
		}
	}
}

// TestSameOnAnyCores checks that the logits and a training step's gradient
// have the same bits whatever the number of cores: the per-image work runs
// through nn.Parallel, the products through the deterministic GEMM.
func TestSameOnAnyCores(t *testing.T) {
	cfg := DefaultConfig()
	rng := rand.New(rand.NewPCG(3, 3))
	n, err := New(cfg, rng)
	if err != nil {
		t.Fatal(err)
	}
	x, labels := randomBatch[float32](cfg, 9, rng)
	run := func(procs int) [][]float32 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		g := n.NewGradient()
		if _, _, err := n.Gradient(g, x, labels); err != nil {
			t.Fatal(err)
		}
		logits, err := n.Logits(x)
		if err != nil {
			t.Fatal(err)
		}
		out := [][]float32{logits.Data}
		for _, p := range g.Params() {
			out = append(out, p.Data)
		}
		return out
	}
	want := run(1)
	for _, procs := range []int{2, 3} {
		for i, got := range run(procs) {
			if !slices.Equal(got, want[i]) {
				t.Errorf("GOMAXPROCS %d: output %d (0 the logits, then the gradients in Params order) differs from one core's", procs, i)
			}
		}
	}
}

// TestIm2colAdjoint checks <col2im(c), x> = <c, im2col(x)>, which is what
// makes col2im the backward pass of im2col.
func TestIm2colAdjoint(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct{ count, side, ch, k int }{
		{1, 5, 1, 3}, {2, 6, 3, 2}, {3, 12, 4, 5}, {1, 4, 2, 4}, {2, 7, 1, 7},
	} {
		x := normal(tc.count, tc.side*tc.side*tc.ch, rng)
		cols := im2col(x, tc.side, tc.ch, tc.k)
		c := normal(cols.Rows, cols.Cols, rng)
		back := col2im(c, tc.count, tc.side, tc.ch, tc.k)
		if lhs, rhs := dot(back.Data, x.Data), dot(c.Data, cols.Data); math.Abs(lhs-rhs) > 1e-9*math.Abs(rhs) {
			t.Errorf("%+v: <col2im(c), x> = %v, <c, im2col(x)> = %v", tc, lhs, rhs)
		}
	}
}

// TestUnpoolAdjoint checks <unpool(d), a> = <d, P a>, where P is the
// linear map that takes each 2x2 block of a to the element maxPool chose:
// unpool is the backward pass of the pooling.
func TestUnpoolAdjoint(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for _, tc := range []struct{ count, side, ch int }{{1, 2, 1}, {2, 4, 3}, {3, 8, 5}} {
		a := normal(tc.count*tc.side*tc.side, tc.ch, rng)
		pooled, from := maxPool(a, tc.side)
		d := normal(pooled.Rows, pooled.Cols, rng)
		// P a is the pooled maps themselves, the maxima being elements of a.
		if lhs, rhs := dot(unpool(d, from, tc.side, tc.ch).Data, a.Data), dot(d.Data, pooled.Data); math.Abs(lhs-rhs) > 1e-12*(1+math.Abs(rhs)) {
			t.Errorf("%+v: <unpool(d), a> = %v, <d, pool(a)> = %v", tc, lhs, rhs)
		}
	}
}

func dot(a, b []float64) float64 {
	var s float64
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

// TestConvolutionMatchesDefinition checks that a Linear over im2col's rows,
// with the convolution's [out, in, K, K] weight as its [out, in*K*K]
// matrix, is the convolution (cross-correlation, as PyTorch's) summed by
// hand.
func TestConvolutionMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const side, ch, k, out = 4, 2, 3, 2
	x := normal(1, side*side*ch, rng) // one image, NHWC
	conv := nn.Linear[float64]{W: normal(out, ch*k*k, rng), B: []float64{0.5, -1}}
	w := conv.W.Data // [out, in, ky, kx]
	o := side - k + 1
	y := conv.Forward(im2col(x, side, ch, k), nn.Identity, nil)
	for oy := range o {
		for ox := range o {
			for f := range out {
				want := conv.B[f]
				for c := range ch {
					for ky := range k {
						for kx := range k {
							want += w[((f*ch+c)*k+ky)*k+kx] * x.Data[((oy+ky)*side+ox+kx)*ch+c]
						}
					}
				}
				if got := y.At(oy*o+ox, f); math.Abs(got-want) > 1e-12 {
					t.Errorf("output (%d, %d, %d) = %v, want %v", oy, ox, f, got, want)
				}
			}
		}
	}
}

func TestMaxPoolAndFlatten(t *testing.T) {
	// One 4x4 map with 1 channel, by pixel.
	a := nn.NewMatrix(16, 1, []float64{
		1, 2, 0, 0,
		3, 4, 9, 0,
		0, 0, -1, -2,
		7, 0, -3, -4,
	})
	out, from := maxPool(a, 4)
	wantOut, wantFrom := []float64{4, 9, 7, -1}, []uint8{3, 2, 2, 0}
	if !slices.Equal(out.Data, wantOut) || !slices.Equal(from, wantFrom) {
		t.Errorf("pool: %v from %v, want %v from %v", out.Data, from, wantOut, wantFrom)
	}
	back := unpool(nn.NewMatrix(1, 4, []float64{1, 2, 3, 4}), from, 4, 1)
	wantBack := []float64{0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 4, 0, 3, 0, 0, 0}
	if !slices.Equal(back.Data, wantBack) {
		t.Errorf("unpool = %v, want %v", back.Data, wantBack)
	}

	// Two images of 2x2x3 NHWC: flattened channel-major and back.
	m := nn.NewMatrix[float64](2, 2*2*3, nil)
	for i := range m.Data {
		m.Data[i] = float64(i)
	}
	flat := flatten(m, 2, 3)
	// Image 1, channel 1, pixel (0, 1) is NHWC index (0*2+1)*3+1 = 4 and
	// CHW index 1*4+0*2+1 = 5 of its row.
	if got := flat.At(1, 5); got != m.At(1, 4) {
		t.Errorf("flat[1][5] = %v, want %v", got, m.At(1, 4))
	}
	if back := unflatten(flat, 2, 3); !slices.Equal(back.Data, m.Data) {
		t.Errorf("unflatten(flatten(m)) = %v, want %v", back.Data, m.Data)
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
	x, labels := randomBatch[float32](small, 2, rand.New(rand.NewPCG(2, 2)))
	for _, tc := range []struct {
		name   string
		x      nn.Matrix[float32]
		labels []int
		want   string
	}{
		{"no images", nn.Matrix[float32]{}, nil, "no images"},
		{"wrong size", nn.NewMatrix[float32](1, 200, nil), labels[:1], "images of 200 pixels"},
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
	if _, err := n.Predict(nn.NewMatrix[float32](1, 5, nil)); err == nil {
		t.Error("Predict of 5 pixels: no error")
	}
	other, _ := New(DefaultConfig(), rand.New(rand.NewPCG(1, 1)))
	if _, _, err := n.Gradient(other, x, labels); err == nil {
		t.Error("Gradient into a network of another shape: no error")
	}
}

// TestLogitsChunks checks that Logits gives each image the logits it gets
// alone, across the chunks it runs a large batch in, and on a strided view.
func TestLogitsChunks(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	n, _ := New(small, rng)
	x, _ := randomBatch[float32](small, logitsChunk+3, rng)
	all, err := n.Logits(x)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, logitsChunk - 1, logitsChunk, logitsChunk + 2} {
		one, err := n.Logits(x.RowSlice(i, i+1))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(one.Row(0), all.Row(i)) {
			t.Errorf("image %d: logits %v alone, %v in the batch", i, one.Row(0), all.Row(i))
		}
	}
	// The same images as the first columns of a wider matrix.
	wide := nn.NewMatrix[float32](x.Rows, x.Cols+5, nil)
	for i := range x.Rows {
		copy(wide.Row(i), x.Row(i))
	}
	strided, err := n.Logits(wide.ColSlice(0, x.Cols))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(strided.Data, all.Data) {
		t.Error("logits of a strided view differ from the contiguous images'")
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
	// float32 parameters in a float32 file: the round trip is exact.
	for i, p := range m.Params() {
		if want := n.Params()[i]; !slices.Equal(p.Data, want.Data) || !slices.Equal(p.Shape, want.Shape) || p.Name != want.Name {
			t.Errorf("%s %v after the round trip differs from %s %v", p.Name, p.Shape, want.Name, want.Shape)
		}
	}

	// A VAE's weights are not a classifier's.
	vae, _ := model.New(model.Config{Input: 4, Hidden: []int{3}, Latent: 2, Likelihood: model.Bernoulli, Beta: 1}, rng)
	var vbuf bytes.Buffer
	if err := model.Save(&vbuf, vae, nil); err != nil {
		t.Fatal(err)
	}
	// Files Save would not write: the good one with tensor name edited.
	edited := func(name string, edit func(*safetensors.Tensor)) []byte {
		ts, meta, err := safetensors.Read(good)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(ts, func(t safetensors.Tensor) bool { return t.Name == name })
		edit(&ts[i])
		var b bytes.Buffer
		if err := safetensors.Write(&b, ts, meta); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "classifier:"},
		{"truncated", good[:len(good)-10], "classifier:"},
		{"a VAE", vbuf.Bytes(), `want "vaeplay-classifier/1"`},
		{"missing tensor", edited("conv2.bias", func(t *safetensors.Tensor) { t.Name = "conv2.beta" }),
			`lacks tensor "conv2.bias"`},
		{"wrong shape", edited("fc1.weight", func(t *safetensors.Tensor) { t.Shape = []int{t.Shape[1], t.Shape[0]} }),
			`"fc1.weight" has shape [16 6]`},
		{"beyond float32", edited("fc2.weight", func(t *safetensors.Tensor) { t.DType, t.Data[2] = safetensors.F64, 1e39 }),
			`"fc2.weight" element 2 is 1e+39`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := Load(tc.data); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
	nan, _ := New(small, rng)
	nan.FC2.B[1] = float32(math.NaN())
	if err := Save(&bytes.Buffer{}, nan, nil); err == nil || !strings.Contains(err.Error(), "fc2.bias") {
		t.Errorf("Save with a NaN: error %v", err)
	}
}

// BenchmarkGradient times one training step's forward and backward pass at
// batch 64 with the default network.
func BenchmarkGradient(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	n, _ := New(DefaultConfig(), rng)
	x, labels := randomBatch[float32](DefaultConfig(), 64, rng)
	g := n.NewGradient()
	for b.Loop() {
		if _, _, err := n.Gradient(g, x, labels); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLogits times inference on one chunk of images.
func BenchmarkLogits(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	n, _ := New(DefaultConfig(), rng)
	x, _ := randomBatch[float32](DefaultConfig(), logitsChunk, rng)
	for b.Loop() {
		if _, err := n.Logits(x); err != nil {
			b.Fatal(err)
		}
	}
}
