package feeds

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"
	"github.com/mmcdole/gofeed/rss"
	"golang.org/x/net/html"
)

// Limits applied by Parse when ParseOptions leaves them zero.
const (
	DefaultMaxTitle = 1000    // runes
	DefaultMaxText  = 1 << 20 // bytes of plain text per item
	maxRawTitle     = 64 << 10
	maxRawContent   = 8 << 20
	maxGUID         = 2048
	maxDateRaw      = 256
	errTextMax      = 300
)

// Dates before this, or more than futureSlack after now, are treated as absent.
var (
	minDate     = time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)
	futureSlack = 48 * time.Hour
)

// Item is one article as the feed describes it.
type Item struct {
	GUID      string    // the item's own guid/id, "" when none (or when shared by different items of the document)
	Link      string    // absolute http(s) URL, tracking parameters removed; "" when none
	Key       string    // identity within the feed: GUID, else Link, else "h:"+sha256 of title and date
	Title     string    // plain text, one line, at most MaxTitle runes
	Text      string    // plain text paragraphs (HTML reduced), blank line between, at most MaxText bytes
	Published time.Time // zero when missing or absurd
	DateRaw   string    // the date as written in the feed
}

// Feed is a parsed feed document.
type Feed struct {
	Title   string
	Link    string // the site's home page, absolute http(s); "" when none
	Icon    string // the feed's image or icon, absolute http(s); "" when none
	Format  string // "rss 2.0", "atom 1.0", "json 1.1", ...
	Items   []Item
	Dropped int // items left out: repeats within the document, empty items, beyond MaxItems
	// Truncated: the document was cut short; the items complete before
	// the cut are kept, the rest is lost.
	Truncated bool
}

// ParseOptions limit what Parse keeps. Zero fields take the defaults.
type ParseOptions struct {
	MaxItems int              // default DefaultMaxItems (1000)
	MaxTitle int              // runes; default DefaultMaxTitle
	MaxText  int              // bytes; default DefaultMaxText
	Now      func() time.Time // for the far-future date check; default time.Now
}

func (o ParseOptions) withDefaults() ParseOptions {
	if o.MaxItems <= 0 {
		o.MaxItems = DefaultMaxItems
	}
	if o.MaxTitle <= 0 {
		o.MaxTitle = DefaultMaxTitle
	}
	if o.MaxText <= 0 {
		o.MaxText = DefaultMaxText
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Parse parses an RSS (0.9x, 1.0, 2.0), Atom or JSON Feed document with the
// default limits. contentType is the response's Content-Type (its charset
// is used); baseURL is the feed's final URL, against which relative links
// are resolved.
func Parse(body []byte, contentType, baseURL string) (*Feed, error) {
	return ParseWith(body, contentType, baseURL, ParseOptions{})
}

// ParseWith is Parse with limits. Errors are one line and wrap ErrNotFeed
// (HTML page, empty body, unknown format) or ErrMalformed.
func ParseWith(body []byte, contentType, baseURL string, o ParseOptions) (*Feed, error) {
	o = o.withDefaults()
	b := toUTF8(body, contentType)
	sn := sniff(b)
	if sn.junk > 0 {
		b = b[sn.junk:]
		sn.at -= sn.junk
	}
	if sn.at > 0 && bytes.Contains(b[:sn.at], bomUTF8) {
		// A byte order mark after a comment: drop it, the XML decoder
		// would take it for text before the root.
		head := bytes.ReplaceAll(b[:sn.at], bomUTF8, nil)
		b = append(head, b[sn.at:]...)
	}
	switch sn.kind {
	case "empty":
		return nil, fmt.Errorf("%w: empty body", ErrNotFeed)
	case "html":
		return nil, fmt.Errorf("%w: looks like an HTML page", ErrNotFeed)
	case "xml":
		switch sn.root {
		case "rss", "rdf", "feed":
		case "":
			return nil, fmt.Errorf("%w: XML document without a root element", ErrMalformed)
		default:
			return nil, fmt.Errorf("%w: XML document with root element <%s>", ErrNotFeed, oneLine(sn.qname, 60))
		}
	case "json":
	case "json-other":
		return nil, fmt.Errorf("%w: JSON document is not a JSON Feed", ErrNotFeed)
	default:
		return nil, fmt.Errorf("%w: neither XML nor JSON", ErrNotFeed)
	}

	truncated := false
	gf, err := parseGofeed(b, sn.kind, sn.root)
	if err != nil && sn.kind == "xml" && strings.Contains(err.Error(), "unexpected EOF") {
		// A document cut short: keep the items that were complete.
		if gf2, err2 := parseGofeed(closeTruncated(b, sn.qname), sn.kind, sn.root); err2 == nil {
			gf, err, truncated = gf2, nil, true
		}
	}
	if err != nil {
		if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
			return nil, fmt.Errorf("%w: unknown format", ErrNotFeed)
		}
		return nil, fmt.Errorf("%w: %s", ErrMalformed, oneLine(err.Error(), errTextMax))
	}
	if sn.kind == "json" && len(gf.Items) == 0 && !looksLikeJSONFeed(b) {
		return nil, fmt.Errorf("%w: JSON document is not a JSON Feed", ErrNotFeed)
	}

	base := baseURL
	if !isAbsHTTP(base) {
		base = firstAbs(gf.FeedLink, gf.Link)
	}
	f := &Feed{
		Title:     capRunes(plainText(capBytes(gf.Title, maxRawTitle)), o.MaxTitle),
		Format:    strings.TrimSpace(gf.FeedType + " " + gf.FeedVersion),
		Truncated: truncated,
	}
	f.Link = siteURL(gf.Link, base)
	if gf.Image != nil {
		f.Icon = siteURL(gf.Image.URL, base)
	}
	f.Items, f.Dropped = buildItems(gf.Items, base, o)
	return f, nil
}

// siteURL resolves a feed's link or image against base and keeps it only
// when it is an absolute http(s) URL of a sane length: it is shown as a
// link, so nothing else may pass (javascript:, data:).
func siteURL(ref, base string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" || len(ref) > 2048 {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if b, err := url.Parse(base); err == nil && !u.IsAbs() {
		u = b.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}

// closeTruncated ends a document that was cut short: after its last
// complete item or entry (or, without one, its last complete tag), it
// closes the root element. The non-strict XML decoder closes the elements
// still open in between.
func closeTruncated(b []byte, root string) []byte {
	end := -1
	for _, tag := range []string{"</item>", "</entry>"} {
		if j := bytes.LastIndex(b, []byte(tag)); j >= 0 && j+len(tag) > end {
			end = j + len(tag)
		}
	}
	if end < 0 {
		end = bytes.LastIndexByte(b, '>') + 1
	}
	out := make([]byte, 0, end+len(root)+3)
	out = append(out, b[:end]...)
	return append(out, "</"+root+">"...)
}

// parseGofeed runs gofeed on clean UTF-8. gofeed detects the type from the
// first 4 KB only; a feed whose root element starts later (a long comment
// or DTD) is parsed with the format parser sniff found.
func parseGofeed(b []byte, kind, root string) (_ *gofeed.Feed, err error) {
	defer func() {
		// A parser bug on hostile input is a refusal, not a crash.
		if r := recover(); r != nil {
			err = fmt.Errorf("parser panic: %v", r)
		}
	}()
	p := gofeed.NewParser()
	p.RSSTranslator = rssTranslator()
	gf, err := p.Parse(bytes.NewReader(b))
	if !errors.Is(err, gofeed.ErrFeedTypeNotDetected) || kind != "xml" {
		return gf, err
	}
	if root == "feed" {
		af, err := (&atom.Parser{}).Parse(bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		return (&gofeed.DefaultAtomTranslator{}).Translate(af)
	}
	rf, err := (&rss.Parser{}).Parse(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return rssTranslator().Translate(rf)
}

// rssTranslator is gofeed's, without the search for an item image in the
// item's HTML: stet uses no images, and that search parsed every item's
// content and description once more (a twentieth of a first pass's CPU).
func rssTranslator() *gofeed.DefaultRSSTranslator {
	return &gofeed.DefaultRSSTranslator{DisableContentImageScan: true}
}

func looksLikeJSONFeed(b []byte) bool {
	var top struct {
		Version *json.RawMessage `json:"version"`
		Items   *json.RawMessage `json:"items"`
	}
	if json.Unmarshal(b, &top) != nil {
		return false
	}
	return top.Version != nil || top.Items != nil
}

// sniffed is what the start of a document says it is.
type sniffed struct {
	kind  string // "xml", "html", "json" (an object), "json-other", "empty", or "" for anything else
	root  string // xml: the root element's local name, lower case
	qname string // xml: the root element's name as written
	at    int    // offset of the root element (or JSON value)
	junk  int    // bytes of junk before the document proper (0 when none)
}

// sniff looks at the start of a UTF-8 document, skipping white space, byte
// order marks, the XML declaration, comments, processing instructions and
// a DOCTYPE (with its internal subset). A few bytes of junk before an XML
// declaration or feed root (a PHP warning, stray text) are skipped too.
func sniff(b []byte) sniffed {
	var s sniffed
	i := 0
	for {
		for i < len(b) {
			if isSpace(b[i]) {
				i++
			} else if bytes.HasPrefix(b[i:], bomUTF8) {
				i += len(bomUTF8)
			} else {
				break
			}
		}
		rest := b[i:]
		switch {
		case len(rest) == 0:
			if s.kind == "" {
				s.kind = "empty"
			}
			return s
		case rest[0] == '{':
			s.kind, s.at = "json", i
			return s
		case rest[0] == '[' || bytes.Equal(bytes.TrimSpace(rest), []byte("null")):
			s.kind, s.at = "json-other", i
			return s
		case rest[0] != '<':
			if i == 0 && s.junk == 0 {
				if j := junkEnd(rest); j > 0 {
					s.junk = j
					i = j
					continue
				}
			}
			s.kind = ""
			return s
		case bytes.HasPrefix(rest, []byte("<?")):
			end := bytes.Index(rest, []byte("?>"))
			s.kind = "xml"
			if end < 0 {
				return s
			}
			i += end + 2
		case bytes.HasPrefix(rest, []byte("<!--")):
			end := bytes.Index(rest[4:], []byte("-->"))
			if end < 0 {
				s.kind = "xml"
				return s
			}
			i += 4 + end + 3
		case len(rest) >= 9 && strings.EqualFold(string(rest[:9]), "<!doctype"):
			// The DOCTYPE may name html over an RSS root: the root decides.
			gt := bytes.IndexByte(rest, '>')
			if br := bytes.IndexByte(rest, '['); br >= 0 && (gt < 0 || br < gt) {
				end := bytes.Index(rest[br:], []byte("]"))
				if end < 0 {
					s.kind = "xml"
					return s
				}
				gt = bytes.IndexByte(rest[br+end:], '>')
				if gt >= 0 {
					gt += br + end
				}
			}
			if gt < 0 {
				s.kind = "xml"
				return s
			}
			i += gt + 1
		default:
			s.qname = string(firstWord(rest[1:]))
			name := strings.ToLower(s.qname)
			if c := strings.LastIndexByte(name, ':'); c >= 0 {
				name = name[c+1:]
			}
			s.at = i
			if name == "html" || name == "head" || name == "body" {
				s.kind = "html"
				return s
			}
			s.kind, s.root = "xml", name
			return s
		}
	}
}

// junkEnd returns where an XML document starts after stray text at the
// start of b: the offset of "<?xml", "<rss", "<feed" or "<rdf:RDF" within
// the first 1 KB, or 0.
func junkEnd(b []byte) int {
	head := b[:min(len(b), 1024)]
	best := 0
	for _, m := range []string{"<?xml", "<rss", "<feed", "<rdf:RDF"} {
		if j := bytes.Index(head, []byte(m)); j > 0 && (best == 0 || j < best) {
			best = j
		}
	}
	return best
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// firstWord returns the name at the start of b (after white space).
func firstWord(b []byte) []byte {
	b = bytes.TrimLeft(b, " \t\r\n")
	end := bytes.IndexFunc(b, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '>' || r == '/' || r == '['
	})
	if end < 0 {
		end = len(b)
	}
	return b[:min(end, 100)]
}

// plainText reduces a title (possibly HTML, possibly with entities) to one
// line of plain text.
func plainText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return strings.Join(strings.Fields(s), " ")
	}
	z := html.NewTokenizer(strings.NewReader(s))
	var sb strings.Builder
	skip := 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return strings.Join(strings.Fields(sb.String()), " ")
		case html.TextToken:
			if skip == 0 {
				sb.Write(z.Text())
			}
		case html.StartTagToken, html.EndTagToken:
			name, _ := z.TagName()
			if n := string(name); n == "script" || n == "style" {
				if tt == html.StartTagToken {
					skip++
				} else if skip > 0 {
					skip--
				}
			}
			sb.WriteByte(' ')
		}
	}
}

// capRunes cuts s to at most n runes.
func capRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n {
			return strings.TrimSpace(s[:j])
		}
		i++
	}
	return s
}

// capBytes cuts s to at most n bytes, at a rune boundary.
func capBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// oneLine folds white space so an error message stays on one line.
func oneLine(s string, n int) string {
	return capRunes(strings.Join(strings.Fields(s), " "), n)
}

// saneDate returns t when it is plausible for a news item, else zero.
func saneDate(t *time.Time, now time.Time) time.Time {
	if t == nil || t.Before(minDate) || t.After(now.Add(futureSlack)) {
		return time.Time{}
	}
	return *t
}

// newestFirst orders indexes of items by date, newest first, undated last,
// stable in document order.
func newestFirst(idx []int, dates []time.Time) {
	slices.SortStableFunc(idx, func(a, b int) int {
		da, db := dates[a], dates[b]
		switch {
		case da.Equal(db):
			return 0
		case da.IsZero():
			return 1
		case db.IsZero():
			return -1
		case da.After(db):
			return -1
		default:
			return 1
		}
	})
}
