package store

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stet-news/stet/internal/testpg"
)

// Several workers starting at once on an empty database: one migrates,
// the others wait on the migration lock and find the schema there.
func TestPGConcurrentFirstOpen(t *testing.T) {
	url := testpg.URL(t)
	ctx := context.Background()
	const n = 5
	stores := make([]*Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = Open(ctx, url)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		defer stores[i].Close()
	}
	for i, s := range stores {
		v, err := s.SchemaVersion(ctx)
		if err != nil || v != PostgresSchemaVersion() {
			t.Errorf("store %d: schema version %d, %v; want %d", i, v, err, PostgresSchemaVersion())
		}
	}
	var rows int
	if err := stores[0].read.QueryRowContext(ctx, `SELECT COUNT(*) FROM stet_schema`).Scan(&rows); err != nil || rows != 1 {
		t.Errorf("stet_schema has %d rows (%v), want 1", rows, err)
	}
	// Each sees what another writes.
	f := mustFeed(t, stores[1], "https://example.com/rss")
	pass(t, stores[2], f.ID, t0, []Candidate{cand("a", "https://example.com/a", "A", "alpha")}, nil)
	if st, err := stores[3].Stats(ctx); err != nil || st.Revisions != 1 {
		t.Errorf("stats from another store: %+v, %v", st, err)
	}
}

func TestPGPasswordInURLRefused(t *testing.T) {
	ctx := context.Background()
	for _, u := range []string{
		"postgres://stet:secret@127.0.0.1:1/stet",
		"postgresql://stet@127.0.0.1:1/stet?sslmode=disable&password=secret",
	} {
		_, err := Open(ctx, u)
		if err == nil || !strings.Contains(err.Error(), "PGPASSWORD") {
			t.Errorf("Open(%q): %v, want a refusal naming PGPASSWORD", u, err)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("Open(%q): the error shows the password: %v", u, err)
		}
		if _, err := OpenExisting(ctx, u); err == nil || !strings.Contains(err.Error(), "PGPASSWORD") {
			t.Errorf("OpenExisting(%q): %v, want a refusal naming PGPASSWORD", u, err)
		}
	}
}

func TestPGOpenExistingOnEmptyDatabase(t *testing.T) {
	url := testpg.URL(t)
	ctx := context.Background()
	if _, err := OpenExisting(ctx, url); !errors.Is(err, ErrNoDatabase) {
		t.Fatalf("empty database: got %v, want ErrNoDatabase", err)
	}
	s, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = OpenExisting(ctx, url)
	if err != nil {
		t.Fatalf("existing: %v", err)
	}
	s.Close()
}

func TestPGSQLiteOnlyRefused(t *testing.T) {
	s := openPG(t)
	ctx := context.Background()
	if !s.Postgres() || s.Dialect() != "postgres" {
		t.Fatalf("dialect %q", s.Dialect())
	}
	err := s.Backup(ctx, filepath.Join(t.TempDir(), "copy.db"))
	if !errors.Is(err, ErrSQLiteOnly) || !strings.Contains(err.Error(), "pg_dump") {
		t.Errorf("backup: %v, want ErrSQLiteOnly naming pg_dump", err)
	}
	if err := s.Vacuum(ctx); !errors.Is(err, ErrSQLiteOnly) || !strings.Contains(err.Error(), "VACUUM") {
		t.Errorf("vacuum: %v, want ErrSQLiteOnly naming VACUUM", err)
	}
	if _, err := s.Recompress(ctx); !errors.Is(err, ErrSQLiteOnly) {
		t.Errorf("recompress: %v, want ErrSQLiteOnly", err)
	}
	// What is not SQLite's alone works.
	if probs, err := s.Check(ctx); err != nil || len(probs) != 0 {
		t.Errorf("check: %v %v", probs, err)
	}
	if st, err := s.Stats(ctx); err != nil || st.DBBytes <= 0 {
		t.Errorf("stats: %+v %v", st, err)
	}
}

// Two workers that prepared the same new article and the same edit save
// them at once: the unique keys and the article's row lock leave one of
// each, and neither save fails.
func TestPGTwoWorkersSaveTheSameFeed(t *testing.T) {
	url := testpg.URL(t)
	ctx := context.Background()
	var ss [2]*Store
	for i := range ss {
		s, err := Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		ss[i] = s
	}
	f := mustFeed(t, ss[0], "https://example.com/rss")
	both := func(at int, cands []Candidate) {
		t.Helper()
		var plans [2]Plan
		for i, s := range ss {
			p, err := s.Prepare(ctx, f.ID, cands)
			if err != nil {
				t.Fatal(err)
			}
			plans[i] = p
		}
		var wg sync.WaitGroup
		var errs [2]error
		for i, s := range ss {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = s.SaveFetch(ctx, result(f.ID, t0.Add(hours(at)), plans[i], nil))
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("worker %d: %v", i, err)
			}
		}
	}
	both(0, []Candidate{cand("a", "https://example.com/a", "A", "alpha"), cand("b", "https://example.com/b", "B", "beta")})
	both(1, []Candidate{cand("a", "https://example.com/a", "A", "alpha, edited"), cand("b", "https://example.com/b", "B", "beta")})
	st, err := ss[1].Stats(ctx)
	if err != nil || st.Articles != 2 || st.Revisions != 3 {
		t.Errorf("stats %+v %v; want 2 articles, 3 revisions", st, err)
	}
	if probs, err := ss[0].Check(ctx); err != nil || len(probs) != 0 {
		t.Errorf("check: %v %v", probs, err)
	}
}

func hours(n int) time.Duration { return time.Duration(n) * time.Hour }
