package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"
)

// testClock is a clock the test moves by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// clusterFeeds makes n feeds and gives each a lease row, due now.
func clusterFeeds(t *testing.T, s *Store, c *Cluster, n int) []int64 {
	t.Helper()
	var refs []FeedRef
	for i := range n {
		refs = append(refs, FeedRef{URL: fmt.Sprintf("https://feeds.example/%d.xml", i)})
	}
	got, err := c.AddFeeds(context.Background(), refs)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, r := range refs {
		f, err := s.FeedByURL(context.Background(), r.URL)
		if err != nil || got[r.URL] != f.ID {
			t.Fatalf("feed %s: id %d, stored %+v %v", r.URL, got[r.URL], f, err)
		}
		ids = append(ids, f.ID)
	}
	// Again, named: nothing new, the name stored, the lease rows kept.
	refs[0].Name = "First"
	if again, err := c.AddFeeds(context.Background(), refs); err != nil || len(again) != n || again[refs[0].URL] != ids[0] {
		t.Fatalf("again: %v %v", again, err)
	}
	if f, err := s.FeedByURL(context.Background(), refs[0].URL); err != nil || f.Name != "First" {
		t.Fatalf("named: %+v %v", f, err)
	}
	return ids
}

func claimIDs(cs []Claim) []int64 {
	var out []int64
	for _, c := range cs {
		out = append(out, c.FeedID)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func mustClaim(t *testing.T, c *Cluster, worker string, n int, lease time.Duration) []Claim {
	t.Helper()
	cs, err := c.ClaimFeeds(context.Background(), worker, n, lease)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func TestClusterClaimRelease(t *testing.T) {
	eachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		clk := &testClock{t: t0}
		c := s.Cluster(clk.Now)
		ids := clusterFeeds(t, s, c, 3)
		const lease = 2 * time.Minute

		a := mustClaim(t, c, "a", 2, lease)
		b := mustClaim(t, c, "b", 5, lease)
		if got := len(a) + len(b); len(a) != 2 || got != 3 {
			t.Fatalf("claims: a %v, b %v; want 2 and 1 of %v", claimIDs(a), claimIDs(b), ids)
		}
		if got := claimIDs(append(a, b...)); fmt.Sprint(got) != fmt.Sprint(ids) {
			t.Fatalf("claimed %v, want each of %v once", got, ids)
		}
		if a[0].At != t0 || a[0].Due != t0 || a[0].Worker != "a" {
			t.Errorf("claim %+v: want at and due %v, worker a", a[0], t0)
		}
		if more := mustClaim(t, c, "c", 5, lease); len(more) != 0 {
			t.Fatalf("c claimed %v while all are held", claimIDs(more))
		}

		// Saving with the claim gives the feed back, due next.
		next := t0.Add(time.Minute)
		r := FetchResult{Fetch: &FetchRecord{At: t0, Status: 304, NextFetch: next}, FeedID: b[0].FeedID, At: t0, Claim: &b[0]}
		if _, err := s.SaveFetch(ctx, r); err != nil {
			t.Fatal(err)
		}
		// Released, not due: nobody claims it; its claim is gone.
		if _, err := s.SaveFetch(ctx, r); !errors.Is(err, ErrLeaseLost) {
			t.Fatalf("second save with the same claim: %v, want ErrLeaseLost", err)
		}
		clk.Add(59 * time.Second)
		if more := mustClaim(t, c, "c", 5, lease); len(more) != 0 {
			t.Fatalf("c claimed %v before anything was due", claimIDs(more))
		}
		// Given back without a fetch: due as it was, claimed again at once.
		if err := c.Release(ctx, a[0]); err != nil {
			t.Fatal(err)
		}
		if got := mustClaim(t, c, "c", 5, lease); len(got) != 1 || got[0].FeedID != a[0].FeedID || got[0].Token == a[0].Token {
			t.Fatalf("after release: c claimed %+v, want feed %d with a new token", got, a[0].FeedID)
		}
		clk.Add(time.Second) // next
		if got := mustClaim(t, c, "c", 5, lease); len(got) != 1 || got[0].FeedID != b[0].FeedID {
			t.Fatalf("at its next time: c claimed %v, want feed %d", claimIDs(got), b[0].FeedID)
		}
		wait, err := c.NextDue(ctx, "c", lease)
		if err != nil || wait != 90*time.Second { // a[1] is held until t0+2m, taken over 30s after
			t.Errorf("next due in %v %v, want 1m30s", wait, err)
		}
	})
}

func TestClusterExpiredClaimIsTakenAndStaleSaveStoresNothing(t *testing.T) {
	eachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		clk := &testClock{t: t0}
		c := s.Cluster(clk.Now)
		id := clusterFeeds(t, s, c, 1)[0]
		const lease = 10 * time.Second
		cand1 := []Candidate{cand("g1", "https://news.example/1", "Headline", "The minister said it.")}

		// a claims, prepares, and stalls past its lease.
		a := mustClaim(t, c, "a", 1, lease)
		planA, err := s.Prepare(ctx, id, cand1)
		if err != nil {
			t.Fatal(err)
		}
		clk.Add(5 * time.Second)
		if got := mustClaim(t, c, "b", 1, lease); len(got) != 0 {
			t.Fatalf("b claimed %v within a's lease", claimIDs(got))
		}
		clk.Add(6 * time.Second) // a's lease ran out, the takeover margin (2.5s) not
		if got := mustClaim(t, c, "b", 1, lease); len(got) != 0 {
			t.Fatalf("b claimed %v within the takeover margin", claimIDs(got))
		}
		clk.Add(2 * time.Second)
		if got := mustClaim(t, c, "a", 1, lease); len(got) != 0 {
			t.Fatalf("a took over its own expired claim: %v", claimIDs(got))
		}
		if wait, err := c.NextDue(ctx, "a", lease); err != nil || wait != 24*time.Hour {
			t.Fatalf("a's next due: %v %v, want nothing (a day)", wait, err)
		}
		if wait, err := c.NextDue(ctx, "b", lease); err != nil || wait != 0 {
			t.Fatalf("b's next due: %v %v, want now", wait, err)
		}
		b := mustClaim(t, c, "b", 1, lease)
		if len(b) != 1 || b[0].FeedID != id {
			t.Fatalf("after a's lease: b claimed %v, want feed %d", claimIDs(b), id)
		}
		planB, err := s.Prepare(ctx, id, cand1)
		if err != nil {
			t.Fatal(err)
		}
		rb := result(id, clk.Now(), planB, nil)
		rb.Claim = &b[0]
		if st, err := s.SaveFetch(ctx, rb); err != nil || st.NewRevisions != 1 {
			t.Fatalf("b's save: %+v %v", st, err)
		}

		// a wakes: its save stores nothing, not even the fetch state.
		ra := result(id, t0, planA, nil)
		ra.Fetch.ETag = `"stale"`
		ra.Claim = &a[0]
		st, err := s.SaveFetch(ctx, ra)
		if !errors.Is(err, ErrLeaseLost) {
			t.Fatalf("a's stale save: %+v %v, want ErrLeaseLost", st, err)
		}
		f, err := s.FeedByURL(ctx, "https://feeds.example/0.xml")
		if err != nil {
			t.Fatal(err)
		}
		if f.ETag == `"stale"` || !f.LastFetch.Equal(t0.Add(13*time.Second)) {
			t.Errorf("feed after the stale save: etag %s, last fetch %v; want b's", f.ETag, f.LastFetch)
		}
		var revs int
		if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM revisions`).Scan(&revs); err != nil || revs != 1 {
			t.Errorf("revisions: %d %v, want 1", revs, err)
		}
		// The feed is b's no more and is due at b's next time.
		if got := mustClaim(t, c, "a", 1, lease); len(got) != 0 {
			t.Errorf("a claimed %v before the next time", claimIDs(got))
		}
	})
}

func TestClusterStalledSaveWithoutRivalIsKept(t *testing.T) {
	eachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		clk := &testClock{t: t0}
		c := s.Cluster(clk.Now)
		id := clusterFeeds(t, s, c, 1)[0]
		a := mustClaim(t, c, "a", 1, time.Second)
		clk.Add(time.Minute) // expired, but nobody took it
		plan, err := s.Prepare(ctx, id, []Candidate{cand("g1", "https://news.example/1", "H", "Text.")})
		if err != nil {
			t.Fatal(err)
		}
		r := result(id, clk.Now(), plan, nil)
		r.Claim = &a[0]
		if st, err := s.SaveFetch(ctx, r); err != nil || st.NewRevisions != 1 {
			t.Fatalf("save of an expired claim nobody took: %+v %v", st, err)
		}
	})
}

func TestClusterRenew(t *testing.T) {
	eachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		clk := &testClock{t: t0}
		c := s.Cluster(clk.Now)
		clusterFeeds(t, s, c, 2)
		const lease = 9 * time.Second
		if err := c.Register(ctx, Worker{ID: "a", Host: "h", PID: 1}); err != nil {
			t.Fatal(err)
		}
		held := mustClaim(t, c, "a", 2, lease)
		for range 5 {
			clk.Add(lease / 3 * 2)
			if n, err := c.Renew(ctx, "a", held, lease); err != nil || n != 2 {
				t.Fatalf("renew: %d %v, want 2", n, err)
			}
			if got := mustClaim(t, c, "b", 2, lease); len(got) != 0 {
				t.Fatalf("b claimed %v of a's renewed claims", claimIDs(got))
			}
		}
		ws, err := c.Workers(ctx)
		if err != nil || len(ws) != 1 || ws[0].Held != 2 || !ws[0].Seen.Equal(clk.Now()) || !ws[0].Started.Equal(t0) {
			t.Fatalf("workers: %+v %v; want a holding 2, seen now", ws, err)
		}
		// A claim a no longer renews (it is not working on it) runs out.
		clk.Add(lease / 3 * 2)
		if n, err := c.Renew(ctx, "a", held[:1], lease); err != nil || n != 1 {
			t.Fatalf("renew of one: %d %v", n, err)
		}
		clk.Add(lease/3 + TakeoverMargin(lease) + time.Millisecond)
		if got := mustClaim(t, c, "b", 5, lease); len(got) != 1 || got[0].FeedID != held[1].FeedID {
			t.Fatalf("b claimed %v, want the one a did not renew, %d", claimIDs(got), held[1].FeedID)
		}
		// a stops: its claims go back, due as they were.
		if err := c.Unregister(ctx, "a"); err != nil {
			t.Fatal(err)
		}
		if got := mustClaim(t, c, "b", 5, lease); len(got) != 1 || got[0].FeedID != held[0].FeedID {
			t.Fatalf("after a stopped, b claimed %v, want %d", claimIDs(got), held[0].FeedID)
		}
		if ws, err := c.Workers(ctx); err != nil || len(ws) != 0 {
			t.Fatalf("workers after a stopped: %+v %v", ws, err)
		}
	})
}

func TestClusterLeader(t *testing.T) {
	eachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		clk := &testClock{t: t0}
		c := s.Cluster(clk.Now)
		const lease = 10 * time.Second
		lead := func(w string) bool {
			t.Helper()
			ok, err := c.Lead(ctx, LeaderDigest, w, lease)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		for _, w := range []string{"a", "b"} {
			if err := c.Register(ctx, Worker{ID: w, Host: "h", PID: 1, UserAgent: "ua-" + w}); err != nil {
				t.Fatal(err)
			}
		}
		steps := []struct {
			advance time.Duration
			worker  string
			want    bool
		}{
			{0, "a", true},
			{0, "b", false},
			{6 * time.Second, "a", true}, // renewed until t0+16s
			{6 * time.Second, "b", false},
			{5 * time.Second, "b", true}, // a's expired at t0+16s
			{0, "a", false},
		}
		for i, st := range steps {
			clk.Add(st.advance)
			if got := lead(st.worker); got != st.want {
				t.Fatalf("step %d: %s leads %v, want %v", i, st.worker, got, st.want)
			}
		}
		ws, err := c.Workers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		leaders := map[string]bool{}
		for _, w := range ws {
			leaders[w.ID] = w.Leader
		}
		if !leaders["b"] || leaders["a"] {
			t.Errorf("workers' leader flags %v, want b only", leaders)
		}
		if err := c.Resign(ctx, LeaderDigest, "b"); err != nil {
			t.Fatal(err)
		}
		if !lead("a") {
			t.Errorf("a does not lead after b resigned")
		}
	})
}

// Concurrent claimers each get different feeds: on PostgreSQL the rows
// one claim has locked are skipped by the others, on SQLite claims take
// turns.
func TestClusterConcurrentClaimers(t *testing.T) {
	eachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		c := s.Cluster(nil) // the database's clock
		ids := clusterFeeds(t, s, c, 60)
		var mu sync.Mutex
		got := map[int64][]string{}
		var wg sync.WaitGroup
		errs := make(chan error, 5)
		for w := range 5 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				name := fmt.Sprintf("w%d", w)
				for {
					cs, err := c.ClaimFeeds(ctx, name, 3, time.Hour)
					if err != nil {
						errs <- err
						return
					}
					if len(cs) == 0 {
						return
					}
					mu.Lock()
					for _, cl := range cs {
						got[cl.FeedID] = append(got[cl.FeedID], name)
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		for _, id := range ids {
			if len(got[id]) != 1 {
				t.Errorf("feed %d claimed by %v, want one worker", id, got[id])
			}
		}
		holders, err := c.Holders(ctx)
		if err != nil || len(holders) != len(ids) {
			t.Errorf("holders: %d %v, want %d", len(holders), err, len(ids))
		}
	})
}

// A scheduled time of the leader's job is taken once: only by the worker
// leading unexpired, only while the last run is the one it read, and of
// concurrent takers by one.
func TestClusterRecordRun(t *testing.T) {
	eachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		clk := &testClock{t: t0}
		c := s.Cluster(clk.Now)
		const lease = 10 * time.Second
		if last, err := c.LastRun(ctx, LeaderDigest); err != nil || !last.IsZero() {
			t.Fatalf("last run before any leader: %v %v, want none", last, err)
		}
		if ok, err := c.Lead(ctx, LeaderDigest, "a", lease); err != nil || !ok {
			t.Fatalf("a leads: %v %v", ok, err)
		}
		nine := t0.Add(time.Hour)
		steps := []struct {
			advance   time.Duration
			worker    string
			prev, at  time.Time
			want      bool
			wantAfter time.Time
		}{
			{0, "b", time.Time{}, t0, false, time.Time{}}, // b does not lead
			{0, "a", time.Time{}, t0, true, t0},
			{0, "a", time.Time{}, t0, false, t0},  // taken: the last run is no longer none
			{time.Hour, "a", t0, nine, false, t0}, // a's lease ran out
			{0, "b", t0, nine, false, t0},         // b does not lead yet
			{-1, "b", t0, nine, true, nine},       // -1: b takes the lead first
			{0, "b", t0, nine, false, nine},       // the same time again
			{0, "a", t0, nine, false, nine},       // the old leader, late
			{0, "b", nine, nine.Add(time.Hour), true, nine.Add(time.Hour)},
		}
		for i, st := range steps {
			if st.advance < 0 {
				if ok, err := c.Lead(ctx, LeaderDigest, st.worker, lease); err != nil || !ok {
					t.Fatalf("step %d: %s leads: %v %v", i, st.worker, ok, err)
				}
			} else {
				clk.Add(st.advance)
			}
			got, err := c.RecordRun(ctx, LeaderDigest, st.worker, st.prev, st.at)
			if err != nil {
				t.Fatal(err)
			}
			last, err := c.LastRun(ctx, LeaderDigest)
			if err != nil {
				t.Fatal(err)
			}
			if got != st.want || !last.Equal(st.wantAfter) {
				t.Errorf("step %d: %s takes %v: %v, last run %v; want %v, %v", i, st.worker, st.at, got, last, st.want, st.wantAfter)
			}
		}

		// Concurrent takers of one time (one worker's cron entry and its
		// renewal, say): one only.
		prev := nine.Add(time.Hour)
		var wg sync.WaitGroup
		var mu sync.Mutex
		took := 0
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := c.RecordRun(ctx, LeaderDigest, "b", prev, prev.Add(time.Hour))
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					took++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if took != 1 {
			t.Errorf("%d concurrent takers took the time, want 1", took)
		}
	})
}

// ClaimFeed (`stet once` beside workers) takes one feed whatever its due
// time, only when no live claim holds it, and its save gives the claim
// back with the feed due as it was.
func TestClusterClaimFeed(t *testing.T) {
	eachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		clk := &testClock{t: t0}
		c := s.Cluster(clk.Now)
		const lease = 20 * time.Second
		ids := clusterFeeds(t, s, c, 2)
		held := mustClaim(t, c, "w", 1, lease)
		free := ids[0]
		if free == held[0].FeedID {
			free = ids[1]
		}
		steps := []struct {
			advance time.Duration
			feed    int64
			want    bool
		}{
			{0, held[0].FeedID, false},
			{lease, held[0].FeedID, false},                  // ran out, within the takeover margin
			{TakeoverMargin(lease) + time.Second, -1, true}, // past it: -1 is the held feed
		}
		for i, st := range steps {
			clk.Add(st.advance)
			id := st.feed
			if id < 0 {
				id = held[0].FeedID
			}
			_, ok, err := c.ClaimFeed(ctx, "once", id, lease)
			if err != nil || ok != st.want {
				t.Errorf("step %d: claim of feed %d: %v %v, want %v", i, id, ok, err, st.want)
			}
		}
		// A feed not due: taken all the same, and given back due as it was.
		next := clk.Now().Add(time.Hour)
		if err := c.Done(ctx, mustClaim(t, c, "w", 1, lease)[0], next); err != nil {
			t.Fatal(err)
		}
		cl, ok, err := c.ClaimFeed(ctx, "once", free, lease)
		if err != nil || !ok || !cl.KeepDue || !cl.Due.Equal(next) {
			t.Fatalf("claim of a feed not due: %+v %v %v", cl, ok, err)
		}
		if _, err := s.SaveFetch(ctx, FetchResult{FeedID: free, At: clk.Now(),
			Fetch: &FetchRecord{FeedID: free, At: clk.Now(), Status: 200, NextFetch: clk.Now().Add(time.Minute)}, Claim: &cl}); err != nil {
			t.Fatal(err)
		}
		again, ok, err := c.ClaimFeed(ctx, "check", free, lease)
		if err != nil || !ok || !again.Due.Equal(next) {
			t.Errorf("after the save: %+v %v %v; want the feed free, due at %v", again, ok, err, next)
		}
	})
}
