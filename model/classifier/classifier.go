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
//
// It is built from the VAE's parts in vaeplay/model/nn. A convolution
// unfolds its input's K x K patches into rows (im2col) and is then an
// nn.Linear applied to those rows, whose weight is the convolution's
// [out, in, K, K] tensor read as an [out, in*K*K] matrix: the same storage,
// so the state_dict shape survives, and the work goes to the same matrix
// products as the VAE's. Like the VAE, the network computes in float32 and
// is generic over its element type so that its tests can check gradients
// in float64.
package classifier

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"vaeplay/model/nn"
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

// geometry is the side, in pixels, of each map the network computes.
type geometry struct {
	c1, p1 int // conv1's output and its pooled map
	c2, p2 int // conv2's output and its pooled map
}

func (c Config) geometry() geometry {
	var g geometry
	g.c1 = c.Side - c.Kernel + 1
	g.p1 = g.c1 / 2
	g.c2 = g.p1 - c.Kernel + 1
	g.p2 = g.c2 / 2
	return g
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
	g := c.geometry()
	if g.c1 < 2 || g.c1%2 != 0 || g.c2 < 2 || g.c2%2 != 0 {
		return fmt.Errorf("classifier: side %d with kernel %d gives maps of %d and %d pixels: each must be even and at least 2 for 2x2 pooling", c.Side, c.Kernel, g.c1, g.c2)
	}
	return nil
}

// paramShape is one parameter tensor's state_dict name and shape.
type paramShape struct {
	name  string
	shape []int
}

// params lists the parameters a network of c has, by name and shape, in
// state_dict order (each layer's weight, then its bias), without
// allocating them.
func (c Config) params() []paramShape {
	g := c.geometry()
	k := c.Kernel
	var ps []paramShape
	for _, l := range []paramShape{
		{"conv1", []int{c.Conv1, 1, k, k}},
		{"conv2", []int{c.Conv2, c.Conv1, k, k}},
		{"fc1", []int{c.Hidden, c.Conv2 * g.p2 * g.p2}},
		{"fc2", []int{c.Classes, c.Hidden}},
	} {
		ps = append(ps, paramShape{l.name + ".weight", l.shape}, paramShape{l.name + ".bias", l.shape[:1:1]})
	}
	return ps
}

// CNN is the network in element type T; its exported fields are the
// parameters, and Params lists them by their PyTorch names. A convolution's
// layer holds its [out, in, K, K] weight as the [out, in*K*K] matrix that
// multiplies unfolded patches. The type is generic only so that tests can
// run it in float64; the project uses Net.
type CNN[T nn.Float] struct {
	Config Config
	Conv1  nn.Linear[T] // [Conv1, K*K]
	Conv2  nn.Linear[T] // [Conv2, Conv1*K*K]
	FC1    nn.Linear[T] // [Hidden, Conv2*P*P]
	FC2    nn.Linear[T] // [Classes, Hidden]
}

// Net is the classifier the project trains and ships: a CNN in float32, as
// PyTorch computes.
type Net = CNN[float32]

// newZero returns a network of cfg's shape with all parameters zero.
func newZero[T nn.Float](cfg Config) (*CNN[T], error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	n := &CNN[T]{Config: cfg}
	ps := cfg.params()
	for i, l := range n.layers() {
		// A convolution's [out, in, K, K] is an [out, in*K*K] matrix.
		w := ps[2*i].shape
		in := 1
		for _, d := range w[1:] {
			in *= d
		}
		*l = nn.NewLinear[T](w[0], in)
	}
	return n, nil
}

// New returns a network initialised as PyTorch initialises Conv2d and
// Linear: uniform in ±1/sqrt(fan_in), fan_in being a convolution's
// in*K*K.
func New(cfg Config, rng *rand.Rand) (*Net, error) {
	n, err := newZero[float32](cfg)
	if err != nil {
		return nil, err
	}
	for _, l := range n.layers() {
		l.Init(l.In(), rng)
	}
	return n, nil
}

// NewGradient returns a network of n's shape with zero parameters, to hold
// gradients.
func (n *CNN[T]) NewGradient() *CNN[T] {
	g, err := newZero[T](n.Config)
	if err != nil {
		panic(err) // n's config was validated when n was made
	}
	return g
}

// layers lists pointers to the layers in state_dict order, matching
// Config.params.
func (n *CNN[T]) layers() []*nn.Linear[T] {
	return []*nn.Linear[T]{&n.Conv1, &n.Conv2, &n.FC1, &n.FC2}
}

// Params lists the parameters by their PyTorch names, in state_dict order,
// each ".weight" then ".bias"; Data aliases the network's storage, so an
// optimizer (nn.Adam) updates it in place.
func (n *CNN[T]) Params() []nn.Param[T] {
	shapes := n.Config.params()
	var ps []nn.Param[T]
	for i, l := range n.layers() {
		w, b := shapes[2*i], shapes[2*i+1]
		ps = append(ps, nn.Param[T]{Name: w.name, Shape: w.shape, Data: l.W.Data}, nn.Param[T]{Name: b.name, Shape: b.shape, Data: l.B})
	}
	return ps
}

// switches records which element of its 2x2 block each pooling took, the
// poolings' part of what the backward pass needs; the tape holds the rest.
type switches struct{ pool1, pool2 []uint8 }

// forward runs the network on the images x, one per row, and returns their
// logits, one row per image. It is the one forward pass: inference gives it
// a nil tape, training a tape on which each layer records its input and
// output, and the pooling switches it returns.
func (n *CNN[T]) forward(x nn.Matrix[T], t *nn.Tape[T]) (nn.Matrix[T], switches) {
	c, g := n.Config, n.Config.geometry()
	a1 := n.Conv1.Forward(im2col(x, c.Side, 1, c.Kernel), nn.ReLU, t)
	p1, s1 := maxPool(a1, g.c1)
	a2 := n.Conv2.Forward(im2col(p1, g.p1, c.Conv1, c.Kernel), nn.ReLU, t)
	p2, s2 := maxPool(a2, g.c2)
	h := n.FC1.Forward(flatten(p2, g.p2, c.Conv2), nn.ReLU, t)
	return n.FC2.Forward(h, nn.Identity, t), switches{s1, s2}
}

// backward takes the layers' records off t in the reverse order of
// forward and stores in grad the gradients of every parameter, given
// dLogits, the gradient with respect to the logits.
func (n *CNN[T]) backward(grad *CNN[T], dLogits nn.Matrix[T], t *nn.Tape[T], s switches) {
	c, g := n.Config, n.Config.geometry()
	count := dLogits.Rows
	dh := n.FC2.Backward(&grad.FC2, dLogits, t, true)
	dp2 := unflatten(n.FC1.Backward(&grad.FC1, dh, t, true), g.p2, c.Conv2)
	dCols2 := n.Conv2.Backward(&grad.Conv2, unpool(dp2, s.pool2, g.c2, c.Conv2), t, true)
	dp1 := col2im(dCols2, count, g.p1, c.Conv1, c.Kernel)
	// The images are data: nothing below conv1 needs a gradient.
	n.Conv1.Backward(&grad.Conv1, unpool(dp1, s.pool1, g.c1, c.Conv1), t, false)
}

// checkImages reports images that are not the network's size.
func (n *CNN[T]) checkImages(x nn.Matrix[T]) error {
	side := n.Config.Side
	switch {
	case x.Rows == 0:
		return errors.New("classifier: no images")
	case x.Cols != side*side:
		return fmt.Errorf("classifier: images of %d pixels, the network reads %dx%d = %d", x.Cols, side, side, side*side)
	}
	return nil
}

// checkBatch reports images or labels that do not fit the network or each
// other.
func (n *CNN[T]) checkBatch(x nn.Matrix[T], labels []int) error {
	if err := n.checkImages(x); err != nil {
		return err
	}
	if len(labels) != x.Rows {
		return fmt.Errorf("classifier: %d labels for %d images", len(labels), x.Rows)
	}
	for i, y := range labels {
		if y < 0 || y >= n.Config.Classes {
			return fmt.Errorf("classifier: label %d of image %d out of range 0..%d", y, i, n.Config.Classes-1)
		}
	}
	return nil
}

// logitsChunk is how many images Logits runs through the network at once:
// the unfolded patches take hundreds of times the images' memory.
const logitsChunk = 500

// Logits returns the network's class scores for the images x, one image of
// Side*Side pixels per row, as a matrix of one row of Classes logits per
// image.
func (n *CNN[T]) Logits(x nn.Matrix[T]) (nn.Matrix[T], error) {
	if err := n.checkImages(x); err != nil {
		return nn.Matrix[T]{}, err
	}
	out := nn.NewMatrix[T](x.Rows, n.Config.Classes, nil)
	for from := 0; from < x.Rows; from += logitsChunk {
		to := min(from+logitsChunk, x.Rows)
		logits, _ := n.forward(x.RowSlice(from, to), nil)
		for i := range logits.Rows {
			copy(out.Row(from+i), logits.Row(i))
		}
	}
	return out, nil
}

// Predict returns the most likely class of each image, one per row of x.
func (n *CNN[T]) Predict(x nn.Matrix[T]) ([]int, error) {
	logits, err := n.Logits(x)
	if err != nil {
		return nil, err
	}
	out := make([]int, logits.Rows)
	for i := range out {
		out[i] = argmax(logits.Row(i))
	}
	return out, nil
}

// Loss returns the cross-entropy of the images x (one per row) against
// labels, summed over the images, and how many the network labels
// correctly.
func (n *CNN[T]) Loss(x nn.Matrix[T], labels []int) (loss float64, correct int, err error) {
	if err := n.checkBatch(x, labels); err != nil {
		return 0, 0, err
	}
	logits, _ := n.forward(x, nil)
	loss, correct = crossEntropy(logits, labels, nn.Matrix[T]{})
	return loss, correct, nil
}

// Gradient is Loss that also stores in grad (from NewGradient) the gradient
// of the mean cross-entropy over the batch with respect to every parameter.
// It runs the forward pass on a tape and the backward pass off it.
func (n *CNN[T]) Gradient(grad *CNN[T], x nn.Matrix[T], labels []int) (loss float64, correct int, err error) {
	if err := n.checkBatch(x, labels); err != nil {
		return 0, 0, err
	}
	if grad == nil || grad.Config != n.Config {
		return 0, 0, errors.New("classifier: gradient network of another shape")
	}
	var t nn.Tape[T]
	logits, s := n.forward(x, &t)
	dLogits := nn.NewMatrix[T](logits.Rows, logits.Cols, nil)
	loss, correct = crossEntropy(logits, labels, dLogits)
	n.backward(grad, dLogits, &t, s)
	return loss, correct, nil
}

// argmax returns the index of the first largest element of row.
func argmax[T nn.Float](row []T) int {
	best := 0
	for j, v := range row {
		if v > row[best] {
			best = j
		}
	}
	return best
}

// crossEntropy returns -Σ log softmax(logits)[label] over the rows and the
// number of rows whose largest logit is the label's. If grad has rows, it
// receives the gradient of the mean over the rows, (softmax - onehot)/rows.
// The sums are in float64, as the VAE's loss is: the loss is a sum over a
// whole batch, and it is what training reports.
func crossEntropy[T nn.Float](logits nn.Matrix[T], labels []int, grad nn.Matrix[T]) (float64, int) {
	var loss float64
	correct := 0
	inv := 1 / float64(len(labels))
	for i, y := range labels {
		row := logits.Row(i)
		best := argmax(row)
		if best == y {
			correct++
		}
		mx := float64(row[best])
		var sum float64
		for _, v := range row {
			sum += math.Exp(float64(v) - mx)
		}
		logZ := mx + math.Log(sum)
		loss += logZ - float64(row[y])
		if grad.Rows > 0 {
			g := grad.Row(i)
			for j, v := range row {
				p := math.Exp(float64(v) - logZ)
				if j == y {
					p--
				}
				g[j] = T(p * inv)
			}
		}
	}
	return loss, correct
}
