package mnist

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// idxFile builds an IDX file of unsigned bytes.
func idxFile(dims []uint32, data []byte) []byte {
	b := []byte{0, 0, 0x08, byte(len(dims))}
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return append(b, data...)
}

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// writeFiles writes name -> content into a new temporary directory.
func writeFiles(t *testing.T, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// Three 2x3 images whose pixels are 0, 51, ..., and labels 7, 0, 9.
var (
	pixels = []byte{
		0, 51, 102, 153, 204, 255,
		255, 255, 255, 0, 0, 0,
		1, 2, 3, 4, 5, 6,
	}
	images = idxFile([]uint32{3, 2, 3}, pixels)
	labels = idxFile([]uint32{3}, []byte{7, 0, 9})
)

func TestLoad(t *testing.T) {
	tests := []struct {
		name  string
		files map[string][]byte
		split Split
	}{
		{"train plain", map[string][]byte{"train-images-idx3-ubyte": images, "train-labels-idx1-ubyte": labels}, Train},
		{"test plain", map[string][]byte{"t10k-images-idx3-ubyte": images, "t10k-labels-idx1-ubyte": labels}, Test},
		{"test mixed", map[string][]byte{"t10k-images-idx3-ubyte": images, "t10k-labels-idx1-ubyte.gz": gzipped(t, labels)}, Test},
		{"train gzipped", map[string][]byte{"train-images-idx3-ubyte.gz": gzipped(t, images), "train-labels-idx1-ubyte.gz": gzipped(t, labels)}, Train},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Load(writeFiles(t, tt.files), tt.split)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if s.N != 3 || s.Rows != 2 || s.Cols != 3 || s.Pixels() != 6 {
				t.Fatalf("N, Rows, Cols, Pixels = %d, %d, %d, %d, want 3, 2, 3, 6", s.N, s.Rows, s.Cols, s.Pixels())
			}
			if !slices.Equal(s.Labels, []int{7, 0, 9}) {
				t.Errorf("labels %v, want [7 0 9]", s.Labels)
			}
			if len(s.Images) != len(pixels) {
				t.Fatalf("%d pixels, want %d", len(s.Images), len(pixels))
			}
			for i, p := range pixels {
				if want := float32(p) / 255; s.Images[i] != want {
					t.Errorf("pixel %d = %v, want %v", i, s.Images[i], want)
				}
			}
			if got := s.Image(1); !slices.Equal(got, []float32{1, 1, 1, 0, 0, 0}) {
				t.Errorf("Image(1) = %v", got)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	const (
		trImg = "train-images-idx3-ubyte"
		trLbl = "train-labels-idx1-ubyte"
	)
	tests := []struct {
		name    string
		files   map[string][]byte
		split   Split
		wantErr []string // substrings that must all appear
	}{
		{"no files", nil, Train, []string{"neither", trImg, trImg + ".gz", "make data"}},
		{"no labels", map[string][]byte{trImg: images}, Train, []string{"neither", trLbl}},
		{"test files missing", map[string][]byte{trImg: images, trLbl: labels}, Test, []string{"t10k-images-idx3-ubyte"}},
		{"both plain and gz", map[string][]byte{trImg: images, trImg + ".gz": gzipped(t, images), trLbl: labels}, Train, []string{"both", trImg + ".gz"}},
		{"count mismatch", map[string][]byte{trImg: images, trLbl: idxFile([]uint32{2}, []byte{1, 2})}, Train,
			[]string{trImg + " has 3 images but ", trLbl + " has 2 labels"}},
		{"label out of range", map[string][]byte{trImg: images, trLbl: idxFile([]uint32{3}, []byte{1, 10, 2})}, Train,
			[]string{trLbl, "label 10 of image 1 is outside 0..9"}},
		{"images 2-D", map[string][]byte{trImg: idxFile([]uint32{3, 6}, pixels), trLbl: labels}, Train,
			[]string{trImg, "2 dimensions, want 3"}},
		{"labels 2-D", map[string][]byte{trImg: images, trLbl: idxFile([]uint32{3, 1}, []byte{1, 2, 3})}, Train,
			[]string{trLbl, "2 dimensions, want 1"}},
		{"empty set", map[string][]byte{trImg: idxFile([]uint32{0, 28, 28}, nil), trLbl: idxFile([]uint32{0}, nil)}, Train,
			[]string{trImg, "no pixels"}},
		{"truncated images", map[string][]byte{trImg: images[:20], trLbl: labels}, Train,
			[]string{trImg, "truncated"}},
		{"labels are images", map[string][]byte{trImg: images, trLbl: images}, Train,
			[]string{trLbl, "3 dimensions, want 1"}},
		{"bad split", map[string][]byte{trImg: images, trLbl: labels}, Split(7), []string{"unknown split Split(7)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Load(writeFiles(t, tt.files), tt.split)
			if err == nil {
				t.Fatalf("Load succeeded with %d images, want an error", s.N)
			}
			for _, want := range tt.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}

func TestBatch(t *testing.T) {
	s, err := Load(writeFiles(t, map[string][]byte{"train-images-idx3-ubyte": images, "train-labels-idx1-ubyte": labels}), Train)
	if err != nil {
		t.Fatal(err)
	}
	x, y := s.Batch([]int{2, 0, 2})
	if r, c := x.Rows, x.Cols; r != 3 || c != 6 {
		t.Fatalf("batch is %dx%d, want 3x6", r, c)
	}
	if !slices.Equal(y, []int{9, 7, 9}) {
		t.Errorf("labels %v, want [9 7 9]", y)
	}
	for r, i := range []int{2, 0, 2} {
		if got, want := x.Row(r), s.Image(i); !slices.Equal(got, want) {
			t.Errorf("row %d = %v, want image %d = %v", r, got, i, want)
		}
	}
	// The batch is a copy: the trainer may scribble on it.
	x.Row(0)[0] = -1
	y[0] = -1
	if s.Image(2)[0] == -1 || s.Labels[2] == -1 {
		t.Error("Batch shares memory with the set")
	}

	for _, bad := range [][]int{nil, {3}, {-1}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Batch(%v) did not panic", bad)
				}
			}()
			s.Batch(bad)
		}()
	}
}

// realData returns dir if it holds the files of split, skips the test if
// not, or fails it when CI=true: CI runs `make data` first, so missing data
// there is a broken build, not an absent optional.
func realData(t *testing.T, dir string, split Split, ci bool) string {
	t.Helper()
	img, lbl, err := split.files()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{img, lbl} {
		if _, err := find(dir, name); err != nil {
			if ci && os.Getenv("CI") == "true" {
				t.Fatalf("CI=true but data is missing: %v", err)
			}
			t.Skipf("no data: %v", err)
		}
	}
	return dir
}

func TestRealMNIST(t *testing.T) {
	tests := []struct {
		split     Split
		n         int
		first     []int
		counts    [Classes]int
		meanPixel float64 // the well-known normalisation constants
	}{
		{Train, 60000, []int{5, 0, 4, 1, 9, 2, 1, 3, 1, 4},
			[Classes]int{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}, 0.1307},
		{Test, 10000, []int{7, 2, 1, 0, 4, 1, 4, 9, 5, 9},
			[Classes]int{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}, 0.1325},
	}
	for _, tt := range tests {
		t.Run(tt.split.String(), func(t *testing.T) {
			dir := realData(t, filepath.Join("..", "..", "..", ".cache", "mnist"), tt.split, true)
			s, err := Load(dir, tt.split)
			if err != nil {
				t.Fatal(err)
			}
			checkReal(t, s, tt.n, tt.counts)
			if !slices.Equal(s.Labels[:len(tt.first)], tt.first) {
				t.Errorf("first labels %v, want %v", s.Labels[:len(tt.first)], tt.first)
			}
			if m := mean(s.Images); math.Abs(m-tt.meanPixel) > 5e-5 {
				t.Errorf("mean pixel %.5f, want %.4f", m, tt.meanPixel)
			}
		})
	}
}

// TestRealFashionMNIST loads Debian's gzipped Fashion-MNIST in place, when
// the dataset-fashion-mnist package is installed.
func TestRealFashionMNIST(t *testing.T) {
	for _, tt := range []struct {
		split Split
		n     int
	}{{Train, 60000}, {Test, 10000}} {
		t.Run(tt.split.String(), func(t *testing.T) {
			dir := realData(t, "/usr/share/datasets/fashion-mnist", tt.split, false)
			s, err := Load(dir, tt.split)
			if err != nil {
				t.Fatal(err)
			}
			var counts [Classes]int
			for i := range counts {
				counts[i] = tt.n / Classes // Fashion-MNIST is balanced.
			}
			checkReal(t, s, tt.n, counts)
		})
	}
}

func checkReal(t *testing.T, s *Set, n int, counts [Classes]int) {
	t.Helper()
	if s.N != n || s.Rows != 28 || s.Cols != 28 || len(s.Images) != n*784 || len(s.Labels) != n {
		t.Fatalf("N=%d %dx%d, %d pixels, %d labels; want %d 28x28", s.N, s.Rows, s.Cols, len(s.Images), len(s.Labels), n)
	}
	var got [Classes]int
	for _, l := range s.Labels {
		got[l]++
	}
	if got != counts {
		t.Errorf("label counts %v, want %v", got, counts)
	}
	lo, hi := slices.Min(s.Images), slices.Max(s.Images)
	if lo != 0 || hi != 1 {
		t.Errorf("pixels span [%v, %v], want [0, 1]", lo, hi)
	}
}

func mean(x []float32) float64 {
	var sum float64
	for _, v := range x {
		sum += float64(v)
	}
	return sum / float64(len(x))
}

func TestClassNames(t *testing.T) {
	for _, tc := range []struct {
		dataset      string
		first, fifth string
		wantErr      bool
	}{
		{MNIST, "0", "4", false},
		{FashionMNIST, "T-shirt/top", "Coat", false},
		{"cifar", "", "", true},
		{"", "", "", true},
	} {
		names, err := ClassNames(tc.dataset)
		if tc.wantErr {
			if err == nil || !strings.Contains(err.Error(), "unknown data set") {
				t.Errorf("ClassNames(%q): error %v, want unknown data set", tc.dataset, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("ClassNames(%q): %v", tc.dataset, err)
		}
		if len(names) != Classes || names[0] != tc.first || names[4] != tc.fifth {
			t.Errorf("ClassNames(%q) = %q", tc.dataset, names)
		}
	}
}

func TestSliceAndBinarized(t *testing.T) {
	s := &Set{Images: []float32{0, 1, 0.5, 0.5, 0.25, 0.75, 1, 0}, Labels: []int{1, 2, 3, 4}, N: 4, Rows: 1, Cols: 2, ImagesPath: "x"}
	for _, tc := range []struct {
		lo, hi  int
		wantErr bool
	}{{0, 4, false}, {1, 3, false}, {3, 4, false}, {2, 2, true}, {-1, 2, true}, {0, 5, true}, {3, 1, true}} {
		sub, err := s.Slice(tc.lo, tc.hi)
		if tc.wantErr {
			if err == nil {
				t.Errorf("Slice(%d, %d): no error", tc.lo, tc.hi)
			}
			continue
		}
		if err != nil {
			t.Fatalf("Slice(%d, %d): %v", tc.lo, tc.hi, err)
		}
		if sub.N != tc.hi-tc.lo || sub.Labels[0] != s.Labels[tc.lo] || sub.Image(0)[1] != s.Image(tc.lo)[1] {
			t.Errorf("Slice(%d, %d) = %+v", tc.lo, tc.hi, sub)
		}
	}
	a, b, c := s.Binarized(7), s.Binarized(7), s.Binarized(8)
	differ := false
	for i, v := range a.Images {
		if v != 0 && v != 1 {
			t.Fatalf("pixel %d is %v", i, v)
		}
		if g := s.Images[i]; (g == 0 || g == 1) && v != g {
			t.Errorf("pixel %d: grey %v binarized to %v", i, g, v)
		}
		if v != b.Images[i] {
			t.Fatal("the same seed binarized differently")
		}
		differ = differ || v != c.Images[i]
	}
	if s.Images[2] != 0.5 {
		t.Error("Binarized changed the original set")
	}
	// Four pixels are random; with another seed all of them agreeing has
	// probability 1/16 per seed pair, so try a few.
	for seed := uint64(9); !differ && seed < 20; seed++ {
		d := s.Binarized(seed)
		for i := range d.Images {
			differ = differ || d.Images[i] != a.Images[i]
		}
	}
	if !differ {
		t.Error("every seed gives the same binarization")
	}
}
