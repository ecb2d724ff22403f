package e2e

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vaeplay/tools/internal/static"
)

// need stops the test when something it depends on is missing: a skip on a
// developer's machine, a failure under CI, where a skipped browser test would
// hide that the widget was never tested, and when a screenshot was asked for.
func need(t *testing.T, format string, args ...any) {
	t.Helper()
	switch {
	case os.Getenv("CI") == "true":
		t.Fatalf("CI=true: "+format, args...)
	case os.Getenv("VAEPLAY_SCREENSHOT") != "":
		t.Fatalf("VAEPLAY_SCREENSHOT is set: "+format, args...)
	}
	t.Skipf(format, args...)
}

// moduleRoot is the folder holding go.mod, found upward from the test's
// working directory (the package folder).
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's folder")
		}
		dir = parent
	}
}

// fromRoot resolves a path given in the environment: relative paths are
// taken from the module root, so that VAEPLAY_SITE=build/site means the same
// from the Makefile and from `go test ./tools/e2e`.
func fromRoot(t *testing.T, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(moduleRoot(t), p)
}

// siteDir returns the built site folder, or skips/fails when it is missing.
func siteDir(t *testing.T) string {
	t.Helper()
	name := os.Getenv("VAEPLAY_SITE")
	if name == "" {
		name = "build/site"
	}
	dir := fromRoot(t, name)
	for _, f := range []string{"index.html", "embed.html", "main.wasm"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			need(t, "%s has no %s: run make site (or set VAEPLAY_SITE)", name, f)
		}
	}
	return dir
}

// serve serves dir with the project's static handler on a random loopback
// port and returns the base URL, ending in a slash.
func serve(t *testing.T, dir string) string {
	t.Helper()
	h, err := static.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL + "/"
}

// loadAverage returns the 1-minute load average, which the measured times
// depend on far more than on anything in the page, or "unknown".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "unknown"
}
