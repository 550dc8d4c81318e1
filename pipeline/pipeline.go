// Package pipeline is stet's processing: a feed fetched, parsed, its items
// compared with their last revisions, the changes found by the diff, and
// all of it recorded in one write transaction; the pages of full-text
// articles checked again through the same steps; and the daemon's
// schedule of both. It takes the configuration (plain data), a store, a
// fetcher, a clock and a logger, and counts what it does in a
// metrics.Metrics; it knows nothing of flags, terminals or the web.
//
// The steps for one source (a feed, or one article page):
//
//	fetch (feeds.Fetcher) → parse (feeds) → candidates → store.Prepare (read)
//	→ diff.Compare, outside any lock → store.SaveFetch (one write transaction:
//	fetch state, articles, revisions, changes, problems, recheck plan)
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"github.com/robfig/cron/v3"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stet-news/stet/config"
	"github.com/stet-news/stet/feeds"
	"github.com/stet-news/stet/metrics"
	"github.com/stet-news/stet/store"
)

// Fetcher fetches feeds and pages; *feeds.Fetcher is the real one.
type Fetcher interface {
	Fetch(ctx context.Context, r feeds.Request) (*feeds.Response, error)
	ParseOptions() feeds.ParseOptions
}

// Store is what the pipeline needs of a store; *store.Store (SQLite) is
// the one there is. A second store implements these.
type Store interface {
	Feeds(ctx context.Context) ([]store.Feed, error)
	EnsureFeed(ctx context.Context, url, name string) (store.Feed, error)
	FeedByURL(ctx context.Context, url string) (store.Feed, error)
	ArticleKeys(ctx context.Context, feedID int64) (map[string]int64, error)
	Article(ctx context.Context, id int64) (store.Article, error)
	DueRechecks(ctx context.Context, now time.Time, limit int) ([]store.RecheckTarget, error)
	// Prepare and SaveFetch are the two steps of recording: what needs a
	// new revision (read only), then everything in one transaction.
	Prepare(ctx context.Context, feedID int64, cands []store.Candidate) (store.Plan, error)
	SaveFetch(ctx context.Context, r store.FetchResult) (store.SaveStats, error)
	RecordFetches(ctx context.Context, recs []store.FetchRecord) error
	SetRecheck(ctx context.Context, articleID int64, next time.Time, etag, lastModified string) error
}

// Options are what a Pipeline works with.
type Options struct {
	Config  config.Config
	Store   Store
	Fetcher Fetcher
	Now     func() time.Time // nil: time.Now
	Log     *slog.Logger     // nil: discard
	Metrics *metrics.Metrics // nil: a fresh set
	// Grace bounds how long Run lets in-flight fetches finish after its
	// context ends before it cancels them (0: two minutes).
	Grace time.Duration
	// Cluster, when set, makes Run a worker of the cluster sharing the
	// store's database (PostgreSQL): feeds are claimed when due rather
	// than scheduled by this process alone (cluster.go). nil: the cron
	// schedule of a single daemon.
	Cluster ClusterStore
	// WorkerID names this worker in the cluster ("": host, pid and a
	// random suffix).
	WorkerID string
	// ClusterPoll bounds how long an idle worker waits before it looks
	// for due feeds again (0: a second).
	ClusterPoll time.Duration
}

// Pipeline processes feeds and article pages into the store.
type Pipeline struct {
	cfgp    atomic.Pointer[config.Config] // replaced whole by Reload
	store   Store
	fetcher Fetcher
	now     func() time.Time
	log     *slog.Logger
	metrics *metrics.Metrics
	grace   time.Duration

	mu      sync.Mutex
	running map[int64]bool // feeds being fetched now

	// sched is Run's cron schedule, for Reload.
	sched struct {
		sync.Mutex
		c       *cron.Cron
		ctx     context.Context
		entries map[string]feedEntry // by configured feed URL
	}

	// Work in flight (a feed, a recheck) is counted in inflight and runs
	// under a context that the caller's cancellation does not end (a fetch
	// half done is finished, not abandoned) but abort does: Drain calls it
	// once the grace period is over.
	inflight sync.WaitGroup
	draining bool // under mu: Drain began, no new work starts
	base     context.Context
	abort    context.CancelFunc

	cl *clusterState // nil: not a cluster worker
}

// New returns a Pipeline.
func New(o Options) *Pipeline {
	p := &Pipeline{store: o.Store, fetcher: o.Fetcher, now: o.Now, log: o.Log, metrics: o.Metrics,
		grace: o.Grace, running: map[int64]bool{}}
	cfg := o.Config
	p.cfgp.Store(&cfg)
	if p.now == nil {
		p.now = time.Now
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	if p.metrics == nil {
		p.metrics = metrics.New()
	}
	if p.grace <= 0 {
		p.grace = 2 * time.Minute
	}
	p.base, p.abort = context.WithCancel(context.Background())
	if o.Cluster != nil {
		p.cl = newClusterState(o)
	}
	return p
}

// conf is the configuration in force. A caller that reads several keys
// takes it once, so that a reload between them does not mix two files.
func (p *Pipeline) conf() *config.Config { return p.cfgp.Load() }

// Metrics are the pipeline's counters and health.
func (p *Pipeline) Metrics() *metrics.Metrics { return p.metrics }

// ErrStopped is the result of work refused because the pipeline is
// draining.
var ErrStopped = errors.New("pipeline: stopping")

// work starts one unit of in-flight work: it returns the context to do it
// under and the function that ends it; ok is false once Drain began.
func (p *Pipeline) work(ctx context.Context) (_ context.Context, done func(), ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.draining {
		return nil, nil, false
	}
	p.inflight.Add(1)
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(p.base, cancel)
	return wctx, func() {
		stop()
		cancel()
		p.inflight.Done()
	}, true
}

// Drain waits for the work in flight: up to grace for it to finish, then
// it cancels what is left and waits for that to return. It says whether
// everything finished within grace. After Drain, nothing of the pipeline
// touches the store, which may then be closed; the pipeline is not used
// again.
func (p *Pipeline) Drain(grace time.Duration) bool {
	p.mu.Lock()
	p.draining = true
	p.mu.Unlock()
	done := make(chan struct{})
	go func() { p.inflight.Wait(); close(done) }()
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
	}
	p.abort()
	<-done
	return false
}

// ErrStore marks an error of the store (a failed write: a full disk, a
// read-only file), as opposed to one of the source (a feed that failed).
var ErrStore = errors.New("pipeline: not recorded")

// storeErr wraps a store error so that callers can tell it apart
// (errors.Is(err, ErrStore)), and records the write's outcome in the
// metrics when write is set.
func (p *Pipeline) storeErr(err error, write bool) error {
	// A claim lost to another worker is no failed write: that worker
	// stored the feed.
	if write && !errors.Is(err, store.ErrLeaseLost) {
		p.metrics.Write(err)
	}
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrStore, err)
}

// claim marks a feed as being fetched; false when it already is.
func (p *Pipeline) claim(id int64) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.running[id] {
		return false
	}
	p.running[id] = true
	return true
}

func (p *Pipeline) release(id int64) {
	p.mu.Lock()
	delete(p.running, id)
	p.mu.Unlock()
}

// oneLine folds an error message onto one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
