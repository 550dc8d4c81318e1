package digest

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/stet-news/stet/diff"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func TestMessageID(t *testing.T) {
	a := MessageID([]int64{3, 1, 2}, "example.com")
	if ok, _ := regexp.MatchString(`^<stet-digest-[0-9a-f]{32}@example\.com>$`, a); !ok {
		t.Fatalf("MessageID = %q, want <stet-digest-<hash>@example.com>", a)
	}
	if b := MessageID([]int64{1, 2, 3, 3}, "example.com"); b != a {
		t.Errorf("same changes in another order gave %q, want %q", b, a)
	}
	if b := MessageID([]int64{1, 2, 4}, "example.com"); b == a {
		t.Errorf("other changes gave the same id %q", b)
	}
	if b := MessageID([]int64{1, 2, 3}, "Example.COM"); b != a {
		t.Errorf("domain case changed the id: %q", b)
	}
	for _, bad := range []string{"", "exa mple.com", "evil.com>\r\nBcc: x@y", "a..b"} {
		if got := MessageID([]int64{1}, bad); !strings.HasSuffix(got, "@stet.invalid>") {
			t.Errorf("MessageID(domain %q) = %q, want @stet.invalid", bad, got)
		}
	}
	if got := MessageID([]int64{-5, 7}, "example.com"); got == MessageID([]int64{5, 7}, "example.com") {
		t.Errorf("negative ids collide with positive ones")
	}
}

func TestBuildSample(t *testing.T) {
	in := sampleInput(t)
	msg, err := Build(in)
	if err != nil {
		t.Fatal(err)
	}
	p := parseMessage(t, msg.Bytes)

	if got, want := msg.Subject, "stet: 4 changes in 3 articles (2026-11-25)"; got != want {
		t.Errorf("Subject = %q, want %q", got, want)
	}
	if got := p.Header.Get("Subject"); got != msg.Subject {
		t.Errorf("Subject header = %q, want %q", got, msg.Subject)
	}
	if got := p.Header.Get("Message-Id"); got != in.MessageID || msg.MessageID != in.MessageID {
		t.Errorf("Message-ID header = %q, msg.MessageID = %q, want %q", got, msg.MessageID, in.MessageID)
	}
	if n := strings.Count(p.RawHeader, "Message-ID:"); n != 1 {
		t.Errorf("%d Message-ID headers, want 1", n)
	}
	if got, _ := p.Header.Date(); !got.Equal(in.Date) {
		t.Errorf("Date = %v, want %v", got, in.Date)
	}
	if got := p.Header.Get("Date"); !strings.HasSuffix(got, "+0100") {
		t.Errorf("Date = %q, want it in the digest's zone (+0100)", got)
	}
	if got := p.Header.Get("MIME-Version"); got != "1.0" {
		t.Errorf("MIME-Version = %q", got)
	}
	if from, err := p.Header.AddressList("From"); err != nil || len(from) != 1 || from[0].Address != "stet@example.com" {
		t.Errorf("From = %v (%v)", from, err)
	}
	if to, err := p.Header.AddressList("To"); err != nil || len(to) != 1 || to[0].Address != "editor@example.com" {
		t.Errorf("To = %v (%v)", to, err)
	}
	if msg.Changes != 4 || msg.Articles != 3 || msg.Problems != 1 {
		t.Errorf("counts = %d changes, %d articles, %d problems; want 4, 3, 1", msg.Changes, msg.Articles, msg.Problems)
	}

	checkQuoteEdit(t, p)

	// Every change has its sentence and time in both parts.
	cs := htmlChanges(t, p.HTML)
	for _, tt := range []struct{ sentence, when string }{
		{"Quote by Elena Marsh edited", "2026-11-24 10:12 CET"},
		{"Title of Elena Marsh changed", "2026-11-24 10:12 CET"},
		{"Headline changed", "2026-11-24 16:40 CET"},
		{"Quote reattributed from John Smith to Ana Okafor", "2026-11-24 07:30 CET"},
	} {
		if want := "* " + tt.sentence + " (found " + tt.when + ")"; !strings.Contains(norm(p.Text), want) {
			t.Errorf("text part lacks %q", want)
		}
		if c := findHTMLChange(t, cs, tt.sentence); c.Line != tt.sentence+" found "+tt.when {
			t.Errorf("html part shows %q, want %q", c.Line, tt.sentence+" found "+tt.when)
		}
	}
	title := findHTMLChange(t, cs, "Title of Elena Marsh changed")
	if title.Before != "Senator from Kestrel Province" || title.After != "Secretary of State" {
		t.Errorf("title change reads %q -> %q", title.Before, title.After)
	}
	head := findHTMLChange(t, cs, "Headline changed")
	if !containsAny(head.Del, "Storm") || !containsAny(head.Ins, "Hurricane") ||
		head.Before != "Storm hits the coast" || head.After != "Hurricane hits the coast" {
		t.Errorf("headline change marks del %q ins %q", head.Del, head.Ins)
	}

	// Problems section, in both parts.
	for name, part := range map[string]string{"text": p.Text, "html": p.HTML} {
		if !strings.Contains(part, "Sources with problems") ||
			!strings.Contains(part, "paywall: extracted text fell from 4200 to 180 characters") ||
			!strings.Contains(part, "failing since 2026-11-24 04:00 CET, 4 times") {
			t.Errorf("%s part lacks the problem", name)
		}
	}
	// Links.
	if !strings.Contains(p.HTML, `<a href="https://news.example.com/2026/11/marsh-valdoria"`) {
		t.Errorf("html part does not link the article")
	}
	if !strings.Contains(p.Text, "<https://news.example.com/2026/11/marsh-valdoria>") {
		t.Errorf("text part does not show the article link")
	}
	// Inline styles only.
	if strings.Contains(p.HTML, "<style") || strings.Contains(p.HTML, "<del") || strings.Contains(p.HTML, "<ins") {
		t.Errorf("html part uses <style>, <del> or <ins>")
	}
}

func TestBuildOrder(t *testing.T) {
	in := sampleInput(t)
	msg, err := Build(in)
	if err != nil {
		t.Fatal(err)
	}
	p := parseMessage(t, msg.Bytes)
	// Feeds and articles newest first (by their latest change).
	order := []string{"Example News", "Hurricane hits the coast", "Marsh says Norland ready", "https://wire.example.org/feed", "Budget vote delayed", "Sources with problems"}
	for name, part := range map[string]string{"text": p.Text, "html": p.HTML} {
		last := -1
		for _, s := range order {
			i := strings.Index(part, s)
			if i < 0 || i < last {
				t.Errorf("%s part: %q at %d, after %d: order should be %q", name, s, i, last, order)
			}
			last = i
		}
	}
	// Within an article, changes in the order found (by time, then id).
	if i, j := strings.Index(p.Text, "Quote by Elena Marsh edited"), strings.Index(p.Text, "Title of Elena Marsh changed"); i > j {
		t.Errorf("changes of one article not in order found")
	}
}

func TestBuildSubject(t *testing.T) {
	loc := berlin(t)
	ch := func(id, article int64, feed string) Change {
		return Change{ID: id, FeedURL: feed, ArticleID: article, ArticleURL: fmt.Sprintf("%s/a/%d", feed, article),
			Headline: "H", Kind: diff.TitleAdded, Person: "P", After: "Mayor", DetectedAt: time.Date(2026, 11, 24, 8, 0, 0, 0, loc)}
	}
	prob := func(article string) Problem {
		return Problem{FeedURL: "https://f.example/rss", ArticleURL: article, Kind: "fetch_failed", Detail: "HTTP 500", Count: 3}
	}
	for _, tt := range []struct {
		name     string
		changes  []Change
		problems []Problem
		want     string
	}{
		{"one", []Change{ch(1, 1, "https://f.example/rss")}, nil, "stet: 1 change in 1 article (2026-11-24)"},
		{"two in one", []Change{ch(1, 1, "https://f.example/rss"), ch(2, 1, "https://f.example/rss")}, nil, "stet: 2 changes in 1 article (2026-11-24)"},
		{"seven in four", []Change{ch(1, 1, "https://f.example/rss"), ch(2, 1, "https://f.example/rss"), ch(3, 2, "https://f.example/rss"),
			ch(4, 3, "https://f.example/rss"), ch(5, 3, "https://f.example/rss"), ch(6, 3, "https://f.example/rss"),
			ch(7, 3, "https://g.example/rss")}, nil, "stet: 7 changes in 4 articles (2026-11-24)"},
		{"same article id in two feeds", []Change{ch(1, 1, "https://f.example/rss"), ch(2, 1, "https://g.example/rss")}, nil, "stet: 2 changes in 2 articles (2026-11-24)"},
		{"changes and problems", []Change{ch(1, 1, "https://f.example/rss")}, []Problem{prob("")}, "stet: 1 change in 1 article (2026-11-24)"},
		{"one problem", nil, []Problem{prob("")}, "stet: 1 source with problems (2026-11-24)"},
		{"two sources, one twice", nil, []Problem{prob(""), prob("https://f.example/x"), {FeedURL: "https://f.example/rss", Kind: "not_a_feed", Count: 3}},
			"stet: 2 sources with problems (2026-11-24)"},
		{"nothing", nil, nil, "stet: no changes (2026-11-24)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			msg, err := Build(Input{Changes: tt.changes, Problems: tt.problems, Date: time.Date(2026, 11, 24, 23, 30, 0, 0, loc),
				From: "stet@example.com", To: []string{"a@example.com", "b@example.com"}})
			if err != nil {
				t.Fatal(err)
			}
			if msg.Subject != tt.want {
				t.Errorf("Subject = %q, want %q", msg.Subject, tt.want)
			}
			p := parseMessage(t, msg.Bytes)
			if got := p.Header.Get("Subject"); got != tt.want {
				t.Errorf("Subject header = %q, want %q", got, tt.want)
			}
			if to, _ := p.Header.AddressList("To"); len(to) != 2 {
				t.Errorf("To = %v, want both recipients", to)
			}
		})
	}
}

func TestBuildMessageID(t *testing.T) {
	in := sampleInput(t)
	for _, id := range []string{"<stet-digest-abc@example.com>", "stet-digest-abc@example.com"} {
		in.MessageID = id
		msg, err := Build(in)
		if err != nil {
			t.Fatal(err)
		}
		p := parseMessage(t, msg.Bytes)
		if got := p.Header.Get("Message-Id"); got != "<stet-digest-abc@example.com>" || msg.MessageID != got {
			t.Errorf("MessageID %q: header %q, msg.MessageID %q", id, got, msg.MessageID)
		}
	}
	// Without one, it is derived from the changes and the sender's domain.
	in.MessageID = ""
	msg, err := Build(in)
	if err != nil {
		t.Fatal(err)
	}
	if want := MessageID([]int64{4, 3, 2, 1}, "example.com"); msg.MessageID != want {
		t.Errorf("default Message-ID = %q, want %q", msg.MessageID, want)
	}
}

func TestBuildDeterministic(t *testing.T) {
	in := sampleInput(t)
	a, err := Build(in)
	if err != nil {
		t.Fatal(err)
	}
	// The same rows in another order, as a store might return them.
	in.Changes[0], in.Changes[3] = in.Changes[3], in.Changes[0]
	b, err := Build(in)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes, b.Bytes) {
		t.Errorf("Build of the same input gave different bytes")
	}
}

func TestBuildDuplicateChange(t *testing.T) {
	in := sampleInput(t)
	in.Changes = append(in.Changes, in.Changes[0])
	msg, err := Build(in)
	if err != nil {
		t.Fatal(err)
	}
	if msg.Subject != "stet: 4 changes in 3 articles (2026-11-25)" {
		t.Errorf("Subject = %q: a change given twice counted twice", msg.Subject)
	}
}

func TestBuildRefuses(t *testing.T) {
	good := sampleInput(t)
	for _, tt := range []struct {
		name string
		edit func(*Input)
	}{
		{"no date", func(in *Input) { in.Date = time.Time{} }},
		{"no from", func(in *Input) { in.From = "" }},
		{"from with CRLF", func(in *Input) { in.From = "stet@example.com\r\nBcc: victim@example.com" }},
		{"no to", func(in *Input) { in.To = nil }},
		{"to with CRLF", func(in *Input) { in.To = []string{"a@example.com\r\nSubject: pwned"} }},
		{"message-id with CRLF", func(in *Input) { in.MessageID = "<a@b>\r\nBcc: victim@example.com" }},
		{"message-id without @", func(in *Input) { in.MessageID = "<nothing>" }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := good
			in.To = append([]string(nil), good.To...)
			tt.edit(&in)
			if msg, err := Build(in); err == nil {
				t.Errorf("Build succeeded:\n%s", msg.Bytes)
			} else if !strings.HasPrefix(err.Error(), "digest: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

// TestBuildHostile: markup, scripts, javascript:/data: links and header
// injection attempts from a feed end up as inert text.
func TestBuildHostile(t *testing.T) {
	loc := berlin(t)
	when := time.Date(2026, 11, 24, 9, 0, 0, 0, loc)
	in := Input{
		Date: when.Add(20 * time.Hour), From: "stet@example.com", To: []string{"editor@example.com"},
		MessageID: "<stet-digest-hostile@example.com>",
		Changes: []Change{
			{ID: 1, FeedURL: "https://evil.example/rss", FeedName: "Evil\r\nBcc: victim@example.com", ArticleID: 1,
				ArticleURL: "javascript:alert(document.cookie)", Headline: "<script>alert('x')</script>\r\nSubject: pwned",
				Kind: diff.QuoteEdited, Person: `"><img src=x onerror=alert(1)>`,
				Before: `Safe words </span><b onclick="alert(1)">bold</b>`, After: `Safe words <a href="javascript:alert(2)">click</a>`,
				DetectedAt: when},
			{ID: 2, FeedURL: "https://evil.example/rss", ArticleID: 2, ArticleURL: "data:text/html,<script>alert(3)</script>",
				Headline: "Normal\nX-Injected: yes", Kind: diff.TitleChanged, Person: "Mallory\r\nTo: victim@example.com",
				Before: "<style>body{display:none}</style>", After: "Chief ‮Officer", DetectedAt: when},
			{ID: 3, FeedURL: `https://evil.example/rss"><script>alert(4)</script>`, ArticleID: 3,
				ArticleURL: `https://evil.example/a" onmouseover="alert(5)`, Headline: "Quote <b>reattributed</b>",
				Kind: diff.QuoteReattributed, Person: "B", Before: "<i>A</i>", After: "B", Quote: "{{.Secret}} <!-- x -->",
				DetectedAt: when},
			{ID: 4, FeedURL: "https://evil.example/rss", ArticleID: 4, ArticleURL: "  JavaScript:alert(6)",
				Headline: "H", Kind: "<script>weird_kind</script>", Before: "a", After: "b", DetectedAt: when},
		},
		Problems: []Problem{{FeedURL: "javascript:alert(7)", ArticleURL: "", Kind: "fetch_failed\r\nBcc: x@example.com",
			Detail: "<img src=x onerror=alert(8)>", Count: 3}},
	}
	msg, err := Build(in)
	if err != nil {
		t.Fatal(err)
	}
	p := parseMessage(t, msg.Bytes)

	// Headers: nothing from the feeds.
	for _, bad := range []string{"victim", "pwned", "Injected", "Evil", "script", "Mallory", "alert"} {
		if strings.Contains(p.RawHeader, bad) {
			t.Errorf("header section contains %q:\n%s", bad, p.RawHeader)
		}
	}
	for _, h := range []string{"Bcc", "X-Injected"} {
		if v := p.Header.Get(h); v != "" {
			t.Errorf("header %s: %q", h, v)
		}
	}
	if to, _ := p.Header.AddressList("To"); len(to) != 1 || to[0].Address != "editor@example.com" {
		t.Errorf("To = %v", to)
	}

	// HTML: only our own elements and attributes, links only to http(s)
	// or to an anchor of the message itself (the table of contents).
	allowedTags := map[string]bool{"html": true, "head": true, "meta": true, "title": true, "body": true, "div": true,
		"p": true, "h1": true, "h2": true, "h3": true, "ul": true, "li": true, "span": true, "a": true, "br": true, "strong": true}
	allowedAttrs := map[string]bool{"lang": true, "charset": true, "name": true, "content": true, "style": true, "href": true, "id": true}
	ids, fragments := map[string]bool{}, map[string]bool{}
	root, err := html.Parse(strings.NewReader(p.HTML))
	if err != nil {
		t.Fatal(err)
	}
	var texts strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.ElementNode:
			if !allowedTags[n.Data] {
				t.Errorf("html part has element <%s>", n.Data)
			}
			for _, a := range n.Attr {
				if !allowedAttrs[a.Key] {
					t.Errorf("html part has attribute %s=%q on <%s>", a.Key, a.Val, n.Data)
				}
				if a.Key == "id" {
					ids[a.Val] = true
				}
				if a.Key == "href" && strings.HasPrefix(a.Val, "#") {
					fragments[a.Val[1:]] = true
				} else if a.Key == "href" && !strings.HasPrefix(a.Val, "https://") && !strings.HasPrefix(a.Val, "http://") {
					t.Errorf("html part links to %q", a.Val)
				}
				if a.Key == "style" && strings.ContainsAny(a.Val, "<>\"") {
					t.Errorf("html part has style %q", a.Val)
				}
			}
		case html.CommentNode:
			t.Errorf("html part has a comment %q", n.Data)
		case html.TextNode:
			texts.WriteString(n.Data + " ")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	for f := range fragments {
		if !ids[f] {
			t.Errorf("html part links to #%s, which it does not have", f)
		}
	}
	// The hostile text is still there, as text.
	for _, s := range []string{"<script>alert('x')</script> Subject: pwned", `"><img src=x onerror=alert(1)>`,
		"javascript:alert(document.cookie) (not a web link)", "{{.Secret}} <!-- x -->", "<style>body{display:none}</style>"} {
		if !strings.Contains(norm(texts.String()), s) {
			t.Errorf("html text lacks %q", s)
		}
	}
	if strings.Contains(p.HTML, "‮") {
		t.Errorf("html part keeps a bidi override")
	}

	// Text: feed text cannot start a line of its own or fake a part.
	for _, line := range strings.Split(p.Text, "\n") {
		for _, bad := range []string{"Bcc:", "Subject:", "X-Injected:", "To:", "--stet"} {
			if strings.HasPrefix(strings.TrimSpace(line), bad) {
				t.Errorf("text part has a line starting %q: %q", bad, line)
			}
		}
	}
	for _, s := range []string{"javascript:alert(document.cookie) (not a web link)", "data:text/html,<script>alert(3)</script> (not a web link)"} {
		if !strings.Contains(p.Text, s) {
			t.Errorf("text part lacks %q", s)
		}
	}
	if strings.Contains(p.Text, "<javascript:") || strings.Contains(p.Text, "<data:") || strings.Contains(p.Text, "‮") {
		t.Errorf("text part shows a non-web link as a link, or keeps a bidi override")
	}
}

// TestTextLayout is a golden test of the plain-text part. Its changes are
// ones whose word diff is the same for any correct word diff.
func TestTextLayout(t *testing.T) {
	msg, err := Build(layoutInput(t))
	if err != nil {
		t.Fatal(err)
	}
	got := parseMessage(t, msg.Bytes).Text
	if strings.Count(got, "\n") != strings.Count(got, "\r\n") {
		t.Errorf("text part has bare LF line ends")
	}
	got = strings.ReplaceAll(got, "\r\n", "\n")
	golden := filepath.Join("testdata", "text.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("text part differs from %s (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", golden, got, want)
	}
	for i, line := range strings.Split(got, "\n") {
		if n := len([]rune(line)); n > textWidth && strings.Contains(line, " ") && !strings.Contains(line, "://") {
			t.Errorf("line %d is %d runes wide: %q", i+1, n, line)
		}
		if strings.TrimRight(line, " ") != line && line != "-- " {
			t.Errorf("line %d has trailing spaces: %q", i+1, line)
		}
	}
}

// Article texts of layoutInput, as the store would hold their revisions.
const (
	marshText = "ORLESK (AP) — Secretary of State Elena Marsh said Monday that Norland stands ready " +
		"to help Valdoria through the drought. \"We will cooperate, but we will never accept interference in our " +
		"sovereignty, and we have said so to every government that has asked.\" Valdorian President Ines " +
		"Kovac said at her morning press conference. The two governments met in Brenholt last week."
	marshOldText = "ORLESK (AP) — Senator Elena Marsh said Monday that Norland stands ready to help " +
		"Valdoria through the drought. Asked whether convoys could be sent, she said: \"They would have to ask.\" " +
		"The two governments met in Brenholt last week."
	budgetText = "The vote on the budget was delayed again on Tuesday. \"We will not sign this budget.\" said " +
		"Finance Minister Ana Okafor, who took office in March after a long coalition negotiation that " +
		"lasted through the winter and left several ministries without a head for months, as the opposition " +
		"pointed out in a statement that called the delay a failure of the whole cabinet and demanded that " +
		"parliament be recalled from its recess to debate the budget before the end of the year."
)

// layoutInput is the digest of the golden and browser tests: two feeds,
// every kind of change with the sentence it stands in, a base URL.
func layoutInput(t *testing.T) Input {
	loc := berlin(t)
	at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, loc) }
	feed := "https://news.example.com/rss.xml"
	marsh := "https://news.example.com/2026/11/24/marsh-says-norland-stands-ready-to-help-valdoria"
	in := Input{
		Date: at(25, 7, 0), From: "stet@example.com", To: []string{"editor@example.com"},
		MessageID: "<stet-digest-golden@example.com>", BaseURL: "https://stet.example.org/",
		Changes: []Change{
			{ID: 1, FeedURL: feed, FeedName: "Example News", ArticleID: 1, ArticleURL: marsh,
				Headline: "Marsh says Norland stands ready to help Valdoria through the drought if asked",
				Kind:     diff.TitleChanged, Person: "Elena Marsh", Before: "Senator", After: "Secretary", DetectedAt: at(24, 9, 12)},
			{ID: 2, FeedURL: feed, FeedName: "Example News", ArticleID: 1, ArticleURL: marsh,
				Headline: "Marsh says Norland stands ready to help Valdoria through the drought if asked",
				Kind:     diff.QuoteAdded, Person: "Ines Kovac",
				After:      "We will cooperate, but we will never accept interference in our sovereignty, and we have said so to every government that has asked.",
				DetectedAt: at(24, 9, 12)},
			{ID: 3, FeedURL: feed, FeedName: "Example News", ArticleID: 1, ArticleURL: marsh,
				Headline: "Marsh says Norland stands ready to help Valdoria through the drought if asked",
				Kind:     diff.QuoteRemoved, Person: "Elena Marsh", Before: "They would have to ask.", DetectedAt: at(24, 9, 40)},
			{ID: 4, FeedURL: feed, FeedName: "Example News", ArticleID: 2, ArticleURL: "https://news.example.com/2026/11/storm",
				Headline: "Hurricane hits the coast", Kind: diff.HeadlineChanged, Before: "Storm", After: "Hurricane",
				DetectedAt: at(24, 15, 5)},
			{ID: 5, FeedURL: "https://wire.example.org/feed", ArticleID: 7, ArticleURL: "https://wire.example.org/a/7",
				Headline: "Budget vote delayed", Kind: diff.QuoteReattributed, Person: "Ana Okafor", Before: "John Smith",
				After: "Ana Okafor", Quote: "We will not sign this budget.", DetectedAt: at(24, 6, 30)},
			{ID: 6, FeedURL: "https://wire.example.org/feed", ArticleID: 7, ArticleURL: "https://wire.example.org/a/7",
				Headline: "Budget vote delayed", Kind: diff.TitleAdded, Person: "Ana Okafor", After: "Finance Minister",
				DetectedAt: at(24, 6, 30)},
		},
		Problems: []Problem{
			{FeedURL: feed, ArticleURL: "https://news.example.com/2026/11/paywalled", Kind: "paywall",
				Detail: "extracted text fell from 4200 to 180 characters", Since: at(23, 4, 0), Count: 4},
			{FeedURL: "https://gone.example.net/rss", Kind: "fetch_failed", Detail: "HTTP 410 Gone", Since: at(20, 0, 0), Count: 12},
		},
	}
	texts := map[[2]int64]string{{1, 2}: marshText, {1, 1}: marshOldText, {7, 2}: budgetText}
	for i := range in.Changes {
		c := &in.Changes[i]
		if c.ArticleID != 2 { // the storm article's text is not given: no sentence
			c.FromRev, c.ToRev = 1, 2
		}
		c.Context = Context(texts[[2]int64{c.ArticleID, int64(ContextRevision(*c))}], *c)
	}
	return in
}

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"a\r\nb":               "a b",
		"  a \t\n b  ":         "a b",
		"a\x00b\x1b[31mc":      "ab[31mc",
		"x\u202Ey\u2066z":      "xyz",
		"bad \xff utf8":        "bad \uFFFD utf8",
		"non\u00a0breaking":    "non breaking",
		"line\u2028sep\u0085x": "line sep x",
	} {
		if got := clean(in); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWebLink(t *testing.T) {
	for in, want := range map[string]string{
		"https://example.com/a?b=c":      "https://example.com/a?b=c",
		"HTTP://Example.com/x":           "http://Example.com/x",
		"javascript:alert(1)":            "",
		" JavaScript:alert(1)":           "",
		"data:text/html,<b>":             "",
		"/relative/path":                 "",
		"https:///nohost":                "",
		"https://example.com/a\nb":       "",
		`https://e.com/" onclick="x`:     "",
		"vbscript:msgbox":                "",
		"mailto:someone@example.com":     "",
		"https://example.com/a%20b#frag": "https://example.com/a%20b#frag",
	} {
		if got := webLink(in); got != want {
			t.Errorf("webLink(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestViewSentences(t *testing.T) {
	long := strings.Repeat("Name ", 100)
	for _, tt := range []struct {
		c    Change
		want string
	}{
		{Change{Kind: diff.QuoteEdited, Person: "Elena Marsh"}, "Quote by Elena Marsh edited"},
		{Change{Kind: diff.QuoteEdited}, "Unattributed quote edited"},
		{Change{Kind: diff.QuoteAdded, Person: "A"}, "Quote by A added"},
		{Change{Kind: diff.QuoteRemoved, Person: "A"}, "Quote by A removed"},
		{Change{Kind: diff.QuoteReattributed, Person: "Y", Before: "X", After: "Y"}, "Quote reattributed from X to Y"},
		{Change{Kind: diff.QuoteReattributed, After: "Y"}, "Quote now attributed to Y"},
		{Change{Kind: diff.QuoteReattributed, Before: "X"}, "Quote no longer attributed to X"},
		{Change{Kind: diff.TitleChanged, Person: "A"}, "Title of A changed"},
		{Change{Kind: diff.TitleAdded, Person: "A"}, "Title of A added"},
		{Change{Kind: diff.TitleRemoved, Person: "A"}, "Title of A removed"},
		{Change{Kind: diff.HeadlineChanged}, "Headline changed"},
		{Change{Kind: "éditée_spéciale", Person: "A"}, "Éditée spéciale (A)"},
		{Change{Kind: diff.TitleChanged, Person: long}, "Title of " + strings.TrimSpace(strings.Repeat("Name ", 24)) + "… changed"},
	} {
		if got := view(tt.c, time.UTC).Sentence; got != tt.want {
			t.Errorf("%s/%q: got %q, want %q", tt.c.Kind, tt.c.Person, got, tt.want)
		}
	}
}
