package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// Reads for views that page through one article: an article may have
// thousands of revisions and changes, so nothing here reads them all.

// RevisionsDesc returns up to limit revisions of an article numbered below
// before (0: no bound), newest first. Without withText only the number,
// time, hash and revert are read (no text decoded); with it, decoding stops
// once the texts read reach maxText bytes (0: no bound; the first revision
// is always read). ErrNotFound when the article does not exist.
func (s *Store) RevisionsDesc(ctx context.Context, articleID int64, before, limit int, withText bool, maxText int64) ([]Revision, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("store: revisions of article %d: limit %d: want more than 0", articleID, limit)
	}
	var out []Revision
	err := s.readTx(ctx, fmt.Sprintf("revisions of article %d", articleID), func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM articles WHERE id = ?`, articleID).Scan(&one); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("store: revisions of article %d: %w", articleID, ErrNotFound)
			}
			return err
		}
		cols := `article_id, number, fetched_at, hash, revert_of, text_size, NULL, x''`
		if withText {
			cols = `article_id, number, fetched_at, hash, revert_of, text_size, headline, body`
		}
		var read int64
		q := `SELECT ` + cols + ` FROM revisions WHERE article_id = ?`
		args := []any{articleID}
		if before > 0 {
			q += ` AND number < ?`
			args = append(args, before)
		}
		q += ` ORDER BY number DESC LIMIT ?`
		args = append(args, limit)
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		// Read first, decode after: a delta's base is looked up in tx,
		// and PostgreSQL runs one query at a time on a connection.
		var stored []storedText
		for rows.Next() {
			var r Revision
			var st storedText
			var size int64
			if err := rows.Scan(&r.ArticleID, &r.Number, tm(&r.FetchedAt), hashDest{&r.Hash}, &r.RevertOf, &size, &st.headline, &st.body); err != nil {
				rows.Close()
				return err
			}
			if withText && maxText > 0 && len(out) > 0 && read+size > maxText {
				break
			}
			read += size
			out = append(out, r)
			stored = append(stored, st)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if withText {
			for i := range out {
				r := &out[i]
				if r.Headline, r.Text, err = decodeRevision(stored[i].headline, stored[i].body, baseIn(ctx, tx, articleID)); err != nil {
					return fmt.Errorf("store: article %d revision %d: %w", articleID, r.Number, err)
				}
			}
		}
		return nil
	})
	return out, err
}

// RevisionAt returns revision number of an article, decoded; ErrNotFound
// when there is none.
func (s *Store) RevisionAt(ctx context.Context, articleID int64, number int) (Revision, error) {
	var r Revision
	err := s.readTx(ctx, fmt.Sprintf("article %d revision %d", articleID, number), func(tx *sql.Tx) error {
		var headline sql.NullString
		var body []byte
		err := tx.QueryRowContext(ctx, `SELECT article_id, number, fetched_at, hash, revert_of, headline, body
			FROM revisions WHERE article_id = ? AND number = ?`, articleID, number).Scan(
			&r.ArticleID, &r.Number, tm(&r.FetchedAt), hashDest{&r.Hash}, &r.RevertOf, &headline, &body)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: article %d revision %d: %w", articleID, number, ErrNotFound)
		}
		if err != nil {
			return err
		}
		r.Headline, r.Text, err = decodeRevision(headline, body, baseIn(ctx, tx, articleID))
		return err
	})
	return r, err
}

// PreviousRevision returns the number of the stored revision before number
// (retention may have dropped some), 0 when none.
func (s *Store) PreviousRevision(ctx context.Context, articleID int64, number int) (int, error) {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(number), 0) FROM revisions WHERE article_id = ? AND number < ?`,
		articleID, number).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: article %d revision before %d: %w", articleID, number, err)
	}
	return n, nil
}

// ChangeCounts returns how many changes were recorded at each of the given
// revisions of an article (keyed by the revision they lead to).
func (s *Store) ChangeCounts(ctx context.Context, articleID int64, numbers []int) (map[int]int, error) {
	out := map[int]int{}
	if len(numbers) == 0 {
		return out, nil
	}
	args := []any{articleID}
	for _, n := range numbers {
		args = append(args, n)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT to_rev, COUNT(*) FROM changes WHERE article_id = ? AND to_rev IN (?`+
		strings.Repeat(", ?", len(numbers)-1)+`) GROUP BY to_rev`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: change counts of article %d: %w", articleID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var n, c int
		if err := rows.Scan(&n, &c); err != nil {
			return nil, fmt.Errorf("store: change counts of article %d: %w", articleID, err)
		}
		out[n] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: change counts of article %d: %w", articleID, err)
	}
	return out, nil
}
