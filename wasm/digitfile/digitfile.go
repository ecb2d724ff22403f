// Package digitfile reads and writes the site's files of digits: a few
// thousand MNIST images and their labels, as the widget's panels that need
// real digits (training in the page, completion) fetch them. make site
// writes them from the verified IDX files (tools/sitedata); the widget
// reads them in the browser.
//
// The format is small and checks itself:
//
//	8 bytes   magic "VPDIGIT1"
//	4 bytes   N, the number of images, little-endian uint32
//	1 byte    rows, 1 byte cols (28 and 28 for MNIST)
//	1 byte    classes (10), 1 byte reserved (0)
//	N bytes   the labels, each below classes
//	N·rows·cols bytes   the pixels, 0..255, image after image, row-major
//	32 bytes  SHA-256 of everything before it
//
// Grey values are pixel/255, as the trainer reads the IDX files, so a model
// sees the same numbers in the page as in tools/train.
package digitfile

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Magic opens every file.
const Magic = "VPDIGIT1"

// headerSize is the bytes before the labels.
const headerSize = len(Magic) + 4 + 4

// MaxImages bounds N, so that a hostile header cannot ask for gigabytes.
const MaxImages = 1 << 20

// Set is a file's content: N images of Rows×Cols grey values in [0, 1].
type Set struct {
	Rows, Cols, Classes int
	Labels              []int
	// Pixels holds the images one after another, each Rows*Cols values
	// pixel/255.
	Pixels []float32
}

// N returns the number of images.
func (s *Set) N() int { return len(s.Labels) }

// Image returns image i, aliasing the set's storage.
func (s *Set) Image(i int) []float32 {
	p := s.Rows * s.Cols
	return s.Pixels[i*p : (i+1)*p : (i+1)*p]
}

// Write writes n images and their labels: pixels holds n·rows·cols bytes,
// labels n classes, each below classes.
func Write(w io.Writer, rows, cols, classes int, labels []uint8, pixels []byte) error {
	n := len(labels)
	switch {
	case rows < 1 || rows > 255 || cols < 1 || cols > 255:
		return fmt.Errorf("digitfile: images of %dx%d pixels, want 1..255 each way", rows, cols)
	case classes < 1 || classes > 255:
		return fmt.Errorf("digitfile: %d classes, want 1..255", classes)
	case n == 0 || n > MaxImages:
		return fmt.Errorf("digitfile: %d images, want 1..%d", n, MaxImages)
	case len(pixels) != n*rows*cols:
		return fmt.Errorf("digitfile: %d pixel bytes for %d images of %dx%d", len(pixels), n, rows, cols)
	}
	for i, l := range labels {
		if int(l) >= classes {
			return fmt.Errorf("digitfile: label %d of image %d is not below %d", l, i, classes)
		}
	}
	var b bytes.Buffer
	b.WriteString(Magic)
	b.Write(binary.LittleEndian.AppendUint32(nil, uint32(n)))
	b.Write([]byte{byte(rows), byte(cols), byte(classes), 0})
	b.Write(labels)
	b.Write(pixels)
	sum := sha256.Sum256(b.Bytes())
	b.Write(sum[:])
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("digitfile: %w", err)
	}
	return nil
}

// Read parses a file Write wrote. It checks the checksum before anything
// else, so a truncated or altered download is named as such, then every
// field; it never panics on bad bytes.
func Read(data []byte) (*Set, error) {
	if len(data) < headerSize+sha256.Size {
		return nil, fmt.Errorf("digitfile: %d bytes, too short for a file of digits (at least %d)", len(data), headerSize+sha256.Size)
	}
	if string(data[:len(Magic)]) != Magic {
		return nil, errors.New("digitfile: not a file of digits (no VPDIGIT1 at its start)")
	}
	body, sum := data[:len(data)-sha256.Size], data[len(data)-sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return nil, errors.New("digitfile: checksum mismatch: the file is truncated or altered")
	}
	n := int(binary.LittleEndian.Uint32(data[len(Magic):]))
	rows, cols, classes := int(data[len(Magic)+4]), int(data[len(Magic)+5]), int(data[len(Magic)+6])
	switch {
	case n == 0 || n > MaxImages:
		return nil, fmt.Errorf("digitfile: %d images, want 1..%d", n, MaxImages)
	case rows == 0 || cols == 0 || classes == 0:
		return nil, fmt.Errorf("digitfile: images of %dx%d pixels in %d classes", rows, cols, classes)
	case data[len(Magic)+7] != 0:
		return nil, fmt.Errorf("digitfile: reserved byte is %d, want 0", data[len(Magic)+7])
	}
	if want := headerSize + n + n*rows*cols; len(body) != want {
		return nil, fmt.Errorf("digitfile: %d bytes before the checksum, %d images of %dx%d need %d", len(body), n, rows, cols, want)
	}
	s := &Set{Rows: rows, Cols: cols, Classes: classes, Labels: make([]int, n), Pixels: make([]float32, n*rows*cols)}
	for i, l := range body[headerSize : headerSize+n] {
		if int(l) >= classes {
			return nil, fmt.Errorf("digitfile: label %d of image %d is not below %d", l, i, classes)
		}
		s.Labels[i] = int(l)
	}
	for i, p := range body[headerSize+n:] {
		s.Pixels[i] = float32(p) / 255
	}
	return s, nil
}
