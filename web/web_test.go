package web

import (
	"github.com/stet-news/stet/change"

	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stet-news/stet/store"
)

func TestChangesPage(t *testing.T) {
	f := newFixture(t, Options{})
	for _, path := range []string{"/", "/changes"} {
		r := get(t, f.h, path)
		if r.code != http.StatusOK {
			t.Fatalf("GET %s: got %d, want 200", path, r.code)
		}
		if ct := r.hdr.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("GET %s: Content-Type %q", path, ct)
		}
		mustContain(t, path, r.body,
			"Quote edited", "Title changed", "Headline changed", "Elena Marsh",
			marshV2.Headline, fmt.Sprintf(`href="/articles/%d?from=1&amp;to=2#change-`, f.article),
			"<del>Senator from Kestrel Province</del>", "<ins>Minister of Trade</ins>",
			"<ins>storage engineers,</ins> ", "<del>storage.</del> ",
			`datetime="2026-11-20T10:00:00Z"`, "Example News", `href="https://news.example/marsh"`,
			`<link rel="stylesheet" href="/static/style.css">`, `name="viewport"`)
	}

	t.Run("newest first", func(t *testing.T) {
		r := get(t, f.h, "/")
		ids := regexp.MustCompile(`id="change-(\d+)"`).FindAllStringSubmatch(r.body, -1)
		var got []string
		for _, m := range ids {
			got = append(got, m[1])
		}
		if want := []string{"3", "2", "1"}; !slices.Equal(got, want) {
			t.Errorf("got changes %v, want %v", got, want)
		}
	})

	filters := []struct {
		query      string
		want, not  []string
		wantStatus int
	}{
		{"kind=title_changed", []string{"Title changed</span>", `<option value="title_changed" selected>`}, []string{"Quote edited</span>", "Headline changed</span>"}, 200},
		{"kind=quote_edited", []string{"Quote edited</span>"}, []string{"Title changed</span>"}, 200},
		{"person=marsh", []string{"Quote edited</span>", "Title changed</span>"}, []string{"Headline changed</span>"}, 200},
		{"person=nobody", []string{"No changes recorded that match."}, []string{"Quote edited</span>"}, 200},
		{"feed=https%3A%2F%2Fbroken.example%2Ffeed", []string{"No changes recorded that match."}, []string{"Quote edited</span>"}, 200},
		{"feed=https%3A%2F%2Fnews.example%2Frss.xml", []string{"Quote edited</span>", `<option value="https://news.example/rss.xml" selected>`}, nil, 200},
		{"kind=nonsense", []string{"kind &#34;nonsense&#34;"}, nil, 400},
		{"before=abc", nil, nil, 400},
		{"before=-1", nil, nil, 400},
		{"limit=0", nil, nil, 400},
		{"limit=501", nil, nil, 400},
	}
	for _, tc := range filters {
		t.Run(tc.query, func(t *testing.T) {
			r := get(t, f.h, "/changes?"+tc.query)
			if r.code != tc.wantStatus {
				t.Fatalf("got %d, want %d: %s", r.code, tc.wantStatus, r.body)
			}
			mustContain(t, tc.query, r.body, tc.want...)
			mustNotContain(t, tc.query, r.body, tc.not...)
		})
	}

	t.Run("paged by cursor", func(t *testing.T) {
		r := get(t, f.h, "/changes?limit=2")
		mustContain(t, "page 1", r.body, `id="change-3"`, `id="change-2"`, `rel="next" href="/changes?before=2&amp;limit=2"`)
		mustNotContain(t, "page 1", r.body, `id="change-1"`, "Newest")
		r = get(t, f.h, "/changes?before=2&limit=2")
		mustContain(t, "page 2", r.body, `id="change-1"`, `href="/changes?limit=2">← Newest`)
		mustNotContain(t, "page 2", r.body, `id="change-2"`, `rel="next"`)
	})
}

func TestArticlePage(t *testing.T) {
	f := newFixture(t, Options{})
	path := fmt.Sprintf("/articles/%d", f.article)
	r := get(t, f.h, path)
	if r.code != http.StatusOK {
		t.Fatalf("got %d, want 200: %s", r.code, r.body)
	}
	mustContain(t, "article", r.body,
		"<h1>"+marshV2.Headline+"</h1>", "Example News", `href="https://news.example/marsh"`,
		"Revision 1 → 2",
		// the timeline
		`<span class="num">1</span>`, `<span class="num">2</span>`, "3 changes",
		// the side-by-side diff: headline, changed words, quotes and titles
		`against <ins>Valdorian</ins> drought`,
		`<del class="t">Senator from Kestrel Province</del>`,
		`<ins class="t">Minister of Trade</ins>`,
		`<ins class="q">storage engineers,</ins><span class="q"> and </span>`,
		`<del class="q">storage.</del><span class="q"> But the`,
		`<span class="q">“We can offer grain, lorries, </span>`,
		`<span class="t">Valdoria’s Minister of Agriculture</span>`,
		// its recorded changes
		`id="change-1"`, `id="change-2"`, `id="change-3"`)

	t.Run("one revision against itself", func(t *testing.T) {
		r := get(t, f.h, path+"?from=2&to=2")
		if r.code != 200 {
			t.Fatalf("got %d", r.code)
		}
		mustContain(t, "2 vs 2", r.body, "<h2>Revision 2</h2>", `<span class="t">Minister of Trade</span>`)
		diffPart, _, _ := strings.Cut(r.body, "Recorded changes")
		mustNotContain(t, "2 vs 2", diffPart, "<ins", "<del")
	})
	t.Run("backwards", func(t *testing.T) {
		r := get(t, f.h, path+"?from=2&to=1")
		mustContain(t, "2 → 1", r.body, `<ins class="t">Senator from Kestrel Province</ins>`)
	})
	for _, tc := range []struct {
		path string
		want int
	}{
		{path + "?from=7", 400},
		{path + "?to=x", 400},
		{"/articles/999", 404},
		{"/articles/abc", 400},
		{"/articles/0", 400},
	} {
		if r := get(t, f.h, tc.path); r.code != tc.want {
			t.Errorf("GET %s: got %d, want %d", tc.path, r.code, tc.want)
		}
	}
}

func TestFeedsPage(t *testing.T) {
	f := newFixture(t, Options{})
	r := get(t, f.h, "/feeds")
	if r.code != 200 {
		t.Fatalf("got %d", r.code)
	}
	mustContain(t, "feeds", r.body,
		`2 feeds · <strong class="bad">1 failing</strong>`,
		`<article class="feed state-ok">`, "Example News",
		`<article class="feed state-failing">`, "Broken Daily",
		"feeds: fetch https://broken.example/feed: 503 Service Unavailable",
		"<dt>Last status</dt><dd>503</dd>", "<dt>Failures in a row</dt><dd>3</dd>",
		"<dt>Articles</dt><dd>1</dd>", "<dt>Revisions</dt><dd>2</dd>",
		`<time datetime="2026-11-20T10:00:00Z">2026-11-20 10:00 UTC</time> (2 h ago)`,
		`<time datetime="2026-11-20T10:30:00Z">2026-11-20 10:30 UTC</time> (overdue by 1 h)`,
		`href="/changes?feed=https%3a%2f%2fbroken.example%2ffeed"`)
}

func TestFeedNamesAndNextFetch(t *testing.T) {
	next := t0.Add(5 * time.Hour)
	f := newFixture(t, Options{
		FeedNames: map[string]string{testFeed: "Configured Name"},
		NextFetch: func(fs store.FeedStatus, now time.Time) time.Time { return next },
	})
	r := get(t, f.h, "/feeds")
	mustContain(t, "feeds", r.body, "Configured Name", `<time datetime="2026-11-20T13:00:00Z">`)
	var out struct{ Feeds []FeedJSON }
	if err := json.Unmarshal([]byte(get(t, f.h, "/api/feeds").body), &out); err != nil {
		t.Fatal(err)
	}
	if got := out.Feeds[0]; got.Name != "Configured Name" || got.NextFetch != "2026-11-20T13:00:00Z" {
		t.Errorf("got name %q next %q", got.Name, got.NextFetch)
	}
}

// jsonKeys are the keys of each object of a JSON list.
func jsonKeys(t *testing.T, raw json.RawMessage) [][]string {
	t.Helper()
	var objs []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &objs); err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for _, o := range objs {
		var ks []string
		for k := range o {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		out = append(out, ks)
	}
	return out
}

func sorted(s ...string) []string {
	s = slices.Clone(s)
	sort.Strings(s)
	return s
}

// The field names are those of `stet changes --json` and `stet status
// --json` (cmd/stet: changeRow, statusRow).
var (
	changeFields = sorted("id", "feed", "article", "article_id", "headline", "from_revision", "to_revision",
		"kind", "person", "before", "after", "quote", "detected_at")
	feedFields = sorted("feed", "url", "name", "articles", "revisions", "last_fetch", "last_status", "last_error",
		"next_fetch", "failures", "gone")
)

func TestAPIChanges(t *testing.T) {
	f := newFixture(t, Options{})
	r := get(t, f.h, "/api/changes")
	if r.code != 200 || r.hdr.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("got %d %q", r.code, r.hdr.Get("Content-Type"))
	}
	var page map[string]json.RawMessage
	if err := json.Unmarshal([]byte(r.body), &page); err != nil {
		t.Fatal(err)
	}
	if _, ok := page["next"]; ok {
		t.Errorf("next on the only page: %s", page["next"])
	}
	for _, ks := range jsonKeys(t, page["changes"]) {
		if !slices.Equal(ks, changeFields) {
			t.Errorf("change fields %v, want %v", ks, changeFields)
		}
	}
	var changes []change.JSON
	json.Unmarshal(page["changes"], &changes)
	if len(changes) != 3 {
		t.Fatalf("got %d changes, want 3", len(changes))
	}
	want := change.JSON{ID: 2, Feed: testFeed, Article: "https://news.example/marsh", ArticleID: f.article,
		Headline: marshV2.Headline, FromRev: 1, ToRev: 2, Kind: "title_changed", Person: "Elena Marsh",
		Before: "Senator from Kestrel Province", After: "Minister of Trade", DetectedAt: "2026-11-20T10:00:00Z"}
	if changes[1] != want {
		t.Errorf("got %+v\nwant %+v", changes[1], want)
	}

	t.Run("empty list is []", func(t *testing.T) {
		r := get(t, f.h, "/api/changes?person=nobody")
		if !strings.Contains(r.body, `"changes": []`) {
			t.Errorf("got %s", r.body)
		}
	})

	t.Run("bad parameters", func(t *testing.T) {
		for _, q := range []string{"limit=0", "limit=501", "limit=x", "before=0", "before=x", "kind=quote"} {
			r := get(t, f.h, "/api/changes?"+q)
			var e struct{ Error string }
			if r.code != 400 || json.Unmarshal([]byte(r.body), &e) != nil || e.Error == "" {
				t.Errorf("%s: got %d %s, want 400 with a JSON error", q, r.code, r.body)
			}
		}
	})
}

// TestAPIChangesPaging follows next links over many changes.
func TestAPIChangesPaging(t *testing.T) {
	st := openStore(t)
	for i := range 7 {
		seedArticle(t, st, testFeed, "", fmt.Sprintf("g%d", i), fmt.Sprintf("https://news.example/a%d", i), t0.Add(time.Duration(i)*time.Hour))
	}
	h := New(st, Options{Hosts: []string{"example.com"}}).Handler()
	var ids []int64
	next := "/api/changes?limit=4&kind=title_changed"
	pages := 0
	for next != "" {
		pages++
		if pages > 10 {
			t.Fatal("paging does not end")
		}
		r := get(t, h, next)
		if r.code != 200 {
			t.Fatalf("GET %s: %d %s", next, r.code, r.body)
		}
		var p struct {
			Changes []change.JSON
			Next    string
		}
		if err := json.Unmarshal([]byte(r.body), &p); err != nil {
			t.Fatal(err)
		}
		for _, c := range p.Changes {
			if c.Kind != "title_changed" {
				t.Errorf("filter lost on page %d: %s", pages, c.Kind)
			}
			ids = append(ids, c.ID)
		}
		if p.Next != "" && !strings.Contains(p.Next, "limit=4") {
			t.Errorf("next %q lost the page size", p.Next)
		}
		next = p.Next
	}
	if pages != 2 || len(ids) != 7 {
		t.Errorf("got %d pages, %d changes; want 2 pages, 7 changes", pages, len(ids))
	}
	for i := 1; i < len(ids); i++ {
		if ids[i] >= ids[i-1] {
			t.Errorf("not newest first: %v", ids)
		}
	}
}

func TestAPIFeeds(t *testing.T) {
	f := newFixture(t, Options{})
	var page map[string]json.RawMessage
	if err := json.Unmarshal([]byte(get(t, f.h, "/api/feeds").body), &page); err != nil {
		t.Fatal(err)
	}
	for _, ks := range jsonKeys(t, page["feeds"]) {
		if !slices.Equal(ks, feedFields) {
			t.Errorf("feed fields %v, want %v", ks, feedFields)
		}
	}
	var feeds []FeedJSON
	json.Unmarshal(page["feeds"], &feeds)
	want := FeedJSON{Feed: "https://broken.example/feed", URL: "https://broken.example/feed", Name: "Broken Daily",
		LastFetch: "2026-11-20T11:00:00Z", LastStatus: 503, LastError: "feeds: fetch https://broken.example/feed: 503 Service Unavailable",
		NextFetch: "2026-11-20T12:00:00Z", Failures: 3}
	if len(feeds) != 2 || feeds[1] != want {
		t.Errorf("got %+v\nwant [_ %+v]", feeds, want)
	}
}

func TestAPIArticle(t *testing.T) {
	f := newFixture(t, Options{})
	r := get(t, f.h, fmt.Sprintf("/api/articles/%d", f.article))
	if r.code != 200 {
		t.Fatalf("got %d %s", r.code, r.body)
	}
	var a ArticleJSON
	if err := json.Unmarshal([]byte(r.body), &a); err != nil {
		t.Fatal(err)
	}
	if a.ID != f.article || a.Feed != testFeed || a.Article != "https://news.example/marsh" || a.Headline != marshV2.Headline || !a.InFeed {
		t.Errorf("got %+v", a)
	}
	wantRevs := []RevisionJSON{ // newest first
		{Version: 2, FetchedAt: "2026-11-20T10:00:00Z", Headline: marshV2.Headline, Text: marshV2.Text},
		{Version: 1, FetchedAt: "2026-11-20T08:00:00Z", Headline: marshV1.Headline, Text: marshV1.Text},
	}
	if !slices.Equal(a.Revisions, wantRevs) {
		t.Errorf("revisions:\ngot  %+v\nwant %+v", a.Revisions, wantRevs)
	}
	var kinds []string
	for _, c := range a.Changes {
		kinds = append(kinds, c.Kind)
	}
	if want := []string{"headline_changed", "title_changed", "quote_edited"}; !slices.Equal(kinds, want) {
		t.Errorf("changes %v, want %v", kinds, want)
	}
	var raw map[string]json.RawMessage
	json.Unmarshal([]byte(r.body), &raw)
	for _, ks := range jsonKeys(t, raw["changes"]) {
		if !slices.Equal(ks, changeFields) {
			t.Errorf("change fields %v", ks)
		}
	}
	for _, ks := range jsonKeys(t, raw["revisions"]) {
		if want := sorted("version", "fetched_at", "headline", "text"); !slices.Equal(ks, want) {
			t.Errorf("revision fields %v, want %v", ks, want)
		}
	}

	for _, tc := range []struct {
		path string
		code int
	}{{"/api/articles/999", 404}, {"/api/articles/x", 400}, {"/api/articles/-3", 400}, {"/api/nothing", 404}} {
		r := get(t, f.h, tc.path)
		var e struct{ Error string }
		if r.code != tc.code || json.Unmarshal([]byte(r.body), &e) != nil || e.Error == "" {
			t.Errorf("GET %s: got %d %s, want %d with a JSON error", tc.path, r.code, r.body, tc.code)
		}
	}
}

var allRoutes = []string{"/", "/changes", "/articles/1", "/feeds", "/changes.atom", "/api/changes", "/api/feeds",
	"/api/articles/1", "/healthz", "/metrics", "/static/style.css", "/static/favicon.svg", "/static/", "/favicon.ico", "/no-such-page", "/api/nope", "/articles/999"}

func checkSecurityHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	for k, want := range map[string]string{
		"Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
	} {
		if got := h.Get(k); got != want {
			t.Errorf("%s: %s = %q, want %q", what, k, got, want)
		}
	}
}

func TestSecurityHeadersAndMethods(t *testing.T) {
	f := newFixture(t, Options{})
	for _, p := range allRoutes {
		r := get(t, f.h, p)
		checkSecurityHeaders(t, "GET "+p, r.hdr)
		if r.code >= 500 {
			t.Errorf("GET %s: %d", p, r.code)
		}
		if hr := do(t, f.h, http.MethodHead, p); hr.code != r.code {
			t.Errorf("HEAD %s: got %d, GET gave %d", p, hr.code, r.code)
		}
		for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodOptions} {
			r := do(t, f.h, m, p)
			if r.code != http.StatusMethodNotAllowed || r.hdr.Get("Allow") != "GET, HEAD" {
				t.Errorf("%s %s: got %d Allow %q, want 405 GET, HEAD", m, p, r.code, r.hdr.Get("Allow"))
			}
			checkSecurityHeaders(t, m+" "+p, r.hdr)
		}
	}
	if r := get(t, f.h, "/static/style.css"); r.code != 200 || !strings.HasPrefix(r.hdr.Get("Content-Type"), "text/css") {
		t.Errorf("style.css: %d %q", r.code, r.hdr.Get("Content-Type"))
	}
	if r := get(t, f.h, "/static/"); r.code != 404 || strings.Contains(r.body, `href="style.css"`) {
		t.Errorf("/static/ lists its files: %d %s", r.code, r.body)
	}
}

func TestToken(t *testing.T) {
	const token = "s3cret-token"
	f := newFixture(t, Options{Token: token})
	for _, p := range allRoutes {
		for _, auth := range []string{"", "Bearer wrong", "Bearer " + token + "x", "Basic " + token, token, "Bearer"} {
			var r resp
			if auth == "" {
				r = get(t, f.h, p)
			} else {
				r = do(t, f.h, http.MethodGet, p, "Authorization", auth)
			}
			if p == "/healthz" {
				if r.code != 200 {
					t.Errorf("GET /healthz with %q: got %d, want 200 (no token needed)", auth, r.code)
				}
				continue
			}
			if r.code != http.StatusUnauthorized {
				t.Errorf("GET %s with %q: got %d, want 401", p, auth, r.code)
			}
			checkSecurityHeaders(t, "401 "+p, r.hdr)
			if strings.Contains(r.body, "Marsh") {
				t.Errorf("GET %s with %q: content leaked", p, auth)
			}
		}
		r := do(t, f.h, http.MethodGet, p, "Authorization", "Bearer "+token)
		if r.code == http.StatusUnauthorized {
			t.Errorf("GET %s with the token: 401", p)
		}
	}
	if r := do(t, f.h, http.MethodGet, "/", "Authorization", "bearer "+token); r.code != 200 {
		t.Errorf("scheme is case-insensitive: got %d", r.code)
	}
}

func TestHealthz(t *testing.T) {
	f := newFixture(t, Options{})
	if r := get(t, f.h, "/healthz"); r.code != 200 || r.body != "ok\n" {
		t.Errorf("got %d %q, want 200 ok", r.code, r.body)
	}
	f.st.Close()
	if r := get(t, f.h, "/healthz"); r.code != http.StatusServiceUnavailable {
		t.Errorf("closed store: got %d %q, want 503", r.code, r.body)
	}
	// the other routes fail cleanly too
	for _, p := range []string{"/", "/feeds", "/articles/1", "/changes.atom", "/api/changes", "/api/feeds", "/api/articles/1"} {
		r := get(t, f.h, p)
		if r.code != 500 || strings.Contains(r.body, "sql") {
			t.Errorf("GET %s on a closed store: got %d %q, want 500 without details", p, r.code, r.body)
		}
	}
	if r := get(t, f.h, "/metrics"); r.code != 200 || !strings.Contains(r.body, "\nstet_store_up 0\n") {
		t.Errorf("metrics on a closed store: got %d, want stet_store_up 0:\n%s", r.code, r.body)
	}
}

func TestHealthzTimeout(t *testing.T) {
	f := newFixture(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "/healthz", nil)
	req.Host = "localhost"
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("cancelled request: got %d, want 503", rec.Code)
	}
}
