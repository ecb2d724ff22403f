package model

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"vaeplay/model/internal/gemm"
)

// Linear is a fully connected layer y = x Wᵀ + b, stored as PyTorch's
// nn.Linear stores it, so that its tensors map one to one onto a state_dict.
type Linear struct {
	W *mat.Dense // [out, in]
	B []float64  // [out]
}

func newLinear(out, in int) Linear {
	return Linear{W: mat.NewDense(out, in, nil), B: make([]float64, out)}
}

// forward returns x Wᵀ + b for a batch x of shape [n, in].
func (l *Linear) forward(x *mat.Dense) *mat.Dense { return l.forwardAct(x, false) }

// forwardReLU returns ReLU(x Wᵀ + b), adding the bias and clamping in one
// pass over the output.
func (l *Linear) forwardReLU(x *mat.Dense) *mat.Dense { return l.forwardAct(x, true) }

func (l *Linear) forwardAct(x *mat.Dense, reLU bool) *mat.Dense {
	n, _ := x.Dims()
	out, _ := l.W.Dims()
	y := mat.NewDense(n, out, nil)
	mul(y, x, false, l.W, true) // y = x Wᵀ
	raw := y.RawMatrix()
	bias := l.B[:out]
	for i := 0; i < n; i++ {
		row := raw.Data[i*raw.Stride : i*raw.Stride+out]
		if !reLU {
			for j, b := range bias {
				row[j] += b
			}
			continue
		}
		for j, b := range bias {
			if v := row[j] + b; v < 0 {
				row[j] = 0
			} else {
				row[j] = v
			}
		}
	}
	return y
}

// mul stores op(a)·op(b) in c, where op(m) is mᵀ when its flag is set. It
// does what c.Mul(a, b) would with gonum, several times faster.
func mul(c, a *mat.Dense, transA bool, b *mat.Dense, transB bool) {
	m, n := c.Dims()
	ar, k := a.Dims()
	if transA {
		k, ar = ar, k
	}
	br, bc := b.Dims()
	if transB {
		br, bc = bc, br
	}
	if ar != m || br != k || bc != n {
		panic(fmt.Sprintf("model: %d×%d = %d×%d · %d×%d: dimension mismatch", m, n, ar, k, br, bc))
	}
	ra, rb, rc := a.RawMatrix(), b.RawMatrix(), c.RawMatrix()
	gemm.Mul(transA, transB, m, n, k, ra.Data, ra.Stride, rb.Data, rb.Stride, rc.Data, rc.Stride)
}

// Model is a VAE, or a conditional VAE when Config.Classes > 0:
//
//	encoder  q(z|x,y) = N(mu, exp(logvar)), mu and logvar from an MLP of [x, y]
//	decoder  p(x|z,y) = Bernoulli(sigmoid(MLP([z, y])))
//
// Its exported fields are the parameters; Params lists them by their PyTorch
// names.
type Model struct {
	Config  Config
	Encoder []Linear // hidden layers of the encoder, ReLU after each
	Mu      Linear   // encoder head for the mean of q(z|x)
	LogVar  Linear   // encoder head for the log-variance of q(z|x)
	Decoder []Linear // hidden layers of the decoder, ReLU after each
	Out     Linear   // decoder output layer, sigmoid after it
}

// New returns a model with cfg's shapes, initialised as PyTorch initialises
// nn.Linear: weights and biases uniform in ±1/sqrt(fan_in).
func New(cfg Config, rng *rand.Rand) (*Model, error) {
	m, err := newZero(cfg)
	if err != nil {
		return nil, err
	}
	for _, l := range m.layers() {
		_, in := l.W.Dims()
		bound := 1 / math.Sqrt(float64(in))
		for _, p := range [][]float64{l.W.RawMatrix().Data, l.B} {
			for i := range p {
				p[i] = bound * (2*rng.Float64() - 1)
			}
		}
	}
	return m, nil
}

// newZero returns a model with cfg's shapes and all parameters zero.
func newZero(cfg Config) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.Hidden = append([]int(nil), cfg.Hidden...)
	m := &Model{Config: cfg}
	shapes := cfg.layerShapes()
	h := len(cfg.Hidden)
	for i, s := range shapes {
		l := newLinear(s.out, s.in)
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
func (m *Model) layers() []*Linear {
	var ls []*Linear
	for i := range m.Encoder {
		ls = append(ls, &m.Encoder[i])
	}
	ls = append(ls, &m.Mu, &m.LogVar)
	for i := range m.Decoder {
		ls = append(ls, &m.Decoder[i])
	}
	return append(ls, &m.Out)
}

// Param is one named parameter tensor. Data aliases the model's storage, so
// writing to it changes the model.
type Param struct {
	Name  string // PyTorch state_dict key, e.g. "enc.fc1.weight"
	Shape []int  // [out, in] for weights, [out] for biases
	Data  []float64
}

// Params lists the model's parameters in state_dict order:
//
//	enc.fc1 … enc.fcN   encoder hidden layers (N = len(Config.Hidden))
//	enc.mu, enc.logvar  the two heads of q(z|x)
//	dec.fc1 … dec.fcN   decoder hidden layers, widths mirrored
//	dec.out             the output layer, one logit per pixel
//
// each as ".weight" [out, in] then ".bias" [out].
func (m *Model) Params() []Param {
	shapes := m.Config.layerShapes()
	var ps []Param
	for i, l := range m.layers() {
		s := shapes[i]
		ps = append(ps,
			Param{Name: s.name + ".weight", Shape: []int{s.out, s.in}, Data: l.W.RawMatrix().Data},
			Param{Name: s.name + ".bias", Shape: []int{s.out}, Data: l.B})
	}
	return ps
}

// withLabels returns [x, onehot(labels)] for a conditional model and x itself
// otherwise.
func (m *Model) withLabels(x *mat.Dense, labels []int) *mat.Dense {
	c := m.Config.Classes
	if c == 0 {
		return x
	}
	n, d := x.Dims()
	if len(labels) != n {
		panic(fmt.Sprintf("model: %d labels for %d rows", len(labels), n))
	}
	xy := mat.NewDense(n, d+c, nil)
	xy.Slice(0, n, 0, d).(*mat.Dense).Copy(x)
	for i, y := range labels {
		if y < 0 || y >= c {
			panic(fmt.Sprintf("model: label %d out of range 0..%d", y, c-1))
		}
		xy.Set(i, d+y, 1)
	}
	return xy
}

// Encode returns the mean and log-variance of q(z|x[,y]) for a batch x of
// shape [n, Input]. labels is nil for a plain VAE and holds one class per row
// for a conditional one.
func (m *Model) Encode(x *mat.Dense, labels []int) (mu, logVar *mat.Dense) {
	h := m.withLabels(x, labels)
	for i := range m.Encoder {
		h = m.Encoder[i].forwardReLU(h)
	}
	return m.Mu.forward(h), m.LogVar.forward(h)
}

// Reparameterize returns z = mu + exp(logvar/2) * eps with eps ~ N(0, I): a
// sample of q(z|x) through which gradients flow to mu and logvar.
func Reparameterize(mu, logVar *mat.Dense, rng *rand.Rand) *mat.Dense {
	n, d := mu.Dims()
	return reparameterize(mu, logVar, Noise(n, d, rng))
}

func reparameterize(mu, logVar, eps *mat.Dense) *mat.Dense {
	n, d := mu.Dims()
	z := mat.NewDense(n, d, nil)
	z.Apply(func(i, j int, e float64) float64 {
		return mu.At(i, j) + math.Exp(logVar.At(i, j)/2)*e
	}, eps)
	return z
}

// Noise returns an [n, d] matrix of independent standard normal draws.
func Noise(n, d int, rng *rand.Rand) *mat.Dense {
	eps := make([]float64, n*d)
	for i := range eps {
		eps[i] = rng.NormFloat64()
	}
	return mat.NewDense(n, d, eps)
}

// Decode returns the pixel means of p(x|z[,y]) for a batch of latent codes z
// of shape [n, Latent].
func (m *Model) Decode(z *mat.Dense, labels []int) *mat.Dense {
	out := m.DecodeLogits(z, labels)
	sigmoid(out)
	return out
}

// DecodeLogits is Decode without the final sigmoid. Likelihoods need it:
// log σ(l) computed from a saturated σ(l) loses everything to rounding.
func (m *Model) DecodeLogits(z *mat.Dense, labels []int) *mat.Dense {
	h := m.withLabels(z, labels)
	for i := range m.Decoder {
		h = m.Decoder[i].forwardReLU(h)
	}
	return m.Out.forward(h)
}

// Sample draws n images from the prior: z ~ N(0, temperature² I), decoded with
// the given label (ignored by a plain VAE).
func (m *Model) Sample(n, label int, temperature float64, rng *rand.Rand) *mat.Dense {
	z := Noise(n, m.Config.Latent, rng)
	z.Scale(temperature, z)
	return m.Decode(z, m.labelsFor(n, label))
}

// labelsFor returns n copies of label for a conditional model, nil otherwise.
func (m *Model) labelsFor(n, label int) []int {
	if !m.Config.Conditional() {
		return nil
	}
	ls := make([]int, n)
	for i := range ls {
		ls[i] = label
	}
	return ls
}

func sigmoid(a *mat.Dense) {
	raw := a.RawMatrix()
	for i, v := range raw.Data {
		raw.Data[i] = 1 / (1 + math.Exp(-v))
	}
}
