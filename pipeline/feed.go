package pipeline

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/stet-news/stet/config"
	"github.com/stet-news/stet/diff"
	"github.com/stet-news/stet/feeds"
	"github.com/stet-news/stet/store"
)

// Result is what one fetch of one feed did.
type Result struct {
	Status       int
	Items        int
	NewArticles  int
	NewRevisions int
	NewChanges   int
	// Err: why the fetch failed. errors.Is(Err, ErrStore) when the store
	// failed rather than the feed, errors.Is(Err, ErrPanic) on a panic.
	Err error
}

// Stats sums a pass over many feeds.
type Stats struct {
	Feeds, Failed, NotModified             int
	Items, NewArticles, Revisions, Changes int
	// StoreFailed counts the feeds whose results could not be written (a
	// full disk, a read-only database): a pass with any did not do its job.
	StoreFailed int
	Panics      int
	// Held counts the feeds skipped because a cluster worker was fetching
	// them (a pass beside running workers: `stet once` on PostgreSQL).
	Held int
	// FailedFeeds names the feeds that failed (the first few).
	FailedFeeds []string
}

// maxNamedFailures bounds the feeds a pass's log line names.
const maxNamedFailures = 5

// LogValue is the pass as one log line: its counts, and the feeds that
// failed, a few by name then "and N more".
func (st Stats) LogValue() slog.Value {
	attrs := []slog.Attr{slog.Int("feeds", st.Feeds), slog.Int("failed", st.Failed), slog.Int("not_modified", st.NotModified),
		slog.Int("items", st.Items), slog.Int("new_articles", st.NewArticles), slog.Int("new_revisions", st.Revisions),
		slog.Int("changes", st.Changes)}
	if st.Failed > 0 {
		names := strings.Join(st.FailedFeeds, ", ")
		if more := st.Failed - len(st.FailedFeeds); more > 0 {
			names += fmt.Sprintf(" and %d more", more)
		}
		attrs = append(attrs, slog.String("failed_feeds", names))
	}
	if st.Held > 0 {
		attrs = append(attrs, slog.Int("held_by_workers", st.Held))
	}
	return slog.GroupValue(attrs...)
}

// ErrPanic marks the result of a feed whose processing panicked.
var ErrPanic = errors.New("pipeline: panic")

// Pass fetches every configured feed once, at most cfg.Fetch.Workers at a
// time, and returns the totals. Feeds whose backoff has not expired are
// skipped unless force is set. When ctx ends, no new feed is started; the
// feeds in flight finish (see Drain).
//
// On a cluster's database (`stet once` while workers may run), the pass
// claims each feed before it fetches it, as a worker would, whatever its
// due time; a feed a worker holds is skipped (Stats.Held), since fetching
// it too would race that worker's save. The save gives the claim back with
// the feed due as it was: the workers' schedule is theirs.
func (p *Pipeline) Pass(ctx context.Context, force bool) (Stats, error) {
	var st Stats
	type job struct {
		fc config.Feed
		sf store.Feed
	}
	var jobs []job
	stored, err := p.store.Feeds(ctx)
	if err != nil {
		return st, p.storeErr(err, false)
	}
	byURL := make(map[string]store.Feed, len(stored))
	for _, f := range stored {
		byURL[f.URL] = f
	}
	for _, fc := range p.conf().Feeds {
		sf, ok := byURL[fc.URL]
		if !ok || (fc.Name != "" && fc.Name != sf.Name) {
			if sf, err = p.store.EnsureFeed(ctx, fc.URL, fc.Name); err != nil {
				return st, p.storeErr(err, true)
			}
		}
		if sf.Gone {
			p.log.Info("feed is gone (410); skipped", "feed", fc.URL)
			continue
		}
		if !force && sf.NextFetch.After(p.now()) && sf.Failures > 0 {
			p.log.Info("feed backing off", "feed", fc.URL, "until", fmtTime(sf.NextFetch))
			continue
		}
		jobs = append(jobs, job{fc, sf})
	}
	workers := max(p.conf().Fetch.Workers, 1)
	batch := &fetchBatch{store: p.store}
	ch := make(chan job)
	var mu sync.Mutex
	var wg sync.WaitGroup
	if p.cl != nil {
		p.releaseStopped(ctx)
		kctx, stop := context.WithCancel(context.WithoutCancel(ctx))
		kept := make(chan struct{})
		go func() { defer close(kept); p.renewLoop(kctx) }()
		defer func() { stop(); <-kept }()
	}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range ch {
				cl, held, err := p.claimForPass(ctx, j.sf)
				if held || err != nil {
					mu.Lock()
					if held {
						st.Held++
					} else {
						st.Failed++
						st.StoreFailed++
					}
					mu.Unlock()
					continue
				}
				r := p.fetchFeed(ctx, j.fc, j.sf, batch, cl)
				if cl != nil {
					p.passDone(ctx, *cl)
				}
				if errors.Is(r.Err, store.ErrLeaseLost) {
					// A worker took the feed over while this pass
					// fetched it (past the lease): it stored the feed.
					mu.Lock()
					st.Held++
					mu.Unlock()
					continue
				}
				mu.Lock()
				st.Feeds++
				st.Items += r.Items
				st.NewArticles += r.NewArticles
				st.Revisions += r.NewRevisions
				st.Changes += r.NewChanges
				if r.Err != nil {
					st.Failed++
					if len(st.FailedFeeds) < maxNamedFailures {
						st.FailedFeeds = append(st.FailedFeeds, cmp.Or(j.fc.Name, j.fc.URL))
					}
				}
				if errors.Is(r.Err, ErrStore) {
					st.StoreFailed++
				}
				if errors.Is(r.Err, ErrPanic) {
					st.Panics++
				}
				if r.Status == 304 {
					st.NotModified++
				}
				mu.Unlock()
			}
		}()
	}
	for _, j := range jobs {
		if ctx.Err() != nil {
			break // stop starting new work; in-flight feeds finish
		}
		ch <- j
	}
	close(ch)
	wg.Wait()
	if n, err := batch.flush(context.WithoutCancel(ctx)); n > 0 {
		if err := p.storeErr(err, true); err != nil {
			p.log.Error("record unchanged feeds", "feeds", n, "err", err)
			st.StoreFailed++
		}
	}
	return st, nil
}

// fetchBatch gathers the fetch records of unchanged (304) feeds so that a
// pass writes them a few hundred to a transaction rather than one each. A
// crash loses at most one batch of last-fetch times, never a revision.
type fetchBatch struct {
	store Store
	mu    sync.Mutex
	recs  []store.FetchRecord
}

const fetchBatchSize = 256

// add adds rec, and writes the batch when it is full (full is then true).
func (b *fetchBatch) add(ctx context.Context, rec store.FetchRecord) (full bool, err error) {
	b.mu.Lock()
	b.recs = append(b.recs, rec)
	var recs []store.FetchRecord
	if len(b.recs) >= fetchBatchSize {
		recs, b.recs = b.recs, nil
	}
	b.mu.Unlock()
	if recs == nil {
		return false, nil
	}
	return true, b.store.RecordFetches(ctx, recs)
}

// flush writes what is left; n is how many records it had.
func (b *fetchBatch) flush(ctx context.Context) (n int, err error) {
	b.mu.Lock()
	recs := b.recs
	b.recs = nil
	b.mu.Unlock()
	return len(recs), b.store.RecordFetches(ctx, recs)
}

// backoff is the wait after n consecutive failures: exponential from one
// minute, capped at six hours, with a little jitter.
func backoff(n int) time.Duration {
	d := time.Minute
	for i := 1; i < n && d < 6*time.Hour; i++ {
		d *= 2
	}
	d = min(d, 6*time.Hour)
	return d + time.Duration(rand.Int64N(int64(d/10)+1))
}

// FetchFeed fetches, parses and stores one feed: one read (Prepare) and
// one write transaction (SaveFetch); parsing and diffing happen outside
// both. A panic is recovered, logged and counted: the feed stays
// scheduled.
func (p *Pipeline) FetchFeed(ctx context.Context, fc config.Feed, sf store.Feed) Result {
	return p.fetchFeed(ctx, fc, sf, nil, nil)
}

// fetchFeed is FetchFeed; with a batch, the record of a 304 joins it.
// With a claim (a cluster worker's, cluster.go), every save carries it:
// the feed is next due at its schedule's next time after the claim, and
// a save whose claim was lost stores nothing (store.ErrLeaseLost).
func (p *Pipeline) fetchFeed(ctx context.Context, fc config.Feed, sf store.Feed, batch *fetchBatch, claim *store.Claim) (res Result) {
	if !p.claim(sf.ID) {
		return Result{Err: fmt.Errorf("pipeline: feed %s is already being fetched", fc.URL)}
	}
	defer p.release(sf.ID)
	ctx, done, ok := p.work(ctx)
	if !ok {
		return Result{Err: ErrStopped}
	}
	defer done()
	start := p.now()
	began := time.Now() // for the log's duration; start follows the pipeline's clock
	log := p.log.With("feed", fc.URL)
	defer func() {
		p.metrics.Fetch(fc.URL, res.Status, res.Err != nil, time.Since(began))
		p.metrics.Revisions(res.NewRevisions)
		p.metrics.Changes(res.NewChanges)
		attrs := []any{"status", res.Status, "items", res.Items, "new_articles", res.NewArticles,
			"new_revisions", res.NewRevisions, "changes", res.NewChanges, "duration", time.Since(began).Round(time.Millisecond)}
		switch {
		case res.Err != nil:
			log.Warn("fetch failed", append(attrs, "err", oneLine(res.Err.Error()))...)
		case res.NewRevisions > 0 || res.NewChanges > 0:
			log.Info("fetched", attrs...)
		default:
			// Unchanged (a 304, or nothing new): every feed on every
			// pass; the pass's own line counts them.
			log.Debug("fetched, nothing new", attrs...)
		}
	}()
	// Runs first: whatever panicked, the deferred calls above still run.
	defer func() {
		if r := recover(); r != nil {
			log.Error("panic while processing the feed; it stays scheduled", "panic", r, "stack", string(debug.Stack()))
			p.metrics.Panic(fc.URL)
			res = Result{Err: fmt.Errorf("%w: feed %s: %v", ErrPanic, fc.URL, r)}
		}
	}()

	return p.processFeed(ctx, fc, sf, batch, claim, start, log)
}

// processFeed is the work of fetchFeed: fetch, parse, candidates, prepare
// and commit, or the record of the failure.
func (p *Pipeline) processFeed(ctx context.Context, fc config.Feed, sf store.Feed, batch *fetchBatch, claim *store.Claim, start time.Time, log *slog.Logger) (res Result) {
	// The store is written under a context the grace period does not
	// cancel: a cancelled fetch is recorded as failed, a write half done is
	// not abandoned (nor does every statement pay for a cancel watch).
	sctx := context.WithoutCancel(ctx)
	rec := store.FetchRecord{FeedID: sf.ID, At: start, Failures: 0}
	resp, err := p.fetcher.Fetch(ctx, feeds.Request{URL: sf.FetchURL, ETag: sf.ETag, LastModified: sf.LastModified, Trusted: true})
	if err != nil {
		return p.fetchFailed(ctx, fc, sf, claim, rec, err)
	}
	rec.Status = resp.Status
	rec.NextFetch = p.nextScheduled(fc, start)
	if claim != nil && !claim.KeepDue {
		// The claim's time is the database's, the clock every worker's
		// next time is measured on. (A pass's claim leaves the workers'
		// due time alone: its feed's next time is the pass's, as
		// without a cluster.)
		rec.NextFetch = p.nextScheduled(fc, claim.At)
	}
	if resp.PermanentURL != "" && resp.PermanentURL != sf.FetchURL {
		log.Info("feed moved permanently; fetching the new URL from now on", "url", resp.PermanentURL)
		rec.FetchURL = resp.PermanentURL
	}
	res.Status = resp.Status
	resolve := sf.Failures > 0 || sf.LastError != ""
	if resp.NotModified {
		rec.ETag, rec.LastModified = sf.ETag, sf.LastModified
		if batch != nil && !resolve {
			// Written with the batch (when it is full, or at the end of
			// the pass): only then is the write's outcome known.
			if full, err := batch.add(sctx, rec); full {
				res.Err = p.storeErr(err, true)
			}
			return res
		}
		_, err := p.store.SaveFetch(sctx, store.FetchResult{Fetch: &rec, FeedID: sf.ID, At: start, ResolveFeed: resolve, Claim: claim})
		res.Err = p.storeErr(err, true)
		return res
	}
	parsed, err := feeds.ParseWith(resp.Body, resp.ContentType, resp.URL, p.fetcher.ParseOptions())
	if err != nil {
		return p.fetchFailed(ctx, fc, sf, claim, rec, fmt.Errorf("parse %s: %w", sf.FetchURL, err))
	}
	if parsed.Truncated {
		if len(parsed.Items) == 0 {
			return p.fetchFailed(ctx, fc, sf, claim, rec, fmt.Errorf("%w: %s: the document is cut short, with no complete item before the cut", feeds.ErrMalformed, fc.URL))
		}
		log.Warn("feed document is cut short; keeping the items complete before the cut", "items", len(parsed.Items))
	}
	rec.ETag, rec.LastModified = resp.ETag, resp.LastModified
	// What the feed says of itself names it where no name is configured
	// (written only when it differs).
	rec.Site = &store.FeedSite{Title: parsed.Title, Link: parsed.Link, Icon: parsed.Icon}
	res.Items = len(parsed.Items)
	fr := store.FetchResult{Fetch: &rec, FeedID: sf.ID, At: start, ResolveFeed: resolve, Claim: claim}

	// For full-text feeds the page of a known article is not fetched on
	// every pass: the recheck schedule decides when it is due.
	var known map[string]int64
	if fc.FullText {
		if known, err = p.store.ArticleKeys(sctx, sf.ID); err != nil {
			res.Err = p.storeErr(err, false)
			return res
		}
		if wait := recheckInterval(p.conf().Recheck, 0); wait > 0 {
			fr.RecheckAt = start.Add(wait)
		}
	}
	cands := make([]store.Candidate, 0, len(parsed.Items))
	for _, it := range parsed.Items {
		c := store.Candidate{GUID: it.GUID, Link: it.Link, Key: it.Key, Headline: it.Title, Text: it.Text,
			Published: it.Published, DateRaw: it.DateRaw, Source: store.SourceFeed}
		if fc.FullText && it.Link != "" {
			if _, ok := known[it.Key]; ok {
				c.SeenOnly = true
			} else if prob := p.fullText(ctx, &c); prob != nil {
				log.Warn("full text: keeping the feed's content", "article", c.Link, "err", prob.Detail)
				fr.Problems = append(fr.Problems, *prob)
			}
		}
		cands = append(cands, c)
	}
	plan, err := p.prepare(sctx, sf.ID, cands)
	if err != nil {
		res.Err = err
		return res
	}
	stats, err := p.commit(sctx, plan, fr)
	if err != nil {
		res.Err = err
		return res
	}
	res.NewArticles, res.NewRevisions, res.NewChanges = stats.NewArticles, stats.NewRevisions, stats.NewChanges
	return res
}

// prepare is the first step of recording candidates, feed items or a
// page: which need a new revision (a read of the store).
func (p *Pipeline) prepare(ctx context.Context, feedID int64, cands []store.Candidate) (store.Plan, error) {
	plan, err := p.store.Prepare(ctx, feedID, cands)
	return plan, p.storeErr(err, false)
}

// commit is the last step: it diffs what prepare found, outside any lock,
// then writes fr with the new revisions and their changes in one
// transaction. A revision that reverts to an earlier text, or whose text
// comes from another source than the last one (the feed's summary, then
// the page), is stored without changes.
func (p *Pipeline) commit(ctx context.Context, plan store.Plan, fr store.FetchResult) (store.SaveStats, error) {
	fr.Revisions = make([]store.NewRevision, 0, len(plan.Pending))
	for _, pd := range plan.Pending {
		nr := store.NewRevision{Pending: pd}
		if pd.PrevNumber > 0 && pd.RevertOf == 0 && pd.PrevSource == pd.Source {
			nr.Changes = diff.Compare(diff.Article{Headline: pd.PrevHeadline, Body: pd.PrevText},
				diff.Article{Headline: pd.Headline, Body: pd.Text})
		}
		fr.Revisions = append(fr.Revisions, nr)
	}
	fr.Seen, fr.Moved = plan.Seen, plan.Moved
	st, err := p.store.SaveFetch(ctx, fr)
	return st, p.storeErr(err, true)
}

// fullText replaces the candidate's feed text by the main text of its
// page. When the page cannot be fetched or extracted, the feed's own text
// is kept and the reason returned, to be recorded as a problem of the feed.
func (p *Pipeline) fullText(ctx context.Context, c *store.Candidate) *store.Problem {
	page, err := p.fetchPage(ctx, c.Link)
	if err != nil {
		return &store.Problem{Kind: "full_text", Detail: oneLine(err.Error())}
	}
	c.Text = page.Text
	c.Source = store.SourcePage
	if page.Headline != "" {
		c.Headline = page.Headline
	}
	c.Canonical = page.Canonical
	return nil
}

// fetchPage fetches and extracts an article page (an untrusted URL).
func (p *Pipeline) fetchPage(ctx context.Context, url string) (feeds.Page, error) {
	resp, err := p.fetcher.Fetch(ctx, feeds.Request{URL: url})
	if err != nil {
		return feeds.Page{}, err
	}
	page, err := feeds.ExtractPage(resp.Body, resp.URL)
	if err != nil {
		return feeds.Page{}, fmt.Errorf("extract %s: %w", url, err)
	}
	if why := thinPage(page.Text); why != "" {
		return feeds.Page{}, fmt.Errorf("extract %s: %s", url, why)
	}
	return page, nil
}

// fetchFailed records a failed fetch, in one transaction: the error, the
// backoff, a problem of the feed.
func (p *Pipeline) fetchFailed(ctx context.Context, fc config.Feed, sf store.Feed, claim *store.Claim, rec store.FetchRecord, err error) Result {
	sctx := context.WithoutCancel(ctx) // see processFeed
	if claim != nil && ctx.Err() != nil {
		// A cluster worker stopping records no failure: the claim goes
		// back, and another worker fetches the feed at once.
		return Result{Err: fmt.Errorf("%w: %w", ErrStopped, err)}
	}
	res := Result{Err: err}
	rec.Err = oneLine(err.Error())
	rec.Failures = sf.Failures + 1
	rec.ETag, rec.LastModified = sf.ETag, sf.LastModified
	var se *feeds.StatusError
	if errors.As(err, &se) {
		rec.Status = se.Status
		res.Status = se.Status
	}
	wait := backoff(rec.Failures)
	if se != nil && se.RetryAfter > wait {
		wait = se.RetryAfter
	}
	rec.NextFetch = rec.At.Add(wait)
	if errors.Is(err, feeds.ErrGone) {
		rec.Gone = true
		rec.NextFetch = time.Time{}
		p.log.Warn("feed is gone (410 Gone): no longer fetched", "feed", fc.URL)
	}
	_, werr := p.store.SaveFetch(sctx, store.FetchResult{Fetch: &rec, FeedID: sf.ID, At: rec.At,
		Problems: []store.Problem{{Kind: "fetch", Detail: rec.Err}}, Claim: claim})
	if werr = p.storeErr(werr, true); werr != nil {
		res.Err = errors.Join(err, werr)
	}
	return res
}
