package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/stet-news/stet/change"
	"github.com/stet-news/stet/diff"
	"github.com/stet-news/stet/store"
)

func init() {
	register(&command{name: "explain",
		summary: "what stet found in an article's last two revisions, and why each change was reported or not",
		usage:   "stet explain [--config FILE] [--json] ARTICLE", example: "stet explain 42", run: cmdExplain})
}

// explanation is the JSON of `stet explain --json`.
type explanation struct {
	ArticleID int64             `json:"article_id"`
	Article   string            `json:"article"`
	Feed      string            `json:"feed"`
	Revisions []explainRevision `json:"revisions"` // the last two, oldest first
	Diff      *diff.Explanation `json:"diff,omitempty"`
	Recorded  []change.JSON     `json:"recorded"`
	Only      *diff.Extraction  `json:"extraction,omitempty"` // when there is one revision
}

type explainRevision struct {
	Version    int    `json:"version"`
	FetchedAt  string `json:"fetched_at"`
	Headline   string `json:"headline"`
	Normalized string `json:"normalized_text"`
	RevertOf   int    `json:"revert_of,omitempty"`
}

// findArticle resolves an article id or URL.
func (a *App) findArticle(ctx context.Context, ref string) (store.Article, error) {
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return a.store.Article(ctx, id)
	}
	return a.store.ArticleByURL(ctx, ref)
}

func cmdExplain(ctx context.Context, env *Env, args []string) error {
	var asJSON bool
	return withApp(ctx, env, "explain", args, func(fs *commonFlagSet) {
		fs.BoolVar(&asJSON, "json", false, "print one JSON object")
	}, func(a *App, rest []string) error {
		if len(rest) != 1 {
			return usageError("give one ARTICLE: its id (from stet changes) or its URL")
		}
		art, err := a.findArticle(ctx, rest[0])
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no article %q", rest[0])
		}
		if err != nil {
			return err
		}
		revs, err := a.store.Revisions(ctx, art.ID)
		if err != nil {
			return err
		}
		if len(revs) > 2 {
			revs = revs[len(revs)-2:]
		}
		ex := explanation{ArticleID: art.ID, Article: art.URL, Feed: art.FeedURL, Recorded: []change.JSON{}}
		for _, r := range revs {
			ex.Revisions = append(ex.Revisions, explainRevision{Version: r.Number, FetchedAt: fmtTime(r.FetchedAt),
				Headline: r.Headline, Normalized: diff.Normalize(r.Text), RevertOf: r.RevertOf})
		}
		switch len(revs) {
		case 1:
			x := diff.Extract(diff.Article{Headline: revs[0].Headline, Body: revs[0].Text})
			ex.Only = &x
		case 2:
			d := diff.Explain(diff.Article{Headline: revs[0].Headline, Body: revs[0].Text},
				diff.Article{Headline: revs[1].Headline, Body: revs[1].Text})
			ex.Diff = &d
		}
		rows, err := a.store.Changes(ctx, store.ChangeFilter{ArticleID: art.ID})
		if err != nil {
			return err
		}
		for _, c := range rows {
			ex.Recorded = append(ex.Recorded, c.JSON())
		}
		if asJSON {
			enc := json.NewEncoder(env.Stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(ex)
		}
		printExplanation(env.Stdout, ex)
		return nil
	})
}

func printExplanation(w io.Writer, ex explanation) {
	fmt.Fprintf(w, "article %d: %s\nfeed: %s\n", ex.ArticleID, ex.Article, ex.Feed)
	for _, r := range ex.Revisions {
		fmt.Fprintf(w, "\n== version %d, fetched %s", r.Version, r.FetchedAt)
		if r.RevertOf > 0 {
			fmt.Fprintf(w, " (the same text as version %d: a revert; its changes are not reported again)", r.RevertOf)
		}
		fmt.Fprintf(w, "\nheadline: %s\n\n%s\n", r.Headline, r.Normalized)
	}
	// why says which rule gave a quote its speaker or a title its person
	// (the evidence the diff package records), so a user can trust or
	// report it.
	speakerRule := func(version, quote string) string {
		if ex.Diff != nil {
			for _, r := range ex.Diff.Speakers {
				if r.Version == version && r.Quote == quote && r.Rule != "" {
					return " [" + r.Rule + "]"
				}
			}
		}
		return ""
	}
	titleRule := func(rules []diff.TitleEvidence, t diff.Title) string {
		for _, r := range rules {
			if r.Title == t && r.Rule != "" {
				return " [" + r.Rule + "]"
			}
		}
		return ""
	}
	printExtraction := func(label, version string, x diff.Extraction, rules []diff.TitleEvidence) {
		fmt.Fprintf(w, "\n== %s: %d quotes, %d titles\n", label, len(x.Quotes), len(x.Titles))
		for _, q := range x.Quotes {
			kind := "quote"
			if q.Partial {
				kind = "partial quote"
			}
			sp := q.Speaker
			if sp == "" {
				sp = "(no named speaker)"
			}
			fmt.Fprintf(w, "  %s by %s: “%s”%s\n", kind, sp, q.Text, speakerRule(version, q.Text))
		}
		for _, t := range x.Titles {
			fmt.Fprintf(w, "  title: %s — %s%s\n", t.Person, t.Title, titleRule(rules, t))
		}
	}
	if ex.Only != nil {
		printExtraction("found", "", *ex.Only, nil)
		fmt.Fprintf(w, "\nonly one revision: nothing to compare yet\n")
	}
	if ex.Diff != nil {
		printExtraction(fmt.Sprintf("version %d", ex.Revisions[0].Version), "old", ex.Diff.Old, ex.Diff.OldTitleRules)
		printExtraction(fmt.Sprintf("version %d", ex.Revisions[1].Version), "new", ex.Diff.New, ex.Diff.NewTitleRules)
		fmt.Fprintf(w, "\n== reported (%d)\n", len(ex.Diff.Reported))
		for _, n := range ex.Diff.Reported {
			fmt.Fprintf(w, "  %s %s: %q → %q — %s\n", n.Kind, n.Person, n.Before, n.After, n.Reason)
		}
		fmt.Fprintf(w, "\n== suppressed (%d)\n", len(ex.Diff.Suppressed))
		for _, n := range ex.Diff.Suppressed {
			fmt.Fprintf(w, "  %s %s: %q → %q — %s\n", n.Kind, n.Person, n.Before, n.After, n.Reason)
		}
	}
	fmt.Fprintf(w, "\n== recorded changes of this article (%d)\n", len(ex.Recorded))
	for _, c := range ex.Recorded {
		fmt.Fprintf(w, "  %s v%d→v%d %s %s: %q → %q\n", c.DetectedAt, c.FromRev, c.ToRev, c.Kind, c.Person, c.Before, c.After)
	}
}
