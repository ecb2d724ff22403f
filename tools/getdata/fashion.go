package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
)

const (
	// fashionDebianDir is where Debian's dataset-fashion-mnist package puts
	// the four gzipped IDX files (`dpkg -L dataset-fashion-mnist`).
	fashionDebianDir = "/usr/share/datasets/fashion-mnist"
	// fashionDebianPackage is the package that provides them, and
	// fashionDebianVersion the version whose files the sums below pin.
	fashionDebianPackage = "dataset-fashion-mnist"
	fashionDebianVersion = "0.0~git20200523.55506a9-1"
)

// fashionMNIST is Zalando's Fashion-MNIST as packaged by Debian. The sums
// are those of the files in dataset-fashion-mnist 0.0~git20200523.55506a9-1
// (fashionDebianVersion), computed once with sha256sum after installing it;
// another version of the package with other bytes fails verification
// instead of being copied.
func fashionMNIST() dataset {
	return dataset{
		name: "Fashion-MNIST",
		files: []file{
			{"train-images-idx3-ubyte.gz", "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7"},
			{"train-labels-idx1-ubyte.gz", "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056"},
			{"t10k-images-idx3-ubyte.gz", "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa"},
			{"t10k-labels-idx1-ubyte.gz", "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05"},
		},
		fetch: func(ctx context.Context, dir string, need []file) ([]staged, error) {
			if err := installDebian(ctx, need); err != nil {
				return nil, err
			}
			return copyFiles(fashionDebianDir, dir, need)
		},
	}
}

// installDebian installs dataset-fashion-mnist with apt-get when one of the
// files is missing from its directory, if running as root.
func installDebian(ctx context.Context, need []file) error {
	missing := false
	for _, f := range need {
		if _, err := os.Stat(filepath.Join(fashionDebianDir, f.name)); errors.Is(err, fs.ErrNotExist) {
			missing = true
		}
	}
	if !missing {
		return nil
	}
	if os.Geteuid() != 0 {
		return fmt.Errorf("no %s: Fashion-MNIST comes from Debian's %s package; run `sudo apt-get install %s`",
			fashionDebianDir, fashionDebianPackage, fashionDebianPackage)
	}
	if _, err := exec.LookPath("apt-get"); err != nil {
		return fmt.Errorf("no %s and no apt-get to install Debian's %s package that provides it", fashionDebianDir, fashionDebianPackage)
	}
	aptGet := func(args ...string) error {
		cmd := exec.CommandContext(ctx, "apt-get", args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		return cmd.Run()
	}
	install := []string{"install", "-y", "--no-install-recommends", fashionDebianPackage}
	if aptGet(install...) == nil {
		return nil
	}
	// A fresh machine's package lists may be empty: update them once and
	// try again.
	if err := aptGet("update"); err != nil {
		return fmt.Errorf("apt-get update: %w", err)
	}
	if err := aptGet(install...); err != nil {
		return fmt.Errorf("apt-get install %s: %w", fashionDebianPackage, err)
	}
	return nil
}

// copyFiles stages the files in need from src into dir, verifying each.
// All are staged, or none.
func copyFiles(src, dir string, need []file) ([]staged, error) {
	var files []staged
	for _, f := range need {
		s, err := copyFile(src, dir, f)
		if err != nil {
			discard(files)
			return nil, err
		}
		files = append(files, s)
	}
	return files, nil
}

func copyFile(src, dir string, f file) (staged, error) {
	in, err := os.Open(filepath.Join(src, f.name))
	if err != nil {
		return staged{}, err
	}
	defer in.Close()
	s, err := stage(dir, f, in)
	if err != nil {
		return staged{}, fmt.Errorf("%s: %w (the sums are pinned from %s %s; is another version installed?)",
			src, err, fashionDebianPackage, fashionDebianVersion)
	}
	return s, nil
}
