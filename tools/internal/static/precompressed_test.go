package static

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestPrecompressed checks which representation is served when twins
// NAME.br and NAME.gz stand beside a file: the best one the client accepts,
// never a stale one, never one that leads outside the folder.
func TestPrecompressed(t *testing.T) {
	root := site(t)
	write := func(name, body string, age time.Duration) {
		t.Helper()
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		when := time.Now().Add(-age)
		if err := os.Chtimes(p, when, when); err != nil {
			t.Fatal(err)
		}
	}
	// The originals are an hour old; twins are newer unless made stale.
	for _, name := range []string{"main.wasm", "loader.js", "style.css", "weights/vae.safetensors"} {
		p := filepath.Join(root, filepath.FromSlash(name))
		when := time.Now().Add(-time.Hour)
		if err := os.Chtimes(p, when, when); err != nil {
			t.Fatal(err)
		}
	}
	write("main.wasm.br", "BROTLI main.wasm", 0)
	write("main.wasm.gz", gzipString(t, "GZIP main.wasm"), 0)
	write("loader.js.gz", gzipString(t, "GZIP loader.js"), 0)
	write("style.css.br", "STALE", 2*time.Hour)
	write("weights/vae.safetensors.br", "", 0) // empty: a failed compression
	if err := os.Symlink(filepath.Join(filepath.Dir(root), "secret.txt"), filepath.Join(root, "index.html.br")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(root, "embed.html.br"), 0o755); err != nil {
		t.Fatal(err)
	}
	h := newHandler(t, root)
	for _, tc := range []struct {
		path, accept string
		wantEnc      string // Content-Encoding
		wantBody     string // exact body; "" means the original, decoded
	}{
		{"/main.wasm", "gzip, deflate, br, zstd", "br", "BROTLI main.wasm"},
		{"/main.wasm", "br;q=0.1, gzip", "br", "BROTLI main.wasm"},
		{"/main.wasm", "gzip", "gzip", "GZIP main.wasm"},
		{"/main.wasm", "br;q=0, gzip", "gzip", "GZIP main.wasm"},
		{"/main.wasm", "*", "br", "BROTLI main.wasm"},
		{"/main.wasm", "", "", ""},
		{"/main.wasm", "deflate", "", ""},
		{"/loader.js", "br, gzip", "gzip", "GZIP loader.js"},
		{"/loader.js", "br", "", ""},
		// A twin older than its file is from a previous build.
		{"/style.css", "br, gzip", "gzip", ""},
		{"/weights/vae.safetensors", "br, gzip", "gzip", ""},
		// A twin that is a link out of the folder, or a folder, is no twin.
		{"/index.html", "br, gzip", "gzip", ""},
		{"/embed.html", "br", "", ""},
	} {
		t.Run(tc.path+" "+tc.accept, func(t *testing.T) {
			resp := get(h, "GET", tc.path, map[string]string{"Accept-Encoding": tc.accept})
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d, want 200", resp.StatusCode)
			}
			if got := resp.Header.Get("Content-Encoding"); got != tc.wantEnc {
				t.Errorf("Content-Encoding %q, want %q", got, tc.wantEnc)
			}
			if got := resp.Header.Get("Vary"); got != "Accept-Encoding" {
				t.Errorf("Vary %q, want Accept-Encoding", got)
			}
			want := tc.wantBody
			if want == "" {
				b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(tc.path[1:])))
				if err != nil {
					t.Fatal(err)
				}
				want = string(b)
			}
			if got := body(t, resp); got != want {
				t.Errorf("body %.40q, want %.40q", got, want)
			}
		})
	}

	// Each representation has its own ETag, and revalidating one answers 304.
	tags := map[string]bool{}
	for _, accept := range []string{"br", "gzip", ""} {
		resp := get(h, "GET", "/main.wasm", map[string]string{"Accept-Encoding": accept})
		tag := resp.Header.Get("ETag")
		if tags[tag] {
			t.Errorf("Accept-Encoding %q: ETag %s shared with another representation", accept, tag)
		}
		tags[tag] = true
		again := get(h, "GET", "/main.wasm", map[string]string{"Accept-Encoding": accept, "If-None-Match": tag})
		if again.StatusCode != http.StatusNotModified {
			t.Errorf("Accept-Encoding %q: revalidation status %d, want 304", accept, again.StatusCode)
		}
	}
}

func gzipString(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestAccepts(t *testing.T) {
	for _, tc := range []struct {
		header, enc string
		want        bool
	}{
		{"gzip, deflate, br, zstd", "br", true},
		{"br;q=0", "br", false},
		{"*", "br", true},
		{"*, br;q=0", "br", false},
		{"gzip", "br", false},
		{"brotli", "br", false},
		{"x-gzip", "br", false},
		{"x-gzip", "gzip", true},
		{"BR", "br", true},
	} {
		if got := accepts(tc.header, tc.enc); got != tc.want {
			t.Errorf("accepts(%q, %q) = %v, want %v", tc.header, tc.enc, got, tc.want)
		}
	}
}
