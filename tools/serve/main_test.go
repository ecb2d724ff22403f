package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRunRejects(t *testing.T) {
	dir := t.TempDir()
	noIndex := filepath.Join(dir, "site")
	if err := os.Mkdir(noIndex, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"missing dir", []string{"-dir", filepath.Join(dir, "nope")}, "does not exist: run make site"},
		{"no index", []string{"-dir", noIndex}, noIndex + " has no index.html: run make site"},
		{"file as dir", []string{"-dir", file}, "is not a directory"},
		{"unknown flag", []string{"-port", "1"}, "flag provided but not defined"},
		{"stray argument", []string{"-dir", noIndex, "extra"}, `unexpected arguments ["extra"]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := run(context.Background(), tc.args, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("run(%q) = %v, want error containing %q", tc.args, err, tc.want)
			}
		})
	}
}

func TestRunServesAndStops(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte("<title>vaeplay</title>"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.wasm"), []byte("\x00asm"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-dir", dir, "-addr", "127.0.0.1:0"}, pw, io.Discard)
		pw.Close()
	}()

	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the banner: %v (run: %v)", err, <-done)
	}
	go io.Copy(io.Discard, pr)
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "vaeplay demo: ")
	if !ok || !strings.HasPrefix(url, "http://127.0.0.1:") || !strings.HasSuffix(url, "/") {
		t.Fatalf("banner %q, want vaeplay demo: http://127.0.0.1:PORT/", line)
	}
	for _, tc := range []struct {
		path, wantType string
	}{
		{"", "text/html; charset=utf-8"},
		{"main.wasm", "application/wasm"},
	} {
		resp, err := http.Get(url + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != tc.wantType {
			t.Errorf("GET /%s: %d %q, want 200 %q", tc.path, resp.StatusCode, resp.Header.Get("Content-Type"), tc.wantType)
		}
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run after cancel: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after cancel")
	}
	if _, err := http.Get(url); err == nil {
		t.Errorf("server still answers after shutdown")
	}
}

// nonLoopback returns an address of this machine other than loopback, or
// "" if it has none.
func nonLoopback(t *testing.T) string {
	t.Helper()
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if ip, ok := a.(*net.IPNet); ok && ip.IP.To4() != nil && !ip.IP.IsLoopback() {
			return ip.IP.String()
		}
	}
	return ""
}

// TestBindsLoopbackByDefault starts the server without -addr and checks that
// it answers on 127.0.0.1:8080 but not on the machine's other addresses,
// and that -addr 0.0.0.0:PORT, asked for explicitly, answers on both.
func TestBindsLoopbackByDefault(t *testing.T) {
	other := nonLoopback(t)
	if other == "" {
		t.Skip("no address besides loopback to check against")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte("<title>vaeplay</title>"), 0o644); err != nil {
		t.Fatal(err)
	}
	free, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	port := fmt.Sprint(free.Addr().(*net.TCPAddr).Port)
	free.Close()
	for _, tc := range []struct {
		name      string
		args      []string
		port      string
		wantOther bool
	}{
		{"default", nil, "8080", false},
		{"all interfaces", []string{"-addr", "0.0.0.0:" + port}, port, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			pr, pw := io.Pipe()
			done := make(chan error, 1)
			go func() {
				done <- run(ctx, append([]string{"-dir", dir}, tc.args...), pw, io.Discard)
				pw.Close()
			}()
			defer func() { cancel(); <-done }()
			if _, err := bufio.NewReader(pr).ReadString('\n'); err != nil {
				cancel()
				if err := <-done; err != nil && strings.Contains(err.Error(), "address already in use") {
					t.Skipf("port %s is taken: %v", tc.port, err)
				}
				t.Fatalf("no banner: %v", err)
			}
			go io.Copy(io.Discard, pr)
			for _, host := range []string{"127.0.0.1", other} {
				conn, err := net.DialTimeout("tcp", net.JoinHostPort(host, tc.port), 2*time.Second)
				if err == nil {
					conn.Close()
				}
				want := host == "127.0.0.1" || tc.wantOther
				if (err == nil) != want {
					t.Errorf("connect to %s:%s: %v, want reachable %v", host, tc.port, err, want)
				}
			}
		})
	}
}
