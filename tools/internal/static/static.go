// Package static serves the files of one folder over HTTP, the way the vaeplay
// site needs them: exact Content-Types (application/wasm is required by
// WebAssembly.instantiateStreaming), compression for the large text-like
// files, revalidation on every load so a rebuilt main.wasm is never stale,
// and nothing outside the folder, whatever the spelling of the request path.
//
// Compression: a file NAME may have precompressed twins NAME.br (brotli) and
// NAME.gz (gzip), written when the site is built (make site does, with the
// slow best settings that a server cannot afford per request). A twin is
// served in NAME's place, with its Content-Encoding, to a client that
// accepts that encoding, brotli first, as long as it is a regular file no
// older than NAME; a stale or missing twin falls back to gzip computed here
// once per version of NAME, at a fast level.
package static

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// contentTypes maps a lower-case file extension to the Content-Type served for
// it. The table is explicit rather than taken from the mime package because
// the system's mime.types differs between machines (some lack .wasm).
var contentTypes = map[string]string{
	".html":        "text/html; charset=utf-8",
	".htm":         "text/html; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".json":        "application/json",
	".map":         "application/json",
	".txt":         "text/plain; charset=utf-8",
	".md":          "text/plain; charset=utf-8",
	".svg":         "image/svg+xml",
	".wasm":        "application/wasm",
	".safetensors": "application/octet-stream",
	".png":         "image/png",
	".jpg":         "image/jpeg",
	".jpeg":        "image/jpeg",
	".gif":         "image/gif",
	".webp":        "image/webp",
	".ico":         "image/x-icon",
}

// compressible lists the extensions worth gzipping. Images are compressed
// already; gzip would only cost time.
var compressible = map[string]bool{
	".html": true, ".htm": true, ".js": true, ".mjs": true, ".css": true,
	".json": true, ".map": true, ".txt": true, ".md": true, ".svg": true,
	".wasm": true, ".safetensors": true,
}

// Handler serves the files under one root folder. Create it with New; it is
// safe for concurrent use.
type Handler struct {
	dir string

	mu sync.Mutex
	gz map[string]*gzEntry // by slash-separated name inside the root
}

// gzEntry is the gzipped body of one version of one file, computed once.
type gzEntry struct {
	modTime time.Time
	size    int64

	once sync.Once
	data []byte // nil when gzip does not make the file smaller
	err  error
}

// New returns a Handler serving the files under dir. dir must exist and be a
// directory; it is reopened on every request, so rebuilding the folder (even
// deleting and recreating it) while serving is fine.
func New(dir string) (*Handler, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("static: %w", err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("static: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("static: %s is not a directory", dir)
	}
	return &Handler{dir: abs, gz: make(map[string]*gzEntry)}, nil
}

// ServeHTTP serves GET and HEAD requests for files under the root. Anything
// that does not name a regular file inside the root (traversal, hidden files,
// symlinks leading out, directories without index.html) is 404.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name, dirWanted, ok := cleanName(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	// os.Root confines every lookup, including symlinks, to the folder; it is
	// opened per request so that a recreated folder is picked up.
	root, err := os.OpenRoot(h.dir)
	if err != nil {
		http.Error(w, "site folder unavailable", http.StatusInternalServerError)
		return
	}
	defer root.Close()

	f, fi, err := openRegular(root, name)
	if errors.Is(err, errIsDir) {
		index := path.Join(name, "index.html")
		if f, fi, err = openRegular(root, index); err != nil {
			http.NotFound(w, r)
			return
		}
		defer f.Close()
		if !dirWanted {
			// Relative links in index.html resolve against the folder only
			// when the URL ends in a slash.
			target := r.URL.EscapedPath() + "/"
			if r.URL.RawQuery != "" {
				target += "?" + r.URL.RawQuery
			}
			http.Redirect(w, r, target, http.StatusMovedPermanently)
			return
		}
		name = index
	} else if err != nil || dirWanted {
		if f != nil {
			f.Close()
		}
		http.NotFound(w, r)
		return
	} else {
		defer f.Close()
	}
	h.serveFile(w, r, name, f, fi)
}

// errIsDir reports that a name is a directory, which is served through its
// index.html.
var errIsDir = errors.New("is a directory")

// openRegular opens name inside root and returns it only if it is a regular
// file; a directory yields errIsDir.
func openRegular(root *os.Root, name string) (*os.File, fs.FileInfo, error) {
	f, err := root.Open(name)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if fi.IsDir() {
		f.Close()
		return nil, nil, errIsDir
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, nil, fmt.Errorf("%s: not a regular file", name)
	}
	return f, fi, nil
}

// cleanName turns the request path into a name for os.Root, or reports false
// when the path is suspicious. It rejects rather than cleans: a legitimate
// page never asks for "..", "\", encoded slashes or hidden files, so such a
// request is an attack or a bug and gets 404 either way.
func cleanName(r *http.Request) (name string, dirWanted, ok bool) {
	p := r.URL.Path
	raw := strings.ToLower(r.URL.RawPath)
	if !strings.HasPrefix(p, "/") || strings.ContainsAny(p, "\\\x00") ||
		strings.Contains(raw, "%2f") || strings.Contains(raw, "%5c") {
		return "", false, false
	}
	p = p[1:]
	if p == "" {
		return ".", true, true
	}
	if strings.HasSuffix(p, "/") {
		dirWanted = true
		p = p[:len(p)-1]
	}
	for seg := range strings.SplitSeq(p, "/") {
		// Empty segments ("a//b") and dot-files, which include "." and "..".
		if seg == "" || seg[0] == '.' {
			return "", false, false
		}
	}
	return p, dirWanted, true
}

// serveFile writes f, gzipped when that is allowed and worthwhile, with the
// caching headers; http.ServeContent answers conditional and range requests.
func (h *Handler) serveFile(w http.ResponseWriter, r *http.Request, name string, f *os.File, fi fs.FileInfo) {
	ext := strings.ToLower(path.Ext(name))
	ctype, ok := contentTypes[ext]
	if !ok {
		ctype = "application/octet-stream"
	}
	hdr := w.Header()
	hdr.Set("Content-Type", ctype)
	hdr.Set("X-Content-Type-Options", "nosniff")
	// no-cache means "store, but revalidate before use": a reload after
	// `make site` costs one 304 per unchanged file and fetches what changed.
	hdr.Set("Cache-Control", "no-cache")
	etag := fmt.Sprintf(`"%s-%s`, strconv.FormatInt(fi.ModTime().UnixNano(), 36), strconv.FormatInt(fi.Size(), 36))

	var body io.ReadSeeker = f
	if compressible[ext] {
		hdr.Add("Vary", "Accept-Encoding")
		accept := r.Header.Get("Accept-Encoding")
		if twin, enc := h.precompressed(name, fi, accept); twin != nil {
			defer twin.Close()
			hdr.Set("Content-Encoding", enc)
			body = twin
			etag += "-" + enc
		} else if acceptsGzip(accept) {
			data, err := h.gzipped(name, f, fi)
			if err != nil {
				http.Error(w, "cannot read file", http.StatusInternalServerError)
				return
			}
			if data != nil {
				hdr.Set("Content-Encoding", "gzip")
				body = bytes.NewReader(data)
				// A different representation needs a different strong ETag.
				etag += "-gz"
			}
		}
	}
	hdr.Set("ETag", etag+`"`)
	http.ServeContent(w, r, name, fi.ModTime(), body)
}

// twins are the precompressed files that may stand beside a file, in the
// order they are preferred: brotli is about a third smaller than gzip on
// main.wasm.
var twins = []struct{ suffix, encoding string }{
	{".br", "br"},
	{".gz", "gzip"},
}

// precompressed opens the best twin of name (see the package doc) that the
// Accept-Encoding header accept allows, and returns it with its encoding;
// nil when there is none to serve. Opening goes through a fresh os.Root, so
// a twin cannot lead outside the folder either.
func (h *Handler) precompressed(name string, fi fs.FileInfo, accept string) (*os.File, string) {
	var root *os.Root
	defer func() {
		if root != nil {
			root.Close()
		}
	}()
	for _, tw := range twins {
		if !accepts(accept, tw.encoding) {
			continue
		}
		if root == nil {
			var err error
			if root, err = os.OpenRoot(h.dir); err != nil {
				return nil, ""
			}
		}
		f, tfi, err := openRegular(root, name+tw.suffix)
		if err != nil {
			continue
		}
		if tfi.ModTime().Before(fi.ModTime()) || tfi.Size() == 0 {
			f.Close() // stale: NAME was rebuilt after its twin was written
			continue
		}
		return f, tw.encoding
	}
	return nil, ""
}

// gzipped returns the gzipped contents of f, cached by name, modification
// time and size so that each version of a file is compressed once. It returns
// nil data when gzip does not make the file smaller.
func (h *Handler) gzipped(name string, f *os.File, fi fs.FileInfo) ([]byte, error) {
	h.mu.Lock()
	e := h.gz[name]
	if e == nil || !e.modTime.Equal(fi.ModTime()) || e.size != fi.Size() {
		e = &gzEntry{modTime: fi.ModTime(), size: fi.Size()}
		h.gz[name] = e
	}
	h.mu.Unlock()

	e.once.Do(func() {
		var buf bytes.Buffer
		// Level 5: on a 20 MB main.wasm it takes a third of the time of
		// level 9 for 2% more bytes, and the first reader waits for it.
		zw, err := gzip.NewWriterLevel(&buf, 5)
		if err != nil {
			e.err = err
			return
		}
		if _, err := io.Copy(zw, io.NewSectionReader(f, 0, fi.Size())); err != nil {
			e.err = fmt.Errorf("gzip %s: %w", name, err)
			return
		}
		if err := zw.Close(); err != nil {
			e.err = fmt.Errorf("gzip %s: %w", name, err)
			return
		}
		if int64(buf.Len()) < fi.Size() {
			e.data = buf.Bytes()
		}
	})
	if e.err != nil {
		// Forget the failure so that a later request retries.
		h.mu.Lock()
		if h.gz[name] == e {
			delete(h.gz, name)
		}
		h.mu.Unlock()
	}
	return e.data, e.err
}

// acceptsGzip reports whether an Accept-Encoding header value allows gzip:
// "gzip" (or the legacy "x-gzip") or "*" with a non-zero quality, unless gzip
// itself is explicitly refused with q=0.
func acceptsGzip(header string) bool { return accepts(header, "gzip") }

// accepts reports whether an Accept-Encoding header value allows the content
// coding enc ("gzip" also matches the legacy "x-gzip"): named, or "*", with
// a non-zero quality, unless enc itself is explicitly refused with q=0.
func accepts(header, enc string) bool {
	star, got := false, 0 // got: 0 unmentioned, 1 accepted, -1 refused
	for part := range strings.SplitSeq(header, ",") {
		coding, params, _ := strings.Cut(part, ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		accepted := qualityPositive(params)
		switch {
		case coding == enc || enc == "gzip" && coding == "x-gzip":
			if accepted {
				got = 1
			} else if got == 0 {
				got = -1
			}
		case coding == "*":
			star = accepted
		}
	}
	return got == 1 || (got == 0 && star)
}

// qualityPositive reports whether the parameters of one Accept-Encoding entry
// leave its quality above zero. A malformed q counts as refusal, the safe
// reading for a header the server cannot understand.
func qualityPositive(params string) bool {
	for param := range strings.SplitSeq(params, ";") {
		k, v, ok := strings.Cut(param, "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		return err == nil && q > 0
	}
	return true
}
