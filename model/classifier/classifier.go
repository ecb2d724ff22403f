// Package classifier is a small convolutional network that labels images of
// handwritten digits. The project trains it (tools/classify) to judge the
// conditional VAE: tools/eval asks it which digit each CVAE sample shows.
//
// The network is the PyTorch module
//
//	nn.Sequential(
//	    nn.Conv2d(1, Conv1, Kernel), nn.ReLU(), nn.MaxPool2d(2),      # conv1
//	    nn.Conv2d(Conv1, Conv2, Kernel), nn.ReLU(), nn.MaxPool2d(2),  # conv2
//	    nn.Flatten(),
//	    nn.Linear(Conv2*P*P, Hidden), nn.ReLU(),                      # fc1
//	    nn.Linear(Hidden, Classes))                                   # fc2
//
// with P the side of the last pooled map (4 for 28x28 images and 5x5
// kernels), and its tensors carry the state_dict names of the layers above
// (conv1.weight [Conv1, 1, K, K], fc1.weight [Hidden, Conv2*P*P], ...).
// Convolutions run as matrix products over unfolded patches (im2col), so the
// work goes to the same GEMM kernels as the VAE's.
package classifier

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"vaeplay/model"
	"vaeplay/model/internal/gemm"
)

// Config is the network's shape.
type Config struct {
	Side    int `json:"side"`    // images are Side x Side grey values in [0, 1]
	Kernel  int `json:"kernel"`  // both convolutions are Kernel x Kernel, stride 1, no padding
	Conv1   int `json:"conv1"`   // channels of the first convolution
	Conv2   int `json:"conv2"`   // channels of the second
	Hidden  int `json:"hidden"`  // units of the hidden fully connected layer
	Classes int `json:"classes"` // outputs, one logit per class
}

// DefaultConfig is the network trained for MNIST: 28x28 images, 5x5
// kernels, 16 and 32 channels, 128 hidden units, 10 classes.
func DefaultConfig() Config {
	return Config{Side: 28, Kernel: 5, Conv1: 16, Conv2: 32, Hidden: 128, Classes: 10}
}

// geometry returns the sides of the two convolutions' outputs and of the two
// pooled maps.
func (c Config) geometry() (c1, p1, c2, p2 int) {
	c1 = c.Side - c.Kernel + 1
	p1 = c1 / 2
	c2 = p1 - c.Kernel + 1
	p2 = c2 / 2
	return
}

// Validate reports the first field that makes c unusable.
func (c Config) Validate() error {
	const maxWidth = 1 << 12 // guards allocations from hostile metadata
	for _, f := range []struct {
		name string
		v    int
	}{{"side", c.Side}, {"kernel", c.Kernel}, {"conv1", c.Conv1}, {"conv2", c.Conv2}, {"hidden", c.Hidden}, {"classes", c.Classes}} {
		if f.v < 1 || f.v > maxWidth {
			return fmt.Errorf("classifier: %s %d out of range 1..%d", f.name, f.v, maxWidth)
		}
	}
	if c.Classes < 2 {
		return fmt.Errorf("classifier: %d classes, want at least 2", c.Classes)
	}
	c1, _, c2, _ := c.geometry()
	if c1 < 2 || c1%2 != 0 || c2 < 2 || c2%2 != 0 {
		return fmt.Errorf("classifier: side %d with kernel %d gives maps of %d and %d pixels: each must be even and at least 2 for 2x2 pooling", c.Side, c.Kernel, c1, c2)
	}
	return nil
}

// Net is the network's parameters. Weights are row-major as PyTorch stores
// them: a convolution's [out, in, K, K], a linear layer's [out, in].
type Net struct {
	Config         Config
	Conv1W, Conv1B []float64
	Conv2W, Conv2B []float64
	FC1W, FC1B     []float64
	FC2W, FC2B     []float64
}

// tensors lists every tensor's name, shape and storage, in state_dict order.
func (n *Net) tensors() []model.Param {
	c := n.Config
	_, _, _, p2 := c.geometry()
	flat := c.Conv2 * p2 * p2
	return []model.Param{
		{Name: "conv1.weight", Shape: []int{c.Conv1, 1, c.Kernel, c.Kernel}, Data: n.Conv1W},
		{Name: "conv1.bias", Shape: []int{c.Conv1}, Data: n.Conv1B},
		{Name: "conv2.weight", Shape: []int{c.Conv2, c.Conv1, c.Kernel, c.Kernel}, Data: n.Conv2W},
		{Name: "conv2.bias", Shape: []int{c.Conv2}, Data: n.Conv2B},
		{Name: "fc1.weight", Shape: []int{c.Hidden, flat}, Data: n.FC1W},
		{Name: "fc1.bias", Shape: []int{c.Hidden}, Data: n.FC1B},
		{Name: "fc2.weight", Shape: []int{c.Classes, c.Hidden}, Data: n.FC2W},
		{Name: "fc2.bias", Shape: []int{c.Classes}, Data: n.FC2B},
	}
}

// Params lists the parameters by their PyTorch names; Data aliases the
// network's storage, so an optimizer (model.Adam) updates it in place.
func (n *Net) Params() []model.Param { return n.tensors() }

// newZero returns a network of cfg's shape with all parameters zero.
func newZero(cfg Config) (*Net, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	_, _, _, p2 := cfg.geometry()
	kk := cfg.Kernel * cfg.Kernel
	return &Net{
		Config: cfg,
		Conv1W: make([]float64, cfg.Conv1*kk), Conv1B: make([]float64, cfg.Conv1),
		Conv2W: make([]float64, cfg.Conv2*cfg.Conv1*kk), Conv2B: make([]float64, cfg.Conv2),
		FC1W: make([]float64, cfg.Hidden*cfg.Conv2*p2*p2), FC1B: make([]float64, cfg.Hidden),
		FC2W: make([]float64, cfg.Classes*cfg.Hidden), FC2B: make([]float64, cfg.Classes),
	}, nil
}

// New returns a network initialised as PyTorch initialises Conv2d and
// Linear: uniform in ±1/sqrt(fan_in).
func New(cfg Config, rng *rand.Rand) (*Net, error) {
	n, err := newZero(cfg)
	if err != nil {
		return nil, err
	}
	ps := n.Params()
	for i := 0; i < len(ps); i += 2 {
		w := ps[i]
		fanIn := len(w.Data) / w.Shape[0]
		bound := 1 / math.Sqrt(float64(fanIn))
		for _, p := range [][]float64{w.Data, ps[i+1].Data} {
			for j := range p {
				p[j] = bound * (2*rng.Float64() - 1)
			}
		}
	}
	return n, nil
}

// NewGradient returns a network of n's shape with zero parameters, to hold
// gradients.
func (n *Net) NewGradient() *Net {
	g, err := newZero(n.Config)
	if err != nil {
		panic(err) // n's config was validated when n was made
	}
	return g
}

// pass holds one forward pass's activations, for the backward pass. Maps
// are stored NHWC: row (image, y, x), one column per channel.
type pass struct {
	n              int
	cols1          []float64 // [n*c1*c1, K*K] unfolded input patches
	a1             []float64 // [n*c1*c1, Conv1] conv1 after ReLU
	pool1          []float64 // [n*p1*p1, Conv1]
	arg1           []int32   // for each pool1 entry, the a1 index of its maximum
	cols2          []float64 // [n*c2*c2, Conv1*K*K]
	a2             []float64 // [n*c2*c2, Conv2]
	arg2           []int32   // for each pooled conv2 entry, the a2 index of its maximum
	flat           []float64 // [n, Conv2*p2*p2], channel-major as nn.Flatten orders it
	h              []float64 // [n, Hidden] after ReLU
	logits         []float64 // [n, Classes]
	c1, p1, c2, p2 int
}

// checkImages reports pixels that do not make whole images of the
// network's size.
func (n *Net) checkImages(x []float64) (int, error) {
	px := n.Config.Side * n.Config.Side
	if len(x) == 0 || len(x)%px != 0 {
		return 0, fmt.Errorf("classifier: %d pixels are not a whole number of %dx%d images", len(x), n.Config.Side, n.Config.Side)
	}
	return len(x) / px, nil
}

// forward runs the network on images x (row-major, one image after
// another).
func (n *Net) forward(x []float64, count int) *pass {
	c := n.Config
	p := &pass{n: count}
	p.c1, p.p1, p.c2, p.p2 = c.geometry()
	k := c.Kernel

	p.cols1 = im2col(x, count, c.Side, 1, k)
	p.a1 = linear(p.cols1, count*p.c1*p.c1, k*k, n.Conv1W, n.Conv1B, c.Conv1)
	relu(p.a1)
	p.pool1, p.arg1 = maxPool(p.a1, count, p.c1, c.Conv1)

	p.cols2 = im2col(p.pool1, count, p.p1, c.Conv1, k)
	p.a2 = linear(p.cols2, count*p.c2*p.c2, c.Conv1*k*k, n.Conv2W, n.Conv2B, c.Conv2)
	relu(p.a2)
	var pool2 []float64
	pool2, p.arg2 = maxPool(p.a2, count, p.c2, c.Conv2)
	p.flat = flattenCHW(pool2, count, p.p2, c.Conv2)

	f := c.Conv2 * p.p2 * p.p2
	p.h = linear(p.flat, count, f, n.FC1W, n.FC1B, c.Hidden)
	relu(p.h)
	p.logits = linear(p.h, count, c.Hidden, n.FC2W, n.FC2B, c.Classes)
	return p
}

// Logits returns the network's class scores for the images x: count rows
// of Classes logits, row-major.
func (n *Net) Logits(x []float64) ([]float64, error) {
	count, err := n.checkImages(x)
	if err != nil {
		return nil, err
	}
	// In chunks, since the unfolded patches take hundreds of times the
	// images' memory.
	const chunk = 500
	px := n.Config.Side * n.Config.Side
	logits := make([]float64, 0, count*n.Config.Classes)
	for start := 0; start < count; start += chunk {
		end := min(start+chunk, count)
		logits = append(logits, n.forward(x[start*px:end*px], end-start).logits...)
	}
	return logits, nil
}

// Predict returns the most likely class of each image in x.
func (n *Net) Predict(x []float64) ([]int, error) {
	logits, err := n.Logits(x)
	if err != nil {
		return nil, err
	}
	cl := n.Config.Classes
	out := make([]int, len(logits)/cl)
	for i := range out {
		row := logits[i*cl : (i+1)*cl]
		best := 0
		for j, v := range row {
			if v > row[best] {
				best = j
			}
		}
		out[i] = best
	}
	return out, nil
}

// Loss returns the cross-entropy of the images x against labels, summed over
// the images, and how many the network labels correctly.
func (n *Net) Loss(x []float64, labels []int) (loss float64, correct int, err error) {
	count, err := n.checkBatch(x, labels)
	if err != nil {
		return 0, 0, err
	}
	p := n.forward(x, count)
	loss, correct = crossEntropy(p.logits, labels, n.Config.Classes, nil)
	return loss, correct, nil
}

// Gradient is Loss that also stores in grad (from NewGradient) the gradient
// of the mean cross-entropy over the batch with respect to every parameter.
func (n *Net) Gradient(grad *Net, x []float64, labels []int) (loss float64, correct int, err error) {
	count, err := n.checkBatch(x, labels)
	if err != nil {
		return 0, 0, err
	}
	if grad == nil || grad.Config != n.Config {
		return 0, 0, errors.New("classifier: gradient network of another shape")
	}
	p := n.forward(x, count)
	c := n.Config
	dLogits := make([]float64, len(p.logits))
	loss, correct = crossEntropy(p.logits, labels, c.Classes, dLogits)
	inv := 1 / float64(count)
	for i := range dLogits {
		dLogits[i] *= inv
	}
	k := c.Kernel
	f := c.Conv2 * p.p2 * p.p2

	dh := linearBackward(dLogits, p.h, count, c.Hidden, n.FC2W, c.Classes, grad.FC2W, grad.FC2B, true)
	reluBackward(dh, p.h)
	dFlat := linearBackward(dh, p.flat, count, f, n.FC1W, c.Hidden, grad.FC1W, grad.FC1B, true)
	dPool2 := unflattenCHW(dFlat, count, p.p2, c.Conv2)
	da2 := make([]float64, len(p.a2))
	for i, a := range p.arg2 {
		da2[a] += dPool2[i]
	}
	reluBackward(da2, p.a2)
	dCols2 := linearBackward(da2, p.cols2, count*p.c2*p.c2, c.Conv1*k*k, n.Conv2W, c.Conv2, grad.Conv2W, grad.Conv2B, true)
	dPool1 := col2im(dCols2, count, p.p1, c.Conv1, k)
	da1 := make([]float64, len(p.a1))
	for i, a := range p.arg1 {
		da1[a] += dPool1[i]
	}
	reluBackward(da1, p.a1)
	linearBackward(da1, p.cols1, count*p.c1*p.c1, k*k, n.Conv1W, c.Conv1, grad.Conv1W, grad.Conv1B, false)
	return loss, correct, nil
}

func (n *Net) checkBatch(x []float64, labels []int) (int, error) {
	count, err := n.checkImages(x)
	if err != nil {
		return 0, err
	}
	if len(labels) != count {
		return 0, fmt.Errorf("classifier: %d labels for %d images", len(labels), count)
	}
	for i, y := range labels {
		if y < 0 || y >= n.Config.Classes {
			return 0, fmt.Errorf("classifier: label %d of image %d out of range 0..%d", y, i, n.Config.Classes-1)
		}
	}
	return count, nil
}

// crossEntropy returns -Σ log softmax(logits)[label] over the rows and the
// number of rows whose largest logit is the label's; if grad is not nil it
// receives softmax - onehot, the gradient of the sum.
func crossEntropy(logits []float64, labels []int, classes int, grad []float64) (float64, int) {
	var loss float64
	correct := 0
	for i, y := range labels {
		row := logits[i*classes : (i+1)*classes]
		best, mx := 0, row[0]
		for j, v := range row {
			if v > mx {
				best, mx = j, v
			}
		}
		if best == y {
			correct++
		}
		var sum float64
		for _, v := range row {
			sum += math.Exp(v - mx)
		}
		logZ := mx + math.Log(sum)
		loss += logZ - row[y]
		if grad != nil {
			g := grad[i*classes : (i+1)*classes]
			for j, v := range row {
				g[j] = math.Exp(v - logZ)
			}
			g[y]--
		}
	}
	return loss, correct
}

// linear returns x·Wᵀ + b for rows of x of width in, W being [out, in].
func linear(x []float64, rows, in int, w, b []float64, out int) []float64 {
	y := make([]float64, rows*out)
	gemm.Mul(false, true, rows, out, in, x, in, w, in, y, out)
	for r := 0; r < rows; r++ {
		row := y[r*out : (r+1)*out]
		for j, bj := range b {
			row[j] += bj
		}
	}
	return y
}

// linearBackward stores in gW and gB the gradients of y = x·Wᵀ + b given dy,
// and returns dx = dy·W when wantInput is set.
func linearBackward(dy, x []float64, rows, in int, w []float64, out int, gW, gB []float64, wantInput bool) []float64 {
	gemm.Mul(true, false, out, in, rows, dy, out, x, in, gW, in)
	clear(gB)
	for r := 0; r < rows; r++ {
		for j, d := range dy[r*out : (r+1)*out] {
			gB[j] += d
		}
	}
	if !wantInput {
		return nil
	}
	dx := make([]float64, rows*in)
	gemm.Mul(false, false, rows, in, out, dy, out, w, in, dx, in)
	return dx
}

func relu(a []float64) {
	for i, v := range a {
		if v < 0 {
			a[i] = 0
		}
	}
}

// reluBackward zeroes the gradient where the ReLU's output was zero.
func reluBackward(grad, out []float64) {
	for i, v := range out {
		if v <= 0 {
			grad[i] = 0
		}
	}
}

// im2col unfolds the k x k patches of count NHWC maps of side x side x ch
// into rows, one per output pixel (image, y, x), with columns ordered
// (channel, ky, kx) as PyTorch flattens a convolution's weight.
func im2col(in []float64, count, side, ch, k int) []float64 {
	o := side - k + 1
	width := ch * k * k
	cols := make([]float64, count*o*o*width)
	for img := 0; img < count; img++ {
		base := img * side * side * ch
		for y := 0; y < o; y++ {
			for x := 0; x < o; x++ {
				row := cols[((img*o+y)*o+x)*width:][:width]
				for ky := 0; ky < k; ky++ {
					for kx := 0; kx < k; kx++ {
						src := in[base+((y+ky)*side+x+kx)*ch:][:ch]
						for c, v := range src {
							row[c*k*k+ky*k+kx] = v
						}
					}
				}
			}
		}
	}
	return cols
}

// col2im is the adjoint of im2col: it sums the patch gradients back onto
// the maps they were unfolded from.
func col2im(cols []float64, count, side, ch, k int) []float64 {
	o := side - k + 1
	width := ch * k * k
	out := make([]float64, count*side*side*ch)
	for img := 0; img < count; img++ {
		base := img * side * side * ch
		for y := 0; y < o; y++ {
			for x := 0; x < o; x++ {
				row := cols[((img*o+y)*o+x)*width:][:width]
				for ky := 0; ky < k; ky++ {
					for kx := 0; kx < k; kx++ {
						dst := out[base+((y+ky)*side+x+kx)*ch:][:ch]
						for c := range dst {
							dst[c] += row[c*k*k+ky*k+kx]
						}
					}
				}
			}
		}
	}
	return out
}

// maxPool takes the maximum of each 2x2 block of count NHWC maps of side x
// side x ch, and records where each maximum came from.
func maxPool(a []float64, count, side, ch int) ([]float64, []int32) {
	o := side / 2
	out := make([]float64, count*o*o*ch)
	arg := make([]int32, len(out))
	for img := 0; img < count; img++ {
		for y := 0; y < o; y++ {
			for x := 0; x < o; x++ {
				dst := ((img*o+y)*o + x) * ch
				for c := 0; c < ch; c++ {
					topLeft := ((img*side+2*y)*side+2*x)*ch + c
					best := topLeft
					for _, j := range [3]int{topLeft + ch, topLeft + side*ch, topLeft + (side+1)*ch} {
						if a[j] > a[best] {
							best = j
						}
					}
					out[dst+c], arg[dst+c] = a[best], int32(best)
				}
			}
		}
	}
	return out, arg
}

// flattenCHW turns count NHWC maps of side x side x ch into rows ordered
// (channel, y, x), as nn.Flatten orders PyTorch's NCHW tensors.
func flattenCHW(a []float64, count, side, ch int) []float64 {
	f := ch * side * side
	out := make([]float64, count*f)
	for img := 0; img < count; img++ {
		for y := 0; y < side; y++ {
			for x := 0; x < side; x++ {
				src := a[((img*side+y)*side+x)*ch:][:ch]
				for c, v := range src {
					out[img*f+c*side*side+y*side+x] = v
				}
			}
		}
	}
	return out
}

// unflattenCHW is the inverse of flattenCHW.
func unflattenCHW(flat []float64, count, side, ch int) []float64 {
	f := ch * side * side
	out := make([]float64, count*f)
	for img := 0; img < count; img++ {
		for y := 0; y < side; y++ {
			for x := 0; x < side; x++ {
				dst := out[((img*side+y)*side+x)*ch:][:ch]
				for c := range dst {
					dst[c] = flat[img*f+c*side*side+y*side+x]
				}
			}
		}
	}
	return out
}
