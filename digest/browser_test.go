package digest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath finds a Chromium to drive: $STET_CHROMIUM, else the usual
// names on PATH. "" when none.
func chromiumPath() string {
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

// TestHTMLInBrowser renders the HTML part in a real headless Chromium at a
// desktop and a phone width: nothing is wider than the screen, the type is
// sans-serif, the table of contents leads to each feed, and the
// screenshots are kept (under $STET_SCREENSHOTS when set) to be looked at.
func TestHTMLInBrowser(t *testing.T) {
	path := chromiumPath()
	if path == "" {
		t.Skip("no chromium binary found (apt-get install chromium, or set STET_CHROMIUM): browser test skipped")
	}
	msg, err := Build(layoutInput(t))
	if err != nil {
		t.Fatal(err)
	}
	page := parseMessage(t, msg.Bytes).HTML
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(page))
	}))
	t.Cleanup(srv.Close)

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox, // tests run as root in CI containers
		chromedp.DisableGPU,
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
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}

	for _, vp := range []struct {
		name          string
		width, height int64
		scale         float64
		mobile        bool
	}{
		{"desktop", 1280, 900, 1, false},
		{"phone", 390, 844, 2, true},
	} {
		t.Run(vp.name, func(t *testing.T) {
			emu := []chromedp.EmulateViewportOption{chromedp.EmulateScale(vp.scale)}
			if vp.mobile {
				emu = append(emu, chromedp.EmulateMobile)
			}
			if err := chromedp.Do(bctx, chromedp.EmulateViewport(vp.width, vp.height, emu...),
				chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
				t.Fatalf("open: %v", err)
			}
			if w, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); err != nil || int64(w) > vp.width {
				t.Errorf("page is %dpx wide on a %dpx viewport (%v)", w, vp.width, err)
			}
			font, err := chromedp.Run(bctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("h3")).fontFamily`))
			if err != nil || font == "" || !containsAny([]string{font}, "sans-serif") {
				t.Errorf("headline font %q (%v), want the sans-serif stack", font, err)
			}
			// every table-of-contents link leads to a heading of the message
			missing, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](
				`[...document.querySelectorAll('a[href^="#"]')].map(a => a.getAttribute("href")).filter(h => !document.getElementById(h.slice(1)))`))
			if err != nil || len(missing) > 0 {
				t.Errorf("table of contents links to missing anchors %v (%v)", missing, err)
			}
			full, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatalf("screenshot: %v", err)
			}
			first, err := chromedp.Run(bctx, chromedp.CaptureScreenshot()) // what a reader sees first
			if err != nil {
				t.Fatalf("screenshot: %v", err)
			}
			dirs := []string{t.TempDir()}
			if d := os.Getenv("STET_SCREENSHOTS"); d != "" {
				dirs = append(dirs, d)
			}
			for _, d := range dirs {
				for name, png := range map[string][]byte{"digest-" + vp.name: full, "digest-" + vp.name + "-first-screen": first} {
					p := filepath.Join(d, name+".png")
					if err := os.WriteFile(p, png, 0o644); err != nil {
						t.Fatal(err)
					}
					t.Logf("screenshot: %s", p)
				}
			}
		})
	}
}
