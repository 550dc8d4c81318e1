package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stet-news/stet/store"
)

// runStet runs a command in-process and returns its exit status and output.
func runStet(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	te := newTestEnv()
	te.Env.Now = time.Now
	code = Run(context.Background(), te.Env, args)
	return code, te.stdout.String(), te.stderr.String()
}

func TestEveryCommandHelpsItself(t *testing.T) {
	code, out, _ := runStet(t, "help")
	if code != 0 || !strings.Contains(out, "commands:") {
		t.Fatalf("stet help: %d %q", code, out)
	}
	for name := range commands {
		t.Run(name, func(t *testing.T) {
			code, out, _ := runStet(t, name, "--help")
			if code != 0 {
				t.Fatalf("got exit %d, want 0", code)
			}
			if !strings.Contains(out, "usage: stet "+name) || !strings.Contains(out, "example:") {
				t.Errorf("help lacks usage or example:\n%s", out)
			}
		})
	}
}

func TestWrongUsageExits2WithOneLine(t *testing.T) {
	for _, args := range [][]string{
		{"frobnicate"},
		{"status", "--no-such-flag"},
		{"changes", "--kind", "nonsense"},
		{"digest"},
		{"diff", "only-one-file"},
		{"backup"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			dir := t.TempDir()
			if args[0] != "frobnicate" && args[0] != "diff" {
				args = append(args, "--config", writeConfig(t, dir, "database: "+filepath.Join(dir, "stet.db")+"\n"))
				// The database exists: what is judged is the usage.
				st, err := store.Open(context.Background(), filepath.Join(dir, "stet.db"))
				if err != nil {
					t.Fatal(err)
				}
				st.Close()
			}
			code, _, errOut := runStet(t, args...)
			if code != 2 {
				t.Fatalf("got exit %d, want 2 (stderr %q)", code, errOut)
			}
			first := strings.SplitN(errOut, "\n", 2)[0]
			if first == "" || !strings.Contains(errOut, "usage") {
				t.Errorf("stderr %q: want a one-line error and the usage", errOut)
			}
		})
	}
}

func writeConfig(t *testing.T, dir, body string) string {
	t.Helper()
	p := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBadConfigNamesKeyAndLine(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "database: "+filepath.Join(dir, "stet.db")+"\nschedule: \"*/61 * * * *\"\n")
	code, _, errOut := runStet(t, "once", "--config", cfg)
	if code != 1 || !strings.Contains(errOut, "line 2") || !strings.Contains(errOut, "schedule") || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
		t.Fatalf("exit %d, stderr %q: want one line naming schedule and line 2", code, errOut)
	}
}

// The SMTP password is read from the environment and never written to
// logs, errors, status output or the database.
func TestPasswordNeverLeaks(t *testing.T) {
	const secret = "s3cr3t-Pa55-XYZ"
	ctx := context.Background()
	headline, body := seedArticle(t)
	srv := newFeedServer(t, rssFeed([3]string{"marsh-grain", headline, body}))
	sink := newSMTPSink(t)
	sink.failOn = 100 // refuse every message, so errors are produced and logged
	te := newTestEnv()
	var logs bytes.Buffer
	te.Env.Getenv = func(k string) string {
		if k == "STET_TEST_PW" {
			return secret
		}
		return ""
	}
	te.Env.Stderr = &logs
	app := smtpApp(t, te, sink, srv.URL, "")
	app.cfg.SMTP.Username = "stet"
	app.cfg.SMTP.PasswordEnv = "STET_TEST_PW"
	editedFeed(t, app, srv, te)
	_, err := app.SendDigest(ctx, false)
	if err == nil {
		t.Fatal("want a refused send")
	}
	if strings.Contains(err.Error(), secret) {
		t.Fatalf("password in error: %v", err)
	}
	rows, _ := app.statusRows(ctx)
	for _, r := range rows {
		if strings.Contains(r.LastError, secret) {
			t.Fatal("password in status")
		}
	}
	app.Close()
	for _, suffix := range []string{"", "-wal"} {
		b, _ := os.ReadFile(app.cfg.Database + suffix)
		if bytes.Contains(b, []byte(secret)) {
			t.Fatalf("password in the database file%s", suffix)
		}
	}
	if strings.Contains(logs.String(), secret) {
		t.Fatal("password in the logs")
	}
}

// `stet backup` while a pass is writing gives a copy that opens and passes
// the integrity check.
func TestBackupDuringAPass(t *testing.T) {
	if testing.Short() {
		t.Skip("subprocess test")
	}
	_, body := seedArticle(t)
	urls := slowFeeds(t, 30, 30*time.Millisecond, body)
	dir := t.TempDir()
	db := filepath.Join(dir, "stet.db")
	var cfg strings.Builder
	cfg.WriteString("database: " + db + "\nfetch:\n  allow_private: true\n  workers: 2\nfeeds:\n")
	for _, u := range urls {
		cfg.WriteString("  - url: " + u + "\n")
	}
	cfgPath := writeConfig(t, dir, cfg.String())
	pass := stetCmd(context.Background(), "once", "--config", cfgPath, "--log-level", "error")
	if err := pass.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(700 * time.Millisecond)
	copyPath := filepath.Join(dir, "copy.db")
	out, err := stetCmd(context.Background(), "backup", "--config", cfgPath, copyPath).CombinedOutput()
	if err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	if err := pass.Wait(); err != nil {
		t.Fatalf("the pass failed: %v", err)
	}
	st, err := store.Open(context.Background(), copyPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if problems, err := st.Check(context.Background()); err != nil || len(problems) > 0 {
		t.Fatalf("copy: %v %v", err, problems)
	}
	if out, err := stetCmd(context.Background(), "backup", "--config", cfgPath, copyPath).CombinedOutput(); err == nil {
		t.Fatalf("backup over an existing file succeeded: %s", out)
	}
}

func TestExportAndChangesJSON(t *testing.T) {
	headline, body := seedArticle(t)
	srv := newFeedServer(t, rssFeed([3]string{"marsh-grain", headline, body}))
	te := newTestEnv()
	cfg := testConfig(t, srv.URL)
	app := newTestApp(t, te, cfg)
	editedFeed(t, app, srv, te)
	app.Close()
	cfgPath := writeConfig(t, t.TempDir(), "database: "+cfg.Database+"\n")

	code, out, errOut := runStet(t, "export", "--config", cfgPath)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 2 {
		t.Fatalf("export: exit %d, %d lines: %s", code, len(lines), errOut)
	}
	for i, l := range lines {
		var r map[string]any
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"feed", "article", "version", "fetched_at", "headline", "text"} {
			if _, ok := r[k]; !ok {
				t.Errorf("export line %d lacks %q", i+1, k)
			}
		}
		if r["version"] != float64(i+1) {
			t.Errorf("line %d: version %v", i+1, r["version"])
		}
	}
	code, out, _ = runStet(t, "export", "--config", cfgPath, "--format", "newsedits")
	if code != 0 || !strings.Contains(out, `"entry_id"`) || !strings.Contains(out, `"summary"`) {
		t.Fatalf("newsedits export: %d %s", code, out)
	}
	code, out, _ = runStet(t, "changes", "--config", cfgPath, "--json")
	if code != 0 || out == "" {
		t.Fatalf("changes --json: %d %q", code, out)
	}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var r map[string]any
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"feed", "article", "article_id", "kind", "person", "before", "after", "quote", "detected_at"} {
			if _, ok := r[k]; !ok {
				t.Errorf("changes line lacks %q: %s", k, l)
			}
		}
	}
	for _, k := range []string{"title_changed", "title"} {
		code, out, _ = runStet(t, "changes", "--config", cfgPath, "--kind", k)
		if code != 0 || !strings.Contains(out, "title changed") || strings.Contains(out, "quote edited") {
			t.Fatalf("changes --kind %s: %d\n%s", k, code, out)
		}
		// The changed words are shown marked, whole, however long the title.
		if !strings.Contains(out, "[-Senator from Kestrel Province-]") {
			t.Errorf("changes --kind %s: the changed words are not marked:\n%s", k, out)
		}
	}
	if code, _, errOut := runStet(t, "changes", "--config", cfgPath, "--feed", "No Such Feed"); code != 1 || !strings.Contains(errOut, "no feed") {
		t.Errorf("changes --feed unknown: %d %s", code, errOut)
	}
	code, out, _ = runStet(t, "explain", "--config", cfgPath, "1")
	if code != 0 || !strings.Contains(out, "== reported") || !strings.Contains(out, "Marsh") || !strings.Contains(out, "[speech verb") || !strings.Contains(out, "[appositive") {
		t.Fatalf("explain: %d\n%s", code, out)
	}
	code, out, _ = runStet(t, "check", "--config", cfgPath)
	if code != 0 || strings.TrimSpace(out) != "ok" {
		t.Fatalf("check: %d %q", code, out)
	}
}

// Readers in other processes (`stet status`, `stet changes`) never fail
// with "database is locked" while a pass writes.
func TestReadersInOtherProcessesDuringAPass(t *testing.T) {
	if testing.Short() {
		t.Skip("subprocess test")
	}
	_, body := seedArticle(t)
	urls := slowFeeds(t, 150, 60*time.Millisecond, body)
	dir := t.TempDir()
	var cfg strings.Builder
	cfg.WriteString("database: " + filepath.Join(dir, "stet.db") + "\nfetch:\n  allow_private: true\n  workers: 4\nfeeds:\n")
	for _, u := range urls {
		cfg.WriteString("  - url: " + u + "\n")
	}
	cfgPath := writeConfig(t, dir, cfg.String())
	pass := stetCmd(context.Background(), "once", "--config", cfgPath, "--log-level", "error")
	if err := pass.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- pass.Wait() }()
	reads := 0
	for running := true; running; {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("the pass failed: %v", err)
			}
			running = false
		default:
			for _, args := range [][]string{{"status", "--json"}, {"changes", "--json"}} {
				out, err := stetCmd(context.Background(), append(args, "--config", cfgPath)...).CombinedOutput()
				if err != nil && !strings.Contains(string(out), "no such table") && !strings.Contains(string(out), "no database") {
					t.Fatalf("stet %s during a pass: %v\n%s", args[0], err, out)
				}
				if strings.Contains(string(out), "locked") {
					t.Fatalf("stet %s: %s", args[0], out)
				}
				reads++
			}
		}
	}
	t.Logf("%d reads by other processes during the pass, none refused", reads)
}

// `stet once --cpuprofile F --memprofile G` writes both profiles.
func TestOnceProfiles(t *testing.T) {
	headline, body := seedArticle(t)
	srv := newFeedServer(t, rssFeed([3]string{"marsh-grain", headline, body}))
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "database: "+filepath.Join(dir, "stet.db")+"\nfeeds:\n  - url: "+srv.URL+"/feed.xml\n")
	cpu, heap := filepath.Join(dir, "cpu.prof"), filepath.Join(dir, "mem.heap")
	code, _, errOut := runStet(t, "once", "--config", cfg, "--cpuprofile", cpu, "--memprofile", heap)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, p := range []string{cpu, heap} {
		if fi, err := os.Stat(p); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", p, err)
		}
	}
}
