package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/stet-news/stet/config"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/stet-news/stet/pipeline"
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
		usage:   "stet once [--config FILE] [--recheck] [URL ...]",
		example: "stet once https://example.com/rss.xml",
		run:     cmdOnce,
	})
}

func cmdRun(ctx context.Context, env *Env, args []string) error {
	return withFeeds(ctx, env, "run", args, nil, func(app *App) error {
		if err := app.cfg.CheckSecrets(env.Getenv); err != nil {
			return err // never serve without a usable token
		}
		release, err := lockRun(app.cfg.Database)
		if err != nil {
			return err
		}
		defer release()
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
	app, err := openApp(ctx, env, cf, fs.Args(), true)
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
	var recheck bool
	return withFeeds(ctx, env, "once", args, func(fs *flag.FlagSet) {
		fs.StringVar(&cpuprofile, "cpuprofile", "", "write a CPU profile of the pass to this file (go tool pprof)")
		fs.StringVar(&memprofile, "memprofile", "", "write a heap profile to this file after the pass (go tool pprof)")
		fs.BoolVar(&recheck, "recheck", false, "also recheck every tracked article page now (full_text feeds), not at its planned time")
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
		st, err := app.pipe.Pass(ctx, true)
		if err != nil {
			return err
		}
		if memprofile != "" {
			if err := writeHeapProfile(memprofile); err != nil {
				return err
			}
		}
		app.log.Info("pass done", "pass", st, "duration", time.Since(start).Round(time.Millisecond))
		rounds := 1
		if recheck {
			n, err := app.store.RecheckAllNow(ctx, app.now())
			if err != nil {
				return err
			}
			app.log.Info("rechecking article pages now", "pages", n)
			// Each round takes recheck.budget pages; a bound, so a page
			// that stays due cannot keep the command running.
			rounds = n/max(app.cfg.Recheck.Budget, 1) + 2
		}
		for range rounds {
			if rerr := app.pipe.Rechecks(ctx); rerr != nil {
				app.log.Warn("rechecks", "err", rerr)
				if errors.Is(rerr, pipeline.ErrStore) {
					st.StoreFailed++
				}
				break
			}
			if n, err := app.store.RecheckBacklog(ctx, app.now()); err != nil || n == 0 {
				break
			}
		}
		if st.StoreFailed > 0 {
			// The feeds that failed are logged and recorded; a database
			// that cannot take the results is the operator's to fix.
			return fmt.Errorf("once: the results of %d feed(s) could not be written to the database %s (see the log)", st.StoreFailed, app.cfg.Database)
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

// Daemon runs until ctx is cancelled: the pipeline's schedule (every feed
// on its own, rechecks), the digest on its schedule and its retries, and
// the web server. It returns once the in-flight work is done, so that the
// store can be closed after.
func (a *App) Daemon(ctx context.Context) error {
	if a.store.Postgres() {
		a.log.Info("stet running as a cluster worker", "feeds", len(a.cfg.Feeds), "worker", a.pipe.WorkerID(), "lease", a.cfg.Cluster.Lease, "version", version)
	} else {
		a.log.Info("stet running", "feeds", len(a.cfg.Feeds), "database", a.cfg.Database, "version", version)
	}
	a.logNextDigest()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	srvErr := make(chan error, 1)
	if a.cfg.HTTP.Listen != "" {
		go func() {
			err := a.serveHTTP(ctx)
			cancel() // a server that fails stops the daemon
			srvErr <- err
		}()
	} else {
		srvErr <- nil
	}
	var jobs pipeline.Jobs
	if a.digestEnabled() {
		jobs.Digest = func(ctx context.Context) {
			if _, err := a.SendDigest(ctx, false); err != nil {
				a.log.Error("digest", "err", oneLine(err.Error()))
			}
		}
		jobs.Maintenance = func(ctx context.Context) {
			if err := a.retryDigest(ctx); err != nil {
				a.log.Warn("digest retry failed", "err", oneLine(err.Error()))
			}
		}
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go a.reloadOnHUP(ctx, hup)
	err := a.pipe.Run(ctx, jobs)
	cancel()
	if serr := <-srvErr; err == nil && serr != nil && !errors.Is(serr, context.Canceled) {
		err = serr
	}
	if err != nil {
		return err
	}
	a.log.Info("stopped")
	return nil
}

// reloadOnHUP reads the configuration again on each SIGHUP and hands it to
// the pipeline. A file that does not load is refused with its line, and the
// configuration in force stays.
func (a *App) reloadOnHUP(ctx context.Context, hup <-chan os.Signal) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
		}
		if a.reload == nil {
			continue
		}
		cfg, err := a.reload()
		if err != nil {
			a.log.Error("reload refused; the configuration in force stays", "err", oneLine(err.Error()))
			continue
		}
		if len(cfg.Feeds) == 0 {
			a.log.Error("reload refused: the configuration has no feeds; the configuration in force stays")
			continue
		}
		restart, err := a.pipe.Reload(cfg)
		if err != nil {
			a.log.Error("reload refused; the configuration in force stays", "err", oneLine(err.Error()))
			continue
		}
		if len(restart) > 0 {
			a.log.Warn("reload: these settings changed and take effect at the next restart", "keys", strings.Join(restart, ", "))
		}
	}
}

// logNextDigest says at start when the next digest goes out and where, so
// that a user need not wait a day to learn the schedule is wrong.
func (a *App) logNextDigest() {
	if !a.digestEnabled() {
		a.log.Info("no digest: set digest.to (with smtp.host) or digest.dir to get one")
		return
	}
	loc, err := a.cfg.Location()
	if err != nil {
		return // refused at start already
	}
	sched, err := config.CronParser().Parse(a.cfg.Digest.Schedule)
	if err != nil {
		return
	}
	next := sched.Next(a.now().In(loc))
	to := "the folder " + a.digestDir()
	if a.cfg.SMTP.Host != "" {
		to = strings.Join(a.cfg.Digest.To, ", ") + " via " + a.cfg.SMTP.Host
	}
	a.log.Info("next digest", "at", next.Format("2006-01-02 15:04 MST"), "to", to)
}
