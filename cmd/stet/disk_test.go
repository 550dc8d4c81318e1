package main

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	_ "modernc.org/sqlite"
)

// smallDisk mounts a tmpfs of the given size for the test (root only).
func smallDisk(t *testing.T, size string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "disk")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small disk here (%v: %s)", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}

// A full disk or a read-only database makes the pass fail with a clear
// error; what was stored stays intact, and the next pass, once there is
// room again, stores what was missed.
func TestFullDiskAndReadOnlyDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("mounts a filesystem")
	}
	ctx := context.Background()
	disk := smallDisk(t, "2m")
	headline, body := seedArticle(t)
	srv := newFeedServer(t, rssFeed([3]string{"a0", headline, body}))
	cfg := testConfig(t, srv.URL)
	cfg.Database = filepath.Join(disk, "stet.db")
	te := newTestEnv()
	app := newTestApp(t, te, cfg)
	if st, err := app.pipe.Pass(ctx, true); err != nil || st.Revisions != 1 {
		t.Fatalf("first pass: %+v %v", st, err)
	}

	// Fill the disk, then publish many new articles.
	filler := filepath.Join(disk, "filler")
	f, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 4096)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			break
		}
	}
	f.Close()
	var items [][3]string
	for i := 0; i < 40; i++ {
		items = append(items, [3]string{"a" + string(rune('A'+i)), headline, body + strings.Repeat(" More.", i)})
	}
	srv.Set(rssFeed(items...))
	st, err := app.pipe.Pass(ctx, true)
	if err != nil {
		t.Fatalf("a full disk stopped the pass itself: %v", err)
	}
	if st.Failed != 1 || st.Revisions != 0 {
		t.Fatalf("full disk: %+v, want the feed failed and nothing stored", st)
	}
	t.Logf("full disk: the pass reported %d failed feed", st.Failed)

	// A read-only database (a read-only bind mount of the same folder): the
	// pass fails with a clear error.
	os.Remove(filler)
	roDir := filepath.Join(t.TempDir(), "ro")
	if err := os.Mkdir(roDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "--bind", "-o", "ro", disk, roDir).CombinedOutput(); err != nil {
		t.Fatalf("bind mount: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", roDir).Run() })
	exec.Command("mount", "-o", "remount,ro,bind", roDir).Run()
	roCfg := cfg
	roCfg.Database = filepath.Join(roDir, "stet.db")
	if ro, err := newApp(ctx, te.Env, roCfg, app.log); err != nil {
		t.Logf("read-only: refused at open: %v", err)
	} else {
		st, err := ro.pipe.Pass(ctx, true)
		if err == nil && st.Failed != 1 {
			t.Errorf("read-only: %+v, want the feed failed", st)
		}
		rows, _ := ro.statusRows(ctx)
		t.Logf("read-only: pass %+v err %v status %+v", st, err, rows)
		ro.Close()
	}
	exec.Command("umount", "-l", roDir).Run()

	// Room again: everything is stored, nothing lost or doubled.
	if st, err := app.pipe.Pass(ctx, true); err != nil || st.Failed != 0 || st.Revisions != 40 {
		t.Fatalf("after the disk was freed: %+v %v, want 40 new revisions", st, err)
	}
	if problems, err := app.store.Check(ctx); err != nil || len(problems) > 0 {
		t.Fatalf("check: %v %v", err, problems)
	}
	rows, _ := app.statusRows(ctx)
	if rows[0].Revisions != 41 || rows[0].LastError != "" {
		t.Fatalf("status after recovery: %+v", rows[0])
	}
}

// TestOnceExitsNonZeroWhenWritesFail: a pass whose results cannot be
// written (here a trigger refuses new revisions with SQLite's "database or
// disk is full") exits 1 and says so; feeds that merely fail do not.
func TestOnceExitsNonZeroWhenWritesFail(t *testing.T) {
	headline, body := seedArticle(t)
	srv := newFeedServer(t, rssFeed([3]string{"a0", headline, body}))
	down := httptest.NewServer(http.NotFoundHandler())
	defer down.Close()
	dir := t.TempDir()
	db := filepath.Join(dir, "stet.db")
	cfg := writeConfig(t, dir, "database: "+db+"\nfeeds:\n  - url: "+srv.URL+"\n  - url: "+down.URL+"\n")
	if code, _, stderr := runStet(t, "once", "--config", cfg); code != 0 {
		t.Fatalf("a pass with a failing feed: exit %d, want 0\n%s", code, stderr)
	}
	sqlDB, err := sql.Open("sqlite", "file:"+db+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer sqlDB.Close()
	if _, err := sqlDB.Exec(`CREATE TRIGGER disk_full BEFORE INSERT ON revisions BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END`); err != nil {
		t.Fatal(err)
	}
	srv.Set(rssFeed([3]string{"a0", headline, seedTitleCorrected(body)}))
	code, _, stderr := runStet(t, "once", "--config", cfg)
	if code != 1 || !strings.Contains(stderr, "could not be written") {
		t.Fatalf("a pass whose writes failed: exit %d, want 1 naming the failure\n%s", code, stderr)
	}
}
