package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// file is one file of a data set and its pinned SHA-256 in hex.
type file struct {
	name string
	sum  string
}

// dataset is a set of files and a way to fetch them.
type dataset struct {
	// name is what messages call the data set, like "MNIST".
	name string
	// files are the files that make up the data set.
	files []file
	// fetch stages the files in need into dir: written to temporary files
	// there and verified against their sums, but not yet in place. On error
	// it stages nothing.
	fetch func(ctx context.Context, dir string, need []file) ([]staged, error)
}

// get makes dir hold the files of ds with their pinned sums, fetching only
// those missing or wrong. Files are replaced only by verified ones.
func get(ctx context.Context, w io.Writer, dir string, ds dataset) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := checkOtherForm(dir, ds); err != nil {
		return err
	}
	need, err := check(w, dir, ds.files)
	if err != nil {
		return err
	}
	if len(need) == 0 {
		fmt.Fprintf(w, "%s: all %d files are in %s with the right SHA-256\n", ds.name, len(ds.files), dir)
		return nil
	}
	fmt.Fprintf(w, "%s: fetching %d of %d files\n", ds.name, len(need), len(ds.files))
	staged, err := ds.fetch(ctx, dir, need)
	if err != nil {
		return err
	}
	if err := commit(dir, staged); err != nil {
		return err
	}
	for _, f := range need {
		fmt.Fprintf(w, "%s: installed %s (sha256 %s)\n", ds.name, filepath.Join(dir, f.name), f.sum)
	}
	return nil
}

// checkOtherForm refuses a directory that holds a file under the other
// form of one of our names (gzipped or not): the data loader would find
// both and could not tell which to use. In practice it means MNIST and
// Fashion-MNIST are being mixed in one directory.
func checkOtherForm(dir string, ds dataset) error {
	for _, f := range ds.files {
		other := f.name + ".gz"
		if n, ok := strings.CutSuffix(f.name, ".gz"); ok {
			other = n
		}
		path := filepath.Join(dir, other)
		if _, err := os.Stat(path); err == nil {
			return fmt.Errorf("%s exists, so %s holds another data set; use a separate -dir for %s", path, dir, ds.name)
		}
	}
	return nil
}

// check returns the files that are missing from dir or whose content does
// not have the pinned sum, telling w about the latter.
func check(w io.Writer, dir string, files []file) ([]file, error) {
	var need []file
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		got, err := sumFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			need = append(need, f)
			continue
		}
		if err != nil {
			return nil, err
		}
		if got != f.sum {
			fmt.Fprintf(w, "%s has sha256 %s, want %s: replacing it\n", path, got, f.sum)
			need = append(need, f)
		}
	}
	return need, nil
}

func sumFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// staged is a verified file written next to its destination, waiting to be
// renamed into place.
type staged struct {
	tmp, dst string
}

// stage copies r to a temporary file in dir, hashing it on the way. The
// file is synced to disk and kept only if its SHA-256 is f.sum; otherwise it
// is removed and the error names the file and both sums. Staging in the
// destination directory makes the later rename atomic.
func stage(dir string, f file, r io.Reader) (s staged, err error) {
	tmp, err := os.CreateTemp(dir, "."+f.name+".*.tmp")
	if err != nil {
		return staged{}, err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(tmp, h), r); err != nil {
		return staged{}, fmt.Errorf("writing %s: %w", f.name, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != f.sum {
		return staged{}, fmt.Errorf("%s: checksum mismatch: want sha256 %s, got %s", f.name, f.sum, got)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return staged{}, err
	}
	if err := tmp.Sync(); err != nil {
		return staged{}, err
	}
	if err := tmp.Close(); err != nil {
		return staged{}, err
	}
	return staged{tmp: tmp.Name(), dst: filepath.Join(dir, f.name)}, nil
}

// discard removes staged files that will not be installed.
func discard(files []staged) {
	for _, s := range files {
		os.Remove(s.tmp)
	}
}

// commit renames staged files into place and syncs dir so that the renames
// survive a crash. Each rename replaces its destination atomically, so a
// reader sees the old file or the verified new one, never a partial one.
func commit(dir string, files []staged) error {
	for i, s := range files {
		if err := os.Rename(s.tmp, s.dst); err != nil {
			discard(files[i:])
			return err
		}
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", dir, err)
	}
	return nil
}
