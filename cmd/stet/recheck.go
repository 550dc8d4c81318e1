package main

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/stet-news/stet/config"
	"github.com/stet-news/stet/diff"
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
func (a *App) fullTextFeeds(ctx context.Context) (map[int64]config.Feed, error) {
	out := map[int64]config.Feed{}
	for _, fc := range a.cfg.Feeds {
		if !fc.FullText {
			continue
		}
		sf, err := a.store.EnsureFeed(ctx, fc.URL, fc.Name)
		if err != nil {
			return nil, err
		}
		out[sf.ID] = fc
	}
	return out, nil
}

// Rechecks fetches again the pages of full-text articles whose check is
// due, at most the configured budget per call, oldest-due first. An edit
// becomes a revision and its changes; a page that failed to load or
// extract is a problem of the article, never a change.
func (a *App) Rechecks(ctx context.Context) error {
	ft, err := a.fullTextFeeds(ctx)
	if err != nil || len(ft) == 0 {
		return err
	}
	targets, err := a.store.DueRechecks(ctx, a.now(), max(a.cfg.Recheck.Budget, 1))
	if err != nil {
		return err
	}
	for _, t := range targets {
		if ctx.Err() != nil {
			return nil
		}
		fc, ok := ft[t.FeedID]
		if !ok { // the feed no longer has full_text
			if err := a.store.SetRecheck(ctx, t.ArticleID, time.Time{}, "", ""); err != nil {
				return err
			}
			continue
		}
		if err := a.recheck(ctx, fc, t); err != nil {
			a.log.Warn("recheck", "feed", fc.URL, "article", t.URL, "err", oneLine(err.Error()))
		}
	}
	return nil
}

// recheck fetches one article page again (conditional GET) and stores what
// changed.
func (a *App) recheck(ctx context.Context, fc config.Feed, t store.RecheckTarget) error {
	now := a.now()
	wait := recheckInterval(a.cfg.Recheck, now.Sub(t.FirstSeen))
	if wait == 0 {
		return a.store.SetRecheck(ctx, t.ArticleID, time.Time{}, "", "")
	}
	next := now.Add(wait)
	resp, err := a.fetcher.Fetch(ctx, feeds.Request{URL: t.URL, ETag: t.PageETag, LastModified: t.PageLastModified})
	if err != nil {
		a.articleProblem(ctx, t.FeedID, t.ArticleID, "fetch", err.Error())
		return a.store.SetRecheck(ctx, t.ArticleID, next, t.PageETag, t.PageLastModified)
	}
	if resp.NotModified {
		return a.store.SetRecheck(ctx, t.ArticleID, next, t.PageETag, t.PageLastModified)
	}
	page, err := feeds.ExtractPage(resp.Body, resp.URL)
	if err != nil {
		a.articleProblem(ctx, t.FeedID, t.ArticleID, "extract", err.Error())
		return a.store.SetRecheck(ctx, t.ArticleID, next, t.PageETag, t.PageLastModified)
	}
	art, err := a.store.Article(ctx, t.ArticleID)
	if err != nil {
		return err
	}
	c := store.Candidate{GUID: art.GUID, Link: art.URL, Key: art.Key, Canonical: page.Canonical, Headline: page.Headline, Text: page.Text, Source: store.SourcePage}
	if c.Headline == "" {
		c.Headline = art.Headline
	}
	c.Hash = contentHash(c.Headline, c.Text)
	plan, err := a.store.Prepare(ctx, t.FeedID, []store.Candidate{c})
	if err != nil {
		return err
	}
	for _, p := range plan.Pending {
		if p.PrevNumber > 0 {
			if why := brokenPage(p.PrevText, p.Text); why != "" {
				a.articleProblem(ctx, t.FeedID, t.ArticleID, "extract", why)
				return a.store.SetRecheck(ctx, t.ArticleID, next, t.PageETag, t.PageLastModified)
			}
		}
	}
	st, err := a.storeCandidates(ctx, t.FeedID, nil, now, plan, time.Time{})
	if err != nil {
		return err
	}
	if st.NewRevisions > 0 {
		a.log.Info("recheck found an edit", "feed", fc.URL, "article", t.URL, "changes", st.NewChanges)
	}
	if err := a.store.ResolveProblems(ctx, t.FeedID, t.ArticleID); err != nil {
		return err
	}
	return a.store.SetRecheck(ctx, t.ArticleID, next, resp.ETag, resp.LastModified)
}

func (a *App) articleProblem(ctx context.Context, feedID, articleID int64, kind, detail string) {
	if err := a.store.RecordProblem(ctx, feedID, articleID, kind, oneLine(detail), a.now()); err != nil {
		a.log.Warn("record problem", "err", err)
	}
}

// Phrases of pages that stand in for an article: paywalls, consent walls,
// error pages. Only looked for in text that is short or much shorter than
// the article was.
var stubPhrases = []string{
	"subscribe to continue", "subscribe to read", "to continue reading", "already a subscriber", "subscribers only",
	"for subscribers", "sign in to continue", "log in to continue", "create a free account", "you have reached your limit",
	"free articles", "we use cookies", "accept all cookies", "cookie settings", "manage your privacy", "consent",
	"page not found", "404 not found", "not found", "access denied", "forbidden", "service unavailable",
	"internal server error", "bad gateway", "enable javascript", "are you a robot", "verify you are human",
	"something went wrong", "temporarily unavailable",
}

// brokenPage says why a page's text is not a new version of the article
// but a failed load: it collapsed to much less than the last good text, or
// it reads like a paywall, consent or error page. "" when it looks real.
func brokenPage(prevText, text string) string {
	prev := utf8.RuneCountInString(diff.Normalize(prevText))
	cur := utf8.RuneCountInString(diff.Normalize(text))
	if prev >= 400 && cur*2 < prev {
		return fmt.Sprintf("page text collapsed from %d to %d characters; keeping the last good revision", prev, cur)
	}
	if cur < 1500 || (prev > 0 && cur*4 < prev*3) {
		low := strings.ToLower(text)
		for _, p := range stubPhrases {
			if strings.Contains(low, p) && !strings.Contains(strings.ToLower(prevText), p) {
				return fmt.Sprintf("page reads like a paywall, consent or error page (%q); keeping the last good revision", p)
			}
		}
	}
	return ""
}
