package store

import "time"

// A feed's date is kept as written (articles.date_raw) as well as parsed
// (articles.published). Most feeds write it in one of a few layouts in UTC;
// then date_form names the layout, date_raw is left empty, and the text is
// written back from published when read: the same bytes, without storing
// them. Form 0 is date_raw as stored. Numbers, once released, keep their
// layout.
var dateForms = [...]string{
	1: time.RFC1123Z,                   // Mon, 02 Jan 2006 15:04:05 +0000
	2: "Mon, 02 Jan 2006 15:04:05 GMT", // RFC 822 dates of most RSS feeds
	3: "2006-01-02T15:04:05Z",          // RFC 3339, Atom
}

// packDate returns what to store for a date written raw and parsed as
// published: the raw text and form 0, or "" and the form that writes
// published back as raw.
func packDate(raw string, published time.Time) (string, int) {
	if raw == "" || published.IsZero() {
		return raw, 0
	}
	u := published.UTC()
	for form := 1; form < len(dateForms); form++ {
		if u.Format(dateForms[form]) == raw {
			return "", form
		}
	}
	return raw, 0
}

// unpackDate is the date as the feed wrote it.
func unpackDate(raw string, form int, published time.Time) string {
	if form <= 0 || form >= len(dateForms) || published.IsZero() {
		return raw
	}
	return published.UTC().Format(dateForms[form])
}
