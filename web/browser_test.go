package web

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/stet-news/stet/internal/testbrowser"
)

// screenshot keeps a full-page PNG of what ctx shows.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	testbrowser.Keep(t, name, png)
}

func run[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

func do1(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// TestBrowser drives a real headless Chromium: the changes page, a change
// followed to its article, the diff with its marked words, the kind filter;
// on a phone-sized and on a desktop viewport.
func TestBrowser(t *testing.T) {
	ctx := testbrowser.Start(t)
	f := newFixture(t, Options{})
	srv := httptest.NewServer(f.h)
	t.Cleanup(srv.Close)

	for _, vp := range testbrowser.Viewports {
		t.Run(vp.Name, func(t *testing.T) {
			do1(t, ctx, "viewport", vp.Emulate())

			// the changes page, newest first
			do1(t, ctx, "open changes", chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS("article.change")))
			kinds := run(t, ctx, "kinds", chromedp.Evaluate[[]string](
				`[...document.querySelectorAll("article.change .kind")].map(e => e.textContent)`))
			if strings.Join(kinds, ",") != "Headline changed,Title changed,Quote edited" {
				t.Errorf("changes page shows %v", kinds)
			}
			// the stylesheet is allowed by the CSP and applied: <ins> has a background
			bg := run(t, ctx, "ins style", chromedp.Evaluate[string](
				`getComputedStyle(document.querySelector("article.change ins")).backgroundColor`))
			if bg == "" || bg == "rgba(0, 0, 0, 0)" || bg == "transparent" {
				t.Errorf("ins background %q: stylesheet not applied", bg)
			}
			// nothing overflows a phone's width
			if w := run(t, ctx, "width", chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); int64(w) > vp.Width {
				t.Errorf("page is %dpx wide on a %dpx viewport", w, vp.Width)
			}
			screenshot(t, ctx, "changes-"+vp.Name)

			// follow the title change to its article
			do1(t, ctx, "follow change", chromedp.Click(chromedp.CSS("#change-2 a.article-link")),
				chromedp.WaitVisible(chromedp.CSS(".diff .col.new ins")))
			loc := run(t, ctx, "location", chromedp.Location())
			if !strings.Contains(loc, "/articles/1?from=1&to=2#change-2") {
				t.Errorf("followed to %s", loc)
			}
			h1 := run(t, ctx, "h1", chromedp.Text(chromedp.CSS("h1")))
			if h1 != marshV2.Headline {
				t.Errorf("article headline %q", h1)
			}
			ins := run(t, ctx, "ins", chromedp.Evaluate[[]string](
				`[...document.querySelectorAll(".diff .col.new ins")].map(e => e.className + ":" + e.textContent)`))
			dels := run(t, ctx, "del", chromedp.Evaluate[[]string](
				`[...document.querySelectorAll(".diff .col.old del")].map(e => e.className + ":" + e.textContent)`))
			mustContain(t, "inserted words", strings.Join(ins, "|"), "t:Minister of Trade", "q:storage engineers,", "q:a great deal of advice.", ":Valdorian")
			mustContain(t, "deleted words", strings.Join(dels, "|"), "t:Senator from Kestrel Province", "q:storage.")
			if run(t, ctx, "quotes", chromedp.Evaluate[int](`document.querySelectorAll(".diff span.q").length`)) == 0 {
				t.Error("no quote highlighted")
			}
			if vp.Mobile {
				// side by side on a desktop, one above the other on a phone
				cols := run(t, ctx, "cols", chromedp.Evaluate[[]float64](
					`[...document.querySelectorAll(".diff .col")].map(e => e.getBoundingClientRect().top)`))
				if len(cols) != 2 || cols[1] <= cols[0] {
					t.Errorf("phone: diff columns at %v, want stacked", cols)
				}
			} else {
				cols := run(t, ctx, "cols", chromedp.Evaluate[[]float64](
					`[...document.querySelectorAll(".diff .col")].map(e => e.getBoundingClientRect().top)`))
				if len(cols) != 2 || cols[0] != cols[1] {
					t.Errorf("desktop: diff columns at %v, want side by side", cols)
				}
			}
			screenshot(t, ctx, "article-"+vp.Name)

			// filter by kind with the form
			do1(t, ctx, "back to changes", chromedp.Navigate(srv.URL+"/changes"), chromedp.WaitVisible(chromedp.CSS("form.filter")),
				chromedp.SetValue(chromedp.CSS("#kind"), "title_changed"),
				chromedp.Click(chromedp.CSS("form.filter button")),
				chromedp.WaitReady(chromedp.CSS(`#kind option[value="title_changed"][selected]`)))
			loc = run(t, ctx, "location", chromedp.Location())
			if !strings.Contains(loc, "kind=title_changed") {
				t.Errorf("filtered to %s", loc)
			}
			kinds = run(t, ctx, "kinds", chromedp.Evaluate[[]string](
				`[...document.querySelectorAll("article.change .kind")].map(e => e.textContent)`))
			if strings.Join(kinds, ",") != "Title changed" {
				t.Errorf("filtered page shows %v", kinds)
			}
			screenshot(t, ctx, "changes-title_changed-"+vp.Name)

			// the feeds page shows the broken feed
			do1(t, ctx, "feeds", chromedp.Navigate(srv.URL+"/feeds"), chromedp.WaitVisible(chromedp.CSS(".feed.state-failing")))
			screenshot(t, ctx, "feeds-"+vp.Name)
		})
	}
}

// TestBrowserHostileMarkup opens every page of a store whose feed content
// is markup: no script runs (no dialog opens), no element comes from the
// feed, no javascript: link exists, and the markup is visible as text.
func TestBrowserHostileMarkup(t *testing.T) {
	ctx := testbrowser.Start(t)
	st := openStore(t)
	id := seedEvil(t, st)
	srv := httptest.NewServer(New(st, Options{}).Handler())
	t.Cleanup(srv.Close)

	var dialogs atomic.Int32
	if err := chromedp.Listen(ctx, func(ev any) {
		switch ev.(type) {
		case *cdppage.EventJavascriptDialogOpening, cdppage.EventJavascriptDialogOpening:
			dialogs.Add(1)
		}
	}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/", "/changes?kind=quote_reattributed", "/feeds",
		"/articles/" + fmt.Sprint(id), "/articles/" + fmt.Sprint(id) + "?from=2&to=1"} {
		do1(t, ctx, "open "+p, chromedp.Navigate(srv.URL+p), chromedp.WaitReady(chromedp.CSS("main")))
		n := run(t, ctx, "elements", chromedp.Evaluate[int](
			`document.querySelectorAll("script, img, iframe, object, embed, main b, main i, [onerror]").length`))
		if n != 0 {
			t.Errorf("%s: %d elements made from feed markup", p, n)
		}
		js := run(t, ctx, "links", chromedp.Evaluate[int](
			`[...document.querySelectorAll("[href], [src], [action]")].filter(e => /^\s*javascript:/i.test(e.getAttribute("href") || e.getAttribute("src") || e.getAttribute("action") || "")).length`))
		if js != 0 {
			t.Errorf("%s: %d javascript: links", p, js)
		}
		text := run(t, ctx, "text", chromedp.Text(chromedp.CSS("main")))
		if !strings.Contains(text, "<script>alert(1)</script>") && !strings.Contains(text, "<img src=x onerror=alert(2)>") {
			t.Errorf("%s: the markup does not show as text: %.300s", p, text)
		}
		if p == "/" {
			screenshot(t, ctx, "hostile-changes")
		}
	}
	if n := dialogs.Load(); n != 0 {
		t.Errorf("%d JavaScript dialogs opened", n)
	}
}
