package main

import (
	"context"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/stet-news/stet/config"
	"github.com/stet-news/stet/feeds"
	"github.com/stet-news/stet/metrics"
	"github.com/stet-news/stet/pipeline"
	"github.com/stet-news/stet/store"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// commonFlags are the flags every command that reads the configuration takes.
type commonFlags struct {
	config    string
	logFormat string
	logLevel  string
}

func addCommonFlags(fs *flag.FlagSet) *commonFlags {
	cf := &commonFlags{}
	fs.StringVar(&cf.config, "config", "", "configuration file (YAML); optional when feed URLs are given")
	fs.StringVar(&cf.logFormat, "log-format", "text", "log format on standard error: text or json")
	fs.StringVar(&cf.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	return cf
}

func (cf *commonFlags) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cf.logLevel)); err != nil {
		return nil, usageError("--log-level: %v", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch cf.logFormat {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, usageError("--log-format must be text or json, not %q", cf.logFormat)
}

// loadConfig reads the configuration file named by the flags (or the
// defaults) and adds feeds given as arguments.
func (cf *commonFlags) loadConfig(env *Env, urls []string) (config.Config, error) {
	cfg := config.Default()
	if cf.config != "" {
		c, err := config.Load(cf.config)
		if err != nil {
			return cfg, err
		}
		cfg = c
		if w := config.CheckPermissions(cf.config); w != "" {
			fmt.Fprintf(env.Stderr, "stet: warning: %s\n", w)
		}
		for _, w := range cfg.Deprecations() {
			fmt.Fprintf(env.Stderr, "stet: warning: %s\n", w)
		}
	}
	if err := cfg.AddURLs(urls); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// App is stet wired together: configuration, store, logger, and the
// pipeline that processes feeds into the store.
type App struct {
	cfg   config.Config
	store *store.Store
	pipe  *pipeline.Pipeline
	log   *slog.Logger
	env   *Env
	now   func() time.Time

	rootCAs *x509.CertPool // for SMTP over TLS; nil: the system's
	metrics *metrics.Metrics
	// reload reads the configuration again as the command line gave it
	// (SIGHUP); nil for an app built without a command line.
	reload func() (config.Config, error)
}

// openApp loads the configuration and opens the database: a missing one
// is created when create is set (run, once), an error otherwise, so that a
// command that reads never leaves an empty database behind.
func openApp(ctx context.Context, env *Env, cf *commonFlags, urls []string, create bool) (*App, error) {
	log, err := cf.logger(env.Stderr)
	if err != nil {
		return nil, err
	}
	cfg, err := cf.loadConfig(env, urls)
	if err != nil {
		return nil, err
	}
	reload := func() (config.Config, error) { return cf.loadConfig(env, urls) }
	if !create {
		// Opening (and migrating) is not interrupted half-way by a signal.
		st, err := store.OpenExisting(context.WithoutCancel(ctx), cfg.Database)
		if err != nil {
			return nil, err
		}
		a := wire(env, cfg, log, st)
		a.reload = reload
		return a, nil
	}
	a, err := newApp(ctx, env, cfg, log)
	if err != nil {
		return nil, err
	}
	a.reload = reload
	return a, nil
}

func newApp(ctx context.Context, env *Env, cfg config.Config, log *slog.Logger) (*App, error) {
	if dir := filepath.Dir(cfg.Database); dir != "" && !store.IsPostgres(cfg.Database) {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("database directory: %w", err)
		}
	}
	// Opening (and migrating) is not interrupted half-way by a signal.
	st, err := store.Open(context.WithoutCancel(ctx), cfg.Database)
	if err != nil {
		return nil, err
	}
	return wire(env, cfg, log, st), nil
}

// wire builds the app around an open store.
func wire(env *Env, cfg config.Config, log *slog.Logger, st *store.Store) *App {
	f := cfg.Fetch
	ua := f.UserAgent
	if ua == "" {
		ua = feeds.UserAgent(version)
	}
	if cfg.SMTP.Username != "" && cfg.SMTP.PasswordEnv != "" && cfg.Password(env.Getenv) == "" {
		log.Warn("smtp.password_env names a variable that is not set: digests will fail to authenticate", "variable", cfg.SMTP.PasswordEnv)
	}
	fetcher := feeds.NewFetcher(feeds.Options{
		UserAgent:      ua,
		MaxBody:        int64(f.MaxBody),
		Timeout:        time.Duration(f.Timeout),
		ConnectTimeout: time.Duration(f.ConnectTimeout),
		HeaderTimeout:  time.Duration(f.HeaderTimeout),
		PerHost:        f.PerHost,
		Allow:          f.AllowList(),
		MaxItems:       f.MaxItems,
		Now:            env.Now,
	})
	m := metrics.New()
	opts := pipeline.Options{Config: cfg, Store: st, Fetcher: fetcher, Now: env.Now, Log: log, Metrics: m}
	if st.Postgres() {
		// Every stet run on one PostgreSQL database is a worker of one
		// cluster, timed by the database's clock.
		opts.Cluster = st.Cluster(nil)
	}
	pipe := pipeline.New(opts)
	return &App{cfg: cfg, store: st, pipe: pipe, log: log, env: env, now: env.Now, metrics: m}
}

func (a *App) Close() error { return a.store.Close() }

// buildInfo returns the version, the VCS commit and the Go version.
func buildInfo() (ver, commit, goVersion string) {
	ver, commit, goVersion = version, "unknown", "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		goVersion = bi.GoVersion
		if ver == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			ver = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				commit = s.Value
			}
			if s.Key == "vcs.modified" && s.Value == "true" {
				commit += "-dirty"
			}
		}
	}
	return ver, commit, goVersion
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func truncate(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
