package main

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vaeplay/model"
	"vaeplay/model/classifier"
)

// writeClassifier saves an untrained classifier as dir/classifier.safetensors.
func writeClassifier(t *testing.T, dir string) string {
	t.Helper()
	net, err := classifier.New(classifier.DefaultConfig(), rand.New(rand.NewPCG(4, 4)))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := classifier.Save(&b, net, map[string]string{"metrics": `{"test_accuracy":0.1}`}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "classifier.safetensors")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestConditionalAccuracyBookkeeping checks the counts against the
// classifier's own predictions on the same samples.
func TestConditionalAccuracyBookkeeping(t *testing.T) {
	m, _ := model.New(model.Config{Input: 784, Hidden: []int{8}, Latent: 3, Classes: 10, Likelihood: model.Bernoulli, Beta: 1}, rand.New(rand.NewPCG(1, 1)))
	net, _ := classifier.New(classifier.DefaultConfig(), rand.New(rand.NewPCG(2, 2)))
	const per = 23
	rep, err := conditionalAccuracy(m, net, per, 7, 5)
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for c := range 10 {
		row := rep.Confusion[c]
		n := 0
		for _, k := range row {
			n += k
		}
		if n != per {
			t.Errorf("label %d: %d samples counted, want %d", c, n, per)
		}
		if rep.ByClass[c] != float64(row[c])/per {
			t.Errorf("label %d: accuracy %v, confusion diagonal %d of %d", c, rep.ByClass[c], row[c], per)
		}
		sum += rep.ByClass[c]
		// The same samples, drawn again in one batch: batching must not
		// change them.
		rng := rand.New(rand.NewPCG(5, condStream+uint64(c)))
		labels := make([]int, per)
		for i := range labels {
			labels[i] = c
		}
		pred, err := net.Predict(m.Decode(model.Noise(per, 3, rng), labels))
		if err != nil {
			t.Fatal(err)
		}
		want := make([]int, 10)
		for _, p := range pred {
			want[p]++
		}
		for p := range want {
			if want[p] != row[p] {
				t.Fatalf("label %d: confusion row %v, predictions in one batch give %v", c, row, want)
			}
		}
	}
	if d := rep.Accuracy - sum/10; d > 1e-12 || d < -1e-12 {
		t.Errorf("overall accuracy %v, mean of the labels' %v", rep.Accuracy, sum/10)
	}
}

// TestRunConditional runs the whole evaluation of a CVAE with and without
// a classifier beside it.
func TestRunConditional(t *testing.T) {
	data := fakeMNIST(t, 12)
	cfg := model.Config{Input: 784, Hidden: []int{8}, Latent: 2, Classes: 10, Likelihood: model.Bernoulli, Beta: 1}
	for _, tc := range []struct {
		name       string
		classifier bool   // write one beside the weights
		explicit   string // -classifier
		perClass   int
		wantErr    string
		wantNote   string
	}{
		{"beside the weights", true, "", 5, "", ""},
		{"absent, not asked for", false, "", 5, "", "no classifier at"},
		{"absent, asked for", false, "nope.safetensors", 5, "nope.safetensors", ""},
		{"not a classifier", false, "WEIGHTS", 5, "vaeplay-classifier/1", ""},
		{"skipped", true, "", 0, "", "-per-class 0"},
		{"negative", true, "", -1, "-per-class -1", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			weights := writeWeights(t, dir, "cvae", cfg, false)
			o := options{weights: weights, data: data, k: 2, n: 10, rows: 50, out: filepath.Join(dir, "eval"), seed: 1, perClass: tc.perClass,
				classifier: filepath.Join(dir, "classifier.safetensors")}
			if tc.classifier {
				writeClassifier(t, dir)
			}
			switch tc.explicit {
			case "":
			case "WEIGHTS":
				o.classifier, o.classifierExplicit = weights, true
			default:
				o.classifier, o.classifierExplicit = filepath.Join(dir, tc.explicit), true
			}
			var stdout bytes.Buffer
			err := run(o, &stdout, &bytes.Buffer{})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := os.ReadFile(filepath.Join(o.out, "metrics.json"))
			var rep report
			if err := json.Unmarshal(raw, &rep); err != nil {
				t.Fatal(err)
			}
			if tc.wantNote != "" {
				if rep.CondAccuracy != nil || !strings.Contains(rep.ConditionalNote, tc.wantNote) {
					t.Errorf("conditional accuracy %+v, note %q; want none and a note containing %q", rep.CondAccuracy, rep.ConditionalNote, tc.wantNote)
				}
				if !strings.Contains(stdout.String(), tc.wantNote) {
					t.Errorf("table lacks %q:\n%s", tc.wantNote, stdout.String())
				}
				return
			}
			c := rep.CondAccuracy
			if c == nil || c.PerClass != tc.perClass || len(c.ByClass) != 10 || !strings.Contains(c.ClassifierMetrics, "test_accuracy") {
				t.Fatalf("conditional accuracy %+v", c)
			}
			if !strings.Contains(stdout.String(), "conditional accuracy") {
				t.Errorf("table lacks the conditional accuracy:\n%s", stdout.String())
			}
		})
	}
}
