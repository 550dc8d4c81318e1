package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"github.com/stet-news/stet/diff"
	"github.com/stet-news/stet/digest"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/stet-news/stet/change"
	"github.com/stet-news/stet/store"
)

func init() {
	register(&command{name: "status", summary: "one row per feed: last fetch, result, articles, revisions, next fetch",
		usage: "stet status [--config FILE] [--json] [--long]", example: "stet status --json", run: cmdStatus})
	register(&command{name: "changes", summary: "the recorded changes, newest last",
		usage:   "stet changes [--config FILE] [--since DURATION] [--feed URL|NAME] [--kind KIND] [--person NAME] [--long] [--json]",
		example: "stet changes --since 24h --kind quote_edited", run: cmdChanges})
	register(&command{name: "digest", summary: "preview or send the digest of changes not yet sent",
		usage: "stet digest [--config FILE] --preview | --send", example: "stet digest --preview", run: cmdDigest})
	register(&command{name: "export", summary: "every stored revision as JSON lines, oldest first",
		usage: "stet export [--config FILE]", example: "stet export > revisions.jsonl", run: cmdExport})
	register(&command{name: "backup", summary: "a consistent copy of the SQLite database, also while the daemon runs (PostgreSQL: pg_dump)",
		usage: "stet backup [--config FILE] FILE", example: "stet backup /var/backups/stet-$(date +%F).db", run: cmdBackup})
	register(&command{name: "check", summary: "integrity and invariant checks of the database",
		usage: "stet check [--config FILE]", example: "stet check", run: cmdCheck})
	register(&command{name: "vacuum", summary: "apply the retention settings, recompress old revisions, compact the database (SQLite; PostgreSQL compacts itself)",
		usage: "stet vacuum [--config FILE]", example: "stet vacuum --config /etc/stet/config.yaml", run: cmdVacuum})
	register(&command{name: "version", summary: "version, commit and Go version",
		usage: "stet version", example: "stet version", run: cmdVersion})
}

// withApp parses the common flags (plus extra ones set by the caller),
// opens the app, and runs fn.
func withApp(ctx context.Context, env *Env, name string, args []string, extra func(*commonFlagSet), fn func(*App, []string) error) error {
	c := commands[name]
	fs := newFlagSet(c, env)
	cf := addCommonFlags(fs)
	// These commands take no feed URLs: the file (or the default
	// database) is what they read.
	fs.Lookup("config").Usage = "configuration file (YAML); without it, the default database"
	if extra != nil {
		extra(&commonFlagSet{fs})
	}
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	app, err := openApp(ctx, env, cf, nil, false)
	if err != nil {
		return err
	}
	defer app.Close()
	return fn(app, fs.Args())
}

type commonFlagSet struct{ *flag.FlagSet }

func noArgs(rest []string) error {
	if len(rest) > 0 {
		return usageError("unexpected argument %q", rest[0])
	}
	return nil
}

// statusRow is one line of `stet status --json`, as in /api/feeds.
// statusRow is one feed in `stet status --json` (the contract's fields,
// then ours).
type statusRow struct {
	Feed        string `json:"feed"`
	URL         string `json:"url"`
	Name        string `json:"name,omitempty"`  // configured
	Title       string `json:"title,omitempty"` // the feed's own
	Articles    int    `json:"articles"`
	Revisions   int    `json:"revisions"`
	LastFetch   string `json:"last_fetch"`
	LastStatus  int    `json:"last_status"`
	LastError   string `json:"last_error"`
	NextFetch   string `json:"next_fetch"`
	NextRecheck string `json:"next_recheck,omitempty"` // the earliest planned recheck of an article page
	Failures    int    `json:"failures"`
	Gone        bool   `json:"gone"`
	// Worker holds a live claim on the feed (PostgreSQL: the worker
	// fetching it now); "" when none.
	Worker string `json:"worker,omitempty"`

	display string
}

func (a *App) statusRows(ctx context.Context) ([]statusRow, error) {
	sts, err := a.store.FeedStatuses(ctx)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, f := range a.cfg.Feeds {
		names[f.URL] = f.Name
	}
	var holders map[int64]string
	if a.store.Postgres() {
		if holders, err = a.store.Cluster(nil).Holders(ctx); err != nil {
			return nil, err
		}
	}
	now := a.now()
	rows := make([]statusRow, 0, len(sts))
	for _, s := range sts {
		if n := names[s.URL]; n != "" {
			s.Name = n
		}
		next := a.pipe.NextFetch(s, now)
		rows = append(rows, statusRow{Feed: s.URL, URL: s.FetchURL, Name: s.Name, Title: s.Site.Title,
			Articles: s.Articles, Revisions: s.Revisions,
			LastFetch: fmtTime(s.LastFetch), LastStatus: s.LastStatus, LastError: s.LastError, NextFetch: fmtTime(next),
			NextRecheck: fmtTime(s.NextRecheck), Failures: s.Failures, Gone: s.Gone, Worker: holders[s.ID], display: s.DisplayName()})
	}
	return rows, nil
}

func cmdStatus(ctx context.Context, env *Env, args []string) error {
	var asJSON, long bool
	return withApp(ctx, env, "status", args, func(fs *commonFlagSet) {
		fs.BoolVar(&asJSON, "json", false, "one JSON object per line")
		fs.BoolVar(&long, "long", false, "whole errors and each feed's URL")
	}, func(a *App, rest []string) error {
		if err := noArgs(rest); err != nil {
			return err
		}
		rows, err := a.statusRows(ctx)
		if err != nil {
			return err
		}
		if asJSON {
			enc := json.NewEncoder(env.Stdout)
			for _, r := range rows {
				if err := enc.Encode(r); err != nil {
					return err
				}
			}
			return nil
		}
		// A PostgreSQL database has workers, on any machine, and no
		// lock here to look at: they are listed from the database.
		if a.store.Postgres() {
			if err := a.workersStatus(ctx, env.Stdout); err != nil {
				return err
			}
		} else if pid, ok := daemonPID(a.cfg.Database); ok {
			fmt.Fprintf(env.Stdout, "daemon: running (pid %d)\n\n", pid)
		} else {
			fmt.Fprintf(env.Stdout, "daemon: not running on this database\n\n")
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
		head := "FEED\tLAST FETCH\tRESULT\tARTICLES\tREVISIONS\tNEXT FETCH\tNEXT RECHECK"
		// Which worker fetches the feed now, as --json's worker: only a
		// PostgreSQL database has workers.
		workers := a.store.Postgres()
		if workers {
			head += "\tWORKER"
		}
		if long {
			head += "\tURL"
		}
		fmt.Fprintln(tw, head)
		for _, r := range rows {
			result := "ok"
			switch {
			case r.Gone:
				result = "gone (410): stopped"
			case r.LastError != "" && long:
				result = causeFirst(r.LastError)
			case r.LastError != "":
				result = truncate(causeFirst(r.LastError), 60)
			case r.LastFetch == "":
				result = "not fetched yet"
			case r.LastStatus != 0:
				result = strconv.Itoa(r.LastStatus)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\t%s", truncate(r.display, 40), orDash(r.LastFetch), result,
				r.Articles, r.Revisions, orDash(r.NextFetch), orDash(r.NextRecheck))
			if workers {
				fmt.Fprintf(tw, "\t%s", orDash(r.Worker))
			}
			if long {
				u := r.Feed
				if r.URL != r.Feed {
					u += " → " + r.URL
				}
				fmt.Fprintf(tw, "\t%s", u)
			}
			fmt.Fprintln(tw)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		st, err := a.store.Stats(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "\ndatabase %s: %s, %s, %s, %s\n", a.cfg.Database, humanBytes(st.DBBytes),
			plural(st.Articles, "article", "articles"), plural(st.Revisions, "revision", "revisions"), plural(st.Changes, "change", "changes"))
		if st.TextBytes > 0 {
			fmt.Fprintf(env.Stdout, "revision text: %s stored as %s (%.2f×)\n", humanBytes(st.TextBytes), humanBytes(st.StoredBytes),
				float64(st.StoredBytes)/float64(st.TextBytes))
		}
		if n, err := a.store.RecheckBacklog(ctx, a.now()); err == nil && n > 0 {
			fmt.Fprintf(env.Stdout, "recheck backlog: %s due\n", plural(n, "article page", "article pages"))
		}
		return a.digestStatus(ctx, env.Stdout)
	})
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// parseSince reads a duration such as 90m, 24h or 7d.
func parseSince(s string) (time.Duration, error) {
	if strings.HasSuffix(s, "d") {
		n, err := strconv.ParseFloat(strings.TrimSuffix(s, "d"), 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("bad duration %q", s)
		}
		return time.Duration(n * float64(24*time.Hour)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("bad duration %q (use e.g. 90m, 24h, 7d)", s)
	}
	return d, nil
}

func cmdChanges(ctx context.Context, env *Env, args []string) error {
	var (
		asJSON, long            bool
		since, feed, kind, pers string
		article                 int64
		limit                   int
	)
	return withApp(ctx, env, "changes", args, func(fs *commonFlagSet) {
		fs.BoolVar(&asJSON, "json", false, "one JSON object per line")
		fs.BoolVar(&long, "long", false, "the whole text of each change, not the words around what changed")
		fs.StringVar(&since, "since", "", "only changes found within this long ago (e.g. 24h, 7d)")
		fs.StringVar(&feed, "feed", "", "only changes of this feed: its URL, name or title")
		fs.StringVar(&kind, "kind", "", "only changes of this kind: quote, title, headline, or one of "+strings.Join(change.Kinds, ", "))
		fs.StringVar(&pers, "person", "", "only changes concerning this person (part of the name, any case)")
		fs.Int64Var(&article, "article", 0, "only changes of this article id")
		fs.IntVar(&limit, "limit", 0, "at most this many changes, the newest (0: all)")
	}, func(a *App, rest []string) error {
		if err := noArgs(rest); err != nil {
			return err
		}
		f := store.ChangeFilter{Person: pers, ArticleID: article}
		if since != "" {
			d, err := parseSince(since)
			if err != nil {
				return usageError("--since: %v", err)
			}
			f.Since = a.now().Add(-d)
		}
		if kind != "" {
			kinds, ok := change.Expand(kind)
			if !ok {
				return usageError("--kind: unknown kind %q (quote, title, headline, or one of %s)", kind, strings.Join(change.Kinds, ", "))
			}
			f.Kinds = kinds
		}
		if feed != "" {
			u, err := a.findFeed(ctx, feed)
			if err != nil {
				return err
			}
			f.FeedURL = u
		}
		if limit > 0 {
			f.Limit, f.Desc = limit, true
		}
		rows, err := a.store.Changes(ctx, f)
		if err != nil {
			return err
		}
		if f.Desc { // newest last
			for i, j := 0, len(rows)-1; i < j; i, j = i+1, j-1 {
				rows[i], rows[j] = rows[j], rows[i]
			}
		}
		if asJSON {
			enc := json.NewEncoder(env.Stdout)
			for _, c := range rows {
				if err := enc.Encode(c.JSON()); err != nil {
					return err
				}
			}
			return nil
		}
		if len(rows) == 0 {
			fmt.Fprintln(env.Stdout, "no changes recorded")
			return nil
		}
		for i, c := range rows {
			if i > 0 {
				fmt.Fprintln(env.Stdout)
			}
			writeChange(env.Stdout, c, long)
		}
		return nil
	})
}

// findFeed reads --feed: a URL of a stored feed, or a feed's name or own
// title (any case). An unknown one is an error, not "no changes".
func (a *App) findFeed(ctx context.Context, v string) (string, error) {
	fs, err := a.store.Feeds(ctx)
	if err != nil {
		return "", err
	}
	names := map[string]string{}
	for _, f := range a.cfg.Feeds {
		names[f.URL] = f.Name
	}
	var match []string
	for _, f := range fs {
		if f.URL == v || f.FetchURL == v {
			return f.URL, nil
		}
		if n := names[f.URL]; n != "" {
			f.Name = n
		}
		if strings.EqualFold(f.Name, v) || strings.EqualFold(f.Site.Title, v) {
			match = append(match, f.URL)
		}
	}
	switch len(match) {
	case 1:
		return match[0], nil
	case 0:
		return "", fmt.Errorf("--feed: no feed has the URL, name or title %q (stet status lists them)", v)
	}
	return "", fmt.Errorf("--feed: %d feeds are named %q: give the URL (%s)", len(match), v, strings.Join(match, ", "))
}

// contextRunes is how much unchanged text `stet changes` keeps on each
// side of a change without --long.
const contextRunes = 50

// writeChange writes one change for people: when, what, who, which
// article, then the text with the changed words marked as the digest marks
// them ([-removed-] {+added+}).
func writeChange(w io.Writer, c store.ChangeRow, long bool) {
	who := c.Person
	if who == "" && c.Kind != diff.HeadlineChanged {
		who = "(unnamed)"
	}
	fmt.Fprintf(w, "%s  %s", c.DetectedAt.Local().Format("2006-01-02 15:04"), change.Label(c.Kind))
	if who != "" {
		fmt.Fprintf(w, "  %s", who)
	}
	fmt.Fprintf(w, "  #%d %s\n", c.ArticleID, truncate(c.Headline, 60))
	var text string
	switch c.Kind {
	case diff.QuoteReattributed:
		text = fmt.Sprintf("%s → %s: “%s”", orDash(c.Before), orDash(c.After), c.Quote)
		if !long {
			text = fmt.Sprintf("%s → %s: “%s”", orDash(c.Before), orDash(c.After), truncate(c.Quote, 2*contextRunes))
		}
	default:
		ps := change.Spaced(change.Mark(c.Before, c.After))
		if !long {
			ps = trimContext(ps, contextRunes)
		}
		text = change.Bracketed(ps)
		if strings.HasPrefix(c.Kind, "quote_") {
			text = "“" + text + "”"
		}
	}
	fmt.Fprintf(w, "  %s\n", text)
}

// trimContext cuts the unchanged runs of marked text to n runes next to
// each change ("…" where it cut), so the changed words are always shown.
func trimContext(ps []change.Piece, n int) []change.Piece {
	out := make([]change.Piece, 0, len(ps))
	for i, p := range ps {
		if p.Kind != diff.OpEqual {
			out = append(out, p)
			continue
		}
		r := []rune(p.Text)
		first, last := i == 0, i == len(ps)-1
		switch {
		case first && last:
			// unchanged whole: nothing to centre on
		case first && len(r) > n:
			p.Text = "…" + string(r[len(r)-n:])
		case last && len(r) > n:
			p.Text = string(r[:n]) + "…"
		case !first && !last && len(r) > 2*n:
			p.Text = string(r[:n]) + " … " + string(r[len(r)-n:])
		}
		out = append(out, p)
	}
	return out
}

func cmdDigest(ctx context.Context, env *Env, args []string) error {
	var preview, send bool
	return withApp(ctx, env, "digest", args, func(fs *commonFlagSet) {
		fs.BoolVar(&preview, "preview", false, "print the message that would be sent now; send and mark nothing")
		fs.BoolVar(&send, "send", false, "build the digest of every change not yet sent and send it now")
	}, func(a *App, rest []string) error {
		if err := noArgs(rest); err != nil {
			return err
		}
		if preview == send {
			return usageError("give exactly one of --preview and --send")
		}
		if preview {
			msg, err := a.PreviewDigest(ctx)
			if err != nil {
				return err
			}
			_, err = env.Stdout.Write(msg.Bytes)
			return err
		}
		_, err := a.SendDigest(ctx, false) // it logs what it sent, or that there was nothing
		if errors.Is(err, digest.ErrInFlight) {
			// A stet that stopped during DATA may have delivered it: the
			// same Message-ID goes again once smtp.timeout has passed
			// (clients fold the copies), which --send waits for.
			wait := time.Duration(a.cfg.SMTP.Timeout)
			if wait <= 0 {
				wait = 30 * time.Second
			}
			a.log.Warn("a digest was being sent when a stet process stopped; sending it again with the same Message-ID after smtp.timeout", "wait", wait)
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(wait + time.Second):
			}
			_, err = a.SendDigest(ctx, false)
		}
		return err
	})
}

// exportRow is one line of `stet export`.
type exportRow struct {
	Feed      string `json:"feed"`
	Article   string `json:"article"`
	ArticleID int64  `json:"article_id"`
	Version   int    `json:"version"`
	FetchedAt string `json:"fetched_at"`
	Headline  string `json:"headline"`
	Text      string `json:"text"`
}

// newsEditsRow is a revision in the columns of the NewsEdits data set's
// entryversion table, for the research tools made for it.
type newsEditsRow struct {
	Source  string `json:"source"`
	EntryID int64  `json:"entry_id"`
	Version int    `json:"version"`
	Title   string `json:"title"`
	Created string `json:"created"`
	URL     string `json:"url"`
	Summary string `json:"summary"`
}

func cmdExport(ctx context.Context, env *Env, args []string) error {
	var format string
	return withApp(ctx, env, "export", args, func(fs *commonFlagSet) {
		fs.StringVar(&format, "format", "stet", "stet, or newsedits (the columns of the NewsEdits entryversion table: source, entry_id, version, title, created, url, summary)")
	}, func(a *App, rest []string) error {
		if err := noArgs(rest); err != nil {
			return err
		}
		if format != "stet" && format != "newsedits" {
			return usageError("--format must be stet or newsedits, not %q", format)
		}
		names := map[string]string{}
		for _, f := range a.cfg.Feeds {
			names[f.URL] = f.Name
		}
		enc := json.NewEncoder(env.Stdout)
		return a.store.Export(ctx, func(r store.ExportRow) error {
			if format == "newsedits" {
				source := names[r.FeedURL]
				if source == "" {
					source = r.FeedURL
				}
				return enc.Encode(newsEditsRow{Source: source, EntryID: r.ArticleID, Version: r.Version, Title: r.Headline,
					Created: r.FetchedAt.UTC().Format("2006-01-02 15:04:05"), URL: r.ArticleURL, Summary: r.Text})
			}
			return enc.Encode(exportRow{Feed: r.FeedURL, Article: r.ArticleURL, ArticleID: r.ArticleID, Version: r.Version,
				FetchedAt: fmtTime(r.FetchedAt), Headline: r.Headline, Text: r.Text})
		})
	})
}

func cmdBackup(ctx context.Context, env *Env, args []string) error {
	return withApp(ctx, env, "backup", args, nil, func(a *App, rest []string) error {
		if len(rest) != 1 {
			return usageError("give the backup FILE")
		}
		if _, err := os.Stat(rest[0]); err == nil {
			return fmt.Errorf("backup: %s already exists; not overwritten", rest[0])
		}
		if err := a.store.Backup(ctx, rest[0]); err != nil {
			return err
		}
		fmt.Fprintf(env.Stderr, "stet backup: wrote %s\n", rest[0])
		return nil
	})
}

func cmdCheck(ctx context.Context, env *Env, args []string) error {
	return withApp(ctx, env, "check", args, nil, func(a *App, rest []string) error {
		if err := noArgs(rest); err != nil {
			return err
		}
		if err := a.cfg.CheckSecrets(env.Getenv); err != nil {
			return err // what `stet run` would refuse
		}
		problems, err := a.store.Check(ctx)
		if err != nil {
			return err
		}
		if len(problems) == 0 {
			fmt.Fprintln(env.Stdout, "ok")
			return nil
		}
		for _, p := range problems {
			fmt.Fprintln(env.Stdout, p)
		}
		return fmt.Errorf("check: %d problem(s): %s", len(problems), oneLine(problems[0]))
	})
}

func cmdVacuum(ctx context.Context, env *Env, args []string) error {
	return withApp(ctx, env, "vacuum", args, nil, func(a *App, rest []string) error {
		if err := noArgs(rest); err != nil {
			return err
		}
		if days := a.cfg.Retention.UnchangedDays; days > 0 {
			n, err := a.store.Prune(ctx, a.now().AddDate(0, 0, -days))
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "pruned %d revisions of unchanged articles older than %d days\n", n, days)
		}
		if a.store.Postgres() {
			// Retention is the store's; compaction is the server's.
			fmt.Fprintf(env.Stdout, "not compacted: %v\n", a.store.Vacuum(ctx))
			return nil
		}
		rs, err := a.store.Recompress(ctx)
		if err != nil {
			return err
		}
		if rs.Revisions > 0 {
			fmt.Fprintf(env.Stdout, "recompressed %d revisions stored the old way: %s → %s\n",
				rs.Revisions, humanBytes(rs.Before), humanBytes(rs.After))
		}
		if err := a.store.Vacuum(ctx); err != nil {
			return err
		}
		st, err := a.store.Stats(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "database %s: %s\n", a.cfg.Database, humanBytes(st.DBBytes))
		return nil
	})
}

func cmdVersion(ctx context.Context, env *Env, args []string) error {
	c := commands["version"]
	fs := newFlagSet(c, env)
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	if err := noArgs(fs.Args()); err != nil {
		return err
	}
	v, commit, gov := buildInfo()
	fmt.Fprintf(env.Stdout, "stet %s (commit %s, %s)\n", v, commit, gov)
	return nil
}
