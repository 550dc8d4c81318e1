package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"reflect"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/stet-news/stet/config"
	"github.com/stet-news/stet/store"
)

// nextScheduled is when the feed's schedule next fires after t.
func (p *Pipeline) nextScheduled(fc config.Feed, t time.Time) time.Time {
	sched, err := cron.ParseStandard(p.conf().FeedSchedule(fc))
	if err != nil {
		return time.Time{}
	}
	return sched.Next(t)
}

// NextFetch is when a feed is next fetched, as the daemon plans it: its
// schedule's next time, or the end of its backoff, or never (the zero
// time) when it is gone.
func (p *Pipeline) NextFetch(s store.FeedStatus, now time.Time) time.Time {
	if s.Gone {
		return time.Time{}
	}
	if s.Failures == 0 {
		for _, fc := range p.conf().Feeds {
			if fc.URL == s.URL {
				return p.nextScheduled(fc, now)
			}
		}
	}
	return s.NextFetch
}

// jitterMax bounds the random delay before a scheduled fetch, so feeds that
// share a schedule do not all fire in the same second: a tenth of the
// schedule's period, at most 30 seconds.
func (p *Pipeline) jitterMax(fc config.Feed) time.Duration {
	sched, err := cron.ParseStandard(p.conf().FeedSchedule(fc))
	if err != nil {
		return 0
	}
	next := sched.Next(p.now())
	return min((sched.Next(next).Sub(next))/10, 30*time.Second)
}

// cronLogger adapts slog to robfig/cron's logger. A skipped run (the last
// one of the job still going) is worth a warning: a feed that is always
// skipped is a feed no longer fetched.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) {
	if msg == "skip" {
		l.log.Warn("cron: skipped a run: the previous one is still going", kv...)
		return
	}
	l.log.Debug("cron: "+msg, kv...)
}

func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", err)...)
}

// chain wraps every scheduled job: Recover inside SkipIfStillRunning, so
// that a job that panics releases its slot and runs again next time
// (outside, robfig/cron v3.0.1 leaves the job locked for good).
func chain(l cronLogger) cron.Chain {
	return cron.NewChain(cron.SkipIfStillRunning(l), cron.Recover(l))
}

// Jobs are the scheduled work of the daemon that is not the pipeline's.
type Jobs struct {
	// Digest runs on digest.schedule (in digest.timezone); nil: none.
	Digest func(ctx context.Context)
	// Maintenance runs every minute before the rechecks (retries of a
	// digest that failed); nil: none.
	Maintenance func(ctx context.Context)
}

// Run is the daemon's schedule, until ctx ends: every feed on its cron
// schedule (after a first pass over the feeds that are due), rechecks of
// article pages every minute, and jobs. When ctx ends it stops the
// schedule, lets the work in flight finish within the grace period,
// cancels what is left, and returns once nothing touches the store any
// more: the caller closes it after.
func (p *Pipeline) Run(ctx context.Context, jobs Jobs) error {
	if p.cl != nil {
		return p.runCluster(ctx, jobs)
	}
	cl := cronLogger{p.log}
	c := cron.New(cron.WithChain(chain(cl).Then), cron.WithLogger(cl))
	p.sched.Lock()
	p.sched.c, p.sched.ctx, p.sched.entries = c, ctx, map[string]feedEntry{}
	cfg := p.conf()
	for _, fc := range cfg.Feeds {
		if err := p.scheduleFeed(fc.URL, cfg.FeedSchedule(fc)); err != nil {
			p.sched.Unlock()
			return err
		}
	}
	p.sched.Unlock()
	if jobs.Digest != nil {
		spec := p.conf().Digest.Schedule
		if tz := p.conf().Digest.Timezone; tz != "" {
			spec = "CRON_TZ=" + tz + " " + spec
		}
		if _, err := c.AddFunc(spec, func() {
			if ctx.Err() == nil {
				jobs.Digest(ctx)
			}
		}); err != nil {
			return fmt.Errorf("pipeline: digest.schedule %q: %w", p.conf().Digest.Schedule, err)
		}
	}
	if _, err := c.AddFunc("@every 1m", func() { p.maintenance(ctx, jobs.Maintenance) }); err != nil {
		return err
	}
	c.Start()
	// A first pass right away for feeds that are due, so a new daemon does
	// not sit idle until the first scheduled time.
	first := make(chan struct{})
	go func() {
		defer close(first)
		st, err := p.Pass(ctx, false)
		if err != nil && ctx.Err() == nil {
			p.log.Error("first pass", "err", err)
			return
		}
		p.log.Info("first pass done", "pass", st)
	}()

	<-ctx.Done()
	p.log.Info("stopping: letting in-flight work finish", "grace", p.grace)
	stopped := c.Stop() // no new runs; done when the running ones return
	drained := make(chan bool, 1)
	go func() { drained <- p.Drain(p.grace) }()
	<-first // its feeds in flight are the drain's to wait for
	if !<-drained {
		p.log.Warn("stopping: in-flight work did not finish within the grace period; cancelled")
	}
	// What else runs (a digest being sent) has seen ctx end.
	select {
	case <-stopped.Done():
	case <-time.After(p.grace):
		p.log.Warn("stopping: a scheduled job did not return in time")
	}
	return nil
}

// feedEntry is a feed's place in the cron schedule.
type feedEntry struct {
	id   cron.EntryID
	spec string
}

// scheduleFeed adds the cron entry of the feed configured with url; the
// caller holds p.sched. The entry looks the feed up when it fires, so a
// reload that changes only its name or full_text needs no new entry.
func (p *Pipeline) scheduleFeed(url, spec string) error {
	ctx := p.sched.ctx
	id, err := p.sched.c.AddFunc(spec, func() {
		for _, fc := range p.conf().Feeds {
			if fc.URL == url {
				p.scheduledFetch(ctx, fc)
				return
			}
		}
	})
	if err != nil {
		return fmt.Errorf("pipeline: feed %s: schedule %q: %w", url, spec, err)
	}
	p.sched.entries[url] = feedEntry{id: id, spec: spec}
	return nil
}

// Reload takes up cfg while Run runs (SIGHUP): feeds added are scheduled
// and fetched now when due, feeds removed are unscheduled (their history
// stays), changed schedules take effect; names and full_text are read at
// each fetch. The keys it cannot change without a restart (the database,
// the web server, mail, fetch limits, the digest's schedule) are returned
// when they differ, and keep their old values.
func (p *Pipeline) Reload(cfg config.Config) (restart []string, err error) {
	old := p.conf()
	if cfg.Database != old.Database {
		restart = append(restart, "database")
	}
	if !reflect.DeepEqual(cfg.HTTP, old.HTTP) {
		restart = append(restart, "http")
	}
	if !reflect.DeepEqual(cfg.SMTP, old.SMTP) {
		restart = append(restart, "smtp")
	}
	if !reflect.DeepEqual(cfg.Fetch, old.Fetch) {
		restart = append(restart, "fetch")
	}
	if !reflect.DeepEqual(cfg.Digest, old.Digest) {
		restart = append(restart, "digest")
	}
	if !reflect.DeepEqual(cfg.Cluster, old.Cluster) {
		restart = append(restart, "cluster")
	}
	// What needs a restart keeps its value, so that the process stays
	// what its start made it.
	cfg.Database, cfg.HTTP, cfg.SMTP, cfg.Fetch, cfg.Digest = old.Database, old.HTTP, old.SMTP, old.Fetch, old.Digest
	cfg.Cluster = old.Cluster

	p.sched.Lock()
	defer p.sched.Unlock()
	if p.sched.c == nil {
		p.cfgp.Store(&cfg) // not running: the next Run schedules it
		return restart, nil
	}
	want := map[string]string{}
	for _, fc := range cfg.Feeds {
		want[fc.URL] = cfg.FeedSchedule(fc)
	}
	// Check every new schedule before changing anything.
	for u, spec := range want {
		if _, err := config.CronParser().Parse(spec); err != nil {
			return nil, fmt.Errorf("pipeline: reload: feed %s: schedule %q: %w", u, spec, err)
		}
	}
	p.cfgp.Store(&cfg)
	if p.cl != nil {
		// A worker has no entry per feed: feeds added get a lease row,
		// due now; schedules are read at each fetch.
		if err := p.syncClusterFeeds(p.sched.ctx, &cfg); err != nil {
			return restart, fmt.Errorf("pipeline: reload: %w", err)
		}
		p.log.Info("configuration reloaded", "feeds", len(cfg.Feeds))
		return restart, nil
	}
	var added, removed, moved int
	prev := maps.Clone(p.sched.entries)
	for u, e := range p.sched.entries {
		if spec, ok := want[u]; !ok || spec != e.spec {
			p.sched.c.Remove(e.id)
			delete(p.sched.entries, u)
			if !ok {
				removed++
			} else {
				moved++
			}
		}
	}
	for _, fc := range cfg.Feeds {
		if _, ok := p.sched.entries[fc.URL]; ok {
			continue
		}
		if err := p.scheduleFeed(fc.URL, want[fc.URL]); err != nil {
			return nil, err
		}
		if _, had := prev[fc.URL]; !had {
			added++
			go p.scheduledFetch(p.sched.ctx, fc) // a feed added is due now
		}
	}
	p.log.Info("configuration reloaded", "feeds", len(cfg.Feeds), "added", added, "removed", removed, "rescheduled", moved)
	return restart, nil
}

// scheduledFetch is one cron firing for a feed.
func (p *Pipeline) scheduledFetch(ctx context.Context, fc config.Feed) {
	if j := p.jitterMax(fc); j > 0 {
		select {
		case <-time.After(time.Duration(rand.Int64N(int64(j)))):
		case <-ctx.Done():
			return
		}
	}
	if ctx.Err() != nil {
		return
	}
	sf, err := p.store.FeedByURL(ctx, fc.URL)
	if errors.Is(err, store.ErrNotFound) {
		sf, err = p.store.EnsureFeed(ctx, fc.URL, fc.Name)
	}
	if err != nil {
		p.log.Error("feed state", "feed", fc.URL, "err", err)
		return
	}
	if sf.Gone {
		return
	}
	if sf.Failures > 0 && sf.NextFetch.After(p.now()) {
		p.log.Debug("feed backing off", "feed", fc.URL, "until", fmtTime(sf.NextFetch))
		return
	}
	p.FetchFeed(ctx, fc, sf)
}

// maintenance runs every minute: the caller's job, then the rechecks.
func (p *Pipeline) maintenance(ctx context.Context, job func(context.Context)) {
	if ctx.Err() != nil {
		return
	}
	if job != nil {
		job(ctx)
	}
	if err := p.Rechecks(ctx); err != nil {
		p.log.Warn("rechecks", "err", oneLine(err.Error()))
	}
}
