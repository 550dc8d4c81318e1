package web

import (
	"encoding/xml"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
)

// xmlFeed decodes what RFC 4287 requires of a feed and its entries.
type xmlFeed struct {
	XMLName xml.Name  `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string    `xml:"id"`
	Title   string    `xml:"title"`
	Updated string    `xml:"updated"`
	Authors []xmlName `xml:"author"`
	Links   []xmlLink `xml:"link"`
	Entries []struct {
		ID      string    `xml:"id"`
		Title   string    `xml:"title"`
		Updated string    `xml:"updated"`
		Authors []xmlName `xml:"author"`
		Links   []xmlLink `xml:"link"`
		Content struct {
			Type string `xml:"type,attr"`
			Body string `xml:",chardata"`
		} `xml:"content"`
	} `xml:"entry"`
}

type xmlName struct {
	Name string `xml:"name"`
}

type xmlLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
	Href string `xml:"href,attr"`
}

func linkOf(ls []xmlLink, rel string) string {
	for _, l := range ls {
		if l.Rel == rel || (rel == "alternate" && l.Rel == "") {
			return l.Href
		}
	}
	return ""
}

// checkAtom checks body against Atom's required elements and returns the
// decoded feed.
func checkAtom(t *testing.T, body string) xmlFeed {
	t.Helper()
	var f xmlFeed
	if err := xml.Unmarshal([]byte(body), &f); err != nil {
		t.Fatalf("not Atom: %v\n%s", err, body)
	}
	isAbs := func(s string) bool {
		u, err := url.Parse(s)
		return err == nil && u.IsAbs()
	}
	if !isAbs(f.ID) || f.Title == "" {
		t.Errorf("feed id %q title %q", f.ID, f.Title)
	}
	if _, err := time.Parse(time.RFC3339, f.Updated); err != nil {
		t.Errorf("feed updated %q: %v", f.Updated, err)
	}
	if self := linkOf(f.Links, "self"); !isAbs(self) {
		t.Errorf("self link %q", self)
	}
	seen := map[string]bool{}
	for i, e := range f.Entries {
		if !strings.HasPrefix(e.ID, "tag:") || seen[e.ID] {
			t.Errorf("entry %d: id %q (tag: URI, unique)", i, e.ID)
		}
		seen[e.ID] = true
		if e.Title == "" {
			t.Errorf("entry %d: no title", i)
		}
		if _, err := time.Parse(time.RFC3339, e.Updated); err != nil {
			t.Errorf("entry %d: updated %q: %v", i, e.Updated, err)
		}
		if len(f.Authors) == 0 && len(e.Authors) == 0 {
			t.Errorf("entry %d: no author, and the feed has none", i)
		}
		if !isAbs(linkOf(e.Links, "alternate")) {
			t.Errorf("entry %d: alternate link %q", i, linkOf(e.Links, "alternate"))
		}
		if e.Content.Type != "html" || e.Content.Body == "" {
			t.Errorf("entry %d: content type %q, %d bytes", i, e.Content.Type, len(e.Content.Body))
		}
	}
	return f
}

func TestAtom(t *testing.T) {
	f := newFixture(t, Options{})
	r := get(t, f.h, "/changes.atom")
	if r.code != 200 || r.hdr.Get("Content-Type") != "application/atom+xml; charset=utf-8" {
		t.Fatalf("got %d %q", r.code, r.hdr.Get("Content-Type"))
	}
	af := checkAtom(t, r.body)
	if af.ID != "tag:example.com,2026:stet/changes" || af.Updated != "2026-11-20T10:00:00Z" {
		t.Errorf("feed id %q updated %q", af.ID, af.Updated)
	}
	if got := linkOf(af.Links, "next"); got != "" {
		t.Errorf("next link on the only page: %q", got)
	}
	if got := linkOf(af.Links, "first"); got != "http://example.com/changes.atom" {
		t.Errorf("first link %q", got)
	}

	feed, err := gofeed.NewParser().ParseString(r.body)
	if err != nil {
		t.Fatalf("gofeed: %v", err)
	}
	if feed.FeedType != "atom" || feed.FeedVersion != "1.0" || len(feed.Items) != 3 {
		t.Fatalf("gofeed: type %q version %q, %d items", feed.FeedType, feed.FeedVersion, len(feed.Items))
	}
	it := feed.Items[1]
	if it.Title != "Title changed: Elena Marsh — "+marshV2.Headline {
		t.Errorf("title %q", it.Title)
	}
	if want := fmt.Sprintf("http://example.com/articles/%d?from=1&to=2#change-2", f.article); it.Link != want {
		t.Errorf("link %q, want %q", it.Link, want)
	}
	if it.GUID != "tag:example.com,2026:stet/change/2" {
		t.Errorf("guid %q", it.GUID)
	}
	if it.UpdatedParsed == nil || !it.UpdatedParsed.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("updated %v", it.UpdatedParsed)
	}
	mustContain(t, "content", it.Content, "<del>Senator from Kestrel Province</del>", "<ins>Minister of Trade</ins>",
		`<a href="https://news.example/marsh">Source</a>`)
	if len(it.Categories) != 1 || (it.Categories[0] != "title_changed" && it.Categories[0] != "Title changed") {
		t.Errorf("categories %v", it.Categories)
	}

	t.Run("filtered", func(t *testing.T) {
		r := get(t, f.h, "/changes.atom?kind=quote_edited&feed="+url.QueryEscape(testFeed))
		af := checkAtom(t, r.body)
		if len(af.Entries) != 1 || !strings.HasPrefix(af.Entries[0].Title, "Quote edited") {
			t.Errorf("got %d entries", len(af.Entries))
		}
		if !strings.Contains(af.ID, "kind=quote_edited") {
			t.Errorf("a filtered feed has its own id: %q", af.ID)
		}
		if r := get(t, f.h, "/changes.atom?kind=bogus"); r.code != 400 {
			t.Errorf("bad kind: got %d", r.code)
		}
	})

	t.Run("base URL", func(t *testing.T) {
		f := newFixture(t, Options{BaseURL: "https://stet.example.org/"})
		af := checkAtom(t, get(t, f.h, "/changes.atom").body)
		if af.ID != "tag:stet.example.org,2026:stet/changes" || linkOf(af.Links, "self") != "https://stet.example.org/changes.atom" {
			t.Errorf("id %q self %q", af.ID, linkOf(af.Links, "self"))
		}
	})

	t.Run("empty", func(t *testing.T) {
		st := openStore(t)
		h := New(st, Options{Hosts: []string{"example.com"}, Now: func() time.Time { return t0 }}).Handler()
		af := checkAtom(t, get(t, h, "/changes.atom").body)
		if len(af.Entries) != 0 || af.Updated != "2026-11-20T08:00:00Z" {
			t.Errorf("entries %d updated %q", len(af.Entries), af.Updated)
		}
	})
}

// TestAtomPaging follows rel="next" (RFC 5005) through every page.
func TestAtomPaging(t *testing.T) {
	st := openStore(t)
	for i := range 4 {
		seedArticle(t, st, testFeed, "", fmt.Sprintf("g%d", i), fmt.Sprintf("https://news.example/a%d", i), t0.Add(time.Duration(i)*time.Hour))
	}
	h := New(st, Options{Hosts: []string{"example.com"}}).Handler()
	next := "http://example.com/changes.atom?limit=5"
	var ids []string
	pages := 0
	for next != "" {
		if pages++; pages > 10 {
			t.Fatal("paging does not end")
		}
		u, err := url.Parse(next)
		if err != nil || u.Host != "example.com" {
			t.Fatalf("next link %q", next)
		}
		r := get(t, h, u.RequestURI())
		af := checkAtom(t, r.body)
		if _, err := gofeed.NewParser().ParseString(r.body); err != nil {
			t.Fatalf("page %d: gofeed: %v", pages, err)
		}
		if self := linkOf(af.Links, "self"); self != next {
			t.Errorf("page %d: self %q, want %q", pages, self, next)
		}
		for _, e := range af.Entries {
			ids = append(ids, e.ID)
		}
		next = linkOf(af.Links, "next")
	}
	if pages != 3 || len(ids) != 12 {
		t.Errorf("got %d pages, %d entries; want 3 pages, 12 entries", pages, len(ids))
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Errorf("entry %s on two pages", id)
		}
		seen[id] = true
	}
	if ids[0] != "tag:example.com,2026:stet/change/12" || ids[11] != "tag:example.com,2026:stet/change/1" {
		t.Errorf("not newest first: %s … %s", ids[0], ids[11])
	}
}
