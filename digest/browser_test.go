package digest

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/stet-news/stet/internal/testbrowser"
)

// TestHTMLInBrowser renders the HTML part in a real headless Chromium at a
// desktop and a phone width: nothing is wider than the screen, the type is
// sans-serif, the table of contents leads to each feed, and the
// screenshots are kept (under $STET_SCREENSHOTS when set) to be looked at.
func TestHTMLInBrowser(t *testing.T) {
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

	bctx := testbrowser.Start(t)

	for _, vp := range testbrowser.Viewports {
		t.Run(vp.Name, func(t *testing.T) {
			if err := chromedp.Do(bctx, vp.Emulate(),
				chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
				t.Fatalf("open: %v", err)
			}
			if w, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); err != nil || int64(w) > vp.Width {
				t.Errorf("page is %dpx wide on a %dpx viewport (%v)", w, vp.Width, err)
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
			testbrowser.Keep(t, "digest-"+vp.Name, full)
			testbrowser.Keep(t, "digest-"+vp.Name+"-first-screen", first)
		})
	}
}
