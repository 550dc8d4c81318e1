package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	neturl "net/url"
	"strconv"
	"strings"
	"time"
)

// Feed is a watched feed and its fetch state.
type Feed struct {
	ID           int64
	URL          string // as configured
	FetchURL     string // now fetched, after permanent redirects
	Name         string
	ETag         string
	LastModified string
	LastFetch    time.Time
	LastStatus   int
	LastError    string
	NextFetch    time.Time
	Failures     int
	Gone         bool
	Site         FeedSite // what the feed says of itself
}

// FeedSite is what a feed document says of itself.
type FeedSite struct {
	Title string // the feed's own title, plain text
	Link  string // its site's home page
	Icon  string // its icon or logo image
}

// DisplayName is how a feed is shown everywhere (digest, web view, status):
// its configured name, else its own title, else its URL's host, else its
// URL.
func (f Feed) DisplayName() string {
	if f.Name != "" {
		return f.Name
	}
	if f.Site.Title != "" {
		return f.Site.Title
	}
	if u, err := neturl.Parse(f.URL); err == nil && u.Host != "" {
		return u.Host
	}
	return f.URL
}

const feedCols = `f.id, f.url, f.fetch_url, f.name, f.etag, f.last_modified, f.last_fetch,
	f.last_status, f.last_error, f.next_fetch, f.failures, f.gone, f.title, f.site_url, f.icon_url`

func feedDest(f *Feed) []any {
	return []any{&f.ID, &f.URL, &f.FetchURL, &f.Name, &f.ETag, &f.LastModified, tm(&f.LastFetch),
		&f.LastStatus, &f.LastError, tm(&f.NextFetch), &f.Failures, &f.Gone, &f.Site.Title, &f.Site.Link, &f.Site.Icon}
}

// EnsureFeed returns the feed with this configured URL, adding it when new.
// A changed name is stored; FetchURL starts as the URL.
func (s *Store) EnsureFeed(ctx context.Context, url, name string) (Feed, error) {
	if url == "" {
		return Feed{}, errf("ensure feed: empty url")
	}
	var f Feed
	err := s.writeTx(ctx, "ensure feed "+url, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO feeds (url, fetch_url, name) VALUES (?, ?, ?)
			ON CONFLICT (url) DO UPDATE SET name = excluded.name
			WHERE excluded.name <> '' AND excluded.name <> feeds.name`, url, url, name); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT `+feedCols+` FROM feeds f WHERE f.url = ?`, url).Scan(feedDest(&f)...)
	})
	return f, err
}

// Feeds returns every feed, in the order they were added.
func (s *Store) Feeds(ctx context.Context) ([]Feed, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+feedCols+` FROM feeds f ORDER BY f.id`)
	if err != nil {
		return nil, errf("feeds: %w", err)
	}
	defer rows.Close()
	var out []Feed
	for rows.Next() {
		var f Feed
		if err := rows.Scan(feedDest(&f)...); err != nil {
			return nil, errf("feeds: %w", err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, errf("feeds: %w", err)
	}
	return out, nil
}

// FeedByURL returns the feed configured with url (or, failing that, now
// fetched from url); ErrNotFound when none.
func (s *Store) FeedByURL(ctx context.Context, url string) (Feed, error) {
	var f Feed
	err := s.read.QueryRowContext(ctx, `SELECT `+feedCols+` FROM feeds f WHERE f.url = ?
		UNION ALL SELECT `+feedCols+` FROM feeds f WHERE f.fetch_url = ? AND f.url <> ? LIMIT 1`,
		url, url, url).Scan(feedDest(&f)...)
	if errors.Is(err, sql.ErrNoRows) {
		return Feed{}, errf("feed %s: %w", url, ErrNotFound)
	}
	if err != nil {
		return Feed{}, errf("feed %s: %w", url, err)
	}
	return f, nil
}

// FetchRecord is the outcome of one fetch of a feed.
type FetchRecord struct {
	FeedID       int64
	At           time.Time
	Status       int
	Err          string // "" = success
	ETag         string // replace the stored validators only when Status is 200
	LastModified string
	FetchURL     string // "" = unchanged
	NextFetch    time.Time
	Failures     int
	Gone         bool
	Site         *FeedSite // nil: unchanged (a 304, a failure)
}

// RecordFetch stores the outcome of a fetch that brought nothing to save
// (a 304 or a failure): one small UPDATE.
func (s *Store) RecordFetch(ctx context.Context, r FetchRecord) error {
	return s.writeTx(ctx, fmt.Sprintf("record fetch of feed %d", r.FeedID), func(tx *sql.Tx) error {
		return recordFetch(ctx, tx, tx.StmtContext(ctx, s.st.recordFetch), r)
	})
}

// RecordFetches stores the outcomes of many fetches that brought nothing to
// save (304s, failures) in one write transaction: what RecordFetch does for
// each, at the cost of one commit. The records are applied in order, so of
// two for the same feed the later one stands.
//
// A record for a feed that does not exist does not stop the others: they
// are committed, and the error returned names the missing feeds and wraps
// ErrNotFound. Any other error rolls the whole batch back. No records: no
// transaction.
func (s *Store) RecordFetches(ctx context.Context, recs []FetchRecord) error {
	if len(recs) == 0 {
		return nil
	}
	var missing []int64
	err := s.writeTx(ctx, fmt.Sprintf("record %d fetches", len(recs)), func(tx *sql.Tx) error {
		missing = missing[:0]
		stmt := tx.StmtContext(ctx, s.st.recordFetch)
		for _, r := range recs {
			err := recordFetch(ctx, tx, stmt, r)
			if errors.Is(err, ErrNotFound) {
				missing = append(missing, r.FeedID)
				continue
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return errf("record %d fetches: no feed %s: %w", len(recs), idList(missing), ErrNotFound)
	}
	return nil
}

// idList formats ids as "1, 2, 3" (the first ten, then "and N more").
func idList(ids []int64) string {
	var b strings.Builder
	for i, id := range ids {
		if i == 10 {
			fmt.Fprintf(&b, " and %d more", len(ids)-i)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	return b.String()
}

// recordFetch runs the prepared qRecordFetch of the transaction.
func recordFetch(ctx context.Context, tx *sql.Tx, stmt *sql.Stmt, r FetchRecord) error {
	res, err := stmt.ExecContext(ctx, ts(r.At), r.Status, r.Err, r.ETag, r.LastModified,
		r.FetchURL, ts(r.NextFetch), r.Failures, r.Gone, r.FeedID)
	if err != nil {
		return errf("record fetch of feed %d: %w", r.FeedID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errf("record fetch of feed %d: %w", r.FeedID, ErrNotFound)
	}
	if r.Site != nil {
		// Written only when it differs, so a pass of unchanged feeds
		// writes no more than before.
		if _, err := tx.ExecContext(ctx, `UPDATE feeds SET title = ?1, site_url = ?2, icon_url = ?3
			WHERE id = ?4 AND (title <> ?1 OR site_url <> ?2 OR icon_url <> ?3)`,
			r.Site.Title, r.Site.Link, r.Site.Icon, r.FeedID); err != nil {
			return fmt.Errorf("store: record fetch of feed %d: site: %w", r.FeedID, err)
		}
	}
	return nil
}
