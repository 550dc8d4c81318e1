package main

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stet-news/stet/config"
	"github.com/stet-news/stet/store"
)

// site is a publisher with a feed of article links and the article pages,
// each of which a test can change or break.
type site struct {
	*httptest.Server
	mu       sync.Mutex
	inFeed   []string          // article paths listed in the feed
	pages    map[string]string // path → HTML, or a status code as "500"
	requests []string          // page paths requested, in order
}

func newSite(t *testing.T) *site {
	s := &site{pages: map[string]string{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if r.URL.Path == "/feed.xml" {
			var items [][3]string
			for _, p := range s.inFeed {
				items = append(items, [3]string{strings.TrimPrefix(p, "/"), "Story " + p, "A short summary."})
			}
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprint(w, strings.ReplaceAll(rssFeed(items...), "http://gazette.test/", s.URL+"/"))
			return
		}
		s.requests = append(s.requests, r.URL.Path)
		page, ok := s.pages[r.URL.Path]
		switch {
		case !ok:
			http.NotFound(w, r)
		case len(page) == 3 && page[0] >= '4' && page[0] <= '5':
			code := 0
			fmt.Sscan(page, &code)
			http.Error(w, "server error", code)
		default:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, page)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *site) set(f func(*site)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

func (s *site) pageRequests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// articlePage renders an article page around the given body paragraphs.
func articlePage(headline, body string) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html><html><head><title>" + html.EscapeString(headline) + " | Test Gazette</title></head><body>")
	b.WriteString(`<nav><a href="/">Home</a> <a href="/news">News</a></nav><main><article><h1>` + html.EscapeString(headline) + "</h1>")
	for _, p := range strings.Split(body, "\n\n") {
		b.WriteString("<p>" + html.EscapeString(p) + "</p>")
	}
	b.WriteString("</article></main><footer>© Test Gazette</footer></body></html>")
	return b.String()
}

func fullTextConfig(t *testing.T, feedURL string) config.Config {
	cfg := testConfig(t)
	cfg.Feeds = []config.Feed{{URL: feedURL, FullText: true}}
	return cfg
}

func recordedChanges(t *testing.T, app *App) []store.ChangeRow {
	t.Helper()
	rows, err := app.store.Changes(context.Background(), store.ChangeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestBrokenPagesAreNotEdits(t *testing.T) {
	ctx := context.Background()
	headline, body := seedArticle(t)
	s := newSite(t)
	s.set(func(s *site) {
		s.inFeed = []string{"/rubio"}
		s.pages["/rubio"] = articlePage(headline, body)
	})
	te := newTestEnv()
	cfg := fullTextConfig(t, s.URL+"/feed.xml")
	app := newTestApp(t, te, cfg)
	if _, err := app.pipe.Pass(ctx, true); err != nil {
		t.Fatal(err)
	}
	steps := []struct{ name, page string }{
		{"paywall", articlePage(headline, "Subscribe to continue reading. Already a subscriber? Sign in.")},
		{"empty body", ""},
		{"server error", "500"},
		{"collapsed text", articlePage(headline, strings.SplitN(body, "\n\n", 4)[0])},
		{"the real article again", articlePage(headline, body)},
	}
	var digests int
	for _, step := range steps {
		s.set(func(s *site) { s.pages["/rubio"] = step.page })
		te.advance(31 * time.Minute)
		if err := app.pipe.Rechecks(ctx); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if got := recordedChanges(t, app); len(got) != 0 {
			t.Fatalf("%s: reported %+v", step.name, got)
		}
		arts, _ := app.store.Articles(ctx, 1, 0, 10)
		if len(arts) != 1 || arts[0].Revisions != 1 {
			t.Fatalf("%s: articles %+v, want one with one revision", step.name, arts)
		}
		if n, err := app.SendDigest(ctx, false); err != nil {
			t.Fatalf("%s: digest: %v", step.name, err)
		} else {
			digests += n
		}
	}
	if digests != 1 {
		t.Fatalf("got %d digests, want the problem named in exactly one", digests)
	}
}
