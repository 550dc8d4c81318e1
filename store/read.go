package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"time"
)

// FeedStatus is a feed with its counts, for `stet status`.
type FeedStatus struct {
	Feed
	Articles, Revisions int
	NextRecheck         time.Time // the earliest planned recheck of one of its article pages; zero when none
}

// FeedStatuses returns every feed with its article and revision counts.
func (s *Store) FeedStatuses(ctx context.Context) ([]FeedStatus, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+feedCols+`, COALESCE(ac.n, 0), COALESCE(rc.n, 0), ac.next_check
		FROM feeds f
		LEFT JOIN (SELECT feed_id, COUNT(*) AS n, MIN(next_check) AS next_check FROM articles GROUP BY feed_id) ac ON ac.feed_id = f.id
		LEFT JOIN (SELECT a.feed_id, COUNT(*) AS n FROM revisions r JOIN articles a ON a.id = r.article_id
			GROUP BY a.feed_id) rc ON rc.feed_id = f.id
		ORDER BY f.id`)
	if err != nil {
		return nil, errf("feed statuses: %w", err)
	}
	defer rows.Close()
	var out []FeedStatus
	for rows.Next() {
		var fs FeedStatus
		if err := rows.Scan(append(feedDest(&fs.Feed), &fs.Articles, &fs.Revisions, tm(&fs.NextRecheck))...); err != nil {
			return nil, errf("feed statuses: %w", err)
		}
		out = append(out, fs)
	}
	if err := rows.Err(); err != nil {
		return nil, errf("feed statuses: %w", err)
	}
	return out, nil
}

// Stats is the size of the store.
type Stats struct {
	DBBytes     int64 // the database file and its WAL
	Articles    int
	Revisions   int
	Changes     int
	TextBytes   int64 // revision text, uncompressed
	StoredBytes int64 // revision text as stored
}

// Stats counts what the store holds and what it costs.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	err := s.readTx(ctx, "stats", func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT
			(SELECT COUNT(*) FROM articles),
			(SELECT COUNT(*) FROM revisions),
			(SELECT COUNT(*) FROM changes),
			(SELECT CAST(COALESCE(SUM(text_size), 0) AS BIGINT) FROM revisions),
			(SELECT CAST(COALESCE(SUM(LENGTH(body)), 0) AS BIGINT) FROM revisions)`).Scan(
			&st.Articles, &st.Revisions, &st.Changes, &st.TextBytes, &st.StoredBytes)
	})
	if err != nil {
		return st, err
	}
	if s.pg {
		if err := s.read.QueryRowContext(ctx, `SELECT pg_database_size(current_database())`).Scan(&st.DBBytes); err != nil {
			return st, errf("stats: %w", err)
		}
		return st, nil
	}
	for _, p := range []string{s.path, s.path + "-wal"} {
		if fi, err := os.Stat(p); err == nil {
			st.DBBytes += fi.Size()
		}
	}
	return st, nil
}

// Article is an article with its latest headline and revision count.
type Article struct {
	ID, FeedID int64
	FeedURL    string
	Key        string
	GUID       string
	URL        string
	Canonical  string
	FirstSeen  time.Time
	LastSeen   time.Time
	InFeed     bool
	Revisions  int // revisions stored (retention may have dropped early ones)
	Headline   string
	Latest     int // number of the latest revision
	Pruned     int // revisions 1..Pruned were dropped by retention
	Published  time.Time
	DateRaw    string
	NextCheck  time.Time // zero: no recheck planned
}

const articleSelect = `SELECT a.id, a.feed_id, f.url, a.key, COALESCE(a.guid, a.key), COALESCE(a.url, a.key), a.canonical, a.first_seen, a.last_seen,
	a.in_feed, (SELECT COUNT(*) FROM revisions r WHERE r.article_id = a.id),
	(SELECT COALESCE(r.headline, r.body) FROM revisions r WHERE r.article_id = a.id ORDER BY r.number DESC LIMIT 1),
	COALESCE((SELECT MAX(r.number) FROM revisions r WHERE r.article_id = a.id), 0),
	a.pruned, a.published, a.date_raw, a.next_check, a.date_form
	FROM articles a JOIN feeds f ON f.id = a.feed_id`

func articleDest(a *Article) []any {
	return []any{&a.ID, &a.FeedID, &a.FeedURL, &a.Key, &a.GUID, &a.URL, &a.Canonical, tm(&a.FirstSeen), tm(&a.LastSeen),
		&a.InFeed, &a.Revisions, headlineDest{&a.Headline}, &a.Latest, &a.Pruned, tm(&a.Published), &a.DateRaw, tm(&a.NextCheck),
		dateFormDest{a}}
}

// dateFormDest scans date_form, after published and date_raw (Scan fills
// its destinations in order), and writes the date back as the feed wrote it.
type dateFormDest struct{ a *Article }

func (d dateFormDest) Scan(v any) error {
	form, ok := v.(int64)
	if !ok && v != nil {
		return errf("cannot scan %T as a date form", v)
	}
	d.a.DateRaw = unpackDate(d.a.DateRaw, int(form), d.a.Published)
	return nil
}

// Article returns article id; ErrNotFound when none.
func (s *Store) Article(ctx context.Context, id int64) (Article, error) {
	var a Article
	err := s.read.QueryRowContext(ctx, articleSelect+` WHERE a.id = ?`, id).Scan(articleDest(&a)...)
	if errors.Is(err, sql.ErrNoRows) {
		return a, errf("article %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return a, errf("article %d: %w", id, err)
	}
	return a, nil
}

// ArticleByURL returns the article with this link (or canonical URL), the
// most recently added one when several feeds carry it; ErrNotFound when none.
func (s *Store) ArticleByURL(ctx context.Context, url string) (Article, error) {
	var a Article
	err := s.read.QueryRowContext(ctx, articleSelect+` WHERE COALESCE(a.url, a.key) = ?1 OR (a.canonical = ?1 AND a.canonical <> '')
		ORDER BY COALESCE(a.url, a.key) = ?1 DESC, a.id DESC LIMIT 1`, url).Scan(articleDest(&a)...)
	if errors.Is(err, sql.ErrNoRows) {
		return a, errf("article %s: %w", url, ErrNotFound)
	}
	if err != nil {
		return a, errf("article %s: %w", url, err)
	}
	return a, nil
}

// Articles returns up to limit articles of a feed (feedID 0: of all feeds)
// with id < beforeID (0: no bound), newest first.
func (s *Store) Articles(ctx context.Context, feedID int64, beforeID int64, limit int) ([]Article, error) {
	q := articleSelect + ` WHERE 1 = 1`
	var args []any
	if feedID != 0 {
		q += ` AND a.feed_id = ?`
		args = append(args, feedID)
	}
	if beforeID != 0 {
		q += ` AND a.id < ?`
		args = append(args, beforeID)
	}
	q += ` ORDER BY a.id DESC`
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, errf("articles: %w", err)
	}
	defer rows.Close()
	var out []Article
	for rows.Next() {
		var a Article
		if err := rows.Scan(articleDest(&a)...); err != nil {
			return nil, errf("articles: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, errf("articles: %w", err)
	}
	return out, nil
}

// Revision is one stored version of an article.
type Revision struct {
	ArticleID int64
	Number    int
	FetchedAt time.Time
	Headline  string
	Text      string
	Hash      string
	RevertOf  int
}

// Revisions returns the stored revisions of an article, oldest first;
// ErrNotFound when the article does not exist.
func (s *Store) Revisions(ctx context.Context, articleID int64) ([]Revision, error) {
	var out []Revision
	err := s.readTx(ctx, fmt.Sprintf("revisions of article %d", articleID), func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM articles WHERE id = ?`, articleID).Scan(&one); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return errf("revisions of article %d: %w", articleID, ErrNotFound)
			}
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT article_id, number, fetched_at, headline, body, hash, revert_of
			FROM revisions WHERE article_id = ? ORDER BY number`, articleID)
		if err != nil {
			return err
		}
		// Read first, decode after: a delta's base is looked up in tx,
		// and PostgreSQL runs one query at a time on a connection.
		var stored []storedText
		for rows.Next() {
			var r Revision
			var st storedText
			if err := rows.Scan(&r.ArticleID, &r.Number, tm(&r.FetchedAt), &st.headline, &st.body, hashDest{&r.Hash}, &r.RevertOf); err != nil {
				rows.Close()
				return err
			}
			out = append(out, r)
			stored = append(stored, st)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range out {
			r := &out[i]
			if r.Headline, r.Text, err = decodeRevision(stored[i].headline, stored[i].body, baseIn(ctx, tx, articleID)); err != nil {
				return errf("article %d revision %d: %w", articleID, r.Number, err)
			}
		}
		return nil
	})
	return out, err
}

// ExportRow is one revision for `stet export`.
type ExportRow struct {
	FeedURL    string
	ArticleURL string
	ArticleID  int64
	Version    int
	FetchedAt  time.Time
	Headline   string
	Text       string
	Hash       string
	RevertOf   int
}

// Export calls fn with every stored revision, oldest first, from one
// consistent snapshot, streaming. An error from fn stops it and is returned.
//
// The revisions are read in batches of exportBatch, each decoded after it
// is read: a delta's base is looked up in the same transaction, and
// PostgreSQL runs one query at a time on a connection.
func (s *Store) Export(ctx context.Context, fn func(ExportRow) error) error {
	return s.readTx(ctx, "export", func(tx *sql.Tx) error {
		var after int64
		for {
			rows, err := tx.QueryContext(ctx, `SELECT r.id, f.url, COALESCE(a.url, a.key), a.id, r.number, r.fetched_at, r.headline, r.body, r.hash, r.revert_of
				FROM revisions r JOIN articles a ON a.id = r.article_id JOIN feeds f ON f.id = a.feed_id
				WHERE r.id > ? ORDER BY r.id LIMIT ?`, after, exportBatch)
			if err != nil {
				return err
			}
			var batch []ExportRow
			var stored []storedText
			for rows.Next() {
				var e ExportRow
				var st storedText
				if err := rows.Scan(&after, &e.FeedURL, &e.ArticleURL, &e.ArticleID, &e.Version, tm(&e.FetchedAt),
					&st.headline, &st.body, hashDest{&e.Hash}, &e.RevertOf); err != nil {
					rows.Close()
					return err
				}
				batch = append(batch, e)
				stored = append(stored, st)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for i, e := range batch {
				if e.Headline, e.Text, err = decodeRevision(stored[i].headline, stored[i].body, baseIn(ctx, tx, e.ArticleID)); err != nil {
					return errf("export: article %d revision %d: %w", e.ArticleID, e.Version, err)
				}
				if err := fn(e); err != nil {
					return errf("export: %w", err)
				}
			}
			if len(batch) < exportBatch {
				return nil
			}
		}
	})
}

// exportBatch is how many revisions Export (and Check) read at a time.
const exportBatch = 500

// storedText is a revision's text as stored, to decode (doc.go).
type storedText struct {
	headline sql.NullString
	body     []byte
}

// baseIn looks up the stored form of a revision of an article in tx, for
// decodeRevision.
func baseIn(ctx context.Context, tx *sql.Tx, articleID int64) baseLookup {
	return func(number int) (sql.NullString, []byte, error) {
		var headline sql.NullString
		var body []byte
		err := tx.QueryRowContext(ctx, `SELECT headline, body FROM revisions WHERE article_id = ? AND number = ?`,
			articleID, number).Scan(&headline, &body)
		if errors.Is(err, sql.ErrNoRows) {
			err = ErrNotFound
		}
		return headline, body, err
	}
}

// Ping checks that the database answers a trivial query.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.read.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return errf("ping: %w", err)
	}
	return nil
}
