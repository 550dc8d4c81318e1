package digest

import (
	"github.com/stet-news/stet/diff"

	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

func berlin(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

const (
	marshBefore = "We can offer grain, lorries, cold storage, and a great deal of advice. But the request has to come from Valdoria,"
	marshAfter  = "We can offer grain, lorries, cold storage, and a great deal of advice, if Valdoria asks for it,"
)

// sampleInput is a digest of 4 changes in 3 articles of 2 feeds, and one
// source with problems.
func sampleInput(t *testing.T) Input {
	t.Helper()
	loc := berlin(t)
	at := func(h, m int) time.Time { return time.Date(2026, 11, 24, h, m, 0, 0, time.UTC) }
	return Input{
		Date:      time.Date(2026, 11, 25, 7, 0, 0, 0, loc),
		From:      "stet <stet@example.com>",
		To:        []string{"editor@example.com"},
		MessageID: MessageID([]int64{1, 2, 3, 4}, "example.com"),
		Changes: []Change{
			{ID: 1, FeedURL: "https://news.example.com/rss.xml", FeedName: "Example News", ArticleID: 10,
				ArticleURL: "https://news.example.com/2026/11/marsh-valdoria", Headline: "Marsh says Norland ready to help Valdoria through drought",
				Kind: diff.QuoteEdited, Person: "Elena Marsh", Before: marshBefore, After: marshAfter, DetectedAt: at(9, 12)},
			{ID: 2, FeedURL: "https://news.example.com/rss.xml", FeedName: "Example News", ArticleID: 10,
				ArticleURL: "https://news.example.com/2026/11/marsh-valdoria", Headline: "Marsh says Norland ready to help Valdoria through drought",
				Kind: diff.TitleChanged, Person: "Elena Marsh", Before: "Senator from Kestrel Province", After: "Secretary of State",
				DetectedAt: at(9, 12)},
			{ID: 3, FeedURL: "https://wire.example.org/feed", ArticleID: 20,
				ArticleURL: "https://wire.example.org/a/20", Headline: "Budget vote delayed",
				Kind: diff.QuoteReattributed, Person: "Ana Okafor", Before: "John Smith", After: "Ana Okafor",
				Quote: "We will not sign this budget.", DetectedAt: at(6, 30)},
			{ID: 4, FeedURL: "https://news.example.com/rss.xml", FeedName: "Example News", ArticleID: 11,
				ArticleURL: "https://news.example.com/2026/11/storm", Headline: "Hurricane hits the coast",
				Kind: diff.HeadlineChanged, Before: "Storm hits the coast", After: "Hurricane hits the coast", DetectedAt: at(15, 40)},
		},
		Problems: []Problem{
			{FeedURL: "https://news.example.com/rss.xml", ArticleURL: "https://news.example.com/2026/11/paywalled",
				Kind: "paywall", Detail: "extracted text fell from 4200 to 180 characters", Since: at(3, 0), Count: 4},
		},
	}
}

// parsedMessage is a message read back with net/mail and mime/multipart.
type parsedMessage struct {
	Header    mail.Header
	RawHeader string // the header section as sent
	Text      string // decoded text/plain part
	HTML      string // decoded text/html part
}

func parseMessage(t *testing.T, raw []byte) parsedMessage {
	t.Helper()
	end := bytes.Index(raw, []byte("\r\n\r\n"))
	if end < 0 {
		t.Fatalf("message has no CRLF CRLF between header and body")
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("net/mail: %v", err)
	}
	p := parsedMessage{Header: m.Header, RawHeader: string(raw[:end])}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type = %q (%v), want multipart/alternative", m.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	var types []string
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("multipart: %v", err)
		}
		pt, pp, err := mime.ParseMediaType(part.Header.Get("Content-Type"))
		if err != nil {
			t.Fatalf("part Content-Type %q: %v", part.Header.Get("Content-Type"), err)
		}
		if !strings.EqualFold(pp["charset"], "utf-8") {
			t.Errorf("part %s charset = %q, want UTF-8", pt, pp["charset"])
		}
		body, err := io.ReadAll(part) // quoted-printable is decoded by multipart
		if err != nil {
			t.Fatalf("read part %s: %v", pt, err)
		}
		types = append(types, pt)
		switch pt {
		case "text/plain":
			p.Text = string(body)
		case "text/html":
			p.HTML = string(body)
		}
	}
	if strings.Join(types, ",") != "text/plain,text/html" {
		t.Fatalf("parts = %v, want [text/plain text/html]", types)
	}
	return p
}

func norm(s string) string { return strings.Join(strings.Fields(s), " ") }

var (
	textDel = regexp.MustCompile(`(?s)\[-(.*?)-\]`)
	textIns = regexp.MustCompile(`(?s)\{\+(.*?)\+\}`)
)

// textSides reads a block marked with [-..-] and {+..+} back into the old
// and the new text.
func textSides(block string) (before, after string) {
	before = textDel.ReplaceAllString(textIns.ReplaceAllString(block, ""), "$1")
	after = textIns.ReplaceAllString(textDel.ReplaceAllString(block, ""), "$1")
	return norm(before), norm(after)
}

// textBlock returns the indented lines under the change line that starts
// with sentence, joined.
func textBlock(t *testing.T, text, sentence string) string {
	t.Helper()
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if !strings.HasPrefix(l, "  * "+sentence) {
			continue
		}
		var block []string
		for _, l := range lines[i+1:] {
			// the article's sentence (> ) and the diff link follow the block
			if !strings.HasPrefix(l, "    ") || strings.HasPrefix(l, "    > ") || strings.HasPrefix(l, "    Diff, ") {
				break
			}
			block = append(block, strings.TrimSpace(l))
		}
		return strings.Join(block, " ")
	}
	t.Fatalf("no change %q in text part:\n%s", sentence, text)
	return ""
}

// htmlChange is one change as the HTML part shows it.
type htmlChange struct {
	Sentence      string   // the sentence
	Line          string   // the sentence and when it was found
	Before, After string   // the shown text read as old / as new version
	Del, Ins      []string // text of the struck-out and inserted spans
}

func isDelSpan(n *html.Node) bool {
	return n.Type == html.ElementNode && n.Data == "span" && strings.Contains(attr(n, "style"), "line-through")
}

func isInsSpan(n *html.Node) bool {
	return n.Type == html.ElementNode && n.Data == "span" && strings.Contains(attr(n, "style"), styleIns)
}

// isSeparator is the space put between a deletion and its insertion.
func isSeparator(n *html.Node) bool {
	return n.Type == html.TextNode && n.Data == " " && n.PrevSibling != nil && isDelSpan(n.PrevSibling) &&
		n.NextSibling != nil && isInsSpan(n.NextSibling)
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func textOf(n *html.Node, skip func(*html.Node) bool) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if skip != nil && skip(n) {
			return
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// htmlChanges reads every change (<li> with a bold sentence) of the HTML part.
func htmlChanges(t *testing.T, doc string) []htmlChange {
	t.Helper()
	root, err := html.Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatalf("html: %v", err)
	}
	var out []htmlChange
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "li" && n.FirstChild != nil && n.FirstChild.Type == html.ElementNode &&
			strings.Contains(attr(n.FirstChild, "style"), "font-weight:bold") {
			c := htmlChange{Sentence: norm(textOf(n.FirstChild, nil)),
				Line: norm(textOf(n, func(x *html.Node) bool { return x.Type == html.ElementNode && (x.Data == "div" || x.Data == "p") }))}
			for d := n.FirstChild; d != nil; d = d.NextSibling {
				if d.Type != html.ElementNode || d.Data != "div" {
					continue
				}
				c.Before = norm(textOf(d, func(x *html.Node) bool { return isInsSpan(x) || isSeparator(x) }))
				c.After = norm(textOf(d, func(x *html.Node) bool { return isDelSpan(x) || isSeparator(x) }))
				var find func(*html.Node)
				find = func(x *html.Node) {
					if isDelSpan(x) {
						c.Del = append(c.Del, textOf(x, nil))
					}
					if isInsSpan(x) {
						c.Ins = append(c.Ins, textOf(x, nil))
					}
					for y := x.FirstChild; y != nil; y = y.NextSibling {
						find(y)
					}
				}
				find(d)
			}
			out = append(out, c)
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return out
}

func findHTMLChange(t *testing.T, cs []htmlChange, sentence string) htmlChange {
	t.Helper()
	for _, c := range cs {
		if c.Sentence == sentence {
			return c
		}
	}
	t.Fatalf("no change %q in HTML part; have %+v", sentence, cs)
	return htmlChange{}
}

func containsAny(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// checkQuoteEdit asserts the Marsh quote edit is shown in both parts with
// the changed words marked. It holds for any correct word diff: each side
// reads back as the old or new quote, "request" (only in the old) is struck
// out and "if" (only in the new) is inserted.
func checkQuoteEdit(t *testing.T, p parsedMessage) {
	t.Helper()
	const sentence = "Quote by Elena Marsh edited"
	block := textBlock(t, p.Text, sentence)
	before, after := textSides(block)
	if want := norm("“" + marshBefore + "”"); before != want {
		t.Errorf("text part, old side:\n got %q\nwant %q", before, want)
	}
	if want := norm("“" + marshAfter + "”"); after != want {
		t.Errorf("text part, new side:\n got %q\nwant %q", after, want)
	}
	if dels := textDel.FindAllStringSubmatch(block, -1); len(dels) == 0 || !containsAny(submatches(dels), "request") {
		t.Errorf("text part: %q not marked deleted in %q", "request", block)
	}
	if ins := textIns.FindAllStringSubmatch(block, -1); len(ins) == 0 || !containsAny(submatches(ins), "if") {
		t.Errorf("text part: %q not marked inserted in %q", "if", block)
	}

	c := findHTMLChange(t, htmlChanges(t, p.HTML), sentence)
	if want := norm("“" + marshBefore + "”"); c.Before != want {
		t.Errorf("html part, old side:\n got %q\nwant %q", c.Before, want)
	}
	if want := norm("“" + marshAfter + "”"); c.After != want {
		t.Errorf("html part, new side:\n got %q\nwant %q", c.After, want)
	}
	if !containsAny(c.Del, "request") {
		t.Errorf("html part: %q not in a struck-out span: %q", "request", c.Del)
	}
	if !containsAny(c.Ins, "if") {
		t.Errorf("html part: %q not in an inserted span: %q", "if", c.Ins)
	}
}

func submatches(ms [][]string) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m[1])
	}
	return out
}
