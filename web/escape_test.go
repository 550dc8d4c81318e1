package web

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/stet-news/stet/store"
)

// Markup that a feed may carry, and where it must show as text.
const (
	evilScript = `<script>alert(1)</script>`
	evilImg    = `"><img src=x onerror=alert(2)>`
	evilLink   = `javascript:alert(3)`
)

// seedEvil stores an article whose every field carries markup, from a feed
// whose name, URL and last error do too.
func seedEvil(t *testing.T, st *store.Store) int64 {
	t.Helper()
	ctx := context.Background()
	f, err := st.EnsureFeed(ctx, "javascript:alert(8)//feed", `<b>Evil</b> `+evilImg)
	if err != nil {
		t.Fatal(err)
	}
	v1 := version{Headline: evilScript + " headline",
		Text: "Jane Roe, a " + evilImg + " minister, spoke.\n\n“Say " + evilScript + " now,” Jane Roe said."}
	v2 := version{Headline: evilScript + " headline " + evilImg,
		Text: "Jane Roe, the " + evilScript + " minister, spoke.\n\n“Say " + evilImg + " later,” Jane Roe said."}
	storeVersion(t, st, f.ID, "evil-guid", evilLink, v1, t0, nil)
	id := storeVersion(t, st, f.ID, "evil-guid", evilLink, v2, t0.Add(time.Hour), []store.ChangeInput{
		{Kind: "quote_edited", Person: "<i>Jane</i> " + evilImg, Before: "Say " + evilScript + " now", After: "Say " + evilImg + " later"},
		{Kind: "title_changed", Person: evilScript, Before: evilImg + " minister", After: evilScript + " minister"},
		{Kind: "quote_reattributed", Person: evilImg, Before: evilScript, After: evilImg, Quote: evilScript + evilImg},
		{Kind: "headline_changed", Before: v1.Headline, After: v2.Headline},
	})
	if err := st.RecordFetch(ctx, store.FetchRecord{FeedID: f.ID, At: t0.Add(2 * time.Hour), Status: 500,
		Err: "feeds: " + evilScript + evilImg, Failures: 1}); err != nil {
		t.Fatal(err)
	}
	return id
}

var (
	rawTag     = regexp.MustCompile(`(?i)<\s*(script|img|iframe|b|i)\b`)
	badHref    = regexp.MustCompile(`(?i)(href|src|action)\s*=\s*["']?\s*javascript:`)
	escapedAny = []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(2)&gt;"}
)

// checkEscaped: no markup from the feed made it into the page as markup,
// and it is there as text.
func checkEscaped(t *testing.T, what, body string, wantText bool) {
	t.Helper()
	if m := rawTag.FindString(body); m != "" {
		i := strings.Index(body, m)
		t.Errorf("%s: raw markup %q at …%s…", what, m, body[max(0, i-80):min(len(body), i+80)])
	}
	if m := badHref.FindString(body); m != "" {
		t.Errorf("%s: javascript: link %q", what, m)
	}
	if wantText {
		found := false
		for _, e := range escapedAny {
			found = found || strings.Contains(body, e)
		}
		if !found {
			t.Errorf("%s: the markup does not show as text", what)
		}
	}
}

func TestMarkupShowsAsText(t *testing.T) {
	st := openStore(t)
	id := seedEvil(t, st)
	h := New(st, Options{Hosts: []string{"example.com"}, Now: func() time.Time { return t0.Add(3 * time.Hour) }}).Handler()
	pages := []string{
		"/",
		"/changes?kind=quote_reattributed",
		"/changes?person=" + url.QueryEscape(evilImg),
		"/changes?feed=" + url.QueryEscape("javascript:alert(8)//feed"),
		fmt.Sprintf("/articles/%d", id),
		fmt.Sprintf("/articles/%d?from=2&to=1", id),
		fmt.Sprintf("/articles/%d?from=2&to=2", id),
		"/feeds",
	}
	for _, p := range pages {
		r := get(t, h, p)
		if r.code != 200 {
			t.Errorf("GET %s: %d", p, r.code)
			continue
		}
		checkEscaped(t, p, r.body, true)
	}
	// parameters echoed in error pages and forms
	for _, p := range []string{
		"/changes?kind=" + url.QueryEscape(evilScript),
		"/changes?person=" + url.QueryEscape(evilScript),
		fmt.Sprintf("/articles/%d?from=%s", id, url.QueryEscape(evilImg)),
		"/" + url.PathEscape(evilScript),
	} {
		r := get(t, h, p)
		checkEscaped(t, p, r.body, false)
	}
	// the article's javascript: link is shown as text, never as a link
	r := get(t, h, fmt.Sprintf("/articles/%d", id))
	mustContain(t, "article", r.body, `<span class="badlink">javascript:alert(3)</span>`)

	t.Run("atom", func(t *testing.T) {
		r := get(t, h, "/changes.atom")
		checkEscaped(t, "atom", r.body, false)
		feed, err := gofeed.NewParser().ParseString(r.body)
		if err != nil {
			t.Fatal(err)
		}
		if len(feed.Items) != 4 {
			t.Fatalf("%d items", len(feed.Items))
		}
		for _, it := range feed.Items {
			// the content is HTML: feed markup must be escaped in it
			checkEscaped(t, "atom content of "+it.GUID, it.Content, true)
			for _, l := range it.Links {
				if strings.HasPrefix(strings.ToLower(l), "javascript:") {
					t.Errorf("atom link %q", l)
				}
			}
		}
		// the title is text: the markup is there as characters
		if !strings.Contains(feed.Items[0].Title, evilScript) {
			t.Errorf("title %q", feed.Items[0].Title)
		}
	})

	t.Run("api", func(t *testing.T) {
		for _, p := range []string{"/api/changes", "/api/feeds", fmt.Sprintf("/api/articles/%d", id)} {
			r := get(t, h, p)
			if r.code != 200 || !strings.HasPrefix(r.hdr.Get("Content-Type"), "application/json") {
				t.Errorf("GET %s: %d %q", p, r.code, r.hdr.Get("Content-Type"))
			}
			checkEscaped(t, p, r.body, false)
		}
	})
}
