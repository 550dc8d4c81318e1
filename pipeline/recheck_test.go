package pipeline

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stet-news/stet/store"
)

func TestRecheckFindsAnEditAfterTheArticleLeftTheFeed(t *testing.T) {
	ctx := context.Background()
	headline, body := seedArticle(t)
	s := newSite(t)
	s.set(func(s *site) {
		s.inFeed = []string{"/marsh"}
		s.pages["/marsh"] = articlePage(headline, body)
	})
	tp := newTestPipeline(t, fullTextConfig(t, s.URL+"/feed.xml"), nil)

	if st, err := tp.Pass(ctx, true); err != nil || st.Revisions != 1 {
		t.Fatalf("first pass: %+v %v", st, err)
	}
	// The article leaves the feed; later the page is corrected.
	tp.clock.advance(10 * time.Minute)
	s.set(func(s *site) {
		s.inFeed = nil
		s.pages["/marsh"] = articlePage(headline, seedTitleCorrected(body))
	})
	if _, err := tp.Pass(ctx, true); err != nil {
		t.Fatal(err)
	}
	before := len(s.pageRequests())
	tp.clock.advance(10 * time.Minute) // 20 min old: the first tier (every 30 min) is not due
	if err := tp.Rechecks(ctx); err != nil {
		t.Fatal(err)
	}
	if got := len(s.pageRequests()); got != before {
		t.Fatalf("page fetched %d times before it was due", got-before)
	}
	tp.clock.advance(11 * time.Minute) // 31 min: due
	if err := tp.Rechecks(ctx); err != nil {
		t.Fatal(err)
	}
	changes := recordedChanges(t, tp.st)
	if len(changes) == 0 || changes[0].Kind != "title_changed" {
		t.Fatalf("recheck at 31 min: got changes %+v, want the title correction", changes)
	}
	// Past the age cut-off the page is fetched once more at most, then never.
	tp.clock.advance(31 * 24 * time.Hour)
	for i := 0; i < 3; i++ {
		if err := tp.Rechecks(ctx); err != nil {
			t.Fatal(err)
		}
		tp.clock.advance(24 * time.Hour)
	}
	n := len(s.pageRequests())
	tp.clock.advance(7 * 24 * time.Hour)
	if err := tp.Rechecks(ctx); err != nil {
		t.Fatal(err)
	}
	if got := len(s.pageRequests()); got != n {
		t.Fatalf("page still rechecked after the age cut-off")
	}
	if backlog, _ := tp.st.RecheckBacklog(ctx, tp.clock.Now()); backlog != 0 {
		t.Fatalf("backlog %d after the cut-off, want 0", backlog)
	}
}

func TestRecheckBudgetKeepsTheBacklogBoundedOldestFirst(t *testing.T) {
	ctx := context.Background()
	s := newSite(t)
	cfg := fullTextConfig(t, s.URL+"/feed.xml")
	cfg.Recheck.Budget = 100
	tp := newTestPipeline(t, cfg, nil)
	sf, err := tp.st.EnsureFeed(ctx, cfg.Feeds[0].URL, "")
	if err != nil {
		t.Fatal(err)
	}
	// 1,000 articles, first checks due one minute apart; their pages answer 304.
	const n = 1000
	start := tp.clock.Now()
	for i := 0; i < n; i++ {
		path := fmt.Sprintf("/a/%04d", i)
		c := store.Candidate{Key: path, Link: s.URL + path, Headline: "h", Text: "t", Hash: fmt.Sprint(i), Source: store.SourcePage}
		_, err := tp.st.SaveFetch(ctx, store.FetchResult{FeedID: sf.ID, At: start,
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
	tp.clock.advance(n * time.Minute)
	var order []string
	for pass := 1; pass <= 10; pass++ {
		backlog, _ := tp.st.RecheckBacklog(ctx, tp.clock.Now())
		if want := n - (pass-1)*100; backlog != want {
			t.Fatalf("pass %d: backlog %d, want %d", pass, backlog, want)
		}
		if err := tp.Rechecks(ctx); err != nil {
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

func TestBrokenPagesAreNotEdits(t *testing.T) {
	ctx := context.Background()
	headline, body := seedArticle(t)
	s := newSite(t)
	s.set(func(s *site) {
		s.inFeed = []string{"/marsh"}
		s.pages["/marsh"] = articlePage(headline, body)
	})
	tp := newTestPipeline(t, fullTextConfig(t, s.URL+"/feed.xml"), nil)
	if _, err := tp.Pass(ctx, true); err != nil {
		t.Fatal(err)
	}
	steps := []struct{ name, page string }{
		{"paywall", articlePage(headline, "Subscribe to continue reading. Already a subscriber? Sign in.")},
		{"empty body", ""},
		{"server error", "500"},
		{"collapsed text", articlePage(headline, strings.SplitN(body, "\n\n", 4)[0])},
		{"the real article again", articlePage(headline, body)},
	}
	for _, step := range steps {
		s.set(func(s *site) { s.pages["/marsh"] = step.page })
		tp.clock.advance(31 * time.Minute)
		if err := tp.Rechecks(ctx); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if got := recordedChanges(t, tp.st); len(got) != 0 {
			t.Fatalf("%s: reported %+v", step.name, got)
		}
		arts, _ := tp.st.Articles(ctx, 1, 0, 10)
		if len(arts) != 1 || arts[0].Revisions != 1 {
			t.Fatalf("%s: articles %+v, want one with one revision", step.name, arts)
		}
	}
	// The failures are problems of the article: the extraction failed three
	// times (enough for the digest to name it), the fetch once.
	ps, err := tp.st.Problems(ctx, true, 3)
	if err != nil || len(ps) != 1 || ps[0].Kind != "extract" {
		t.Fatalf("problems worth a digest: %+v %v, want the article's extraction", ps, err)
	}
}
