package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stet-news/stet/internal/testpg"
	"github.com/stet-news/stet/store"
	"github.com/stet-news/stet/web"
)

// The same feeds through `stet once` into a SQLite file and into a
// PostgreSQL database: every report (status, changes, export, explain,
// check, with --json where there is one) and the web view answer the same.
func TestSameAnswersFromPostgres(t *testing.T) {
	pgURL := testpg.URL(t)
	headline, body := seedArticle(t)
	first := rssFeed([3]string{"marsh-grain", headline, body}, [3]string{"second", "A second article", "Nothing will change here.\n\nNot a word of it."})
	edited := seedTitleCorrected(body)
	edited = strings.Replace(edited, "But the request has to come from Valdoria", "But Valdoria must ask us formally", 1)
	second := rssFeed([3]string{"marsh-grain", headline, edited}, [3]string{"second", "A second article", "Nothing will change here.\n\nNot a word of it."})
	srv := newFeedServer(t, first)

	reports := [][]string{
		{"status", "--json"},
		{"changes", "--json"},
		{"changes", "--long"},
		{"export"},
		{"export", "--format", "newsedits"},
		{"explain", "1"},
		{"check"},
	}
	pages := []string{"/api/changes", "/api/feeds", "/api/articles/1", "/changes", "/articles/1", "/feeds", "/changes.atom"}

	answers := map[string]map[string]string{}
	for _, db := range []struct{ name, database string }{
		{"sqlite", filepath.Join(t.TempDir(), "stet.db")},
		{"postgres", pgURL},
	} {
		got := map[string]string{}
		answers[db.name] = got
		srv.Set(first)
		te := newTestEnv()
		cfg := writeConfig(t, t.TempDir(), "database: "+db.database+"\nfetch:\n  allow_private: true\nfeeds:\n  - url: "+srv.URL+"\n")
		run := func(args ...string) string {
			t.Helper()
			te.stdout.Reset()
			te.stderr.Reset()
			if code := Run(context.Background(), te.Env, append([]string{args[0], "--config", cfg}, args[1:]...)); code != 0 {
				t.Fatalf("%s: stet %s: exit %d: %s", db.name, strings.Join(args, " "), code, te.stderr)
			}
			return te.stdout.String()
		}
		run("once")
		te.advance(time.Hour)
		srv.Set(second)
		run("once")
		for _, r := range reports {
			got[strings.Join(r, " ")] = run(r...)
		}

		st, err := store.OpenExisting(context.Background(), db.database)
		if err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewServer(web.New(st, web.Options{Now: te.Now}).Handler())
		for _, p := range pages {
			resp, err := http.Get(hs.URL + p)
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("%s: GET %s: %d %v", db.name, p, resp.StatusCode, err)
			}
			got["GET "+p] = strings.ReplaceAll(string(b), hs.URL, "http://stet.test")
		}
		hs.Close()
		st.Close()
	}
	if !strings.Contains(answers["sqlite"]["changes --json"], "title_changed") {
		t.Fatalf("the edit recorded no title change:\n%s", answers["sqlite"]["changes --json"])
	}
	for k, want := range answers["sqlite"] {
		if strings.TrimSpace(want) == "" {
			t.Errorf("%s: empty answer", k)
		}
		if got := answers["postgres"][k]; got != want {
			t.Errorf("%s: PostgreSQL answers\n%s\nSQLite answers\n%s", k, got, want)
		}
	}
}

// Backup is SQLite's: on PostgreSQL it is refused, saying what to use.
func TestBackupRefusedOnPostgres(t *testing.T) {
	pgURL := testpg.URL(t)
	st, err := store.Open(context.Background(), pgURL)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "database: "+pgURL+"\n")
	code, _, errOut := runStet(t, "backup", "--config", cfg, filepath.Join(dir, "copy.db"))
	if code != 1 || !strings.Contains(errOut, "pg_dump") {
		t.Fatalf("backup: exit %d, stderr %q; want 1 and pg_dump named", code, errOut)
	}
	code, out, errOut := runStet(t, "vacuum", "--config", cfg)
	if code != 0 || !strings.Contains(out, "VACUUM") {
		t.Fatalf("vacuum: exit %d, %q %q; want 0 and the server's VACUUM named", code, out, errOut)
	}
}
