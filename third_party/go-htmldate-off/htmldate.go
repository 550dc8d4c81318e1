// Package htmldate stands in for github.com/markusmobius/go-htmldate in
// stet's build (a replace directive in stet's go.mod). go-trafilatura
// imports go-htmldate for the publication date only, which stet never asks
// for (feeds.ExtractPage sets HtmlDateMode to Disabled); the real package
// pulls in go-dateparser, whose locale tables cost every run of the binary
// about 0.3 s and 78 MB in init before main. This package has the API that
// go-trafilatura compiles against and finds no date.
package htmldate

import (
	"errors"
	"time"

	"golang.org/x/net/html"
)

// ErrDisabled is returned by FromDocument: date extraction is not built in.
var ErrDisabled = errors.New("htmldate: date extraction is not built into stet")

// Options mirrors the fields go-trafilatura sets.
type Options struct {
	ExtractTime         bool
	MaxDate             time.Time
	MinDate             time.Time
	OriginalDate        bool
	UseOriginalDate     bool
	SkipExtensiveSearch bool
	DeferUrlExtractor   bool
	URL                 string
}

// Result is an extracted date; always zero here.
type Result struct {
	DateTime time.Time
	HasTime  bool
}

// IsZero reports whether no date was found.
func (r Result) IsZero() bool { return r.DateTime.IsZero() }

// Format formats the date.
func (r Result) Format(layout string) string { return r.DateTime.Format(layout) }

// FromDocument finds no date.
func FromDocument(doc *html.Node, opts Options) (Result, error) {
	return Result{}, ErrDisabled
}
