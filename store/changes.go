package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/stet-news/stet/change"
)

// ChangeRow is a recorded change with its article and feed.
type ChangeRow = change.Record

// ChangeFilter selects changes. Zero values select everything.
type ChangeFilter struct {
	Since     time.Time
	FeedURL   string // configured or fetched URL
	Kind      string
	Kinds     []string // any of these kinds (with Kind: both must hold)
	Person    string   // case-insensitive substring
	ArticleID int64
	AfterID   int64 // id > AfterID
	BeforeID  int64 // id < BeforeID
	Desc      bool  // newest first
	Limit     int   // 0 = no limit
	Unsent    bool  // only changes in no digest
}

const changeSelect = `SELECT c.id, a.feed_id, f.url, COALESCE(NULLIF(f.name, ''), f.title), c.article_id,
	CASE WHEN COALESCE(a.url, a.key) <> '' THEN COALESCE(a.url, a.key) ELSE a.canonical END, COALESCE(r.headline, r.body),
	c.from_rev, c.to_rev, c.kind, c.person, c.before_text, c.after_text, c.quote, c.detected_at,
	COALESCE(c.digest_id, 0), COALESCE(r.revert_of, 0), a.canonical
	FROM changes c
	JOIN articles a ON a.id = c.article_id
	JOIN feeds f ON f.id = a.feed_id
	LEFT JOIN revisions r ON r.article_id = c.article_id AND r.number = c.to_rev`

func scanChanges(rows *sql.Rows) ([]ChangeRow, error) {
	defer rows.Close()
	var out []ChangeRow
	for rows.Next() {
		var c ChangeRow
		if err := rows.Scan(&c.ID, &c.FeedID, &c.FeedURL, &c.FeedName, &c.ArticleID, &c.ArticleURL, headlineDest{&c.Headline},
			&c.FromRev, &c.ToRev, &c.Kind, &c.Person, &c.Before, &c.After, &c.Quote, tm(&c.DetectedAt),
			&c.DigestID, &c.RevertOf, &c.ArticleCanonical); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// likeEscape escapes s for a LIKE pattern with ESCAPE '\'.
func likeEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// Changes returns the changes f selects, oldest first by id unless f.Desc.
func (s *Store) Changes(ctx context.Context, f ChangeFilter) ([]ChangeRow, error) {
	var where []string
	var args []any
	if !f.Since.IsZero() {
		where = append(where, "c.detected_at >= ?")
		args = append(args, ts(f.Since))
	}
	if f.FeedURL != "" {
		where = append(where, "(f.url = ? OR f.fetch_url = ?)")
		args = append(args, f.FeedURL, f.FeedURL)
	}
	if f.Kind != "" {
		where = append(where, "c.kind = ?")
		args = append(args, f.Kind)
	}
	if len(f.Kinds) > 0 {
		where = append(where, "c.kind IN (?"+strings.Repeat(", ?", len(f.Kinds)-1)+")")
		for _, k := range f.Kinds {
			args = append(args, k)
		}
	}
	if f.Person != "" {
		where = append(where, `c.person_fold LIKE ? ESCAPE '\'`)
		args = append(args, "%"+likeEscape(strings.ToLower(f.Person))+"%")
	}
	if f.ArticleID != 0 {
		where = append(where, "c.article_id = ?")
		args = append(args, f.ArticleID)
	}
	if f.AfterID != 0 {
		where = append(where, "c.id > ?")
		args = append(args, f.AfterID)
	}
	if f.BeforeID != 0 {
		where = append(where, "c.id < ?")
		args = append(args, f.BeforeID)
	}
	if f.Unsent {
		where = append(where, "c.digest_id IS NULL")
	}
	q := changeSelect
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	if f.Desc {
		q += " ORDER BY c.id DESC"
	} else {
		q += " ORDER BY c.id"
	}
	if f.Limit > 0 {
		q += " LIMIT ?"
		args = append(args, f.Limit)
	}
	if f.ArticleID != 0 && f.Limit > 0 && f.Since.IsZero() && f.FeedURL == "" && f.Kind == "" && len(f.Kinds) == 0 && f.Person == "" && !f.Unsent {
		q, args = articleChangesQuery(f)
	}
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, errf("changes: %w", err)
	}
	out, err := scanChanges(rows)
	if err != nil {
		return nil, errf("changes: %w", err)
	}
	return out, nil
}

// articleChangesQuery pages through one article's changes: the ids come
// from the (article_id, ...) index alone (it holds the rowid), so a page
// of an article with thousands of changes joins and decodes only the rows
// it returns, not every change of the article before the sort.
func articleChangesQuery(f ChangeFilter) (string, []any) {
	inner := `SELECT id FROM changes WHERE article_id = ?`
	args := []any{f.ArticleID}
	if f.AfterID != 0 {
		inner += ` AND id > ?`
		args = append(args, f.AfterID)
	}
	if f.BeforeID != 0 {
		inner += ` AND id < ?`
		args = append(args, f.BeforeID)
	}
	order := ` ORDER BY id`
	if f.Desc {
		order = ` ORDER BY id DESC`
	}
	args = append(args, f.Limit)
	return changeSelect + ` WHERE c.id IN (` + inner + order + ` LIMIT ?)` + strings.ReplaceAll(order, "id", "c.id"), args
}

// Digest is one digest mail: recorded before the first attempt to send it,
// so that a retry sends the same message (same Message-ID) with the same
// changes.
type Digest struct {
	ID          int64
	MessageID   string
	CreatedAt   time.Time
	SentAt      time.Time // zero while not sent
	LastAttempt time.Time // of the last failed attempt
	NextAttempt time.Time
	Attempts    int
	LastError   string
	SendingAt   time.Time // set just before DATA, cleared by a failed attempt and by sending
}

const digestCols = `id, message_id, created_at, sent_at, last_attempt, next_attempt, attempts, last_error, sending_at`

func digestDest(d *Digest) []any {
	return []any{&d.ID, &d.MessageID, tm(&d.CreatedAt), tm(&d.SentAt), tm(&d.LastAttempt), tm(&d.NextAttempt), &d.Attempts, &d.LastError, tm(&d.SendingAt)}
}

// OpenDigest returns the digest created but not yet sent, nil when none.
func (s *Store) OpenDigest(ctx context.Context) (*Digest, error) {
	var d Digest
	err := s.read.QueryRowContext(ctx, `SELECT `+digestCols+` FROM digests
		WHERE sent_at IS NULL ORDER BY id LIMIT 1`).Scan(digestDest(&d)...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, errf("open digest: %w", err)
	}
	return &d, nil
}

// Digest returns one digest; ErrNotFound when none.
func (s *Store) Digest(ctx context.Context, id int64) (Digest, error) {
	var d Digest
	err := s.read.QueryRowContext(ctx, `SELECT `+digestCols+` FROM digests WHERE id = ?`, id).Scan(digestDest(&d)...)
	if errors.Is(err, sql.ErrNoRows) {
		return d, errf("digest %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return d, errf("digest %d: %w", id, err)
	}
	return d, nil
}

// CreateDigest records a digest with its Message-ID and links each change
// and problem to it, in one transaction. A change or problem that does not
// exist or is linked to another digest already is an error (nothing is
// recorded). Digests still open stay as they are: the new one is queued
// behind them (OpenDigests, oldest first).
func (s *Store) CreateDigest(ctx context.Context, messageID string, at time.Time, changeIDs, problemIDs []int64) (Digest, error) {
	var d Digest
	err := s.writeTx(ctx, "create digest", func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO digests (message_id, created_at) VALUES (?, ?)
			RETURNING `+digestCols, messageID, tsNotNull(at)).Scan(digestDest(&d)...); err != nil {
			return err
		}
		if err := link(ctx, tx, "changes", "change", d.ID, changeIDs); err != nil {
			return err
		}
		return link(ctx, tx, "problems", "problem", d.ID, problemIDs)
	})
	if err != nil {
		return Digest{}, err
	}
	return d, nil
}

func link(ctx context.Context, tx *sql.Tx, table, what string, digestID int64, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	st, err := tx.PrepareContext(ctx, `UPDATE `+table+` SET digest_id = ? WHERE id = ? AND digest_id IS NULL`)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, id := range ids {
		res, err := st.ExecContext(ctx, digestID, id)
		if err != nil {
			return errf("create digest: %s %d: %w", what, id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errf("create digest: %s %d missing or already in a digest", what, id)
		}
	}
	return nil
}

// DigestAttempt records a failed attempt to send digest id.
func (s *Store) DigestAttempt(ctx context.Context, id int64, at time.Time, errText string, next time.Time) error {
	return s.writeTx(ctx, fmt.Sprintf("digest %d attempt", id), func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE digests SET attempts = attempts + 1, last_error = ?, last_attempt = ?,
			next_attempt = ?, sending_at = NULL WHERE id = ? AND sent_at IS NULL`, errText, ts(at), ts(next), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errf("digest %d attempt: not an open digest: %w", id, ErrNotFound)
		}
		return nil
	})
}

// DigestSent marks digest id sent: its changes and problems are reported.
// Attempts counts the successful one too. Marking a sent digest again keeps
// the first time.
func (s *Store) DigestSent(ctx context.Context, id int64, at time.Time) error {
	return s.writeTx(ctx, fmt.Sprintf("digest %d sent", id), func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE digests SET sent_at = COALESCE(sent_at, ?), attempts = attempts + 1,
			last_error = '', next_attempt = NULL, sending_at = NULL WHERE id = ?`, tsNotNull(at), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errf("digest %d sent: %w", id, ErrNotFound)
		}
		return nil
	})
}

// DigestChanges returns the changes of digest id, oldest first.
func (s *Store) DigestChanges(ctx context.Context, id int64) ([]ChangeRow, error) {
	rows, err := s.read.QueryContext(ctx, changeSelect+` WHERE c.digest_id = ? ORDER BY c.id`, id)
	if err != nil {
		return nil, errf("digest %d changes: %w", id, err)
	}
	out, err := scanChanges(rows)
	if err != nil {
		return nil, errf("digest %d changes: %w", id, err)
	}
	return out, nil
}

// ProblemRow is a fetch problem of a feed (ArticleID 0) or an article.
type ProblemRow struct {
	ID, FeedID     int64
	FeedURL        string
	ArticleID      int64
	ArticleURL     string
	Kind, Detail   string
	FirstAt        time.Time
	LastAt         time.Time
	Count          int
	DigestID       int64     // 0 = not reported yet
	ResolvedAt     time.Time // zero while open
	FeedName       string
	ArticleHeading string // the article's latest headline
}

const problemSelect = `SELECT p.id, p.feed_id, f.url, COALESCE(p.article_id, 0), COALESCE(a.url, a.key, ''),
	p.kind, p.detail, p.first_at, p.last_at, p.count, COALESCE(p.digest_id, 0), p.resolved_at, COALESCE(NULLIF(f.name, ''), f.title),
	(SELECT COALESCE(r.headline, r.body) FROM revisions r WHERE r.article_id = p.article_id ORDER BY r.number DESC LIMIT 1)
	FROM problems p
	JOIN feeds f ON f.id = p.feed_id
	LEFT JOIN articles a ON a.id = p.article_id`

func scanProblems(rows *sql.Rows) ([]ProblemRow, error) {
	defer rows.Close()
	var out []ProblemRow
	for rows.Next() {
		var p ProblemRow
		if err := rows.Scan(&p.ID, &p.FeedID, &p.FeedURL, &p.ArticleID, &p.ArticleURL, &p.Kind, &p.Detail,
			tm(&p.FirstAt), tm(&p.LastAt), &p.Count, &p.DigestID, tm(&p.ResolvedAt), &p.FeedName, headlineDest{&p.ArticleHeading}); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// DigestProblems returns the problems named in digest id.
func (s *Store) DigestProblems(ctx context.Context, id int64) ([]ProblemRow, error) {
	rows, err := s.read.QueryContext(ctx, problemSelect+` WHERE p.digest_id = ? ORDER BY p.id`, id)
	if err != nil {
		return nil, errf("digest %d problems: %w", id, err)
	}
	out, err := scanProblems(rows)
	if err != nil {
		return nil, errf("digest %d problems: %w", id, err)
	}
	return out, nil
}

// RecordProblem counts one occurrence of a problem of a feed (articleID 0)
// or an article: the open problem of (feed, article, kind) gets Count+1,
// LastAt and the new detail; when there is none, one is opened.
func (s *Store) RecordProblem(ctx context.Context, feedID, articleID int64, kind, detail string, at time.Time) error {
	return s.writeTx(ctx, fmt.Sprintf("record problem of feed %d", feedID), func(tx *sql.Tx) error {
		return recordProblem(ctx, tx, feedID, Problem{ArticleID: articleID, Kind: kind, Detail: detail}, at)
	})
}

// Problem is a failure to record against a feed (ArticleID 0) or one of
// its articles.
type Problem struct {
	ArticleID    int64
	Kind, Detail string
}

func recordProblem(ctx context.Context, tx *sql.Tx, feedID int64, p Problem, at time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE problems SET count = count + 1, last_at = ?, detail = ?
		WHERE feed_id = ? AND COALESCE(article_id, 0) = ? AND kind = ? AND resolved_at IS NULL`,
		tsNotNull(at), p.Detail, feedID, p.ArticleID, p.Kind)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO problems (feed_id, article_id, kind, detail, first_at, last_at)
		VALUES (?, ?, ?, ?, ?, ?)`, feedID, nullID(p.ArticleID), p.Kind, p.Detail, tsNotNull(at), tsNotNull(at))
	return err
}

// ResolveProblems closes the open problems of a feed (articleID 0: the
// feed's own) or of an article. A later failure opens a new problem.
func (s *Store) ResolveProblems(ctx context.Context, feedID, articleID int64) error {
	return s.writeTx(ctx, fmt.Sprintf("resolve problems of feed %d", feedID), func(tx *sql.Tx) error {
		return resolveProblems(ctx, tx, feedID, articleID, s.Now())
	})
}

func resolveProblems(ctx context.Context, tx *sql.Tx, feedID, articleID int64, at time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE problems SET resolved_at = ?
		WHERE feed_id = ? AND COALESCE(article_id, 0) = ? AND resolved_at IS NULL`,
		tsNotNull(at), feedID, articleID)
	return err
}

// Problems returns problems with at least minCount occurrences, oldest
// first; unreportedOnly: only those in no digest yet (open or resolved).
func (s *Store) Problems(ctx context.Context, unreportedOnly bool, minCount int) ([]ProblemRow, error) {
	q := problemSelect + ` WHERE p.count >= ?`
	if unreportedOnly {
		q += ` AND p.digest_id IS NULL`
	}
	rows, err := s.read.QueryContext(ctx, q+` ORDER BY p.id`, minCount)
	if err != nil {
		return nil, errf("problems: %w", err)
	}
	out, err := scanProblems(rows)
	if err != nil {
		return nil, errf("problems: %w", err)
	}
	return out, nil
}
