package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// RecheckTarget is an article whose page is due to be fetched again.
type RecheckTarget struct {
	ArticleID, FeedID int64
	URL               string // the article's link, else its canonical URL
	FirstSeen         time.Time
	NextCheck         time.Time
	PageETag          string
	PageLastModified  string
	Latest            int // number of its latest revision
}

// DueRechecks returns up to limit (0: all) articles whose next check is at
// or before now, the longest overdue first.
func (s *Store) DueRechecks(ctx context.Context, now time.Time, limit int) ([]RecheckTarget, error) {
	q := `SELECT a.id, a.feed_id, CASE WHEN COALESCE(a.url, a.key) <> '' THEN COALESCE(a.url, a.key) ELSE a.canonical END, a.first_seen, a.next_check,
		a.page_etag, a.page_last_modified, COALESCE((SELECT MAX(r.number) FROM revisions r WHERE r.article_id = a.id), 0)
		FROM articles a WHERE a.next_check IS NOT NULL AND a.next_check <= ? ORDER BY a.next_check, a.id`
	args := []any{ms(now)}
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, errf("due rechecks: %w", err)
	}
	defer rows.Close()
	var out []RecheckTarget
	for rows.Next() {
		var t RecheckTarget
		if err := rows.Scan(&t.ArticleID, &t.FeedID, &t.URL, tm(&t.FirstSeen), tm(&t.NextCheck),
			&t.PageETag, &t.PageLastModified, &t.Latest); err != nil {
			return nil, errf("due rechecks: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, errf("due rechecks: %w", err)
	}
	return out, nil
}

// RecheckBacklog counts the articles whose check is due at now.
func (s *Store) RecheckBacklog(ctx context.Context, now time.Time) (int, error) {
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM articles
		WHERE next_check IS NOT NULL AND next_check <= ?`, ms(now)).Scan(&n); err != nil {
		return 0, errf("recheck backlog: %w", err)
	}
	return n, nil
}

// SetRecheck plans the next check of an article's page (zero next: no more
// checks) and keeps the page's validators (an empty one leaves the stored
// one as it is).
func (s *Store) SetRecheck(ctx context.Context, articleID int64, next time.Time, etag, lastModified string) error {
	return s.writeTx(ctx, fmt.Sprintf("set recheck of article %d", articleID), func(tx *sql.Tx) error {
		return setRecheck(ctx, tx, Recheck{ArticleID: articleID, Next: next, ETag: etag, LastModified: lastModified})
	})
}

// Recheck is the next check of an article's page (zero Next: no more
// checks) and the page's validators (an empty one leaves the stored one as
// it is).
type Recheck struct {
	ArticleID          int64
	Next               time.Time
	ETag, LastModified string
}

func setRecheck(ctx context.Context, tx *sql.Tx, r Recheck) error {
	res, err := tx.ExecContext(ctx, `UPDATE articles SET next_check = ?,
		page_etag = CASE WHEN ? <> '' THEN ? ELSE page_etag END,
		page_last_modified = CASE WHEN ? <> '' THEN ? ELSE page_last_modified END
		WHERE id = ?`, ms(r.Next), r.ETag, r.ETag, r.LastModified, r.LastModified, r.ArticleID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errf("set recheck of article %d: %w", r.ArticleID, ErrNotFound)
	}
	return nil
}

// Backup writes a consistent copy of the database to path (VACUUM INTO)
// while others go on writing. An existing file is refused (fs.ErrExist).
//
// PostgreSQL: ErrSQLiteOnly (pg_dump makes the copy).
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.pg {
		return sqliteOnly("backup", "use pg_dump (or the server's own backups)")
	}
	if _, err := os.Lstat(path); err == nil {
		return errf("backup to %s: %w", path, fs.ErrExist)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return errf("backup to %s: %w", path, err)
	}
	// Its own connection: the read pool is query_only, which forbids VACUUM
	// INTO, and the write connection must stay free for the daemon. In WAL
	// mode the copy is one read transaction; writers go on meanwhile.
	db, err := sql.Open("sqlite", dsn(s.path, "_pragma=busy_timeout(5000)"))
	if err != nil {
		return errf("backup to %s: %w", path, err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return errf("backup to %s: %w", path, err)
	}
	if err := db.Close(); err != nil {
		return errf("backup to %s: %w", path, err)
	}
	return nil
}

// Vacuum rebuilds the database file to return free pages to the system and
// truncates the WAL.
//
// PostgreSQL: ErrSQLiteOnly (the server's autovacuum, or VACUUM, does it).
func (s *Store) Vacuum(ctx context.Context) error {
	if s.pg {
		return sqliteOnly("compact", "autovacuum returns the space; run VACUUM (FULL) in psql to shrink the tables")
	}
	if _, err := s.write.ExecContext(ctx, `VACUUM`); err != nil {
		return errf("vacuum: %w", err)
	}
	if _, err := s.write.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return errf("vacuum: checkpoint: %w", err)
	}
	return nil
}

// Prune drops every revision but the latest of the articles first seen
// before olderThan that never had a change; it returns how many it dropped.
// Nothing a change refers to is dropped. The article keeps the count of the
// dropped revisions (Article.Pruned), so numbering stays checkable.
func (s *Store) Prune(ctx context.Context, olderThan time.Time) (int, error) {
	var n int64
	err := s.writeTx(ctx, "prune", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE articles
			SET pruned = (SELECT MAX(r.number) - 1 FROM revisions r WHERE r.article_id = articles.id)
			WHERE first_seen < ?
			AND NOT EXISTS (SELECT 1 FROM changes c WHERE c.article_id = articles.id)
			AND (SELECT COUNT(*) FROM revisions r WHERE r.article_id = articles.id) > 1`, ms(olderThan)); err != nil {
			return err
		}
		if err := wholeBeforePrune(ctx, tx); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM revisions
			WHERE number <= (SELECT a.pruned FROM articles a WHERE a.id = revisions.article_id)
			AND NOT EXISTS (SELECT 1 FROM changes c WHERE c.article_id = revisions.article_id
				AND (c.from_rev = revisions.number OR c.to_rev = revisions.number))`)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// wholeBeforePrune stores whole again every revision that stays but is a
// delta of one Prune is about to drop.
func wholeBeforePrune(ctx context.Context, tx *sql.Tx) error {
	type rev struct {
		id, article int64
		pruned      int
		headline    sql.NullString
		body        []byte
	}
	rows, err := tx.QueryContext(ctx, `SELECT r.id, r.article_id, a.pruned, r.headline, r.body
		FROM revisions r JOIN articles a ON a.id = r.article_id
		WHERE a.pruned > 0 AND r.number > a.pruned AND substr(r.body, 1, 1) = x'04'`)
	if err != nil {
		return err
	}
	var revs []rev
	for rows.Next() {
		var r rev
		if err := rows.Scan(&r.id, &r.article, &r.pruned, &r.headline, &r.body); err != nil {
			rows.Close()
			return err
		}
		if base, err := deltaBase(r.body); err != nil || base <= r.pruned {
			revs = append(revs, r)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range revs {
		headline, text, err := decodeRevision(r.headline, r.body, baseIn(ctx, tx, r.article))
		if err != nil {
			return errf("prune: revision %d: %w", r.id, err)
		}
		hcol, body := encodeRevision(headline, text)
		if _, err := tx.ExecContext(ctx, `UPDATE revisions SET headline = ?, body = ? WHERE id = ?`, hcol, body, r.id); err != nil {
			return err
		}
	}
	return nil
}

// Check runs SQLite's integrity and foreign key checks and the store's own
// invariants, and returns one line per problem found (none: all hold). The
// error is for a check that could not run.
func (s *Store) Check(ctx context.Context) ([]string, error) {
	var out []string
	err := s.readTx(ctx, "check", func(tx *sql.Tx) error {
		add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
		if !s.pg {
			if err := sqliteChecks(ctx, tx, add); err != nil {
				return err
			}
		}
		// PostgreSQL keeps its own pages and foreign keys whole: only the
		// store's invariants are checked there.
		type inv struct {
			q      string
			format string
		}
		for _, c := range []inv{
			{`SELECT c.id, c.article_id, c.from_rev, c.to_rev FROM changes c
				WHERE c.to_rev <= c.from_rev
				OR NOT EXISTS (SELECT 1 FROM revisions r WHERE r.article_id = c.article_id AND r.number = c.from_rev)
				OR NOT EXISTS (SELECT 1 FROM revisions r WHERE r.article_id = c.article_id AND r.number = c.to_rev)
				ORDER BY c.id LIMIT 100`,
				"change %d: article %d revisions %d→%d are not two stored revisions of the article"},
			{`SELECT a.id, a.pruned + 1, MIN(r.number), MAX(r.number) FROM articles a JOIN revisions r ON r.article_id = a.id
				GROUP BY a.id, a.pruned
				HAVING MIN(r.number) <> a.pruned + 1 OR MAX(r.number) - MIN(r.number) + 1 <> COUNT(*)
				ORDER BY a.id LIMIT 100`,
				"article %d: revision numbers have gaps (expected from %d, stored %d..%d)"},
			{`SELECT a.id FROM articles a WHERE NOT EXISTS (SELECT 1 FROM revisions r WHERE r.article_id = a.id)
				ORDER BY a.id LIMIT 100`,
				"article %d has no revision"},
			{`SELECT a.id FROM articles a WHERE a.url IS NOT NULL AND a.url_hash IS NULL ORDER BY a.id LIMIT 100`,
				"article %d: its link is missing from the index of links"},
			{`SELECT c.id, c.digest_id FROM changes c WHERE c.digest_id IS NOT NULL
				AND NOT EXISTS (SELECT 1 FROM digests d WHERE d.id = c.digest_id) ORDER BY c.id LIMIT 100`,
				"change %d is linked to digest %d, which does not exist"},
			{`SELECT p.id, p.digest_id FROM problems p WHERE p.digest_id IS NOT NULL
				AND NOT EXISTS (SELECT 1 FROM digests d WHERE d.id = p.digest_id) ORDER BY p.id LIMIT 100`,
				"problem %d is linked to digest %d, which does not exist"},
		} {
			if err := checkRows(ctx, tx, c.q, c.format, add); err != nil {
				return err
			}
		}

		// Every stored text decodes to its recorded size. In batches,
		// decoded after each is read (as Export does).
		bad := 0
		var after int64
		for {
			rows, err := tx.QueryContext(ctx, `SELECT id, article_id, number, headline, body, text_size FROM revisions
				WHERE id > ? ORDER BY id LIMIT ?`, after, exportBatch)
			if err != nil {
				return err
			}
			type rev struct {
				aid       int64
				num, size int
				storedText
			}
			var batch []rev
			for rows.Next() {
				var r rev
				if err := rows.Scan(&after, &r.aid, &r.num, &r.headline, &r.body, &r.size); err != nil {
					rows.Close()
					return err
				}
				batch = append(batch, r)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for _, r := range batch {
				_, text, err := decodeRevision(r.headline, r.body, baseIn(ctx, tx, r.aid))
				if err == nil && len(text) != r.size {
					err = fmt.Errorf("%d bytes, %d recorded", len(text), r.size)
				}
				if err != nil {
					if bad++; bad <= 100 {
						add("article %d revision %d: stored text unreadable: %v", r.aid, r.num, err)
					}
				}
			}
			if len(batch) < exportBatch {
				return nil
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// sqliteChecks runs SQLite's integrity and foreign key checks.
func sqliteChecks(ctx context.Context, tx *sql.Tx, add func(string, ...any)) error {
	rows, err := tx.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var msg string
		if err := rows.Scan(&msg); err != nil {
			rows.Close()
			return err
		}
		if msg != "ok" {
			add("integrity: %s", msg)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}

	rows, err = tx.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fkid int
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			rows.Close()
			return err
		}
		add("foreign key: %s row %d refers to a missing %s", table, rowid.Int64, parent)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}

	return nil
}

// checkRows runs q and adds one line per row, its columns formatted.
func checkRows(ctx context.Context, tx *sql.Tx, q, format string, add func(string, ...any)) error {
	rows, err := tx.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	for rows.Next() {
		vals := make([]int64, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		args := make([]any, len(vals))
		for i, v := range vals {
			args[i] = v
		}
		add(format, args...)
	}
	return rows.Err()
}

// RecheckAllNow makes every article page that is rechecked at all due at
// now (stet once --recheck: a user who just edited a page wants to see it
// read now, not at its next planned time). It returns how many.
func (s *Store) RecheckAllNow(ctx context.Context, now time.Time) (int, error) {
	var n int64
	err := s.writeTx(ctx, "recheck all now", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE articles SET next_check = ? WHERE next_check IS NOT NULL AND next_check > ?`, ms(now), ms(now))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}
