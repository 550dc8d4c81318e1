package digest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stet-news/stet/diff"
)

// churn is n changes spread over articles (5 changes each) in two feeds,
// each change with a long quote, as a busy day of edits gives.
func churn(t *testing.T, n int) Input {
	in := sampleInput(t)
	in.Changes = nil
	long := strings.Repeat("We can offer grain, lorries and cold storage. ", 12)
	for i := range n {
		art := int64(100 + i/5)
		feed := fmt.Sprintf("https://f%d.example/rss", art%2)
		in.Changes = append(in.Changes, Change{ID: int64(i + 1), FeedURL: feed, FeedName: fmt.Sprintf("Feed %d", art%2),
			ArticleID: art, ArticleURL: fmt.Sprintf("https://f%d.example/a/%d", art%2, art), Headline: fmt.Sprintf("Story %d", art),
			Kind: diff.QuoteEdited, Person: "Elena Marsh", Before: long + fmt.Sprint(i), After: long + fmt.Sprint(i+1),
			DetectedAt: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second)})
	}
	in.MessageID = ""
	return in
}

// Past digest.max_bytes the rest of the changes are counted per feed and
// article with links to the web view; both parts say so, and the subject
// still counts everything.
func TestDigestSizeCap(t *testing.T) {
	const n = 2000
	in := churn(t, n)
	uncapped, err := Build(in)
	if err != nil {
		t.Fatal(err)
	}
	in.MaxBytes = 256 << 10
	in.BaseURL = "https://stet.example.org/"
	capped, err := Build(in)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d changes: %d bytes uncapped, %d capped at %d", n, len(uncapped.Bytes), len(capped.Bytes), in.MaxBytes)
	if int64(len(uncapped.Bytes)) <= in.MaxBytes {
		t.Fatalf("the test digest is too small (%d bytes) to test the cap", len(uncapped.Bytes))
	}
	if int64(len(capped.Bytes)) > in.MaxBytes {
		t.Errorf("capped digest is %d bytes, over the cap of %d", len(capped.Bytes), in.MaxBytes)
	}
	if int64(len(capped.Bytes)) < in.MaxBytes*3/4 {
		t.Errorf("capped digest is %d bytes: far under the cap of %d, too little shown", len(capped.Bytes), in.MaxBytes)
	}
	if capped.Changes != n || capped.Subject != uncapped.Subject {
		t.Errorf("subject %q, changes %d: want every change counted (%q)", capped.Subject, capped.Changes, uncapped.Subject)
	}
	p := parseMessage(t, capped.Bytes)
	for part, body := range map[string]string{"text": p.Text, "html": p.HTML} {
		if !strings.Contains(body, "Not shown here") || !strings.Contains(body, "digest.max_bytes") {
			t.Errorf("%s part does not say the digest was capped", part)
		}
		if !strings.Contains(body, "https://stet.example.org/articles/") {
			t.Errorf("%s part has no links to the web view", part)
		}
	}
	if !strings.Contains(p.HTML, `href="#not-shown"`) || !strings.Contains(p.HTML, `id="not-shown"`) {
		t.Errorf("html part's table of contents does not lead to what was not shown")
	}
	// left-out articles are counted with their 5 changes and linked; past
	// the first 200 only their number is given
	if !strings.Contains(p.Text, "(5 changes)") || !strings.Contains(p.Text, "more articles.") {
		t.Errorf("text part does not count the articles left out")
	}
	if c := strings.Count(p.Text, "https://stet.example.org/articles/"); c != maxOverflowArticles {
		t.Errorf("text part links %d articles, want %d", c, maxOverflowArticles)
	}

	// Without http.base_url: no links, and it says how to get them.
	in.BaseURL = ""
	nolinks, err := Build(in)
	if err != nil {
		t.Fatal(err)
	}
	p = parseMessage(t, nolinks.Bytes)
	if strings.Contains(p.Text, "/articles/") || !strings.Contains(norm(p.Text), "set http.base_url") {
		t.Errorf("without a base URL: want no links and a hint to set http.base_url")
	}
}

// Under the cap nothing changes.
func TestDigestUnderCapUnchanged(t *testing.T) {
	in := sampleInput(t)
	in.BaseURL = "https://stet.example.org" // links to diffs, with or without a cap
	plain, err := Build(in)
	if err != nil {
		t.Fatal(err)
	}
	in.MaxBytes = 2_000_000
	capped, err := Build(in)
	if err != nil {
		t.Fatal(err)
	}
	if string(plain.Bytes) != string(capped.Bytes) {
		t.Error("a digest under the cap differs from the uncapped one")
	}
}
