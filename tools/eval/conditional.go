package main

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"

	"vaeplay/model"
	"vaeplay/model/classifier"
)

// conditionalReport is how often the CVAE's samples show the class asked
// for, as the project's classifier judges them.
type conditionalReport struct {
	Classifier string `json:"classifier"`
	// ClassifierMetrics is the classifier's own training figures (its test
	// accuracy on MNIST among them), from its metadata.
	ClassifierMetrics string `json:"classifier_metrics,omitempty"`
	PerClass          int    `json:"samples_per_class"`
	// Accuracy is the fraction of all samples labelled as requested;
	// ByClass the fraction for each requested class.
	Accuracy float64   `json:"accuracy"`
	ByClass  []float64 `json:"accuracy_by_class"`
	// Confusion[r][p] counts the samples requested as r and labelled p.
	Confusion [][]int `json:"confusion"`
}

// condStream seeds the prior samples of class c as (seed, condStream+c),
// apart from the importance samples' streams (one per test image).
const condStream = 0xc1a55 << 32

// loadClassifier reads the classifier at path. A missing file is not an
// error when the path was not asked for explicitly (nil, nil): the
// evaluation then goes without conditional accuracy.
func loadClassifier(path string, explicit bool) (*classifier.Net, map[string]string, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && !explicit {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("classifier: %w", err)
	}
	net, meta, err := classifier.Load(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return net, meta, nil
}

// conditionalAccuracy draws perClass samples of each class from m's prior
// (z ~ N(0, I), decoded to pixel means, as the widget shows them) and
// labels them with net, rows at a time.
func conditionalAccuracy(m *model.Model, net *classifier.Net, perClass, rows int, seed uint64) (conditionalReport, error) {
	classes := m.Config.Classes
	if classes != net.Config.Classes {
		return conditionalReport{}, fmt.Errorf("the model has %d classes, the classifier %d", classes, net.Config.Classes)
	}
	if px := net.Config.Side * net.Config.Side; px != m.Config.Input {
		return conditionalReport{}, fmt.Errorf("the model draws %d pixels, the classifier reads %d", m.Config.Input, px)
	}
	rep := conditionalReport{PerClass: perClass, ByClass: make([]float64, classes), Confusion: make([][]int, classes)}
	total := 0
	for c := range classes {
		rep.Confusion[c] = make([]int, classes)
		rng := rand.New(rand.NewPCG(seed, condStream+uint64(c)))
		for done := 0; done < perClass; {
			b := min(rows, perClass-done)
			pred, err := net.Predict(m.Sample(b, c, 1, rng))
			if err != nil {
				return conditionalReport{}, err
			}
			for _, p := range pred {
				rep.Confusion[c][p]++
			}
			done += b
		}
		rep.ByClass[c] = float64(rep.Confusion[c][c]) / float64(perClass)
		total += rep.Confusion[c][c]
	}
	rep.Accuracy = float64(total) / float64(perClass*classes)
	return rep, nil
}
