package feeds

import (
	"bytes"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	trafilatura "github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Page is the main content of an article page.
type Page struct {
	Headline  string // the first <h1>, else <title>
	Text      string // main text, paragraphs separated by a blank line
	Canonical string // rel=canonical or og:url, absolute; "" when none
}

// furniture matches class and id values of page parts that are not the
// article: share bars, newsletter boxes, bylines, captions, ads, related
// links, pull quotes (which repeat the body), post information lines,
// buttons, reading times.
var furniture = regexp.MustCompile(`(?i)(^|[\s_-])(share|sharing|social|newsletter|signup|sign-up|subscribe|byline|author|dateline|timestamp|updated|caption|credit|ad|ads|advert|advertisement|sponsor|promo|related|read-?next|most-?read|more-?on|recommended|breadcrumbs?|pull-?quote|pullquote|tags|comments?|footer|masthead|topbar|toolbar|paywall|cookie|consent|meta|postinfo|post-?meta|entry-?meta|btn|read-?time|reading-?time)([\s_-]|$)`)

// promoLine matches a short paragraph that points elsewhere or credits the
// staff rather than telling the story: "Related: ...", "Read more: ...",
// "Reporting by ...; Editing by ...", "Write to ... at ...". Such lines
// change with the site's links and desks, not with the story.
var promoLine = regexp.MustCompile(`(?i)^(related( post| stories| articles?)?|read more|read also|also read|see also|more|leggi anche|lesen sie auch|lire aussi|leia também|leia mais|lee también)\s*[:.…]` +
	// a credit line: "(Reporting by ...; Editing by ...)", "Write to X at x@y"
	`|^\(?((additional )?reporting|editing|writing) by [^.;]*(;|\)\.?$)` +
	`|^(write to|reach the reporters?|contact the reporters?|email the (writer|author)) .*(@|twitter\.com)`)

// ExtractPage extracts the main text of an article page with
// go-trafilatura, working from its structured output so that inline markup
// neither splits paragraphs nor adds spaces before punctuation, and the
// white space the page had between elements is kept (collectJoins). Before
// extraction, page furniture is pruned and a body split into several
// containers is joined (mergeSplitBodies); after it, the headline and
// pointer or credit lines leave the text. The headline is read from the
// page itself (first <h1>, else <title>) and is not part of Text. The
// result depends on the page alone (no clock, no randomness).
func ExtractPage(htmlBytes []byte, pageURL string) (Page, error) {
	doc, err := html.Parse(bytes.NewReader(htmlBytes))
	if err != nil {
		return Page{}, fmt.Errorf("feeds: parse page %s: %w", pageURL, err)
	}
	var page Page
	var base *url.URL
	if pageURL != "" {
		base, _ = url.Parse(pageURL)
	}
	var h1, title, canonical, ogURL string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.H1:
				if h1 == "" {
					h1 = foldSpace(nodeText(n))
				}
			case atom.Title:
				if title == "" {
					title = foldSpace(nodeText(n))
				}
			case atom.Link:
				if canonical == "" && strings.EqualFold(attr(n, "rel"), "canonical") {
					canonical = attr(n, "href")
				}
			case atom.Meta:
				if ogURL == "" && strings.EqualFold(attr(n, "property"), "og:url") {
					ogURL = attr(n, "content")
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	page.Headline = h1
	if page.Headline == "" {
		page.Headline = title
	}
	for _, c := range []string{canonical, ogURL} {
		if c = strings.TrimSpace(c); c == "" {
			continue
		}
		u, err := url.Parse(c)
		if err != nil {
			continue
		}
		if base != nil {
			u = base.ResolveReference(u)
		}
		if u.IsAbs() {
			page.Canonical = u.String()
			break
		}
	}

	prune(doc)
	mergeSplitBodies(doc)
	spaced := collectJoins(doc)
	opts := trafilatura.Options{
		OriginalURL:     base,
		ExcludeComments: true,
		HtmlDateMode:    trafilatura.Disabled,
		Deduplicate:     false,
	}
	res, err := trafilatura.ExtractDocument(doc, opts)
	if err == nil && res != nil && res.ContentNode != nil {
		w := textWriter{joins: spaced}
		w.walk(res.ContentNode)
		w.flushPara()
		page.Text = finishText(w.paras, w.items, page.Headline)
	}
	if strings.TrimSpace(page.Text) == "" {
		// trafilatura found nothing: fall back to the pruned body
		page.Text = finishText(strings.Split(HTMLToText(renderBody(doc)), "\n\n"), nil, page.Headline)
	}
	return page, nil
}

// finishText joins the extracted paragraphs into the page's text: the
// headline and pointer or credit lines (promoLine) leave, breaks inline
// markup made are mended. items marks paragraphs that are list items, rows
// or headings (never mended); it may be nil.
func finishText(paras []string, items []bool, headline string) string {
	// the headline's <h1> stays in the page go-trafilatura sees (without it
	// it can take another <article> of the page for the story) and leaves
	// the text here
	head := squeeze(headline)
	var keep []string
	var keepItems []bool
	for i, p := range paras {
		if head != "" && squeeze(p) == head {
			continue
		}
		if len(p) < 300 && promoLine.MatchString(p) {
			continue
		}
		keep = append(keep, p)
		keepItems = append(keepItems, i < len(items) && items[i])
	}
	return strings.Join(mendParagraphs(keep, keepItems), "\n\n")
}

// prune removes scripts and page furniture before extraction.
func prune(n *html.Node) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		if c.Type == html.ElementNode {
			drop := false
			switch c.DataAtom {
			case atom.Title, atom.Script, atom.Style, atom.Noscript, atom.Nav, atom.Footer,
				atom.Aside, atom.Figure, atom.Figcaption, atom.Iframe, atom.Svg,
				atom.Button, atom.Template:
				drop = true
			case atom.Header:
				drop = true
			case atom.Time:
				drop = true
			case atom.Form:
				// a form around a whole page (ASP.NET) is not furniture
				drop = paragraphText(c) < 600
			}
			if !drop && c.DataAtom != atom.Body && c.DataAtom != atom.Html && c.DataAtom != atom.Article && c.DataAtom != atom.Main {
				if furniture.MatchString(attr(c, "class")) || furniture.MatchString(attr(c, "id")) {
					// a box of furniture is small; a class that merely looks
					// like furniture on the story's container is not
					drop = paragraphText(c) < 600
				}
			}
			if drop {
				n.RemoveChild(c)
				c = next
				continue
			}
			if c.DataAtom == atom.Form {
				// the form carries the page (ASP.NET): go-trafilatura would
				// drop it whole
				c.DataAtom, c.Data = atom.Div, "div"
			}
			if c.DataAtom == atom.Blockquote {
				// go-trafilatura splits paragraphs at inline markup inside
				// blockquotes and loses the spaces around it: hand it a div
				c.DataAtom, c.Data = atom.Div, "div"
			}
			prune(c)
		}
		c = next
	}
}

func renderBody(doc *html.Node) string {
	var body *html.Node
	var find func(*html.Node)
	find = func(n *html.Node) {
		if body != nil {
			return
		}
		if n.Type == html.ElementNode && n.DataAtom == atom.Body {
			body = n
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			find(c)
		}
	}
	find(doc)
	if body == nil {
		body = doc
	}
	var b bytes.Buffer
	for c := body.FirstChild; c != nil; c = c.NextSibling {
		_ = html.Render(&b, c)
	}
	return b.String()
}

func nodeText(n *html.Node) string {
	var b strings.Builder
	var f func(*html.Node)
	f = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		if n.Type == html.ElementNode && (n.DataAtom == atom.Script || n.DataAtom == atom.Style) {
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			f(c)
		}
	}
	f(n)
	return b.String()
}

// mendParagraphs joins a paragraph to the next when the break cannot be
// real: the first does not end a sentence and the second begins with a
// lower-case letter or punctuation (an extractor split at <em> or <b>). It
// also removes a space before closing punctuation left by inline markup.
// items[i] marks paragraphs that are a list item, table row or heading of
// their own (never joined); items may be nil.
func mendParagraphs(paras []string, items []bool) []string {
	var out []string
	prevItem := false
	for i, p := range paras {
		p = tidySpaces(p)
		if p == "" {
			continue
		}
		item := i < len(items) && items[i]
		join := !item && !prevItem
		prevItem = item
		if n := len(out); n > 0 && join {
			prev := out[n-1]
			last, _ := utf8.DecodeLastRuneInString(prev)
			first, _ := utf8.DecodeRuneInString(p)
			ends := strings.ContainsRune(".!?:”\"’'»)…", last)
			if !ends && (unicode.IsLower(first) || strings.ContainsRune(",.;:!?)”»", first)) {
				sep := " "
				if strings.ContainsRune(",.;:!?)”»", first) {
					sep = ""
				}
				out[n-1] = prev + sep + p
				continue
			}
		}
		out = append(out, p)
	}
	return out
}

// tidySpaces removes a space that inline markup put before closing
// punctuation ("next week ,”" → "next week,”").
func tidySpaces(p string) string {
	if !strings.Contains(p, " ") {
		return p
	}
	var b strings.Builder
	rs := []rune(p)
	for i, r := range rs {
		if r == ' ' && i+1 < len(rs) && strings.ContainsRune(",.;:!?", rs[i+1]) {
			// keep "..." and spaced dashes alone; drop the space before , . ; : ! ?
			if i+2 >= len(rs) || rs[i+2] == ' ' || strings.ContainsRune("”\"’'»)", rs[i+2]) {
				continue
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

// paragraphText counts the bytes of text inside <p> elements under n.
func paragraphText(n *html.Node) int {
	total := 0
	var f func(*html.Node, bool)
	f = func(n *html.Node, inP bool) {
		if n.Type == html.TextNode && inP {
			total += len(strings.TrimSpace(n.Data))
		}
		if n.Type == html.ElementNode && n.DataAtom == atom.P {
			inP = true
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			f(c, inP)
		}
	}
	f(n, false)
	return total
}

// collectJoins records, for neighbouring text nodes of the page, whether
// white space (or a block boundary) separated them, keyed by the last word
// of one and the first word of the next. go-trafilatura trims every text
// node of its output, which runs "<strong>Chris Smith</strong> going"
// together; textWriter puts the space back where the page had one.
func collectJoins(doc *html.Node) map[string]bool {
	j := map[string]bool{}
	var prev string // last word of the previous text
	pending := false
	var f func(*html.Node)
	f = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			t := strings.TrimFunc(n.Data, unicode.IsSpace)
			if t == "" {
				pending = pending || n.Data != ""
				return
			}
			if prev != "" {
				k := joinKey(prev, t)
				if pending || t[0] != n.Data[0] {
					j[k] = true
				} else if _, ok := j[k]; !ok {
					j[k] = false
				}
			}
			prev, pending = t, t[len(t)-1] != n.Data[len(n.Data)-1]
			return
		case html.ElementNode:
			a := n.DataAtom
			if a == atom.Script || a == atom.Style || a == atom.Template {
				return
			}
			if blocks[a] || a == atom.Br || a == atom.Td || a == atom.Th || a == atom.Img || styledBlock(n) {
				pending = true
				defer func() { pending = true }()
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			f(c)
		}
	}
	f(doc)
	return j
}

// joinKey is the last word of a and the first word of b, each cut to 16
// bytes.
func joinKey(a, b string) string {
	if i := strings.LastIndexFunc(a, unicode.IsSpace); i >= 0 {
		a = a[i+1:]
	}
	if len(a) > 16 {
		a = a[len(a)-16:]
	}
	if i := strings.IndexFunc(b, unicode.IsSpace); i >= 0 {
		b = b[:i]
	}
	if len(b) > 16 {
		b = b[:16]
	}
	return a + "\x00" + b
}

// mergeSplitBodies joins an article body that the page splits into
// several containers of the same tag and body-like class (a body
// interrupted by ad rails): go-trafilatura takes the first container that
// looks like the body and would lose the rest. The later containers'
// children are moved, in order, to the end of the first; a container whose
// text repeats an earlier one (a second copy of the story) is left alone.
func mergeSplitBodies(doc *html.Node) {
	type group struct{ nodes []*html.Node }
	groups := map[string]*group{}
	var order []string
	var f func(*html.Node)
	f = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			if cl := attr(c, "class"); cl != "" && bodyClass.MatchString(cl) && paragraphText(c) >= splitBodyMin {
				k := c.Data + "." + cl
				g := groups[k]
				if g == nil {
					g = &group{}
					groups[k] = g
					order = append(order, k)
				}
				g.nodes = append(g.nodes, c)
				continue // one inside another is not a split
			}
			f(c)
		}
	}
	f(doc)
	for _, k := range order {
		g := groups[k]
		if len(g.nodes) < 2 || !adjacent(g.nodes) {
			continue
		}
		first := g.nodes[0]
		seen := map[string]bool{firstParagraph(first): true}
		for _, s := range g.nodes[1:] {
			fp := firstParagraph(s)
			if seen[fp] {
				continue
			}
			seen[fp] = true
			s.Parent.RemoveChild(s)
			for c := s.FirstChild; c != nil; {
				next := c.NextSibling
				s.RemoveChild(c)
				first.AppendChild(c)
				c = next
			}
		}
	}
}

// adjacent reports whether no more than a label ("Advertisement", 20
// bytes) stands between the containers in document order; other text between them means
// the page alternates containers with text of its own, which moving would
// reorder.
func adjacent(nodes []*html.Node) bool {
	member := map[*html.Node]bool{}
	for _, n := range nodes {
		member[n] = true
	}
	between, started, ok := 0, false, true
	var f func(*html.Node)
	f = func(n *html.Node) {
		if !ok {
			return
		}
		if member[n] {
			if started && between > 20 {
				ok = false
			}
			started, between = true, 0
			return
		}
		switch n.Type {
		case html.TextNode:
			between += len(strings.TrimSpace(n.Data))
			return
		case html.ElementNode:
			if n.DataAtom == atom.Script || n.DataAtom == atom.Style {
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			f(c)
		}
	}
	var root *html.Node
	for root = nodes[0]; root.Parent != nil; root = root.Parent {
	}
	f(root)
	return ok
}

// bodyClass matches class values of a container of the article's text.
var bodyClass = regexp.MustCompile(`(?i)(^|[\s_-])(body|article-?body|story-?body|post-?body|entry-?content|article-?content|content-?body|article__body|text)([\s_-]|$)`)

// firstParagraph is the folded text of the first non-empty <p> under n.
func firstParagraph(n *html.Node) string {
	var out string
	var f func(*html.Node) bool
	f = func(n *html.Node) bool {
		if n.Type == html.ElementNode && n.DataAtom == atom.P {
			if t := foldSpace(nodeText(n)); t != "" {
				out = t
				return true
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if f(c) {
				return true
			}
		}
		return false
	}
	f(n)
	return out
}

// splitBodyMin is the paragraph text, in bytes, of each part of a split
// body.
const splitBodyMin = 200

// squeeze drops all white space: the same text however spaced.
func squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}
