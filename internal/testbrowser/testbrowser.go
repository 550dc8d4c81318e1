// Package testbrowser starts a headless Chromium for tests of what a person
// sees (the web view, the digest's HTML part) and keeps their screenshots.
// Only tests import it.
package testbrowser

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// path finds a Chromium to drive: $STET_CHROMIUM, else the usual names on
// PATH. "" when none.
func path() string {
	if p := os.Getenv("STET_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Start starts a headless Chromium for the test (skipping it, with one
// line, when there is none) and returns its context.
func Start(t *testing.T) context.Context {
	t.Helper()
	p := path()
	if p == "" {
		t.Skip("no chromium binary found (apt-get install chromium, or set STET_CHROMIUM): browser test skipped")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(p),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox, // tests run as root in CI containers
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(bcancel)
	if err := chromedp.Do(bctx); err != nil { // starts the browser
		t.Fatalf("start %s: %v", p, err)
	}
	return bctx
}

// Keep writes a PNG under the test's temporary directory (and under
// $STET_SCREENSHOTS when set, to keep it) and logs where.
func Keep(t *testing.T, name string, png []byte) {
	t.Helper()
	dirs := []string{t.TempDir()}
	if d := os.Getenv("STET_SCREENSHOTS"); d != "" {
		dirs = append(dirs, d)
	}
	for _, d := range dirs {
		p := filepath.Join(d, name+".png")
		if err := os.WriteFile(p, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", p)
	}
}

// Viewport is a screen a person reads on.
type Viewport struct {
	Name          string
	Width, Height int64
	Scale         float64
	Mobile        bool
}

// Viewports are the screens every browser test checks: a phone and a
// desktop.
var Viewports = []Viewport{
	{"phone", 390, 844, 2, true},
	{"desktop", 1280, 900, 1, false},
}

// Emulate sets the browser's viewport to vp.
func (vp Viewport) Emulate() chromedp.Action[chromedp.Void] {
	emu := []chromedp.EmulateViewportOption{chromedp.EmulateScale(vp.Scale)}
	if vp.Mobile {
		emu = append(emu, chromedp.EmulateMobile)
	}
	return chromedp.EmulateViewport(vp.Width, vp.Height, emu...)
}
