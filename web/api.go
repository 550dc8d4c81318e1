package web

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/stet-news/stet/change"
	"github.com/stet-news/stet/store"
)

// FeedJSON is one feed, with the fields of `stet status --json`.
type FeedJSON struct {
	Feed       string `json:"feed"`
	URL        string `json:"url"`
	Name       string `json:"name,omitempty"`
	Articles   int    `json:"articles"`
	Revisions  int    `json:"revisions"`
	LastFetch  string `json:"last_fetch"`
	LastStatus int    `json:"last_status"`
	LastError  string `json:"last_error"`
	NextFetch  string `json:"next_fetch"`
	Failures   int    `json:"failures"`
	Gone       bool   `json:"gone"`
}

// RevisionJSON is one stored revision of an article.
type RevisionJSON struct {
	Version   int    `json:"version"`
	FetchedAt string `json:"fetched_at"`
	Headline  string `json:"headline"`
	Text      string `json:"text"`
	RevertOf  int    `json:"revert_of,omitempty"` // this revision restores that older one
}

func rfc3339(t time.Time) string { return change.RFC3339(t) }

// Page sizes of the change lists.
const (
	defaultLimit = 50
	maxLimit     = 500
)

// changeQuery is a parsed change list request: filters, cursor, page size.
type changeQuery struct {
	Feed, Kind, Person string
	Before             int64
	Limit              int
}

var errBadParam = errors.New("bad parameter")

// parseChangeQuery reads feed, kind, person, before and limit.
func parseChangeQuery(q url.Values) (changeQuery, error) {
	c := changeQuery{
		Feed:   strings.TrimSpace(q.Get("feed")),
		Kind:   strings.TrimSpace(q.Get("kind")),
		Person: strings.TrimSpace(q.Get("person")),
		Limit:  defaultLimit,
	}
	if c.Kind != "" && !change.Known(c.Kind) {
		return c, fmt.Errorf("%w: kind %q: want one of %s", errBadParam, c.Kind, strings.Join(change.Kinds, ", "))
	}
	if v := q.Get("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return c, fmt.Errorf("%w: before %q: want a change id (a positive integer)", errBadParam, v)
		}
		c.Before = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLimit {
			return c, fmt.Errorf("%w: limit %q: want 1 to %d", errBadParam, v, maxLimit)
		}
		c.Limit = n
	}
	if len(c.Person) > 200 || len(c.Feed) > 2000 {
		return c, fmt.Errorf("%w: feed or person too long", errBadParam)
	}
	return c, nil
}

func (c changeQuery) filter() store.ChangeFilter {
	return store.ChangeFilter{FeedURL: c.Feed, Kind: c.Kind, Person: c.Person, BeforeID: c.Before, Desc: true, Limit: c.Limit + 1}
}

// values are c's query parameters with another cursor (0: none); the page
// size only when not the default.
func (c changeQuery) values(before int64) url.Values {
	v := url.Values{}
	if c.Feed != "" {
		v.Set("feed", c.Feed)
	}
	if c.Kind != "" {
		v.Set("kind", c.Kind)
	}
	if c.Person != "" {
		v.Set("person", c.Person)
	}
	if before != 0 {
		v.Set("before", strconv.FormatInt(before, 10))
	}
	if c.Limit != defaultLimit {
		v.Set("limit", strconv.Itoa(c.Limit))
	}
	return v
}

// link is path with c's parameters and cursor before.
func (c changeQuery) link(path string, before int64) string {
	if q := c.values(before).Encode(); q != "" {
		return path + "?" + q
	}
	return path
}

// changePage runs the query: the changes of this page, newest first, and the
// cursor of the next page (0 on the last).
func (s *Server) changePage(r *http.Request, c changeQuery) ([]store.ChangeRow, int64, error) {
	rows, err := s.st.Changes(r.Context(), c.filter())
	if err != nil {
		return nil, 0, err
	}
	var next int64
	if len(rows) > c.Limit {
		rows = rows[:c.Limit]
		next = rows[len(rows)-1].ID
	}
	return rows, next, nil
}

func (s *Server) apiChanges(w http.ResponseWriter, r *http.Request) {
	c, err := parseChangeQuery(r.URL.Query())
	if err != nil {
		s.jsonError(w, http.StatusBadRequest, err.Error())
		return
	}
	rows, next, err := s.changePage(r, c)
	if err != nil {
		s.serverError(w, r, err, true)
		return
	}
	out := struct {
		Changes []change.JSON `json:"changes"`
		Next    string        `json:"next,omitempty"`
	}{Changes: make([]change.JSON, 0, len(rows))}
	for _, row := range rows {
		out.Changes = append(out.Changes, row.JSON())
	}
	if next != 0 {
		out.Next = c.link("/api/changes", next)
	}
	s.writeJSON(w, out)
}

func (s *Server) feedJSON(fs []store.FeedStatus) []FeedJSON {
	now := s.now()
	out := make([]FeedJSON, 0, len(fs))
	for _, f := range fs {
		out = append(out, FeedJSON{Feed: f.URL, URL: f.FetchURL, Name: s.feedName(f.URL, cmp.Or(f.Name, f.Site.Title)),
			Articles: f.Articles, Revisions: f.Revisions, LastFetch: rfc3339(f.LastFetch),
			LastStatus: f.LastStatus, LastError: f.LastError, NextFetch: rfc3339(s.nextFetch(f, now)),
			Failures: f.Failures, Gone: f.Gone})
	}
	return out
}

// nextFetch is when feed f is fetched next: as the daemon plans it when it
// told us how, else as stored; never for a gone feed.
func (s *Server) nextFetch(f store.FeedStatus, now time.Time) time.Time {
	if f.Gone {
		return time.Time{}
	}
	if s.opts.NextFetch != nil {
		return s.opts.NextFetch(f, now)
	}
	return f.NextFetch
}

// feedName is the display name of a feed: configured, stored, else "".
func (s *Server) feedName(url, stored string) string {
	if n := s.opts.FeedNames[url]; n != "" {
		return n
	}
	return stored
}

func (s *Server) apiFeeds(w http.ResponseWriter, r *http.Request) {
	fs, err := s.st.FeedStatuses(r.Context())
	if err != nil {
		s.serverError(w, r, err, true)
		return
	}
	s.writeJSON(w, struct {
		Feeds []FeedJSON `json:"feeds"`
	}{s.feedJSON(fs)})
}

// articleID reads the {id} path value.
func articleID(r *http.Request) (int64, error) {
	v := r.PathValue("id")
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("%w: article id %q: want a positive integer", errBadParam, v)
	}
	return id, nil
}

func (s *Server) writeJSON(w http.ResponseWriter, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		s.log.Error("web: encode json", "err", err)
		s.jsonError(w, http.StatusInternalServerError, "internal error")
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(append(b, '\n'))
}

func (s *Server) jsonError(w http.ResponseWriter, code int, msg string) {
	b, _ := json.Marshal(struct {
		Error string `json:"error"`
	}{msg})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	w.Write(append(b, '\n'))
}

// serverError logs err and answers 500 without its details (or 404 when
// it is ErrNotFound).
func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error, asJSON bool) {
	code, msg := http.StatusInternalServerError, "internal error"
	if errors.Is(err, store.ErrNotFound) {
		code, msg = http.StatusNotFound, "not found"
	} else {
		s.log.Error("web: request", "path", r.URL.Path, "err", err)
	}
	if asJSON {
		s.jsonError(w, code, msg)
		return
	}
	s.errorPage(w, r, code, msg)
}
