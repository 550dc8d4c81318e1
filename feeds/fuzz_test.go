package feeds

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzParse: whatever the bytes, Parse returns a feed whose items have
// unique non-empty keys, valid UTF-8 text within the limits and absolute
// links, or a one-line error wrapping ErrNotFeed or ErrMalformed. Seeds are
// in testdata/fuzz/FuzzParse (the fixtures of the parser tests).
func FuzzParse(f *testing.F) {
	f.Add([]byte(`<rss version="2.0"><channel><item><title>t</title><link>/x?utm_source=a</link></item></channel></rss>`), "")
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1","items":[{"id":"1","url":"/a"}]}`), "application/feed+json")
	f.Add([]byte("<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><title>\xe9</title></entry></feed>"), "text/xml; charset=utf-8")
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	o := ParseOptions{MaxItems: 50, MaxTitle: 80, MaxText: 4096, Now: func() time.Time { return now }}
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		feed, err := ParseWith(body, contentType, "https://fuzz.example/feed.xml", o)
		if err != nil {
			if feed != nil {
				t.Fatalf("got a feed and an error %v", err)
			}
			msg := err.Error()
			if strings.ContainsAny(msg, "\r\n") {
				t.Fatalf("error is not one line: %q", msg)
			}
			if !errors.Is(err, ErrNotFeed) && !errors.Is(err, ErrMalformed) {
				t.Fatalf("error wraps neither ErrNotFeed nor ErrMalformed: %v", err)
			}
			return
		}
		if !utf8.ValidString(feed.Title) || utf8.RuneCountInString(feed.Title) > o.MaxTitle {
			t.Fatalf("feed title %q", feed.Title)
		}
		if len(feed.Items) > o.MaxItems {
			t.Fatalf("%d items, cap %d", len(feed.Items), o.MaxItems)
		}
		keys := map[string]bool{}
		for _, it := range feed.Items {
			if it.Key == "" || keys[it.Key] {
				t.Fatalf("key %q empty or repeated", it.Key)
			}
			keys[it.Key] = true
			if !utf8.ValidString(it.Title) || utf8.RuneCountInString(it.Title) > o.MaxTitle || strings.ContainsAny(it.Title, "\n\r\t") {
				t.Fatalf("title %q", it.Title)
			}
			if !utf8.ValidString(it.Text) || len(it.Text) > o.MaxText {
				t.Fatalf("text of %d bytes, valid UTF-8 %v", len(it.Text), utf8.ValidString(it.Text))
			}
			if it.Link != "" && !isAbsHTTP(it.Link) {
				t.Fatalf("link %q is not absolute http(s)", it.Link)
			}
			if !it.Published.IsZero() && (it.Published.Before(minDate) || it.Published.After(now.Add(futureSlack))) {
				t.Fatalf("published %v out of range", it.Published)
			}
		}
	})
}
