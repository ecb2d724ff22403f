// Command serve serves the built vaeplay site (make site) on the loopback
// interface, for trying the demo in a local browser:
//
//	go run ./tools/serve -dir build/site -addr 127.0.0.1:8080
//
// It binds 127.0.0.1 unless told otherwise, serves main.wasm as
// application/wasm with gzip, and stops cleanly on Ctrl-C.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"vaeplay/tools/internal/static"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "serve:", err)
		}
		os.Exit(2)
	}
}

// run parses args, serves until ctx is done, then shuts the server down,
// letting requests in flight finish.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "build/site", "site folder to serve (built by `make site`)")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on; the default keeps the demo private to this machine")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if err := checkSite(*dir); err != nil {
		return err
	}
	h, err := static.New(*dir)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{
		Handler: h,
		// A client that trickles its headers, or holds idle connections
		// open, must not tie the server up; no write timeout, because a
		// 20 MB main.wasm may take a while over a slow link.
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	fmt.Fprintf(stdout, "vaeplay demo: %s\n", siteURL(ln.Addr()))

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// checkSite explains how to get a site folder when dir is not one, which is
// what a newcomer meets first when they run serve before make site.
func checkSite(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("%s does not exist: run make site", dir)
	case err != nil:
		return fmt.Errorf("site folder: %w", err)
	case !fi.IsDir():
		return fmt.Errorf("%s is not a directory", dir)
	}
	if _, err := os.Stat(filepath.Join(dir, "index.html")); err != nil {
		return fmt.Errorf("%s has no index.html: run make site", dir)
	}
	return nil
}

// siteURL is the address to open in a browser; an unspecified host (":8080",
// "0.0.0.0:8080") is reached through loopback.
func siteURL(a net.Addr) string {
	host, port := "127.0.0.1", ""
	if tcp, ok := a.(*net.TCPAddr); ok {
		port = fmt.Sprint(tcp.Port)
		if !tcp.IP.IsUnspecified() {
			host = tcp.IP.String()
		}
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}
