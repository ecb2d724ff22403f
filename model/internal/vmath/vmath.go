package vmath

// BernoulliLoss returns the binary cross-entropy of the pixels x against
// the Bernoulli means σ(logits), summed: Σ softplus(l) - x·l, which is
// -Σ x log σ(l) + (1-x) log(1-σ(l)) without the rounding of a saturated
// sigmoid. If grad is not nil it stores there the derivative with respect
// to each logit, σ(l) - x.
func BernoulliLoss(logits, x, grad []float32) float64 {
	x = x[:len(logits)]
	if grad != nil {
		grad = grad[:len(logits)]
	}
	return bernoulli(logits, x, grad)
}

// GaussianLoss returns the squared error of the pixels x against the means
// σ(logits), summed, and if grad is not nil stores there its derivative
// with respect to each logit, 2(σ(l) - x)·σ(l)(1 - σ(l)).
func GaussianLoss(logits, x, grad []float32) float64 {
	x = x[:len(logits)]
	if grad != nil {
		grad = grad[:len(logits)]
	}
	return gaussian(logits, x, grad)
}

// Sigmoid replaces every element of a by 1/(1+exp(-a)).
func Sigmoid(a []float32) { sigmoid(a) }

// AdamConstants are the numbers of one Adam step that do not depend on the
// parameter.
type AdamConstants struct {
	Beta1, Beta2                 float32 // decays of the moment estimates
	OneMinusBeta1, OneMinusBeta2 float32
	StepSize                     float32 // lr / (1 - β1ᵗ)
	SqrtCorrection2              float32 // sqrt(1 - β2ᵗ)
	Eps                          float32
}

// Adam updates the parameters p with their gradients g and first and
// second moments m and v, all of the same length, as torch.optim.Adam does:
//
//	m = β1 m + (1-β1) g;  v = β2 v + (1-β2) g²
//	p -= lr/(1-β1ᵗ) · m / (sqrt(v)/sqrt(1-β2ᵗ) + eps)
func Adam(p, g, m, v []float32, c AdamConstants) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	adam(p, g, m, v, c)
}
