// Package whatlanggo stands in for github.com/RadhiFadlillah/whatlanggo in
// stet's build (a replace directive in stet's go.mod). go-trafilatura
// calls it on every extracted text only to fill the metadata's language,
// which stet does not read (nor does it set a target language); the real
// package costs init time on every run of the binary and a trigram
// analysis of every page. This one detects no language.
package whatlanggo

// Lang is a language; Unknown here.
type Lang int

// Unknown is the only language this package reports.
const Unknown Lang = -1

// DetectLang detects no language.
func DetectLang(text string) Lang { return Unknown }

// Iso6391 is the language's ISO 639-1 code: "" for Unknown.
func (l Lang) Iso6391() string { return "" }
