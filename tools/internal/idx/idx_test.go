package idx

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

// file builds an IDX file: magic 00 00 typ len(dims), dims, then data.
func file(typ byte, dims []uint32, data []byte) []byte {
	b := []byte{0, 0, typ, byte(len(dims))}
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return append(b, data...)
}

func gz(t testing.TB, b []byte) []byte {
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

func seq(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return b
}

func TestRead(t *testing.T) {
	images := file(TypeUint8, []uint32{2, 3, 4}, seq(24))
	tests := []struct {
		name     string
		in       []byte
		wantDims []int
		wantData []byte
		wantErr  string // substring; empty means success
	}{
		{name: "labels", in: file(TypeUint8, []uint32{5}, []byte{0, 1, 2, 9, 3}), wantDims: []int{5}, wantData: []byte{0, 1, 2, 9, 3}},
		{name: "images", in: images, wantDims: []int{2, 3, 4}, wantData: seq(24)},
		{name: "gzipped", in: gz(t, images), wantDims: []int{2, 3, 4}, wantData: seq(24)},
		{name: "four dims", in: file(TypeUint8, []uint32{1, 2, 1, 2}, seq(4)), wantDims: []int{1, 2, 1, 2}, wantData: seq(4)},
		{name: "empty array", in: file(TypeUint8, []uint32{0, 28, 28}, nil), wantDims: []int{0, 28, 28}, wantData: nil},
		{name: "zero dim hides huge one", in: file(TypeUint8, []uint32{1 << 31, 0}, nil), wantDims: []int{1 << 31, 0}, wantData: nil},

		{name: "empty file", in: nil, wantErr: "empty file"},
		{name: "empty gzip", in: gz(t, nil), wantErr: "empty file"},
		{name: "short magic", in: []byte{0, 0}, wantErr: "truncated header: magic number: want 4 bytes, file has 2"},
		{name: "short dims", in: []byte{0, 0, 8, 3, 0, 0, 0, 1, 0}, wantErr: "truncated header: 3 dimension sizes: want 12 bytes, file has 5"},
		{name: "bad magic", in: []byte("PK\x03\x04 a zip file"), wantErr: "not an IDX file"},
		{name: "float32", in: file(0x0D, []uint32{1}, seq(4)), wantErr: "unsupported element type 0x0d (float32)"},
		{name: "int32", in: file(0x0C, []uint32{1}, seq(4)), wantErr: "unsupported element type 0x0c (int32)"},
		{name: "unknown type", in: file(0x42, []uint32{1}, seq(1)), wantErr: "unknown element type 0x42"},
		{name: "zero dims", in: file(TypeUint8, nil, nil), wantErr: "0 dimensions: want 1 to 4"},
		{name: "five dims", in: file(TypeUint8, []uint32{1, 1, 1, 1, 1}, seq(1)), wantErr: "5 dimensions: want 1 to 4"},
		{name: "absurd size", in: file(TypeUint8, []uint32{1 << 16, 1 << 16}, nil), wantErr: "header says 65536x65536 elements, more than the limit"},
		{name: "overflowing size", in: file(TypeUint8, []uint32{^uint32(0), ^uint32(0), ^uint32(0), ^uint32(0)}, nil), wantErr: "more than the limit"},
		{name: "truncated", in: file(TypeUint8, []uint32{60000, 28, 28}, seq(1234)), wantErr: "truncated: header says 60000x28x28 = 47040000 bytes, file has 1234 after the 16-byte header"},
		{name: "truncated gzip data", in: gz(t, file(TypeUint8, []uint32{2, 3, 4}, seq(10))), wantErr: "truncated: header says 2x3x4 = 24 bytes, file has 10"},
		{name: "cut gzip stream", in: gz(t, images)[:30], wantErr: "truncated"},
		{name: "trailing data", in: append(slices.Clone(images), 0), wantErr: "trailing data: header says 2x3x4 = 24 bytes, file has more"},
		{name: "trailing gzip data", in: gz(t, append(slices.Clone(images), 1, 2, 3)), wantErr: "trailing data"},
		{name: "garbage after gzip", in: append(gz(t, images), "junk"...), wantErr: "gzip"},
		{name: "bad gzip checksum", in: corruptCRC(gz(t, images)), wantErr: "checksum"},
		{name: "gzip of junk", in: gz(t, []byte("hello, world")), wantErr: "not an IDX file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Read(bytes.NewReader(tt.in))
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("Read succeeded with dims %v, want error containing %q", a.Dims, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %q does not contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if !slices.Equal(a.Dims, tt.wantDims) {
				t.Errorf("dims %v, want %v", a.Dims, tt.wantDims)
			}
			if !bytes.Equal(a.Data, tt.wantData) {
				t.Errorf("data %v, want %v", a.Data, tt.wantData)
			}
			if cap(a.Data) != len(a.Data) {
				t.Errorf("data has capacity %d for %d bytes: memory held for nothing", cap(a.Data), len(a.Data))
			}
		})
	}
}

func TestReadError(t *testing.T) {
	head := file(TypeUint8, []uint32{60000, 28, 28}, seq(1000))
	_, err := Read(io.MultiReader(bytes.NewReader(head), iotest.ErrReader(errors.New("disk on fire"))))
	if err == nil || err.Error() != "reading data: disk on fire" {
		t.Errorf("error %v, want %q: a failing reader is not a truncated file", err, "reading data: disk on fire")
	}
}

// corruptCRC flips a bit of the CRC-32 in a gzip trailer (the 8 bytes at the
// end are CRC-32 then size).
func corruptCRC(b []byte) []byte {
	b = slices.Clone(b)
	b[len(b)-8] ^= 1
	return b
}

func TestReadFileNamesFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "train-labels-idx1-ubyte.gz")
	if err := os.WriteFile(good, gz(t, file(TypeUint8, []uint32{3}, []byte{1, 2, 3})), 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := ReadFile(good)
	if err != nil {
		t.Fatalf("ReadFile: %v", err)
	}
	if !slices.Equal(a.Dims, []int{3}) || !bytes.Equal(a.Data, []byte{1, 2, 3}) {
		t.Errorf("got dims %v data %v", a.Dims, a.Data)
	}

	bad := filepath.Join(dir, "train-images-idx3-ubyte")
	if err := os.WriteFile(bad, file(TypeUint8, []uint32{60000, 28, 28}, seq(1234)), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = ReadFile(bad)
	want := bad + ": truncated: header says 60000x28x28 = 47040000 bytes, file has 1234"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("ReadFile error %q, want prefix %q", err, want)
	}

	missing := filepath.Join(dir, "nope")
	if _, err := ReadFile(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("ReadFile of missing file: error %v does not name %s", err, missing)
	}
}

// FuzzRead checks that no input makes Read panic, that what it accepts is
// consistent with its header, and that gzipping an accepted file changes
// nothing. Seeds are in testdata/fuzz/FuzzRead.
func FuzzRead(f *testing.F) {
	f.Add(file(TypeUint8, []uint32{2, 2}, seq(4)))
	f.Add(gz(f, file(TypeUint8, []uint32{3}, seq(3))))
	f.Fuzz(func(t *testing.T, in []byte) {
		a, err := Read(bytes.NewReader(in))
		if err != nil {
			return
		}
		if len(a.Dims) < 1 || len(a.Dims) > MaxDims {
			t.Fatalf("accepted %d dims", len(a.Dims))
		}
		n := 1
		for _, d := range a.Dims {
			n *= d
		}
		if n != len(a.Data) {
			t.Fatalf("dims %v hold %d bytes, data has %d", a.Dims, n, len(a.Data))
		}
		if len(in) < 2 || in[0] != 0x1f || in[1] != 0x8b {
			b, err := Read(bytes.NewReader(gz(t, in)))
			if err != nil {
				t.Fatalf("plain file accepted, gzipped copy rejected: %v", err)
			}
			if !slices.Equal(a.Dims, b.Dims) || !bytes.Equal(a.Data, b.Data) {
				t.Fatalf("gzipped copy reads differently")
			}
		}
	})
}
