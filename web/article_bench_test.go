package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stet-news/stet/internal/testfeed"
	"github.com/stet-news/stet/store"
)

// bigArticle stores one article in revs revisions, each after the first
// with perRev changes recorded, as a feed that edits an article all day
// would. The text is the invented seed article with the revision's number in it.
func bigArticle(tb testing.TB, st *store.Store, revs, perRev int) int64 {
	tb.Helper()
	seed := testfeed.SeedBytes(tb)
	f, err := st.EnsureFeed(context.Background(), "https://churn.example/rss", "Churn Daily")
	if err != nil {
		tb.Fatal(err)
	}
	var id int64
	for i := 1; i <= revs; i++ {
		v := version{Headline: fmt.Sprintf("Minister says talks will go on, edition %d", i),
			Text: fmt.Sprintf("Edition %d.\n\n%s", i, seed)}
		var changes []store.ChangeInput
		for k := range perRev {
			changes = append(changes, store.ChangeInput{Kind: "quote_edited", Person: "Elena Marsh",
				Before: fmt.Sprintf("We can help, edition %d, part %d", i-1, k), After: fmt.Sprintf("We can help, edition %d, part %d", i, k)})
		}
		id = storeVersion(tb, st, f.ID, "churn", "https://churn.example/a", v, t0.Add(time.Duration(i)*time.Minute), changes)
	}
	return id
}

// The bars of issue 17 for an article of 5,000 changes (1,000 revisions of
// 5 changes each): one page (ns/op, B/op: everything the request
// allocates, an upper bound on the heap it adds), and /healthz while ten
// clients load it at once (healthz-max-ms). Run:
//
//	go test -run '^$' -bench 'BigArticle' -benchmem ./web
func benchArticle(b *testing.B) (*store.Store, int64) {
	st := openStore(b)
	return st, bigArticle(b, st, 1001, 5)
}

func BenchmarkBigArticlePage(b *testing.B) {
	st, id := benchArticle(b)
	h := New(st, Options{Hosts: []string{"example.com"}}).Handler()
	for _, path := range []string{fmt.Sprintf("/articles/%d", id), fmt.Sprintf("/api/articles/%d", id)} {
		b.Run(strings.Split(path, "/")[1], func(b *testing.B) {
			b.ReportAllocs()
			var size int
			for b.Loop() {
				r := get(b, h, path)
				if r.code != 200 {
					b.Fatalf("%s: %d", path, r.code)
				}
				size = len(r.body)
			}
			b.ReportMetric(float64(size)/1024, "KiB/response")
		})
	}
}

func BenchmarkBigArticleHealthzUnderLoad(b *testing.B) {
	st, id := benchArticle(b)
	srv := httptest.NewServer(New(st, Options{Hosts: []string{"127.0.0.1"}}).Handler())
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/articles/%d", srv.URL, id), nil)
				if resp, err := http.DefaultClient.Do(req); err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}
		}()
	}
	time.Sleep(200 * time.Millisecond) // let the ten get going
	b.ResetTimer()
	var took []time.Duration
	for b.Loop() {
		began := time.Now()
		resp, err := http.Get(srv.URL + "/healthz")
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("/healthz: %d", resp.StatusCode)
		}
		took = append(took, time.Since(began))
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	slices.Sort(took)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(took[len(took)/2]), "healthz-p50-ms")
	b.ReportMetric(ms(took[len(took)*99/100]), "healthz-p99-ms")
	b.ReportMetric(ms(took[len(took)-1]), "healthz-max-ms")
}
