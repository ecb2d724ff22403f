package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// The other tools' results that make bench's summary reads, one file each
// in its -summary folder. Each tool writes JSON where it can (tools/train
// -json, go test -json, benchweb -json); the PyTorch peer, which is not the
// project's, prints the trainer's text line.
const (
	stepFile  = "step.json"  // go test -json -bench Step ./model/
	trainFile = "train.json" // go run ./tools/train -json -epochs 1
	torchFile = "torch.txt"  // ../shared/peers/torch_vae.py --epochs 1, or why it did not run
	webFile   = "web.json"   // benchweb -json
)

// epoch is one epoch's figures, named as tools/train -json names them.
type epoch struct {
	N         int     `json:"epoch"`
	TrainLoss float64 `json:"train_loss"`
	TestLoss  float64 `json:"test_loss"`
	Seconds   float64 `json:"epoch_s"`
}

// readTrainJSON returns the first epoch of tools/train -json's output: one
// JSON object a line.
func readTrainJSON(r io.Reader) (epoch, error) {
	dec := json.NewDecoder(r)
	var e epoch
	if err := dec.Decode(&e); err != nil {
		if errors.Is(err, io.EOF) {
			return epoch{}, errors.New("no epoch: the trainer wrote nothing")
		}
		return epoch{}, fmt.Errorf("reading tools/train -json: %w", err)
	}
	if e.N < 1 || !(e.Seconds > 0) {
		return epoch{}, fmt.Errorf("tools/train -json: epoch %d in %g s is not an epoch's figures", e.N, e.Seconds)
	}
	return e, nil
}

// readPeerEpoch returns the first epoch line of the PyTorch peer's output,
// "epoch N train_loss L test_loss L epoch_s S": pairs of a name and its
// value, after the word epoch and its number.
func readPeerEpoch(r io.Reader) (epoch, error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 || f[0] != "epoch" {
			continue
		}
		n, err := strconv.Atoi(f[1])
		if err != nil {
			continue
		}
		e := epoch{N: n}
		got := 0
		for i := 2; i+1 < len(f); i++ {
			var dst *float64
			switch f[i] {
			case "train_loss":
				dst = &e.TrainLoss
			case "test_loss":
				dst = &e.TestLoss
			case "epoch_s":
				dst = &e.Seconds
			default:
				continue
			}
			v, err := strconv.ParseFloat(f[i+1], 64)
			if err != nil {
				return epoch{}, fmt.Errorf("epoch line %q: %s: %w", sc.Text(), f[i], err)
			}
			*dst = v
			got++
		}
		if got < 3 {
			return epoch{}, fmt.Errorf("epoch line %q: want train_loss, test_loss and epoch_s", sc.Text())
		}
		return e, nil
	}
	if err := sc.Err(); err != nil {
		return epoch{}, err
	}
	return epoch{}, errors.New("no line \"epoch N train_loss L test_loss L ... epoch_s S\"")
}

// testEvent is one line of go test -json (cmd/test2json).
type testEvent struct {
	Action string
	Test   string
	Output string
}

// readBenchJSON returns the results of go test -json -bench: each
// benchmark's figures by unit ("ns/op", "images/s"), keyed by its name as
// the events give it ("BenchmarkStep/vae", without the -GOMAXPROCS suffix).
// A result line, which test2json may deliver in pieces, is the benchmark
// format's: the name, the iterations, then pairs of a value and its unit.
func readBenchJSON(r io.Reader) (map[string]map[string]float64, error) {
	outputs := map[string]*strings.Builder{}
	var order []string
	dec := json.NewDecoder(r)
	for {
		var e testEvent
		if err := dec.Decode(&e); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("reading go test -json: %w", err)
		}
		if e.Action != "output" || !strings.HasPrefix(e.Test, "Benchmark") {
			continue
		}
		b := outputs[e.Test]
		if b == nil {
			b = &strings.Builder{}
			outputs[e.Test] = b
			order = append(order, e.Test)
		}
		b.WriteString(e.Output)
	}
	results := map[string]map[string]float64{}
	for _, name := range order {
		for line := range strings.Lines(outputs[name].String()) {
			f := strings.Fields(line)
			if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
				continue
			}
			if _, err := strconv.Atoi(f[1]); err != nil {
				continue // not a result: the name alone, or a log line
			}
			units := map[string]float64{}
			for i := 2; i+1 < len(f); i += 2 {
				v, err := strconv.ParseFloat(f[i], 64)
				if err != nil {
					return nil, fmt.Errorf("benchmark line %q: %w", strings.TrimSpace(line), err)
				}
				units[f[i+1]] = v
			}
			results[name] = units
		}
	}
	if len(results) == 0 {
		return nil, errors.New("go test -json: no benchmark result")
	}
	return results, nil
}

// stepBench is one BenchmarkStep result.
type stepBench struct {
	ms, imagesPerSec float64
}

// stepResults picks BenchmarkStep's results out of go test -json -bench's,
// by sub-benchmark (vae, cvae).
func stepResults(results map[string]map[string]float64) (map[string]stepBench, error) {
	out := map[string]stepBench{}
	for name, units := range results {
		sub, ok := strings.CutPrefix(name, "BenchmarkStep/")
		ns, okNs := units["ns/op"]
		ips, okIPS := units["images/s"]
		if ok && okNs && okIPS {
			out[sub] = stepBench{ms: ns / 1e6, imagesPerSec: ips}
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no BenchmarkStep result with images/s")
	}
	return out, nil
}
