package nn

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Parallel calls work(c) for every chunk c in [0, chunks), on up to
// GOMAXPROCS goroutines, and returns when all calls have. The chunks are
// claimed in order but may run in any order; a caller that writes each
// chunk's result to its own slot and combines the slots in chunk order gets
// the same bits on any number of cores. That is how every parallel sum in
// the project is made.
func Parallel(chunks int, work func(c int)) {
	workers := min(runtime.GOMAXPROCS(0), chunks)
	if workers <= 1 {
		for c := range chunks {
			work(c)
		}
		return
	}
	var next atomic.Int64
	run := func() {
		for c := int(next.Add(1)) - 1; c < chunks; c = int(next.Add(1)) - 1 {
			work(c)
		}
	}
	var wg sync.WaitGroup
	for range workers - 1 {
		wg.Go(run)
	}
	run()
	wg.Wait()
}
