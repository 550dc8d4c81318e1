package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stet-news/stet/store"
)

var t0 = time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)

const testFeed = "https://news.example/rss.xml"

func openStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "stet.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// version is one version of an article.
type version struct {
	Headline, Text string
}

func hashOf(v version) string {
	h := sha256.Sum256([]byte(v.Headline + "\n\n" + v.Text))
	return hex.EncodeToString(h[:])
}

// storeVersion runs one pass over feedID with one candidate, as the
// pipeline does (Prepare, then SaveFetch), recording changes against the
// previous revision. It returns the article's id.
func storeVersion(t testing.TB, st *store.Store, feedID int64, guid, link string, v version, at time.Time, changes []store.ChangeInput) int64 {
	t.Helper()
	ctx := context.Background()
	c := store.Candidate{GUID: guid, Link: link, Key: guid, Headline: v.Headline, Text: v.Text, Hash: hashOf(v)}
	if c.Key == "" {
		c.Key = link
	}
	plan, err := st.Prepare(ctx, feedID, []store.Candidate{c})
	if err != nil {
		t.Fatal(err)
	}
	r := store.FetchResult{
		Fetch:  &store.FetchRecord{FeedID: feedID, At: at, Status: 200, NextFetch: at.Add(30 * time.Minute)},
		FeedID: feedID, At: at, Seen: plan.Seen, Moved: plan.Moved,
	}
	for _, p := range plan.Pending {
		nr := store.NewRevision{Pending: p}
		if p.PrevNumber > 0 {
			nr.Changes = changes
		}
		r.Revisions = append(r.Revisions, nr)
	}
	if _, err := st.SaveFetch(ctx, r); err != nil {
		t.Fatal(err)
	}
	if len(plan.Pending) == 1 && plan.Pending[0].ArticleID != 0 {
		return plan.Pending[0].ArticleID
	}
	a, err := st.ArticleByURL(ctx, link)
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
}

var (
	marshV1 = version{
		Headline: "Marsh offers grain against drought",
		Text: "Elena Marsh, a Senator from Kestrel Province, spoke in Brenholt on Tuesday.\n\n" +
			"“We can offer grain, lorries, and storage. But the request has to come from Valdoria,” Marsh said.\n\n" +
			"Valdoria’s Minister of Agriculture, Ines Kovac, confirmed a working group.",
	}
	marshV2 = version{
		Headline: "Marsh offers grain against Valdorian drought",
		Text: "Elena Marsh, the Minister of Trade, spoke in Brenholt on Tuesday.\n\n" +
			"“We can offer grain, lorries, storage engineers, and a great deal of advice. But the request has to come from Valdoria,” Marsh said.\n\n" +
			"Valdoria’s Minister of Agriculture, Ines Kovac, confirmed a working group.",
	}
	marshChanges = []store.ChangeInput{
		{Kind: "quote_edited", Person: "Elena Marsh",
			Before: "We can offer grain, lorries, and storage. But the request has to come from Valdoria,",
			After:  "We can offer grain, lorries, storage engineers, and a great deal of advice. But the request has to come from Valdoria,"},
		{Kind: "title_changed", Person: "Elena Marsh", Before: "Senator from Kestrel Province", After: "Minister of Trade"},
		{Kind: "headline_changed", Before: marshV1.Headline, After: marshV2.Headline},
	}
)

// seedArticle stores an article in two versions, the second with a
// quote_edited, a title_changed and a headline_changed change. It returns
// the article's id.
func seedArticle(t testing.TB, st *store.Store, feedURL, name, guid, link string, at time.Time) int64 {
	t.Helper()
	f, err := st.EnsureFeed(context.Background(), feedURL, name)
	if err != nil {
		t.Fatal(err)
	}
	storeVersion(t, st, f.ID, guid, link, marshV1, at, nil)
	return storeVersion(t, st, f.ID, guid, link, marshV2, at.Add(2*time.Hour), marshChanges)
}

// brokenFeed adds a feed whose last fetch failed.
func brokenFeed(t testing.TB, st *store.Store, url string, at time.Time) {
	t.Helper()
	ctx := context.Background()
	f, err := st.EnsureFeed(ctx, url, "Broken Daily")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.RecordFetch(ctx, store.FetchRecord{FeedID: f.ID, At: at, Status: 503,
		Err: "feeds: fetch " + url + ": 503 Service Unavailable", NextFetch: at.Add(time.Hour), Failures: 3}); err != nil {
		t.Fatal(err)
	}
}

// fixture is a server over a seeded store.
type fixture struct {
	st      *store.Store
	srv     *Server
	h       http.Handler
	article int64
}

func newFixture(t testing.TB, opts Options) *fixture {
	t.Helper()
	st := openStore(t)
	id := seedArticle(t, st, testFeed, "Example News", "guid-marsh", "https://news.example/marsh", t0)
	brokenFeed(t, st, "https://broken.example/feed", t0.Add(3*time.Hour))
	if opts.Now == nil {
		opts.Now = func() time.Time { return t0.Add(4 * time.Hour) }
	}
	opts.Hosts = append(opts.Hosts, "example.com") // httptest.NewRequest's Host
	srv := New(st, opts)
	return &fixture{st: st, srv: srv, h: srv.Handler(), article: id}
}

type resp struct {
	code int
	hdr  http.Header
	body string
}

func do(t testing.TB, h http.Handler, method, target string, hdr ...string) resp {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	b, _ := io.ReadAll(rec.Result().Body)
	return resp{rec.Code, rec.Result().Header, string(b)}
}

func get(t testing.TB, h http.Handler, target string) resp {
	t.Helper()
	return do(t, h, http.MethodGet, target)
}

func mustContain(t testing.TB, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s: missing %q", what, w)
		}
	}
}

func mustNotContain(t testing.TB, what, body string, nots ...string) {
	t.Helper()
	for _, w := range nots {
		if strings.Contains(body, w) {
			t.Errorf("%s: must not contain %q", what, w)
		}
	}
}
