// Package mnist loads the MNIST handwritten digits, and data sets that ship
// in the same four IDX files such as Fashion-MNIST, as float32 pixels in
// [0, 1], the rows of a model.Matrix.
package mnist

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"

	"vaeplay/model"

	"vaeplay/tools/internal/idx"
)

// Classes is the number of distinct labels, 0 to 9.
const Classes = 10

// Split selects the training or the test half of the data set.
type Split int

const (
	// Train is the 60000-image training set.
	Train Split = iota
	// Test is the 10000-image test set.
	Test
)

// String returns "train" or "test".
func (s Split) String() string {
	switch s {
	case Train:
		return "train"
	case Test:
		return "test"
	}
	return fmt.Sprintf("Split(%d)", int(s))
}

// files returns the base names of the images and labels files of the split,
// without the optional .gz suffix.
func (s Split) files() (images, labels string, err error) {
	switch s {
	case Train:
		return "train-images-idx3-ubyte", "train-labels-idx1-ubyte", nil
	case Test:
		return "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", nil
	}
	return "", "", fmt.Errorf("unknown split %v", s)
}

// Set is one split of the data set held in memory.
type Set struct {
	// Images holds N images of Rows*Cols pixels each, row-major, one image
	// after another, each pixel scaled from 0..255 to [0, 1].
	Images []float32
	// Labels holds the N class labels, each in 0..Classes-1.
	Labels []int
	// N is the number of images; Rows and Cols the size of each.
	N, Rows, Cols int
	// ImagesPath is the file the images were read from, for messages about
	// them such as a size the model does not take.
	ImagesPath string
}

// Load reads the images and labels of split from dir. Each file may be plain
// or gzipped with a .gz suffix, so both the files `make data` fetches and
// Debian's /usr/share/datasets/fashion-mnist load as they are. Load checks
// that the files are consistent (image and label counts agree, labels are in
// 0..9); the caller checks that the image size suits its model.
func Load(dir string, split Split) (*Set, error) {
	imagesName, labelsName, err := split.files()
	if err != nil {
		return nil, err
	}
	imagesPath, err := find(dir, imagesName)
	if err != nil {
		return nil, err
	}
	labelsPath, err := find(dir, labelsName)
	if err != nil {
		return nil, err
	}
	return load(imagesPath, labelsPath)
}

// find returns the path of name or name.gz in dir. Both existing is an
// error rather than a silent choice: they could hold different data sets.
func find(dir, name string) (string, error) {
	plain := filepath.Join(dir, name)
	gz := plain + ".gz"
	plainOK, err := exists(plain)
	if err != nil {
		return "", err
	}
	gzOK, err := exists(gz)
	if err != nil {
		return "", err
	}
	switch {
	case plainOK && gzOK:
		return "", fmt.Errorf("both %s and %s exist: remove one so that it is clear which is loaded", plain, gz)
	case plainOK:
		return plain, nil
	case gzOK:
		return gz, nil
	}
	return "", fmt.Errorf("neither %s nor %s exists (`make data` fetches MNIST)", plain, gz)
}

func exists(path string) (bool, error) {
	_, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// load reads and cross-checks one images file and one labels file.
func load(imagesPath, labelsPath string) (*Set, error) {
	images, err := idx.ReadFile(imagesPath)
	if err != nil {
		return nil, err
	}
	if len(images.Dims) != 3 {
		return nil, fmt.Errorf("%s: %d dimensions, want 3 (images x rows x columns)", imagesPath, len(images.Dims))
	}
	labels, err := idx.ReadFile(labelsPath)
	if err != nil {
		return nil, err
	}
	if len(labels.Dims) != 1 {
		return nil, fmt.Errorf("%s: %d dimensions, want 1 (one label per image)", labelsPath, len(labels.Dims))
	}

	n, rows, cols := images.Dims[0], images.Dims[1], images.Dims[2]
	if n != labels.Dims[0] {
		return nil, fmt.Errorf("%s has %d images but %s has %d labels", imagesPath, n, labelsPath, labels.Dims[0])
	}
	if n == 0 || rows == 0 || cols == 0 {
		return nil, fmt.Errorf("%s: no pixels (%d images of %dx%d)", imagesPath, n, rows, cols)
	}

	s := &Set{
		Images: make([]float32, len(images.Data)),
		Labels: make([]int, n),
		N:      n,
		Rows:   rows,
		Cols:   cols,

		ImagesPath: imagesPath,
	}
	for i, l := range labels.Data {
		if int(l) >= Classes {
			return nil, fmt.Errorf("%s: label %d of image %d is outside 0..%d", labelsPath, l, i, Classes-1)
		}
		s.Labels[i] = int(l)
	}
	for i, p := range images.Data {
		s.Images[i] = float32(p) / 255
	}
	return s, nil
}

// Pixels returns the number of pixels per image, Rows*Cols; the input size
// a model needs for this set.
func (s *Set) Pixels() int { return s.Rows * s.Cols }

// Image returns image i as a slice of Images (not a copy).
func (s *Set) Image(i int) []float32 {
	p := s.Pixels()
	return s.Images[i*p : (i+1)*p : (i+1)*p]
}

// Batch copies the images with the given indices into the rows of a new
// len(idx) x Pixels() matrix and returns it with their labels, in the same
// order. A trainer shuffles a permutation of 0..N-1 each epoch and hands
// Batch consecutive slices of it. Like slice indexing, Batch panics if idx
// is empty or holds an index outside 0..N-1: that is a bug in the caller,
// not bad data.
func (s *Set) Batch(idx []int) (model.Matrix, []int) {
	if len(idx) == 0 {
		panic("mnist: empty batch")
	}
	p := s.Pixels()
	data := make([]float32, len(idx)*p)
	labels := make([]int, len(idx))
	for r, i := range idx {
		if i < 0 || i >= s.N {
			panic(fmt.Sprintf("mnist: batch index %d out of range 0..%d", i, s.N-1))
		}
		copy(data[r*p:], s.Images[i*p:(i+1)*p])
		labels[r] = s.Labels[i]
	}
	return model.NewMatrix(len(idx), p, data), labels
}

// Data sets this package knows by name, as the trainer records them in the
// weights' metadata.
const (
	// MNIST is LeCun, Cortes and Burges's handwritten digits.
	MNIST = "mnist"
	// FashionMNIST is Zalando's Fashion-MNIST: 28x28 grey images of clothes
	// in the same four IDX files.
	FashionMNIST = "fashion-mnist"
)

// ClassNames returns the names of the ten classes of the named data set, in
// label order.
func ClassNames(dataset string) ([]string, error) {
	switch dataset {
	case MNIST:
		return []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}, nil
	case FashionMNIST:
		// The labels as Zalando's README lists them.
		return []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
			"Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}, nil
	}
	return nil, fmt.Errorf("unknown data set %q (want %q or %q)", dataset, MNIST, FashionMNIST)
}

// All returns every image of the set as the rows of an N x Pixels() matrix,
// sharing the set's storage, and the labels.
func (s *Set) All() (model.Matrix, []int) {
	return model.NewMatrix(s.N, s.Pixels(), s.Images), s.Labels
}

// Slice returns images lo..hi-1 of s as a set sharing its storage, for
// carving a validation split out of the training set.
func (s *Set) Slice(lo, hi int) (*Set, error) {
	if lo < 0 || hi > s.N || lo >= hi {
		return nil, fmt.Errorf("%s: images %d..%d of %d: not a non-empty range", s.ImagesPath, lo, hi-1, s.N)
	}
	p := s.Pixels()
	out := *s
	out.Images = s.Images[lo*p : hi*p : hi*p]
	out.Labels = s.Labels[lo:hi:hi]
	out.N = hi - lo
	return &out, nil
}

// Binarized returns a copy of s in which every pixel of image i is 1 with
// probability its grey value and 0 otherwise, drawn from the generator
// PCG(seed, i): a fixed stochastic binarization, the form of MNIST the
// literature reports likelihoods on. The same seed gives the same images.
func (s *Set) Binarized(seed uint64) *Set {
	out := *s
	out.Images = make([]float32, len(s.Images))
	for i := range s.N {
		rng := rand.New(rand.NewPCG(seed, uint64(i)))
		BinarizeRow(out.Image(i), s.Image(i), rng)
	}
	return &out
}

// BinarizeRow sets each dst[j] to 1 with probability src[j] (a grey value in
// [0, 1]) and to 0 otherwise, drawing one number from rng per pixel. dst and
// src may be the same slice.
func BinarizeRow(dst, src []float32, rng *rand.Rand) {
	for j, v := range src {
		if rng.Float64() < float64(v) {
			dst[j] = 1
		} else {
			dst[j] = 0
		}
	}
}
