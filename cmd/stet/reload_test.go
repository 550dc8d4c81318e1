package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer a subprocess writes while the test reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// statusFeeds runs stet status --json and returns the articles per feed.
func statusFeeds(t *testing.T, cfgPath string) map[string]int {
	t.Helper()
	out, err := stetCmd(context.Background(), "status", "--json", "--config", cfgPath).Output()
	if err != nil {
		return nil // no database yet
	}
	got := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var r statusRow
		if json.Unmarshal([]byte(line), &r) == nil {
			got[r.Feed] = r.Articles
		}
	}
	return got
}

func waitFor(t *testing.T, what string, d time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// A running daemon takes up feeds added with stet add on SIGHUP, stops
// fetching removed ones, and keeps its configuration when the new file
// does not load. A second daemon on the same database is refused, and
// stet status names the one that runs.
func TestDaemonReloadsItsConfigOnSIGHUP(t *testing.T) {
	if testing.Short() {
		t.Skip("subprocess test")
	}
	_, body := seedArticle(t)
	urls := slowFeeds(t, 2, 0, body)
	dir := t.TempDir()
	cfgPath := writeConfig(t, dir, fmt.Sprintf("database: %s\nschedule: \"@every 1h\"\nfetch:\n  allow: [127.0.0.0/8]\nfeeds:\n  - url: %s\n",
		filepath.Join(dir, "stet.db"), urls[0]))
	var logs lockedBuffer
	d := stetCmd(context.Background(), "run", "--config", cfgPath)
	d.Stderr = &logs
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Process.Signal(syscall.SIGTERM); d.Wait() })
	waitFor(t, "the first feed", 60*time.Second, func() bool { return statusFeeds(t, cfgPath)[urls[0]] == 1 })

	out, err := stetCmd(context.Background(), "status", "--config", cfgPath).Output()
	if err != nil || !strings.Contains(string(out), fmt.Sprintf("daemon: running (pid %d)", d.Process.Pid)) {
		t.Errorf("status does not name the daemon: %v\n%s", err, out)
	}
	if out, err := stetCmd(context.Background(), "run", "--config", cfgPath).CombinedOutput(); err == nil || !strings.Contains(string(out), "another stet run") {
		t.Errorf("a second daemon on the database: %v\n%s", err, out)
	}

	if code, out, errOut := runStet(t, "add", "--config", cfgPath, urls[1]); code != 0 {
		t.Fatalf("add: %d %s %s", code, out, errOut)
	}
	d.Process.Signal(syscall.SIGHUP)
	waitFor(t, "the feed added on SIGHUP", 60*time.Second, func() bool { return statusFeeds(t, cfgPath)[urls[1]] == 1 })
	waitFor(t, "the reload's log line", 10*time.Second, func() bool { return strings.Contains(logs.String(), "configuration reloaded") })

	// A file that does not load is refused; the daemon goes on.
	good, _ := os.ReadFile(cfgPath)
	os.WriteFile(cfgPath, append(good, []byte("schedule: \"*/61 * * * *\"\n")...), 0o600)
	d.Process.Signal(syscall.SIGHUP)
	waitFor(t, "the refusal", 10*time.Second, func() bool { return strings.Contains(logs.String(), "reload refused") })
	if !strings.Contains(logs.String(), "line") {
		t.Errorf("the refusal does not name the line:\n%s", logs.String())
	}
	if err := d.Process.Signal(syscall.Signal(0)); err != nil {
		t.Fatalf("the daemon died on a bad reload: %v\n%s", err, logs.String())
	}
}
