package pipeline

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stet-news/stet/config"
	"github.com/stet-news/stet/feeds"
	"github.com/stet-news/stet/metrics"
	"github.com/stet-news/stet/store"
)

// farm serves feeds /f/0.xml ... each with a few articles a test can
// edit, and counts each feed's fetches by round (and by user agent).
type farm struct {
	*httptest.Server
	mu      sync.Mutex
	round   int
	edits   map[string]int         // "feed/item" → edit number
	fetches map[string]map[int]int // feed path → round → fetches
	byAgent map[string]int
}

const farmItems = 3

func newFarm(t *testing.T) *farm {
	f := &farm{edits: map[string]int{}, fetches: map[string]map[int]int{}, byAgent: map[string]int{}}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.fetches[r.URL.Path] == nil {
			f.fetches[r.URL.Path] = map[int]int{}
		}
		f.fetches[r.URL.Path][f.round]++
		f.byAgent[r.Header.Get("User-Agent")]++
		var items [][3]string
		for i := range farmItems {
			key := fmt.Sprintf("%s/%d", r.URL.Path, i)
			body := fmt.Sprintf("The council met on Tuesday about item %s.\n\n\"We will decide soon,\" said Mayor Ann Lee.", key)
			if n := f.edits[key]; n > 0 {
				body = fmt.Sprintf("The council met on Tuesday about item %s.\n\n\"We will decide next week (%d),\" said Mayor Ann Lee.", key, n)
			}
			items = append(items, [3]string{strings.TrimPrefix(key, "/"), "Council " + key, body})
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, rssFeed(items...))
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *farm) feedURL(i int) string { return fmt.Sprintf("%s/f/%d.xml", f.URL, i) }

// fetchesIn is the number of fetches of each feed in round.
func (f *farm) fetchesIn(round int) map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for p, rs := range f.fetches {
		if rs[round] > 0 {
			out[p] = rs[round]
		}
	}
	return out
}

func (f *farm) set(fn func(f *farm)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

// worker is one cluster worker: a pipeline over its own store handle.
type worker struct {
	*Pipeline
	st   *store.Store
	cl   *store.Cluster
	done chan error
}

func startWorker(t *testing.T, ctx context.Context, cfg config.Config, clk *clock, name string) *worker {
	t.Helper()
	return startWorkerClock(t, ctx, cfg, clk, name)
}

// startWorkerClock is startWorker; clk nil: the database's clock and the
// real time.
func startWorkerClock(t *testing.T, ctx context.Context, cfg config.Config, clk *clock, name string) *worker {
	t.Helper()
	return startWorkerJobs(t, ctx, cfg, clk, name, Jobs{})
}

// startWorkerJobs is startWorkerClock with the jobs a leader runs; set
// changes the pipeline before it runs.
func startWorkerJobs(t *testing.T, ctx context.Context, cfg config.Config, clk *clock, name string, jobs Jobs, set ...func(*Pipeline)) *worker {
	t.Helper()
	st, err := store.Open(context.Background(), cfg.Database)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	now := time.Now
	var leaseClock func() time.Time // the database's
	if clk != nil {
		now, leaseClock = clk.Now, clk.Now
	}
	cl := st.Cluster(leaseClock)
	fetcher := feeds.NewFetcher(feeds.Options{UserAgent: name, Allow: cfg.Fetch.AllowList(), MaxItems: cfg.Fetch.MaxItems,
		PerHost: cfg.Fetch.PerHost, Now: now})
	p := New(Options{Config: cfg, Store: st, Fetcher: fetcher, Now: now, Log: testLogger().With("worker", name),
		Metrics: metrics.New(), Cluster: cl, WorkerID: name, ClusterPoll: 5 * time.Millisecond, Grace: 10 * time.Second})
	for _, fn := range set {
		fn(p)
	}
	w := &worker{Pipeline: p, st: st, cl: cl, done: make(chan error, 1)}
	go func() { w.done <- p.Run(ctx, jobs) }()
	return w
}

// waitFor polls cond until it holds; the test's own deadline bounds it.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// clusterDatabases are the databases a cluster test runs on: a SQLite
// file always, PostgreSQL when a server can be had.
func clusterDatabases(t *testing.T, fn func(t *testing.T, database string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, filepath.Join(t.TempDir(), "stet.db")) })
	t.Run("postgres", func(t *testing.T) { fn(t, pgDatabase(t)) })
}

func clusterConfig(database string, f *farm, n int) config.Config {
	cfg := config.Default()
	cfg.Database = database
	cfg.Fetch.AllowPrivate = true
	cfg.Fetch.Workers = 2
	cfg.Fetch.PerHost = 8
	cfg.Schedule = "*/10 * * * *"
	cfg.Recheck.Tiers = nil
	cfg.Cluster.Lease = config.Duration(30 * time.Second)
	for i := range n {
		cfg.Feeds = append(cfg.Feeds, config.Feed{URL: f.feedURL(i)})
	}
	return cfg
}

// quiet says whether no feed is held and every feed is due after now.
func quiet(t *testing.T, w *worker, want time.Duration) bool {
	t.Helper()
	h, err := w.cl.Holders(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	d, err := w.cl.NextDue(context.Background(), w.WorkerID(), time.Duration(w.conf().Cluster.Lease))
	if err != nil {
		t.Fatal(err)
	}
	return len(h) == 0 && d == want
}

func TestClusterWorkersFetchEachFeedOncePerTime(t *testing.T) {
	clusterDatabases(t, func(t *testing.T, database string) {
		const nFeeds = 12
		f := newFarm(t)
		cfg := clusterConfig(database, f, nFeeds)
		clk := newClock() // 08:00: the schedule's next times are 08:10, 08:20
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var ws []*worker
		for i := range 3 {
			ws = append(ws, startWorker(t, ctx, cfg, clk, fmt.Sprintf("worker-%d", i)))
		}

		rounds := []struct {
			edit []string // "/f/N.xml/I"
		}{
			{},
			{edit: []string{"/f/0.xml/1", "/f/5.xml/0", "/f/5.xml/2"}},
			{}, // unchanged
			{edit: []string{"/f/0.xml/1"}},
		}
		wantRevisions, wantChanges := 0, 0
		for r, round := range rounds {
			f.set(func(f *farm) {
				f.round = r
				for _, k := range round.edit {
					f.edits[k]++
				}
			})
			if r > 0 {
				clk.advance(10 * time.Minute)
			}
			wantRevisions += len(round.edit)
			wantChanges += len(round.edit)
			if r == 0 {
				wantRevisions = nFeeds * farmItems
			}
			waitFor(t, fmt.Sprintf("round %d: every feed fetched and given back", r), func() bool {
				return len(f.fetchesIn(r)) == nFeeds && quiet(t, ws[0], 10*time.Minute)
			})
			for i := range nFeeds {
				p := fmt.Sprintf("/f/%d.xml", i)
				if n := f.fetchesIn(r)[p]; n != 1 {
					t.Errorf("round %d: %s fetched %d times, want once", r, p, n)
				}
			}
			st, err := ws[1].st.Stats(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if st.Articles != nFeeds*farmItems || st.Revisions != wantRevisions || st.Changes != wantChanges {
				t.Errorf("round %d: %d articles, %d revisions, %d changes; want %d, %d, %d", r,
					st.Articles, st.Revisions, st.Changes, nFeeds*farmItems, wantRevisions, wantChanges)
			}
			if r == 0 {
				leaders := 0
				for _, w := range ws {
					if w.cl2().leading() != nil {
						leaders++
					}
				}
				if leaders != 1 {
					t.Errorf("%d workers lead, want 1", leaders)
				}
				// A worker may start after the others fetched everything
				// (SQLite: its first write waits its turn).
				waitFor(t, "three workers registered", func() bool {
					workers, err := ws[2].cl.Workers(context.Background())
					return err == nil && len(workers) == 3
				})
			}
		}
		f.mu.Lock()
		t.Logf("fetches by worker: %v", f.byAgent)
		f.mu.Unlock()
		cancel()
		for _, w := range ws {
			if err := <-w.done; err != nil {
				t.Errorf("run: %v", err)
			}
		}
		if workers, err := ws[0].cl.Workers(context.Background()); err != nil || len(workers) != 0 {
			t.Errorf("workers after stopping: %+v %v, want none", workers, err)
		}
	})
}

func (w *worker) cl2() *clusterState { return w.Pipeline.cl }

// A worker that dies holding claims (it never renews them) leaves them to
// the others once its lease is over, and not before.
func TestClusterDeadWorkersFeedsAreTakenAfterTheLease(t *testing.T) {
	clusterDatabases(t, func(t *testing.T, database string) {
		const nFeeds = 6
		f := newFarm(t)
		cfg := clusterConfig(database, f, nFeeds)
		clk := newClock()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()

		// The dead worker: its claims, and nothing more.
		st, err := store.Open(context.Background(), database)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		cl := st.Cluster(clk.Now)
		var refs []store.FeedRef
		for _, fc := range cfg.Feeds {
			refs = append(refs, store.FeedRef{URL: fc.URL})
		}
		if _, err := cl.AddFeeds(context.Background(), refs); err != nil {
			t.Fatal(err)
		}
		held, err := cl.ClaimFeeds(context.Background(), "dead", 2, time.Duration(cfg.Cluster.Lease))
		if err != nil || len(held) != 2 {
			t.Fatalf("dead worker's claims: %v %v", held, err)
		}

		w := startWorker(t, ctx, cfg, clk, "alive")
		waitFor(t, "the feeds not held fetched", func() bool { return len(f.fetchesIn(0)) == nFeeds-2 })
		clk.advance(29 * time.Second) // the lease holds
		// Quiet: nothing is claimable until the dead worker's lease ends.
		waitFor(t, "the alive worker idle", func() bool {
			h, err := w.cl.Holders(context.Background())
			return err == nil && len(h) == 2
		})
		if got := len(f.fetchesIn(0)); got != nFeeds-2 {
			t.Fatalf("%d feeds fetched while the dead worker's lease held, want %d", got, nFeeds-2)
		}
		clk.advance(9 * time.Second) // past the lease (30s) and the takeover margin (7.5s; the store's tests hold it)
		waitFor(t, "the dead worker's feeds fetched", func() bool { return len(f.fetchesIn(0)) == nFeeds })
		for p, n := range f.fetchesIn(0) {
			if n != 1 {
				t.Errorf("%s fetched %d times, want once", p, n)
			}
		}
		cancel()
		if err := <-w.done; err != nil {
			t.Error(err)
		}
	})
}

// A worker stopped while its fetches hang gives its claims back as they
// were, with no failure recorded: another worker takes them at once.
func TestClusterStoppedWorkerGivesBackItsClaims(t *testing.T) {
	clusterDatabases(t, func(t *testing.T, database string) {
		hang := make(chan struct{})
		requests := make(chan string, 10)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			requests <- r.URL.Path
			select {
			case <-hang:
			case <-r.Context().Done():
			}
		}))
		defer srv.Close()
		defer close(hang)
		cfg := clusterConfig(database, &farm{Server: srv}, 2)
		clk := newClock()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		w := startWorker(t, ctx, cfg, clk, "stopping")
		w.grace = 50 * time.Millisecond
		<-requests
		<-requests // both feeds claimed and being fetched
		cancel()
		if err := <-w.done; err != nil {
			t.Fatal(err)
		}
		h, err := w.cl.Holders(context.Background())
		if err != nil || len(h) != 0 {
			t.Fatalf("holders after the stop: %v %v, want none", h, err)
		}
		for _, fc := range cfg.Feeds {
			sf, err := w.st.FeedByURL(context.Background(), fc.URL)
			if err != nil || sf.Failures != 0 || !sf.LastFetch.IsZero() {
				t.Errorf("%s after the stop: %+v %v; want no fetch recorded", fc.URL, sf, err)
			}
		}
		got, err := w.cl.ClaimFeeds(context.Background(), "next", 5, time.Minute)
		if err != nil || len(got) != 2 {
			t.Errorf("the next worker claimed %v %v, want both feeds at once", got, err)
		}
	})
}

// A worker's reload (SIGHUP) gives feeds added a lease row, due at once,
// and takes the rows of feeds removed away: no worker fetches them.
func TestClusterReloadAddsAndDropsFeeds(t *testing.T) {
	clusterDatabases(t, func(t *testing.T, database string) {
		f := newFarm(t)
		cfg := clusterConfig(database, f, 2)
		clk := newClock()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		w := startWorker(t, ctx, cfg, clk, "reloading")
		waitFor(t, "both feeds fetched", func() bool { return len(f.fetchesIn(0)) == 2 && quiet(t, w, 10*time.Minute) })

		next := cfg
		next.Feeds = []config.Feed{{URL: f.feedURL(1)}, {URL: f.feedURL(2)}}
		if restart, err := w.Reload(next); err != nil || len(restart) != 0 {
			t.Fatalf("reload: %v %v", restart, err)
		}
		waitFor(t, "the feed added fetched", func() bool { return len(f.fetchesIn(0)) == 3 && quiet(t, w, 10*time.Minute) })
		f.set(func(f *farm) { f.round = 1 })
		clk.advance(10 * time.Minute)
		waitFor(t, "the next time's fetches", func() bool { return len(f.fetchesIn(1)) == 2 && quiet(t, w, 10*time.Minute) })
		if got := f.fetchesIn(1); got["/f/0.xml"] != 0 || got["/f/1.xml"] != 1 || got["/f/2.xml"] != 1 {
			t.Errorf("fetches after the reload: %v, want feeds 1 and 2 once, 0 never", got)
		}
		cancel()
		if err := <-w.done; err != nil {
			t.Error(err)
		}
	})
}

// A worker that stalls past its lease and wakes stores nothing of its
// fetch once another worker has claimed and saved the feed: its save finds
// the claim gone and rolls back whole, and that is no failed write.
func TestClusterStalledWorkerStoresNothing(t *testing.T) {
	clusterDatabases(t, func(t *testing.T, database string) {
		release := make(chan struct{})
		var releaseOnce sync.Once
		letGo := func() { releaseOnce.Do(func() { close(release) }) }
		first := make(chan struct{})
		var mu sync.Mutex
		requests := 0
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			requests++
			n := requests
			mu.Unlock()
			say := "soon"
			if n == 1 {
				close(first)
				<-release                             // the stalled worker's fetch
				say = "never, whatever they tell you" // what it brings is not stored
			}
			var items [][3]string
			for i := range farmItems {
				items = append(items, [3]string{fmt.Sprintf("s/%d", i), fmt.Sprintf("Story %d", i),
					fmt.Sprintf("The council met on Tuesday.\n\n\"We will decide %s,\" said Mayor Ann Lee.", say)})
			}
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprint(w, rssFeed(items...))
		}))
		defer srv.Close()
		defer letGo() // before the server closes
		cfg := clusterConfig(database, &farm{Server: srv}, 0)
		cfg.Feeds = []config.Feed{{URL: srv.URL + "/feed.xml"}}
		clk := newClock()
		ctxA, cancelA := context.WithCancel(context.Background())
		defer cancelA()
		a := startWorker(t, ctxA, cfg, clk, "stalled")
		<-first
		lease := time.Duration(cfg.Cluster.Lease)
		clk.advance(lease + store.TakeoverMargin(lease) + time.Second)

		ctxB, cancelB := context.WithCancel(context.Background())
		defer cancelB()
		b := startWorker(t, ctxB, cfg, clk, "awake")
		waitFor(t, "the other worker's save", func() bool {
			st, err := b.st.Stats(context.Background())
			h, herr := b.cl.Holders(context.Background())
			return err == nil && herr == nil && st.Revisions == farmItems && len(h) == 0
		})
		letGo()
		cancelA() // Run returns once the stalled fetch has tried to save
		if err := <-a.done; err != nil {
			t.Fatal(err)
		}
		st, err := b.st.Stats(context.Background())
		if err != nil || st.Articles != farmItems || st.Revisions != farmItems || st.Changes != 0 {
			t.Errorf("after the stalled save: %+v %v; want %d articles and revisions, no change", st, err, farmItems)
		}
		if err := a.Metrics().Health(); err != nil {
			t.Errorf("the stalled worker's health: %v; a lost claim is no failed write", err)
		}
		cancelB()
		if err := <-b.done; err != nil {
			t.Error(err)
		}
	})
}

// One worker leads at a time; when it stops, another takes the lead at
// its next renewal (the database's clock, a short lease).
func TestClusterLeadPassesOnWhenTheLeaderStops(t *testing.T) {
	clusterDatabases(t, func(t *testing.T, database string) {
		f := newFarm(t)
		cfg := clusterConfig(database, f, 1)
		cfg.Cluster.Lease = config.Duration(300 * time.Millisecond)
		var ws []*worker
		var cancels []context.CancelFunc
		for i := range 2 {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			cancels = append(cancels, cancel)
			w := startWorkerClock(t, ctx, cfg, nil, fmt.Sprintf("w%d", i))
			ws = append(ws, w)
		}
		leader := func() int {
			n, who := 0, -1
			for i, w := range ws {
				if w.cl2().leading() != nil {
					n++
					who = i
				}
			}
			if n > 1 {
				return -2
			}
			return who
		}
		waitFor(t, "a leader", func() bool { return leader() >= 0 })
		first := leader()
		cancels[first]()
		if err := <-ws[first].done; err != nil {
			t.Fatal(err)
		}
		other := 1 - first
		waitFor(t, "the other worker to lead", func() bool { return ws[other].cl2().leading() != nil })
		got, err := ws[other].cl.Workers(context.Background())
		if err != nil || len(got) != 1 || !got[0].Leader || got[0].ID != ws[other].WorkerID() {
			t.Errorf("workers: %+v %v; want %s alone, leading", got, err, ws[other].WorkerID())
		}
	})
}

// digestRuns counts the runs of the digest job, by worker.
type digestRuns struct {
	mu   sync.Mutex
	runs []string // "worker@time"
}

func (d *digestRuns) job(name string, clk *clock) Jobs {
	return Jobs{Digest: func(context.Context) {
		d.mu.Lock()
		defer d.mu.Unlock()
		d.runs = append(d.runs, name+"@"+clk.Now().Format("15:04"))
	}}
}

func (d *digestRuns) get() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.runs...)
}

func digestConfig(database string, f *farm) config.Config {
	cfg := clusterConfig(database, f, 1)
	cfg.Digest.Schedule = "0 9 * * *"
	// Renewals every 100 ms of real time; the test's clock never lets a
	// lease run out unless it moves past it.
	cfg.Cluster.Lease = config.Duration(300 * time.Millisecond)
	return cfg
}

// waitLastRun waits until the digest's last run is at.
func waitLastRun(t *testing.T, w *worker, at time.Time) {
	t.Helper()
	waitFor(t, "the digest's last run at "+at.Format("15:04"), func() bool {
		last, err := w.cl.LastRun(context.Background(), store.LeaderDigest)
		return err == nil && last.Equal(at)
	})
}

// The leader stops (or dies) before the digest's time and the next
// leader takes the lead after it: the next leader sends that digest, once,
// when it takes the lead.
func TestClusterDigestAfterTheLeaderStopped(t *testing.T) {
	for _, how := range []string{"stops", "dies"} {
		t.Run(how, func(t *testing.T) {
			clusterDatabases(t, func(t *testing.T, database string) {
				f := newFarm(t)
				cfg := digestConfig(database, f)
				lease := time.Duration(cfg.Cluster.Lease)
				clk := newClock() // 08:00
				var runs digestRuns
				switch how {
				case "stops":
					ctx, cancel := context.WithCancel(context.Background())
					defer cancel()
					a := startWorkerJobs(t, ctx, cfg, clk, "a", runs.job("a", clk))
					waitLastRun(t, a, clk.Now()) // a leads: the schedule starts at 08:00
					cancel()
					if err := <-a.done; err != nil {
						t.Fatal(err)
					}
				case "dies":
					// It led at 08:00 and never renewed.
					st, err := store.Open(context.Background(), database)
					if err != nil {
						t.Fatal(err)
					}
					defer st.Close()
					cl := st.Cluster(clk.Now)
					if ok, err := cl.Lead(context.Background(), store.LeaderDigest, "a", lease); err != nil || !ok {
						t.Fatalf("a leads: %v %v", ok, err)
					}
					if ok, err := cl.RecordRun(context.Background(), store.LeaderDigest, "a", time.Time{}, clk.Now()); err != nil || !ok {
						t.Fatalf("a starts the schedule: %v %v", ok, err)
					}
				}
				clk.advance(65 * time.Minute) // 09:05: the digest's time passed with no leader
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				b := startWorkerJobs(t, ctx, cfg, clk, "b", runs.job("b", clk))
				waitLastRun(t, b, clk.Now())
				waitFor(t, "b's digest", func() bool { return len(runs.get()) > 0 })
				cancel()
				if err := <-b.done; err != nil {
					t.Fatal(err)
				}
				if got, want := runs.get(), []string{"b@09:05"}; fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("digest runs %v, want %v", got, want)
				}
			})
		})
	}
}

// Two live workers run the digest once per scheduled time, also across a
// change of leader.
func TestClusterDigestOncePerTime(t *testing.T) {
	clusterDatabases(t, func(t *testing.T, database string) {
		f := newFarm(t)
		cfg := digestConfig(database, f)
		cfg.Digest.Schedule = "0 * * * *"
		clk := newClock() // 08:00
		var runs digestRuns
		var ws []*worker
		var cancels []context.CancelFunc
		for i := range 2 {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			name := fmt.Sprintf("w%d", i)
			ws = append(ws, startWorkerJobs(t, ctx, cfg, clk, name, runs.job(name, clk)))
			cancels = append(cancels, cancel)
		}
		waitLastRun(t, ws[0], clk.Now())
		for k := 1; k <= 3; k++ {
			if k == 3 {
				// The leader stops; the other takes the lead.
				lead := -1
				waitFor(t, "a leader", func() bool {
					for i, w := range ws {
						if w.cl2().leading() != nil {
							lead = i
							return true
						}
					}
					return false
				})
				cancels[lead]()
				if err := <-ws[lead].done; err != nil {
					t.Fatal(err)
				}
				ws[lead] = nil
			}
			clk.advance(time.Hour)
			waitFor(t, fmt.Sprintf("digest %d", k), func() bool { return len(runs.get()) >= k })
			for _, w := range ws {
				if w != nil {
					waitLastRun(t, w, clk.Now())
					break
				}
			}
		}
		for i, w := range ws {
			if w != nil {
				cancels[i]()
				if err := <-w.done; err != nil {
					t.Error(err)
				}
			}
		}
		got := runs.get()
		if len(got) != 3 {
			t.Fatalf("digest runs %v, want one at each of 09:00, 10:00, 11:00", got)
		}
		for i, r := range got {
			if want := fmt.Sprintf("@%02d:00", 9+i); !strings.HasSuffix(r, want) {
				t.Errorf("run %d: %s, want one %s", i, r, want)
			}
		}
	})
}

// A pass on a cluster's database (`stet once` beside running workers)
// skips a feed a worker holds, and fetches the others under a claim it
// gives back with the feed due as it was.
func TestClusterPassSkipsHeldFeeds(t *testing.T) {
	clusterDatabases(t, func(t *testing.T, database string) {
		ctx := context.Background()
		f, cfg, clk, st, cl, ids := twoClusterFeeds(t, database)
		lease := time.Duration(cfg.Cluster.Lease)
		// A worker (registered, no process behind it) fetching feed 0.
		if err := cl.Register(ctx, store.Worker{ID: "w", Host: "h", PID: 1}); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := cl.ClaimFeed(ctx, "w", ids[f.feedURL(0)], lease); err != nil || !ok {
			t.Fatalf("the worker's claim: %v %v", ok, err)
		}
		clk.advance(10 * time.Second) // the pass comes later (within the lease); feed 1 stays due at 08:00

		got, err := oncePass(ctx, cfg, clk, st, cl)
		if err != nil {
			t.Fatal(err)
		}
		if got.Feeds != 1 || got.Held != 1 || got.Failed != 0 || got.Revisions != farmItems {
			t.Errorf("pass: %+v; want one feed fetched (%d revisions), one held", got, farmItems)
		}
		if fetched := f.fetchesIn(0); len(fetched) != 1 || fetched["/f/1.xml"] != 1 {
			t.Errorf("fetches %v, want /f/1.xml once", fetched)
		}
		holders, err := cl.Holders(ctx)
		if err != nil || len(holders) != 1 || holders[ids[f.feedURL(0)]] != "w" {
			t.Errorf("holders after the pass: %v %v; want feed 0 by w only", holders, err)
		}
		// Feed 1 is free, and due as it was.
		next, err := cl.ClaimFeeds(ctx, "next", 5, lease)
		if err != nil || len(next) != 1 || next[0].FeedID != ids[f.feedURL(1)] || !next[0].Due.Equal(newClock().Now()) || next[0].At.Equal(next[0].Due) {
			t.Errorf("next claims %+v %v; want feed 1, due at 08:00", next, err)
		}
	})
}

// The maintenance job and the page rechecks (one cron entry) run on the
// leader only.
func TestClusterMaintenanceOnTheLeaderOnly(t *testing.T) {
	clusterDatabases(t, func(t *testing.T, database string) {
		f := newFarm(t)
		cfg := digestConfig(database, f) // leases that the test's clock keeps
		clk := newClock()
		var mu sync.Mutex
		runs := map[string]int{}
		var ws []*worker
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		for i := range 2 {
			name := fmt.Sprintf("w%d", i)
			jobs := Jobs{Maintenance: func(context.Context) {
				mu.Lock()
				runs[name]++
				mu.Unlock()
			}}
			ws = append(ws, startWorkerJobs(t, ctx, cfg, clk, name, jobs, func(p *Pipeline) { p.cl.maintEvery = time.Second }))
		}
		waitFor(t, "three maintenance runs", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return runs["w0"]+runs["w1"] >= 3
		})
		leader := ""
		for _, w := range ws {
			if w.cl2().leading() != nil {
				leader = w.WorkerID()
			}
		}
		cancel()
		for _, w := range ws {
			if err := <-w.done; err != nil {
				t.Error(err)
			}
		}
		mu.Lock()
		defer mu.Unlock()
		if leader == "" || len(runs) != 1 || runs[leader] < 3 {
			t.Errorf("maintenance runs by worker %v, leader %q; want the leader's only", runs, leader)
		}
	})
}

// twoClusterFeeds opens a cluster's store on database with two feeds of a
// new farm, on a test clock.
func twoClusterFeeds(t *testing.T, database string) (*farm, config.Config, *clock, *store.Store, *store.Cluster, map[string]int64) {
	t.Helper()
	f := newFarm(t)
	cfg := clusterConfig(database, f, 2)
	clk := newClock()
	st, err := store.Open(context.Background(), database)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cl := st.Cluster(clk.Now)
	ids, err := cl.AddFeeds(context.Background(), []store.FeedRef{{URL: f.feedURL(0)}, {URL: f.feedURL(1)}})
	if err != nil {
		t.Fatal(err)
	}
	return f, cfg, clk, st, cl, ids
}

// oncePass is a forced pass of `stet once` beside the cluster's workers.
func oncePass(ctx context.Context, cfg config.Config, clk *clock, st *store.Store, cl *store.Cluster) (Stats, error) {
	fetcher := feeds.NewFetcher(feeds.Options{UserAgent: "once", Allow: cfg.Fetch.AllowList(), Now: clk.Now})
	p := New(Options{Config: cfg, Store: st, Fetcher: fetcher, Now: clk.Now, Log: testLogger(), Metrics: metrics.New(),
		Cluster: cl, WorkerID: "once"})
	return p.Pass(ctx, true)
}

// A stet on this host killed with its claims live (SIGKILL) holds nothing
// for the next pass: its process is gone, so its claims are given back at
// once instead of after the lease.
func TestClusterPassTakesWhatAStoppedLocalStetHeld(t *testing.T) {
	clusterDatabases(t, func(t *testing.T, database string) {
		ctx := context.Background()
		f, cfg, clk, st, cl, ids := twoClusterFeeds(t, database)
		lease := time.Duration(cfg.Cluster.Lease)
		host, err := os.Hostname()
		if err != nil {
			t.Skip("no host name")
		}
		dead := exec.Command("true")
		if err := dead.Run(); err != nil {
			t.Skipf("no process to outlive: %v", err)
		}
		stopped := fmt.Sprintf("%s-%d-abcdef", host, dead.Process.Pid)
		if _, ok, err := cl.ClaimFeed(ctx, stopped, ids[f.feedURL(0)], lease); err != nil || !ok {
			t.Fatalf("the stopped stet's claim: %v %v", ok, err)
		}
		clk.advance(time.Second) // well within the lease

		got, err := oncePass(ctx, cfg, clk, st, cl)
		if err != nil {
			t.Fatal(err)
		}
		if got.Feeds != 2 || got.Held != 0 || got.Revisions != 2*farmItems {
			t.Errorf("pass: %+v; want both feeds fetched (%d revisions), none held", got, 2*farmItems)
		}
	})
}

func TestLocalPID(t *testing.T) {
	for _, tc := range []struct {
		id, host string
		pid      int
		ok       bool
	}{
		{"web-1-42-a1b2c3", "web-1", 42, true},
		{"web-1-42-a1b2c3", "web", 0, false}, // another host whose name is a prefix
		{"other-42-a1b2c3", "web-1", 0, false},
		{"web-1-x-a1b2c3", "web-1", 0, false},
		{"web-1-42", "web-1", 0, false},
		{"once", "web-1", 0, false},
	} {
		pid, ok := localPID(tc.id, tc.host)
		if got, want := fmt.Sprint(pid, ok), fmt.Sprint(tc.pid, tc.ok); got != want {
			t.Errorf("localPID(%q, %q) = %s, want %s", tc.id, tc.host, got, want)
		}
	}
}
