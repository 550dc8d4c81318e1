package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stet-news/stet/internal/testpg"
	"github.com/stet-news/stet/store"
)

// stetCmd runs the test binary as stet with args.
func stetCmd(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(os.Environ(), "STET_TEST_MAIN=1")
	return cmd
}

// slowFeeds serves n feeds of one article each, every answer delayed, so a
// pass takes long enough to be killed in the middle.
func slowFeeds(t *testing.T, n int, delay time.Duration, body string) []string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(delay)
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, rssFeed([3]string{"story" + r.URL.Path[1:], "Headline " + r.URL.Path, body}))
	}))
	t.Cleanup(srv.Close)
	urls := make([]string, n)
	for i := range urls {
		urls[i] = fmt.Sprintf("%s/%d", srv.URL, i)
	}
	return urls
}

func TestKilledMidPassLeavesAUsableDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("subprocess test")
	}
	killedMidPass(t, filepath.Join(t.TempDir(), "stet.db"))
}

// TestKilledMidPassLeavesAUsableDatabasePostgres is the same on
// PostgreSQL.
func TestKilledMidPassLeavesAUsableDatabasePostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("subprocess test")
	}
	db := testpg.URL(t)
	killedMidPass(t, db)
	requireStoredInPostgres(t, db)
}

// killedMidPass SIGKILLs `stet once` on the database db (a SQLite path or
// a PostgreSQL URL) five times mid-pass, then checks a whole pass.
func killedMidPass(t *testing.T, db string) {
	_, body := seedArticle(t)
	urls := slowFeeds(t, 40, 20*time.Millisecond, body)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "config.yaml")
	var cfg strings.Builder
	fmt.Fprintf(&cfg, "database: %q\nfetch:\n  allow_private: true\n  workers: 4\nfeeds:\n", db)
	for _, u := range urls {
		fmt.Fprintf(&cfg, "  - url: %s\n", u)
	}
	if err := os.WriteFile(cfgPath, []byte(cfg.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 5; i++ {
		cmd := stetCmd(context.Background(), "once", "--config", cfgPath, "--log-level", "error")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(50+rng.IntN(250)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
	}
	out, err := stetCmd(context.Background(), "once", "--config", cfgPath, "--log-level", "error").CombinedOutput()
	if err != nil {
		t.Fatalf("once after kills: %v\n%s", err, out)
	}
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	problems, err := st.Check(context.Background())
	if err != nil || len(problems) > 0 {
		t.Fatalf("check: %v %v", err, problems)
	}
	stats, err := st.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if stats.Revisions != len(urls) || stats.Articles != len(urls) {
		t.Fatalf("got %d articles and %d revisions, want %d of each", stats.Articles, stats.Revisions, len(urls))
	}
}
