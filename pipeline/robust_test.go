package pipeline

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/robfig/cron/v3"
	_ "modernc.org/sqlite"

	"github.com/stet-news/stet/feeds"
	"github.com/stet-news/stet/store"
)

// panicky is a real fetcher that panics, with a random value, on the
// fetches of one URL while armed.
type panicky struct {
	Fetcher
	url   string
	armed atomic.Bool
}

func (f *panicky) Fetch(ctx context.Context, r feeds.Request) (*feeds.Response, error) {
	if f.armed.Load() && r.URL == f.url {
		panic(fmt.Sprintf("fuzzed panic %d", rand.Int()))
	}
	return f.Fetcher.Fetch(ctx, r)
}

// A panic while processing one feed neither stops the pass nor the other
// feeds; it is counted, and the feed is processed again next time.
func TestPanicInOneFeedIsRecovered(t *testing.T) {
	ctx := context.Background()
	headline, body := seedArticle(t)
	bad := newFeedServer(t, rssFeed([3]string{"a", headline, body}))
	good := newFeedServer(t, rssFeed([3]string{"b", headline, body}))
	cfg := testConfig(t, bad.URL, good.URL)
	cfg.Fetch.Workers = 2
	fetcher := &panicky{Fetcher: feeds.NewFetcher(feeds.Options{Allow: []string{"127.0.0.0/8", "::1"}}), url: bad.URL}
	fetcher.armed.Store(true)
	tp := newTestPipeline(t, cfg, fetcher)

	st, err := tp.Pass(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if st.Panics != 1 || st.Failed != 1 || st.Revisions != 1 {
		t.Fatalf("pass with a panic: %+v, want 1 panic, 1 failed feed, the other stored", st)
	}
	var b strings.Builder
	tp.Metrics().WriteTo(&b)
	if want := fmt.Sprintf("stet_panics_total{feed=%q} 1", bad.URL); !strings.Contains(b.String(), want) {
		t.Errorf("metrics lack %s", want)
	}

	// The feed is not left claimed: the next pass processes it.
	fetcher.armed.Store(false)
	tp.clock.advance(time.Hour)
	st, err = tp.Pass(ctx, true)
	if err != nil || st.Failed != 0 || st.Revisions != 1 {
		t.Fatalf("pass after the panic: %+v %v, want the feed stored", st, err)
	}
}

// The scheduler's chain recovers inside SkipIfStillRunning: a job that
// panicked runs again at its next firing (robfig/cron v3.0.1 keeps it
// locked for good with Recover outside).
func TestScheduledJobRunsAgainAfterAPanic(t *testing.T) {
	runs := 0
	job := chain(cronLogger{testLogger()}).Then(cron.FuncJob(func() {
		runs++
		panic("fuzzed")
	}))
	for range 3 {
		job.Run()
	}
	if runs != 3 {
		t.Fatalf("the job ran %d times in 3 firings, want 3", runs)
	}
}

// gate is a feed server that holds every request until released.
type gate struct {
	*httptest.Server
	arrived chan struct{}
	release chan struct{}
	once    sync.Once
}

func newGate(t *testing.T, body string) *gate {
	g := &gate{arrived: make(chan struct{}, 16), release: make(chan struct{})}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.arrived <- struct{}{}
		select {
		case <-g.release:
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, body)
	}))
	t.Cleanup(func() { g.open(); g.Close() })
	return g
}

func (g *gate) open() { g.once.Do(func() { close(g.release) }) }

// watched is a real fetcher that counts the fetches still in progress.
type watched struct {
	Fetcher
	active atomic.Int32
}

func (f *watched) Fetch(ctx context.Context, r feeds.Request) (*feeds.Response, error) {
	f.active.Add(1)
	defer f.active.Add(-1)
	return f.Fetcher.Fetch(ctx, r)
}

// Stopping the daemon lets a fetch in flight finish and record its result
// before Run returns, so the store is closed only after.
func TestRunLetsInFlightWorkFinishBeforeReturning(t *testing.T) {
	headline, body := seedArticle(t)
	g := newGate(t, rssFeed([3]string{"a", headline, body}))
	cfg := testConfig(t, g.URL)
	f := &watched{Fetcher: feeds.NewFetcher(feeds.Options{Allow: []string{"127.0.0.0/8", "::1"}})}
	tp := newTestPipeline(t, cfg, f)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- tp.Run(ctx, Jobs{}) }()
	<-g.arrived // the first pass is fetching the feed
	cancel()
	g.open()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := f.active.Load(); n != 0 {
		t.Fatalf("Run returned with %d fetches in progress", n)
	}
	if s := statuses(t, tp.st)[g.URL]; s.Revisions != 1 || s.LastError != "" {
		t.Fatalf("the fetch in flight at the stop was not recorded: %+v", s)
	}
}

// A fetch that does not finish within the grace period is cancelled, and
// Run returns once it has returned: nothing is left writing to the store.
func TestRunCancelsWorkPastTheGracePeriod(t *testing.T) {
	headline, body := seedArticle(t)
	g := newGate(t, rssFeed([3]string{"a", headline, body})) // never released
	cfg := testConfig(t, g.URL)
	f := &watched{Fetcher: feeds.NewFetcher(feeds.Options{Allow: []string{"127.0.0.0/8", "::1"}, Timeout: time.Hour})}
	tp := newTestPipeline(t, cfg, f)
	tp.grace = time.Millisecond

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- tp.Run(ctx, Jobs{}) }()
	<-g.arrived
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := f.active.Load(); n != 0 {
		t.Fatalf("Run returned with %d fetches in progress", n)
	}
	if err := tp.st.Close(); err != nil {
		t.Fatalf("closing the store after Run: %v", err)
	}
	// Work offered after the stop is refused, not started.
	if r := tp.FetchFeed(context.Background(), cfg.Feeds[0], store.Feed{ID: 1, URL: g.URL, FetchURL: g.URL}); !errors.Is(r.Err, ErrStopped) {
		t.Fatalf("fetch after the stop: %v, want ErrStopped", r.Err)
	}
}

// failWrites makes the database refuse new revisions, the way a full disk
// refuses them, through a trigger (a real SQLite error from a real store).
func failWrites(t *testing.T, path string, on bool) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q := `DROP TRIGGER IF EXISTS disk_full`
	if on {
		q = `CREATE TRIGGER disk_full BEFORE INSERT ON revisions BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END`
	}
	if _, err := db.Exec(q); err != nil {
		t.Fatal(err)
	}
}

// A pass whose writes fail says so (StoreFailed), the metrics count the
// failures and report the daemon unhealthy until a write succeeds again.
func TestWriteFailuresAreCountedAndUnhealthy(t *testing.T) {
	ctx := context.Background()
	headline, body := seedArticle(t)
	srv := newFeedServer(t, rssFeed([3]string{"a", headline, body}))
	cfg := testConfig(t, srv.URL)
	tp := newTestPipeline(t, cfg, nil)
	if st, err := tp.Pass(ctx, true); err != nil || st.StoreFailed != 0 || tp.Metrics().Health() != nil {
		t.Fatalf("first pass: %+v %v %v", st, err, tp.Metrics().Health())
	}
	failWrites(t, cfg.Database, true)
	srv.Set(rssFeed([3]string{"a", headline, seedTitleCorrected(body)}))
	st, err := tp.Pass(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if st.StoreFailed != 1 || st.Revisions != 0 {
		t.Fatalf("pass with failing writes: %+v, want the feed's write failed", st)
	}
	if err := tp.Metrics().Health(); err == nil || !strings.Contains(err.Error(), "database or disk is full") {
		t.Fatalf("health while writes fail: %v", err)
	}
	var b strings.Builder
	tp.Metrics().WriteTo(&b)
	if !strings.Contains(b.String(), "stet_store_write_failures_total 1\n") {
		t.Errorf("write failures not counted:\n%s", b.String())
	}

	failWrites(t, cfg.Database, false)
	if st, err := tp.Pass(ctx, true); err != nil || st.StoreFailed != 0 || st.Revisions != 1 {
		t.Fatalf("pass after the disk was freed: %+v %v", st, err)
	}
	if err := tp.Metrics().Health(); err != nil {
		t.Fatalf("health after a good write: %v", err)
	}
}
