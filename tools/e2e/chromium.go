package e2e

import (
	"errors"
	"fmt"
	"os"
	"os/exec"

	"github.com/chromedp/chromedp"
)

// debianChromium is where Debian's chromium package installs its launcher.
const debianChromium = "/usr/bin/chromium"

// ChromiumPath returns the browser to drive: $VAEPLAY_CHROMIUM when set,
// else Debian's /usr/bin/chromium, else chromium on PATH. The error says how
// to get one.
func ChromiumPath() (string, error) {
	if p := os.Getenv("VAEPLAY_CHROMIUM"); p != "" {
		if _, err := exec.LookPath(p); err != nil {
			return "", fmt.Errorf("VAEPLAY_CHROMIUM=%s: %w", p, err)
		}
		return p, nil
	}
	if _, err := exec.LookPath(debianChromium); err == nil {
		return debianChromium, nil
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p, nil
	}
	return "", errors.New("no chromium found (not at " + debianChromium + " nor on PATH): run make chromium")
}

// AllocatorOptions are the chromedp options that start execPath headless with
// a fresh profile in userDataDir, with the flags DESIGN.md fixes (nothing
// reaches the network on its own, no first-run UI, no sandbox since the tests
// run as root in a container) and software WebGL2.
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
