package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// loadSite returns the site to load-test: the built one named by
// VAEPLAY_SITE (make test sets it), or else a generated one of similar
// shape, with a 4 MB main.wasm and 2.6 MB of weights.
func loadSite(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv("VAEPLAY_SITE"); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "main.wasm")); err == nil {
			return dir
		}
		t.Logf("VAEPLAY_SITE=%s has no main.wasm; generating a site", dir)
	}
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	// Code-like bytes: a small alphabet so gzip has something to do.
	wasm := make([]byte, 4<<20)
	for i := range wasm {
		wasm[i] = "\x00\x01\x20\x41\x0b\x10\x21\x6a"[rng.IntN(8)]
	}
	weights := make([]byte, 2612648)
	for i := range weights {
		weights[i] = byte(rng.Uint32())
	}
	files := map[string][]byte{
		"index.html":              []byte(strings.Repeat("<p>vaeplay</p>\n", 600)),
		"main.wasm":               wasm,
		"weights/vae.safetensors": weights,
	}
	if err := os.Mkdir(filepath.Join(dir, "weights"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// startServe runs the command's run on an ephemeral loopback port until the
// test ends and returns its URL.
func startServe(t *testing.T, dir string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-dir", dir, "-addr", "127.0.0.1:0"}, pw, io.Discard)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the banner: %v", err)
	}
	go io.Copy(io.Discard, pr)
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "vaeplay demo: ")
	if !ok {
		t.Fatalf("banner %q", line)
	}
	return url
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// expected is what every response for one path must be.
type expected struct {
	path        string
	contentType string
	gzip        bool
	size        int
	sum         uint32 // CRC-32C of the body as sent: cheap enough for gigabytes
}

// TestLoad sends 2,000 GETs from 16 concurrent clients over loopback, in
// turn for the page, main.wasm and the weights, and checks every response
// byte for byte. It asks for gzip alone: Go's standard library has no brotli
// reader, the choice of the .br twin is tested in tools/internal/static, and
// Chromium decoding it in the browser test shows the twin whole. It
// reports the request and error counts and the latency percentiles.
func TestLoad(t *testing.T) {
	const (
		requests = 2000
		clients  = 16
	)
	if testing.Short() {
		t.Skip("moves a few gigabytes over loopback")
	}
	dir := loadSite(t)
	url := startServe(t, dir)
	transport := &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: clients}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 30 * time.Second}
	// Alone it takes 10 to 20 s on two cores; beside the browser test and
	// training tests in make test, over 2 minutes.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	get := func(path string) (*http.Response, []byte, error) {
		req, err := http.NewRequestWithContext(ctx, "GET", url+path, nil)
		if err != nil {
			return nil, nil, err
		}
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := client.Do(req)
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp, b, err
	}

	// The first response for each path, checked against the file, sets what
	// all the others must be.
	var want []expected
	for _, tc := range []struct{ path, file, contentType string }{
		{"", "index.html", "text/html; charset=utf-8"},
		{"main.wasm", "main.wasm", "application/wasm"},
		{"weights/vae.safetensors", "weights/vae.safetensors", "application/octet-stream"},
	} {
		file, err := os.ReadFile(filepath.Join(dir, tc.file))
		if err != nil {
			t.Fatal(err)
		}
		resp, body, err := get(tc.path)
		if err != nil {
			t.Fatal(err)
		}
		e := expected{path: tc.path, contentType: tc.contentType, gzip: resp.Header.Get("Content-Encoding") == "gzip", size: len(body), sum: crc32.Checksum(body, castagnoli)}
		plain := body
		if e.gzip {
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatalf("/%s: %v", tc.path, err)
			}
			if plain, err = io.ReadAll(zr); err != nil {
				t.Fatalf("/%s: %v", tc.path, err)
			}
		}
		if !bytes.Equal(plain, file) {
			t.Fatalf("/%s: body is not %s", tc.path, tc.file)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "no-cache" || resp.Header.Get("ETag") == "" {
			t.Errorf("/%s: Cache-Control %q, ETag %q: want no-cache and an ETag so that a rebuilt site is never stale", tc.path, cc, resp.Header.Get("ETag"))
		}
		t.Logf("/%s: %d bytes, %d sent (gzip %v)", tc.path, len(file), len(body), e.gzip)
		want = append(want, e)
	}
	if !want[1].gzip {
		t.Errorf("main.wasm was not gzipped")
	}

	var (
		mu        sync.Mutex
		latencies []time.Duration
		byPath    = map[string][]time.Duration{}
		errs      []string
		bytesRead int64
	)
	jobs := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				e := want[i%len(want)]
				t0 := time.Now()
				resp, body, err := get(e.path)
				d := time.Since(t0)
				switch {
				case err != nil:
				case resp.StatusCode != http.StatusOK:
					err = fmt.Errorf("status %d", resp.StatusCode)
				case resp.Header.Get("Content-Type") != e.contentType:
					err = fmt.Errorf("Content-Type %q", resp.Header.Get("Content-Type"))
				case (resp.Header.Get("Content-Encoding") == "gzip") != e.gzip || len(body) != e.size || crc32.Checksum(body, castagnoli) != e.sum:
					err = fmt.Errorf("body of %d bytes differs from the first response's", len(body))
				}
				mu.Lock()
				latencies = append(latencies, d)
				byPath[e.path] = append(byPath[e.path], d)
				bytesRead += int64(len(body))
				if err != nil {
					errs = append(errs, fmt.Sprintf("request %d /%s: %v", i, e.path, err))
				}
				mu.Unlock()
			}
		}()
	}
	for i := range requests {
		if ctx.Err() != nil {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	wall := time.Since(start)

	// pct returns the p-th percentile of sorted latencies.
	pct := func(ds []time.Duration, p int) time.Duration { return ds[(len(ds)-1)*p/100].Round(time.Microsecond) }
	for _, e := range want {
		ds := byPath[e.path]
		slices.Sort(ds)
		t.Logf("/%s: %d requests, latency p50 %v p95 %v p99 %v", e.path, len(ds), pct(ds, 50), pct(ds, 95), pct(ds, 99))
	}
	slices.Sort(latencies)
	t.Logf("%d requests from %d clients in %v (%.0f req/s, %.0f MB/s): %d errors; latency p50 %v p95 %v p99 %v max %v",
		len(latencies), clients, wall.Round(time.Millisecond), float64(len(latencies))/wall.Seconds(),
		float64(bytesRead)/1e6/wall.Seconds(), len(errs),
		pct(latencies, 50), pct(latencies, 95), pct(latencies, 99), pct(latencies, 100))
	if len(latencies) != requests {
		t.Errorf("%d of %d requests sent within the time limit", len(latencies), requests)
	}
	if len(errs) > 0 {
		t.Errorf("%d errors, the first: %s", len(errs), strings.Join(errs[:min(5, len(errs))], "; "))
	}
}
