package main

// These tests build the train command and run it as a user would, on small
// generated data sets, checking its exit status, its messages and the files
// it leaves behind.

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"vaeplay/model"
)

// buildTrain compiles this command into a temporary folder.
func buildTrain(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), "train")
	cmd := exec.Command(goTool, "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// idxBytes encodes an IDX file of unsigned bytes.
func idxBytes(dims []int, data []byte) []byte {
	b := []byte{0, 0, 0x08, byte(len(dims))}
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, uint32(d))
	}
	return append(b, data...)
}

// digits makes n images of rows x cols pixels, loosely striped by label so
// that there is something to learn, and their labels 0..9 in turn.
func digits(n, rows, cols int, seed uint64) (images, labels []byte) {
	rng := rand.New(rand.NewPCG(seed, 0))
	images = make([]byte, n*rows*cols)
	labels = make([]byte, n)
	for i := range n {
		labels[i] = byte(i % 10)
		for p := range rows * cols {
			if (p/cols+p%cols+3*(i%10))%10 < 3 {
				images[i*rows*cols+p] = 255 - byte(rng.IntN(40))
			}
		}
	}
	return images, labels
}

// dataSet is the content of the four files of a data set, by file name.
type dataSet map[string][]byte

// smallMNIST is an MNIST-shaped data set small enough that an epoch of the
// default 784-400-20 model takes about half a second: 2560 training images
// (20 batches) and 256 test images.
func smallMNIST() dataSet {
	ti, tl := digits(2560, 28, 28, 1)
	vi, vl := digits(256, 28, 28, 2)
	return dataSet{
		"train-images-idx3-ubyte": idxBytes([]int{2560, 28, 28}, ti),
		"train-labels-idx1-ubyte": idxBytes([]int{2560}, tl),
		"t10k-images-idx3-ubyte":  idxBytes([]int{256, 28, 28}, vi),
		"t10k-labels-idx1-ubyte":  idxBytes([]int{256}, vl),
	}
}

func (d dataSet) write(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, b := range d {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// result is how a run of the command ended.
type result struct {
	stdout, stderr string
	code           int
}

func runCommand(t *testing.T, bin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("%s: %v", bin, err)
	}
	return result{stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()}
}

// fileState is what must not change in a file that a failed run leaves alone.
type fileState struct {
	data    string
	modTime time.Time
}

// snapshot records every file in dir.
func snapshot(t *testing.T, dir string) map[string]fileState {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := map[string]fileState{}
	for _, de := range des {
		path := filepath.Join(dir, de.Name())
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		s[de.Name()] = fileState{string(b), fi.ModTime()}
	}
	return s
}

// checkUnchanged fails t unless dir holds exactly the files of before,
// byte for byte and with the same modification times.
func checkUnchanged(t *testing.T, dir string, before map[string]fileState) {
	t.Helper()
	after := snapshot(t, dir)
	for name, b := range before {
		a, ok := after[name]
		switch {
		case !ok:
			t.Errorf("%s was removed", name)
		case a.data != b.data:
			t.Errorf("%s was overwritten", name)
		case !a.modTime.Equal(b.modTime):
			t.Errorf("%s was touched: modified %v, was %v", name, a.modTime, b.modTime)
		}
	}
	for name := range after {
		if _, ok := before[name]; !ok {
			t.Errorf("%s was left behind", name)
		}
	}
}

// previousRun fills a new folder with the weights, checkpoint and log of a
// finished one-epoch run, dated an hour ago, as a user's earlier run would
// leave them. It returns the folder and the weights path.
func previousRun(t *testing.T, bin, data string) (dir, out string) {
	t.Helper()
	dir = t.TempDir()
	out = filepath.Join(dir, "vae.safetensors")
	if r := runCommand(t, bin, "-data", data, "-epochs", "1", "-quiet", "-out", out); r.code != 0 {
		t.Fatalf("previous run: exit %d: %s", r.code, r.stderr)
	}
	old := time.Now().Add(-time.Hour)
	for _, p := range []string{out, checkpointPath(out), logPath(out)} {
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	return dir, out
}

// TestBadData runs the command on broken data sets. Each must stop it
// before training with exit status 1 and a message naming the file and
// the problem, and leave the earlier run's files as they were.
func TestBadData(t *testing.T) {
	bin := buildTrain(t)
	good := smallMNIST()
	goodDir := good.write(t)

	edit := func(change func(dataSet)) dataSet {
		d := dataSet{}
		for k, v := range good {
			d[k] = v
		}
		change(d)
		return d
	}
	small, smallLabels := digits(2560, 10, 10, 1)
	tests := []struct {
		name   string
		data   dataSet
		resume bool
		want   []string // in the message, after the data folder's path
	}{
		{"truncated images", edit(func(d dataSet) {
			b := d["train-images-idx3-ubyte"]
			d["train-images-idx3-ubyte"] = b[:len(b)-1000]
		}), false, []string{"train-images-idx3-ubyte: truncated: header says 2560x28x28 = 2007040 bytes, file has 2006040"}},
		{"truncated labels header", edit(func(d dataSet) {
			d["train-labels-idx1-ubyte"] = d["train-labels-idx1-ubyte"][:6]
		}), false, []string{"train-labels-idx1-ubyte: truncated header"}},
		{"fewer labels than images", edit(func(d dataSet) {
			d["train-labels-idx1-ubyte"] = idxBytes([]int{2000}, d["train-labels-idx1-ubyte"][8:2008])
		}), false, []string{"train-images-idx3-ubyte has 2560 images but", "train-labels-idx1-ubyte has 2000 labels"}},
		{"label out of range", edit(func(d dataSet) {
			l := slices.Clone(d["t10k-labels-idx1-ubyte"])
			l[8+5] = 12
			d["t10k-labels-idx1-ubyte"] = l
		}), false, []string{"t10k-labels-idx1-ubyte: label 12 of image 5 is outside 0..9"}},
		{"images of another size", edit(func(d dataSet) {
			d["train-images-idx3-ubyte"] = idxBytes([]int{2560, 10, 10}, small)
			d["train-labels-idx1-ubyte"] = idxBytes([]int{2560}, smallLabels)
		}), false, []string{"train-images-idx3-ubyte: images are 10x10 = 100 pixels, the model takes 784"}},
		{"test images of another size", edit(func(d dataSet) {
			d["t10k-images-idx3-ubyte"] = idxBytes([]int{256, 10, 10}, small[:25600])
		}), false, []string{"t10k-images-idx3-ubyte: images are 10x10 = 100 pixels, the model takes 784"}},
		{"resume on images of another size", edit(func(d dataSet) {
			d["train-images-idx3-ubyte"] = idxBytes([]int{2560, 10, 10}, small)
		}), true, []string{"train-images-idx3-ubyte: images are 10x10 = 100 pixels, the model takes 784"}},
		{"not an IDX file", edit(func(d dataSet) {
			d["t10k-images-idx3-ubyte"] = []byte("<html><body>404 Not Found</body></html>")
		}), false, []string{"t10k-images-idx3-ubyte: not an IDX file"}},
		{"missing file", edit(func(d dataSet) {
			delete(d, "t10k-labels-idx1-ubyte")
		}), false, []string{"t10k-labels-idx1-ubyte.gz exists (`make data` fetches MNIST)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.data.write(t)
			dir, out := previousRun(t, bin, goodDir)
			before := snapshot(t, dir)
			args := []string{"-data", data, "-epochs", "2", "-quiet", "-out", out}
			if tt.resume {
				args = append(args, "-resume", checkpointPath(out))
			}
			r := runCommand(t, bin, args...)
			t.Logf("exit %d, stderr: %s", r.code, strings.TrimSpace(r.stderr))
			if r.code != 1 {
				t.Errorf("exit status %d, want 1", r.code)
			}
			if !strings.HasPrefix(r.stderr, "train: ") {
				t.Errorf("stderr %q does not start with train: ", r.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, filepath.Join(data, "")) || !strings.Contains(r.stderr, w) {
					t.Errorf("stderr %q lacks the data folder %s or %q", r.stderr, data, w)
				}
			}
			checkUnchanged(t, dir, before)
		})
	}
}

// started runs bin with args and returns it with a channel of its stdout
// lines, closed at the end of the output.
func started(t *testing.T, bin string, args ...string) (*exec.Cmd, <-chan string, *strings.Builder) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := make(chan string, 16)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		io.Copy(io.Discard, stdout)
	}()
	return cmd, lines, &stderr
}

// waitLine reads lines until one starts with prefix and returns it.
func waitLine(t *testing.T, lines <-chan string, prefix string) string {
	t.Helper()
	timeout := time.After(2 * time.Minute)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("output ended before a line starting %q", prefix)
			}
			if strings.HasPrefix(l, prefix) {
				return l
			}
		case <-timeout:
			t.Fatalf("no line starting %q within 2 minutes", prefix)
		}
	}
}

// waitTempFile polls dir until a temporary file of atomicfile appears in it,
// the sign of a checkpoint being written, and reports whether it saw one.
func waitTempFile(dir string, within time.Duration) bool {
	for end := time.Now().Add(within); time.Now().Before(end); {
		des, _ := os.ReadDir(dir)
		for _, de := range des {
			if strings.Contains(de.Name(), ".tmp") {
				return true
			}
		}
		time.Sleep(200 * time.Microsecond)
	}
	return false
}

// epochTime reads the duration of an epoch from its line in the output,
// so that a signal meant for the middle of the next epoch lands there on a
// fast machine or a busy one.
func epochTime(t *testing.T, line string) time.Duration {
	t.Helper()
	_, after, ok := strings.Cut(line, " epoch_s ")
	d, err := time.ParseDuration(strings.TrimSpace(after) + "s")
	if !ok || err != nil {
		t.Fatalf("no epoch_s in %q", line)
	}
	return d
}

// params loads the weights at path.
func params(t *testing.T, path string) []model.Param {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, _, err := model.Load(b)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m.Params()
}

func sameParams(t *testing.T, got, want []model.Param) {
	t.Helper()
	for i := range want {
		for j := range want[i].Data {
			if got[i].Data[j] != want[i].Data[j] {
				t.Fatalf("%s[%d]: resumed %v, uninterrupted %v", want[i].Name, j, got[i].Data[j], want[i].Data[j])
			}
		}
	}
}

// TestInterruptThenResume sends Ctrl-C (SIGINT) to the command at several
// moments of a two-epoch run. Each time it must exit with status 130 and a
// loadable checkpoint, and -resume from that checkpoint must reach bit for
// bit the weights of an uninterrupted run with the same seed.
func TestInterruptThenResume(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for a few seconds")
	}
	// Four epochs, though the moments below all fall in the first two: a
	// signal meant for mid-epoch 2 that arrives late, on a machine whose load
	// changed, still lands mid-run instead of after the run has finished.
	const interruptEpochs = "4"
	bin := buildTrain(t)
	data := smallMNIST().write(t)
	ref := filepath.Join(t.TempDir(), "vae.safetensors")
	if r := runCommand(t, bin, "-data", data, "-epochs", interruptEpochs, "-seed", "7", "-quiet", "-out", ref); r.code != 0 {
		t.Fatalf("uninterrupted run: exit %d: %s", r.code, r.stderr)
	}
	want := params(t, ref)

	moments := []struct {
		name string
		// when returns once the moment has come; dir is the output folder.
		when func(t *testing.T, lines <-chan string, dir string)
		// signals is how many times Ctrl-C is pressed.
		signals int
	}{
		{"during epoch 1", func(t *testing.T, lines <-chan string, dir string) {
			waitLine(t, lines, "training ")
			time.Sleep(150 * time.Millisecond)
		}, 1},
		{"right after epoch 1", func(t *testing.T, lines <-chan string, dir string) {
			waitLine(t, lines, "epoch 1 ")
		}, 1},
		{"while the checkpoint is written", func(t *testing.T, lines <-chan string, dir string) {
			if !waitTempFile(dir, time.Minute) {
				t.Log("never saw the checkpoint's temporary file; interrupting anyway")
			}
		}, 1},
		{"during epoch 2", func(t *testing.T, lines <-chan string, dir string) {
			time.Sleep(epochTime(t, waitLine(t, lines, "epoch 1 ")) / 2)
		}, 1},
		{"twice during epoch 2", func(t *testing.T, lines <-chan string, dir string) {
			time.Sleep(epochTime(t, waitLine(t, lines, "epoch 1 ")) / 3)
		}, 2},
	}
	for _, mo := range moments {
		t.Run(mo.name, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "vae.safetensors")
			cmd, lines, stderr := started(t, bin, "-data", data, "-epochs", interruptEpochs, "-seed", "7", "-quiet", "-out", out)
			mo.when(t, lines, dir)
			for range mo.signals {
				if err := cmd.Process.Signal(os.Interrupt); err != nil {
					t.Fatal(err)
				}
			}
			for range lines {
			}
			cmd.Wait()
			t.Logf("stderr: %s", strings.TrimSpace(stderr.String()))
			if code := cmd.ProcessState.ExitCode(); code != 130 {
				t.Fatalf("exit status %d, want 130; stderr: %s", code, stderr)
			}
			if !strings.Contains(stderr.String(), "train: interrupted: checkpoint at epoch") ||
				!strings.Contains(stderr.String(), "continue with -resume "+checkpointPath(out)) {
				t.Errorf("stderr %q does not say where the checkpoint is", stderr)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("interrupted run wrote the final weights %s", out)
			}
			s, err := loadCheckpoint(checkpointPath(out))
			if err != nil {
				t.Fatalf("checkpoint after Ctrl-C: %v", err)
			}
			t.Logf("stopped after epoch %d batch %d", s.Epoch, s.Batch)
			for name := range snapshot(t, dir) {
				if strings.Contains(name, ".tmp") {
					t.Errorf("temporary file %s left behind", name)
				}
			}

			r := runCommand(t, bin, "-data", data, "-epochs", interruptEpochs, "-quiet", "-out", out, "-resume", checkpointPath(out))
			if r.code != 0 {
				t.Fatalf("resume: exit %d: %s", r.code, r.stderr)
			}
			sameParams(t, params(t, out), want)
		})
	}
}

// TestKillLeavesCheckpointLoadable kills the command outright (SIGKILL, as a
// power cut or the OOM killer would) at moments spread over a run: whatever
// checkpoint exists afterwards must load.
func TestKillLeavesCheckpointLoadable(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for a few seconds")
	}
	bin := buildTrain(t)
	data := smallMNIST().write(t)
	for _, after := range []time.Duration{200 * time.Millisecond, 700 * time.Millisecond, 1100 * time.Millisecond, 1500 * time.Millisecond} {
		t.Run(after.String(), func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "vae.safetensors")
			cmd, lines, _ := started(t, bin, "-data", data, "-epochs", "3", "-quiet", "-out", out)
			waitLine(t, lines, "training ")
			time.Sleep(after)
			cmd.Process.Signal(syscall.SIGKILL)
			for range lines {
			}
			cmd.Wait()
			s, err := loadCheckpoint(checkpointPath(out))
			switch {
			case errors.Is(err, os.ErrNotExist):
				t.Log("killed before the first checkpoint")
			case err != nil:
				t.Fatalf("checkpoint after SIGKILL: %v", err)
			default:
				t.Logf("checkpoint after epoch %d batch %d", s.Epoch, s.Batch)
			}
			if _, err := os.Stat(out); err == nil {
				params(t, out) // a kill after the end must leave whole weights
			}
		})
	}
}

// TestDivergence trains with a learning rate so high that the loss becomes
// NaN within the first epoch: the command must say so and write no weights
// over the earlier run's.
func TestDivergence(t *testing.T) {
	bin := buildTrain(t)
	data := smallMNIST().write(t)
	dir, out := previousRun(t, bin, data)
	before := snapshot(t, dir)
	r := runCommand(t, bin, "-data", data, "-epochs", "2", "-lr", "1e6", "-quiet", "-out", out)
	t.Logf("exit %d, stderr: %s", r.code, strings.TrimSpace(r.stderr))
	if r.code != 1 {
		t.Errorf("exit status %d, want 1", r.code)
	}
	want := fmt.Sprintf("loss is NaN; stopped without writing %s; last good checkpoint: none (no epoch finished) (try a lower -lr)", out)
	if !strings.Contains(r.stderr, want) {
		t.Errorf("stderr %q lacks %q", r.stderr, want)
	}
	checkUnchanged(t, dir, before)
}

// TestFullDisk runs the command with its output on a small tmpfs that fills
// up, once while writing the second epoch's checkpoint and once while
// writing the final weights: the command must fail naming the file, and
// leave the last checkpoint loadable, the earlier weights as they were and
// no half-written file. Mounting needs root; elsewhere the test is skipped.
func TestFullDisk(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for a few seconds")
	}
	bin := buildTrain(t)
	data := smallMNIST().write(t)
	_, prev := previousRun(t, bin, data)
	prevWeights, err := os.ReadFile(prev)
	if err != nil {
		t.Fatal(err)
	}
	// A checkpoint of the default model (float32 weights and Adam's two
	// moments) takes 7.8 MB and the weights 2.6 MB: 12 MiB (12.6 MB) hold
	// the earlier weights and one checkpoint, but not a second checkpoint
	// or new weights beside them.
	for _, tt := range []struct {
		name      string
		epochs    string
		failing   string // the file whose write fails
		wantEpoch int    // epochs in the checkpoint left behind
	}{
		{"second checkpoint", "2", "vae.ckpt.safetensors", 1},
		{"final weights", "1", "vae.safetensors", 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			disk := t.TempDir()
			if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", disk).CombinedOutput(); err != nil {
				t.Skipf("cannot mount a tmpfs to fill (needs root): %v: %s", err, out)
			}
			t.Cleanup(func() { exec.Command("umount", disk).Run() })
			out := filepath.Join(disk, "vae.safetensors")
			if err := os.WriteFile(out, prevWeights, 0o644); err != nil {
				t.Fatal(err)
			}
			r := runCommand(t, bin, "-data", data, "-epochs", tt.epochs, "-quiet", "-out", out)
			t.Logf("exit %d, stderr: %s", r.code, strings.TrimSpace(r.stderr))
			if r.code != 1 {
				t.Errorf("exit status %d, want 1", r.code)
			}
			want := "train: write " + filepath.Join(disk, tt.failing) + ": "
			if !strings.HasPrefix(r.stderr, want) || !strings.Contains(r.stderr, "no space left on device") {
				t.Errorf("stderr %q, want it to start %q and say no space left on device", r.stderr, want)
			}
			got, err := os.ReadFile(out)
			if err != nil || string(got) != string(prevWeights) {
				t.Errorf("the earlier weights were not kept (read error %v)", err)
			}
			s, err := loadCheckpoint(checkpointPath(out))
			if err != nil {
				t.Fatalf("checkpoint after the failed write: %v", err)
			}
			if s.Epoch != tt.wantEpoch {
				t.Errorf("checkpoint holds %d epochs, want %d", s.Epoch, tt.wantEpoch)
			}
			for name := range snapshot(t, disk) {
				if strings.Contains(name, ".tmp") {
					t.Errorf("half-written %s left behind", name)
				}
			}
		})
	}
}

// TestOutputUnderAFile gives an output path whose folder is a file, which
// no permission bits can make writable, not even root's.
func TestOutputUnderAFile(t *testing.T) {
	bin := buildTrain(t)
	data := smallMNIST().write(t)
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCommand(t, bin, "-data", data, "-epochs", "1", "-quiet", "-out", filepath.Join(file, "vae.safetensors"))
	t.Logf("exit %d, stderr: %s", r.code, strings.TrimSpace(r.stderr))
	if r.code != 1 || !strings.Contains(r.stderr, "output folder") || !strings.Contains(r.stderr, "not a directory") {
		t.Errorf("exit %d, stderr %q: want 1 and an output folder error", r.code, r.stderr)
	}
}
