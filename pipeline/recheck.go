package pipeline

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/stet-news/stet/config"
	"github.com/stet-news/stet/feeds"
	"github.com/stet-news/stet/store"
)

// recheckInterval is how long to wait before checking again an article of
// the given age; 0 when it is too old to check any more.
func recheckInterval(rc config.Recheck, age time.Duration) time.Duration {
	if len(rc.Tiers) == 0 || (rc.MaxAge > 0 && age >= time.Duration(rc.MaxAge)) {
		return 0
	}
	for _, t := range rc.Tiers {
		if age < time.Duration(t.Until) {
			return time.Duration(t.Every)
		}
	}
	return time.Duration(rc.Tiers[len(rc.Tiers)-1].Every)
}

// fullTextFeeds maps the IDs of feeds with full_text to their config.
func (p *Pipeline) fullTextFeeds(ctx context.Context) (map[int64]config.Feed, error) {
	out := map[int64]config.Feed{}
	var stored map[string]store.Feed
	for _, fc := range p.conf().Feeds {
		if !fc.FullText {
			continue
		}
		if stored == nil {
			all, err := p.store.Feeds(ctx)
			if err != nil {
				return nil, p.storeErr(err, false)
			}
			stored = make(map[string]store.Feed, len(all))
			for _, f := range all {
				stored[f.URL] = f
			}
		}
		sf, ok := stored[fc.URL]
		if !ok {
			var err error
			if sf, err = p.store.EnsureFeed(ctx, fc.URL, fc.Name); err != nil {
				return nil, p.storeErr(err, true)
			}
		}
		out[sf.ID] = fc
	}
	return out, nil
}

// Rechecks fetches again the pages of full-text articles whose check is
// due, at most the configured budget per call, oldest-due first. An edit
// becomes a revision and its changes; a page that failed to load or
// extract is a problem of the article, never a change. Pages that fail are
// logged and recorded; the error returned is the store's (ErrStore), when
// a result could not be written.
func (p *Pipeline) Rechecks(ctx context.Context) error {
	ft, err := p.fullTextFeeds(ctx)
	if err != nil || len(ft) == 0 {
		return err
	}
	targets, err := p.store.DueRechecks(ctx, p.now(), max(p.conf().Recheck.Budget, 1))
	if err != nil {
		return p.storeErr(err, false)
	}
	var storeErr error
	for _, t := range targets {
		if ctx.Err() != nil {
			break
		}
		fc, ok := ft[t.FeedID]
		if !ok { // the feed no longer has full_text
			if err := p.store.SetRecheck(ctx, t.ArticleID, time.Time{}, "", ""); err != nil {
				return p.storeErr(err, true)
			}
			continue
		}
		if err := p.recheck(ctx, fc, t); err != nil {
			p.log.Warn("recheck", "feed", fc.URL, "article", t.URL, "err", oneLine(err.Error()))
			if storeErr == nil && errors.Is(err, ErrStore) {
				storeErr = err
			}
		}
	}
	return storeErr
}

// recheck fetches one article page again (conditional GET) and records it
// through the steps of a feed's items (prepare, commit): one write
// transaction holds the revision and its changes, the article's problems
// (recorded or resolved) and its next check.
func (p *Pipeline) recheck(ctx context.Context, fc config.Feed, t store.RecheckTarget) (err error) {
	sctx := context.WithoutCancel(ctx) // see processFeed
	ctx, done, ok := p.work(ctx)
	if !ok {
		return ErrStopped
	}
	defer done()
	defer func() {
		if r := recover(); r != nil {
			p.log.Error("panic while rechecking an article page", "feed", fc.URL, "article", t.URL, "panic", r, "stack", string(debug.Stack()))
			p.metrics.Panic(fc.URL)
			err = fmt.Errorf("%w: article %s: %v", ErrPanic, t.URL, r)
		}
	}()
	now := p.now()
	wait := recheckInterval(p.conf().Recheck, now.Sub(t.FirstSeen))
	if wait == 0 {
		return p.storeErr(p.store.SetRecheck(sctx, t.ArticleID, time.Time{}, "", ""), true)
	}
	// Unless the page brings a new revision, the check is planned again
	// with the validators it had.
	fr := store.FetchResult{FeedID: t.FeedID, At: now,
		Recheck: &store.Recheck{ArticleID: t.ArticleID, Next: now.Add(wait), ETag: t.PageETag, LastModified: t.PageLastModified}}
	problem := func(kind, detail string) error {
		fr.Problems = []store.Problem{{ArticleID: t.ArticleID, Kind: kind, Detail: oneLine(detail)}}
		_, err := p.commit(sctx, store.Plan{}, fr)
		return err
	}
	resp, err := p.fetcher.Fetch(ctx, feeds.Request{URL: t.URL, ETag: t.PageETag, LastModified: t.PageLastModified})
	if err != nil {
		return problem("fetch", err.Error())
	}
	if resp.NotModified {
		_, err := p.commit(sctx, store.Plan{}, fr)
		return err
	}
	page, err := feeds.ExtractPage(resp.Body, resp.URL)
	if err != nil {
		return problem("extract", err.Error())
	}
	art, err := p.store.Article(sctx, t.ArticleID)
	if err != nil {
		return p.storeErr(err, false)
	}
	c := store.Candidate{GUID: art.GUID, Link: art.URL, Key: art.Key, Canonical: page.Canonical, Headline: page.Headline, Text: page.Text, Source: store.SourcePage}
	if c.Headline == "" {
		c.Headline = art.Headline
	}
	plan, err := p.prepare(sctx, t.FeedID, []store.Candidate{c})
	if err != nil {
		return err
	}
	for _, pd := range plan.Pending {
		if pd.PrevNumber > 0 {
			if why := brokenPage(pd.PrevText, pd.Text); why != "" {
				return problem("extract", why)
			}
		}
	}
	fr.ResolveArticle = t.ArticleID
	fr.Recheck.ETag, fr.Recheck.LastModified = resp.ETag, resp.LastModified
	st, err := p.commit(sctx, plan, fr)
	if err != nil {
		return err
	}
	if st.NewRevisions > 0 {
		p.log.Info("recheck found an edit", "feed", fc.URL, "article", t.URL, "changes", st.NewChanges)
	}
	return nil
}
