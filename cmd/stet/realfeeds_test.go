package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stet-news/stet/config"
)

// realFeedsDir holds feeds from other projects' test suites (../shared).
const realFeedsDir = "../../../shared/realfeeds/feeds"

// TestRealFeedsStoredOnceOrRefused serves every real feed (and this
// repository's feed fixtures) without validators, so each pass downloads
// and parses the same bytes again: the first pass stores each feed or
// refuses it with a one-line error; the second adds no revision.
func TestRealFeedsStoredOnceOrRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: 400 feeds")
	}
	var files []string
	for _, pattern := range []string{filepath.Join(realFeedsDir, "*"), "../../feeds/testdata/*.xml", "../../feeds/testdata/*.json"} {
		m, _ := filepath.Glob(pattern)
		files = append(files, m...)
	}
	if len(files) < 300 {
		t.Skipf("real feeds not found at %s", realFeedsDir)
	}
	sort.Strings(files)
	byPath := map[string]string{}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		f, ok := byPath[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		b, err := os.ReadFile(f)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		switch {
		case strings.HasSuffix(f, ".json"):
			w.Header().Set("Content-Type", "application/feed+json")
		case strings.Contains(f, "1252") || strings.Contains(strings.ToLower(f), "latin"):
			// leave the type to the bytes and the prolog
		default:
			w.Header().Set("Content-Type", "application/xml")
		}
		w.Write(b)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	cfg := testConfig(t)
	cfg.Fetch.Workers = 8
	cfg.Fetch.PerHost = 8
	for i, f := range files {
		p := "/" + strings.ReplaceAll(filepath.Base(f), " ", "_")
		if _, dup := byPath[p]; dup {
			p = p + "-" + string(rune('a'+i%26))
		}
		byPath[p] = f
		cfg.Feeds = append(cfg.Feeds, config.Feed{URL: srv.URL + p})
	}
	te := newTestEnv()
	app := newTestApp(t, te, cfg)
	ctx := context.Background()
	st1, err := app.pipe.Pass(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := app.statusRows(ctx)
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]int{}
	for _, r := range rows {
		if r.LastError == "" {
			continue
		}
		if strings.Contains(r.LastError, "\n") {
			t.Errorf("%s: error on several lines: %q", r.Feed, r.LastError)
		}
		if !strings.Contains(r.LastError, r.Feed) {
			t.Errorf("%s: error does not name the feed: %q", r.Feed, r.LastError)
		}
		reason := r.LastError[strings.Index(r.LastError, r.Feed)+len(r.Feed):]
		if i := strings.Index(reason, " on line"); i > 0 {
			reason = reason[:i]
		}
		reasons[strings.TrimLeft(reason, ": ")]++
	}
	t.Logf("first pass: %d feeds, %d stored (%d items, %d revisions), %d refused", st1.Feeds, st1.Feeds-st1.Failed, st1.Items, st1.Revisions, st1.Failed)
	for r, n := range reasons {
		t.Logf("  refused %d× %s", n, r)
	}
	te.advance(30 * 60e9)
	st2, err := app.pipe.Pass(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if st2.Revisions != 0 || st2.NewArticles != 0 || st2.Changes != 0 {
		t.Fatalf("second pass over unchanged bytes: %d revisions, %d articles, %d changes; want none", st2.Revisions, st2.NewArticles, st2.Changes)
	}
	if st2.Failed != st1.Failed {
		t.Errorf("second pass: %d refused, first %d", st2.Failed, st1.Failed)
	}
}
