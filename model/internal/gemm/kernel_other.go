//go:build !amd64

package gemm

// best64 is the fastest float64 kernel for this machine; without assembly,
// the Go one.
var best64 = goKernel64

// kernels64 lists every float64 kernel this machine can run, for tests and
// benchmarks.
func kernels64() []*kernel[float64] { return []*kernel[float64]{goKernel64} }
