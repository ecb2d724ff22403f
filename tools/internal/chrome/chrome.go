// Package chrome starts the headless Chromium that the project's browser
// tools drive through chromedp: the end-to-end test (tools/e2e) and the
// browser benchmark (tools/benchweb). Both run the same browser with the
// same flags, the ones DESIGN.md fixes, so that what one measures is what
// the other tests.
package chrome

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"

	"github.com/chromedp/chromedp"
)

// debianChromium is where Debian's chromium package installs its launcher.
const debianChromium = "/usr/bin/chromium"

// ErrNotFound is the error Path and Start wrap when there is no browser to
// run: callers that can do without one (a test on a developer's machine)
// tell it apart from a browser that failed to start.
var ErrNotFound = errors.New("no chromium found")

// Path returns the browser to drive: $VAEPLAY_CHROMIUM when set, else
// Debian's /usr/bin/chromium, else chromium on PATH. The error says how to
// get one.
func Path() (string, error) {
	if p := os.Getenv("VAEPLAY_CHROMIUM"); p != "" {
		if _, err := exec.LookPath(p); err != nil {
			return "", fmt.Errorf("VAEPLAY_CHROMIUM=%s: %w (%w)", p, err, ErrNotFound)
		}
		return p, nil
	}
	if _, err := exec.LookPath(debianChromium); err == nil {
		return debianChromium, nil
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("%w (not at %s nor on PATH): run make chromium", ErrNotFound, debianChromium)
}

// AllocatorOptions are the chromedp options that start execPath headless
// with a fresh profile in userDataDir, with the flags DESIGN.md fixes
// (nothing reaches the network on its own, no first-run UI, no sandbox since
// the tools run as root in a container) and software WebGL2.
//
// The flags are listed from scratch rather than taken from
// chromedp.DefaultExecAllocatorOptions, so that what runs here is exactly
// what the design documents.
func AllocatorOptions(execPath, userDataDir string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(execPath),
		chromedp.UserDataDir(userDataDir),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// WebGL2 without a GPU: ANGLE on SwiftShader (a CPU Vulkan). Chromium
		// 156 here falls back to it even without these two flags, but since
		// Chromium 139 that automatic fallback is deprecated and gated; asking
		// for it explicitly keeps Ebiten's canvas working when the default
		// changes.
		chromedp.Flag("use-angle", "swiftshader"),
		chromedp.Flag("enable-unsafe-swiftshader", true),
		// A fixed window, so that layout and screenshots do not depend on the
		// headless default; each tab also pins its viewport.
		chromedp.WindowSize(1024, 800),
	}
}

// Start starts the browser (Path) with a fresh profile in a temporary
// folder and returns a context for opening tabs on it. stop ends the
// browser and removes the profile; it is safe to call more than once.
func Start() (ctx context.Context, stop func(), err error) {
	execPath, err := Path()
	if err != nil {
		return nil, nil, err
	}
	profile, err := os.MkdirTemp("", "vaeplay-chromium-")
	if err != nil {
		return nil, nil, fmt.Errorf("browser profile: %w", err)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), AllocatorOptions(execPath, profile)...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		chromedp.Cancel(bctx)
		cancelBrowser()
		cancelAlloc()
		os.RemoveAll(profile)
	}
	if err := chromedp.Do(bctx); err != nil {
		stop()
		return nil, nil, fmt.Errorf("starting %s: %w", execPath, err)
	}
	return bctx, stop, nil
}
