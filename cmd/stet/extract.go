package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"unicode"

	"github.com/stet-news/stet/diff"
	"github.com/stet-news/stet/feeds"
)

func init() {
	register(&command{
		name:    "extract",
		summary: "print the quotes, speakers and job titles of an article file",
		usage:   "stet extract [--json] FILE",
		example: "stet extract --json article.txt",
		run:     runExtract,
	})
}

func runExtract(ctx context.Context, env *Env, args []string) error {
	c := commands["extract"]
	fs := newFlagSet(c, env)
	asJSON := fs.Bool("json", false, "print the contract JSON")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError("want one FILE (or - for standard input), got %d arguments", fs.NArg())
	}
	a, err := readArticle(env, fs.Arg(0))
	if err != nil {
		return err
	}
	ex := diff.Extract(a)
	if *asJSON {
		return writeJSON(env.Stdout, ex)
	}
	w := env.Stdout
	if a.Headline != "" {
		fmt.Fprintf(w, "headline: %s\n", a.Headline)
	}
	fmt.Fprintf(w, "quotes: %d\n", len(ex.Quotes))
	for _, q := range ex.Quotes {
		who := q.Speaker
		if who == "" {
			who = "(unnamed)"
		}
		kind := ""
		if q.Partial {
			kind = " (partial)"
		}
		fmt.Fprintf(w, "  %s%s: “%s”\n", who, kind, q.Text)
	}
	fmt.Fprintf(w, "titles: %d\n", len(ex.Titles))
	for _, t := range ex.Titles {
		fmt.Fprintf(w, "  %s: %s\n", t.Person, t.Title)
	}
	return nil
}

// readArticle reads an article from a file or standard input ("-"). Input
// whose first non-space byte is '<' is an HTML page reduced to its main text;
// anything else is plain text.
func readArticle(env *Env, name string) (diff.Article, error) {
	var b []byte
	var err error
	if name == "-" {
		b, err = io.ReadAll(env.Stdin)
		name = "standard input"
	} else {
		b, err = os.ReadFile(name)
	}
	if err != nil {
		return diff.Article{}, fmt.Errorf("read %s: %w", name, err)
	}
	return parseArticle(b, name)
}

func parseArticle(b []byte, name string) (diff.Article, error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	t := bytes.TrimLeftFunc(b, unicode.IsSpace)
	if len(t) > 0 && t[0] == '<' {
		page, err := feeds.ExtractPage(b, "")
		if err != nil {
			return diff.Article{}, fmt.Errorf("extract page %s: %w", name, err)
		}
		return diff.Article{Headline: page.Headline, Body: page.Text}, nil
	}
	return diff.ParsePlain(string(b)), nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
