package main

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	_ "modernc.org/sqlite" // the driver stet itself uses
)

// sqliteRevisionsBytes is the size of the pages of the revisions table
// and its indexes in the SQLite database at path (the dbstat table, read
// only, through the WAL): comparable with PostgreSQL's
// pg_total_relation_size('revisions').
func sqliteRevisionsBytes(ctx context.Context, path string) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return 0, fmt.Errorf("bench: open %s: %w", path, err)
	}
	defer db.Close()
	var n int64
	err = db.QueryRowContext(ctx, `SELECT coalesce(sum(d.pgsize), 0) FROM dbstat d JOIN sqlite_schema m ON m.name = d.name WHERE m.tbl_name = 'revisions'`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("bench: dbstat of %s: %w", path, err)
	}
	return n, nil
}
