// Package distiller stands in for github.com/markusmobius/go-domdistiller
// in stet's build (a replace directive in stet's go.mod). go-trafilatura
// calls DOM Distiller only as a fallback extractor (Options.EnableFallback),
// which stet leaves off because it measured worse on the article-extraction
// benchmark; the real package builds Unicode tables in init that cost every
// run of the binary 10-20 ms before main. This package has the API that
// go-trafilatura compiles against and extracts nothing.
package distiller

import (
	"errors"
	"net/url"

	"golang.org/x/net/html"
)

// ErrDisabled is returned by Apply: DOM Distiller is not built in.
var ErrDisabled = errors.New("distiller: DOM Distiller is not built into stet")

// Options mirrors the fields go-trafilatura sets.
type Options struct {
	OriginalURL    *url.URL
	SkipPagination bool
}

// Result is a distilled page; never produced here.
type Result struct {
	Node *html.Node
}

// Apply extracts nothing.
func Apply(doc *html.Node, opts *Options) (*Result, error) {
	return nil, ErrDisabled
}
