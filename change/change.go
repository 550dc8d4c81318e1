// Package change is stet's one model of a change: the kinds a change can
// be, their labels, a change as the diff reports it, a change as the store
// records it, the JSON of `stet changes --json` and /api/changes, and the
// word-level marking of what an edit replaced. The diff produces changes,
// the store records them, and the digest, the web view and the CLI show
// them; all of them take these definitions from here. It is pure: no I/O,
// and of stet's packages it imports only diff.
//
// A new kind of change is a constant in diff (which finds it) and its place
// in Kinds here; every output then picks it up.
package change

import (
	"strings"
	"time"

	"github.com/stet-news/stet/diff"
)

// Kinds lists every kind of change, in the order the contract gives them.
// The kinds themselves are the diff's constants (diff.QuoteEdited, ...):
// the diff is what finds them.
var Kinds = []string{diff.QuoteEdited, diff.QuoteAdded, diff.QuoteRemoved, diff.QuoteReattributed,
	diff.TitleChanged, diff.TitleAdded, diff.TitleRemoved, diff.HeadlineChanged}

// Known says whether kind is one of Kinds.
func Known(kind string) bool {
	for _, k := range Kinds {
		if k == kind {
			return true
		}
	}
	return false
}

// Expand reads a kind as a user types it: a kind ("quote_edited"), or the
// word before its underscore standing for every kind that starts with it
// ("quote", "title", "headline"), as the tables show them.
func Expand(kind string) ([]string, bool) {
	if Known(kind) {
		return []string{kind}, true
	}
	var out []string
	for _, k := range Kinds {
		if strings.HasPrefix(k, kind+"_") {
			out = append(out, k)
		}
	}
	return out, len(out) > 0
}

// Label is how a kind reads for people, lower case ("quote edited"); an
// unknown kind is shown as it is.
func Label(kind string) string {
	if !Known(kind) {
		return kind
	}
	return strings.ReplaceAll(kind, "_", " ")
}

// Change is one change between two versions of an article, as the diff
// reports it (the JSON of `stet diff --json`) and the store records it.
type Change = diff.Change

// Record is a change as recorded: which article, between which of its
// revisions, found when.
type Record struct {
	ID, FeedID       int64
	FeedURL          string
	FeedName         string
	ArticleID        int64
	ArticleURL       string
	Headline         string // the headline of revision ToRev
	FromRev, ToRev   int
	Kind, Person     string
	Before, After    string
	Quote            string
	DetectedAt       time.Time
	DigestID         int64 // 0 = not in a digest yet
	RevertOf         int   // revision ToRev is a revert to this older revision (0 = not)
	ArticleCanonical string
	// Context is the sentence of the article the change stands in (see
	// digest.Context); not stored, filled for the digest by its caller.
	Context string
}

// JSON is one recorded change as `stet changes --json` writes it, one per
// line, and /api/changes lists them.
type JSON struct {
	ID         int64  `json:"id"`
	Feed       string `json:"feed"`
	Article    string `json:"article"`
	ArticleID  int64  `json:"article_id"`
	Headline   string `json:"headline"`
	FromRev    int    `json:"from_revision"`
	ToRev      int    `json:"to_revision"`
	Kind       string `json:"kind"`
	Person     string `json:"person"`
	Before     string `json:"before"`
	After      string `json:"after"`
	Quote      string `json:"quote"`
	DetectedAt string `json:"detected_at"`
}

// JSON is r in the JSON shape of the contract.
func (r Record) JSON() JSON {
	return JSON{ID: r.ID, Feed: r.FeedURL, Article: r.ArticleURL, ArticleID: r.ArticleID, Headline: r.Headline,
		FromRev: r.FromRev, ToRev: r.ToRev, Kind: r.Kind, Person: r.Person, Before: r.Before, After: r.After,
		Quote: r.Quote, DetectedAt: RFC3339(r.DetectedAt)}
}

// RFC3339 is t in UTC as RFC 3339, "" for the zero time: how every time in
// stet's JSON is written.
func RFC3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
