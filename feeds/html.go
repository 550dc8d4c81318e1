package feeds

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// HTMLToText reduces an HTML fragment (an item's content) to plain text:
// paragraphs separated by a blank line, whitespace folded, entities decoded.
// Block elements (p, div, li, h1-h6, blockquote, figcaption, table rows, ...)
// end a paragraph; <br> ends a line and a double <br> ends a paragraph.
// Scripts, styles, navigation, forms and embedded media are dropped.
func HTMLToText(fragment string) string {
	if !strings.ContainsAny(fragment, "<&") {
		return foldParagraphs(fragment)
	}
	nodes, err := html.ParseFragment(strings.NewReader(fragment), &html.Node{
		Type: html.ElementNode, Data: "body", DataAtom: atom.Body,
	})
	if err != nil {
		return foldParagraphs(fragment)
	}
	var w textWriter
	for _, n := range nodes {
		w.walk(n)
	}
	w.flushPara()
	return strings.Join(w.paras, "\n\n")
}

// foldParagraphs folds whitespace inside paragraphs of plain text, keeping
// blank lines as paragraph breaks.
func foldParagraphs(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var out []string
	for _, p := range strings.Split(s, "\n\n") {
		if p = foldSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "\n\n")
}

// foldSpace folds runs of white space (including no-break spaces) to one
// space, trims the ends and drops zero-width spaces, BOMs and soft hyphens.
// Text already so (most of it) is returned as is; ASCII is handled a byte
// at a time.
func foldSpace(s string) string {
	if isFolded(s) {
		return s
	}
	b := make([]byte, 0, len(s))
	space := false
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			i++
			if asciiSpace[c] {
				space = true
				continue
			}
			if space && len(b) > 0 {
				b = append(b, ' ')
			}
			space = false
			b = append(b, c)
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		start := i
		i += size
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		switch r {
		case '\u200b', '\ufeff', '\u00ad':
			continue
		}
		if space && len(b) > 0 {
			b = append(b, ' ')
		}
		space = false
		if r == utf8.RuneError && size == 1 {
			b = utf8.AppendRune(b, r) // an invalid byte becomes U+FFFD
		} else {
			b = append(b, s[start:i]...)
		}
	}
	return string(b)
}

// asciiSpace are the ASCII runes unicode.IsSpace reports.
var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// isFolded says whether foldSpace would return s unchanged: ASCII without
// white space other than single spaces between words.
func isFolded(s string) bool {
	prevSpace := true // no space at the start
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return false
		}
		if c == ' ' {
			if prevSpace {
				return false
			}
			prevSpace = true
			continue
		}
		if asciiSpace[c] {
			return false
		}
		prevSpace = false
	}
	return !prevSpace || s == ""
}

// textWriter collects paragraphs while walking a tree.
type textWriter struct {
	paras []string
	cur   strings.Builder
	lines []string // finished lines of the current paragraph (from <br>)
	brs   int      // consecutive <br> seen
	// joins says which neighbouring texts the page separated by white
	// space (see collectJoins); nil when the texts keep their own spaces
	joins  map[string]bool
	items  []bool // per paragraph: inside a list item, table row or heading
	inItem int    // depth of such elements around the current position
}

func (w *textWriter) text(s string) {
	if strings.TrimSpace(s) != "" {
		w.brs = 0
	}
	if w.cur.Len() > 0 && s != "" {
		cur := w.cur.String()
		last, _ := utf8.DecodeLastRuneInString(cur)
		first, _ := utf8.DecodeRuneInString(s)
		if !unicode.IsSpace(last) && !unicode.IsSpace(first) && (sentenceBreak(cur, s) || w.joins != nil && w.joins[joinKey(cur, s)]) {
			w.cur.WriteByte(' ')
		}
	}
	w.cur.WriteString(s)
}

func (w *textWriter) lineBreak() {
	w.brs++
	if w.brs >= 2 {
		w.flushPara()
		return
	}
	if l := foldSpace(w.cur.String()); l != "" {
		w.lines = append(w.lines, l)
	}
	w.cur.Reset()
}

func (w *textWriter) flushPara() {
	if l := foldSpace(w.cur.String()); l != "" {
		w.lines = append(w.lines, l)
	}
	w.cur.Reset()
	if len(w.lines) > 0 {
		w.paras = append(w.paras, strings.Join(w.lines, "\n"))
		w.items = append(w.items, w.inItem > 0)
	}
	w.lines = w.lines[:0]
	w.brs = 0
}

// dropped are elements whose content is never article text.
var dropped = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Nav: true, atom.Noscript: true,
	atom.Template: true, atom.Iframe: true, atom.Object: true, atom.Embed: true,
	atom.Svg: true, atom.Math: true, atom.Form: true, atom.Button: true,
	atom.Select: true, atom.Textarea: true, atom.Input: true, atom.Head: true,
	atom.Video: true, atom.Audio: true, atom.Canvas: true, atom.Map: true,
}

// blocks are elements that begin and end a paragraph.
var blocks = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Li: true, atom.Ul: true, atom.Ol: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Blockquote: true, atom.Figcaption: true, atom.Figure: true, atom.Pre: true,
	atom.Table: true, atom.Tr: true, atom.Thead: true, atom.Tbody: true, atom.Tfoot: true,
	atom.Caption: true, atom.Dl: true, atom.Dt: true, atom.Dd: true,
	atom.Section: true, atom.Article: true, atom.Aside: true, atom.Header: true,
	atom.Footer: true, atom.Main: true, atom.Address: true, atom.Details: true,
	atom.Summary: true, atom.Hr: true, atom.Center: true, atom.Fieldset: true,
}

// items are blocks whose text stands alone: a list item, a table row, a
// heading is never the continuation of the paragraph before it.
var items = map[atom.Atom]bool{
	atom.Li: true, atom.Dt: true, atom.Dd: true, atom.Tr: true, atom.Caption: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
}

func (w *textWriter) walk(n *html.Node) {
	var a atom.Atom
	switch n.Type {
	case html.TextNode:
		w.text(n.Data)
		return
	case html.ElementNode:
		a = nodeAtom(n)
		if dropped[a] || hasAttr(n, "hidden") || hasAttr(n, "aria-hidden") && attr(n, "aria-hidden") == "true" {
			return
		}
		switch a {
		case atom.Br:
			w.lineBreak()
			return
		case atom.Img:
			return
		case atom.Td, atom.Th:
			w.text(" ")
		}
	case html.CommentNode, html.DoctypeNode:
		return
	}
	block := n.Type == html.ElementNode && (blocks[a] || styledBlock(n))
	if block {
		w.flushPara()
	}
	item := n.Type == html.ElementNode && items[a]
	if item {
		w.inItem++
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c)
	}
	if block {
		w.flushPara()
	}
	if item {
		w.inItem--
	}
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// nodeAtom is the element's atom, looked up from its name when the node
// was made without one (go-trafilatura builds its output tree that way).
func nodeAtom(n *html.Node) atom.Atom {
	if n.DataAtom != 0 {
		return n.DataAtom
	}
	return atom.Lookup([]byte(n.Data))
}

// styledBlock reports whether an element's own style makes it a block
// (a pull quote's attribution in <span style="display:block">).
func styledBlock(n *html.Node) bool {
	st := attr(n, "style")
	if st == "" {
		return false
	}
	st = strings.ToLower(strings.ReplaceAll(st, " ", ""))
	for _, d := range []string{"display:block", "display:flex", "display:list-item", "display:table", "display:grid"} {
		if strings.Contains(st, d) {
			return true
		}
	}
	return false
}

// sentenceBreak reports whether text a, ending a sentence, and the text b
// of the next element, beginning one, would run together ("exciting." and
// "Nusaybah Mohamed" from two blocks of a pull quote): a sentence never
// continues straight into a capital letter.
func sentenceBreak(a, b string) bool {
	first, _ := utf8.DecodeRuneInString(b)
	if !unicode.IsUpper(first) && first != '“' {
		return false
	}
	last, size := utf8.DecodeLastRuneInString(a)
	if strings.ContainsRune("”’\"'»)", last) {
		last, _ = utf8.DecodeLastRuneInString(a[:len(a)-size])
	}
	return strings.ContainsRune(".!?", last)
}
