package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stet-news/stet/internal/testfeed"
)

//go:generate go test -run TestGenerateV1DB -update-v1

var updateV1 = flag.Bool("update-v1", false, "rewrite testdata/v1.db with migration 0001 only")

// TestGenerateV1DB writes testdata/v1.db: a small database made by the first
// schema, kept to test upgrades from it. It runs only with -update-v1.
func TestGenerateV1DB(t *testing.T) {
	if !*updateV1 {
		t.Skip("run with -update-v1 to regenerate testdata/v1.db")
	}
	ctx := context.Background()
	out := filepath.Join("testdata", "v1.db")
	os.Remove(out)
	w, err := sql.Open("sqlite", dsn(out, writeParams))
	if err != nil {
		t.Fatal(err)
	}
	w.SetMaxOpenConns(1)
	s := &Store{path: out, write: w}
	if err := s.migrate(ctx, 1, false); err != nil {
		t.Fatal(err)
	}
	// Plain SQL of the first schema: a feed, two articles, three revisions.
	stmts := []struct {
		q    string
		args []any
	}{
		{`INSERT INTO feeds (id, url, fetch_url, name, etag, last_fetch, last_status, next_fetch)
			VALUES (1, 'https://example.com/rss', 'https://example.com/rss', 'Example', '"v1"', ?, 200, ?)`,
			[]any{ts(t0), ts(t0.Add(30 * time.Minute))}},
		{`INSERT INTO articles (id, feed_id, key, guid, url, first_seen, last_seen)
			VALUES (1, 1, 'g1', 'g1', 'https://example.com/a', ?, ?)`, []any{ts(t0), ts(t0.Add(time.Hour))}},
		{`INSERT INTO articles (id, feed_id, key, guid, url, first_seen, last_seen)
			VALUES (2, 1, 'g2', 'g2', 'https://example.com/b', ?, ?)`, []any{ts(t0), ts(t0.Add(time.Hour))}},
	}
	revs := []struct {
		article int64
		number  int
		text    string
	}{
		{1, 1, seedText(t)},
		{1, 2, testfeed.TitleCorrected(seedText(t))},
		{2, 1, "A short second article, in the first schema."},
	}
	for _, st := range stmts {
		if _, err := w.ExecContext(ctx, st.q, st.args...); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range revs {
		if _, err := w.ExecContext(ctx, `INSERT INTO revisions (article_id, number, fetched_at, headline, body, text_size, hash)
			VALUES (?, ?, ?, 'Headline', ?, ?, ?)`, r.article, r.number, ts(t0.Add(time.Duration(r.number)*time.Hour)),
			encodeText(r.text), len(r.text), hashOf("Headline", r.text)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.ExecContext(ctx, `PRAGMA journal_mode = DELETE`); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// seedText is the repository's invented test article (internal/testfeed).
func seedText(t testing.TB) string {
	t.Helper()
	return string(testfeed.SeedBytes(t))
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestUpgradeFromV1(t *testing.T) {
	ctx := context.Background()
	p := filepath.Join(t.TempDir(), "stet.db")
	copyFile(t, filepath.Join("testdata", "v1.db"), p)
	if v, err := headerVersion(p); err != nil || v != 1 {
		t.Fatalf("testdata/v1.db: version %d %v, want 1", v, err)
	}
	s, err := Open(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var v int
	if err := s.read.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil || v != SchemaVersion() {
		t.Fatalf("after upgrade: version %d %v, want %d", v, err, SchemaVersion())
	}
	if bv, err := headerVersion(p + ".v1.bak"); err != nil || bv != 1 {
		t.Fatalf("backup %s.v1.bak: version %d %v, want 1", p, bv, err)
	}
	bak, err := sql.Open("sqlite", dsn(p+".v1.bak", "mode=ro"))
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := bak.QueryRow(`SELECT COUNT(*) FROM revisions`).Scan(&n); err != nil || n != 3 {
		t.Errorf("backup holds %d revisions (%v), want 3", n, err)
	}
	bak.Close()
	if probs, err := s.Check(ctx); err != nil || len(probs) != 0 {
		t.Fatalf("check after upgrade: %v %v", probs, err)
	}
	revs, err := s.Revisions(ctx, 1)
	if err != nil || len(revs) != 2 || revs[0].Text != seedText(t) || revs[1].RevertOf != 0 {
		t.Fatalf("revisions after upgrade: %d %v", len(revs), err)
	}
	// Schema 5 rewrote times as milliseconds, a GUID equal to the key as NULL.
	if !revs[0].FetchedAt.Equal(t0.Add(time.Hour)) || !revs[1].FetchedAt.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("fetched_at after upgrade: %v, %v", revs[0].FetchedAt, revs[1].FetchedAt)
	}
	art, err := s.Article(ctx, 1)
	if err != nil || art.GUID != "g1" || art.Key != "g1" || art.URL != "https://example.com/a" ||
		!art.FirstSeen.Equal(t0) || !art.LastSeen.Equal(t0.Add(time.Hour)) || !art.Published.IsZero() || !art.NextCheck.IsZero() {
		t.Fatalf("article after upgrade: %+v %v", art, err)
	}
	var free int
	if err := s.read.QueryRowContext(ctx, `PRAGMA freelist_count`).Scan(&free); err != nil || free != 0 {
		t.Errorf("free pages after upgrade: %d %v, want 0 (vacuumed)", free, err)
	}
	var hash int64
	if err := s.read.QueryRowContext(ctx, `SELECT url_hash FROM articles WHERE id = 1`).Scan(&hash); err != nil || hash != urlHash("https://example.com/a") {
		t.Errorf("url_hash after upgrade: %d %v, want %d", hash, err, urlHash("https://example.com/a"))
	}
	var nullGUIDs int
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM articles WHERE guid IS NULL`).Scan(&nullGUIDs); err != nil || nullGUIDs != 2 {
		t.Errorf("GUIDs equal to the key stored as NULL: %d %v, want 2", nullGUIDs, err)
	}
	// The upgraded database goes on: an unchanged item is seen, an edit recorded with its change.
	f, err := s.EnsureFeed(ctx, "https://example.com/rss", "")
	if err != nil || f.ID != 1 || f.ETag != `"v1"` {
		t.Fatalf("feed after upgrade: %+v %v", f, err)
	}
	b := cand("g2", "https://example.com/b", "Headline", "A short second article, in the first schema.")
	a := cand("g1", "https://example.com/a", "Headline", revs[1].Text+"\n\nA correction.")
	plan, st := pass(t, s, f.ID, t0.Add(5*time.Hour), []Candidate{a, b}, func(Pending) []ChangeInput {
		return []ChangeInput{{Kind: "headline_changed", Before: "x", After: "y"}}
	})
	if len(plan.Seen) != 1 || st.NewRevisions != 1 || st.NewChanges != 1 || plan.Pending[0].PrevText != revs[1].Text {
		t.Fatalf("pass after upgrade: plan %+v stats %+v", plan.Seen, st)
	}
	// Opening again does not upgrade or back up again.
	s.Close()
	os.Remove(p + ".v1.bak")
	s2, err := Open(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	s2.Close()
	if _, err := os.Stat(p + ".v1.bak"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("second open wrote a backup: %v", err)
	}
}

func TestRefuseNewer(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	p := filepath.Join(dir, "stet.db")
	s, err := Open(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	f := mustFeed(t, s, "https://example.com/rss")
	pass(t, s, f.ID, t0, []Candidate{cand("g", "https://example.com/a", "H", "t")}, nil)
	if _, err := s.write.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion()+1)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	before, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)

	_, err = Open(ctx, p)
	if !errors.Is(err, ErrTooNew) {
		t.Fatalf("open newer database: got %v, want ErrTooNew", err)
	}
	after, _ := os.ReadFile(p)
	if !bytes.Equal(before, after) {
		t.Error("refused database was modified")
	}
	if again, _ := os.ReadDir(dir); len(again) != len(entries) {
		t.Errorf("refused open left files: %d before, %d after", len(entries), len(again))
	}
}

func TestRefuseNotADatabase(t *testing.T) {
	p := filepath.Join(t.TempDir(), "stet.db")
	os.WriteFile(p, []byte("feeds:\n  - url: https://example.com\n"), 0o600)
	if _, err := Open(context.Background(), p); err == nil {
		t.Fatal("opening a YAML file: no error")
	}
	if b, _ := os.ReadFile(p); !strings.HasPrefix(string(b), "feeds:") {
		t.Error("not-a-database file was modified")
	}
}

// feedCandidates makes n items of realistic length for round r.
func feedCandidates(t testing.TB, n, r int) []Candidate {
	seed := seedText(t)
	var cs []Candidate
	for i := 0; i < n; i++ {
		text := fmt.Sprintf("Item %d, round %d.\n\n%s", i, r, seed)
		cs = append(cs, cand(fmt.Sprintf("guid-%d", i), fmt.Sprintf("https://example.com/%d", i), fmt.Sprintf("Headline %d", i), text))
	}
	return cs
}

func TestConcurrentReadersDuringWrites(t *testing.T) {
	ctx := context.Background()
	eachStore(t, func(t *testing.T, w *Store) {
		r, err := Open(ctx, w.Path()) // another process, in effect
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		f := mustFeed(t, w, "https://example.com/rss")

		probe := feedCandidates(t, 5, 0)
		done := make(chan struct{})
		var wg sync.WaitGroup
		var readErr error
		var reads int
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				if _, err := r.Changes(ctx, ChangeFilter{Desc: true, Limit: 50}); err != nil {
					readErr = err
					return
				}
				if _, err := r.FeedStatuses(ctx); err != nil {
					readErr = err
					return
				}
				if _, err := r.Prepare(ctx, f.ID, probe); err != nil {
					readErr = err
					return
				}
				reads++
			}
		}()
		start := time.Now()
		for round := 0; round < 4; round++ {
			// A long write: 60 items, each a new revision with a change.
			plan, err := w.Prepare(ctx, f.ID, feedCandidates(t, 60, round))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.SaveFetch(ctx, result(f.ID, t0.Add(time.Duration(round)*time.Hour), plan, func(Pending) []ChangeInput {
				return []ChangeInput{{Kind: "headline_changed", Before: "a", After: "b"}}
			})); err != nil {
				t.Fatal(err)
			}
		}
		close(done)
		wg.Wait()
		t.Logf("%d reads during %v of writes", reads, time.Since(start))
		if readErr != nil {
			t.Fatalf("reader: %v", readErr)
		}
		if reads == 0 {
			t.Fatal("reader never completed a read")
		}
		st, err := r.Stats(ctx)
		if err != nil || st.Revisions != 240 || st.Changes != 180 {
			t.Fatalf("stats: %+v %v", st, err)
		}
	})
}

func TestBackupDuringWrites(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, filepath.Join(dir, "stet.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	f := mustFeed(t, s, "https://example.com/rss")
	pass(t, s, f.ID, t0, feedCandidates(t, 50, 0), nil)

	var rounds [][]Candidate
	for round := 0; round < 40; round++ {
		rounds = append(rounds, feedCandidates(t, 50, round))
	}
	stop := make(chan struct{})
	done := make(chan error, 1)
	written := 0
	go func() {
		for round := 1; round < len(rounds); round++ {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			plan, err := s.Prepare(ctx, f.ID, rounds[round])
			if err == nil {
				_, err = s.SaveFetch(ctx, result(f.ID, t0.Add(time.Duration(round)*time.Hour), plan, nil))
			}
			if err != nil {
				done <- err
				return
			}
			written = round
		}
		done <- nil
	}()
	var backups []string
	for i := 0; i < 3; i++ {
		b := filepath.Join(dir, fmt.Sprintf("backup-%d.db", i))
		if err := s.Backup(ctx, b); err != nil {
			t.Fatal(err)
		}
		backups = append(backups, b)
	}
	close(stop)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	t.Logf("%d passes written during %d backups", written, len(backups))
	for _, b := range backups {
		c, err := Open(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		probs, err := c.Check(ctx)
		if err != nil || len(probs) != 0 {
			t.Errorf("backup %s: %v %v", b, probs, err)
		}
		st, _ := c.Stats(ctx)
		if st.Revisions%50 != 0 || st.Revisions == 0 {
			t.Errorf("backup %s holds %d revisions: not a whole pass", b, st.Revisions)
		}
		c.Close()
	}
	if err := s.Backup(ctx, backups[0]); !errors.Is(err, fs.ErrExist) {
		t.Errorf("backup over an existing file: got %v, want fs.ErrExist", err)
	}
}

// rawExec changes the database behind the store's back, foreign keys off.
func rawExec(t *testing.T, s *Store, q string, args ...any) {
	t.Helper()
	if s.pg {
		// Foreign keys are triggers in PostgreSQL: a replica session
		// skips them.
		ctx := context.Background()
		conn, err := s.write.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `SET session_replication_role = replica`); err != nil {
			t.Fatal(err)
		}
		defer conn.ExecContext(ctx, `SET session_replication_role = DEFAULT`)
		if _, err := conn.ExecContext(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
		return
	}
	db, err := sql.Open("sqlite", dsn(s.Path(), "_pragma=busy_timeout(5000)&_pragma=foreign_keys(0)"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatal(err)
	}
}

func TestCheckFindsBrokenInvariants(t *testing.T) {
	ctx := context.Background()
	eachStore(t, func(t *testing.T, s *Store) {
		f := mustFeed(t, s, "https://example.com/rss")
		changedArticle(t, s, f, "a", 1)
		c := cand("b", "https://example.com/b", "H", "one")
		pass(t, s, f.ID, t0, []Candidate{c}, nil)
		c.Text, c.Hash = "two", hashOf("H", "two")
		pass(t, s, f.ID, t0.Add(time.Hour), []Candidate{c}, nil)
		c.Text, c.Hash = "three", hashOf("H", "three")
		pass(t, s, f.ID, t0.Add(2*time.Hour), []Candidate{c}, nil)
		if probs, err := s.Check(ctx); err != nil || len(probs) != 0 {
			t.Fatalf("check of a sound store: %v %v", probs, err)
		}
		a, _ := s.ArticleByURL(ctx, "https://example.com/a")
		b, _ := s.ArticleByURL(ctx, "https://example.com/b")
		// The change of a points at revision 1, deleted; b's revision 2 goes missing.
		rawExec(t, s, `DELETE FROM revisions WHERE article_id = ? AND number = 1`, a.ID)
		rawExec(t, s, `DELETE FROM revisions WHERE article_id = ? AND number = 2`, b.ID)
		rawExec(t, s, `UPDATE revisions SET body = ? WHERE article_id = ? AND number = 3`, []byte{0x01, 0xff, 0xff}, b.ID)
		probs, err := s.Check(ctx)
		if err != nil {
			t.Fatal(err)
		}
		all := strings.Join(probs, "\n")
		wants := []string{
			fmt.Sprintf("article %d revisions 1→2 are not two stored revisions", a.ID),
			fmt.Sprintf("article %d: revision numbers have gaps", a.ID),
			fmt.Sprintf("article %d: revision numbers have gaps", b.ID),
			fmt.Sprintf("article %d revision 3: stored text unreadable", b.ID),
		}
		if !s.Postgres() { // PostgreSQL's own foreign keys are not checked by stet
			wants = append(wants, "foreign key: changes")
		}
		for _, want := range wants {
			if !strings.Contains(all, want) {
				t.Errorf("check did not report %q; got:\n%s", want, all)
			}
		}
	})
}

func TestPruneKeepsChangedArticles(t *testing.T) {
	ctx := context.Background()
	eachStore(t, func(t *testing.T, s *Store) {
		f := mustFeed(t, s, "https://example.com/rss")
		changedArticle(t, s, f, "changed", 1) // first seen t0, has a change
		c := cand("quiet", "https://example.com/quiet", "H", "one")
		for i, text := range []string{"one", "two", "three"} {
			c.Text, c.Hash = text, hashOf("H", text)
			pass(t, s, f.ID, t0.Add(time.Duration(i)*time.Hour), []Candidate{c}, nil)
		}
		young := cand("young", "https://example.com/young", "H", "one")
		pass(t, s, f.ID, t0.Add(48*time.Hour), []Candidate{young}, nil)
		young.Text, young.Hash = "two", hashOf("H", "two")
		pass(t, s, f.ID, t0.Add(49*time.Hour), []Candidate{young}, nil)

		n, err := s.Prune(ctx, t0.Add(24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Fatalf("pruned %d revisions, want 2", n)
		}
		count := func(url string) (Article, []Revision) {
			a, err := s.ArticleByURL(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			revs, _ := s.Revisions(ctx, a.ID)
			return a, revs
		}
		if _, revs := count("https://example.com/changed"); len(revs) != 2 {
			t.Errorf("changed article: %d revisions, want 2", len(revs))
		}
		if _, revs := count("https://example.com/young"); len(revs) != 2 {
			t.Errorf("young article: %d revisions, want 2", len(revs))
		}
		a, revs := count("https://example.com/quiet")
		if len(revs) != 1 || revs[0].Number != 3 || revs[0].Text != "three" || a.Pruned != 2 {
			t.Errorf("quiet article: %+v, pruned %d", revs, a.Pruned)
		}
		if probs, err := s.Check(ctx); err != nil || len(probs) != 0 {
			t.Errorf("check after prune: %v %v", probs, err)
		}
		// The pruned article goes on from its latest number.
		c.Text, c.Hash = "four", hashOf("H", "four")
		plan, _ := pass(t, s, f.ID, t0.Add(50*time.Hour), []Candidate{c}, nil)
		if plan.Pending[0].PrevNumber != 3 {
			t.Errorf("after prune: prev number %d, want 3", plan.Pending[0].PrevNumber)
		}
		if n, _ := s.Prune(ctx, t0.Add(24*time.Hour)); n != 1 {
			t.Errorf("second prune: %d, want 1", n)
		}
		if probs, err := s.Check(ctx); err != nil || len(probs) != 0 {
			t.Errorf("check after second prune: %v %v", probs, err)
		}
		if err := s.Vacuum(ctx); s.Postgres() && !errors.Is(err, ErrSQLiteOnly) || !s.Postgres() && err != nil {
			t.Fatalf("vacuum: %v", err)
		}
	})
}

func TestExport(t *testing.T) {
	ctx := context.Background()
	eachStore(t, func(t *testing.T, s *Store) {
		f := mustFeed(t, s, "https://example.com/rss")
		changedArticle(t, s, f, "a", 0)
		pass(t, s, f.ID, t0.Add(2*time.Hour), []Candidate{cand("b", "https://example.com/b", "B", "bee")}, nil)
		var rows []ExportRow
		if err := s.Export(ctx, func(r ExportRow) error { rows = append(rows, r); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(rows) != 3 || rows[0].Version != 1 || rows[1].Version != 2 || rows[1].Text != "v2" ||
			rows[2].ArticleURL != "https://example.com/b" || rows[2].FeedURL != f.URL || !rows[2].FetchedAt.Equal(t0.Add(2*time.Hour)) {
			t.Errorf("export: %+v", rows)
		}
		stop := errors.New("stop")
		if err := s.Export(ctx, func(ExportRow) error { return stop }); !errors.Is(err, stop) {
			t.Errorf("export error: got %v", err)
		}
	})
}

func TestOpenOddPath(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "a b#c?d%20")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "stet db?.sqlite")
	s, err := Open(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	mustFeed(t, s, "https://example.com/rss")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if v, err := headerVersion(p); err != nil || v != SchemaVersion() {
		t.Fatalf("database not at %s: version %d %v", p, v, err)
	}
	s, err = Open(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if fs, err := s.Feeds(ctx); err != nil || len(fs) != 1 {
		t.Fatalf("feeds after reopen: %v %v", fs, err)
	}
}
