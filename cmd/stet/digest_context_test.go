package main

import (
	"context"
	"strings"
	"testing"
)

// The digest built from the store shows each change with the sentence of
// the stored revision it stands in and, with http.base_url set, a link to
// its diff on the web view.
func TestDigestShowsSentenceAndDiffLink(t *testing.T) {
	ctx := context.Background()
	headline, body := seedArticle(t)
	srv := newFeedServer(t, rssFeed([3]string{"marsh-grain", headline, body}))
	sink := newSMTPSink(t)
	te := newTestEnv()
	app := smtpApp(t, te, sink, srv.URL, "")
	app.cfg.HTTP.BaseURL = "https://stet.example.org/"
	editedFeed(t, app, srv, te)

	if _, err := app.SendDigest(ctx, false); err != nil {
		t.Fatal(err)
	}
	msgs := sink.messages()
	if len(msgs) != 1 {
		t.Fatalf("got %d messages, want 1", len(msgs))
	}
	_, _, text, html := mailParts(t, msgs[0])
	quoted := norm(strings.Join(lines(text, "    > "), " "))
	for _, want := range []string{
		// the title change: the new revision's sentence that states it
		"Elena Marsh, the Norland Minister of Trade and former Speaker",
		// the quote edit: the sentence around the quote
		"But Valdoria must ask us formally,” said Marsh",
	} {
		if !strings.Contains(quoted, want) {
			t.Errorf("text part lacks the sentence %q:\n%s", want, text)
		}
	}
	if !strings.Contains(text, "https://stet.example.org/articles/1?from=1&to=2") {
		t.Errorf("text part lacks the diff link:\n%s", text)
	}
	if !strings.Contains(html, `href="https://stet.example.org/articles/1?from=1&amp;to=2"`) {
		t.Errorf("html part lacks the diff link")
	}
}

// lines returns the lines of s that start with prefix, without it.
func lines(s, prefix string) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if rest, ok := strings.CutPrefix(l, prefix); ok {
			out = append(out, rest)
		}
	}
	return out
}

func norm(s string) string { return strings.Join(strings.Fields(s), " ") }
