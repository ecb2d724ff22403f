package model

import (
	"fmt"
	"math"
	"math/rand/v2"

	"vaeplay/model/nn"
)

// Float is the element type a VAE computes in: float32 for the project's
// models, float64 in the tests that check gradients.
type Float = nn.Float

// Matrix is the float32 matrix the project's models take and return: a
// batch of images, latent codes or pixel means, one per row.
type Matrix = nn.Matrix[float32]

// NewMatrix returns a rows×cols Matrix backed by data, which must hold
// rows*cols values, or by zeros if data is nil.
func NewMatrix(rows, cols int, data []float32) Matrix { return nn.NewMatrix(rows, cols, data) }

// Param is one named float32 parameter tensor of a Model.
type Param = nn.Param[float32]

// VAE is a variational autoencoder, or a conditional one when
// Config.Classes > 0:
//
//	encoder  q(z|x,y) = N(mu, exp(logvar)), mu and logvar from an MLP of [x, y]
//	decoder  p(x|z,y) = Bernoulli(sigmoid(MLP([z, y])))
//
// Its exported fields are the parameters; Params lists them by their
// PyTorch names. It is generic over its element type only so that tests can
// run it in float64; the project uses Model.
type VAE[T Float] struct {
	Config  Config
	Encoder []nn.Linear[T] // hidden layers of the encoder, ReLU after each
	Mu      nn.Linear[T]   // encoder head for the mean of q(z|x)
	LogVar  nn.Linear[T]   // encoder head for the log-variance of q(z|x)
	Decoder []nn.Linear[T] // hidden layers of the decoder, ReLU after each
	Out     nn.Linear[T]   // decoder output layer, sigmoid after it
}

// Model is the VAE the project trains, ships and runs in the browser: in
// float32, as PyTorch computes.
type Model = VAE[float32]

// New returns a model with cfg's shapes, initialised as PyTorch initialises
// nn.Linear: weights and biases uniform in ±1/sqrt(fan_in).
func New(cfg Config, rng *rand.Rand) (*Model, error) {
	m, err := newZero[float32](cfg)
	if err != nil {
		return nil, err
	}
	for _, l := range m.layers() {
		l.Init(l.In(), rng)
	}
	return m, nil
}

// newZero returns a model with cfg's shapes and all parameters zero.
func newZero[T Float](cfg Config) (*VAE[T], error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.Hidden = append([]int(nil), cfg.Hidden...)
	m := &VAE[T]{Config: cfg}
	shapes := cfg.layerShapes()
	h := len(cfg.Hidden)
	for i, s := range shapes {
		l := nn.NewLinear[T](s.out, s.in)
		switch {
		case i < h:
			m.Encoder = append(m.Encoder, l)
		case i == h:
			m.Mu = l
		case i == h+1:
			m.LogVar = l
		case i < 2*h+2:
			m.Decoder = append(m.Decoder, l)
		default:
			m.Out = l
		}
	}
	return m, nil
}

// layers lists pointers to every linear layer in state_dict order, matching
// Config.layerShapes.
func (m *VAE[T]) layers() []*nn.Linear[T] {
	var ls []*nn.Linear[T]
	for i := range m.Encoder {
		ls = append(ls, &m.Encoder[i])
	}
	ls = append(ls, &m.Mu, &m.LogVar)
	for i := range m.Decoder {
		ls = append(ls, &m.Decoder[i])
	}
	return append(ls, &m.Out)
}

// Params lists the model's parameters in state_dict order:
//
//	enc.fc1 … enc.fcN   encoder hidden layers (N = len(Config.Hidden))
//	enc.mu, enc.logvar  the two heads of q(z|x)
//	dec.fc1 … dec.fcN   decoder hidden layers, widths mirrored
//	dec.out             the output layer, one logit per pixel
//
// each as ".weight" [out, in] then ".bias" [out]. Data aliases the model's
// storage, so writing to it changes the model.
func (m *VAE[T]) Params() []nn.Param[T] {
	shapes := m.Config.layerShapes()
	var ps []nn.Param[T]
	for i, l := range m.layers() {
		s := shapes[i]
		ps = append(ps,
			nn.Param[T]{Name: s.name + ".weight", Shape: []int{s.out, s.in}, Data: l.W.Data},
			nn.Param[T]{Name: s.name + ".bias", Shape: []int{s.out}, Data: l.B})
	}
	return ps
}

// Encode returns the mean and log-variance of q(z|x[,y]) for a batch x of
// shape [n, Input]. labels is nil for a plain VAE and holds one class per
// row for a conditional one.
func (m *VAE[T]) Encode(x nn.Matrix[T], labels []int) (mu, logVar nn.Matrix[T]) {
	return m.encode(x, labels, nil)
}

// encode is the encoder's forward pass, recorded on t when training.
func (m *VAE[T]) encode(x nn.Matrix[T], labels []int, t *nn.Tape[T]) (mu, logVar nn.Matrix[T]) {
	if x.Cols != m.Config.Input {
		panic(fmt.Sprintf("model: images of %d pixels for a model of %d", x.Cols, m.Config.Input))
	}
	h := m.withLabels(x, labels)
	for i := range m.Encoder {
		h = m.Encoder[i].Forward(h, nn.ReLU, t)
	}
	return m.Mu.Forward(h, nn.Identity, t), m.LogVar.Forward(h, nn.Identity, t)
}

// Reparameterize returns z = mu + exp(logvar/2) * eps with eps ~ N(0, I): a
// sample of q(z|x) through which gradients flow to mu and logvar.
func Reparameterize[T Float](mu, logVar nn.Matrix[T], rng *rand.Rand) nn.Matrix[T] {
	return reparameterize(mu, logVar, noise[T](mu.Rows, mu.Cols, rng))
}

func reparameterize[T Float](mu, logVar, eps nn.Matrix[T]) nn.Matrix[T] {
	z := nn.NewMatrix[T](mu.Rows, mu.Cols, nil)
	for i := range z.Rows {
		zr, m, lv, e := z.Row(i), mu.Row(i), logVar.Row(i), eps.Row(i)
		for j := range zr {
			zr[j] = m[j] + T(math.Exp(float64(lv[j])/2))*e[j]
		}
	}
	return z
}

// Noise returns an [n, d] matrix of independent standard normal draws, the
// eps of the reparameterization.
func Noise(n, d int, rng *rand.Rand) Matrix { return noise[float32](n, d, rng) }

// noise is Noise in any precision. The draws are made in float64 and
// rounded, so a seed names the same noise in both.
func noise[T Float](n, d int, rng *rand.Rand) nn.Matrix[T] {
	eps := nn.NewMatrix[T](n, d, nil)
	for i := range eps.Data {
		eps.Data[i] = T(rng.NormFloat64())
	}
	return eps
}

// Decode returns the pixel means of p(x|z[,y]) for a batch of latent codes
// z of shape [n, Latent].
func (m *VAE[T]) Decode(z nn.Matrix[T], labels []int) nn.Matrix[T] {
	out := m.decode(z, labels, nil)
	sigmoid(out)
	return out
}

// DecodeLogits is Decode without the final sigmoid. Likelihoods need it:
// log σ(l) computed from a saturated σ(l) loses everything to rounding.
func (m *VAE[T]) DecodeLogits(z nn.Matrix[T], labels []int) nn.Matrix[T] {
	return m.decode(z, labels, nil)
}

// decode is the decoder's forward pass up to the logits, recorded on t when
// training.
func (m *VAE[T]) decode(z nn.Matrix[T], labels []int, t *nn.Tape[T]) nn.Matrix[T] {
	if z.Cols != m.Config.Latent {
		panic(fmt.Sprintf("model: latent codes of %d dimensions for a model of %d", z.Cols, m.Config.Latent))
	}
	h := m.withLabels(z, labels)
	for i := range m.Decoder {
		h = m.Decoder[i].Forward(h, nn.ReLU, t)
	}
	return m.Out.Forward(h, nn.Identity, t)
}

// Sample draws n images from the prior: z ~ N(0, temperature² I), decoded
// with the given label (ignored by a plain VAE).
func (m *VAE[T]) Sample(n, label int, temperature float64, rng *rand.Rand) nn.Matrix[T] {
	z := noise[T](n, m.Config.Latent, rng)
	for i := range z.Data {
		z.Data[i] *= T(temperature)
	}
	return m.Decode(z, m.labelsFor(n, label))
}

// labelsFor returns n copies of label for a conditional model, nil
// otherwise.
func (m *VAE[T]) labelsFor(n, label int) []int {
	if !m.Config.Conditional() {
		return nil
	}
	ls := make([]int, n)
	for i := range ls {
		ls[i] = label
	}
	return ls
}

// withLabels returns [x, onehot(labels)] for a conditional model and x
// itself otherwise.
func (m *VAE[T]) withLabels(x nn.Matrix[T], labels []int) nn.Matrix[T] {
	c := m.Config.Classes
	if c == 0 {
		return x
	}
	if len(labels) != x.Rows {
		panic(fmt.Sprintf("model: %d labels for %d rows", len(labels), x.Rows))
	}
	xy := nn.NewMatrix[T](x.Rows, x.Cols+c, nil)
	for i, y := range labels {
		if y < 0 || y >= c {
			panic(fmt.Sprintf("model: label %d out of range 0..%d", y, c-1))
		}
		row := xy.Row(i)
		copy(row, x.Row(i))
		row[x.Cols+y] = 1
	}
	return xy
}

// sigmoid replaces every element of a by 1/(1+exp(-a)).
func sigmoid[T Float](a nn.Matrix[T]) {
	for i := range a.Rows {
		row := a.Row(i)
		for j, v := range row {
			row[j] = T(1 / (1 + math.Exp(-float64(v))))
		}
	}
}
