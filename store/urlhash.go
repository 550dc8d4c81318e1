package store

import (
	"context"
	"database/sql"
	"hash/fnv"
)

// urlHash is what the index on links holds for a link: 31 bits of its
// FNV-1a hash (SQLite stores it in 4 bytes; a link takes 50 to 150). A
// lookup compares the link itself too, so collisions cost a row read.
func urlHash(u string) int64 {
	h := fnv.New32a()
	h.Write([]byte(u))
	return int64(h.Sum32() & 0x7fffffff)
}

// fillURLHashes sets url_hash where a link has none: every article
// migration 0005 rewrote, or one whose link became its stored URL when its
// key moved (SaveFetch).
func fillURLHashes(ctx context.Context, tx *sql.Tx, where string, args ...any) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, url FROM articles WHERE url IS NOT NULL AND url_hash IS NULL`+where, args...)
	if err != nil {
		return err
	}
	type row struct {
		id  int64
		url string
	}
	var todo []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.url); err != nil {
			rows.Close()
			return err
		}
		todo = append(todo, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range todo {
		if _, err := tx.ExecContext(ctx, `UPDATE articles SET url_hash = ? WHERE id = ?`, urlHash(r.url), r.id); err != nil {
			return err
		}
	}
	return nil
}

// afterMigrate is the work a migration leaves to Go, run in its
// transaction after its SQL.
var afterMigrate = map[int]func(ctx context.Context, tx *sql.Tx) error{
	5: func(ctx context.Context, tx *sql.Tx) error { return fillURLHashes(ctx, tx, "") },
}
