package store

import (
	"context"
	"database/sql"
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

// Two workers that lock the same rows in opposite orders deadlock; the
// server aborts one, and its transaction runs again: both succeed.
func TestPGDeadlockRetried(t *testing.T) {
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
	a := mustFeed(t, ss[0], "https://a.example/rss")
	b := mustFeed(t, ss[0], "https://b.example/rss")
	var locked sync.WaitGroup
	locked.Add(2)
	var attempts [2]int
	var mu sync.Mutex
	run := func(i int, first, second int64) error {
		return ss[i].writeTx(ctx, "deadlock", func(tx *sql.Tx) error {
			mu.Lock()
			attempts[i]++
			n := attempts[i]
			mu.Unlock()
			if _, err := tx.ExecContext(ctx, `UPDATE feeds SET failures = failures + 1 WHERE id = ?`, first); err != nil {
				return err
			}
			if n == 1 {
				locked.Done()
				locked.Wait() // each holds one row now
			}
			_, err := tx.ExecContext(ctx, `UPDATE feeds SET failures = failures + 1 WHERE id = ?`, second)
			return err
		})
	}
	var wg sync.WaitGroup
	var errs [2]error
	wg.Add(2)
	go func() { defer wg.Done(); errs[0] = run(0, a.ID, b.ID) }()
	go func() { defer wg.Done(); errs[1] = run(1, b.ID, a.ID) }()
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("worker %d: %v", i, err)
		}
	}
	if attempts[0]+attempts[1] < 3 {
		t.Errorf("attempts %v: want a retry", attempts)
	}
	for _, f := range []Feed{a, b} {
		got, err := ss[1].FeedByURL(ctx, f.URL)
		if err != nil || got.Failures != 2 {
			t.Errorf("feed %s: failures %d (%v), want 2: each transaction counted once", f.URL, got.Failures, err)
		}
	}
}

// A hostile feed's NUL bytes and invalid UTF-8 (SQLite stores them as
// they are; PostgreSQL's text refuses them) neither fail a save nor make
// the article new again at the next fetch.
func TestHostileTextStored(t *testing.T) {
	ctx := context.Background()
	eachStore(t, func(t *testing.T, s *Store) {
		f := mustFeed(t, s, "https://example.com/rss")
		c := cand("guid\x00\xff", "https://example.com/\xff", "Head\x00line\nsecond line", "Body \xff\x00 text.")
		_, st := pass(t, s, f.ID, t0, []Candidate{c}, nil)
		if st.NewArticles != 1 || st.NewRevisions != 1 {
			t.Fatalf("first save: %+v", st)
		}
		plan, _ := pass(t, s, f.ID, t0.Add(time.Hour), []Candidate{c}, nil)
		if len(plan.Pending) != 0 || len(plan.Seen) != 1 {
			t.Fatalf("unchanged: %d pending, %d seen; want 0, 1", len(plan.Pending), len(plan.Seen))
		}
		c.Text, c.Hash = "Body \xff\x00 text, edited.", ""
		_, st = pass(t, s, f.ID, t0.Add(2*time.Hour), []Candidate{c}, func(Pending) []ChangeInput {
			return []ChangeInput{{Kind: "quote_edited", Person: "Ma\x00rco \xff", Before: "a\x00", After: "b\xff"}}
		})
		if st.NewRevisions != 1 || st.NewChanges != 1 {
			t.Fatalf("edit: %+v", st)
		}
		a, err := s.Article(ctx, plan.Seen[0])
		if err != nil {
			t.Fatal(err)
		}
		revs, err := s.Revisions(ctx, a.ID)
		if err != nil || len(revs) != 2 || revs[1].Text != c.Text {
			t.Fatalf("revisions: %d, %v; want 2, the text as it came", len(revs), err)
		}
		chs, err := s.Changes(ctx, ChangeFilter{Person: "ma"})
		if err != nil || len(chs) != 1 {
			t.Fatalf("changes: %v %v", chs, err)
		}
		if probs, err := s.Check(ctx); err != nil || len(probs) > 0 {
			t.Fatalf("check: %v %v", probs, err)
		}
	})
}

func TestPGSessionBounds(t *testing.T) {
	url := testpg.URL(t)
	ctx := context.Background()
	for _, tc := range []struct{ url, lock, idle string }{
		{url, "1min", "5min"},
		{url + sep(url) + "lock_timeout=200ms", "200ms", "5min"},
	} {
		s, err := Open(ctx, tc.url)
		if err != nil {
			t.Fatal(err)
		}
		var lock, idle string
		if err := s.read.QueryRowContext(ctx, `SELECT current_setting('lock_timeout'), current_setting('idle_in_transaction_session_timeout')`).Scan(&lock, &idle); err != nil {
			t.Fatal(err)
		}
		s.Close()
		if lock != tc.lock || idle != tc.idle {
			t.Errorf("%s: lock_timeout %s, idle_in_transaction_session_timeout %s; want %s, %s", tc.url, lock, idle, tc.lock, tc.idle)
		}
	}
}

func sep(url string) string {
	if strings.Contains(url, "?") {
		return "&"
	}
	return "?"
}

// A write that waits for a row another worker's transaction holds gives up
// after lock_timeout instead of waiting for good.
func TestPGLockWaitBounded(t *testing.T) {
	url := testpg.URL(t)
	ctx := context.Background()
	holder := openPGURL(t, url)
	waiter := openPGURL(t, url+sep(url)+"lock_timeout=200ms")
	f := mustFeed(t, holder, "https://example.com/rss")
	held, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- holder.writeTx(ctx, "hold", func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `UPDATE feeds SET failures = 1 WHERE id = ?`, f.ID); err != nil {
				return err
			}
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	err := waiter.RecordFetch(ctx, FetchRecord{FeedID: f.ID, At: t0, Status: 304})
	close(release)
	if err == nil || !strings.Contains(err.Error(), "lock") {
		t.Errorf("write behind a held row: %v, want a lock timeout", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func openPGURL(t *testing.T, url string) *Store {
	t.Helper()
	s, err := Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
