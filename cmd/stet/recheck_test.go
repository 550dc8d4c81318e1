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

func TestRecheckFindsAnEditAfterTheArticleLeftTheFeed(t *testing.T) {
	ctx := context.Background()
	headline, body := seedArticle(t)
	s := newSite(t)
	s.set(func(s *site) {
		s.inFeed = []string{"/rubio"}
		s.pages["/rubio"] = articlePage(headline, body)
	})
	te := newTestEnv()
	app := newTestApp(t, te, fullTextConfig(t, s.URL+"/feed.xml"))

	if st, err := app.Pass(ctx, true); err != nil || st.Revisions != 1 {
		t.Fatalf("first pass: %+v %v", st, err)
	}
	// The article leaves the feed; later the page is corrected.
	te.advance(10 * time.Minute)
	s.set(func(s *site) {
		s.inFeed = nil
		s.pages["/rubio"] = articlePage(headline, seedTitleCorrected(body))
	})
	if _, err := app.Pass(ctx, true); err != nil {
		t.Fatal(err)
	}
	before := len(s.pageRequests())
	te.advance(10 * time.Minute) // 20 min old: the first tier (every 30 min) is not due
	if err := app.Rechecks(ctx); err != nil {
		t.Fatal(err)
	}
	if got := len(s.pageRequests()); got != before {
		t.Fatalf("page fetched %d times before it was due", got-before)
	}
	te.advance(11 * time.Minute) // 31 min: due
	if err := app.Rechecks(ctx); err != nil {
		t.Fatal(err)
	}
	changes := recordedChanges(t, app)
	if len(changes) == 0 || changes[0].Kind != "title_changed" {
		t.Fatalf("recheck at 31 min: got changes %+v, want the title correction", changes)
	}
	// Past the age cut-off the page is fetched once more at most, then never.
	te.advance(31 * 24 * time.Hour)
	for i := 0; i < 3; i++ {
		if err := app.Rechecks(ctx); err != nil {
			t.Fatal(err)
		}
		te.advance(24 * time.Hour)
	}
	n := len(s.pageRequests())
	te.advance(7 * 24 * time.Hour)
	if err := app.Rechecks(ctx); err != nil {
		t.Fatal(err)
	}
	if got := len(s.pageRequests()); got != n {
		t.Fatalf("page still rechecked after the age cut-off")
	}
	if backlog, _ := app.store.RecheckBacklog(ctx, te.now); backlog != 0 {
		t.Fatalf("backlog %d after the cut-off, want 0", backlog)
	}
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
	if _, err := app.Pass(ctx, true); err != nil {
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
		if err := app.Rechecks(ctx); err != nil {
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

func TestFlipFlopReportsOnlyTheFirstEdit(t *testing.T) {
	ctx := context.Background()
	headline, a := seedArticle(t)
	b := seedTitleCorrected(a)
	srv := newFeedServer(t, rssFeed([3]string{"rubio", headline, a}))
	te := newTestEnv()
	app := newTestApp(t, te, testConfig(t, srv.URL))
	var total int
	for i, text := range []string{a, b, a, b, a} {
		srv.set(rssFeed([3]string{"rubio", headline, text}))
		st, err := app.Pass(ctx, true)
		if err != nil || st.Revisions != 1 {
			t.Fatalf("pass %d: %+v %v", i+1, st, err)
		}
		total += st.Changes
		if i >= 2 && st.Changes != 0 {
			t.Fatalf("pass %d (a flip back): %d changes reported again", i+1, st.Changes)
		}
		te.advance(time.Hour)
	}
	if total == 0 {
		t.Fatal("the first edit was not reported")
	}
	revs, err := app.store.Revisions(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{0, 0, 1, 2, 3} {
		if revs[i].RevertOf != want {
			t.Errorf("revision %d: revert of %d, want %d", i+1, revs[i].RevertOf, want)
		}
	}
}

func TestRecheckBudgetKeepsTheBacklogBoundedOldestFirst(t *testing.T) {
	ctx := context.Background()
	s := newSite(t)
	te := newTestEnv()
	cfg := fullTextConfig(t, s.URL+"/feed.xml")
	cfg.Recheck.Budget = 100
	app := newTestApp(t, te, cfg)
	sf, err := app.store.EnsureFeed(ctx, cfg.Feeds[0].URL, "")
	if err != nil {
		t.Fatal(err)
	}
	// 1,000 articles, first checks due one minute apart; their pages answer 304.
	const n = 1000
	start := te.now
	for i := 0; i < n; i++ {
		path := fmt.Sprintf("/a/%04d", i)
		c := store.Candidate{Key: path, Link: s.URL + path, Headline: "h", Text: "t", Hash: fmt.Sprint(i), Source: store.SourcePage}
		_, err := app.store.SaveFetch(ctx, store.FetchResult{FeedID: sf.ID, At: start,
			Revisions: []store.NewRevision{{Pending: store.Pending{Candidate: c}}}, RecheckAt: start.Add(time.Duration(n-i) * time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		s.pages[path] = "304"
	}
	s.set(func(s *site) {
		for p := range s.pages {
			s.pages[p] = "404"
		}
	})
	te.advance(n * time.Minute)
	var order []string
	for pass := 1; pass <= 10; pass++ {
		backlog, _ := app.store.RecheckBacklog(ctx, te.now)
		if want := n - (pass-1)*100; backlog != want {
			t.Fatalf("pass %d: backlog %d, want %d", pass, backlog, want)
		}
		if err := app.Rechecks(ctx); err != nil {
			t.Fatal(err)
		}
		got := s.pageRequests()
		if len(got)-len(order) != 100 {
			t.Fatalf("pass %d: %d pages fetched, want the budget of 100", pass, len(got)-len(order))
		}
		order = got
	}
	for i := 1; i < len(order); i++ {
		if order[i] > order[i-1] {
			t.Fatalf("not oldest-due first: %s after %s", order[i], order[i-1])
		}
	}
}
