package web

import (
	"bytes"
	"cmp"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/stet-news/stet/change"
	"github.com/stet-news/stet/store"
)

// pages are the parsed templates, one set per page (layout + page).
type pages struct {
	set map[string]*template.Template
}

var pageNames = []string{"changes", "article", "feeds", "error"}

func (s *Server) parsePages() *pages {
	funcs := template.FuncMap{
		"when":  when,
		"iso":   rfc3339,
		"ago":   func(t time.Time) string { return ago(t, s.now()) },
		"due":   func(t time.Time) string { return due(t, s.now()) },
		"href":  safeHref,
		"kind":  kindLabel,
		"short": func(s string, n int) string { return shorten(s, n) },
	}
	p := &pages{set: map[string]*template.Template{}}
	for _, name := range pageNames {
		p.set[name] = template.Must(template.New(name).Funcs(funcs).ParseFS(assets,
			"templates/layout.html", "templates/"+name+".html"))
	}
	return p
}

// page is what the layout needs, and the page's own data.
type page struct {
	Title string
	Nav   string // "changes", "feeds" or ""
	Atom  string // the Atom feed for this view
	Data  any
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, code int, name string, p page) {
	var buf bytes.Buffer
	if err := s.pages.set[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		s.log.Error("web: render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	w.Write(buf.Bytes())
}

func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, code int, msg string) {
	s.render(w, r, code, "error", page{Title: http.StatusText(code), Data: struct {
		Code int
		Msg  string
	}{code, msg}})
}

// safeHref is u when it is an absolute http or https URL, else "": nothing
// else from a feed becomes a link.
func safeHref(u string) string {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil || p.Host == "" {
		return ""
	}
	switch strings.ToLower(p.Scheme) {
	case "http", "https":
		return p.String()
	}
	return ""
}

func when(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// ago says how long before now t was (or how long after, "in ...").
func ago(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := now.Sub(t)
	suffix := " ago"
	if d < 0 {
		d, suffix = -d, ""
	}
	var s string
	switch {
	case d < time.Minute && suffix == "":
		return "in under a minute" // a planned time, not a past one
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		s = fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		s = fmt.Sprintf("%d h", int(d.Hours()))
	default:
		s = fmt.Sprintf("%d days", int(d.Hours()/24))
	}
	if suffix == "" {
		return "in " + s
	}
	return s + suffix
}

// due says when a planned time comes ("in 20 min"), or how late it is.
func due(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	if d := now.Sub(t); d >= time.Minute {
		return "overdue by " + strings.TrimSuffix(ago(t, now), " ago")
	}
	return ago(t, now)
}

// kindLabel is a kind's label as a page shows it: "Quote edited".
func kindLabel(k string) string {
	l := change.Label(k)
	if l == k || l == "" {
		return k
	}
	return strings.ToUpper(l[:1]) + l[1:]
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// feedLabel is how a feed is named on a page: its name, else its host.
func (s *Server) feedLabel(feedURL, stored string) string {
	if n := s.feedName(feedURL, stored); n != "" {
		return n
	}
	if u, err := url.Parse(feedURL); err == nil && u.Host != "" {
		return u.Host
	}
	return feedURL
}

// changeView is one change as the pages show it.
type changeView struct {
	store.ChangeRow
	FeedLabel string
	Page      string // the article page, comparing the change's revisions
	Source    string // the article's link when http(s), else ""
	Before    []seg
	After     []seg
}

func (s *Server) changeView(c store.ChangeRow) changeView {
	v := changeView{ChangeRow: c, FeedLabel: s.feedLabel(c.FeedURL, c.FeedName), Source: safeHref(c.ArticleURL)}
	if v.Source == "" {
		v.Source = safeHref(c.ArticleCanonical)
	}
	v.Page = fmt.Sprintf("/articles/%d?from=%d&to=%d#change-%d", c.ArticleID, c.FromRev, c.ToRev, c.ID)
	if c.Kind == "quote_reattributed" {
		// before and after are speakers: whole names, not words to mark
		if c.Before != "" {
			v.Before = []seg{{Text: c.Before, Tag: "del"}}
		}
		if c.After != "" {
			v.After = []seg{{Text: c.After, Tag: "ins"}}
		}
		return v
	}
	v.Before, v.After = sides(change.Mark(c.Before, c.After))
	return v
}

type option struct {
	Value, Label string
	Selected     bool
}

type changesData struct {
	Q       changeQuery
	Kinds   []option
	Feeds   []option
	Changes []changeView
	Next    string
	First   string // the newest page, when this is not it
}

func (s *Server) changesPage(w http.ResponseWriter, r *http.Request) {
	c, err := parseChangeQuery(r.URL.Query())
	if err != nil {
		s.errorPage(w, r, http.StatusBadRequest, strings.TrimPrefix(err.Error(), errBadParam.Error()+": "))
		return
	}
	rows, next, err := s.changePage(r, c)
	if err != nil {
		s.serverError(w, r, err, false)
		return
	}
	feeds, err := s.st.Feeds(r.Context())
	if err != nil {
		s.serverError(w, r, err, false)
		return
	}
	d := changesData{Q: c}
	d.Kinds = append(d.Kinds, option{Value: "", Label: "any kind", Selected: c.Kind == ""})
	for _, k := range change.Kinds {
		d.Kinds = append(d.Kinds, option{Value: k, Label: kindLabel(k), Selected: c.Kind == k})
	}
	d.Feeds = append(d.Feeds, option{Value: "", Label: "all feeds", Selected: c.Feed == ""})
	for _, f := range feeds {
		d.Feeds = append(d.Feeds, option{Value: f.URL, Label: s.feedLabel(f.URL, cmp.Or(f.Name, f.Site.Title)),
			Selected: c.Feed == f.URL || c.Feed == f.FetchURL})
	}
	for _, row := range rows {
		d.Changes = append(d.Changes, s.changeView(row))
	}
	if next != 0 {
		d.Next = c.link("/changes", next)
	}
	if c.Before != 0 {
		d.First = c.link("/changes", 0)
	}
	atom := changeQuery{Feed: c.Feed, Kind: c.Kind, Limit: defaultLimit}
	s.render(w, r, http.StatusOK, "changes", page{Title: "Changes", Nav: "changes", Atom: atom.link("/changes.atom", 0), Data: d})
}

// feedView is one feed's health on the feeds page.
type feedView struct {
	FeedJSON
	Label     string
	Href      string // the feed URL when http(s)
	LastFetch time.Time
	NextFetch time.Time
	State     string // "ok", "failing", "gone", "new"
}

func (s *Server) feedsPage(w http.ResponseWriter, r *http.Request) {
	fs, err := s.st.FeedStatuses(r.Context())
	if err != nil {
		s.serverError(w, r, err, false)
		return
	}
	now := s.now()
	js := s.feedJSON(fs)
	var d struct {
		Feeds   []feedView
		Failing int
	}
	for i, f := range fs {
		v := feedView{FeedJSON: js[i], Label: s.feedLabel(f.URL, cmp.Or(f.Name, f.Site.Title)), Href: safeHref(f.URL),
			LastFetch: f.LastFetch, NextFetch: s.nextFetch(f, now)}
		switch {
		case f.Gone:
			v.State = "gone"
		case f.LastError != "":
			v.State = "failing"
		case f.LastFetch.IsZero():
			v.State = "new"
		default:
			v.State = "ok"
		}
		if v.State == "failing" || v.State == "gone" {
			d.Failing++
		}
		d.Feeds = append(d.Feeds, v)
	}
	// broken feeds first, so that they are seen at a glance
	slices.SortStableFunc(d.Feeds, func(a, b feedView) int {
		return cmp.Compare(feedRank(a.State), feedRank(b.State))
	})
	s.render(w, r, http.StatusOK, "feeds", page{Title: "Feeds", Nav: "feeds", Data: d})
}

func feedRank(state string) int {
	switch state {
	case "failing":
		return 0
	case "gone":
		return 1
	}
	return 2
}
