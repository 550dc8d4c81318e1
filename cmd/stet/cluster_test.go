package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stet-news/stet/config"
	"github.com/stet-news/stet/internal/testpg"
	"github.com/stet-news/stet/store"
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

// stet status --json names the worker holding each feed; the text lists
// each worker with the feeds it holds.
func TestStatusShowsWhatEachWorkerHolds(t *testing.T) {
	db := testpg.URL(t)
	ctx := context.Background()
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cl := st.Cluster(nil)
	feeds := []store.FeedRef{{URL: "https://a.example/rss"}, {URL: "https://b.example/rss"}}
	if _, err := cl.AddFeeds(ctx, feeds); err != nil {
		t.Fatal(err)
	}
	if err := cl.Register(ctx, store.Worker{ID: "w-one", Host: "host-one", PID: 42, UserAgent: "agent-one"}); err != nil {
		t.Fatal(err)
	}
	held, err := cl.ClaimFeeds(ctx, "w-one", 1, time.Hour)
	if err != nil || len(held) != 1 {
		t.Fatalf("claim: %v %v", held, err)
	}
	cfg := writeConfig(t, t.TempDir(), fmt.Sprintf("database: %s\nfeeds:\n  - url: %s\n  - url: %s\n", db, feeds[0].URL, feeds[1].URL))
	code, out, errOut := runStet(t, "status", "--json", "--config", cfg)
	if code != 0 {
		t.Fatalf("status --json: %d %s", code, errOut)
	}
	workers := map[int64]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r statusRow
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		f, err := st.FeedByURL(ctx, r.Feed)
		if err != nil {
			t.Fatal(err)
		}
		workers[f.ID] = r.Worker
	}
	if len(workers) != 2 || workers[held[0].FeedID] != "w-one" {
		t.Errorf("workers by feed %v, want feed %d held by w-one, the other by none", workers, held[0].FeedID)
	}
	code, out, errOut = runStet(t, "status", "--config", cfg)
	if code != 0 {
		t.Fatalf("status: %d %s", code, errOut)
	}
	for _, want := range []string{"workers: 1", "w-one", "host-one", "agent-one"} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	if !regexp.MustCompile(`w-one\s+host-one\s+42\s+agent-one\s+\S+ ago\s+1\s+no`).MatchString(out) {
		t.Errorf("status: want w-one holding 1 feed, not leading:\n%s", out)
	}
	// Each feed's row (named by its host) names its worker, as --json does.
	if !strings.Contains(out, "NEXT RECHECK  WORKER") {
		t.Errorf("status: no WORKER column:\n%s", out)
	}
	for _, f := range feeds {
		sf, err := st.FeedByURL(ctx, f.URL)
		if err != nil {
			t.Fatal(err)
		}
		want := orDash(workers[sf.ID])
		row := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(strings.TrimSuffix(strings.TrimPrefix(f.URL, "https://"), "/rss")) + `\s.*\s(\S+)$`).FindStringSubmatch(out)
		if row == nil || row[1] != want {
			t.Errorf("status: the row of %s names worker %v, want %s:\n%s", f.URL, row, want, out)
		}
	}
}

// `stet once` on a PostgreSQL database beside a running worker skips the
// feed the worker is fetching (it would race its save), counts it in its
// summary, and fetches the other under a claim it gives back.
func TestOnceSkipsFeedsWorkersHold(t *testing.T) {
	db := testpg.URL(t)
	headline, body := seedArticle(t)
	held := newFeedServer(t, rssFeed([3]string{"held", headline, body}))
	free := newFeedServer(t, rssFeed([3]string{"free", headline, body}))
	ctx := context.Background()
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cl := st.Cluster(nil)
	ids, err := cl.AddFeeds(ctx, []store.FeedRef{{URL: held.URL}, {URL: free.URL}})
	if err != nil {
		t.Fatal(err)
	}
	// A worker, registered with no process behind it, fetching one feed.
	if err := cl.Register(ctx, store.Worker{ID: "worker-1", Host: "elsewhere", PID: 1}); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := cl.ClaimFeed(ctx, "worker-1", ids[held.URL], time.Hour); err != nil || !ok {
		t.Fatalf("the worker's claim: %v %v", ok, err)
	}

	te := newTestEnv()
	cfg := writeConfig(t, t.TempDir(), "database: "+db+"\nfetch:\n  allow_private: true\nfeeds:\n  - url: "+held.URL+"\n  - url: "+free.URL+"\n")
	if code := Run(ctx, te.Env, []string{"once", "--config", cfg}); code != 0 {
		t.Fatalf("stet once: exit %d: %s", code, te.stderr)
	}
	if n, _ := held.Counts(); n != 0 {
		t.Errorf("the held feed was fetched %d times, want never", n)
	}
	if n, _ := free.Counts(); n != 1 {
		t.Errorf("the free feed was fetched %d times, want once", n)
	}
	logs := te.stderr.String()
	for _, want := range []string{"a cluster worker is fetching the feed; skipped", "held_by_workers=1"} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log says nothing of %q:\n%s", want, logs)
		}
	}
	holders, err := cl.Holders(ctx)
	if err != nil || len(holders) != 1 || holders[ids[held.URL]] != "worker-1" {
		t.Errorf("holders after stet once: %v %v; want the held feed by worker-1 only", holders, err)
	}
	if f, err := st.FeedByURL(ctx, free.URL); err != nil || f.LastFetch.IsZero() {
		t.Errorf("the free feed after stet once: %+v %v; want a fetch recorded", f, err)
	}
}

// A worker that leads stops before the digest's time, and the next worker
// takes the lead after it: the next worker writes that day's digest, one.
func TestClusterDigestAfterTheLeaderStops(t *testing.T) {
	db := testpg.URL(t)
	headline, body := seedArticle(t)
	srv := newFeedServer(t, rssFeed([3]string{"one", headline, body}))
	te := newTestEnv() // 08:00
	cfg := testConfig(t, srv.URL)
	cfg.Database = db
	cfg.Digest.Schedule = "0 9 * * *"
	cfg.Digest.SendEmpty = true // a digest however little changed
	cfg.Cluster.Lease = config.Duration(300 * time.Millisecond)
	ctx := context.Background()
	lastRun := func(app *App) time.Time {
		last, err := app.store.Cluster(nil).LastRun(ctx, store.LeaderDigest)
		if err != nil {
			t.Fatal(err)
		}
		return last
	}
	digests := func() []string {
		got, _ := filepath.Glob(filepath.Join(cfg.Digest.Dir, "*.eml"))
		return got
	}
	daemon := func(app *App) (stop func()) {
		dctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- app.Daemon(dctx) }()
		return func() {
			cancel()
			if err := <-done; err != nil {
				t.Error(err)
			}
		}
	}

	a := newTestApp(t, te, cfg)
	stopA := daemon(a)
	waitFor(t, "a to lead and start the digest's schedule", 30*time.Second, func() bool { return lastRun(a).Equal(te.Now()) })
	stopA()
	te.advance(65 * time.Minute) // 09:05: the digest's time passed with no worker

	b := newTestApp(t, te, cfg)
	stopB := daemon(b)
	waitFor(t, "b's digest", 30*time.Second, func() bool { return len(digests()) > 0 })
	stopB()
	if got := digests(); len(got) != 1 {
		t.Errorf("digests %v, want one", got)
	}
	if last := lastRun(b); !last.Equal(te.Now()) {
		t.Errorf("the digest's last run %v, want %v", last, te.Now())
	}
}
