package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/stet-news/stet/change"
	"github.com/stet-news/stet/diff"
	"github.com/stet-news/stet/store"
)

// An article may hold thousands of revisions and changes (any feed can
// make one), so its page and /api/articles/{id} show them a page at a
// time, newest first, with a link to the next (older) page; at most two
// revisions are decoded and diffed for the page, and at most a page of
// revisions with their text for the API. Heavy requests also wait for one
// of Options.MaxHeavy slots, so that a burst of them leaves the light
// routes and /healthz answering.
const (
	revPageSize      = 20  // revisions on the article page (metadata only)
	apiRevPageSize   = 10  // revisions with their text in one API response
	maxRevPageSize   = 100 // ?limit= for revisions
	changePageSize   = 50  // changes on the article page and in the API
	heavyWait        = 10 * time.Second
	maxDiffTextBytes = 256 << 10 // a longer revision is diffed on its first 256 KiB
	maxAPITextBytes  = 4 << 20   // revision text in one API response (at least one revision)
)

// acquireHeavy waits for a heavy-request slot; false (503 sent) when none
// came free within heavyWait or the client left.
func (s *Server) acquireHeavy(w http.ResponseWriter, r *http.Request, asJSON bool) (release func(), ok bool) {
	t := time.NewTimer(heavyWait)
	defer t.Stop()
	select {
	case s.heavy <- struct{}{}:
		return func() { <-s.heavy }, true
	case <-r.Context().Done():
	case <-t.C:
	}
	w.Header().Set("Retry-After", "5")
	if asJSON {
		s.jsonError(w, http.StatusServiceUnavailable, "busy: too many article requests at once, try again shortly")
	} else {
		s.errorPage(w, r, http.StatusServiceUnavailable, "Busy: too many article requests at once. Try again shortly.")
	}
	return nil, false
}

// articleQuery is the parsed query of an article request: the revisions to
// compare (page only), the cursors of the two lists and the page size.
type articleQuery struct {
	From, To     int   // 0: default
	RevBefore    int   // revisions numbered below this (0: from the newest)
	ChangeBefore int64 // changes with an id below this (0: from the newest)
	Limit        int   // revisions per page
}

func parseArticleQuery(q url.Values, defLimit int) (articleQuery, error) {
	aq := articleQuery{Limit: defLimit}
	num := func(name string, dst *int) error {
		v := q.Get(name)
		if v == "" {
			return nil
		}
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return fmt.Errorf("%w: %s %q: want a revision number (a positive integer)", errBadParam, name, v)
		}
		*dst = n
		return nil
	}
	for _, p := range []struct {
		name string
		dst  *int
	}{{"from", &aq.From}, {"to", &aq.To}, {"rev_before", &aq.RevBefore}} {
		if err := num(p.name, p.dst); err != nil {
			return aq, err
		}
	}
	if v := q.Get("change_before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return aq, fmt.Errorf("%w: change_before %q: want a change id (a positive integer)", errBadParam, v)
		}
		aq.ChangeBefore = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxRevPageSize {
			return aq, fmt.Errorf("%w: limit %q: want 1 to %d", errBadParam, v, maxRevPageSize)
		}
		aq.Limit = n
	}
	return aq, nil
}

// link is path with the cursors given and aq's other parameters.
func (aq articleQuery) link(path string, revBefore int, changeBefore int64, defLimit int) string {
	v := url.Values{}
	if aq.From != 0 {
		v.Set("from", strconv.Itoa(aq.From))
	}
	if aq.To != 0 {
		v.Set("to", strconv.Itoa(aq.To))
	}
	if revBefore != 0 {
		v.Set("rev_before", strconv.Itoa(revBefore))
	}
	if changeBefore != 0 {
		v.Set("change_before", strconv.FormatInt(changeBefore, 10))
	}
	if aq.Limit != defLimit {
		v.Set("limit", strconv.Itoa(aq.Limit))
	}
	if e := v.Encode(); e != "" {
		return path + "?" + e
	}
	return path
}

// articlePage is one page of an article's lists: revisions and changes,
// newest first, and the cursors of the following page (0: this list ends
// here; its cursor then stays at 1, below every number and id, so a
// following page of the other list shows this one empty).
type articlePage struct {
	A             store.Article
	Revisions     []store.Revision
	Changes       []store.ChangeRow
	NextRevBefore int
	NextChangeBef int64
}

func (p articlePage) more() bool { return p.NextRevBefore != 0 || p.NextChangeBef != 0 }

func (s *Server) loadArticlePage(ctx context.Context, id int64, aq articleQuery, withText bool) (articlePage, error) {
	var p articlePage
	a, err := s.st.Article(ctx, id)
	if err != nil {
		return p, err
	}
	p.A = a
	if aq.RevBefore != 1 {
		revs, err := s.st.RevisionsDesc(ctx, id, aq.RevBefore, aq.Limit+1, withText, maxAPITextBytes)
		if err != nil {
			return p, err
		}
		if len(revs) > aq.Limit {
			revs = revs[:aq.Limit]
			p.NextRevBefore = revs[len(revs)-1].Number
		} else if withText && len(revs) > 0 && revs[len(revs)-1].Number > 1 {
			// stopped by the byte budget: older ones may follow
			if older, err := s.st.PreviousRevision(ctx, id, revs[len(revs)-1].Number); err != nil {
				return p, err
			} else if older > 0 {
				p.NextRevBefore = revs[len(revs)-1].Number
			}
		}
		p.Revisions = revs
	}
	if aq.ChangeBefore != 1 {
		changes, err := s.st.Changes(ctx, store.ChangeFilter{ArticleID: id, BeforeID: aq.ChangeBefore, Desc: true, Limit: changePageSize + 1})
		if err != nil {
			return p, err
		}
		if len(changes) > changePageSize {
			changes = changes[:changePageSize]
			p.NextChangeBef = changes[len(changes)-1].ID
		}
		p.Changes = changes
	}
	return p, nil
}

// nextLink is the link to the page after p: each list's cursor moves on,
// or to 1 (nothing below it) once that list has ended.
func (aq articleQuery) nextLink(path string, p articlePage, defLimit int) string {
	if !p.more() {
		return ""
	}
	rb, cb := p.NextRevBefore, p.NextChangeBef
	if rb == 0 {
		rb = 1
	}
	if cb == 0 {
		cb = 1
	}
	return aq.link(path, rb, cb, defLimit)
}

// revView is one revision on an article's timeline.
type revView struct {
	store.Revision
	Compare  string // link: the diff from the previous revision to this one
	InDiff   bool   // one of the two revisions shown
	NChanges int    // changes recorded at this revision
}

type articleData struct {
	A         store.Article
	FeedLabel string
	Source    string
	Revisions []revView
	Versions  []option // for the compare form: the revisions of this page and the two compared
	From, To  int
	FromRev   store.Revision
	ToRev     store.Revision
	HeadOld   []seg
	HeadNew   []seg
	Old, New  []seg
	Truncated bool         // the diff covers the start of a long revision only
	Quotes    []diff.Quote // of revision To
	Titles    []diff.Title
	Changes   []changeView
	Next      string // the next page of revisions and changes
	First     string // the first page, when this is not it
}

func (s *Server) articlePage(w http.ResponseWriter, r *http.Request) {
	id, err := articleID(r)
	if err != nil {
		s.errorPage(w, r, http.StatusBadRequest, "Bad article id.")
		return
	}
	aq, err := parseArticleQuery(r.URL.Query(), revPageSize)
	if err != nil {
		s.errorPage(w, r, http.StatusBadRequest, "Bad parameter: "+trimBadParam(err))
		return
	}
	release, ok := s.acquireHeavy(w, r, false)
	if !ok {
		return
	}
	defer release()
	ctx := r.Context()
	p, err := s.loadArticlePage(ctx, id, aq, false)
	if errors.Is(err, store.ErrNotFound) {
		s.errorPage(w, r, http.StatusNotFound, fmt.Sprintf("No article %d.", id))
		return
	}
	if err != nil {
		s.serverError(w, r, err, false)
		return
	}
	a := p.A
	if a.Latest == 0 {
		s.errorPage(w, r, http.StatusNotFound, fmt.Sprintf("Article %d has no stored revision.", id))
		return
	}
	// default: the last two revisions (or the only one, against itself)
	to := a.Latest
	if aq.To != 0 {
		to = aq.To
	}
	from := aq.From
	if from == 0 {
		if from, err = s.st.PreviousRevision(ctx, id, to); err != nil {
			s.serverError(w, r, err, false)
			return
		}
		if from == 0 {
			from = to
		}
	}
	d := articleData{A: a, From: from, To: to, Source: safeHref(a.URL)}
	for _, side := range []struct {
		n   int
		dst *store.Revision
	}{{from, &d.FromRev}, {to, &d.ToRev}} {
		rv, err := s.st.RevisionAt(ctx, id, side.n)
		if errors.Is(err, store.ErrNotFound) {
			s.errorPage(w, r, http.StatusBadRequest, fmt.Sprintf("Article %d has no revision %d.", id, side.n))
			return
		}
		if err != nil {
			s.serverError(w, r, err, false)
			return
		}
		*side.dst = rv
	}
	if d.Source == "" {
		d.Source = safeHref(a.Canonical)
	}
	feedName := ""
	if f, err := s.st.FeedByURL(ctx, a.FeedURL); err == nil {
		feedName = f.Name
	}
	d.FeedLabel = s.feedLabel(a.FeedURL, feedName)
	for _, c := range p.Changes {
		d.Changes = append(d.Changes, s.changeView(c))
	}
	nums := make([]int, 0, len(p.Revisions))
	for _, rv := range p.Revisions {
		nums = append(nums, rv.Number)
	}
	counts, err := s.st.ChangeCounts(ctx, id, nums)
	if err != nil {
		s.serverError(w, r, err, false)
		return
	}
	inForm := map[int]bool{}
	addVersion := func(rv store.Revision) {
		if !inForm[rv.Number] {
			inForm[rv.Number] = true
			d.Versions = append(d.Versions, option{Value: strconv.Itoa(rv.Number), Label: fmt.Sprintf("%d · %s", rv.Number, when(rv.FetchedAt))})
		}
	}
	for i, rv := range p.Revisions {
		v := revView{Revision: rv, InDiff: rv.Number == from || rv.Number == to, NChanges: counts[rv.Number]}
		prev := 0
		if i+1 < len(p.Revisions) {
			prev = p.Revisions[i+1].Number
		} else if rv.Number > 1 {
			prev = rv.Number - 1 // retention may have dropped it: the compare link then says so
		}
		if prev > 0 {
			v.Compare = fmt.Sprintf("/articles/%d?from=%d&to=%d", id, prev, rv.Number)
		}
		d.Revisions = append(d.Revisions, v)
		addVersion(rv)
	}
	addVersion(d.ToRev)
	addVersion(d.FromRev)

	oldText, newText := d.FromRev.Text, d.ToRev.Text
	if len(oldText) > maxDiffTextBytes || len(newText) > maxDiffTextBytes {
		oldText, newText, d.Truncated = cut(oldText, maxDiffTextBytes), cut(newText, maxDiffTextBytes), true
	}
	oldEx := diff.Extract(diff.Article{Headline: d.FromRev.Headline, Body: oldText})
	newEx := diff.Extract(diff.Article{Headline: d.ToRev.Headline, Body: newText})
	d.Quotes, d.Titles = newEx.Quotes, newEx.Titles
	d.HeadOld, d.HeadNew = sides(change.Mark(d.FromRev.Headline, d.ToRev.Headline))
	old, new := sides(change.Mark(oldText, newText))
	d.Old, d.New = highlight(old, oldEx), highlight(new, newEx)

	path := fmt.Sprintf("/articles/%d", id)
	d.Next = aq.nextLink(path, p, revPageSize)
	if aq.RevBefore != 0 || aq.ChangeBefore != 0 {
		d.First = aq.link(path, 0, 0, revPageSize)
	}
	title := a.Headline
	if title == "" {
		title = fmt.Sprintf("Article %d", id)
	}
	s.render(w, r, http.StatusOK, "article", page{Title: title, Data: d})
}

// cut is the first n bytes of s, ending on a character boundary.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

func trimBadParam(err error) string {
	msg := err.Error()
	if p := errBadParam.Error() + ": "; len(msg) > len(p) && msg[:len(p)] == p {
		return msg[len(p):]
	}
	return msg
}

// ArticleJSON is /api/articles/{id}: the article, one page of its stored
// revisions (fields as in `stet export`) and one page of its changes, both
// newest first, and next, the URL of the following page (absent on the
// last). ?limit=N sets the number of revisions (1 to 100, default 10).
type ArticleJSON struct {
	ID        int64          `json:"id"`
	Feed      string         `json:"feed"`
	Article   string         `json:"article"` // its link
	Canonical string         `json:"canonical,omitempty"`
	Headline  string         `json:"headline"` // the latest revision's
	FirstSeen string         `json:"first_seen"`
	LastSeen  string         `json:"last_seen"`
	InFeed    bool           `json:"in_feed"`
	Stored    int            `json:"revisions_stored"` // revisions stored in all
	Revisions []RevisionJSON `json:"revisions"`
	Changes   []change.JSON  `json:"changes"`
	Next      string         `json:"next,omitempty"`
}

func (s *Server) apiArticle(w http.ResponseWriter, r *http.Request) {
	id, err := articleID(r)
	if err != nil {
		s.jsonError(w, http.StatusBadRequest, err.Error())
		return
	}
	aq, err := parseArticleQuery(r.URL.Query(), apiRevPageSize)
	if err == nil && (aq.From != 0 || aq.To != 0) {
		err = fmt.Errorf("%w: from and to are for the article page", errBadParam)
	}
	if err != nil {
		s.jsonError(w, http.StatusBadRequest, err.Error())
		return
	}
	release, ok := s.acquireHeavy(w, r, true)
	if !ok {
		return
	}
	defer release()
	p, err := s.loadArticlePage(r.Context(), id, aq, true)
	if errors.Is(err, store.ErrNotFound) {
		s.jsonError(w, http.StatusNotFound, fmt.Sprintf("no article %d", id))
		return
	}
	if err != nil {
		s.serverError(w, r, err, true)
		return
	}
	a := p.A
	out := ArticleJSON{ID: a.ID, Feed: a.FeedURL, Article: a.URL, Canonical: a.Canonical, Headline: a.Headline,
		FirstSeen: rfc3339(a.FirstSeen), LastSeen: rfc3339(a.LastSeen), InFeed: a.InFeed, Stored: a.Revisions,
		Revisions: make([]RevisionJSON, 0, len(p.Revisions)), Changes: make([]change.JSON, 0, len(p.Changes)),
		Next: aq.nextLink(fmt.Sprintf("/api/articles/%d", id), p, apiRevPageSize)}
	if out.Article == "" {
		out.Article = a.Canonical
	}
	for _, rv := range p.Revisions {
		out.Revisions = append(out.Revisions, RevisionJSON{Version: rv.Number, FetchedAt: rfc3339(rv.FetchedAt),
			Headline: rv.Headline, Text: rv.Text, RevertOf: rv.RevertOf})
	}
	for _, c := range p.Changes {
		out.Changes = append(out.Changes, c.JSON())
	}
	s.writeJSON(w, out)
}
