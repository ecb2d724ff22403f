package static

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// site builds a folder like build/site next to a secret file outside it, and
// returns the folder.
func site(t *testing.T) string {
	t.Helper()
	base := t.TempDir()
	root := filepath.Join(base, "site")
	// Repetitive text compresses well, like real JS and wasm.
	big := strings.Repeat("function vaeplay() { return 42; }\n", 200)
	files := map[string]string{
		"index.html":                 "<!doctype html><title>demo</title>" + big,
		"embed.html":                 "<!doctype html><title>embed</title>",
		"loader.js":                  big,
		"tiny.js":                    "x",
		"style.css":                  "body{margin:0}" + big,
		"main.wasm":                  "\x00asm\x01\x00\x00\x00" + big,
		"weights/vae.safetensors":    "\x08\x00\x00\x00\x00\x00\x00\x00{}      " + big,
		"docs/screenshot.png":        "\x89PNG\r\n\x1a\n" + big,
		"data.bin":                   "\x01\x02\x03",
		"withindex/index.html":       "nested index",
		"empty/.keep":                "",
		".hidden":                    "hidden",
		"UPPER.HTML":                 "<p>upper</p>",
		"weights/README.md":          "# weights",
		"weights/cvae.safetensors":   big,
		"sub/deeper/file.txt":        "deep",
		"with space/file name.txt":   "spaced",
		"percent%41/literal.txt":     "literal percent",
		"withindex/sub/index.html":   "nested twice",
		"weights/nested/.gitignore":  "*",
		"scripts/wasm_exec.js":       big,
		"scripts/wasm_exec.js.extra": "odd extension",
	}
	for name, body := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(base, "secret.txt"), []byte("SECRET"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(base, "outside"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(base, "outside", "secret.txt"), []byte("SECRET"), 0o644); err != nil {
		t.Fatal(err)
	}
	links := map[string]string{
		"link-out.txt":    filepath.Join(base, "secret.txt"), // absolute, outside
		"link-rel.txt":    "../secret.txt",                   // relative, outside
		"linkdir-out":     filepath.Join(base, "outside"),    // directory outside
		"link-in.js":      "loader.js",                       // stays inside: allowed
		"sub/link-up.txt": "../../secret.txt",
		"link-chain.txt":  "link-rel.txt", // inside, to a link that leads out
		"linkdir-up":      "..",           // the root's parent, as a folder
		"sub/linkdir-up":  "../..",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(root, filepath.FromSlash(name))); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func newHandler(t *testing.T, dir string) *Handler {
	t.Helper()
	h, err := New(dir)
	if err != nil {
		t.Fatalf("New(%q): %v", dir, err)
	}
	return h
}

// get runs one request through the handler. target is a raw request-target,
// parsed the way the HTTP server parses it (encoded bytes stay in RawPath).
func get(h http.Handler, method, target string, header map[string]string) *http.Response {
	req := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	var r io.Reader = resp.Body
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			t.Fatalf("gzip body: %v", err)
		}
		r = zr
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return string(b)
}

func TestNewRejectsBadDir(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		dir, want string
	}{
		{filepath.Join(dir, "missing"), "no such file"},
		{file, "not a directory"},
	} {
		_, err := New(tc.dir)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%q) = %v, want error containing %q", tc.dir, err, tc.want)
		}
	}
}

func TestContentTypeAndGzip(t *testing.T) {
	root := site(t)
	h := newHandler(t, root)
	for _, tc := range []struct {
		path, acceptEncoding string
		wantType             string
		wantGzip, wantVary   bool
		wantFile             string
	}{
		{"/main.wasm", "gzip", "application/wasm", true, true, "main.wasm"},
		{"/main.wasm", "", "application/wasm", false, true, "main.wasm"},
		{"/loader.js", "gzip, deflate, br", "text/javascript; charset=utf-8", true, true, "loader.js"},
		{"/scripts/wasm_exec.js", "br;q=1.0, gzip;q=0.8", "text/javascript; charset=utf-8", true, true, "scripts/wasm_exec.js"},
		{"/index.html", "GZIP", "text/html; charset=utf-8", true, true, "index.html"},
		{"/style.css", "*", "text/css; charset=utf-8", true, true, "style.css"},
		{"/weights/vae.safetensors", "x-gzip", "application/octet-stream", true, true, "weights/vae.safetensors"},
		{"/weights/cvae.safetensors", "gzip;q=0", "application/octet-stream", false, true, "weights/cvae.safetensors"},
		{"/weights/cvae.safetensors", "*, gzip;q=0", "application/octet-stream", false, true, "weights/cvae.safetensors"},
		{"/weights/cvae.safetensors", "*;q=0", "application/octet-stream", false, true, "weights/cvae.safetensors"},
		{"/weights/cvae.safetensors", "gzip;q=bogus", "application/octet-stream", false, true, "weights/cvae.safetensors"},
		{"/loader.js", "br, deflate", "text/javascript; charset=utf-8", false, true, "loader.js"},
		{"/docs/screenshot.png", "gzip", "image/png", false, false, "docs/screenshot.png"},
		{"/data.bin", "gzip", "application/octet-stream", false, false, "data.bin"},
		{"/scripts/wasm_exec.js.extra", "gzip", "application/octet-stream", false, false, "scripts/wasm_exec.js.extra"},
		{"/UPPER.HTML", "", "text/html; charset=utf-8", false, true, "UPPER.HTML"},
		{"/weights/README.md", "", "text/plain; charset=utf-8", false, true, "weights/README.md"},
		// gzip would make a one-byte file bigger: served as is.
		{"/tiny.js", "gzip", "text/javascript; charset=utf-8", false, true, "tiny.js"},
		{"/link-in.js", "gzip", "text/javascript; charset=utf-8", true, true, "loader.js"},
		{"/with%20space/file%20name.txt", "", "text/plain; charset=utf-8", false, true, "with space/file name.txt"},
		{"/percent%2541/literal.txt", "", "text/plain; charset=utf-8", false, true, "percent%41/literal.txt"},
	} {
		t.Run(tc.path+" "+tc.acceptEncoding, func(t *testing.T) {
			resp := get(h, "GET", tc.path, map[string]string{"Accept-Encoding": tc.acceptEncoding})
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d, want 200", resp.StatusCode)
			}
			if got := resp.Header.Get("Content-Type"); got != tc.wantType {
				t.Errorf("Content-Type %q, want %q", got, tc.wantType)
			}
			if got := resp.Header.Get("Content-Encoding") == "gzip"; got != tc.wantGzip {
				t.Errorf("gzip %v, want %v", got, tc.wantGzip)
			}
			if got := resp.Header.Get("Vary") == "Accept-Encoding"; got != tc.wantVary {
				t.Errorf("Vary %q, want Accept-Encoding: %v", resp.Header.Get("Vary"), tc.wantVary)
			}
			if got := resp.Header.Get("Cache-Control"); got != "no-cache" {
				t.Errorf("Cache-Control %q, want no-cache", got)
			}
			if resp.Header.Get("ETag") == "" || resp.Header.Get("Last-Modified") == "" {
				t.Errorf("missing validators: ETag %q, Last-Modified %q", resp.Header.Get("ETag"), resp.Header.Get("Last-Modified"))
			}
			want, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(tc.wantFile)))
			if err != nil {
				t.Fatal(err)
			}
			if got := body(t, resp); got != string(want) {
				t.Errorf("body differs from %s (%d bytes, want %d)", tc.wantFile, len(got), len(want))
			}
		})
	}
}

func TestNotServed(t *testing.T) {
	h := newHandler(t, site(t))
	for _, target := range []string{
		"/missing.js",
		"/../secret.txt",
		"/sub/../../secret.txt",
		"/%2e%2e/secret.txt",
		"/%2E%2E/secret.txt",
		"/.%2e/secret.txt",
		"/sub/%2e%2e/%2e%2e/secret.txt",
		"/..%2fsecret.txt",
		"/..%2Fsecret.txt",
		"/sub%2fdeeper%2ffile.txt", // an encoded slash, even harmless, is refused
		"/..%5csecret.txt",
		"/..\\secret.txt",
		"/sub\\deeper\\file.txt",
		"/%5c..%5csecret.txt",
		"/link-out.txt",
		"/link-rel.txt",
		"/linkdir-out/secret.txt",
		"/sub/link-up.txt",
		"/.hidden",
		"/weights/nested/.gitignore",
		"/./index.html",
		"/sub/./deeper/file.txt",
		"//index.html",
		"/sub//deeper/file.txt",
		"/index.html%00.png",
		"/sub/",        // directory without index.html: no listing
		"/sub",         // same without the slash
		"/sub/deeper/", // same, deeper
		"/empty/",      // only a hidden file inside
		"/index.html/", // a file asked for as a directory
		"/loader.js/x", // a file used as a directory
		"/weights/vae.safetensors/",
		// More spellings: double encoding, overlong UTF-8, NUL, ";" path
		// parameters, fullwidth dots, trailing dot segments, links in chains.
		"/%252e%252e/secret.txt",
		"/%c0%ae%c0%ae/secret.txt",
		"/%e0%80%ae%e0%80%ae/secret.txt",
		"/..%00/secret.txt",
		"/%00",
		"/..;/secret.txt",
		"/%EF%BC%8E%EF%BC%8E/secret.txt",
		"/%2e%2e%2f%2e%2e%2fsecret.txt",
		"/sub/..",
		"/sub/.",
		"/sub/%2e",
		"/sub/%2e%2e%5c%2e%2e%5csecret.txt",
		"/link-chain.txt",
		"/linkdir-up/secret.txt",
		"/linkdir-up/site/index.html",
		"/sub/linkdir-up/secret.txt",
		"/linkdir-out/",
	} {
		t.Run(target, func(t *testing.T) {
			resp := get(h, "GET", target, nil)
			got := body(t, resp)
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("status %d, want 404 (body %.40q)", resp.StatusCode, got)
			}
			if strings.Contains(got, "SECRET") {
				t.Errorf("leaked the secret file")
			}
		})
	}
}

// TestNotServedOverTCP sends raw request lines to a real server, because
// clients clean paths before sending them and httptest.NewRequest may reject
// what a hostile client can still put on the wire.
func TestNotServedOverTCP(t *testing.T) {
	srv := httptest.NewServer(newHandler(t, site(t)))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	for _, target := range []string{
		"/../secret.txt",
		"/%2e%2e/secret.txt",
		"/..%2fsecret.txt",
		"/..\\secret.txt",
		"/%2e%2e%5csecret.txt",
		"/link-out.txt",
		"/linkdir-out/secret.txt",
		"/sub/",
		"../secret.txt",
		"/sub/../../secret.txt",
		"/sub/..%2f..%2fsecret.txt",
		"/.%2e/.%2e/secret.txt",
		"/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
		"/..\\..\\secret.txt",
		"/linkdir-up/secret.txt",
		"http://" + addr + "/../secret.txt",
		"http://" + addr + "/%2e%2e/secret.txt",
	} {
		t.Run(target, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(10 * time.Second))
			fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", target, addr)
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			// 400 is the server refusing the line before the handler sees
			// it; also safe.
			if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusBadRequest {
				t.Errorf("status %d, want 404", resp.StatusCode)
			}
			if bytes.Contains(b, []byte("SECRET")) {
				t.Errorf("leaked the secret file")
			}
		})
	}
}

func TestDirectories(t *testing.T) {
	h := newHandler(t, site(t))
	for _, tc := range []struct {
		target       string
		wantStatus   int
		wantBody     string
		wantLocation string
	}{
		{"/", 200, "<!doctype html><title>demo</title>", ""},
		{"/?seed=1", 200, "<!doctype html><title>demo</title>", ""},
		{"/withindex/", 200, "nested index", ""},
		{"/withindex/sub/", 200, "nested twice", ""},
		{"/withindex", 301, "", "/withindex/"},
		{"/withindex?digit=3", 301, "", "/withindex/?digit=3"},
		{"/withindex/index.html", 200, "nested index", ""},
	} {
		t.Run(tc.target, func(t *testing.T) {
			resp := get(h, "GET", tc.target, map[string]string{"Accept-Encoding": "gzip"})
			got := body(t, resp)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.wantStatus)
			}
			if tc.wantStatus == 200 {
				if !strings.HasPrefix(got, tc.wantBody) {
					t.Errorf("body %.50q, want prefix %q", got, tc.wantBody)
				}
				if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
					t.Errorf("Content-Type %q", ct)
				}
			}
			if loc := resp.Header.Get("Location"); loc != tc.wantLocation {
				t.Errorf("Location %q, want %q", loc, tc.wantLocation)
			}
		})
	}
}

func TestMethods(t *testing.T) {
	h := newHandler(t, site(t))
	for _, tc := range []struct {
		method     string
		wantStatus int
		wantBody   bool
	}{
		{"GET", 200, true},
		{"HEAD", 200, false},
		{"POST", 405, false},
		{"PUT", 405, false},
		{"DELETE", 405, false},
	} {
		t.Run(tc.method, func(t *testing.T) {
			resp := get(h, tc.method, "/loader.js", nil)
			b := body(t, resp)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.wantStatus)
			}
			if tc.wantStatus == 405 && resp.Header.Get("Allow") != "GET, HEAD" {
				t.Errorf("Allow %q", resp.Header.Get("Allow"))
			}
			if tc.wantBody && !strings.HasPrefix(b, "function vaeplay") {
				t.Errorf("body %.30q", b)
			}
			if !tc.wantBody && tc.wantStatus == 200 && b != "" {
				t.Errorf("HEAD returned a body of %d bytes", len(b))
			}
		})
	}
}

func TestRevalidation(t *testing.T) {
	root := site(t)
	h := newHandler(t, root)
	plain := get(h, "GET", "/main.wasm", nil)
	body(t, plain)
	zipped := get(h, "GET", "/main.wasm", map[string]string{"Accept-Encoding": "gzip"})
	body(t, zipped)
	etag, gzETag := plain.Header.Get("ETag"), zipped.Header.Get("ETag")
	if etag == gzETag {
		t.Fatalf("identity and gzip share the ETag %s; caches would mix them up", etag)
	}
	for _, tc := range []struct {
		name       string
		header     map[string]string
		wantStatus int
	}{
		{"matching ETag", map[string]string{"If-None-Match": etag}, 304},
		{"matching gzip ETag", map[string]string{"If-None-Match": gzETag, "Accept-Encoding": "gzip"}, 304},
		{"gzip ETag, identity asked", map[string]string{"If-None-Match": gzETag}, 200},
		{"other ETag", map[string]string{"If-None-Match": `"old"`}, 200},
		{"not modified since", map[string]string{"If-Modified-Since": plain.Header.Get("Last-Modified")}, 304},
		{"modified since", map[string]string{"If-Modified-Since": "Mon, 02 Jan 2006 15:04:05 GMT"}, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := get(h, "GET", "/main.wasm", tc.header)
			body(t, resp)
			if resp.StatusCode != tc.wantStatus {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.wantStatus)
			}
		})
	}

	// A rebuild replaces main.wasm: the old ETag must no longer match, and the
	// gzip cache must not serve the old bytes.
	rebuilt := "\x00asm\x01\x00\x00\x00" + strings.Repeat("rebuilt wasm ", 300)
	p := filepath.Join(root, "main.wasm")
	if err := os.WriteFile(p, []byte(rebuilt), 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(p, later, later); err != nil {
		t.Fatal(err)
	}
	resp := get(h, "GET", "/main.wasm", map[string]string{"If-None-Match": gzETag, "Accept-Encoding": "gzip"})
	if resp.StatusCode != 200 {
		t.Fatalf("after rebuild: status %d, want 200", resp.StatusCode)
	}
	if got := body(t, resp); got != rebuilt {
		t.Errorf("after rebuild: served %d stale bytes", len(got))
	}
}

// TestRecreatedRoot checks that deleting and rebuilding the folder, as a
// clean `make site` does, is picked up by a running handler.
func TestRecreatedRoot(t *testing.T) {
	root := site(t)
	h := newHandler(t, root)
	if resp := get(h, "GET", "/embed.html", nil); resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if err := os.RemoveAll(root); err != nil {
		t.Fatal(err)
	}
	if resp := get(h, "GET", "/embed.html", nil); resp.StatusCode == 200 {
		t.Fatalf("served a deleted folder")
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "embed.html"), []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	resp := get(h, "GET", "/embed.html", nil)
	if got := body(t, resp); resp.StatusCode != 200 || got != "new" {
		t.Errorf("after rebuild: status %d body %q", resp.StatusCode, got)
	}
}

func TestAcceptsGzip(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   bool
	}{
		{"", false},
		{"gzip", true},
		{"GZip", true},
		{"x-gzip", true},
		{"deflate, gzip", true},
		{" gzip ; q=0.5 ", true},
		{"gzip;q=0", false},
		{"gzip;q=0.0", false},
		{"gzip;q=0.001", true},
		{"*", true},
		{"*;q=0", false},
		{"*, gzip;q=0", false},
		{"gzip;q=0, *", false},
		{"br", false},
		{"identity", false},
		{"gzipped", false},
		{"gzip;q=", false},
		{"gzip;level=9", true},
	} {
		if got := acceptsGzip(tc.header); got != tc.want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", tc.header, got, tc.want)
		}
	}
}

// TestConcurrentGzip asks for one file from many goroutines at once, as a
// browser does on the first load; every answer must be the whole file, and
// the race detector checks the cache.
func TestConcurrentGzip(t *testing.T) {
	root := site(t)
	h := newHandler(t, root)
	want, err := os.ReadFile(filepath.Join(root, "main.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	const n = 16
	errs := make(chan error, n)
	for range n {
		go func() {
			req := httptest.NewRequest("GET", "/main.wasm", nil)
			req.Header.Set("Accept-Encoding", "gzip")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			zr, err := gzip.NewReader(rec.Body)
			if err != nil {
				errs <- err
				return
			}
			got, err := io.ReadAll(zr)
			if err == nil && !bytes.Equal(got, want) {
				err = fmt.Errorf("got %d bytes, want the %d of main.wasm", len(got), len(want))
			}
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
