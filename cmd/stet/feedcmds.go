package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/stet-news/stet/config"
)

func init() {
	register(&command{name: "add", summary: "add a feed to the configuration file, its comments and order kept",
		usage:   "stet add --config FILE [--name NAME] [--schedule CRON] [--full-text] URL",
		example: "stet add --config /etc/stet/config.yaml --name 'Example News' https://example.com/rss.xml", run: cmdAdd})
	register(&command{name: "remove", summary: "remove a feed from the configuration file (its history stays in the database)",
		usage: "stet remove --config FILE URL|NAME", example: "stet remove --config /etc/stet/config.yaml https://example.com/rss.xml", run: cmdRemove})
	register(&command{name: "import-opml", summary: "the feeds of an OPML export: merged into a configuration file, or printed as a feeds: block",
		usage: "stet import-opml [--merge CONFIG] FILE", example: "stet import-opml --merge /etc/stet/config.yaml subscriptions.opml", run: cmdImportOPML})
}

// parseInterspersed parses args with fs, also when flags follow the
// positional arguments ("stet add URL --name N"), and returns the positional
// arguments in order.
func parseInterspersed(fs *flag.FlagSet, env *Env, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, env, args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// reloadHint says how a running daemon takes up an edited file.
const reloadHint = "a running daemon reads it on SIGHUP (systemctl reload stet, or kill -HUP PID)"

func cmdAdd(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(commands["add"], env)
	path := fs.String("config", "", "the configuration file to add the feed to (required)")
	var f config.Feed
	fs.StringVar(&f.Name, "name", "", "the feed's name in the digest and web view (default: the feed's own title)")
	fs.StringVar(&f.Schedule, "schedule", "", "the feed's cron schedule (default: the file's schedule)")
	fs.BoolVar(&f.FullText, "full-text", false, "fetch each article's page and track its main text")
	pos, err := parseInterspersed(fs, env, args)
	if err != nil {
		return err
	}
	if *path == "" {
		return usageError("give --config FILE: the configuration file to add the feed to")
	}
	if len(pos) != 1 {
		return usageError("give one feed URL")
	}
	f.URL = pos[0]
	src, err := os.ReadFile(*path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	out, added, _, err := config.AddFeeds(src, []config.Feed{f})
	if err != nil {
		return fmt.Errorf("%s: %w", *path, err)
	}
	if len(added) == 0 {
		return fmt.Errorf("%s: %w: %s", *path, config.ErrFeedExists, f.URL)
	}
	if err := config.WriteFile(*path, out); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "added %s to %s; %s\n", f.URL, *path, reloadHint)
	return nil
}

func cmdRemove(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(commands["remove"], env)
	path := fs.String("config", "", "the configuration file to remove the feed from (required)")
	pos, err := parseInterspersed(fs, env, args)
	if err != nil {
		return err
	}
	if *path == "" {
		return usageError("give --config FILE: the configuration file to remove the feed from")
	}
	if len(pos) != 1 {
		return usageError("give one feed URL or name")
	}
	cfg, err := config.Load(*path)
	if err != nil {
		return err
	}
	target := pos[0]
	// A name is taken when no feed has that URL: names are what the digest
	// and the web view show, so they are what a user remembers.
	if !strings.Contains(target, "://") {
		var match []string
		for _, f := range cfg.Feeds {
			if strings.EqualFold(f.Name, target) {
				match = append(match, f.URL)
			}
		}
		switch len(match) {
		case 0:
			return fmt.Errorf("%s: %w named %q", *path, config.ErrNoSuchFeed, target)
		case 1:
			target = match[0]
		default:
			return fmt.Errorf("%s: %d feeds are named %q: give the URL (%s)", *path, len(match), target, strings.Join(match, ", "))
		}
	}
	src, err := os.ReadFile(*path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	out, gone, err := config.RemoveFeed(src, target)
	if err != nil {
		return fmt.Errorf("%s: %w", *path, err)
	}
	if err := config.WriteFile(*path, out); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "removed %s from %s; its articles and changes stay in the database; %s\n", gone.URL, *path, reloadHint)
	return nil
}

func cmdImportOPML(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(commands["import-opml"], env)
	merge := fs.String("merge", "", "add the feeds to this configuration file, keeping its comments and order, instead of printing them")
	pos, err := parseInterspersed(fs, env, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError("give the OPML FILE")
	}
	r, err := openInput(env, pos[0])
	if err != nil {
		return err
	}
	defer r.Close()
	fl, err := config.ImportOPML(r)
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	if *merge == "" {
		out, err := config.FeedsYAML(fl)
		if err != nil {
			return err
		}
		_, err = env.Stdout.Write(out)
		return err
	}
	src, err := os.ReadFile(*merge)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	// Feeds the file would refuse are left out and listed, as FeedsYAML
	// comments them out: one bad outline does not stop the rest.
	var ok []config.Feed
	var bad []string
	for _, f := range fl {
		if _, _, _, err := config.AddFeeds([]byte{}, []config.Feed{f}); err != nil {
			var ce *config.Error
			if errors.As(err, &ce) {
				bad = append(bad, fmt.Sprintf("%s (%s)", f.URL, ce.Msg))
				continue
			}
		}
		ok = append(ok, f)
	}
	out, added, skipped, err := config.AddFeeds(src, ok)
	if err != nil {
		return fmt.Errorf("%s: %w", *merge, err)
	}
	if !bytes.Equal(out, src) {
		if err := config.WriteFile(*merge, out); err != nil {
			return err
		}
	}
	fmt.Fprintf(env.Stdout, "%s: %s added, %d already watched", *merge, plural(len(added), "feed", "feeds"), len(skipped))
	if len(bad) > 0 {
		fmt.Fprintf(env.Stdout, ", %d refused", len(bad))
	}
	fmt.Fprintln(env.Stdout)
	for _, b := range bad {
		fmt.Fprintf(env.Stdout, "  refused: %s\n", b)
	}
	if len(added) > 0 {
		fmt.Fprintf(env.Stdout, "%s\n", reloadHint)
	}
	return nil
}

// plural writes n with the singular or plural noun.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
