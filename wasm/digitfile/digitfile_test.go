package digitfile

import (
	"bytes"
	"crypto/sha256"
	"strings"
	"testing"
)

func sample(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, 2, 3, 10, []uint8{7, 0}, []byte{0, 255, 51, 1, 2, 3, 4, 5, 6, 7, 8, 9}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestRoundTrip(t *testing.T) {
	s, err := Read(sample(t))
	if err != nil {
		t.Fatal(err)
	}
	if s.N() != 2 || s.Rows != 2 || s.Cols != 3 || s.Classes != 10 || s.Labels[0] != 7 || s.Labels[1] != 0 {
		t.Fatalf("read %+v", s)
	}
	// Grey values as the trainer reads the IDX files: pixel/255.
	if got := s.Image(0); got[1] != 1 || got[2] != float32(51)/255 || s.Image(1)[5] != float32(9)/255 {
		t.Errorf("pixels %v", s.Pixels)
	}
}

func TestReadBad(t *testing.T) {
	good := sample(t)
	flip := func(i int) []byte {
		b := bytes.Clone(good)
		b[i] ^= 1
		return b
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "too short"},
		{"HTML", []byte(strings.Repeat("<!doctype html>", 5)), "not a file of digits"},
		{"truncated", good[:len(good)-1], "checksum mismatch"},
		{"one pixel altered", flip(30), "checksum mismatch"},
		{"checksum altered", flip(len(good) - 1), "checksum mismatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Read(tt.data); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestWriteBad(t *testing.T) {
	tests := []struct {
		name            string
		rows, cols, cls int
		labels          []uint8
		pixels          []byte
		want            string
	}{
		{"no images", 1, 1, 10, nil, nil, "0 images"},
		{"short pixels", 2, 2, 10, []uint8{1}, []byte{1, 2, 3}, "3 pixel bytes"},
		{"label too big", 1, 1, 10, []uint8{10}, []byte{1}, "label 10"},
		{"too wide", 1, 300, 10, []uint8{1}, make([]byte, 300), "1x300"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Write(&bytes.Buffer{}, tt.rows, tt.cols, tt.cls, tt.labels, tt.pixels); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// FuzzRead checks that no input makes Read panic and that what it accepts
// is self-consistent. The fuzzer's bytes are the body, sealed with their
// checksum, so that it reaches the parsing behind the checksum; a few are
// left unsealed to reach the checks in front of it.
func FuzzRead(f *testing.F) {
	good := sample(f)
	f.Add(good[:len(good)-sha256.Size], true)
	f.Add([]byte(Magic), true)
	f.Add(good, false)
	f.Fuzz(func(t *testing.T, body []byte, seal bool) {
		data := body
		if seal {
			sum := sha256.Sum256(body)
			data = append(bytes.Clone(body), sum[:]...)
		}
		s, err := Read(data)
		if err != nil {
			return
		}
		if len(s.Pixels) != s.N()*s.Rows*s.Cols || len(s.Labels) != s.N() {
			t.Fatalf("%d pixels and %d labels for %d images of %dx%d", len(s.Pixels), len(s.Labels), s.N(), s.Rows, s.Cols)
		}
		for i, l := range s.Labels {
			if l < 0 || l >= s.Classes {
				t.Fatalf("label %d of image %d outside 0..%d", l, i, s.Classes-1)
			}
		}
	})
}
