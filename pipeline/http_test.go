package pipeline

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stet-news/stet/store"
)

// Permanent redirects move the feed, temporary ones do not, 410 stops it,
// 429 waits as long as Retry-After says, other failures back off and the
// backoff resets on success.
func TestFeedHTTPOutcomes(t *testing.T) {
	ctx := context.Background()
	headline, body := seedArticle(t)
	feed := rssFeed([3]string{"a", headline, body})
	var gone, limited atomic.Bool
	var fails atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/old":
			http.Redirect(w, r, "/new", http.StatusMovedPermanently)
		case "/temp":
			http.Redirect(w, r, "/new2", http.StatusFound)
		case "/new", "/new2":
			w.Write([]byte(feed))
		case "/gone":
			if gone.Load() {
				w.WriteHeader(http.StatusGone)
				return
			}
			w.Write([]byte(feed))
		case "/limited":
			if limited.Load() {
				w.Header().Set("Retry-After", "7200")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			w.Write([]byte(feed))
		case "/flaky":
			if fails.Load() > 0 {
				fails.Add(-1)
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
			w.Write([]byte(feed))
		}
	}))
	defer srv.Close()
	tp := newTestPipeline(t, testConfig(t, srv.URL+"/old", srv.URL+"/temp", srv.URL+"/gone", srv.URL+"/limited", srv.URL+"/flaky"), nil)
	if _, err := tp.Pass(ctx, true); err != nil {
		t.Fatal(err)
	}
	gone.Store(true)
	limited.Store(true)
	fails.Store(3)
	for i := 0; i < 3; i++ {
		tp.clock.advance(time.Minute)
		if _, err := tp.Pass(ctx, true); err != nil {
			t.Fatal(err)
		}
	}
	by := map[string]store.FeedStatus{}
	for u, r := range statuses(t, tp.st) {
		by[strings.TrimPrefix(u, srv.URL)] = r
	}
	if r := by["/old"]; r.FetchURL != srv.URL+"/new" {
		t.Errorf("permanent redirect: fetch URL %q, want /new", r.FetchURL)
	}
	if r := by["/temp"]; r.FetchURL != srv.URL+"/temp" {
		t.Errorf("temporary redirect: fetch URL %q, want unchanged", r.FetchURL)
	}
	if r := by["/gone"]; !r.Gone || !tp.NextFetch(r, tp.clock.Now()).IsZero() || r.LastStatus != 410 {
		t.Errorf("410: %+v, want gone with no next fetch", r)
	}
	if r := by["/limited"]; r.LastStatus != 429 || tp.NextFetch(r, tp.clock.Now()).Before(tp.clock.Now().Add(119*time.Minute)) {
		t.Errorf("429 with Retry-After 7200: next fetch %s, want two hours on", r.NextFetch)
	}
	if r := by["/flaky"]; r.Failures != 3 {
		t.Errorf("flaky: %d failures, want 3", r.Failures)
	}
	// Feeds backing off are skipped by the scheduler's pass; the flaky one
	// recovers and its backoff resets.
	tp.clock.advance(time.Hour)
	if _, err := tp.Pass(ctx, true); err != nil {
		t.Fatal(err)
	}
	for u, r := range statuses(t, tp.st) {
		if strings.HasSuffix(u, "/flaky") && (r.Failures != 0 || r.LastError != "") {
			t.Errorf("flaky after recovery: %+v", r)
		}
	}
}
