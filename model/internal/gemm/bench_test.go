package gemm

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchShapes are the products the model computes: one training step of
// the 784-400-20 VAE at batch 128 (encoder 784→400→20, decoder 20→400→784;
// forward Y = X·Wᵀ, backward dW = dYᵀ·X and dX = dY·W), and the forward
// pass of the widget's 12-400-400-784 decoder for one digit and for a
// batch of 100.
var benchShapes = []struct {
	name           string
	transA, transB bool
	m, n, k        int
}{
	{"train.fwd.784-400", false, true, 128, 400, 784},
	{"train.fwd.400-20", false, true, 128, 20, 400},
	{"train.fwd.20-400", false, true, 128, 400, 20},
	{"train.fwd.400-784", false, true, 128, 784, 400},
	{"train.dW.784-400", true, false, 400, 784, 128},
	{"train.dW.400-20", true, false, 20, 400, 128},
	{"train.dW.20-400", true, false, 400, 20, 128},
	{"train.dW.400-784", true, false, 784, 400, 128},
	{"train.dX.784-400", false, false, 128, 784, 400},
	{"train.dX.400-20", false, false, 128, 400, 20},
	{"train.dX.20-400", false, false, 128, 20, 400},
	{"train.dX.400-784", false, false, 128, 400, 784},
	{"decode1.12-400", false, true, 1, 400, 12},
	{"decode1.400-400", false, true, 1, 400, 400},
	{"decode1.400-784", false, true, 1, 784, 400},
	{"decode100.12-400", false, true, 100, 400, 12},
	{"decode100.400-400", false, true, 100, 400, 400},
	{"decode100.400-784", false, true, 100, 784, 400},
}

// BenchmarkMul times each of the model's products with every kernel of
// both types, and with gonum's Sgemm and Dgemm as a peer, one product after
// the other so that the ratios between them hold on a noisy machine:
//
//	go test -run NONE -bench Mul -benchtime 300ms -count 6 | tee new.txt
//	benchstat -row /shape -col /impl new.txt
func BenchmarkMul(b *testing.B) {
	for _, s := range benchShapes {
		for _, kern := range kernels32() {
			benchMul(b, s.name, "f32."+kern.name, s.transA, s.transB, s.m, s.n, s.k, func(a, bb, c operand[float32]) {
				mul(kern, s.transA, s.transB, s.m, s.n, s.k, a.data, a.stride, bb.data, bb.stride, c.data, c.stride)
			})
		}
		for _, kern := range kernels64() {
			benchMul(b, s.name, "f64."+kern.name, s.transA, s.transB, s.m, s.n, s.k, func(a, bb, c operand[float64]) {
				mul(kern, s.transA, s.transB, s.m, s.n, s.k, a.data, a.stride, bb.data, bb.stride, c.data, c.stride)
			})
		}
		benchMul(b, s.name, "f32.gonum", s.transA, s.transB, s.m, s.n, s.k, func(a, bb, c operand[float32]) {
			gonumMul(s.transA, s.transB, s.m, s.n, s.k, a, bb, c)
		})
		benchMul(b, s.name, "f64.gonum", s.transA, s.transB, s.m, s.n, s.k, func(a, bb, c operand[float64]) {
			gonumMul(s.transA, s.transB, s.m, s.n, s.k, a, bb, c)
		})
	}
}

func benchMul[T Float](b *testing.B, shape, impl string, transA, transB bool, m, n, k int, f func(a, b, c operand[T])) {
	rng := rand.New(rand.NewPCG(5, 6))
	x, y, c := operands[T](rng, transA, transB, m, n, k, 0, 0)
	b.Run("shape="+shape+"/impl="+impl, func(b *testing.B) {
		for b.Loop() {
			f(x, y, c)
		}
		b.ReportMetric(2*float64(m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
}

// BenchmarkSmall compares the unpacked paths with the packed ones on the
// products of decoding a few digits (784-400-20 CVAE decoder), to place
// smallM and kernel.dotsForward.
func BenchmarkSmall(b *testing.B) {
	for _, m := range []int{1, 2, 4, 8, 100} {
		for _, s := range []struct {
			name   string
			transB bool
			n, k   int
		}{{"fc1", true, 400, 30}, {"out", true, 784, 400}, {"dX", false, 400, 784}} {
			for _, kern := range kernels32() {
				benchSmall(b, m, s.name, "f32."+kern.name, kern, s.transB, s.n, s.k)
			}
			for _, kern := range kernels64() {
				benchSmall(b, m, s.name, "f64."+kern.name, kern, s.transB, s.n, s.k)
			}
		}
	}
}

func benchSmall[T Float](b *testing.B, m int, shape, impl string, kern *kernel[T], transB bool, n, k int) {
	rng := rand.New(rand.NewPCG(9, 10))
	x, y, c := operands[T](rng, false, transB, m, n, k, 0, 0)
	name := fmt.Sprintf("m=%d/shape=%s/impl=%s", m, shape, impl)
	b.Run(name+"/path=small", func(b *testing.B) {
		for b.Loop() {
			kern.small(transB, m, n, k, x.data, x.stride, y.data, y.stride, c.data, c.stride)
		}
	})
	b.Run(name+"/path=packed", func(b *testing.B) {
		for b.Loop() {
			mulPacked(kern, false, transB, m, n, k, x.data, x.stride, y.data, y.stride, c.data, c.stride, false)
		}
	})
}
