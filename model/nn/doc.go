// Package nn holds the building blocks that the project's networks share:
// a row-major matrix, the fully connected layer with its backward pass, the
// tape a training forward pass records on, Adam, and a parallel loop whose
// results do not depend on the number of cores. The VAE (package model) and
// the digit classifier (package model/classifier) are both written with
// them, so each piece of math exists once.
//
// Everything is generic over the element type. The project computes in
// float32, as PyTorch does; the float64 instantiation exists so that tests
// can check gradients by finite differences with float64's precision.
//
// # Matrices
//
// A Matrix is row-major with a row stride, laid out field for field as
// gonum's blas32.General, to which a Matrix[float32] converts:
// blas32.General(m). The products go to the kernels of
// vaeplay/model/internal/gemm.
//
// # Training
//
// A forward pass given a Tape records each layer's input and output on it;
// the backward pass takes them off in reverse order, one layer at a time:
//
//	var t nn.Tape[float32]
//	h := fc1.Forward(x, nn.ReLU, &t)
//	y := fc2.Forward(h, nn.Identity, &t)
//	dh := fc2.Backward(&grad2, dy, &t, true) // pops fc2's record
//	fc1.Backward(&grad1, dh, &t, false)      // pops fc1's
//
// Inference passes a nil Tape and records nothing: there is one forward
// pass, used for both.
package nn
