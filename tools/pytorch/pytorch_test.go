package pytorch

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"go/doc/comment"
	"go/parser"
	"go/token"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"vaeplay/model"
	"vaeplay/model/safetensors"
	"vaeplay/tools/internal/mnist"
)

// images is how many MNIST test images each model encodes and decodes.
const images = 16

// tolerance bounds the difference between PyTorch's value p and the Go
// model's value g of each output: |p - g| <= tolerance * max(1, |g|), and
// for the loss |p - g| <= tolerance * |g|.
//
// Both sides read the same float32 inputs and parameters, so the difference
// is PyTorch's float32 arithmetic against Go's float64 (exact by
// comparison). A float32 dot product of K terms is off by at most K·u of
// Σ|w·x| (u = 2⁻²⁴), and typically by √K·u, as the roundings go up as often
// as down: for K = 794, 1.7e-6 of Σ|w·x| per layer, over three to five
// layers and the sigmoid. The outputs are of order one (pixel means in
// [0, 1], mu and logvar within ±10), so 1e-4 sits well above float32's
// typical error (the largest measured on the shipped files is 9e-7) and at
// its worst case for one layer, while a mistake in the module moves the
// outputs far more: the label put before the image instead of after it
// moves mu by 1, a ReLU leaking 1e-3 by 1e-2, 1e-3 added to the output
// logits by 2e-4. The loss sums 16×784 pixel terms, each rounded as the
// pixels are, so it gets the same tolerance relative to its size (largest
// measured 1e-7).
const tolerance = 1e-4

// TestPyTorch runs the Python block of model/doc.go on every shipped VAE and
// CVAE in weights/, in the precisions a file may take, and on the site's
// half-precision files when the site is built, and compares what it computes
// on real MNIST test digits with the Go model.
func TestPyTorch(t *testing.T) {
	py := python(t)
	root := moduleRoot(t)
	x, labels := testImages(t, root)
	files := weightsFiles(t, root)
	dir := t.TempDir()
	writeModule(t, root, dir)

	inputs := filepath.Join(dir, "inputs.safetensors")
	if err := writeInputs(inputs, x, labels); err != nil {
		t.Fatal(err)
	}
	type run struct {
		Weights string `json:"weights"` // the file to load
		Out     string `json:"out"`     // where to write mu, logvar, recon and loss
		Saved   string `json:"saved"`   // where to save the loaded module
	}
	var runs []run
	for i, f := range files {
		r := run{
			Weights: filepath.Join(dir, fmt.Sprintf("weights%d.safetensors", i)),
			Out:     filepath.Join(dir, fmt.Sprintf("out%d.safetensors", i)),
			Saved:   filepath.Join(dir, fmt.Sprintf("saved%d.safetensors", i)),
		}
		if err := os.WriteFile(r.Weights, f.data, 0o644); err != nil {
			t.Fatal(err)
		}
		runs = append(runs, r)
	}
	job, err := json.Marshal(map[string]any{"module": dir, "inputs": inputs, "runs": runs})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), py, filepath.Join(root, "tools", "pytorch", "testdata", "compare.py"))
	cmd.Stdin = bytes.NewReader(job)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s testdata/compare.py: %v\n%s", py, err, stderr.Bytes())
	}
	// One JSON object per run, in order: {} or {"error": a traceback}.
	type result struct {
		Error string `json:"error"`
	}
	var results []result
	for dec := json.NewDecoder(bytes.NewReader(out)); dec.More(); {
		var r result
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("compare.py printed %q: %v", out, err)
		}
		results = append(results, r)
	}
	if len(results) != len(runs) {
		t.Fatalf("compare.py reported on %d of %d files\n%s", len(results), len(runs), stderr.Bytes())
	}

	for i, f := range files {
		t.Run(f.name, func(t *testing.T) {
			if e := results[i].Error; e != "" {
				t.Fatalf("PyTorch: %s", e)
			}
			want, err := goOutputs(f.data, x, labels)
			if err != nil {
				t.Fatalf("Go: %v", err)
			}
			got, err := readOutputs(runs[i].Out)
			if err != nil {
				t.Fatal(err)
			}
			compare(t, got, want)

			// The file PyTorch saved must load here and hold exactly the
			// parameters it loaded: float32 holds F16, BF16 and float32
			// values exactly, so not one output may change.
			saved, err := os.ReadFile(runs[i].Saved)
			if err != nil {
				t.Fatal(err)
			}
			again, err := goOutputs(saved, x, labels)
			if err != nil {
				t.Fatalf("the file PyTorch saved: %v", err)
			}
			if !same(again, want) {
				t.Errorf("the file PyTorch saved computes other outputs than the file it loaded")
			}
		})
	}
}

// TestDocExample runs the Python block of model/doc.go as a script, as a
// reader would, in a folder holding weights/: its example must run, and the
// file it saves must load here and compute what one of the shipped files
// computes.
func TestDocExample(t *testing.T) {
	py := python(t)
	root := moduleRoot(t)
	x, labels := testImages(t, root)
	dir := t.TempDir()
	script := writeModule(t, root, dir)
	if err := os.Symlink(filepath.Join(root, "weights"), filepath.Join(dir, "weights")); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), py, script)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", py, script, err, out)
	}
	t.Logf("the example printed: %s", bytes.TrimSpace(out))

	saved, err := os.ReadFile(filepath.Join(dir, "mine.safetensors"))
	if err != nil {
		t.Fatalf("the example saved no file: %v", err)
	}
	got, err := goOutputs(saved, x, labels)
	if err != nil {
		t.Fatalf("the file the example saved: %v", err)
	}
	for _, f := range shippedFiles(t, root) {
		if want, err := goOutputs(f.data, x, labels); err == nil && same(got, want) {
			t.Logf("mine.safetensors computes what %s computes", f.name)
			return
		}
	}
	t.Errorf("mine.safetensors computes what none of the shipped files computes")
}

// outputs are what each side computes for a batch of images.
type outputs struct {
	mu, logVar []float64 // of q(z|x[,y]), [n, Latent] row-major
	recon      []float64 // the decoder's output at z = mu, [n, Input]
	loss       float64   // the loss at z = mu, summed over the batch
}

// goOutputs loads weights with package model and computes outputs for the
// images in x (row-major, the float32 values PyTorch is given) with their
// labels. It holds the test's every call into model's computing API, so
// that a change of model's matrix type is an edit here alone.
func goOutputs(weights []byte, x []float32, labels []int) (outputs, error) {
	m, _, err := model.Load(weights)
	if err != nil {
		return outputs{}, err
	}
	n := len(labels)
	xm := model.NewMatrix(n, len(x)/n, x)
	if !m.Config.Conditional() {
		labels = nil
	}
	mu, logVar := m.Encode(xm, labels)
	recon := m.Decode(mu, labels)
	loss := m.Evaluate(xm, labels, model.NewMatrix(n, m.Config.Latent, nil)) // no noise: z = mu
	return outputs{
		mu:     widen(mu.Data),
		logVar: widen(logVar.Data),
		recon:  widen(recon.Data),
		loss:   loss.Total,
	}, nil
}

// widen returns xs as float64, as the comparisons take them.
func widen(xs []float32) []float64 {
	out := make([]float64, len(xs))
	for i, v := range xs {
		out[i] = float64(v)
	}
	return out
}

// readOutputs reads the outputs compare.py wrote for one weights file.
func readOutputs(path string) (outputs, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return outputs{}, err
	}
	tensors, _, err := safetensors.Read(data)
	if err != nil {
		return outputs{}, fmt.Errorf("%s: %w", path, err)
	}
	byName := map[string][]float64{}
	for _, t := range tensors {
		byName[t.Name] = t.Data
	}
	o := outputs{mu: byName["mu"], logVar: byName["logvar"], recon: byName["recon"]}
	if loss := byName["loss"]; len(loss) == 1 {
		o.loss = loss[0]
	} else {
		return outputs{}, fmt.Errorf("%s: loss has %d values, want 1", path, len(loss))
	}
	return o, nil
}

// compare checks PyTorch's outputs against the Go model's, element by
// element, within tolerance, and logs the largest differences.
func compare(t *testing.T, torch, gonum outputs) {
	t.Helper()
	var report []string
	for _, c := range []struct {
		name       string
		torch, got []float64
		scale      func(g float64) float64 // what a difference is relative to
	}{
		{"mu", torch.mu, gonum.mu, orderOne},
		{"logvar", torch.logVar, gonum.logVar, orderOne},
		{"recon", torch.recon, gonum.recon, orderOne},
		{"loss", []float64{torch.loss}, []float64{gonum.loss}, math.Abs},
	} {
		if len(c.torch) != len(c.got) {
			t.Errorf("%s: PyTorch computed %d values, Go %d", c.name, len(c.torch), len(c.got))
			continue
		}
		const show = 3 // failures listed per output; a wrong module fails them all
		var largest, scaled float64
		var failed int
		for i, g := range c.got {
			p := c.torch[i]
			d := math.Abs(p - g)
			s := d / c.scale(g)
			if !(s <= tolerance) { // NaN fails too
				if failed++; failed <= show {
					t.Errorf("%s %s: PyTorch %.9g, Go %.9g: difference %.3g, beyond %g", c.name, element(i, len(c.got)), p, g, d, tolerance)
				}
			}
			largest, scaled = math.Max(largest, d), math.Max(scaled, s)
		}
		if failed > show {
			t.Errorf("%s: %d more of %d values beyond %g", c.name, failed-show, len(c.got), tolerance)
		}
		report = append(report, fmt.Sprintf("%s %.2g (scaled %.2g)", c.name, largest, scaled))
	}
	t.Logf("largest differences: %s", strings.Join(report, ", "))
}

// orderOne is the scale of a difference in a value g of order one at most:
// absolute below 1, relative above.
func orderOne(g float64) float64 { return math.Max(1, math.Abs(g)) }

// element names element i of an output of n values, one row per image.
func element(i, n int) string {
	if n < images {
		return ""
	}
	cols := n / images
	return fmt.Sprintf("of image %d, element %d", i/cols, i%cols)
}

// same reports whether a and b are identical to the last bit.
func same(a, b outputs) bool {
	return slices.Equal(a.mu, b.mu) && slices.Equal(a.logVar, b.logVar) &&
		slices.Equal(a.recon, b.recon) && a.loss == b.loss
}

// weightsFile is one file for the module to load.
type weightsFile struct {
	name string // the subtest's name: "vae", "vae/F16", "site/vae"
	data []byte
}

// weightsFiles returns the shipped files, each as it is and in the other
// forms a file may take: F16 as tools/halve writes it for the site
// (model.SaveHalf), BF16, F64 as checkpoints hold parameters, and with a
// config asking for the Gaussian likelihood and beta 0.5, the loss's other
// branch. It adds the site's own files when the site is built
// ($VAEPLAY_SITE, by default build/site).
func weightsFiles(t *testing.T, root string) []weightsFile {
	t.Helper()
	forms := []struct {
		suffix string
		form   func([]byte) ([]byte, error)
	}{
		{"", func(data []byte) ([]byte, error) { return data, nil }},
		{"/F16", halve},
		{"/BF16", func(data []byte) ([]byte, error) { return retype(data, safetensors.BF16) }},
		{"/F64", func(data []byte) ([]byte, error) { return retype(data, safetensors.F64) }},
		{"/gaussian", gaussian},
	}
	var files []weightsFile
	for _, f := range shippedFiles(t, root) {
		for _, form := range forms {
			data, err := form.form(f.data)
			if err != nil {
				t.Fatalf("%s%s: %v", f.name, form.suffix, err)
			}
			files = append(files, weightsFile{f.name + form.suffix, data})
		}
	}

	site := cmp.Or(os.Getenv("VAEPLAY_SITE"), "build/site")
	if !filepath.IsAbs(site) {
		site = filepath.Join(root, site)
	}
	site = filepath.Join(site, "weights")
	paths, err := filepath.Glob(filepath.Join(site, "*.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Logf("no site weights in %s (make site): the half-precision files are model.SaveHalf's alone", site)
	}
	for _, f := range vaeFiles(t, paths) {
		files = append(files, weightsFile{"site/" + f.name, f.data})
	}
	return files
}

// shippedFiles returns every VAE and CVAE in weights/.
func shippedFiles(t *testing.T, root string) []weightsFile {
	t.Helper()
	dir := filepath.Join(root, "weights")
	paths, err := filepath.Glob(filepath.Join(dir, "*.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	files := vaeFiles(t, paths)
	if len(files) == 0 {
		t.Fatalf("no VAE or CVAE in %s", dir)
	}
	return files
}

// vaeFiles reads the files at paths that hold a VAE or CVAE, named by their
// base names without the extension.
func vaeFiles(t *testing.T, paths []string) []weightsFile {
	t.Helper()
	var files []weightsFile
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if isVAE(t, p, data) {
			files = append(files, weightsFile{strings.TrimSuffix(filepath.Base(p), ".safetensors"), data})
		}
	}
	return files
}

// isVAE reports whether the safetensors file holds a VAE or CVAE rather
// than, say, the digit classifier, which has a format of its own.
func isVAE(t *testing.T, path string, data []byte) bool {
	t.Helper()
	_, meta, err := safetensors.Read(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return meta[model.FormatKey] == model.Format
}

// halve returns the file in half precision, as tools/halve writes it.
func halve(data []byte) ([]byte, error) {
	m, meta, err := model.Load(data)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := model.SaveHalf(&buf, m, meta); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// retype returns the file with every tensor stored as dtype, rounded to
// nearest, and the same metadata.
func retype(data []byte, dtype safetensors.DType) ([]byte, error) {
	tensors, meta, err := safetensors.Read(data)
	if err != nil {
		return nil, err
	}
	for i := range tensors {
		tensors[i].DType = dtype
	}
	var buf bytes.Buffer
	if err := safetensors.Write(&buf, tensors, meta); err != nil {
		return nil, fmt.Errorf("writing %s: %w", dtype, err)
	}
	return buf.Bytes(), nil
}

// gaussian returns the file with its config's likelihood set to
// "gaussian" and its beta to 0.5, parameters unchanged.
func gaussian(data []byte) ([]byte, error) {
	tensors, meta, err := safetensors.Read(data)
	if err != nil {
		return nil, err
	}
	var cfg map[string]any
	if err := json.Unmarshal([]byte(meta[model.ConfigKey]), &cfg); err != nil {
		return nil, fmt.Errorf("metadata %q: %w", model.ConfigKey, err)
	}
	cfg["likelihood"], cfg["beta"] = model.Gaussian, 0.5
	b, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	meta[model.ConfigKey] = string(b)
	var buf bytes.Buffer
	if err := safetensors.Write(&buf, tensors, meta); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// docPython returns the Python block of model's package documentation: the
// code block of model/doc.go that defines class VAE.
func docPython(path string) (string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		return "", err
	}
	if f.Doc == nil {
		return "", fmt.Errorf("%s has no package documentation", path)
	}
	var blocks []string
	for _, b := range new(comment.Parser).Parse(f.Doc.Text()).Content {
		if c, ok := b.(*comment.Code); ok && strings.Contains(c.Text, "class VAE(nn.Module)") {
			blocks = append(blocks, c.Text)
		}
	}
	if len(blocks) != 1 {
		return "", fmt.Errorf("%s: %d code blocks define class VAE(nn.Module), want 1", path, len(blocks))
	}
	return blocks[0], nil
}

// writeModule writes the Python block of model/doc.go to dir/vaeplay.py
// and returns that path.
func writeModule(t *testing.T, root, dir string) string {
	t.Helper()
	code, err := docPython(filepath.Join(root, "model", "doc.go"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "vaeplay.py")
	if err := os.WriteFile(path, []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeInputs writes the images x (float32, row-major) and their labels as
// a safetensors file for compare.py: "x" [n, pixels] and "y" [n], both F32,
// which holds every label exactly.
func writeInputs(path string, x []float32, labels []int) error {
	n := len(labels)
	xs := make([]float64, len(x))
	for i, v := range x {
		xs[i] = float64(v)
	}
	ys := make([]float64, n)
	for i, l := range labels {
		ys[i] = float64(l)
	}
	var buf bytes.Buffer
	err := safetensors.Write(&buf, []safetensors.Tensor{
		{Name: "x", DType: safetensors.F32, Shape: []int{n, len(x) / n}, Data: xs},
		{Name: "y", DType: safetensors.F32, Shape: []int{n}, Data: ys},
	}, nil)
	if err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// testImages returns the first images of the MNIST test set as float32, the
// precision PyTorch takes them in, and their labels.
func testImages(t *testing.T, root string) ([]float32, []int) {
	t.Helper()
	dir := filepath.Join(root, ".cache", "mnist")
	if _, err := os.Stat(filepath.Join(dir, "t10k-images-idx3-ubyte")); err != nil {
		need(t, "MNIST missing in %s (make data)", dir)
	}
	set, err := mnist.Load(dir, mnist.Test)
	if err != nil {
		t.Fatal(err)
	}
	p := set.Pixels()
	x := make([]float32, images*p)
	for i, v := range set.Images[:images*p] {
		x[i] = float32(v)
	}
	return x, set.Labels[:images]
}

// python returns the Python to run the module with: $VAEPLAY_PYTHON, by
// default Debian's /usr/bin/python3, which python3-torch installs torch for
// (a python3 that a version manager puts first on PATH does not have it).
func python(t *testing.T) string {
	t.Helper()
	py := cmp.Or(os.Getenv("VAEPLAY_PYTHON"), "/usr/bin/python3")
	if out, err := exec.Command(py, "-c", "import torch, numpy").CombinedOutput(); err != nil {
		need(t, "%s cannot import torch and numpy (make torch installs Debian's python3-torch): %v\n%s", py, err, out)
	}
	return py
}

// need stops the test when something it depends on is missing: a skip on a
// developer's machine, a failure under CI, where a skipped test would hide
// that the module was never run.
func need(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true: "+format, args...)
	}
	t.Skipf(format, args...)
}

// moduleRoot is the folder holding go.mod, found upward from the test's
// working directory (the package folder).
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's folder")
		}
		dir = parent
	}
}
