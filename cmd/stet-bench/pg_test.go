package main

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/stet-news/stet/internal/testpg"
)

func TestRedactArgs(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{[]string{"stet-bench", "--sizes", "10x2"}, "stet-bench --sizes 10x2"},
		{[]string{"stet-bench", "--database", "postgres://u:secret@h:5432/db"}, "stet-bench --database postgres://u:xxxxx@h:5432/db"},
		{[]string{"stet-bench", "--database=postgresql://u:secret@h/db"}, "stet-bench --database=postgresql://u:xxxxx@h/db"},
		{[]string{"stet-bench", "--database", "postgres://u@h/db"}, "stet-bench --database postgres://u@h/db"},
	}
	for _, tt := range tests {
		if got := redactArgs(tt.in); got != tt.want {
			t.Errorf("redactArgs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPrintTablePostgres(t *testing.T) {
	rep := &Report{Store: "postgres", Rows: []Row{{Feeds: 20, ItemsPerFeed: 5, DBBytes: 8 << 20, BytesPerRevision: 80000, RevisionsTableBytesPerRevision: 1234}}}
	var b bytes.Buffer
	printTable(&b, rep)
	for _, want := range []string{"store=postgres", "20×5: B/rev is pg_database_size", "1234 B/rev"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
	rep.Store = "sqlite"
	b.Reset()
	printTable(&b, rep)
	if strings.Contains(b.String(), "pg_database_size") || !strings.Contains(b.String(), "store=sqlite") || !strings.Contains(b.String(), "dbstat") {
		t.Errorf("SQLite table:\n%s", b.String())
	}
}

// TestCreateDatabase makes and drops a database on a real server, and
// measures a revisions table in it.
func TestCreateDatabase(t *testing.T) {
	server := testpg.URL(t)
	ctx := context.Background()
	db, drop, err := createDatabase(ctx, server)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE revisions (id bigint PRIMARY KEY, body bytea); INSERT INTO revisions SELECT g, '\x00' FROM generate_series(1, 10) g`); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	s, err := measurePG(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if s.Revisions != 10 || s.RevisionsBytes <= 0 || s.DatabaseBytes < s.RevisionsBytes {
		t.Errorf("sizes %+v", s)
	}
	drop()
	if conn, err := pgx.Connect(ctx, db); err == nil {
		conn.Close(ctx)
		t.Errorf("database %s still there after drop", redactURL(db))
	}
}

// TestSQLiteRevisionsBytes measures a real SQLite file's revisions table.
func TestSQLiteRevisionsBytes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE revisions (id INTEGER PRIMARY KEY, a INT, n INT, body BLOB, UNIQUE (a, n));
		CREATE TABLE other (x BLOB); INSERT INTO other VALUES (randomblob(100000));
		INSERT INTO revisions (a, n, body) VALUES (1, 1, randomblob(3000)), (1, 2, randomblob(10))`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	n, err := sqliteRevisionsBytes(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if n < 3000 || n > 50000 { // the table and its index: a few pages, not the other table's 100 kB
		t.Errorf("revisions: %d bytes", n)
	}
}
