package main

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/stet-news/stet/diff"
	"github.com/stet-news/stet/internal/testpg"
	"github.com/stet-news/stet/store"
)

// crashFarm serves feeds whose articles change from round to round: each
// round edits a few articles (a quote, a title, or text outside both).
type crashFarm struct {
	*httptest.Server
	feeds, items int
	round        atomic.Int64
	delay        time.Duration
	base         string // the seed article's body
	headline     string
}

// version is the text of article (f, i) in round r: the seed body with
// the edits of every round up to r that touched it.
func (cf *crashFarm) version(f, i, r int) string {
	text := cf.base
	for k := 1; k <= r; k++ {
		if (f*7+i*3+k)%5 != 0 { // about one article in five is edited per round
			continue
		}
		switch (f + i + k) % 3 {
		case 0:
			text = strings.Replace(text, "a great deal of advice", fmt.Sprintf("a great deal of advice (%d)", k), 1)
			text = strings.Replace(text, fmt.Sprintf("(%d)", k-1), "", 1)
		case 1:
			text = strings.Replace(text, "Senator from Kestrel Province", fmt.Sprintf("Senator from Kestrel Province, term %d,", k), 1)
		default:
			text += fmt.Sprintf("\n\nUpdate %d: this article was updated.", k)
		}
	}
	return text
}

func newCrashFarm(t *testing.T, feeds, items int, delay time.Duration) *crashFarm {
	headline, body := seedArticle(t)
	cf := &crashFarm{feeds: feeds, items: items, delay: delay, base: body, headline: headline}
	cf.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(cf.delay)
		f, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/f/"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		round := int(cf.round.Load())
		var its [][3]string
		for i := 0; i < cf.items; i++ {
			its = append(its, [3]string{fmt.Sprintf("f%d-a%d", f, i), cf.headline, cf.version(f, i, round)})
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, rssFeed(its...))
	}))
	t.Cleanup(cf.Close)
	return cf
}

func (cf *crashFarm) config(db string, smtpAddr string) string {
	host, port, _ := net.SplitHostPort(smtpAddr)
	var b strings.Builder
	fmt.Fprintf(&b, "database: %q\nfetch:\n  allow_private: true\n  workers: 4\n  per_host: 4\n", db)
	fmt.Fprintf(&b, "digest:\n  from: stet@example.org\n  to: [editor@example.org]\nsmtp:\n  host: %s\n  port: %s\n  tls: none\n  timeout: 3s\nfeeds:\n", host, port)
	for f := 0; f < cf.feeds; f++ {
		fmt.Fprintf(&b, "  - url: %s/f/%d\n", cf.URL, f)
	}
	return b.String()
}

// TestCrashHarness kills the real binary with SIGKILL at random points of
// passes and of digest sends, restarts it, and checks at the end that
// nothing was lost or doubled. Replay a failure with STET_CRASH_SEED.
func TestCrashHarness(t *testing.T) {
	if testing.Short() {
		t.Skip("subprocess harness")
	}
	crashHarness(t, filepath.Join(t.TempDir(), "stet.db"))
}

// TestCrashHarnessPostgres is the crash harness on PostgreSQL.
func TestCrashHarnessPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("subprocess harness")
	}
	db := testpg.URL(t)
	crashHarness(t, db)
	requireStoredInPostgres(t, db)
}

// requireStoredInPostgres fails the test when the PostgreSQL database at
// url holds no articles: stet took the URL for something else (a SQLite
// file of that name, say).
func requireStoredInPostgres(t *testing.T, url string) {
	t.Helper()
	if storedArticles(url) == 0 {
		t.Fatalf("no articles in the PostgreSQL database %s: stet did not use it", url)
	}
}

// crashHarness runs the crash harness on the database db (a SQLite path or
// a PostgreSQL URL).
func crashHarness(t *testing.T, db string) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("STET_CRASH_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (replay with STET_CRASH_SEED=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))

	const rounds = 12
	cf := newCrashFarm(t, 8, 4, 15*time.Millisecond)
	sink := newSMTPSink(t)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfgPath, []byte(cf.config(db, sink.addr)), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) time.Duration {
		t.Helper()
		start := time.Now()
		out, err := stetCmd(context.Background(), append(args, "--config", cfgPath, "--log-level", "error")...).CombinedOutput()
		if err != nil {
			t.Fatalf("stet %v: %v\n%s", args, err, out)
		}
		return time.Since(start)
	}
	kills := 0
	killAt := func(args ...string) {
		t.Helper()
		cmd := stetCmd(context.Background(), append(args, "--config", cfgPath, "--log-level", "error")...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.IntN(400)) * time.Millisecond)
		if cmd.Process.Signal(syscall.SIGKILL) == nil {
			kills++
		}
		cmd.Wait()
	}
	var recoverMax time.Duration
	for r := 0; r <= rounds; r++ {
		cf.round.Store(int64(r))
		killAt("once")
		if d := run("once"); d > recoverMax {
			recoverMax = d
		}
		killAt("digest", "--send")
		run("digest", "--send")
	}
	t.Logf("%d SIGKILLs over %d rounds; slowest recovery pass %s", kills, rounds, recoverMax.Round(time.Millisecond))
	if kills < 20 {
		t.Fatalf("only %d kills", kills)
	}

	ctx := context.Background()
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if problems, err := st.Check(ctx); err != nil || len(problems) > 0 {
		t.Fatalf("check: %v %v", err, problems)
	}
	// Every published version stored exactly once, every change recorded
	// exactly once: compare with what the farm published and with what the
	// diff engine says about each pair of consecutive versions.
	changes, err := st.Changes(ctx, store.ChangeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	perArticle := map[string]int{}
	for _, c := range changes {
		perArticle[c.ArticleURL]++
		if c.DigestID == 0 {
			t.Errorf("change %d was never mailed", c.ID)
		}
	}
	var wantRevisions, gotRevisions int
	for f := 0; f < cf.feeds; f++ {
		sf, err := st.FeedByURL(ctx, fmt.Sprintf("%s/f/%d", cf.URL, f))
		if err != nil {
			t.Fatal(err)
		}
		arts, err := st.Articles(ctx, sf.ID, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(arts) != cf.items {
			t.Fatalf("feed %d: %d articles, want %d", f, len(arts), cf.items)
		}
		for _, a := range arts {
			var i int
			fmt.Sscanf(a.Key, "f%d-a%d", new(int), &i)
			var versions []string
			for r := 0; r <= rounds; r++ {
				v := cf.version(f, i, r)
				if len(versions) == 0 || diff.Normalize(v) != diff.Normalize(versions[len(versions)-1]) {
					versions = append(versions, v)
				}
			}
			revs, err := st.Revisions(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			wantRevisions += len(versions)
			gotRevisions += len(revs)
			if len(revs) != len(versions) {
				t.Errorf("%s: %d revisions stored, %d published", a.Key, len(revs), len(versions))
				continue
			}
			want := 0
			for k := 1; k < len(versions); k++ {
				want += len(diff.Compare(diff.Article{Headline: cf.headline, Body: versions[k-1]}, diff.Article{Headline: cf.headline, Body: versions[k]}))
			}
			if got := perArticle[a.URL]; got != want {
				t.Errorf("%s: %d changes recorded, want %d", a.Key, got, want)
			}
		}
	}
	t.Logf("revisions: %d stored, %d published; changes: %d", gotRevisions, wantRevisions, len(changes))

	// No change went out in two different digests: every message the server
	// accepted is one recorded digest, and a digest sent twice (a kill after
	// the server accepted it) is the same message both times.
	byID := map[string]string{}
	for _, raw := range sink.messages() {
		_, id, text, _ := mailParts(t, raw)
		if prev, ok := byID[id]; ok && prev != text {
			t.Errorf("digest %s was sent twice with different contents", id)
		}
		byID[id] = text
	}
	for id := range byID {
		var n int
		for _, c := range changes {
			if d, err := st.Digest(ctx, c.DigestID); err == nil && d.MessageID == id {
				n++
			}
		}
		if n == 0 && !strings.Contains(byID[id], "problem") {
			t.Errorf("message %s is not a recorded digest of changes", id)
		}
	}
	t.Logf("%d messages accepted, %d distinct digests", len(sink.messages()), len(byID))
}

// TestSIGTERMLetsInFlightWorkFinish stops the daemon in the middle of a
// pass: it exits 0 within a bound, and every feed it stored is whole.
func TestSIGTERMLetsInFlightWorkFinish(t *testing.T) {
	if testing.Short() {
		t.Skip("subprocess test")
	}
	sigtermLetsInFlightWorkFinish(t, filepath.Join(t.TempDir(), "stet.db"))
}

// TestSIGTERMLetsInFlightWorkFinishPostgres is the same on PostgreSQL.
func TestSIGTERMLetsInFlightWorkFinishPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("subprocess test")
	}
	db := testpg.URL(t)
	sigtermLetsInFlightWorkFinish(t, db)
	requireStoredInPostgres(t, db)
}

func sigtermLetsInFlightWorkFinish(t *testing.T, db string) {
	cf := newCrashFarm(t, 12, 3, time.Second)
	sink := newSMTPSink(t)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfgPath, []byte(cf.config(db, sink.addr)), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := stetCmd(context.Background(), "run", "--config", cfgPath, "--log-level", "error")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until the first pass is under way: a feed has been stored.
	deadline := time.Now().Add(60 * time.Second)
	for {
		if storedArticles(db) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the daemon stored nothing within a minute")
		}
		time.Sleep(50 * time.Millisecond)
	}
	start := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("no exit within 30s of SIGTERM")
	}
	t.Logf("exited %s after SIGTERM", time.Since(start).Round(time.Millisecond))
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if problems, err := st.Check(context.Background()); err != nil || len(problems) > 0 {
		t.Fatalf("check: %v %v", err, problems)
	}
	sts, err := st.FeedStatuses(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	fetched := 0
	for _, s := range sts {
		if s.Articles != 0 && s.Articles != cf.items {
			t.Errorf("feed %s half stored: %d of %d articles", s.URL, s.Articles, cf.items)
		}
		if s.Articles > 0 {
			fetched++
		}
	}
	if fetched == len(sts) && len(sts) > 0 {
		t.Logf("all %d feeds finished before the stop took effect", fetched)
	}
}

// storedArticles counts the articles in a database another process is
// writing, read only (0 until its schema exists): a SQLite path or a
// PostgreSQL URL.
func storedArticles(path string) int {
	if strings.HasPrefix(path, "postgres://") || strings.HasPrefix(path, "postgresql://") {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, path)
		if err != nil {
			return 0
		}
		defer conn.Close(context.Background())
		var n int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM articles`).Scan(&n); err != nil {
			return 0
		}
		return n
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return 0
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM articles`).Scan(&n); err != nil {
		return 0
	}
	return n
}
