package pipeline

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stet-news/stet/config"
	"github.com/stet-news/stet/feeds"
	"github.com/stet-news/stet/internal/testpg"
	"github.com/stet-news/stet/metrics"
	"github.com/stet-news/stet/store"
)

// BenchmarkClusterFirstPass: 1 and 3 workers (fetch.workers 4, per_host 4)
// store a farm of 400 feeds × 25 articles whose every answer is held
// 200 ms, on one PostgreSQL database; items/s and the smallest worker's
// share of the fetches.
//
//	go test ./pipeline -run '^$' -bench ClusterFirstPass -benchtime 1x
func BenchmarkClusterFirstPass(b *testing.B) {
	const nFeeds, nItems = 400, 25
	var mu sync.Mutex
	byAgent := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(200 * time.Millisecond)
		mu.Lock()
		byAgent[r.Header.Get("User-Agent")]++
		mu.Unlock()
		items := make([][3]string, nItems)
		for i := range items {
			key := fmt.Sprintf("%s/%d", strings.TrimPrefix(r.URL.Path, "/"), i)
			items[i] = [3]string{key, "Council " + key,
				fmt.Sprintf("The council met on Tuesday about item %s.\n\n\"We will decide soon,\" said Mayor Ann Lee, who chairs it.", key)}
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, rssFeed(items...))
	}))
	defer srv.Close()
	for _, n := range []int{1, 3} {
		b.Run(fmt.Sprintf("workers=%d", n), func(b *testing.B) {
			for range b.N {
				mu.Lock()
				clear(byAgent)
				mu.Unlock()
				db := testpg.URL(b)
				cfg := config.Default()
				cfg.Database = db
				cfg.Fetch.AllowPrivate = true
				cfg.Fetch.Workers, cfg.Fetch.PerHost = 4, 4
				cfg.Schedule = "@every 1h"
				cfg.Recheck.Tiers = nil
				cfg.Cluster.Lease = config.Duration(10 * time.Second)
				for i := range nFeeds {
					cfg.Feeds = append(cfg.Feeds, config.Feed{URL: fmt.Sprintf("%s/f%d.xml", srv.URL, i)})
				}
				ctx, cancel := context.WithCancel(context.Background())
				var stores []*store.Store
				var done []chan error
				start := time.Now()
				for w := range n {
					st, err := store.Open(context.Background(), db)
					if err != nil {
						b.Fatal(err)
					}
					stores = append(stores, st)
					name := fmt.Sprintf("bench-%d", w)
					fetcher := feeds.NewFetcher(feeds.Options{UserAgent: name, Allow: cfg.Fetch.AllowList(), MaxItems: cfg.Fetch.MaxItems, PerHost: 4})
					p := New(Options{Config: cfg, Store: st, Fetcher: fetcher, Log: testLogger(), Metrics: metrics.New(),
						Cluster: st.Cluster(nil), WorkerID: name})
					ch := make(chan error, 1)
					done = append(done, ch)
					go func() { ch <- p.Run(ctx, Jobs{}) }()
				}
				for {
					s, err := stores[0].Stats(context.Background())
					if err != nil {
						b.Fatal(err)
					}
					if s.Revisions >= nFeeds*nItems {
						break
					}
					time.Sleep(20 * time.Millisecond)
				}
				elapsed := time.Since(start)
				cancel()
				for _, ch := range done {
					if err := <-ch; err != nil {
						b.Error(err)
					}
				}
				for _, st := range stores {
					st.Close()
				}
				mu.Lock()
				least, total := nFeeds, 0
				for _, c := range byAgent {
					least = min(least, c)
					total += c
				}
				mu.Unlock()
				b.ReportMetric(float64(nFeeds*nItems)/elapsed.Seconds(), "items/s")
				b.ReportMetric(100*float64(least)/float64(total), "%least-worker")
				b.ReportMetric(float64(total), "fetches")
			}
		})
	}
}
