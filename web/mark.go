package web

import (
	"sort"
	"strings"
	"unicode"

	"github.com/stet-news/stet/change"
	"github.com/stet-news/stet/diff"
)

// seg is one run of text on a page, with how it is marked. Tag and Class
// come from a fixed set; Text is feed text, escaped by the template.
type seg struct {
	Text  string
	Tag   string // "" (plain), "del" or "ins"
	Class string // "", "q" (in a quote), "t" (a title), "q t"
}

// sides lays the word marking of an edit (change.Mark) out as the old side
// (kept and deleted runs) and the new side (kept and inserted runs).
func sides(ps []change.Piece) (old, new []seg) {
	for _, op := range ps {
		switch op.Kind {
		case diff.OpEqual:
			old = append(old, seg{Text: op.Text})
			new = append(new, seg{Text: op.Text})
		case diff.OpDelete:
			old = appendMarked(old, op.Text, "del")
		case diff.OpInsert:
			new = appendMarked(new, op.Text, "ins")
		}
	}
	return old, new
}

// appendMarked appends text marked with tag, the white space that ends it
// left unmarked (so that a mark ends with its last word).
func appendMarked(segs []seg, text, tag string) []seg {
	words := strings.TrimRightFunc(text, unicode.IsSpace)
	if words != "" {
		segs = append(segs, seg{Text: words, Tag: tag})
	}
	if rest := text[len(words):]; rest != "" {
		segs = append(segs, seg{Text: rest})
	}
	return segs
}

// sideText is the text one side of a diff shows. The marking's kept
// runs may carry the new text's form (typography may differ), so the old
// side is rebuilt from the pieces rather than taken from the old text.
func sideText(segs []seg) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteString(s.Text)
	}
	return b.String()
}

// span is a byte range [start, end) of a text, and its class.
type span struct {
	start, end int
	class      string
}

// highlight splits segs further where the quotes and titles of ex occur in
// their joined text, and sets Class on the parts inside them.
func highlight(segs []seg, ex diff.Extraction) []seg {
	text := sideText(segs)
	w := newWords(text)
	var spans []span
	for _, q := range ex.Quotes {
		spans = append(spans, w.findQuote(q.Text, "q")...)
	}
	for _, t := range ex.Titles {
		spans = append(spans, w.findAll(t.Title, "t")...)
	}
	if len(spans) == 0 {
		return segs
	}
	// classes per byte would be simplest; with boundaries it stays linear.
	bounds := map[int]bool{}
	for _, sp := range spans {
		bounds[sp.start] = true
		bounds[sp.end] = true
	}
	pos := 0
	var out []seg
	add := func(sg seg) {
		if n := len(out); n > 0 && out[n-1].Tag == sg.Tag && out[n-1].Class == sg.Class {
			out[n-1].Text += sg.Text
			return
		}
		out = append(out, sg)
	}
	for _, sg := range segs {
		cuts := []int{}
		for b := range bounds {
			if b > pos && b < pos+len(sg.Text) {
				cuts = append(cuts, b)
			}
		}
		sort.Ints(cuts)
		prev := pos
		for _, c := range append(cuts, pos+len(sg.Text)) {
			if c == prev {
				continue
			}
			add(seg{Text: text[prev:c], Tag: sg.Tag, Class: classAt(spans, prev)})
			prev = c
		}
		pos += len(sg.Text)
	}
	return out
}

// classAt is the class of byte i: "q", "t" or both.
func classAt(spans []span, i int) string {
	q, t := false, false
	for _, sp := range spans {
		if i >= sp.start && i < sp.end {
			if sp.class == "q" {
				q = true
			} else {
				t = true
			}
		}
	}
	switch {
	case q && t:
		return "q t"
	case q:
		return "q"
	case t:
		return "t"
	}
	return ""
}

// words is a text split into words, each with its byte range and its
// folded form, and where each folded form occurs.
type words struct {
	text  string
	spans []span
	keys  []string
	at    map[string][]int // folded word -> its indexes, ascending
}

func newWords(text string) *words {
	w := &words{text: text, spans: wordSpans(text), at: map[string][]int{}}
	w.keys = make([]string, len(w.spans))
	for i, sp := range w.spans {
		k := foldWord(text[sp.start:sp.end])
		w.keys[i] = k
		w.at[k] = append(w.at[k], i)
	}
	return w
}

// maxGap is how many words of text may separate two pieces of a quote.
const maxGap = 40

// findQuote finds a quote in the text, words compared with case, quote
// marks and edge punctuation folded. A quote not found whole (one split by
// its attribution is reported joined) is found piece by piece: from each
// word of the quote, the longest run of it that occurs after the previous
// piece (and at most maxGap words after it); runs of fewer than three
// words only when they end the quote.
func (w *words) findQuote(quote, class string) []span {
	pk := foldAll(quote)
	var out []span
	from := 0 // next word of text to search from
	for i := 0; i < len(pk); {
		bestAt, bestLen := -1, 0
		for _, pos := range w.at[pk[i]] {
			if pos < from {
				continue
			}
			if i > 0 && pos-from > maxGap {
				break
			}
			n := 0
			for i+n < len(pk) && pos+n < len(w.keys) && w.keys[pos+n] == pk[i+n] {
				n++
			}
			if n > bestLen {
				bestAt, bestLen = pos, n
				if i+n == len(pk) {
					break
				}
			}
		}
		if bestLen == 0 || (bestLen < 3 && i+bestLen != len(pk)) {
			i++
			continue
		}
		out = append(out, w.span(bestAt, bestLen, quote, class))
		from = bestAt + bestLen
		i += bestLen
	}
	return out
}

// findAll finds every whole occurrence of phrase (a title).
func (w *words) findAll(phrase, class string) []span {
	pk := foldAll(phrase)
	if len(pk) == 0 {
		return nil
	}
	var out []span
	next := 0
	for _, pos := range w.at[pk[0]] {
		if pos < next || pos+len(pk) > len(w.keys) {
			continue
		}
		n := 0
		for n < len(pk) && w.keys[pos+n] == pk[n] {
			n++
		}
		if n == len(pk) {
			out = append(out, w.span(pos, n, phrase, class))
			next = pos + n
		}
	}
	return out
}

// span is the byte range of n words from word pos; the punctuation that
// ends the last word is left out unless the phrase has it too.
func (w *words) span(pos, n int, phrase, class string) span {
	start, end := w.spans[pos].start, w.spans[pos+n-1].end
	if !strings.HasSuffix(strings.TrimSpace(phrase), w.text[end-1:end]) {
		end = trimEnd(w.text, w.spans[pos+n-1].start, end)
	}
	return span{start, end, class}
}

func foldAll(s string) []string {
	f := strings.Fields(s)
	for i, w := range f {
		f[i] = foldWord(w)
	}
	return f
}

// trimEnd moves end back over the punctuation that closes a sentence or
// clause (a quote's or title's edge in the text, "Florida," for "Florida"),
// never before start.
func trimEnd(text string, start, end int) int {
	for end > start+1 && strings.ContainsRune(",.;:", rune(text[end-1])) {
		end--
	}
	return end
}

// wordSpans are the byte ranges of the words of s, split at white space.
func wordSpans(s string) []span {
	var out []span
	start := -1
	for i, r := range s {
		if unicode.IsSpace(r) {
			if start >= 0 {
				out = append(out, span{start: start, end: i})
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		out = append(out, span{start: start, end: len(s)})
	}
	return out
}

// foldWord is a word compared without case, quote marks and the
// punctuation that a quote's edges change ("it," in the text, "it" in the
// quote).
func foldWord(w string) string {
	w = strings.Map(func(r rune) rune {
		switch r {
		case '\u2018', '\u2019', '\u201A', '\u201B', '\u2032':
			return '\''
		case '\u201C', '\u201D', '\u201E', '\u201F', '\u00AB', '\u00BB', '\u2033':
			return '"'
		}
		return unicode.ToLower(r)
	}, w)
	return strings.TrimFunc(w, func(r rune) bool {
		return r == '"' || r == '\'' || r == ',' || r == '.' || r == ';' || r == ':' || r == '!' || r == '?' ||
			r == '(' || r == ')' || r == '[' || r == ']'
	})
}
