//go:build !amd64

package gemm

// best is the fastest kernel for this machine; without assembly, the Go one.
var best = goKernel

// kernels lists every kernel this machine can run, for tests and benchmarks.
func kernels() []*kernel { return []*kernel{goKernel} }
