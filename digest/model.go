package digest

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/stet-news/stet/change"
	"github.com/stet-news/stet/diff"
)

// doc is the digest arranged for rendering; every string in it that came
// from a feed has been through clean, and is still unescaped.
type doc struct {
	Subject     string
	Title       string // "7 changes in 4 articles"
	Day         string // "2026-11-24"
	Feeds       []feedGroup
	Problems    []problemGroup
	NumChanges  int
	NumArticles int
	BaseURL     string    // the web view, "" when http.base_url is unset
	Overflow    *overflow // what did not fit under the size cap; nil when all did
}

// overflow is the changes left out of a capped digest, counted per feed
// and article, with links to the web view.
type overflow struct {
	Changes, Articles int
	Cap               string // "2 MB"
	BaseURL           string // "" : no links (http.base_url unset)
	Feeds             []overflowFeed
	MoreArticles      int // articles past maxOverflowArticles, not listed
}

type overflowFeed struct {
	Name     string
	Articles []overflowArticle
}

type overflowArticle struct {
	Headline string
	Count    int
	Link     string // the article's page on the web view, "" without a base URL
}

// maxOverflowArticles bounds the list of what did not fit.
const maxOverflowArticles = 200

type feedGroup struct {
	Name    string
	Anchor  string // "feed-1": the table of contents links here
	Count   int    // changes shown under the feed
	URL     string // as given, for display
	Link    string // http(s) only, else ""
	Article []articleGroup
	latest  time.Time
}

type articleGroup struct {
	Headline string
	URL      string
	Link     string
	Changes  []changeView
	latest   time.Time
	firstID  int64
}

type changeView struct {
	Sentence string // "Quote by Elena Marsh edited"
	When     string // "2026-11-24 09:12 CET", "" when unknown
	Quoted   bool   // the pieces are a quote: shown in quotation marks
	Pieces   []piece
	// Context is the sentence of the article the change stands in, the
	// changed words (or the quote, or the title) marked Hit.
	Context  []ctxPiece
	DiffLink string // the diff on the web view, "" without a base URL
	DiffText string // "revision 1 → 2"
}

type ctxPiece struct {
	Text string
	Hit  bool
}

// piece is a run of text that is kept, deleted or inserted: the word
// marking of package change.
type piece = change.Piece

const (
	pieceEqual  = diff.OpEqual
	pieceDelete = diff.OpDelete
	pieceInsert = diff.OpInsert
)

type problemGroup struct {
	Source string // URL of the article or feed, for display
	Link   string
	Feed   string // feed name or URL, when the source is an article
	Lines  []problemLine
}

type problemLine struct {
	What  string // "paywall: text collapsed to 80 characters"
	Since string // "failing since 2026-11-23 10:00 CET, 4 times"
}

const timeLayout = "2006-01-02 15:04 MST"

// Longest names and headlines shown, in runes; quotes are never cut.
const (
	maxName     = 120
	maxHeadline = 300
)

// arrange groups the input: feeds and articles newest first (by their most
// recent change), the changes of one article in the order found.
func arrange(in Input) *doc { return arrangeCapped(in, -1) }

// arrangeCapped is arrange with only the first keep changes (in the order
// found; -1: all) shown in full, the rest counted in d.Overflow.
func arrangeCapped(in Input, keep int) *doc {
	loc := in.Date.Location()
	d := &doc{Day: in.Date.Format("2006-01-02"), BaseURL: strings.TrimRight(webLink(in.BaseURL), "/")}

	type akey struct {
		feed string
		id   int64
		url  string
	}
	feeds := map[string]*feedGroup{}
	arts := map[akey]*articleGroup{}
	artFeed := map[akey]string{}
	feedNames := map[string]string{}
	var feedOrder []string
	var artOrder []akey

	changes := slices.Clone(in.Changes)
	slices.SortStableFunc(changes, func(a, b Change) int {
		return cmp.Or(a.DetectedAt.Compare(b.DetectedAt), cmp.Compare(a.ID, b.ID))
	})
	seen := map[int64]bool{}
	var rest []Change
	for _, c := range changes {
		if c.ID != 0 { // the same change given twice is shown and counted once
			if seen[c.ID] {
				continue
			}
			seen[c.ID] = true
		}
		if keep >= 0 && d.NumChanges >= keep {
			rest = append(rest, c)
			continue
		}
		f, ok := feeds[c.FeedURL]
		if !ok {
			f = &feedGroup{URL: clean(c.FeedURL), Link: webLink(c.FeedURL)}
			feeds[c.FeedURL] = f
			feedOrder = append(feedOrder, c.FeedURL)
		}
		if name := shorten(clean(c.FeedName), maxName); name != "" {
			f.Name = name
			feedNames[c.FeedURL] = name
		}
		k := akey{feed: c.FeedURL, id: c.ArticleID}
		if c.ArticleID == 0 {
			k.url = c.ArticleURL
		}
		a, ok := arts[k]
		if !ok {
			a = &articleGroup{firstID: c.ID}
			arts[k] = a
			artFeed[k] = c.FeedURL
			artOrder = append(artOrder, k)
		}
		// The latest change carries the article's current headline and URL.
		if h := shorten(clean(c.Headline), maxHeadline); h != "" {
			a.Headline = h
		}
		if c.ArticleURL != "" {
			a.URL = clean(c.ArticleURL)
			a.Link = webLink(c.ArticleURL)
		}
		if c.DetectedAt.After(a.latest) {
			a.latest = c.DetectedAt
		}
		if c.DetectedAt.After(f.latest) {
			f.latest = c.DetectedAt
		}
		v := view(c, loc)
		if d.BaseURL != "" && c.ArticleID != 0 && c.ToRev > 0 {
			v.DiffLink = fmt.Sprintf("%s/articles/%d?to=%d", d.BaseURL, c.ArticleID, c.ToRev)
			v.DiffText = fmt.Sprintf("revision %d", c.ToRev)
			if c.FromRev > 0 {
				v.DiffLink = fmt.Sprintf("%s/articles/%d?from=%d&to=%d", d.BaseURL, c.ArticleID, c.FromRev, c.ToRev)
				v.DiffText = fmt.Sprintf("revisions %d → %d", c.FromRev, c.ToRev)
			}
		}
		a.Changes = append(a.Changes, v)
		f.Count++
		d.NumChanges++
	}
	for _, k := range artOrder {
		f := feeds[artFeed[k]]
		f.Article = append(f.Article, *arts[k])
	}
	d.NumArticles = len(artOrder)
	for i, u := range feedOrder {
		feeds[u].Anchor = fmt.Sprintf("feed-%d", i+1)
	}
	for _, u := range feedOrder {
		f := feeds[u]
		if f.Name == "" {
			f.Name = feedHost(f.URL)
		}
		if f.Name == "" {
			f.Name = "(unknown feed)"
		}
		slices.SortStableFunc(f.Article, func(a, b articleGroup) int {
			return cmp.Or(b.latest.Compare(a.latest), cmp.Compare(a.firstID, b.firstID))
		})
		for i := range f.Article {
			if f.Article[i].Headline == "" {
				f.Article[i].Headline = "(no headline)"
			}
		}
		d.Feeds = append(d.Feeds, *f)
	}
	slices.SortStableFunc(d.Feeds, func(a, b feedGroup) int {
		return cmp.Or(b.latest.Compare(a.latest), strings.Compare(a.Name, b.Name))
	})

	if len(rest) > 0 {
		d.Overflow = arrangeOverflow(rest, in.BaseURL, in.MaxBytes)
		d.NumChanges += d.Overflow.Changes
		// an article both shown and left out counts once
		shown := map[akey]bool{}
		for _, k := range artOrder {
			shown[k] = true
		}
		for _, c := range rest {
			k := akey{feed: c.FeedURL, id: c.ArticleID}
			if c.ArticleID == 0 {
				k.url = c.ArticleURL
			}
			if !shown[k] {
				shown[k] = true
				d.NumArticles++
			}
		}
	}
	d.Problems = arrangeProblems(in.Problems, feedNames, loc)

	switch {
	case d.NumChanges > 0:
		d.Title = plural(d.NumChanges, "change", "changes") + " in " + plural(d.NumArticles, "article", "articles")
	case len(d.Problems) > 0:
		d.Title = plural(len(d.Problems), "source", "sources") + " with problems"
	default:
		d.Title = "No changes"
	}
	return d
}

// arrangeOverflow counts the changes left out per feed and article.
func arrangeOverflow(rest []Change, baseURL string, capBytes int64) *overflow {
	o := &overflow{Changes: len(rest), Cap: sizeLabel(capBytes), BaseURL: strings.TrimRight(webLink(baseURL), "/")}
	type akey struct {
		feed string
		id   int64
		url  string
	}
	byFeed := map[string]int{}
	byArt := map[akey][2]int{} // feed index, article index
	listed := 0
	for _, c := range rest {
		k := akey{feed: c.FeedURL, id: c.ArticleID}
		if c.ArticleID == 0 {
			k.url = c.ArticleURL
		}
		if at, ok := byArt[k]; ok {
			if at[0] >= 0 {
				o.Feeds[at[0]].Articles[at[1]].Count++
			}
			continue
		}
		o.Articles++
		if listed >= maxOverflowArticles {
			byArt[k] = [2]int{-1, -1}
			o.MoreArticles++
			continue
		}
		fi, ok := byFeed[c.FeedURL]
		if !ok {
			name := shorten(clean(c.FeedName), maxName)
			if name == "" {
				name = feedHost(clean(c.FeedURL))
			}
			fi = len(o.Feeds)
			byFeed[c.FeedURL] = fi
			o.Feeds = append(o.Feeds, overflowFeed{Name: name})
		}
		a := overflowArticle{Headline: shorten(clean(c.Headline), maxHeadline), Count: 1}
		if a.Headline == "" {
			a.Headline = "(no headline)"
		}
		if o.BaseURL != "" && c.ArticleID != 0 {
			a.Link = fmt.Sprintf("%s/articles/%d", o.BaseURL, c.ArticleID)
		}
		byArt[k] = [2]int{fi, len(o.Feeds[fi].Articles)}
		o.Feeds[fi].Articles = append(o.Feeds[fi].Articles, a)
		listed++
	}
	return o
}

// sizeLabel shows a byte count the way digest.max_bytes is usually given.
func sizeLabel(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1000000 && n%1000000 == 0:
		return fmt.Sprintf("%d MB", n/1000000)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// arrangeProblems names each failing source once, with every problem it has.
func arrangeProblems(ps []Problem, feedNames map[string]string, loc *time.Location) []problemGroup {
	ps = slices.Clone(ps)
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(strings.Compare(a.FeedURL, b.FeedURL), strings.Compare(a.ArticleURL, b.ArticleURL),
			a.Since.Compare(b.Since), strings.Compare(a.Kind, b.Kind), strings.Compare(a.Detail, b.Detail),
			cmp.Compare(a.Count, b.Count))
	})
	var out []problemGroup
	var last struct{ feed, article string }
	for i, p := range ps {
		if i == 0 || p.FeedURL != last.feed || p.ArticleURL != last.article {
			last.feed, last.article = p.FeedURL, p.ArticleURL
			g := problemGroup{Source: clean(p.FeedURL), Link: webLink(p.FeedURL)}
			feed := feedNames[p.FeedURL]
			if feed == "" {
				feed = clean(p.FeedURL)
			}
			if p.ArticleURL != "" {
				g.Source, g.Link, g.Feed = clean(p.ArticleURL), webLink(p.ArticleURL), feed
			} else if name := feedNames[p.FeedURL]; name != "" && name != g.Source {
				g.Feed = name
			}
			if g.Source == "" {
				g.Source = "(unknown source)"
			}
			out = append(out, g)
		}
		g := &out[len(out)-1]
		what := strings.ReplaceAll(shorten(clean(p.Kind), maxName), "_", " ")
		if what == "" {
			what = "problem"
		}
		if detail := shorten(clean(p.Detail), maxHeadline); detail != "" {
			what += ": " + detail
		}
		var since []string
		if !p.Since.IsZero() {
			since = append(since, "since "+p.Since.In(loc).Format(timeLayout))
		}
		if p.Count > 0 {
			since = append(since, plural(p.Count, "time", "times"))
		}
		line := problemLine{What: what}
		if len(since) > 0 {
			line.Since = "failing " + strings.Join(since, ", ")
		}
		g.Lines = append(g.Lines, line)
	}
	return out
}

// view turns one change into a plain sentence and the text to show.
func view(c Change, loc *time.Location) changeView {
	v := changeView{Context: contextPieces(c)}
	if !c.DetectedAt.IsZero() {
		v.When = c.DetectedAt.In(loc).Format(timeLayout)
	}
	person := shorten(clean(c.Person), maxName)
	before, after, quote := clean(c.Before), clean(c.After), clean(c.Quote)
	if c.Kind == diff.QuoteReattributed { // before and after are speakers
		before, after = shorten(before, maxName), shorten(after, maxName)
	}
	by := func(what, verb string) string {
		if person == "" {
			return "Unattributed " + strings.ToLower(what[:1]) + what[1:] + " " + verb
		}
		return what + " by " + person + " " + verb
	}
	of := func(verb string) string {
		if person == "" {
			return "Title " + verb
		}
		return "Title of " + person + " " + verb
	}
	switch c.Kind {
	case diff.QuoteEdited:
		v.Sentence, v.Quoted, v.Pieces = by("Quote", "edited"), true, change.Mark(before, after)
	case diff.QuoteAdded:
		v.Sentence, v.Quoted, v.Pieces = by("Quote", "added"), true, only(pieceInsert, after)
	case diff.QuoteRemoved:
		v.Sentence, v.Quoted, v.Pieces = by("Quote", "removed"), true, only(pieceDelete, before)
	case diff.QuoteReattributed:
		switch {
		case before != "" && after != "":
			v.Sentence = "Quote reattributed from " + before + " to " + after
		case after != "":
			v.Sentence = "Quote now attributed to " + after
		case before != "":
			v.Sentence = "Quote no longer attributed to " + before
		default:
			v.Sentence = "Quote reattributed"
		}
		v.Quoted, v.Pieces = true, only(pieceEqual, quote)
	case diff.TitleChanged:
		v.Sentence, v.Pieces = of("changed"), change.Mark(before, after)
	case diff.TitleAdded:
		v.Sentence, v.Pieces = of("added"), only(pieceInsert, after)
	case diff.TitleRemoved:
		v.Sentence, v.Pieces = of("removed"), only(pieceDelete, before)
	case diff.HeadlineChanged:
		v.Sentence, v.Pieces = "Headline changed", change.Mark(before, after)
	default:
		kind := strings.ReplaceAll(shorten(clean(c.Kind), maxName), "_", " ")
		if kind == "" {
			kind = "change"
		}
		r, size := utf8.DecodeRuneInString(kind)
		v.Sentence = string(unicode.ToUpper(r)) + kind[size:]
		if person != "" {
			v.Sentence += " (" + person + ")"
		}
		if before != "" || after != "" {
			v.Pieces = change.Mark(before, after)
		} else if quote != "" {
			v.Quoted, v.Pieces = true, only(pieceEqual, quote)
		}
	}
	return v
}

// contextPieces splits a change's sentence (c.Context) around what changed
// in it: the new words, the quote or the title.
func contextPieces(c Change) []ctxPiece {
	text := shorten(clean(c.Context), maxContext+4) // the caller's, so bounded here too
	if text == "" {
		return nil
	}
	var s, e int = -1, -1
	switch c.Kind {
	case diff.QuoteRemoved:
		s, e = findQuote(text, c.Before)
	case diff.QuoteReattributed:
		s, e = findQuote(text, c.Quote)
	case diff.TitleRemoved:
		s, e = findQuote(text, c.Before)
	default:
		for _, n := range []string{c.After, c.Quote, c.Person} {
			if s, e = findQuote(text, n); s >= 0 {
				break
			}
		}
	}
	if s < 0 {
		return []ctxPiece{{Text: text}}
	}
	var out []ctxPiece
	if s > 0 {
		out = append(out, ctxPiece{Text: text[:s]})
	}
	out = append(out, ctxPiece{Text: text[s:e], Hit: true})
	if e < len(text) {
		out = append(out, ctxPiece{Text: text[e:]})
	}
	return out
}

func only(k diff.OpKind, s string) []piece {
	if s == "" {
		return nil
	}
	return []piece{{Kind: k, Text: s}}
}

// clean makes feed text safe to lay out: valid UTF-8, no control or
// bidirectional-override characters, all whitespace (newlines included)
// folded to single spaces. It does not escape: the renderers do.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return ' '
		case unicode.IsControl(r), r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069,
			r == 0x200E, r == 0x200F, r == 0x061C, r == 0xFEFF:
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// webLink returns raw as a link target when it is an absolute http or https
// URL, and "" otherwise (javascript:, data:, relative, unparsable).
func webLink(raw string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" || strings.ContainsFunc(raw, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }) {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}

// feedHost names a feed that has neither a configured name nor a title of
// its own by its URL's host; the URL itself is listed under the name.
func feedHost(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u.Host
	}
	return raw
}

// shorten cuts s to at most n runes, marking the cut.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
