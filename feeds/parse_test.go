package feeds

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var testNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

const testBase = "https://base.example.com/feeds/feed.xml"

func parseFixture(t *testing.T, name, contentType string) (*Feed, error) {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return ParseWith(body, contentType, testBase, ParseOptions{Now: func() time.Time { return testNow }})
}

func mustParse(t *testing.T, name, contentType string) *Feed {
	t.Helper()
	f, err := parseFixture(t, name, contentType)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return f
}

func checkUniqueKeys(t *testing.T, f *Feed) {
	t.Helper()
	seen := map[string]bool{}
	for i, it := range f.Items {
		if it.Key == "" {
			t.Errorf("item %d (%q) has no key", i, it.Title)
		}
		if seen[it.Key] {
			t.Errorf("key %q repeats", it.Key)
		}
		seen[it.Key] = true
	}
}

func TestParseFormats(t *testing.T) {
	tests := []struct {
		file, format, title string
		items               []Item
	}{
		{"rss2.xml", "rss 2.0", "The Daily Example", []Item{
			{GUID: "urn:example:1001", Key: "urn:example:1001", Link: "https://news.example.com/2026/11/meeting",
				Title:     "Senator & Governor meet in Brenholt",
				Text:      "“We will work together,” said Elena Marsh, a Senator from Kestrel Province.\n\nThe meeting lasted two hours.",
				Published: time.Date(2026, 11, 24, 14, 30, 0, 0, time.UTC), DateRaw: "Tue, 24 Nov 2026 14:30:00 +0000"},
			{GUID: "https://news.example.com/2026/11/second", Key: "https://news.example.com/2026/11/second",
				Link: "https://news.example.com/2026/11/second", Title: "Second story", Text: "Only a description, escaped HTML.",
				Published: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC), DateRaw: "Mon, 23 Nov 2026 09:00:00 GMT"},
		}},
		{"atom.xml", "atom 1.0", "Atom <Example>", []Item{
			{GUID: "tag:example.org,2026:entry-1", Key: "tag:example.org,2026:entry-1", Link: "https://example.org/posts/1",
				Title: "An Atom entry", Text: "First paragraph.\n\nSecond paragraph.",
				Published: time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC), DateRaw: "2026-11-24T09:00:00+01:00"},
			{GUID: "tag:example.org,2026:entry-2", Key: "tag:example.org,2026:entry-2", Link: "https://example.org/posts/2",
				Title: "XHTML title", Text: "Plain text content.",
				Published: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC), DateRaw: "2026-11-23T10:00:00Z"},
		}},
		{"jsonfeed.json", "json https://jsonfeed.org/version/1.1", "JSON Example", []Item{
			{GUID: "2", Key: "2", Link: "https://json.example.net/2", Title: "Second", Text: "Two paragraphs.\n\nReally.",
				Published: time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC), DateRaw: "2026-11-24T08:00:00Z"},
			// A relative URL resolves against the feed's own URL.
			{GUID: "1", Key: "1", Link: "https://base.example.com/1", Title: "First", Text: "Plain text only.",
				Published: time.Date(2026, 11, 20, 13, 0, 0, 0, time.UTC), DateRaw: "2026-11-20T08:00:00-05:00"},
		}},
		{"rss1-rdf.xml", "rss 1.0", "RDF Example", []Item{
			{Key: "https://rdf.example.com/a", Link: "https://rdf.example.com/a", Title: "Item A", Text: "About A.",
				Published: time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC), DateRaw: "2026-11-22T12:00:00Z"},
			{Key: "https://rdf.example.com/b", Link: "https://rdf.example.com/b", Title: "Item B", Text: "About B."},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f := mustParse(t, tt.file, "")
			if f.Format != tt.format || f.Title != tt.title {
				t.Errorf("got format %q title %q, want %q %q", f.Format, f.Title, tt.format, tt.title)
			}
			compareItems(t, f.Items, tt.items)
		})
	}
}

func compareItems(t *testing.T, got, want []Item) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d items, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if !g.Published.Equal(w.Published) {
			t.Errorf("item %d Published: got %v, want %v", i, g.Published, w.Published)
		}
		g.Published, w.Published = time.Time{}, time.Time{}
		if g != w {
			t.Errorf("item %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
}

// TestParseCharsets: every fixture holds the same Windows-1252 text in
// another encoding, or with a declaration that lies.
func TestParseCharsets(t *testing.T) {
	const (
		wantFeed  = "Café “News”"
		wantTitle = "“It’s done,” she said – €5 million"
		wantText  = "Naïve résumé — ‘quoted’"
	)
	tests := []struct{ file, contentType string }{
		{"windows-1252-content-type.xml", "text/xml; charset=windows-1252"},
		{"windows-1252-content-type.xml", "application/rss+xml; charset=\"cp1252\""},
		{"windows-1252-prolog.xml", ""},
		{"windows-1252-prolog.xml", "text/xml; charset=utf-8"}, // the header lies, the bytes say otherwise
		{"iso-8859-1-prolog-really-1252.xml", ""},              // ISO-8859-1 means Windows-1252 on the web
		{"lying-prolog.xml", ""},                               // says ISO-8859-1, bytes are UTF-8
		{"lying-prolog.xml", "text/xml; charset=iso-8859-1"},   // so does the header
		{"utf8-content-type-says-latin1.xml", "text/xml; charset=iso-8859-1"},
		{"bom.xml", ""},
		{"utf-16le-bom.xml", ""},
		{"utf-16le-bom.xml", "text/xml; charset=utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.file+" "+tt.contentType, func(t *testing.T) {
			f := mustParse(t, tt.file, tt.contentType)
			if f.Title != wantFeed {
				t.Errorf("feed title: got %q, want %q", f.Title, wantFeed)
			}
			if len(f.Items) != 1 {
				t.Fatalf("got %d items, want 1", len(f.Items))
			}
			if f.Items[0].Title != wantTitle || f.Items[0].Text != wantText {
				t.Errorf("got %q / %q, want %q / %q", f.Items[0].Title, f.Items[0].Text, wantTitle, wantText)
			}
		})
	}
	t.Run("koi8-r", func(t *testing.T) {
		f := mustParse(t, "koi8-r.xml", "")
		if f.Title != "Новости" || f.Items[0].Title != "Привет мир" {
			t.Errorf("got %q / %q", f.Title, f.Items[0].Title)
		}
	})
}

func TestParseDirtyText(t *testing.T) {
	tests := []struct{ file, feedTitle, title, text string }{
		{"control-chars.xml", "Control chars", "Bell and form feed", "Text with NUL"},
		{"html-entities.xml", "Entities feed", "Café & bar — “quoted”", "A b …"},
		{"junk-before-prolog.xml", "Junk first", "Still here", ""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f := mustParse(t, tt.file, "")
			if f.Title != tt.feedTitle || len(f.Items) != 1 || f.Items[0].Title != tt.title || f.Items[0].Text != tt.text {
				t.Errorf("got %q %+v, want %q %q %q", f.Title, f.Items, tt.feedTitle, tt.title, tt.text)
			}
		})
	}
}

func TestParseRefused(t *testing.T) {
	tests := []struct {
		file    string
		want    error
		wantMsg string
	}{
		{"html-page.xml", ErrNotFeed, "feeds: not a feed: looks like an HTML page"},
		{"malformed.xml", ErrMalformed, "feeds: malformed feed: XML syntax error on line 5: invalid characters between </item and >"},
		{"unknown-root.xml", ErrNotFeed, "feeds: not a feed: XML document with root element <opml>"},
		{"not-a-jsonfeed.json", ErrNotFeed, "feeds: not a feed: JSON document is not a JSON Feed"},
		{"empty.xml", ErrNotFeed, "feeds: not a feed: empty body"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := parseFixture(t, tt.file, "text/html; charset=utf-8")
			if !errors.Is(err, tt.want) || err.Error() != tt.wantMsg {
				t.Fatalf("got %v, %v; want %q", f, err, tt.wantMsg)
			}
		})
	}
	t.Run("garbage", func(t *testing.T) {
		_, err := Parse([]byte("garbage\x00\xff"), "", "")
		if !errors.Is(err, ErrNotFeed) {
			t.Errorf("got %v, want ErrNotFeed", err)
		}
	})
}

// TestParseLenient: documents that are broken in ways a publisher's
// generator commonly breaks them still give their complete items.
func TestParseLenient(t *testing.T) {
	t.Run("mismatched tags", func(t *testing.T) {
		f := mustParse(t, "mismatched-tags.xml", "")
		if len(f.Items) != 2 || f.Items[0].Title != "One" || f.Items[1].Title != "Two" {
			t.Errorf("got %+v", f.Items)
		}
	})
	t.Run("truncated", func(t *testing.T) {
		f := mustParse(t, "truncated.xml", "")
		if !f.Truncated {
			t.Error("Truncated not set")
		}
		var titles []string
		for _, it := range f.Items {
			titles = append(titles, it.Title)
		}
		if strings.Join(titles, "|") != "Complete one|Complete two" {
			t.Errorf("got items %q, want the two complete ones", titles)
		}
	})
}

// TestParseEntityAttacks: encoding/xml, which gofeed uses, does not expand
// entities declared in a DTD, internal or external: they stay as text.
func TestParseEntityAttacks(t *testing.T) {
	for _, tt := range []struct{ file, title string }{
		{"billion-laughs.xml", "Laughs &lol9;"},
		{"external-entity.xml", "Secret: &xxe;"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			f := mustParse(t, tt.file, "")
			if len(f.Items) != 1 || f.Items[0].Title != tt.title {
				t.Fatalf("got %+v, want one item titled %q", f.Items, tt.title)
			}
			if len(f.Items[0].Text) > 100 || len(f.Title) > 100 {
				t.Errorf("entities expanded: title %d bytes, text %d bytes", len(f.Title), len(f.Items[0].Text))
			}
		})
	}
}

func TestParseIdentity(t *testing.T) {
	t.Run("missing-guid.xml", func(t *testing.T) {
		f := mustParse(t, "missing-guid.xml", "")
		checkUniqueKeys(t, f)
		if len(f.Items) != 4 || f.Dropped != 1 {
			t.Fatalf("got %d items, %d dropped; want 4 and 1 (the empty item)", len(f.Items), f.Dropped)
		}
		wants := []struct{ key, link string }{
			{"https://noguid.example.com/a?id=7", "https://noguid.example.com/a?id=7"},
			{hashKey("Title and date only", "Tue, 24 Nov 2026 11:00:00 GMT"), ""},
			{hashKey("Title only", ""), ""},
			{hashKey("", "", "Only a description, nothing else."), ""},
		}
		for i, w := range wants {
			if f.Items[i].Key != w.key || f.Items[i].Link != w.link || f.Items[i].GUID != "" {
				t.Errorf("item %d: got key %q link %q guid %q, want %q %q \"\"", i, f.Items[i].Key, f.Items[i].Link, f.Items[i].GUID, w.key, w.link)
			}
		}
	})
	t.Run("duplicate-guid.xml", func(t *testing.T) {
		f := mustParse(t, "duplicate-guid.xml", "")
		checkUniqueKeys(t, f)
		var got []string
		for _, it := range f.Items {
			got = append(got, it.Key+" guid="+it.GUID)
		}
		want := []string{
			// Distinct GUIDs, same link: two articles.
			"live-1 guid=live-1",
			"live-2 guid=live-2",
			// An exact repeat is one article.
			"rep guid=rep",
			// A GUID shared by different items identifies neither: they
			// are keyed by their links, and their GUID is cleared.
			"https://dup.example.com/a guid=",
			"https://dup.example.com/b guid=",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if f.Dropped != 1 {
			t.Errorf("dropped: got %d, want 1", f.Dropped)
		}
	})
	t.Run("same link, no GUIDs, different titles", func(t *testing.T) {
		body := `<rss version="2.0"><channel><title>x</title>
<item><title>Morning news</title><link>https://h.example.com/</link></item>
<item><title>Evening news</title><link>https://h.example.com/</link></item>
</channel></rss>`
		f, err := Parse([]byte(body), "", "")
		if err != nil {
			t.Fatal(err)
		}
		checkUniqueKeys(t, f)
		if len(f.Items) != 2 || !strings.HasPrefix(f.Items[0].Key, "h:") || f.Items[0].Link != "https://h.example.com/" {
			t.Errorf("got %+v, want two hash-keyed items keeping their link", f.Items)
		}
	})
}

func TestParseLinks(t *testing.T) {
	for _, tt := range []struct {
		file  string
		links []string
	}{
		{"relative-links.xml", []string{
			"https://base.example.com/news/1",
			"https://base.example.com/feeds/2.html",
			"https://cdn.example.com/3",
			"", // javascript: is no link
		}},
		{"tracking-params.xml", []string{
			"https://t.example.com/a",
			"https://t.example.com/b?id=5&page=2",
			"https://t.example.com/c#section",
			"https://t.example.com/d?ref=home&q=a%20b",
		}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			f := mustParse(t, tt.file, "")
			if len(f.Items) != len(tt.links) {
				t.Fatalf("got %d items, want %d", len(f.Items), len(tt.links))
			}
			for i, want := range tt.links {
				if f.Items[i].Link != want {
					t.Errorf("item %d: got %q, want %q", i, f.Items[i].Link, want)
				}
			}
		})
	}
}

func TestCleanLink(t *testing.T) {
	tests := []struct{ raw, base, want string }{
		{"https://a.example/x?utm_source=a&b=1&utm_medium=c", "", "https://a.example/x?b=1"},
		{"https://a.example/x?fbclid=1", "", "https://a.example/x"},
		{"https://a.example/x?gclid=1&mc_eid=2&mc_cid=3", "", "https://a.example/x"},
		{"https://a.example/x?b=2&a=1", "", "https://a.example/x?b=2&a=1"}, // order kept
		{"/p", "http://b.example/feed", "http://b.example/p"},
		{"p", "", ""},
		{"mailto:x@example.com", "", ""},
		{"ftp://a.example/x", "", ""},
		{"  https://A.EXAMPLE/Path  ", "", "https://a.example/Path"},
		{"https://a.example/x?utm_source%3Dq=1", "", "https://a.example/x"},
	}
	for _, tt := range tests {
		if got := CleanLink(tt.raw, tt.base); got != tt.want {
			t.Errorf("CleanLink(%q, %q): got %q, want %q", tt.raw, tt.base, got, tt.want)
		}
	}
}

func TestParseDates(t *testing.T) {
	f := mustParse(t, "dates.xml", "")
	tests := []struct {
		title string
		want  time.Time
		raw   string
	}{
		{"Normal", time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC), "Tue, 24 Nov 2026 10:00:00 +0100"},
		{"Far future", time.Time{}, "Fri, 01 Jan 2100 00:00:00 GMT"},
		{"Year zero", time.Time{}, "0000-01-01T00:00:00Z"},
		{"Before 1990", time.Time{}, "Thu, 01 Jan 1970 00:00:00 GMT"},
		{"Unparseable", time.Time{}, "yesterday-ish"},
		{"Missing", time.Time{}, ""},
		{"Tomorrow", time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC), "Thu, 26 Nov 2026 10:00:00 GMT"},
	}
	if len(f.Items) != len(tests) {
		t.Fatalf("got %d items, want %d", len(f.Items), len(tests))
	}
	for i, tt := range tests {
		it := f.Items[i]
		if it.Title != tt.title || !it.Published.Equal(tt.want) || it.DateRaw != tt.raw {
			t.Errorf("item %d: got %q %v %q, want %q %v %q", i, it.Title, it.Published, it.DateRaw, tt.title, tt.want, tt.raw)
		}
	}
}

// TestParseHuge: a megabyte title is trimmed, 100,000 items are capped
// to the newest MaxItems, a megabyte of text is trimmed.
func TestParseHuge(t *testing.T) {
	t.Run("megabyte title", func(t *testing.T) {
		big := strings.Repeat("Très long titre ", 1<<16) // ~1 MB
		body := `<rss version="2.0"><channel><title>` + big + `</title><item><title>` + big +
			`</title><guid>1</guid><description>` + strings.Repeat("<p>para</p>", 1<<17) + `</description></item></channel></rss>`
		f, err := ParseWith([]byte(body), "", "", ParseOptions{MaxText: 1000})
		if err != nil {
			t.Fatal(err)
		}
		it := f.Items[0]
		if n := utf8.RuneCountInString(it.Title); n > DefaultMaxTitle || n < DefaultMaxTitle-20 {
			t.Errorf("title: got %d runes, want about %d", n, DefaultMaxTitle)
		}
		if n := utf8.RuneCountInString(f.Title); n > DefaultMaxTitle {
			t.Errorf("feed title: got %d runes", n)
		}
		if len(it.Text) > 1000 || !utf8.ValidString(it.Text) || !utf8.ValidString(it.Title) {
			t.Errorf("text: got %d bytes (valid UTF-8: %v), want at most 1000", len(it.Text), utf8.ValidString(it.Text))
		}
	})
	t.Run("100,000 items", func(t *testing.T) {
		var sb strings.Builder
		sb.WriteString(`<rss version="2.0"><channel><title>many</title>`)
		start := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := range 100000 {
			// Oldest first: the cap must keep the newest.
			fmt.Fprintf(&sb, "<item><title>Item %d</title><guid>g%d</guid><pubDate>%s</pubDate></item>",
				i, i, start.Add(time.Duration(i)*time.Minute).Format(time.RFC1123Z))
		}
		sb.WriteString(`</channel></rss>`)
		f, err := ParseWith([]byte(sb.String()), "", "", ParseOptions{Now: func() time.Time { return testNow }})
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Items) != DefaultMaxItems || f.Dropped != 100000-DefaultMaxItems {
			t.Fatalf("got %d items, %d dropped; want %d and %d", len(f.Items), f.Dropped, DefaultMaxItems, 100000-DefaultMaxItems)
		}
		if f.Items[0].Title != "Item 99000" || f.Items[len(f.Items)-1].Title != "Item 99999" {
			t.Errorf("kept %q .. %q, want the newest in document order", f.Items[0].Title, f.Items[len(f.Items)-1].Title)
		}
		checkUniqueKeys(t, f)
	})
}

func TestFetcherParseOptions(t *testing.T) {
	o := Options{MaxItems: 5}.ParseOptions()
	if o.MaxItems != 5 || o.Now == nil {
		t.Errorf("got %+v", o)
	}
	if d := (Options{}).ParseOptions(); d.MaxItems != DefaultMaxItems {
		t.Errorf("default MaxItems: got %d", d.MaxItems)
	}
}

func TestParseSiteLinkAndIcon(t *testing.T) {
	tests := []struct{ name, doc, title, link, icon string }{
		{"rss", `<rss version="2.0"><channel><title>Example &amp; Co</title><link>/</link>
<image><url>/logo.png</url><title>x</title><link>/</link></image>
<item><title>A</title><link>/a</link></item></channel></rss>`, "Example & Co", "https://example.com/", "https://example.com/logo.png"},
		{"atom", `<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Site</title><link rel="alternate" href="https://site.example/"/>
<icon>https://site.example/i.ico</icon><entry><title>A</title><id>a</id><link href="https://site.example/a"/></entry></feed>`, "Atom Site", "https://site.example/", ""},
		{"json", `{"version":"https://jsonfeed.org/version/1.1","title":"J","home_page_url":"https://j.example/","icon":"https://j.example/icon.png","items":[{"id":"1","url":"https://j.example/1","content_text":"x"}]}`, "J", "https://j.example/", "https://j.example/icon.png"},
		{"script link refused", `<rss version="2.0"><channel><title>T</title><link>javascript:alert(1)</link>
<item><title>A</title><link>/a</link></item></channel></rss>`, "T", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse([]byte(tt.doc), "", "https://example.com/feed.xml")
			if err != nil {
				t.Fatal(err)
			}
			if f.Title != tt.title || f.Link != tt.link || (tt.icon != "" && f.Icon != tt.icon) {
				t.Errorf("got title %q link %q icon %q, want %q %q %q", f.Title, f.Link, f.Icon, tt.title, tt.link, tt.icon)
			}
		})
	}
}
