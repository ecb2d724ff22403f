//go:build !goexperiment.simd

package gemm

// best32 is the float32 kernel: without the simd experiment, the Go one.
var best32 = goKernel32

// kernels32 lists every float32 kernel this build can run, for tests and
// benchmarks.
func kernels32() []*kernel[float32] { return []*kernel[float32]{goKernel32} }
