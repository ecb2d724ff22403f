package main

import (
	"bufio"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestJSON runs the command with -json: standard output holds one JSON
// object per epoch with the figures of the text line, and nothing else; the
// text goes to standard error.
func TestJSON(t *testing.T) {
	bin := buildTrain(t)
	data := smallMNIST().write(t)
	out := filepath.Join(t.TempDir(), "vae.safetensors")
	r := runCommand(t, bin, "-data", data, "-epochs", "2", "-hidden", "16", "-latent", "2", "-quiet", "-json", "-out", out)
	if r.code != 0 {
		t.Fatalf("exit status %d, stderr: %s", r.code, r.stderr)
	}
	var epochs []epochLog
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	for sc.Scan() {
		var e epochLog
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("stdout line %q: %v", sc.Text(), err)
		}
		epochs = append(epochs, e)
	}
	if len(epochs) != 2 {
		t.Fatalf("%d JSON lines, want one per epoch (2):\n%s", len(epochs), r.stdout)
	}
	for i, e := range epochs {
		if e.Epoch != i+1 || !(e.TrainLoss > 0) || !(e.TestLoss > 0) || e.TestRecon+e.TestKL <= 0 || !(e.Seconds > 0) || e.LR != 1e-3 {
			t.Errorf("epoch line %d: %+v", i, e)
		}
	}
	if !strings.Contains(r.stderr, "epoch 1 train_loss") || !strings.Contains(r.stderr, "wrote "+out) {
		t.Errorf("stderr lacks the text lines:\n%s", r.stderr)
	}
}
