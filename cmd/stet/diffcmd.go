package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/stet-news/stet/change"
	"github.com/stet-news/stet/diff"
)

func init() {
	register(&command{
		name:    "diff",
		summary: "compare two versions of an article: changed quotes, speakers, titles, headline",
		usage:   "stet diff [--json] OLD NEW",
		example: "stet diff old.txt new.txt",
		run:     runDiff,
	})
}

func runDiff(ctx context.Context, env *Env, args []string) error {
	c := commands["diff"]
	fs := newFlagSet(c, env)
	asJSON := fs.Bool("json", false, "print the contract JSON")
	color := fs.String("color", "auto", "mark changed words with colour: auto, always or never")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return usageError("want OLD and NEW files, got %d arguments", fs.NArg())
	}
	if fs.Arg(0) == "-" && fs.Arg(1) == "-" {
		return usageError("only one of OLD and NEW can be standard input")
	}
	oldA, err := readArticle(env, fs.Arg(0))
	if err != nil {
		return err
	}
	newA, err := readArticle(env, fs.Arg(1))
	if err != nil {
		return err
	}
	changes := diff.Compare(oldA, newA)
	if *asJSON {
		if changes == nil {
			changes = []diff.Change{}
		}
		return writeJSON(env.Stdout, struct {
			Changes []diff.Change `json:"changes"`
		}{changes})
	}
	useColor := false
	switch *color {
	case "always":
		useColor = true
	case "never":
	case "auto":
		useColor = isTerminal(env.Stdout) && env.Getenv("NO_COLOR") == ""
	default:
		return usageError("--color must be auto, always or never, not %q", *color)
	}
	printChanges(env.Stdout, changes, useColor)
	return nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// printChanges writes one block per change for a person at a terminal.
func printChanges(w io.Writer, changes []diff.Change, color bool) {
	if len(changes) == 0 {
		fmt.Fprintln(w, "no changes to quotes, titles or headline")
		return
	}
	for i, c := range changes {
		if i > 0 {
			fmt.Fprintln(w)
		}
		label := change.Label(c.Kind)
		if color {
			label = "\x1b[1m" + label + "\x1b[0m"
		}
		if c.Person != "" {
			fmt.Fprintf(w, "%s: %s\n", label, c.Person)
		} else {
			fmt.Fprintf(w, "%s\n", label)
		}
		switch c.Kind {
		case diff.QuoteReattributed:
			fmt.Fprintf(w, "  quote:   “%s”\n", c.Quote)
			fmt.Fprintf(w, "  speaker: %s\n", marked(c.Before, c.After, color))
		default:
			if c.Before != "" && c.After != "" {
				fmt.Fprintf(w, "  before: %s\n", c.Before)
				fmt.Fprintf(w, "  after:  %s\n", marked(c.Before, c.After, color))
			} else if c.Before != "" {
				fmt.Fprintf(w, "  before: %s\n", marked(c.Before, "", color))
			} else {
				fmt.Fprintf(w, "  after:  %s\n", marked("", c.After, color))
			}
			if strings.HasPrefix(c.Kind, "quote_") {
				who := c.Person
				if who == "" {
					who = "(unnamed)"
				}
				fmt.Fprintf(w, "  speaker: %s\n", who)
			}
		}
	}
}

// marked renders the word marking of a and b (change.Mark):
// [-deleted-] {+inserted+}, or red and green when color is on.
func marked(a, b string, color bool) string {
	ps := change.Spaced(change.Mark(a, b))
	if !color {
		return change.Bracketed(ps)
	}
	return change.Format(ps, func(s string) string { return "\x1b[31;9m" + s + "\x1b[0m" },
		func(s string) string { return "\x1b[32;1m" + s + "\x1b[0m" })
}
