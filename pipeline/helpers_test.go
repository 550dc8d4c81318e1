package pipeline

import (
	"github.com/stet-news/stet/internal/testfeed"

	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stet-news/stet/config"
	"github.com/stet-news/stet/feeds"
	"github.com/stet-news/stet/metrics"
	"github.com/stet-news/stet/store"
)

// The feed server, RSS and the seed article are shared with cmd/stet's
// tests (internal/testfeed).
type feedServer = testfeed.Server

var (
	newFeedServer      = testfeed.NewServer
	rssFeed            = testfeed.RSS
	seedArticle        = testfeed.Seed
	seedTitleCorrected = testfeed.TitleCorrected
)

// testConfig is a configuration for tests: a database in a temporary
// folder, loopback allowed.
func testConfig(t *testing.T, feedURLs ...string) config.Config {
	t.Helper()
	cfg := config.Default()
	cfg.Database = filepath.Join(t.TempDir(), "stet.db")
	cfg.Fetch.AllowPrivate = true
	for _, u := range feedURLs {
		cfg.Feeds = append(cfg.Feeds, config.Feed{URL: u})
	}
	return cfg
}

// clock is a time the test moves.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// testPipeline is a pipeline over a real store and a real fetcher.
type testPipeline struct {
	*Pipeline
	st    *store.Store
	clock *clock
}

func testLogger() *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// newTestPipeline opens the configured store and returns a pipeline over
// it; fetcher nil: the real one (feeds.Fetcher) with the config's options.
func newTestPipeline(t *testing.T, cfg config.Config, fetcher Fetcher) *testPipeline {
	t.Helper()
	st, err := store.Open(context.Background(), cfg.Database)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := newClock()
	if fetcher == nil {
		fetcher = feeds.NewFetcher(feeds.Options{UserAgent: "stet-test", Allow: cfg.Fetch.AllowList(),
			MaxItems: cfg.Fetch.MaxItems, Now: c.Now})
	}
	p := New(Options{Config: cfg, Store: st, Fetcher: fetcher, Now: c.Now, Log: testLogger(), Metrics: metrics.New()})
	return &testPipeline{Pipeline: p, st: st, clock: c}
}

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

func recordedChanges(t *testing.T, st *store.Store) []store.ChangeRow {
	t.Helper()
	rows, err := st.Changes(context.Background(), store.ChangeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// statuses are the feeds' stored states by configured URL.
func statuses(t *testing.T, st *store.Store) map[string]store.FeedStatus {
	t.Helper()
	sts, err := st.FeedStatuses(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]store.FeedStatus{}
	for _, s := range sts {
		out[s.URL] = s
	}
	return out
}
