package pipeline

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/stet-news/stet/config"
	"github.com/stet-news/stet/store"
)

// A cluster worker (issue 19): every `stet run` on the same PostgreSQL
// database is one. Instead of a cron entry per feed, a worker pulls: while
// one of its fetch slots (fetch.workers) is free it claims due feeds in the
// database (at most as many as it has free slots), fetches and saves each
// through the same steps as the single daemon (FetchFeed, Prepare, diff,
// SaveFetch), and the save gives the feed back, due at its schedule's next
// time after the claim. Claims are renewed every lease/3 while the worker
// lives; a worker that dies leaves its claims to expire after the lease,
// and the others take them then. One worker at a time holds the digest's
// leader lease: it alone sends the digest and rechecks article pages.

// ClusterStore is what a cluster worker needs of the store besides Store;
// *store.Cluster is the one there is.
type ClusterStore interface {
	Register(ctx context.Context, w store.Worker) error
	Unregister(ctx context.Context, worker string) error
	AddFeeds(ctx context.Context, feeds []store.FeedRef) (map[string]int64, error)
	DropFeed(ctx context.Context, feedID int64) error
	ClaimFeeds(ctx context.Context, worker string, n int, lease time.Duration) ([]store.Claim, error)
	ClaimFeed(ctx context.Context, worker string, feedID int64, lease time.Duration) (store.Claim, bool, error)
	Renew(ctx context.Context, worker string, claims []store.Claim, lease time.Duration) (int, error)
	Release(ctx context.Context, cl store.Claim) error
	Done(ctx context.Context, cl store.Claim, next time.Time) error
	NextDue(ctx context.Context, worker string, lease time.Duration) (time.Duration, error)
	Lead(ctx context.Context, name, worker string, lease time.Duration) (bool, error)
	LastRun(ctx context.Context, name string) (time.Time, error)
	RecordRun(ctx context.Context, name, worker string, prev, at time.Time) (bool, error)
	Resign(ctx context.Context, name, worker string) error
	Holders(ctx context.Context) (map[int64]string, error)
	Workers(ctx context.Context) ([]store.Worker, error)
}

// clusterState is a worker's part of the Pipeline.
type clusterState struct {
	cs   ClusterStore
	id   string
	poll time.Duration

	mu     sync.Mutex
	runCtx context.Context       // Run's
	feeds  map[int64]config.Feed // configured feeds by store ID
	// lead is the context of the leader's work, cancelled when the lease
	// is lost; nil while another worker leads.
	lead       context.Context
	cancelLead context.CancelFunc

	held    map[int64]store.Claim // claims being worked on, renewed
	orphans []store.Claim         // claims whose release failed, released again

	claims sync.WaitGroup // claimed feeds being handled
	freed  chan struct{}  // a fetch slot came free
	// digestKick asks the digest loop to look whether a digest is due.
	digestKick chan struct{}
	// maintEvery is how often the leader runs the maintenance job and
	// the rechecks: a minute (tests shorten it).
	maintEvery time.Duration
}

func newClusterState(o Options) *clusterState {
	c := &clusterState{cs: o.Cluster, id: o.WorkerID, poll: o.ClusterPoll, freed: make(chan struct{}, 1), digestKick: make(chan struct{}, 1), held: map[int64]store.Claim{}}
	if c.id == "" {
		host, _ := os.Hostname()
		var b [3]byte
		_, _ = rand.Read(b[:])
		c.id = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
	}
	if c.poll <= 0 {
		c.poll = time.Second
	}
	c.maintEvery = time.Minute
	return c
}

// WorkerID is the name of this worker in the cluster ("" when the pipeline
// is no cluster worker).
func (p *Pipeline) WorkerID() string {
	if p.cl == nil {
		return ""
	}
	return p.cl.id
}

// lease is cluster.lease.
func (p *Pipeline) lease() time.Duration {
	if l := time.Duration(p.conf().Cluster.Lease); l > 0 {
		return l
	}
	return 30 * time.Second
}

// runCluster is Run for a cluster worker.
func (p *Pipeline) runCluster(ctx context.Context, jobs Jobs) error {
	c := p.cl
	cfg := p.conf()
	host, _ := os.Hostname()
	if err := c.cs.Register(ctx, store.Worker{ID: c.id, Host: host, PID: os.Getpid(), UserAgent: cfg.Fetch.UserAgent}); err != nil {
		return p.storeErr(err, true)
	}
	if err := p.syncClusterFeeds(ctx, cfg); err != nil {
		_ = c.cs.Unregister(context.WithoutCancel(ctx), c.id) // best effort: the row would only linger in stet status
		return err
	}
	p.releaseStopped(ctx)
	p.log.Info("cluster worker started", "worker", c.id, "lease", p.lease(), "slots", max(cfg.Fetch.Workers, 1))

	// The digest and the rechecks keep their cron times; only the leader
	// does them.
	cl := cronLogger{p.log}
	cr := cron.New(cron.WithChain(chain(cl).Then), cron.WithLogger(cl))
	p.sched.Lock()
	p.sched.c, p.sched.ctx, p.sched.entries = cr, ctx, map[string]feedEntry{}
	p.sched.Unlock()
	c.mu.Lock()
	c.runCtx = ctx
	c.mu.Unlock()
	digestDone := make(chan struct{})
	if jobs.Digest != nil {
		spec := cfg.Digest.Schedule
		if tz := cfg.Digest.Timezone; tz != "" {
			spec = "CRON_TZ=" + tz + " " + spec
		}
		sched, err := config.CronParser().Parse(spec)
		if err != nil {
			return fmt.Errorf("pipeline: digest.schedule %q: %w", cfg.Digest.Schedule, err)
		}
		// On time: the cron entry; a leader that took over after the
		// time: its renewals (keepLeases). Both only kick the loop, which
		// runs the digest when its time is past and not yet run.
		if _, err := cr.AddFunc(spec, c.kickDigest); err != nil {
			return fmt.Errorf("pipeline: digest.schedule %q: %w", cfg.Digest.Schedule, err)
		}
		go func() { defer close(digestDone); p.digestLoop(ctx, sched, jobs.Digest) }()
	} else {
		close(digestDone)
	}
	if _, err := cr.AddFunc(fmt.Sprintf("@every %s", c.maintEvery), func() {
		if lctx := c.leading(); lctx != nil {
			p.maintenance(lctx, jobs.Maintenance)
		}
	}); err != nil {
		return err
	}

	// Claims are renewed until the work in flight is done, after ctx.
	kctx, stopKeeping := context.WithCancel(context.WithoutCancel(ctx))
	kept := make(chan struct{})
	p.keepLeases(kctx) // the leader lease at once, before the first claim
	go func() { defer close(kept); p.keepLoop(kctx) }()
	cr.Start()

	p.pull(ctx)

	p.log.Info("stopping: letting in-flight work finish", "grace", p.grace)
	stopped := cr.Stop()
	c.stopLeading()
	select { // a digest being sent has the leader's context: cancelled
	case <-digestDone:
	case <-time.After(p.grace):
		p.log.Warn("stopping: the digest did not return in time")
	}
	if !p.Drain(p.grace) {
		p.log.Warn("stopping: in-flight work did not finish within the grace period; cancelled")
	}
	c.claims.Wait()
	stopKeeping()
	<-kept
	// What is still held (a fetch cancelled past the grace period) goes
	// back, due as it was: the others take it at once.
	if err := c.cs.Unregister(context.WithoutCancel(ctx), c.id); err != nil {
		p.log.Warn("stopping: could not give back this worker's claims; they expire after the lease", "err", oneLine(err.Error()))
	}
	select {
	case <-stopped.Done():
	case <-time.After(p.grace):
		p.log.Warn("stopping: a scheduled job did not return in time")
	}
	return nil
}

// syncClusterFeeds gives every configured feed a row in the store and a
// lease row (due now when new: a new worker fetches due feeds at once),
// and drops the lease rows of feeds that left the configuration.
func (p *Pipeline) syncClusterFeeds(ctx context.Context, cfg *config.Config) error {
	c := p.cl
	refs := make([]store.FeedRef, len(cfg.Feeds))
	for i, fc := range cfg.Feeds {
		refs[i] = store.FeedRef{URL: fc.URL, Name: fc.Name}
	}
	ids, err := c.cs.AddFeeds(ctx, refs)
	if err != nil {
		return p.storeErr(err, true)
	}
	feeds := make(map[int64]config.Feed, len(cfg.Feeds))
	for _, fc := range cfg.Feeds {
		feeds[ids[fc.URL]] = fc
	}
	c.mu.Lock()
	old := c.feeds
	c.feeds = feeds
	c.mu.Unlock()
	for id := range old {
		if _, ok := feeds[id]; !ok {
			if err := c.cs.DropFeed(ctx, id); err != nil {
				return p.storeErr(err, true)
			}
		}
	}
	return nil
}

// feed is the configured feed of a store ID.
func (c *clusterState) feed(id int64) (config.Feed, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fc, ok := c.feeds[id]
	return fc, ok
}

// leading is the context of the leader's work, nil when not leading.
func (c *clusterState) leading() context.Context {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lead
}

func (c *clusterState) stopLeading() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cancelLead != nil {
		c.cancelLead()
	}
	c.lead, c.cancelLead = nil, nil
}

// keepLoop renews the claims and the leader lease every lease/3 until ctx
// ends.
func (p *Pipeline) keepLoop(ctx context.Context) {
	t := time.NewTicker(max(p.lease()/3, time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		p.keepLeases(ctx)
	}
}

// keepLeases renews this worker's claims and heartbeat, and takes or
// renews the digest's leader lease. A lease it cannot renew (the database
// out of reach included) counts as lost: its work stops.
func (p *Pipeline) keepLeases(ctx context.Context) {
	c := p.cl
	lease := p.lease()
	c.mu.Lock()
	held := make([]store.Claim, 0, len(c.held))
	for _, cl := range c.held {
		held = append(held, cl)
	}
	orphans := c.orphans
	c.orphans = nil
	c.mu.Unlock()
	if _, err := c.cs.Renew(ctx, c.id, held, lease); err != nil && ctx.Err() == nil {
		p.log.Warn("cluster: could not renew this worker's claims", "err", oneLine(err.Error()))
	}
	for _, cl := range orphans {
		p.giveBack(ctx, cl)
	}
	ok, err := c.cs.Lead(ctx, store.LeaderDigest, c.id, lease)
	if err != nil && ctx.Err() == nil {
		p.log.Warn("cluster: could not renew the leader lease", "err", oneLine(err.Error()))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case ok && c.lead == nil && c.runCtx != nil && c.runCtx.Err() == nil:
		c.lead, c.cancelLead = context.WithCancel(c.runCtx)
		p.log.Info("cluster: this worker leads: it sends the digest and rechecks pages", "worker", c.id)
	case !ok && c.lead != nil:
		c.cancelLead()
		c.lead, c.cancelLead = nil, nil
		p.log.Info("cluster: this worker no longer leads", "worker", c.id)
	}
	if c.lead != nil {
		// A digest time the previous leader did not live to run is run
		// now, within a third of a lease of taking the lead.
		c.kickDigestLocked()
	}
}

func (c *clusterState) kickDigest() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.kickDigestLocked()
}

func (c *clusterState) kickDigestLocked() {
	select {
	case c.digestKick <- struct{}{}:
	default:
	}
}

// digestLoop runs the digest, one at a time, when kicked and due, until
// ctx ends.
func (p *Pipeline) digestLoop(ctx context.Context, sched cron.Schedule, run func(context.Context)) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-p.cl.digestKick:
		}
		p.digestIfDue(sched, run)
	}
}

// digestIfDue runs the digest when this worker leads and the schedule's
// next time after the last run (by any worker) is past: on time, or late
// when the worker that led at the time died before it (a day's digest is
// never missed; several missed times make one digest, as it holds every
// change not yet sent).
//
// The run is taken in the database before it starts (RecordRun): only
// while this worker holds the leader lease unexpired and the last run is
// still the one read, in one statement. So two workers that lead one
// after the other (the first stalled past its lease and woke) cannot both
// take a time, nor can this worker's cron entry and its renewal. Should
// two runs happen all the same, the digest's own queue sends each change
// once: CreateDigest links a change to a digest only while it is in none
// (in one transaction), so a second run finds nothing unsent and creates
// no digest, and a digest already sent is no longer open. What a second
// run could still mail is a second empty digest under digest.send_empty,
// which the taken time prevents.
//
// The schedule is read with this worker's clock; the workers' clocks
// should agree to a few seconds (a skewed leader sends a little early or
// late, never twice).
func (p *Pipeline) digestIfDue(sched cron.Schedule, run func(context.Context)) {
	c := p.cl
	lctx := c.leading()
	if lctx == nil {
		return
	}
	last, err := c.cs.LastRun(lctx, store.LeaderDigest)
	if err != nil {
		if lctx.Err() == nil {
			p.log.Warn("cluster: when did the digest last run", "err", oneLine(err.Error()))
		}
		return
	}
	now := p.now()
	if last.IsZero() {
		// The cluster's first leader: the schedule starts now (a new
		// database sends no digest at once, as the single daemon does
		// not).
		if _, err := c.cs.RecordRun(lctx, store.LeaderDigest, c.id, last, now); err != nil && lctx.Err() == nil {
			p.log.Warn("cluster: record the digest's schedule", "err", oneLine(err.Error()))
		}
		return
	}
	due := sched.Next(last)
	if due.After(now) {
		return
	}
	ok, err := c.cs.RecordRun(lctx, store.LeaderDigest, c.id, last, now)
	if err != nil {
		if lctx.Err() == nil {
			p.log.Warn("cluster: take the digest's time", "err", oneLine(err.Error()))
		}
		return
	}
	if !ok {
		return // another leader took it, or the lead is lost
	}
	if late := now.Sub(due); late > time.Minute {
		p.log.Info("cluster: the digest's time passed without a digest (its leader stopped): this worker sends it now",
			"due", due, "late", late.Round(time.Second))
	}
	run(lctx)
}

// pull claims due feeds while a fetch slot is free, until ctx ends.
func (p *Pipeline) pull(ctx context.Context) {
	c := p.cl
	slots := max(p.conf().Fetch.Workers, 1)
	var mu sync.Mutex
	busy := 0
	timer := time.NewTimer(0)
	defer timer.Stop()
	for ctx.Err() == nil {
		mu.Lock()
		free := slots - busy
		mu.Unlock()
		got := 0
		wait := c.poll
		if free > 0 {
			// Look first (a read), claim only when something is due: idle
			// workers take no write lock.
			d, err := c.cs.NextDue(ctx, c.id, p.lease())
			if err != nil && ctx.Err() == nil {
				p.log.Warn("cluster: look for due feeds", "err", oneLine(err.Error()))
			}
			if err == nil && d > 0 {
				free = 0
				wait = min(wait, d)
			}
		}
		if free > 0 {
			claims, err := c.cs.ClaimFeeds(ctx, c.id, free, p.lease())
			if err != nil && ctx.Err() == nil {
				p.log.Warn("cluster: claim due feeds", "err", oneLine(err.Error()))
			}
			got = len(claims)
			mu.Lock()
			busy += got
			mu.Unlock()
			for _, cl := range claims {
				c.claims.Add(1)
				c.mu.Lock()
				c.held[cl.FeedID] = cl
				c.mu.Unlock()
				go func() {
					defer c.claims.Done()
					p.fetchClaimed(ctx, cl)
					c.mu.Lock()
					delete(c.held, cl.FeedID)
					c.mu.Unlock()
					mu.Lock()
					busy--
					mu.Unlock()
					select {
					case c.freed <- struct{}{}:
					default:
					}
				}()
			}
			if got == free {
				continue // perhaps more are due: claim when a slot frees
			}
			// Due but not claimed: being saved by another worker (its
			// row locked), or taken just before. Look again shortly.
			wait = max(c.poll/50, time.Millisecond)
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
		case <-c.freed:
			if !timer.Stop() {
				<-timer.C
			}
		case <-timer.C:
		}
	}
}

// fetchClaimed fetches and saves one claimed feed; the save gives the
// claim back. A claim it cannot use goes back as it was.
func (p *Pipeline) fetchClaimed(ctx context.Context, cl store.Claim) {
	c := p.cl
	sctx := context.WithoutCancel(ctx)
	fc, ok := c.feed(cl.FeedID)
	if !ok {
		// Not (or no more) configured: no worker fetches it.
		p.log.Info("cluster: a feed no longer configured; no worker fetches it", "feed_id", cl.FeedID)
		if err := c.cs.DropFeed(sctx, cl.FeedID); err != nil {
			p.log.Warn("cluster: drop a feed that left the configuration", "feed_id", cl.FeedID, "err", oneLine(err.Error()))
			p.orphan(cl)
		}
		return
	}
	sf, err := p.store.FeedByURL(sctx, fc.URL)
	if err != nil {
		p.log.Error("feed state", "feed", fc.URL, "err", err)
		p.giveBack(sctx, cl)
		return
	}
	if sf.Gone {
		if err := c.cs.Done(sctx, cl, time.Time{}); err != nil && !errors.Is(err, store.ErrLeaseLost) {
			p.log.Warn("cluster: release a gone feed", "feed", fc.URL, "err", oneLine(err.Error()))
			p.orphan(cl)
		}
		return
	}
	res := p.fetchFeed(ctx, fc, sf, nil, &cl)
	switch {
	case res.Err == nil:
	case errors.Is(res.Err, store.ErrLeaseLost):
		p.log.Warn("cluster: the claim on the feed expired and another worker took it; nothing of this fetch was stored",
			"feed", fc.URL, "worker", c.id)
	case errors.Is(res.Err, ErrStopped):
		p.giveBack(sctx, cl)
	default:
		// A failed fetch saved its backoff and gave the claim back; a
		// failed save (or a panic) did not: it is tried again in a minute.
		if err := c.cs.Done(sctx, cl, p.now().Add(time.Minute)); err != nil && !errors.Is(err, store.ErrLeaseLost) {
			p.log.Warn("cluster: release the feed", "feed", fc.URL, "err", oneLine(err.Error()))
			p.orphan(cl)
		}
	}
}

// giveBack returns a claim unused, the feed due as it was; when that
// fails, it is tried again at the next renewal.
func (p *Pipeline) giveBack(ctx context.Context, cl store.Claim) {
	if err := p.cl.cs.Release(ctx, cl); err != nil {
		p.log.Warn("cluster: give back a feed; tried again in a third of a lease", "feed_id", cl.FeedID, "err", oneLine(err.Error()))
		p.orphan(cl)
	}
}

// orphan keeps a claim whose release failed, to release it at the next
// renewal: a worker never takes over its own claim, and no longer renews
// it, so without a release it would wait for another worker.
func (p *Pipeline) orphan(cl store.Claim) {
	p.cl.mu.Lock()
	p.cl.orphans = append(p.cl.orphans, cl)
	p.cl.mu.Unlock()
}

// claimForPass claims a feed for a pass on a cluster's database (none
// otherwise: nil); held when a worker holds it.
func (p *Pipeline) claimForPass(ctx context.Context, sf store.Feed) (cl *store.Claim, held bool, err error) {
	c := p.cl
	if c == nil {
		return nil, false, nil
	}
	got, ok, err := c.cs.ClaimFeed(ctx, c.id, sf.ID, p.lease())
	if err != nil {
		err = p.storeErr(err, true)
		p.log.Error("claim the feed", "feed", sf.URL, "err", oneLine(err.Error()))
		return nil, false, err
	}
	if !ok {
		p.log.Info("a cluster worker is fetching the feed; skipped", "feed", sf.URL)
		return nil, true, nil
	}
	c.mu.Lock()
	c.held[got.FeedID] = got
	c.mu.Unlock()
	return &got, false, nil
}

// passDone ends a pass's claim: the save gave it back, or (a 304 written
// with the batch, a fetch stopped, a failed save) it goes back now, the
// feed due as it was. Giving back a claim no longer held changes nothing.
func (p *Pipeline) passDone(ctx context.Context, cl store.Claim) {
	c := p.cl
	c.mu.Lock()
	delete(c.held, cl.FeedID)
	c.mu.Unlock()
	if err := c.cs.Release(context.WithoutCancel(ctx), cl); err != nil {
		p.log.Warn("cluster: give back a feed; it waits for the lease to run out", "feed_id", cl.FeedID, "err", oneLine(err.Error()))
	}
}

// renewLoop renews the claims of a pass every lease/3 until ctx ends: a
// fetch slower than the lease keeps its feed.
func (p *Pipeline) renewLoop(ctx context.Context) {
	c := p.cl
	lease := p.lease()
	t := time.NewTicker(max(lease/3, time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		c.mu.Lock()
		held := make([]store.Claim, 0, len(c.held))
		for _, cl := range c.held {
			held = append(held, cl)
		}
		c.mu.Unlock()
		if _, err := c.cs.Renew(ctx, c.id, held, lease); err != nil && ctx.Err() == nil {
			p.log.Warn("cluster: could not renew the pass's claims", "err", oneLine(err.Error()))
		}
	}
}
