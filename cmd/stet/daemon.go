package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/stet-news/stet/config"
	"github.com/stet-news/stet/store"
)

func init() {
	register(&command{
		name:    "run",
		summary: "the daemon: fetch each feed on its schedule, record changes, send the digest",
		usage:   "stet run [--config FILE] [URL ...]",
		example: "stet run --config /etc/stet/config.yaml",
		run:     cmdRun,
	})
	register(&command{
		name:    "once",
		summary: "one pass over every feed, then exit",
		usage:   "stet once [--config FILE] [URL ...]",
		example: "stet once https://example.com/rss.xml",
		run:     cmdOnce,
	})
}

func cmdRun(ctx context.Context, env *Env, args []string) error {
	return withFeeds(ctx, env, "run", args, nil, func(app *App) error {
		if err := app.cfg.CheckSecrets(env.Getenv); err != nil {
			return err // never serve without a usable token
		}
		return app.Daemon(ctx)
	})
}

// withFeeds opens the app for a command that takes feed URLs as arguments
// and needs at least one feed, and runs fn.
func withFeeds(ctx context.Context, env *Env, name string, args []string, extra func(*flag.FlagSet), fn func(*App) error) error {
	fs := newFlagSet(commands[name], env)
	cf := addCommonFlags(fs)
	if extra != nil {
		extra(fs)
	}
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	app, err := openApp(ctx, env, cf, fs.Args())
	if err != nil {
		return err
	}
	defer app.Close()
	if len(app.cfg.Feeds) == 0 {
		return usageError("no feeds: give feed URLs as arguments or a --config file with feeds")
	}
	return fn(app)
}

func cmdOnce(ctx context.Context, env *Env, args []string) error {
	var cpuprofile, memprofile string
	return withFeeds(ctx, env, "once", args, func(fs *flag.FlagSet) {
		fs.StringVar(&cpuprofile, "cpuprofile", "", "write a CPU profile of the pass to this file (go tool pprof)")
		fs.StringVar(&memprofile, "memprofile", "", "write a heap profile to this file after the pass (go tool pprof)")
	}, func(app *App) error {
		if cpuprofile != "" {
			f, err := os.Create(cpuprofile)
			if err != nil {
				return err
			}
			defer f.Close()
			if err := pprof.StartCPUProfile(f); err != nil {
				return err
			}
			defer pprof.StopCPUProfile()
		}
		start := time.Now()
		st, err := app.Pass(ctx, true)
		if err != nil {
			return err
		}
		if memprofile != "" {
			if err := writeHeapProfile(memprofile); err != nil {
				return err
			}
		}
		app.log.Info("pass done", "feeds", st.Feeds, "failed", st.Failed, "not_modified", st.NotModified,
			"items", st.Items, "new_articles", st.NewArticles, "new_revisions", st.Revisions, "changes", st.Changes,
			"duration", time.Since(start).Round(time.Millisecond))
		if rerr := app.Rechecks(ctx); rerr != nil {
			app.log.Warn("rechecks", "err", rerr)
		}
		return nil
	})
}

// writeHeapProfile writes the live heap (after a collection) to path.
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// cronLogger adapts slog to robfig/cron's logger.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", err)...)
}

// jitterMax bounds the random delay before a scheduled fetch, so feeds that
// share a schedule do not all fire in the same second: a tenth of the
// schedule's period, at most 30 seconds.
func (a *App) jitterMax(fc config.Feed) time.Duration {
	sched, err := cron.ParseStandard(a.cfg.FeedSchedule(fc))
	if err != nil {
		return 0
	}
	next := sched.Next(a.now())
	return min((sched.Next(next).Sub(next))/10, 30*time.Second)
}

// Daemon runs until ctx is cancelled: every feed on its schedule, the digest
// on its own, retries of a failed digest, and rechecks of articles that left
// their feed. In-flight fetches finish before it returns.
func (a *App) Daemon(ctx context.Context) error {
	cl := cronLogger{a.log}
	c := cron.New(cron.WithChain(cron.Recover(cl), cron.SkipIfStillRunning(cl)), cron.WithLogger(cl))
	for _, fc := range a.cfg.Feeds {
		fc := fc
		spec := a.cfg.FeedSchedule(fc)
		if _, err := c.AddFunc(spec, func() { a.scheduledFetch(ctx, fc) }); err != nil {
			return fmt.Errorf("feed %s: schedule %q: %w", fc.URL, spec, err)
		}
	}
	if a.digestEnabled() {
		spec := a.cfg.Digest.Schedule
		if tz := a.cfg.Digest.Timezone; tz != "" {
			spec = "CRON_TZ=" + tz + " " + spec
		}
		if _, err := c.AddFunc(spec, func() { a.scheduledDigest(ctx) }); err != nil {
			return fmt.Errorf("digest.schedule %q: %w", a.cfg.Digest.Schedule, err)
		}
	}
	if _, err := c.AddFunc("@every 1m", func() { a.maintenance(ctx) }); err != nil {
		return err
	}
	a.log.Info("stet running", "feeds", len(a.cfg.Feeds), "database", a.cfg.Database, "version", version)

	srvErr := make(chan error, 1)
	if a.cfg.HTTP.Listen != "" {
		go func() { srvErr <- a.serveHTTP(ctx) }()
	}

	c.Start()
	// A first pass right away for feeds that are due, so a new daemon does
	// not sit idle until the first scheduled time.
	go func() {
		if _, err := a.Pass(ctx, false); err != nil && ctx.Err() == nil {
			a.log.Error("first pass", "err", err)
		}
	}()

	var err error
	select {
	case <-ctx.Done():
	case err = <-srvErr:
	}
	a.log.Info("stopping: letting in-flight work finish")
	stopped := c.Stop()
	select {
	case <-stopped.Done():
	case <-time.After(2 * time.Minute):
		a.log.Warn("stopping: in-flight work did not finish in time")
	}
	a.waitIdle(30 * time.Second)
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	a.log.Info("stopped")
	return nil
}

// waitIdle waits until no feed is being fetched, at most d.
func (a *App) waitIdle(d time.Duration) {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		a.mu.Lock()
		n := len(a.running)
		a.mu.Unlock()
		if n == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// scheduledFetch is one cron firing for a feed.
func (a *App) scheduledFetch(ctx context.Context, fc config.Feed) {
	if j := a.jitterMax(fc); j > 0 {
		select {
		case <-time.After(time.Duration(rand.Int64N(int64(j)))):
		case <-ctx.Done():
			return
		}
	}
	if ctx.Err() != nil {
		return
	}
	sf, err := a.store.FeedByURL(ctx, fc.URL)
	if errors.Is(err, store.ErrNotFound) {
		sf, err = a.store.EnsureFeed(ctx, fc.URL, fc.Name)
	}
	if err != nil {
		a.log.Error("feed state", "feed", fc.URL, "err", err)
		return
	}
	if sf.Gone {
		return
	}
	if sf.Failures > 0 && sf.NextFetch.After(a.now()) {
		a.log.Debug("feed backing off", "feed", fc.URL, "until", fmtTime(sf.NextFetch))
		return
	}
	a.FetchFeed(ctx, fc, sf)
}

// maintenance runs every minute: digest retries and rechecks.
func (a *App) maintenance(ctx context.Context) {
	if ctx.Err() != nil {
		return
	}
	if a.digestEnabled() {
		if err := a.retryDigest(ctx); err != nil {
			a.log.Warn("digest retry failed", "err", oneLine(err.Error()))
		}
	}
	if err := a.Rechecks(ctx); err != nil {
		a.log.Warn("rechecks", "err", oneLine(err.Error()))
	}
}

func (a *App) scheduledDigest(ctx context.Context) {
	if ctx.Err() != nil {
		return
	}
	if _, err := a.SendDigest(ctx, false); err != nil {
		a.log.Error("digest", "err", oneLine(err.Error()))
	}
}
