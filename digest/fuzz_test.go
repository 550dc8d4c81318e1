package digest

import (
	"github.com/stet-news/stet/diff"

	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// FuzzBuild: whatever a feed says, the digest is one well-formed message
// whose headers hold nothing of it and whose HTML holds no markup of it.
func FuzzBuild(f *testing.F) {
	f.Add("Headline", "Elena Marsh", "old words here", "new words there", "https://example.com/a", "Feed")
	f.Add("<script>alert(1)</script>\r\nBcc: x@example.com", `"><img src=x onerror=alert(1)>`, "</span><b>", "{{.}}",
		"javascript:alert(1)", "Evil\r\nSubject: pwned")
	f.Add("\xff\xfe", "\u202e", "a\x00b", "--stet-boundary", "data:text/html,x", "=?utf-8?q?x?=")
	f.Fuzz(func(t *testing.T, headline, person, before, after, link, feedName string) {
		loc := time.FixedZone("X", 3600)
		at := time.Date(2026, 11, 24, 9, 0, 0, 0, loc)
		var changes []Change
		for i, kind := range []string{diff.QuoteEdited, diff.QuoteReattributed, diff.TitleChanged, diff.HeadlineChanged, person} {
			changes = append(changes, Change{ID: int64(i + 1), FeedURL: link, FeedName: feedName, ArticleID: int64(i % 2),
				ArticleURL: link, Headline: headline, Kind: kind, Person: person, Before: before, After: after, Quote: before,
				DetectedAt: at})
		}
		msg, err := Build(Input{Changes: changes, Problems: []Problem{{FeedURL: link, ArticleURL: link, Kind: person, Detail: before, Count: 3}},
			Date: at.Add(time.Hour), From: "stet@example.com", To: []string{"editor@example.com"}, MessageID: "<fuzz@example.com>"})
		if err != nil {
			t.Fatal(err)
		}
		p := parseMessage(t, msg.Bytes)
		if len(p.Header) != 8 {
			t.Errorf("headers: %v", p.Header)
		}
		if p.Header.Get("Subject") != "stet: 5 changes in 2 articles (2026-11-24)" {
			t.Errorf("Subject = %q", p.Header.Get("Subject"))
		}
		allowed := map[string]bool{"html": true, "head": true, "meta": true, "title": true, "body": true, "div": true,
			"p": true, "h1": true, "h2": true, "h3": true, "ul": true, "li": true, "span": true, "a": true, "br": true, "strong": true}
		root, err := html.Parse(strings.NewReader(p.HTML))
		if err != nil {
			t.Fatal(err)
		}
		var walk func(*html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode {
				if !allowed[n.Data] {
					t.Errorf("element <%s>", n.Data)
				}
				for _, a := range n.Attr {
					if a.Key == "href" && !strings.HasPrefix(a.Val, "#") && !strings.HasPrefix(a.Val, "http://") && !strings.HasPrefix(a.Val, "https://") {
						t.Errorf("href %q", a.Val)
					}
					if a.Key != "href" && a.Key != "id" && a.Key != "style" && a.Key != "lang" && a.Key != "charset" && a.Key != "name" && a.Key != "content" {
						t.Errorf("attribute %s", a.Key)
					}
				}
			}
			if n.Type == html.CommentNode {
				t.Errorf("comment %q", n.Data)
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(root)
	})
}
