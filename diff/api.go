// Package diff finds quotes, speakers and job titles in article text and
// reports how they changed between two versions. It is pure: text in,
// results out, no I/O.
package diff

// Article is one version of an article.
type Article struct {
	Headline string // "" when none
	Body     string // paragraphs separated by a blank line
}

// Quote is a direct quote.
type Quote struct {
	Text    string `json:"text"`
	Speaker string `json:"speaker"`
	Partial bool   `json:"partial"`
}

// Title is a (person, title) pair stated by the article.
type Title struct {
	Person string `json:"person"`
	Title  string `json:"title"`
}

// Extraction is what an article states.
type Extraction struct {
	Quotes []Quote `json:"quotes"`
	Titles []Title `json:"titles"`
}

// Change is one reported change; kinds are listed in CONTRACT.md.
type Change struct {
	Kind   string `json:"kind"`
	Person string `json:"person"`
	Before string `json:"before"`
	After  string `json:"after"`
	Quote  string `json:"quote,omitempty"`
}

// Change kinds.
const (
	QuoteEdited       = "quote_edited"
	QuoteAdded        = "quote_added"
	QuoteRemoved      = "quote_removed"
	QuoteReattributed = "quote_reattributed"
	TitleChanged      = "title_changed"
	TitleAdded        = "title_added"
	TitleRemoved      = "title_removed"
	HeadlineChanged   = "headline_changed"
)

// OpKind says what a word-diff operation does.
type OpKind int

// Word-diff operations.
const (
	OpEqual OpKind = iota
	OpInsert
	OpDelete
)

// Op is one run of a word diff.
type Op struct {
	Kind OpKind
	Text string
}
