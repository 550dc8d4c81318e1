package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stet-news/stet/internal/testpg"
)

// Two `stet run` on one PostgreSQL database are two workers of one
// cluster: neither is refused, every feed is fetched, and `stet status`
// lists both with what they hold and which one leads.
func TestWorkersShareAPostgresDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("subprocess test")
	}
	db := testpg.URL(t)
	_, body := seedArticle(t)
	urls := slowFeeds(t, 8, 100*time.Millisecond, body)
	var feeds strings.Builder
	for _, u := range urls {
		fmt.Fprintf(&feeds, "  - url: %s\n", u)
	}
	dir := t.TempDir()
	var cfgs []string
	for _, agent := range []string{"agent-a", "agent-b"} {
		sub := filepath.Join(dir, agent)
		if err := os.Mkdir(sub, 0o700); err != nil {
			t.Fatal(err)
		}
		cfgs = append(cfgs, writeConfig(t, sub, fmt.Sprintf("database: %s\nschedule: \"@every 1h\"\ncluster:\n  lease: 5s\n"+
			"fetch:\n  allow: [127.0.0.0/8]\n  workers: 2\n  user_agent: %s\nfeeds:\n%s", db, agent, feeds.String())))
	}
	var logs [2]lockedBuffer
	var runs []*os.Process
	for i, cfg := range cfgs {
		d := stetCmd(context.Background(), "run", "--config", cfg)
		d.Stderr = &logs[i]
		if err := d.Start(); err != nil {
			t.Fatal(err)
		}
		runs = append(runs, d.Process)
		t.Cleanup(func() { d.Process.Signal(syscall.SIGTERM); d.Wait() })
	}
	waitFor(t, "every feed fetched", 60*time.Second, func() bool {
		got := statusFeeds(t, cfgs[0])
		for _, u := range urls {
			if got[u] != 1 {
				return false
			}
		}
		return true
	})
	out, err := stetCmd(context.Background(), "status", "--config", cfgs[1]).Output()
	if err != nil {
		t.Fatalf("status: %v\n%s\n%s", err, out, logs[0].String())
	}
	t.Logf("stet status:\n%s", out)
	for _, want := range []string{"workers: 2", "agent-a", "agent-b", "LEADER", "yes"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	if strings.Count(string(out), " yes\n") != 1 {
		t.Errorf("status: want exactly one leader:\n%s", out)
	}
	for i, p := range runs {
		if err := p.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the worker to stop", 30*time.Second, func() bool { return strings.Contains(logs[i].String(), "msg=stopped") })
	}
	out, err = stetCmd(context.Background(), "status", "--config", cfgs[0]).Output()
	if err != nil || !strings.Contains(string(out), "workers: none running") {
		t.Errorf("status after both stopped: %v\n%s", err, out)
	}
}
