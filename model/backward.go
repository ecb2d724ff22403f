package model

import (
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/mat"
)

// pass records what the backward pass needs from a forward pass.
type pass struct {
	encIn   []*mat.Dense // input of each encoder hidden layer; encIn[0] is [x, y]
	encOut  []*mat.Dense // ReLU output of each encoder hidden layer
	mu      *mat.Dense
	logVar  *mat.Dense
	eps     *mat.Dense   // the noise that made z
	decIn   []*mat.Dense // input of each decoder hidden layer; decIn[0] is [z, y]
	decOut  []*mat.Dense // ReLU output of each decoder hidden layer
	logits  *mat.Dense   // output layer before the sigmoid
	x       *mat.Dense
	entries int
}

// forward runs encoder, reparameterization with the given noise, and decoder
// on a batch, recording the activations.
func (m *Model) forward(x *mat.Dense, labels []int, eps *mat.Dense) *pass {
	p := &pass{x: x, eps: eps}
	h := m.withLabels(x, labels)
	for i := range m.Encoder {
		p.encIn = append(p.encIn, h)
		h = m.Encoder[i].forwardReLU(h)
		p.encOut = append(p.encOut, h)
	}
	p.mu, p.logVar = m.Mu.forward(h), m.LogVar.forward(h)
	z := reparameterize(p.mu, p.logVar, eps)
	h = m.withLabels(z, labels)
	for i := range m.Decoder {
		p.decIn = append(p.decIn, h)
		h = m.Decoder[i].forwardReLU(h)
		p.decOut = append(p.decOut, h)
	}
	p.logits = m.Out.forward(h)
	return p
}

// Evaluate returns the loss of a batch x of shape [n, Input], summed over
// its images, with eps ([n, Latent], standard normal) as the noise of the
// reparameterization.
func (m *Model) Evaluate(x *mat.Dense, labels []int, eps *mat.Dense) Loss {
	p := m.forward(x, labels, eps)
	return m.loss(p, nil)
}

// Gradient is Evaluate that also stores in grad, a model of the same shape,
// the gradient of Loss.Total with respect to every parameter.
func (m *Model) Gradient(grad *Model, x *mat.Dense, labels []int, eps *mat.Dense) Loss {
	p := m.forward(x, labels, eps)
	n, d := p.logits.Dims()
	dLogits := mat.NewDense(n, d, nil)
	loss := m.loss(p, dLogits)
	m.backward(grad, p, dLogits)
	return loss
}

func (m *Model) loss(p *pass, dLogits *mat.Dense) Loss {
	recon := reconstructionChunked(m.Config.Likelihood, p.logits, p.x, dLogits)
	kl := klDivergence(p.mu, p.logVar)
	return Loss{Recon: recon, KL: kl, Total: recon + m.Config.Beta*kl}
}

// reconChunk is how many rows of a batch reconstructionChunked hands to one
// call of reconstruction.
const reconChunk = 32

// reconstructionChunked is reconstruction computed in chunks of reconChunk
// rows on every core: with its exp and log1p per pixel it is a quarter of a
// training step. The chunks' sums are added in chunk order, and the chunks
// depend on the batch alone, so the result is the same whatever the number
// of cores. Matrices with gaps between rows, which reconstruction's flat
// indexing does not expect, are passed through whole.
func reconstructionChunked(lik Likelihood, logits, x, grad *mat.Dense) float64 {
	n, d := logits.Dims()
	chunks := (n + reconChunk - 1) / reconChunk
	contiguous := func(a *mat.Dense) bool { return a == nil || a.RawMatrix().Stride == d }
	if chunks <= 1 || !contiguous(logits) || !contiguous(x) || !contiguous(grad) {
		return reconstruction(lik, logits, x, grad)
	}
	rows := func(a *mat.Dense, c int) *mat.Dense {
		if a == nil {
			return nil
		}
		return a.Slice(c*reconChunk, min((c+1)*reconChunk, n), 0, d).(*mat.Dense)
	}
	sums := make([]float64, chunks)
	var next atomic.Int64
	work := func() {
		for c := int(next.Add(1)) - 1; c < chunks; c = int(next.Add(1)) - 1 {
			sums[c] = reconstruction(lik, rows(logits, c), rows(x, c), rows(grad, c))
		}
	}
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), chunks) - 1 {
		wg.Go(work)
	}
	work()
	wg.Wait()
	var total float64
	for _, v := range sums {
		total += v
	}
	return total
}

// backward propagates dLogits, the gradient of the reconstruction term with
// respect to the decoder's logits, back through decoder, reparameterization
// and encoder, adding the KL term's gradient on the way.
func (m *Model) backward(g *Model, p *pass, dLogits *mat.Dense) {
	// Decoder, from the output layer down to its input [z, y].
	last := p.decOut[len(p.decOut)-1]
	dh := linearBackward(&g.Out, &m.Out, last, dLogits, true)
	for i := len(m.Decoder) - 1; i >= 0; i-- {
		reluBackward(dh, p.decOut[i])
		dh = linearBackward(&g.Decoder[i], &m.Decoder[i], p.decIn[i], dh, true)
	}
	n, _ := dh.Dims()
	latent := m.Config.Latent
	dz := dh.Slice(0, n, 0, latent)

	// Reparameterization z = mu + exp(logvar/2)·eps, plus the KL term's own
	// gradient: d/dmu = mu, d/dlogvar = (exp(logvar) - 1)/2.
	beta := m.Config.Beta
	dMu := mat.NewDense(n, latent, nil)
	dLogVar := mat.NewDense(n, latent, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < latent; j++ {
			mu, lv, e, d := p.mu.At(i, j), p.logVar.At(i, j), p.eps.At(i, j), dz.At(i, j)
			dMu.Set(i, j, d+beta*mu)
			dLogVar.Set(i, j, d*e*math.Exp(lv/2)/2+beta*(math.Exp(lv)-1)/2)
		}
	}

	// Encoder: both heads read the last hidden layer, so their input
	// gradients add.
	last = p.encOut[len(p.encOut)-1]
	dh = linearBackward(&g.Mu, &m.Mu, last, dMu, true)
	dh.Add(dh, linearBackward(&g.LogVar, &m.LogVar, last, dLogVar, true))
	for i := len(m.Encoder) - 1; i >= 0; i-- {
		reluBackward(dh, p.encOut[i])
		// The image and label are data: no gradient is needed below layer 1.
		dh = linearBackward(&g.Encoder[i], &m.Encoder[i], p.encIn[i], dh, i > 0)
	}
}

// linearBackward stores in g the gradients of y = x Wᵀ + b given dy, and
// returns dx = dy W when wantInput is set.
func linearBackward(g, l *Linear, x, dy *mat.Dense, wantInput bool) *mat.Dense {
	mul(g.W, dy, true, x, false) // dW = dyᵀ x
	n, out := dy.Dims()
	clear(g.B)
	raw := dy.RawMatrix()
	gb := g.B[:out]
	for i := 0; i < n; i++ {
		for j, v := range raw.Data[i*raw.Stride : i*raw.Stride+out] {
			gb[j] += v
		}
	}
	if !wantInput {
		return nil
	}
	_, in := l.W.Dims()
	dx := mat.NewDense(n, in, nil)
	mul(dx, dy, false, l.W, false) // dx = dy W
	return dx
}

// reluBackward zeroes the gradient where the ReLU's output was zero.
func reluBackward(grad, out *mat.Dense) {
	g, o := grad.RawMatrix().Data, out.RawMatrix().Data
	for i, v := range o {
		if v <= 0 {
			g[i] = 0
		}
	}
}
