package web

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/stet-news/stet/store"
)

// Atom 1.0 (RFC 4287) of recorded changes, newest first, paged as in RFC
// 5005: each page links to the first one and, unless it is the last, to
// the next (older) one.

type atomFeed struct {
	XMLName   xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID        string      `xml:"id"`
	Title     string      `xml:"title"`
	Subtitle  string      `xml:"subtitle,omitempty"`
	Updated   string      `xml:"updated"`
	Author    atomPerson  `xml:"author"`
	Generator string      `xml:"generator"`
	Links     []atomLink  `xml:"link"`
	Entries   []atomEntry `xml:"entry"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type atomEntry struct {
	ID        string         `xml:"id"`
	Title     string         `xml:"title"`
	Updated   string         `xml:"updated"`
	Published string         `xml:"published"`
	Links     []atomLink     `xml:"link"`
	Category  []atomCategory `xml:"category"`
	Content   atomText       `xml:"content"`
}

// atomContent is the HTML of one entry, escaped by html/template and then,
// as the text of <content type="html">, once more by encoding/xml.
var atomContent = template.Must(template.New("entry").Funcs(template.FuncMap{"kind": kindLabel}).Parse(
	`<p><strong>{{kind .Kind}}</strong>{{with .Person}} · {{.}}{{end}}</p>
<p>In <a href="{{.PageURL}}">{{if .Headline}}{{.Headline}}{{else}}article {{.ArticleID}}{{end}}</a> ({{.FeedLabel}}), revision {{.FromRev}} → {{.ToRev}}.</p>
<p>Before: {{if .Before}}{{range .Before}}{{if eq .Tag "del"}}<del>{{.Text}}</del>{{else}}{{.Text}}{{end}}{{end}}{{else}}<em>(none)</em>{{end}}</p>
<p>After: {{if .After}}{{range .After}}{{if eq .Tag "ins"}}<ins>{{.Text}}</ins>{{else}}{{.Text}}{{end}}{{end}}{{else}}<em>(none)</em>{{end}}</p>
{{with .Quote}}<blockquote>{{.}}</blockquote>{{end}}{{with .Source}}<p><a href="{{.}}">Source</a></p>{{end}}`))

// atomTagDate is the date of the tag: URIs (RFC 4151) of feeds and entries.
const atomTagDate = "2026"

// base is the scheme and host that absolute links start with.
func (s *Server) base(r *http.Request) string {
	if s.opts.BaseURL != "" {
		return strings.TrimRight(s.opts.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// tagAuthority is the host of base as a tag: URI authority (a DNS name).
func tagAuthority(base string) string {
	host := ""
	if u, err := url.Parse(base); err == nil {
		host = strings.ToLower(u.Hostname())
	}
	host = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return -1
	}, host)
	host = strings.Trim(host, ".-")
	if host == "" {
		return "localhost"
	}
	return host
}

func (s *Server) atom(w http.ResponseWriter, r *http.Request) {
	c, err := parseChangeQuery(r.URL.Query())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rows, next, err := s.changePage(r, c)
	if err != nil {
		s.log.Error("web: atom", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	base := s.base(r)
	tag := "tag:" + tagAuthority(base) + "," + atomTagDate + ":stet/"
	// the pages of one filtered view are one logical feed, one id
	id := tag + "changes"
	if q := c.values(0); len(q) > 0 {
		q.Del("limit")
		if e := q.Encode(); e != "" {
			id += "?" + e
		}
	}
	title := "stet: changes"
	if c.Kind != "" {
		title += " · " + kindLabel(c.Kind)
	}
	if c.Feed != "" {
		title += " · " + c.Feed
	}
	if c.Person != "" {
		title += " · " + c.Person
	}
	f := atomFeed{
		ID:        id,
		Title:     title,
		Subtitle:  "Quotes, speakers, job titles and headlines changed in news articles after publication.",
		Author:    atomPerson{Name: "stet"},
		Generator: "stet",
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: base + c.link("/changes.atom", c.Before)},
			{Rel: "first", Type: "application/atom+xml", Href: base + c.link("/changes.atom", 0)},
			{Rel: "alternate", Type: "text/html", Href: base + changeQuery{Feed: c.Feed, Kind: c.Kind, Person: c.Person, Limit: defaultLimit}.link("/changes", 0)},
		},
	}
	if next != 0 {
		f.Links = append(f.Links, atomLink{Rel: "next", Type: "application/atom+xml", Href: base + c.link("/changes.atom", next)})
	}
	updated := time.Time{}
	for _, row := range rows {
		e, err := s.atomEntry(base, tag, row)
		if err != nil {
			s.log.Error("web: atom entry", "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		if row.DetectedAt.After(updated) {
			updated = row.DetectedAt
		}
		f.Entries = append(f.Entries, e)
	}
	if updated.IsZero() {
		updated = s.now()
	}
	f.Updated = updated.UTC().Format(time.RFC3339)

	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(f); err != nil {
		s.log.Error("web: atom", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	buf.WriteByte('\n')
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Write(buf.Bytes())
}

func (s *Server) atomEntry(base, tag string, row store.ChangeRow) (atomEntry, error) {
	v := s.changeView(row)
	pageURL := base + v.Page
	var html bytes.Buffer
	if err := atomContent.Execute(&html, struct {
		changeView
		PageURL string
	}{v, pageURL}); err != nil {
		return atomEntry{}, err
	}
	title := kindLabel(row.Kind)
	if row.Person != "" {
		title += ": " + row.Person
	}
	if row.Headline != "" {
		title += " — " + shorten(row.Headline, 120)
	}
	at := row.DetectedAt.UTC().Format(time.RFC3339)
	e := atomEntry{
		ID:        fmt.Sprintf("%schange/%d", tag, row.ID),
		Title:     title,
		Updated:   at,
		Published: at,
		Links:     []atomLink{{Rel: "alternate", Type: "text/html", Href: pageURL}},
		Category:  []atomCategory{{Term: row.Kind, Label: kindLabel(row.Kind)}},
		Content:   atomText{Type: "html", Body: html.String()},
	}
	if v.Source != "" {
		e.Links = append(e.Links, atomLink{Rel: "related", Type: "text/html", Href: v.Source})
	}
	return e, nil
}
