package store

import (
	"context"
	"database/sql"
	"fmt"
)

// RecompressStats counts what Recompress rewrote.
type RecompressStats struct {
	Revisions     int   // revisions rewritten
	Before, After int64 // their stored bytes (headline column and body) before and after
}

// recompressBatch is the number of articles rewritten per write transaction,
// so that a long recompression lets the daemon's passes in between.
const recompressBatch = 200

// Recompress stores the revisions written before schema 5 the way new ones
// are: the headline in the body, and an edited revision as a delta of the
// last one stored whole when that is less than half the size. A revision
// is rewritten only when it gets smaller; one another revision is a delta
// of stays whole. Texts read back the same (the caller's VACUUM returns the
// space).
//
// PostgreSQL: ErrSQLiteOnly (its revisions are written the new way from the
// start, and the server compacts its own tables).
func (s *Store) Recompress(ctx context.Context) (RecompressStats, error) {
	if s.pg {
		return RecompressStats{}, sqliteOnly("recompress", "there is nothing to recompress: revisions are stored compressed from the start")
	}
	var st RecompressStats
	var after int64
	for {
		var ids []int64
		err := s.readTx(ctx, "recompress", func(tx *sql.Tx) error {
			rows, err := tx.QueryContext(ctx, `SELECT DISTINCT article_id FROM revisions
				WHERE article_id > ? AND (number > 1 OR (headline IS NOT NULL AND substr(body, 1, 1) <> x'04'))
				ORDER BY article_id LIMIT ?`, after, recompressBatch)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					return err
				}
				ids = append(ids, id)
			}
			return rows.Err()
		})
		if err != nil || len(ids) == 0 {
			return st, err
		}
		err = s.writeTx(ctx, "recompress", func(tx *sql.Tx) error {
			for _, id := range ids {
				if err := recompressArticle(ctx, tx, id, &st); err != nil {
					return errf("recompress article %d: %w", id, err)
				}
			}
			return nil
		})
		if err != nil {
			return st, err
		}
		after = ids[len(ids)-1]
	}
}

// recompressArticle rewrites the revisions of one article (see Recompress).
func recompressArticle(ctx context.Context, tx *sql.Tx, articleID int64, st *RecompressStats) error {
	type rev struct {
		id       int64
		number   int
		headline sql.NullString
		body     []byte
		base     int // >0: stored as a delta of that revision
		h, text  string
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, number, headline, body FROM revisions
		WHERE article_id = ? ORDER BY number`, articleID)
	if err != nil {
		return err
	}
	var revs []rev
	byNumber := map[int]int{}
	for rows.Next() {
		var r rev
		if err := rows.Scan(&r.id, &r.number, &r.headline, &r.body); err != nil {
			rows.Close()
			return err
		}
		byNumber[r.number] = len(revs)
		revs = append(revs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	isBase := map[int]bool{}
	for i := range revs {
		r := &revs[i]
		if r.base, err = deltaBase(r.body); err != nil {
			return err
		}
		isBase[r.base] = true
		lookup := func(n int) (sql.NullString, []byte, error) {
			j, ok := byNumber[n]
			if !ok {
				return sql.NullString{}, nil, ErrNotFound
			}
			return revs[j].headline, revs[j].body, nil
		}
		if r.h, r.text, err = decodeRevision(r.headline, r.body, lookup); err != nil {
			return fmt.Errorf("revision %d: %w", r.number, err)
		}
	}
	var base *rev // the last revision stored whole
	for i := range revs {
		r := &revs[i]
		if r.base > 0 {
			continue // a delta already
		}
		hcol, body := encodeRevision(r.h, r.text)
		if base != nil && !isBase[r.number] {
			if d, ok := encodeDelta(base.number, base.text, r.text, len(body)/2-len(r.h)); ok {
				hcol, body = r.h, d
			}
		}
		before := int64(len(r.headline.String) + len(r.body))
		now := int64(len(body))
		if h, ok := hcol.(string); ok {
			now += int64(len(h))
		}
		if now < before {
			if _, err := tx.ExecContext(ctx, `UPDATE revisions SET headline = ?, body = ? WHERE id = ?`, hcol, body, r.id); err != nil {
				return err
			}
			st.Revisions++
			st.Before += before
			st.After += now
			if b, _ := deltaBase(body); b > 0 {
				continue // now a delta: the base stays
			}
		}
		base = r
	}
	return nil
}
