package main

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"vaeplay/model"
)

// cpuPeak is this machine's peak floating-point rate, derived from what
// /proc/cpuinfo says about the CPU.
type cpuPeak struct {
	model          string
	cores          int     // physical cores the process may use
	ghz            float64 // nominal clock
	isa            string  // widest FMA instruction set
	lanes64        int     // float64 lanes of its vectors
	fmaUnits       int     // FMA pipes per core (assumed: cpuinfo does not say)
	gflops64, gf32 float64 // peak GFLOP/s in float64 and float32
}

// peakFromCPUInfo derives the peak: cores × GHz × FLOPs per cycle, where a
// core retires per cycle fmaUnits fused multiply-adds (2 FLOPs each) on
// vectors of lanes64 doubles (twice as many floats). Intel's server cores
// (Xeon Scalable since Skylake-SP, Gold and Platinum) and AMD's Zen have two
// FMA pipes; cpuinfo does not tell, so two is assumed.
func peakFromCPUInfo(cpuinfo string, numCPU int) (cpuPeak, error) {
	p := cpuPeak{fmaUnits: 2}
	var mhz float64
	var flags []string
	processors, siblings, coresPerSocket := 0, 0, 0
	for line := range strings.SplitSeq(cpuinfo, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch k {
		case "processor":
			processors++
		case "model name":
			if p.model == "" {
				p.model = v
			}
		case "cpu MHz":
			if mhz == 0 {
				mhz, _ = strconv.ParseFloat(v, 64)
			}
		case "flags":
			if flags == nil {
				flags = strings.Fields(v)
			}
		case "siblings":
			siblings, _ = strconv.Atoi(v)
		case "cpu cores":
			coresPerSocket, _ = strconv.Atoi(v)
		}
	}
	if processors == 0 || flags == nil {
		return p, errors.New("cpuinfo lists no processor with flags")
	}
	// "Intel(R) Xeon(R) Gold 6154 CPU @ 3.00GHz" names the nominal clock;
	// a virtual machine's model name may not, and then cpu MHz does.
	if _, clock, ok := strings.Cut(p.model, "@"); ok && strings.HasSuffix(clock, "GHz") {
		p.ghz, _ = strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(clock, "GHz")), 64)
	}
	if p.ghz <= 0 {
		p.ghz = mhz / 1000
	}
	if p.ghz <= 0 {
		return p, errors.New("cpuinfo gives no clock rate")
	}
	// Hyper-threads share their core's FMA pipes.
	p.cores = min(processors, numCPU)
	if siblings > coresPerSocket && coresPerSocket > 0 {
		p.cores = max(1, p.cores*coresPerSocket/siblings)
	}
	has := func(f string) bool { return slices.Contains(flags, f) }
	switch {
	case has("avx512f"):
		p.isa, p.lanes64 = "AVX-512 FMA", 8
	case has("avx2") && has("fma"):
		p.isa, p.lanes64 = "AVX2 FMA", 4
	default:
		p.isa, p.lanes64, p.fmaUnits = "SSE2 (no FMA: a multiply and an add)", 2, 1
	}
	perCycle := float64(p.lanes64 * 2 * p.fmaUnits)
	p.gflops64 = float64(p.cores) * p.ghz * perCycle
	p.gf32 = 2 * p.gflops64
	return p, nil
}

// flopsPerImage counts the floating-point operations of one training step
// per image in the matrix products of cfg's model: 2·in·out each for the
// forward product, the weight gradient and the input gradient (none for the
// first encoder layer, whose input is data). Element-wise work (activations,
// loss, Adam) is left out, as FLOP counts usually do.
func flopsPerImage(cfg model.Config) (float64, error) {
	m, err := model.New(cfg, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		return 0, err
	}
	var f float64
	for _, p := range m.Params() {
		if len(p.Shape) != 2 {
			continue
		}
		mn := float64(2 * p.Shape[0] * p.Shape[1])
		f += 2 * mn // forward and weight gradient
		if !strings.HasPrefix(p.Name, "enc.fc1.") {
			f += mn
		}
	}
	return f, nil
}
