// Package vmath holds the element-wise float32 math of a training step and
// of decoding, vectorized with the portable simd package where the build
// has it (GOEXPERIMENT=simd) and in plain Go otherwise: the reconstruction
// loss and its gradient, the sigmoid, and Adam's update.
//
// These run over every pixel of every image and every parameter of every
// step; with math.Exp, math.Log1p and math.Sqrt one element at a time they
// took half of a training step. The vector forms compute exp and log1p by
// polynomials good to about one float32 unit in the last place (see exp and
// log1pSmall), so results agree with the scalar forms to a few units of
// float32 rounding, not bit for bit; on a given machine they are
// deterministic.
//
// The functions take equal-length slices and treat a shorter second or third
// slice as a bug in the caller, as slice indexing does.
package vmath
