package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/stet-news/stet/config"
	"github.com/stet-news/stet/diff"
	"github.com/stet-news/stet/feeds"
	"github.com/stet-news/stet/store"
)

// feedResult is what one fetch of one feed did.
type feedResult struct {
	Status       int
	Items        int
	NewArticles  int
	NewRevisions int
	NewChanges   int
	Err          error
}

// passStats sums a pass over many feeds.
type passStats struct {
	Feeds, Failed, NotModified             int
	Items, NewArticles, Revisions, Changes int
}

// contentHash is the identity of a revision's content: typography and
// whitespace folded, so a cosmetic republish is not a new revision.
func contentHash(headline, text string) string {
	sum := sha256.Sum256([]byte(diff.Normalize(headline + "\n\n" + text)))
	return hex.EncodeToString(sum[:])
}

// Pass fetches every configured feed once, at most cfg.Fetch.Workers at a
// time, and returns the totals. Feeds whose backoff has not expired are
// skipped unless force is set.
func (a *App) Pass(ctx context.Context, force bool) (passStats, error) {
	var st passStats
	type job struct {
		fc config.Feed
		sf store.Feed
	}
	var jobs []job
	stored, err := a.store.Feeds(ctx)
	if err != nil {
		return st, err
	}
	byURL := make(map[string]store.Feed, len(stored))
	for _, f := range stored {
		byURL[f.URL] = f
	}
	for _, fc := range a.cfg.Feeds {
		sf, ok := byURL[fc.URL]
		if !ok || (fc.Name != "" && fc.Name != sf.Name) {
			if sf, err = a.store.EnsureFeed(ctx, fc.URL, fc.Name); err != nil {
				return st, err
			}
		}
		if sf.Gone {
			a.log.Info("feed is gone (410); skipped", "feed", fc.URL)
			continue
		}
		if !force && sf.NextFetch.After(a.now()) && sf.Failures > 0 {
			a.log.Info("feed backing off", "feed", fc.URL, "until", fmtTime(sf.NextFetch))
			continue
		}
		jobs = append(jobs, job{fc, sf})
	}
	workers := max(a.cfg.Fetch.Workers, 1)
	batch := &fetchBatch{store: a.store}
	ch := make(chan job)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range ch {
				r := a.fetchFeed(ctx, j.fc, j.sf, batch)
				mu.Lock()
				st.Feeds++
				st.Items += r.Items
				st.NewArticles += r.NewArticles
				st.Revisions += r.NewRevisions
				st.Changes += r.NewChanges
				if r.Err != nil {
					st.Failed++
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
	if err := batch.flush(context.WithoutCancel(ctx)); err != nil {
		a.log.Error("record unchanged feeds", "err", err)
	}
	return st, nil
}

// fetchBatch gathers the fetch records of unchanged (304) feeds so that a
// pass writes them a few hundred to a transaction rather than one each. A
// crash loses at most one batch of last-fetch times, never a revision.
type fetchBatch struct {
	store *store.Store
	mu    sync.Mutex
	recs  []store.FetchRecord
}

const fetchBatchSize = 256

func (b *fetchBatch) add(ctx context.Context, rec store.FetchRecord) error {
	b.mu.Lock()
	b.recs = append(b.recs, rec)
	var full []store.FetchRecord
	if len(b.recs) >= fetchBatchSize {
		full, b.recs = b.recs, nil
	}
	b.mu.Unlock()
	if full == nil {
		return nil
	}
	return b.store.RecordFetches(ctx, full)
}

func (b *fetchBatch) flush(ctx context.Context) error {
	b.mu.Lock()
	recs := b.recs
	b.recs = nil
	b.mu.Unlock()
	return b.store.RecordFetches(ctx, recs)
}

// claim marks a feed as being fetched; false when it already is.
func (a *App) claim(id int64) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.running[id] {
		return false
	}
	a.running[id] = true
	return true
}

func (a *App) release(id int64) {
	a.mu.Lock()
	delete(a.running, id)
	a.mu.Unlock()
}

// nextScheduled is when the feed's schedule next fires after t.
func (a *App) nextScheduled(fc config.Feed, t time.Time) time.Time {
	sched, err := cron.ParseStandard(a.cfg.FeedSchedule(fc))
	if err != nil {
		return time.Time{}
	}
	return sched.Next(t)
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

// FetchFeed fetches, parses and stores one feed. The work that touches the
// database is one read (Prepare) and one write transaction (SaveFetch);
// parsing and diffing happen outside both.
func (a *App) FetchFeed(ctx context.Context, fc config.Feed, sf store.Feed) feedResult {
	return a.fetchFeed(ctx, fc, sf, nil)
}

// fetchFeed is FetchFeed; with a batch, the record of a 304 joins it.
func (a *App) fetchFeed(ctx context.Context, fc config.Feed, sf store.Feed, batch *fetchBatch) (res feedResult) {
	if !a.claim(sf.ID) {
		return feedResult{Err: fmt.Errorf("feed %s is already being fetched", fc.URL)}
	}
	defer a.release(sf.ID)
	// In-flight work finishes even when the daemon is asked to stop.
	ctx = context.WithoutCancel(ctx)
	start := a.now()
	began := time.Now() // for the log's duration; start follows the app's clock
	log := a.log.With("feed", fc.URL)
	defer func() {
		a.metrics.Fetch(fc.URL, res.Status, res.Err != nil, time.Since(began))
		a.metrics.Revisions(res.NewRevisions)
		a.metrics.Changes(res.NewChanges)
		attrs := []any{"status", res.Status, "items", res.Items, "new_articles", res.NewArticles,
			"new_revisions", res.NewRevisions, "changes", res.NewChanges, "duration", time.Since(began).Round(time.Millisecond)}
		if res.Err != nil {
			log.Warn("fetch failed", append(attrs, "err", oneLine(res.Err.Error()))...)
			return
		}
		log.Info("fetched", attrs...)
	}()

	rec := store.FetchRecord{FeedID: sf.ID, At: start, Failures: 0}
	resp, err := a.fetcher.Fetch(ctx, feeds.Request{URL: sf.FetchURL, ETag: sf.ETag, LastModified: sf.LastModified, Trusted: true})
	if err != nil {
		return a.fetchFailed(ctx, fc, sf, rec, err)
	}
	rec.Status = resp.Status
	rec.NextFetch = a.nextScheduled(fc, start)
	if resp.PermanentURL != "" && resp.PermanentURL != sf.FetchURL {
		log.Info("feed moved permanently; fetching the new URL from now on", "url", resp.PermanentURL)
		rec.FetchURL = resp.PermanentURL
	}
	res.Status = resp.Status
	if resp.NotModified {
		rec.ETag, rec.LastModified = sf.ETag, sf.LastModified
		record := a.store.RecordFetch
		if batch != nil {
			record = batch.add
		}
		if err := record(ctx, rec); err != nil {
			res.Err = err
		}
		a.resolveFeedProblems(ctx, sf)
		return res
	}
	parsed, err := feeds.ParseWith(resp.Body, resp.ContentType, resp.URL, a.fetcher.ParseOptions())
	if err != nil {
		return a.fetchFailed(ctx, fc, sf, rec, fmt.Errorf("parse %s: %w", sf.FetchURL, err))
	}
	if parsed.Truncated {
		if len(parsed.Items) == 0 {
			return a.fetchFailed(ctx, fc, sf, rec, fmt.Errorf("feeds: %s: malformed XML: the document is cut short, with no complete item before the cut", fc.URL))
		}
		log.Warn("feed document is cut short; keeping the items complete before the cut", "items", len(parsed.Items))
	}
	rec.ETag, rec.LastModified = resp.ETag, resp.LastModified
	res.Items = len(parsed.Items)

	// For full-text feeds the page of a known article is not fetched on
	// every pass: the recheck schedule decides when it is due.
	var known map[string]int64
	if fc.FullText {
		if known, err = a.store.ArticleKeys(ctx, sf.ID); err != nil {
			res.Err = err
			return res
		}
	}
	cands := make([]store.Candidate, 0, len(parsed.Items))
	for _, it := range parsed.Items {
		c := store.Candidate{GUID: it.GUID, Link: it.Link, Key: it.Key, Headline: it.Title, Text: it.Text,
			Published: it.Published, DateRaw: it.DateRaw, Source: store.SourceFeed}
		if fc.FullText && it.Link != "" {
			if _, ok := known[it.Key]; ok {
				c.SeenOnly = true
				cands = append(cands, c)
				continue
			}
			a.fullText(ctx, sf, &c)
		}
		c.Hash = contentHash(c.Headline, c.Text)
		cands = append(cands, c)
	}
	plan, err := a.store.Prepare(ctx, sf.ID, cands)
	if err != nil {
		res.Err = err
		return res
	}
	var recheckAt time.Time
	if fc.FullText {
		if wait := recheckInterval(a.cfg.Recheck, 0); wait > 0 {
			recheckAt = start.Add(wait)
		}
	}
	stats, err := a.storeCandidates(ctx, sf.ID, &rec, start, plan, recheckAt)
	if err != nil {
		res.Err = err
		return res
	}
	a.resolveFeedProblems(ctx, sf)
	res.NewArticles, res.NewRevisions, res.NewChanges = stats.NewArticles, stats.NewRevisions, stats.NewChanges
	return res
}

// storeCandidates diffs what Prepare found outside any lock, then saves
// revisions and changes in one transaction. A revision that reverts to an
// earlier text, or whose text comes from another source than the last one
// (the feed's summary, then the page), is stored without changes.
func (a *App) storeCandidates(ctx context.Context, feedID int64, rec *store.FetchRecord, at time.Time, plan store.Plan, recheckAt time.Time) (store.SaveStats, error) {
	revs := make([]store.NewRevision, 0, len(plan.Pending))
	for _, p := range plan.Pending {
		nr := store.NewRevision{Pending: p}
		if p.PrevNumber > 0 && p.RevertOf == 0 && p.PrevSource == p.Source {
			old := diff.Article{Headline: p.PrevHeadline, Body: p.PrevText}
			cur := diff.Article{Headline: p.Headline, Body: p.Text}
			for _, ch := range diff.Compare(old, cur) {
				nr.Changes = append(nr.Changes, store.ChangeInput{Kind: ch.Kind, Person: ch.Person, Before: ch.Before, After: ch.After, Quote: ch.Quote})
			}
		}
		revs = append(revs, nr)
	}
	return a.store.SaveFetch(ctx, store.FetchResult{Fetch: rec, FeedID: feedID, At: at, Revisions: revs,
		Seen: plan.Seen, Moved: plan.Moved, RecheckAt: recheckAt})
}

// fullText replaces the candidate's feed text by the main text of its page.
// When the page cannot be fetched or extracted, the feed's own text is kept
// and the reason recorded as a problem of the feed.
func (a *App) fullText(ctx context.Context, sf store.Feed, c *store.Candidate) {
	page, err := a.fetchPage(ctx, c.Link)
	if err != nil {
		a.log.Warn("full text: keeping the feed's content", "feed", sf.URL, "article", c.Link, "err", oneLine(err.Error()))
		_ = a.store.RecordProblem(ctx, sf.ID, 0, "full_text", oneLine(err.Error()), a.now())
		return
	}
	c.Text = page.Text
	c.Source = store.SourcePage
	if page.Headline != "" {
		c.Headline = page.Headline
	}
	c.Canonical = page.Canonical
}

// fetchPage fetches and extracts an article page (an untrusted URL).
func (a *App) fetchPage(ctx context.Context, url string) (feeds.Page, error) {
	resp, err := a.fetcher.Fetch(ctx, feeds.Request{URL: url})
	if err != nil {
		return feeds.Page{}, err
	}
	page, err := feeds.ExtractPage(resp.Body, resp.URL)
	if err != nil {
		return feeds.Page{}, fmt.Errorf("extract %s: %w", url, err)
	}
	if len(page.Text) < 200 {
		return feeds.Page{}, fmt.Errorf("extract %s: only %d characters of text", url, len(page.Text))
	}
	return page, nil
}

// fetchFailed records a failed fetch: the error, the backoff, a problem.
func (a *App) fetchFailed(ctx context.Context, fc config.Feed, sf store.Feed, rec store.FetchRecord, err error) feedResult {
	res := feedResult{Err: err}
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
		a.log.Warn("feed is gone (410 Gone): no longer fetched", "feed", fc.URL)
	}
	if werr := a.store.RecordFetch(ctx, rec); werr != nil {
		res.Err = errors.Join(err, werr)
	}
	if perr := a.store.RecordProblem(ctx, sf.ID, 0, "fetch", rec.Err, rec.At); perr != nil {
		a.log.Warn("record problem", "feed", fc.URL, "err", perr)
	}
	return res
}

func (a *App) resolveFeedProblems(ctx context.Context, sf store.Feed) {
	if sf.Failures == 0 && sf.LastError == "" {
		return
	}
	if err := a.store.ResolveProblems(ctx, sf.ID, 0); err != nil {
		a.log.Warn("resolve problems", "feed", sf.URL, "err", err)
	}
}

var _ = slog.Info
