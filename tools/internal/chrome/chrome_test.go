package chrome

import (
	"errors"
	"os/exec"
	"strings"
	"testing"
)

func TestPath(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh on PATH")
	}
	for _, tc := range []struct {
		name, env string
		want      string // the path, or a part of the error
		notFound  bool
	}{
		{"an executable", sh, sh, false},
		{"a name on PATH", "sh", "sh", false},
		{"nothing there", "/nonexistent/chromium", "VAEPLAY_CHROMIUM=/nonexistent/chromium", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("VAEPLAY_CHROMIUM", tc.env)
			got, err := Path()
			switch {
			case tc.notFound:
				if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("Path() = %q, %v; want an ErrNotFound naming %q", got, err, tc.want)
				}
			case err != nil || got != tc.want:
				t.Errorf("Path() = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	t.Run("start without a browser", func(t *testing.T) {
		t.Setenv("VAEPLAY_CHROMIUM", "/nonexistent/chromium")
		if _, _, err := Start(); !errors.Is(err, ErrNotFound) {
			t.Errorf("Start() error %v, want ErrNotFound", err)
		}
	})
}
