package e2e

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"vaeplay/tools/internal/static"
)

// badFile is one broken weights file and what the widget must say about it.
type badFile struct {
	name string   // file name under /bad/, and the subtest's name
	data []byte   // nil: not a file of its own (served by a handler)
	want []string // substrings of the one error that names the problem
}

// badWeights derives broken weights files from a good one (real), each with
// the one fault the widget must name.
func badWeights(real []byte) ([]badFile, error) {
	var files []badFile
	add := func(name string, data []byte, err error, want ...string) error {
		if err != nil {
			return fmt.Errorf("making %s: %w", name, err)
		}
		files = append(files, badFile{name: name, data: data, want: want})
		return nil
	}

	// Cut in the middle of the data section, as an interrupted copy leaves
	// it, and inside the header.
	if err := add("truncated.safetensors", slices.Clone(real[:len(real)/2]), nil, "truncated", "data section"); err != nil {
		return nil, err
	}
	if err := add("truncated-header.safetensors", slices.Clone(real[:100]), nil, "truncated", "header"); err != nil {
		return nil, err
	}

	// The header's config asks for 300 hidden units; the tensors have 400.
	shapes, err := editHeader(real, func(h map[string]json.RawMessage) error {
		var meta map[string]string
		if err := json.Unmarshal(h["__metadata__"], &meta); err != nil {
			return err
		}
		var cfg map[string]any
		if err := json.Unmarshal([]byte(meta["config"]), &cfg); err != nil {
			return err
		}
		cfg["hidden"] = []int{300}
		b, err := json.Marshal(cfg)
		if err != nil {
			return err
		}
		meta["config"] = string(b)
		h["__metadata__"], err = json.Marshal(meta)
		return err
	})
	if err := add("shapes.safetensors", shapes, err, "shape", "config wants"); err != nil {
		return nil, err
	}

	// One weight of the first tensor's data is NaN.
	nan := slices.Clone(real)
	if n, err := headerEnd(nan); err == nil {
		binary.LittleEndian.PutUint32(nan[n+4*5:], math.Float32bits(float32(math.NaN())))
	}
	if err := add("nan.safetensors", nan, nil, "NaN"); err != nil {
		return nil, err
	}

	// Every tensor claims to be I32, which is the same size as F32.
	dtype, err := editHeader(real, func(h map[string]json.RawMessage) error {
		for name, raw := range h {
			if name == "__metadata__" {
				continue
			}
			var t map[string]any
			if err := json.Unmarshal(raw, &t); err != nil {
				return err
			}
			t["dtype"] = "I32"
			b, err := json.Marshal(t)
			if err != nil {
				return err
			}
			h[name] = b
		}
		return nil
	})
	if err := add("dtype.safetensors", dtype, err, "dtype", "I32"); err != nil {
		return nil, err
	}

	// The 8-byte header length says 2^60.
	huge := slices.Clone(real)
	binary.LittleEndian.PutUint64(huge, 1<<60)
	if err := add("header.safetensors", huge, nil, "header length 1152921504606846976"); err != nil {
		return nil, err
	}

	// A server's "not found" page where the file should be.
	if err := add("missing.safetensors", nil, nil, "HTTP 404"); err != nil {
		return nil, err
	}
	return files, nil
}

// headerEnd returns the offset of a safetensors file's data section.
func headerEnd(data []byte) (int, error) {
	if len(data) < 8 {
		return 0, errors.New("shorter than the header length")
	}
	n := binary.LittleEndian.Uint64(data)
	if n > uint64(len(data)-8) {
		return 0, fmt.Errorf("header length %d beyond the file's %d bytes", n, len(data))
	}
	return 8 + int(n), nil
}

// editHeader returns a copy of a safetensors file whose JSON header edit
// has changed; the data section stays as it was.
func editHeader(data []byte, edit func(map[string]json.RawMessage) error) ([]byte, error) {
	end, err := headerEnd(data)
	if err != nil {
		return nil, err
	}
	var h map[string]json.RawMessage
	if err := json.Unmarshal(data[8:end], &h); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	if err := edit(h); err != nil {
		return nil, err
	}
	header, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	// The format pads the header with spaces so that the data is aligned.
	for len(header)%8 != 0 {
		header = append(header, ' ')
	}
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	out = append(out, header...)
	return append(out, data[end:]...), nil
}

// notFoundPage answers like many static hosts do for a missing file: status
// 404 with an HTML page, which a careless loader would try to parse.
func notFoundPage(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	fmt.Fprint(w, "<!doctype html><html><head><title>404 Not Found</title></head><body><h1>Not Found</h1><p>The requested URL was not found on this server.</p></body></html>\n")
}

// TestBadWeights gives the widget broken weights files through weights= and
// checks that each is named in a clear error, and that the widget falls back
// to the shipped weights and draws a digit with either model.
func TestBadWeights(t *testing.T) {
	// A snapshot of the site, with the bad files in bad/ beside it: the test
	// neither writes into the build folder nor trips over a rebuild of it.
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(siteDir(t))); err != nil {
		t.Fatalf("copying the site: %v", err)
	}
	real, err := os.ReadFile(filepath.Join(dir, "weights", "cvae.safetensors"))
	if err != nil {
		need(t, "no shipped weights in the site: %v", err)
	}
	bad, err := badWeights(real)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "bad"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range bad {
		if f.data != nil {
			if err := os.WriteFile(filepath.Join(dir, "bad", f.name), f.data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}

	site, err := static.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/", site)
	mux.HandleFunc("/bad/missing.safetensors", notFoundPage)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	base := srv.URL + "/"

	// Another origin (another port) with a good file but no CORS header: the
	// browser refuses to hand the body to the page.
	// It counts requests, to tell a refusal from a server that was never
	// reached.
	var otherHits atomic.Int64
	files := http.FileServer(http.Dir(filepath.Join(dir, "weights")))
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherHits.Add(1)
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(other.Close)

	type weightsCase struct {
		name string
		url  string
		want []string
	}
	var cases []weightsCase
	for _, f := range bad {
		cases = append(cases, weightsCase{f.name, "bad/" + f.name, f.want})
	}
	crossOrigin := other.URL + "/cvae.safetensors"
	cases = append(cases, weightsCase{"cross-origin without CORS", crossOrigin, []string{"fetch failed", "CORS"}})

	tb := openTab(t, startBrowser(t))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tb.t = t
			q := "embed.html?weights=" + url.QueryEscape(c.url) + "&seed=1"
			start := time.Now()
			tb.navigate(base + q)
			s := tb.waitState(`status "ready" despite the bad weights`, loadTimeout, true, func(s *State) bool { return s.Status == "ready" })
			t.Logf("%s: ready after %.1f s; errors: %q", q, time.Since(start).Seconds(), s.Errors)
			checkReady(t, s)
			i := slices.IndexFunc(s.Errors, func(e string) bool {
				for _, w := range c.want {
					if !strings.Contains(e, w) {
						return false
					}
				}
				return true
			})
			switch {
			case i < 0:
				t.Errorf("no error containing all of %q; errors: %q", c.want, s.Errors)
			case !strings.Contains(s.Errors[i], c.url):
				t.Errorf("error %q does not name the URL %s", s.Errors[i], c.url)
			case !strings.Contains(s.Errors[i], "using the default weights"):
				t.Errorf("error %q does not say what the widget does instead", s.Errors[i])
			}
			if len(s.Errors) != 1 {
				t.Errorf("%d errors, want the one about the weights: %q", len(s.Errors), s.Errors)
			}
			if s.Model != "cvae" || s.Seed != 1 {
				t.Errorf("model %q seed %v, want the default cvae with seed 1", s.Model, s.Seed)
			}
			if c.url == crossOrigin && otherHits.Load() == 0 {
				t.Errorf("%s was never asked for: the failure is not the CORS refusal under test", c.url)
			}
			tb.waitPixels("digit area with the default CVAE", s.Layout.Digit, notBlank)
			// The other model works too.
			tb.press('a')
			s = tb.waitState("the plain VAE after pressing a", actionTimeout, true, func(s *State) bool { return s.Model == "vae" && s.Status == "ready" })
			tb.waitPixels("digit area with the default VAE", s.Layout.Digit, notBlank)
		})
	}
}

// TestBadMessages posts messages to the widget that its JavaScript side must
// survive before the Go parser sees them (a cycle and a BigInt, which
// JSON.stringify throws on; a buffer, which it turns into {}), along with
// malformed commands and messages that are not the widget's business. Each
// malformed command adds one error; the rest are ignored; the widget keeps
// its state and still obeys a good command afterwards.
func TestBadMessages(t *testing.T) {
	base := serve(t, siteDir(t))
	tb := openTab(t, startBrowser(t))
	tb.navigate(base + "embed.html?seed=1&digit=2")
	before := tb.waitState(`status "ready"`, loadTimeout, false, func(s *State) bool { return s.Status == "ready" })
	checkReady(t, before)

	cases := []struct {
		js   string // an expression for the message
		want string // substring of its error; "" when it must be ignored
	}{
		{`(() => { const o = {target: "vaeplay", type: "set"}; o.self = o; return o; })()`, "JSON"},
		{`({target: "vaeplay", type: "set", seed: 10n})`, "JSON"},
		{`({target: "vaeplay", type: "sample", data: new ArrayBuffer(8)})`, `unknown field "data"`},
		{`({target: "vaeplay", type: "set", digit: "x".repeat(100000)})`, "digit"},
		{`({target: "vaeplay", type: "set", seed: -1})`, "seed -1"},
		{`({target: "vaeplay"})`, `missing field "type"`},
		{`({target: "vaeplay", type: "set", model: null})`, "model null"},
		{`"vaeplay"`, ""},
		{`({target: "someone-else", type: "set", digit: 3})`, ""},
		{`null`, ""},
	}
	var post strings.Builder
	want := 0
	for _, c := range cases {
		fmt.Fprintf(&post, "window.postMessage(%s, \"*\");\n", c.js)
		if c.want != "" {
			want++
		}
	}
	var ok bool
	if err := tb.eval(`JSON.stringify((() => {`+post.String()+`return true; })())`, &ok); err != nil || !ok {
		t.Fatalf("posting the messages: %v", err)
	}
	s := tb.waitState(fmt.Sprintf("%d errors", want), actionTimeout, true, func(s *State) bool { return len(s.Errors) >= want })
	for _, c := range cases {
		if c.want != "" && !slices.ContainsFunc(s.Errors, func(e string) bool { return strings.Contains(e, c.want) }) {
			t.Errorf("message %s: no error containing %q; errors: %q", c.js, c.want, s.Errors)
		}
	}
	var shown []string
	for _, e := range s.Errors {
		if len(e) > 200 {
			e = fmt.Sprintf("%s… (%d bytes)", e[:200], len(e))
		}
		shown = append(shown, e)
	}
	t.Logf("%d messages, %d errors:\n%s", len(cases), len(s.Errors), strings.Join(shown, "\n"))
	if s.Status != "ready" || s.Model != before.Model || s.Digit != before.Digit || s.Seed != before.Seed || s.Samples != before.Samples {
		t.Errorf("after malformed messages: status %q model %q digit %d seed %v samples %d, want them unchanged from %q %q %d %v %d",
			s.Status, s.Model, s.Digit, s.Seed, s.Samples, before.Status, before.Model, before.Digit, before.Seed, before.Samples)
	}

	time.Sleep(500 * time.Millisecond) // a late error would show now
	if s, _ := tb.state(); s != nil && len(s.Errors) != want {
		t.Errorf("%d errors, want one per malformed command (%d): %q", len(s.Errors), want, s.Errors)
	}
	if err := tb.eval(`JSON.stringify((() => { window.postMessage({target: "vaeplay", type: "set", digit: 3, seed: 5}, "*"); return true; })())`, &ok); err != nil {
		t.Fatal(err)
	}
	s = tb.waitState("digit 3 seed 5 after a good command", actionTimeout, true, func(s *State) bool { return s.Digit == 3 && s.Seed == 5 })
	tb.waitPixels("digit area after the good command", s.Layout.Digit, notBlank)
}
