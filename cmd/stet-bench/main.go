// Command stet-bench measures stet at scale: it serves a farm of generated
// feeds on 127.0.0.1, drives the real stet binary through a first pass, an
// unchanged pass (every feed answers 304) and a pass after edits, checks
// the recorded changes against the edits made, and prints one table.
//
//	go run ./cmd/stet-bench [--sizes 200x50,2000x50,10000x20] [--edit-share 0.1]
//	                        [--workers 8] [--seed 1] [--keep] [--json FILE]
//	                        [--database postgres://USER@HOST:PORT/DB]
//
// For each size F×I it generates F feeds (three in five RSS 2.0, two in
// five Atom) of I articles each from the seed, builds ./cmd/stet (or takes
// --stet), writes a configuration with fetch.allow (loopback), fetch.workers
// and fetch.per_host (equal to workers: every feed is on one host), and
// times `stet once` three times on a fresh database:
//
//   - first pass: every item is new (items/s);
//   - unchanged pass: every feed answers 304 (feeds/s);
//   - after editing --edit-share of the articles, in turn a reworded quote
//     (expect quote_edited for the speaker), a replaced title (expect
//     title_changed for the person) and a changed number outside quotes and
//     titles (a revision, no change): changed articles/s, then recall and
//     precision of `stet changes --json` against the edits.
//
// Each pass is also given against the floor: the same requests made
// in-process with net/http at the same concurrency, bodies thrown away
// (best of three). Peak RSS is stet's own, measured through a helper
// process (see measure.go). Stored bytes per revision are the database and
// WAL sizes over the revisions `stet status --json` counts; raw bytes are
// the generated headline and text.
//
// With --database URL the passes run on PostgreSQL instead of a SQLite
// file: each size on a fresh database created on that server (the role
// must be allowed to create databases; the password from PGPASSWORD),
// dropped afterwards unless --keep. Bytes per revision are then
// pg_database_size (tables, indexes, TOAST and the system catalogs, not the
// server's WAL) over the revisions, and the revisions table alone
// (pg_total_relation_size('revisions'): heap, TOAST, indexes) is given too;
// on SQLite, the pages of the revisions table and its indexes (dbstat). CPU seconds and the load average are
// printed because the machine may be shared: on a busy machine the CPU
// figures are steadier than the wall-clock ones.
//
// Before the passes, --check articles go through `stet extract` and `stet
// diff` to show that stet sees the generated quotes, speakers and titles.
//
// To profile the passes, give --cpuprofile DIR: each `stet once` writes a
// CPU profile of its pass there, and its live heap after the pass.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/stet-news/stet/internal/farm"
)

type options struct {
	sizes      [][2]int
	editShare  float64
	workers    int
	perHost    int
	seed       uint64
	keep       bool
	jsonOut    string
	stetBin    string
	tags       string
	timeout    time.Duration
	maxTime    time.Duration
	check      int
	floorOnly  bool
	godebug    string
	cpuprofile string
	database   string // a PostgreSQL server's URL; "" means a SQLite file
}

func parseSizes(s string) ([][2]int, error) {
	var out [][2]int
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		a, b, ok := strings.Cut(strings.ToLower(part), "x")
		f, err1 := strconv.Atoi(a)
		i, err2 := strconv.Atoi(b)
		if !ok || err1 != nil || err2 != nil || f < 1 || i < 1 || f > 100000 || i > 1000 {
			return nil, fmt.Errorf("bad size %q: want FEEDSxITEMS, e.g. 2000x50 (at most 100000x1000)", part)
		}
		out = append(out, [2]int{f, i})
	}
	if len(out) == 0 {
		return nil, errors.New("no sizes")
	}
	return out, nil
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == measureArg {
		measureMain(os.Args[2:])
		return
	}
	var o options
	fs := flag.NewFlagSet("stet-bench", flag.ContinueOnError)
	sizes := fs.String("sizes", "200x50,2000x50,10000x20", "comma-separated FEEDSxITEMS sizes")
	fs.Float64Var(&o.editShare, "edit-share", 0.1, "share of articles edited before the third pass")
	fs.IntVar(&o.workers, "workers", 8, "stet's fetch.workers, and the floor's concurrency")
	fs.IntVar(&o.perHost, "per-host", 0, "stet's fetch.per_host (0: equal to --workers, since every feed is on one host)")
	seed := fs.Uint64("seed", 1, "seed of the generated articles and edits")
	fs.BoolVar(&o.keep, "keep", false, "keep the temporary directory (configs, databases, samples)")
	fs.StringVar(&o.jsonOut, "json", "", "also write the report as JSON to this file")
	fs.StringVar(&o.stetBin, "stet", "", "use this stet binary instead of building ./cmd/stet")
	fs.StringVar(&o.tags, "tags", "", "build tags for go build ./cmd/stet")
	fs.DurationVar(&o.timeout, "timeout", 20*time.Minute, "limit on each stet command")
	fs.DurationVar(&o.maxTime, "max-time", 2*time.Hour, "limit on the whole run; the farm stops by then")
	fs.IntVar(&o.check, "check", 12, "articles run through stet extract and stet diff before the passes (0: none)")
	fs.BoolVar(&o.floorOnly, "floor-only", false, "measure only the farm and the floor, without stet")
	fs.StringVar(&o.godebug, "godebug", "", "GODEBUG for stet's passes (e.g. gctrace=1; output goes to stderr)")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "folder for CPU profiles (.prof) and live heaps after (.heap) of each pass, written by stet once --cpuprofile and --memprofile (go tool pprof -top FILE)")
	fs.StringVar(&o.database, "database", "", "run on PostgreSQL: a postgres:// URL of a server where the role may create databases (each size gets a fresh one); default a SQLite file in the temporary directory")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if o.database != "" && !isPostgresURL(o.database) {
		fmt.Fprintln(os.Stderr, "stet-bench: --database must be a postgres:// or postgresql:// URL (without it, a SQLite file is used)")
		os.Exit(2)
	}
	var err error
	if o.sizes, err = parseSizes(*sizes); err != nil {
		fmt.Fprintln(os.Stderr, "stet-bench: --sizes:", err)
		os.Exit(2)
	}
	if o.workers < 1 || o.workers > 1024 || o.editShare < 0 || o.editShare > 1 {
		fmt.Fprintln(os.Stderr, "stet-bench: --workers must be 1..1024 and --edit-share 0..1")
		os.Exit(2)
	}
	if o.perHost <= 0 {
		o.perHost = o.workers
	}
	o.seed = *seed

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, o.maxTime)
	defer cancel()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "stet-bench:", err)
		os.Exit(1)
	}
}

// redactArgs is the command line with any password in a URL hidden.
func redactArgs(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = a
		if k := strings.Index(a, "postgres"); k >= 0 && strings.Contains(a, "://") {
			out[i] = a[:k] + redactURL(a[k:])
		}
	}
	return strings.Join(out, " ")
}

func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(URL)"
	}
	return u.Redacted()
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s  "+format+"\n", append([]any{time.Now().UTC().Format("15:04:05")}, args...)...)
}

func run(ctx context.Context, o options) error {
	tmp, err := os.MkdirTemp("", "stet-bench-")
	if err != nil {
		return err
	}
	if o.keep {
		logf("keeping %s", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	rep := &Report{When: time.Now().UTC(), Machine: machine(), Command: redactArgs(os.Args),
		Seed: o.seed, EditShare: o.editShare, Workers: o.workers, PerHost: o.perHost, Store: "sqlite"}
	if o.database != "" {
		rep.Store = "postgres"
	}

	s := &stet{bin: o.stetBin, timeout: o.timeout}
	if o.godebug != "" {
		s.env = []string{"GODEBUG=" + o.godebug}
	}
	if !o.floorOnly {
		if s.bin == "" {
			wd, _ := os.Getwd()
			root, err := repoRoot(wd)
			if err != nil {
				return err
			}
			s.bin = filepath.Join(tmp, "stet")
			logf("building ./cmd/stet")
			if err := buildStet(ctx, root, s.bin, o.tags); err != nil {
				return err
			}
		}
		if err := s.hasOnce(ctx); err != nil {
			return err
		}
		if o.check > 0 {
			arts := sampleArticles(o.seed, o.sizes[0][0], o.sizes[0][1], o.check)
			if sc, err := s.checkExtract(ctx, tmp, arts); err != nil {
				logf("extract check skipped: %v", err)
			} else {
				rep.Extract = &sc
			}
			if sc, err := s.checkDiff(ctx, tmp, o.seed, arts); err != nil {
				logf("diff check skipped: %v", err)
			} else {
				rep.Diff = &sc
			}
		}
	}
	for _, size := range o.sizes {
		if ctx.Err() != nil {
			break
		}
		row := runSize(ctx, o, s, tmp, size[0], size[1])
		rep.Rows = append(rep.Rows, row)
		if row.Err != "" {
			logf("%d×%d: %s", size[0], size[1], row.Err)
		}
	}
	printTable(os.Stdout, rep)
	if o.jsonOut != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(o.jsonOut, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// runSize runs the three passes at one size against a fresh farm and a
// fresh database.
func runSize(ctx context.Context, o options, s *stet, tmp string, F, I int) Row {
	row := Row{Feeds: F, ItemsPerFeed: I, Items: F * I}
	fail := func(err error) Row {
		row.Err = err.Error()
		return row
	}
	dir := filepath.Join(tmp, fmt.Sprintf("%dx%d", F, I))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fail(err)
	}
	start := time.Now()
	fm := farm.New(o.seed, F, I)
	if err := fm.Start(ctx, o.maxTime); err != nil {
		return fail(err)
	}
	defer fm.Close()
	logf("%d×%d: farm of %d items generated in %s, raw text %.0f B per article", F, I, F*I, time.Since(start).Round(time.Millisecond), fm.RawPerRevision())
	urls := make([]string, F)
	for f := range F {
		urls[f] = fm.URL(f)
	}
	etags := func() []string {
		e := make([]string, F)
		for f := range F {
			e[f] = fm.ETag(f)
		}
		return e
	}
	db := filepath.Join(dir, "bench.db")
	if o.database != "" {
		var drop func()
		var err error
		if db, drop, err = createDatabase(ctx, o.database); err != nil {
			return fail(err)
		}
		if o.keep {
			logf("%d×%d: keeping database %s", F, I, redactURL(db))
		} else {
			defer drop()
		}
	}
	ss := *s
	ss.cfg, ss.db = filepath.Join(dir, "stet.yaml"), db
	if err := writeConfig(ss.cfg, db, urls, o.workers, o.perHost); err != nil {
		return fail(err)
	}

	// First pass: everything is new.
	row.Load = loadAvg()
	fl1, err := floorBest(ctx, urls, nil, o.workers, 3)
	if err != nil {
		return fail(err)
	}
	logf("%d×%d: floor, full bodies: %s (%.0f MB)", F, I, fl1.Wall.Round(time.Millisecond), mb(fl1.Bytes))
	if o.floorOnly {
		row.First = newPass("items", F*I, passResult{}, fl1)
		fl2, err := floorBest(ctx, urls, etags(), o.workers, 3)
		if err != nil {
			return fail(err)
		}
		logf("%d×%d: floor, 304s: %s", F, I, fl2.Wall.Round(time.Millisecond))
		row.Unchanged = newPass("feeds", F, passResult{}, fl2)
		return row
	}
	p1, err := ss.once(ctx, passLog(o, dir, "first"), passProfile(o, dir, "first"))
	if err != nil {
		return fail(err)
	}
	row.First = newPass("items", F*I, p1, fl1)
	st, err := ss.status(ctx)
	if err != nil {
		return fail(err)
	}
	row.First.Feeds = st.statusString()
	logf("%d×%d: first pass %s (cpu %.1fs, rss %.0f MB, wal ≤ %.0f MB): %d articles, %d revisions, feeds %s", F, I, p1.Wall.Round(time.Millisecond), p1.CPU, mb(p1.MaxRSS), mb(p1.MaxWAL), st.Articles, st.Revisions, row.First.Feeds)
	if st.ErrorCount > 0 {
		logf("%d×%d: %d feeds failed, e.g. %s", F, I, st.ErrorCount, strings.Join(st.Errors, "; "))
	}

	// Unchanged pass: every feed answers 304.
	before := etags()
	fl2, err := floorBest(ctx, urls, before, o.workers, 3)
	if err != nil {
		return fail(err)
	}
	n304 := fm.Served304.Load()
	p2, err := ss.once(ctx, passLog(o, dir, "unchanged"), passProfile(o, dir, "unchanged"))
	if err != nil {
		return fail(err)
	}
	row.Unchanged = newPass("feeds", F, p2, fl2)
	if st, err = ss.status(ctx); err != nil {
		return fail(err)
	}
	row.Unchanged.Feeds = st.statusString()
	logf("%d×%d: unchanged pass %s (cpu %.1fs, rss %.0f MB, floor %s): farm answered %d×304, feeds %s", F, I, p2.Wall.Round(time.Millisecond), p2.CPU, mb(p2.MaxRSS), fl2.Wall.Round(time.Millisecond), fm.Served304.Load()-n304, row.Unchanged.Feeds)

	// Edited pass.
	edits, err := fm.Edit(o.editShare)
	if err != nil {
		return fail(err)
	}
	row.EditedArticles = len(edits)
	fl3, err := floorBest(ctx, urls, before, o.workers, 3)
	if err != nil {
		return fail(err)
	}
	p3, err := ss.once(ctx, passLog(o, dir, "edited"), passProfile(o, dir, "edited"))
	if err != nil {
		return fail(err)
	}
	row.Edited = newPass("changed articles", len(edits), p3, fl3)
	got, err := ss.changes(ctx)
	if err != nil {
		return fail(err)
	}
	row.Score = farm.Compare(edits, got)
	row.Recall, row.Precision = row.Score.Recall(), row.Score.Precision()
	if st, err = ss.status(ctx); err != nil {
		return fail(err)
	}
	row.Edited.Feeds = st.statusString()
	logf("%d×%d: edited pass %s (cpu %.1fs, rss %.0f MB, wal ≤ %.0f MB): %d edits, %d changes reported, recall %.3f, precision %.3f", F, I, p3.Wall.Round(time.Millisecond), p3.CPU, mb(p3.MaxRSS), mb(p3.MaxWAL), len(edits), len(got), row.Recall, row.Precision)
	if o.keep {
		if b, err := json.MarshalIndent(edits, "", " "); err == nil {
			os.WriteFile(filepath.Join(dir, "edits.json"), b, 0o644) //nolint:errcheck // a debugging aid
		}
	}

	// Storage.
	row.RevisionsStored = st.Revisions
	row.RevisionsExpected = fm.Versions()
	if o.database != "" {
		pg, err := measurePG(ctx, db)
		if err != nil {
			return fail(err)
		}
		row.DBBytes = pg.DatabaseBytes
		if pg.Revisions > 0 {
			row.RevisionsTableBytesPerRevision = float64(pg.RevisionsBytes) / float64(pg.Revisions)
		}
	} else {
		for _, name := range []string{db, db + "-wal"} {
			if fi, err := os.Stat(name); err == nil {
				row.DBBytes += fi.Size()
			}
		}
		if n, err := sqliteRevisionsBytes(ctx, db); err != nil {
			logf("%d×%d: %v", F, I, err)
		} else if st.Revisions > 0 {
			row.RevisionsTableBytesPerRevision = float64(n) / float64(st.Revisions)
		}
	}
	if st.Revisions > 0 {
		row.BytesPerRevision = float64(row.DBBytes) / float64(st.Revisions)
	}
	row.RawPerRevision = fm.RawPerRevision()
	if row.RawPerRevision > 0 {
		row.StoredOverRaw = row.BytesPerRevision / row.RawPerRevision
	}
	row.PeakRSSMB = max(row.First.MaxRSSMB, row.Unchanged.MaxRSSMB, row.Edited.MaxRSSMB)
	return row
}

// passLog is where a pass's standard error is kept: only with --keep.
// passProfile is where stet writes the CPU profile of a pass, with
// --cpuprofile DIR: DIR/<size>-<pass>.prof.
func passProfile(o options, dir, name string) string {
	if o.cpuprofile == "" {
		return ""
	}
	return filepath.Join(o.cpuprofile, filepath.Base(dir)+"-"+name+".prof")
}

func passLog(o options, dir, name string) string {
	if !o.keep {
		return ""
	}
	return filepath.Join(dir, name+".stderr")
}
