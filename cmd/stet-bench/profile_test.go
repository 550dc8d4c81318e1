//go:build stetprofile

// An in-process copy of stet's pass (cmd/stet/pass.go: Pass and FetchFeed,
// without full text and failure bookkeeping) over the feed farm, so the
// pass can be profiled with go test's -cpuprofile and -memprofile:
//
//	STET_PROFILE_SIZE=2000x50 go test -tags stetprofile -run TestProfilePass \
//	    -cpuprofile /tmp/cpu.out ./cmd/stet-bench
//	go tool pprof -top /tmp/cpu.out
//
// or, for one pass alone (first, unchanged or edited):
//
//	STET_PROFILE_PASS=unchanged STET_PROFILE_CPU=/tmp/304.out go test -tags stetprofile ...
//
// It is behind a build tag because it imports stet's packages, whose APIs
// may move while they are being written; the benchmark itself drives the
// binary. Each stage's summed time across workers is logged.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stet-news/stet/diff"
	"github.com/stet-news/stet/feeds"
	"github.com/stet-news/stet/store"
)

type stages struct {
	ensure, fetch, parse, hash, prepare, diff, save, record atomic.Int64
}

func (s *stages) log(t *testing.T, name string, wall time.Duration, n int) {
	d := func(a *atomic.Int64) string { return time.Duration(a.Load()).Round(time.Millisecond).String() }
	t.Logf("%s: wall %s (%d units, %.0f/s); summed over workers: ensure %s fetch %s parse %s hash %s prepare %s diff %s save %s record304 %s",
		name, wall.Round(time.Millisecond), n, float64(n)/wall.Seconds(), d(&s.ensure), d(&s.fetch), d(&s.parse), d(&s.hash), d(&s.prepare), d(&s.diff), d(&s.save), d(&s.record))
}

func timed(a *atomic.Int64, start time.Time) { a.Add(int64(time.Since(start))) }

func profilePass(ctx context.Context, t *testing.T, st *store.Store, fetcher *feeds.Fetcher, urls []string, workers int) *stages {
	var sg stages
	type job struct{ sf store.Feed }
	var jobs []job
	for _, u := range urls {
		t0 := time.Now()
		sf, err := st.EnsureFeed(ctx, u, "")
		timed(&sg.ensure, t0)
		if err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, job{sf})
	}
	ch := make(chan job)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range ch {
				fetchFeed(ctx, t, st, fetcher, j.sf, &sg)
			}
		}()
	}
	for _, j := range jobs {
		ch <- j
	}
	close(ch)
	wg.Wait()
	return &sg
}

func fetchFeed(ctx context.Context, t *testing.T, st *store.Store, fetcher *feeds.Fetcher, sf store.Feed, sg *stages) {
	start := time.Now()
	rec := store.FetchRecord{FeedID: sf.ID, At: start}
	t0 := time.Now()
	resp, err := fetcher.Fetch(ctx, feeds.Request{URL: sf.FetchURL, ETag: sf.ETag, LastModified: sf.LastModified, Trusted: true})
	timed(&sg.fetch, t0)
	if err != nil {
		t.Error(err)
		return
	}
	rec.Status = resp.Status
	if resp.NotModified {
		rec.ETag, rec.LastModified = sf.ETag, sf.LastModified
		t0 = time.Now()
		if err := st.RecordFetch(ctx, rec); err != nil {
			t.Error(err)
		}
		timed(&sg.record, t0)
		return
	}
	t0 = time.Now()
	parsed, err := feeds.Parse(resp.Body, resp.ContentType, resp.URL)
	timed(&sg.parse, t0)
	if err != nil {
		t.Error(err)
		return
	}
	rec.ETag, rec.LastModified = resp.ETag, resp.LastModified
	t0 = time.Now()
	cands := make([]store.Candidate, 0, len(parsed.Items))
	for _, it := range parsed.Items {
		c := store.Candidate{GUID: it.GUID, Link: it.Link, Key: it.Key, Headline: it.Title, Text: it.Text, Published: it.Published, DateRaw: it.DateRaw}
		sum := sha256.Sum256([]byte(diff.Normalize(c.Headline + "\n\n" + c.Text)))
		c.Hash = hex.EncodeToString(sum[:])
		cands = append(cands, c)
	}
	timed(&sg.hash, t0)
	t0 = time.Now()
	plan, err := st.Prepare(ctx, sf.ID, cands)
	timed(&sg.prepare, t0)
	if err != nil {
		t.Error(err)
		return
	}
	t0 = time.Now()
	revs := make([]store.NewRevision, 0, len(plan.Pending))
	for _, p := range plan.Pending {
		nr := store.NewRevision{Pending: p}
		if p.PrevNumber > 0 && p.RevertOf == 0 {
			for _, ch := range diff.Compare(diff.Article{Headline: p.PrevHeadline, Body: p.PrevText}, diff.Article{Headline: p.Headline, Body: p.Text}) {
				nr.Changes = append(nr.Changes, store.ChangeInput{Kind: ch.Kind, Person: ch.Person, Before: ch.Before, After: ch.After, Quote: ch.Quote})
			}
		}
		revs = append(revs, nr)
	}
	timed(&sg.diff, t0)
	t0 = time.Now()
	if _, err := st.SaveFetch(ctx, store.FetchResult{Fetch: &rec, FeedID: sf.ID, At: start, Revisions: revs, Seen: plan.Seen, Moved: plan.Moved}); err != nil {
		t.Error(err)
	}
	timed(&sg.save, t0)
}

func TestProfilePass(t *testing.T) {
	size := os.Getenv("STET_PROFILE_SIZE")
	if size == "" {
		size = "200x50"
	}
	sizes, err := parseSizes(size)
	if err != nil {
		t.Fatal(err)
	}
	F, I := sizes[0][0], sizes[0][1]
	workers := 8
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	fm := NewFarm(1, F, I)
	if err := fm.Start(ctx, 20*time.Minute); err != nil {
		t.Fatal(err)
	}
	defer fm.Close()
	urls := make([]string, F)
	for f := range F {
		urls[f] = fm.URL(f)
	}
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "bench.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fetcher := feeds.NewFetcher(feeds.Options{UserAgent: "stet-bench", PerHost: workers, AllowPrivate: true,
		Timeout: time.Minute, ConnectTimeout: 10 * time.Second, HeaderTimeout: 20 * time.Second, MaxBody: 20 << 20, MaxItems: 1000})
	// STET_PROFILE_PASS=first|unchanged|edited stops after that pass; with
	// STET_PROFILE_CPU=FILE, a CPU profile of that pass alone goes to FILE.
	only := os.Getenv("STET_PROFILE_PASS")
	cpuFile := os.Getenv("STET_PROFILE_CPU")
	profile := func(name string) func() {
		if cpuFile == "" || name != only {
			return func() {}
		}
		f, err := os.Create(cpuFile)
		if err != nil {
			t.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			t.Fatal(err)
		}
		return func() { pprof.StopCPUProfile(); f.Close() }
	}

	stop := profile("first")
	start := time.Now()
	sg := profilePass(ctx, t, st, fetcher, urls, workers)
	stop()
	sg.log(t, "first pass (items)", time.Since(start), F*I)
	if only == "first" {
		return
	}
	stop = profile("unchanged")
	start = time.Now()
	sg = profilePass(ctx, t, st, fetcher, urls, workers)
	stop()
	sg.log(t, "unchanged pass (feeds)", time.Since(start), F)
	if only == "unchanged" {
		return
	}
	edits, err := fm.Edit(0.1)
	if err != nil {
		t.Fatal(err)
	}
	stop = profile("edited")
	start = time.Now()
	sg = profilePass(ctx, t, st, fetcher, urls, workers)
	stop()
	sg.log(t, "edited pass (changed articles)", time.Since(start), len(edits))
}
