package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name    string
		write   func(io.Writer) error
		want    string
		wantErr bool
	}{
		{"replaces", func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }, "new", false},
		{"keeps old on failure", func(w io.Writer) error { io.WriteString(w, "half"); return boom }, "old", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "f")
			if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
			err := Write(path, tt.write)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Write error = %v, want error %v", err, tt.wantErr)
			}
			got, _ := os.ReadFile(path)
			if string(got) != tt.want {
				t.Errorf("content %q, want %q", got, tt.want)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Errorf("%d files left in the folder, want 1 (no temporary file)", len(entries))
			}
		})
	}
}

func TestWriteReadOnlyFolder(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root ignores folder permissions")
	}
	dir := t.TempDir()
	os.Chmod(dir, 0o500)
	defer os.Chmod(dir, 0o700)
	if err := Write(filepath.Join(dir, "f"), func(io.Writer) error { return nil }); err == nil {
		t.Fatal("Write into a read-only folder succeeded")
	}
}

// TestWriteFailsAsRoot covers failures that permissions cannot stage when
// the tests run as root: a folder that is a file, a read-only file system,
// and a target the rename cannot replace. Each must fail, naming the path,
// and leave nothing behind.
func TestWriteFailsAsRoot(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	busy := filepath.Join(dir, "busy")
	if err := os.MkdirAll(filepath.Join(busy, "inside"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path, want string
	}{
		{"folder is a file", filepath.Join(file, "w.safetensors"), "not a directory"},
		{"read-only file system", "/proc/w.safetensors", "write /proc/w.safetensors"},
		{"target is a folder", busy, "write " + busy},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Write(tc.path, func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err })
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Write(%s) = %v, want an error containing %q", tc.path, err, tc.want)
			}
		})
	}
	if got, _ := os.ReadFile(file); string(got) != "keep" {
		t.Errorf("file changed to %q", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("%d entries in the folder, want 2 (no temporary file)", len(entries))
	}
	if entries, _ := os.ReadDir(busy); len(entries) != 1 {
		t.Errorf("the folder in the way changed")
	}
}
