package web

import (
	"sort"
	"strings"
	"unicode"

	"github.com/stet-news/stet/diff"
)

// Seg is one run of text on a page, with how it is marked. Tag and Class
// come from a fixed set; Text is feed text, escaped by the template.
type Seg struct {
	Text  string
	Tag   string // "" (plain), "del" or "ins"
	Class string // "", "q" (in a quote), "t" (a title), "q t"
}

// sides splits a word diff into the old side (equal and deleted runs) and
// the new side (equal and inserted runs).
func sides(ops []diff.Op) (old, new []Seg) {
	for _, op := range ops {
		switch op.Kind {
		case diff.OpEqual:
			old = append(old, Seg{Text: op.Text})
			new = append(new, Seg{Text: op.Text})
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
func appendMarked(segs []Seg, text, tag string) []Seg {
	words := strings.TrimRightFunc(text, unicode.IsSpace)
	if words != "" {
		segs = append(segs, Seg{Text: words, Tag: tag})
	}
	if rest := text[len(words):]; rest != "" {
		segs = append(segs, Seg{Text: rest})
	}
	return segs
}

// sideText is the text one side of a diff shows. WordDiff's equal
// runs carry the new text's form (typography may differ), so the old side
// is rebuilt from the ops rather than taken from the old text.
func sideText(segs []Seg) string {
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
func highlight(segs []Seg, ex diff.Extraction) []Seg {
	text := sideText(segs)
	var spans []span
	for _, q := range ex.Quotes {
		spans = append(spans, findPhrase(text, q.Text, "q")...)
	}
	for _, t := range ex.Titles {
		spans = append(spans, findPhrase(text, t.Title, "t")...)
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
	var out []Seg
	add := func(sg Seg) {
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
			add(Seg{Text: text[prev:c], Tag: sg.Tag, Class: classAt(spans, prev)})
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

// findPhrase finds phrase in text, comparing words with white space and
// typography folded. A phrase not found whole (a quote split by its
// attribution is reported joined) is found piece by piece: the longest run
// of its words that occurs after the previous piece, runs of one or two
// words only when they end the phrase. It returns the byte ranges found.
func findPhrase(text, phrase, class string) []span {
	pw := strings.Fields(phrase)
	if len(pw) == 0 {
		return nil
	}
	tw := wordSpans(text)
	if len(tw) == 0 {
		return nil
	}
	keys := make([]string, len(tw))
	for i, w := range tw {
		keys[i] = foldWord(text[w.start:w.end])
	}
	pk := make([]string, len(pw))
	for i, w := range pw {
		pk[i] = foldWord(w)
	}
	var out []span
	from := 0 // next word of text to search from
	for i := 0; i < len(pk); {
		found := false
		for j := len(pk); j > i; j-- {
			if j-i < 3 && j != len(pk) {
				break
			}
			hay := keys[from:]
			if i > 0 && len(hay) > maxGap+j-i {
				hay = hay[:maxGap+j-i] // a later piece follows closely
			}
			if at := indexWords(hay, pk[i:j]); at >= 0 {
				at += from
				end := tw[at+j-i-1].end
				if !strings.HasSuffix(pw[j-1], text[end-1:end]) {
					end = trimEnd(text, tw[at+j-i-1].start, end)
				}
				out = append(out, span{tw[at].start, end, class})
				from = at + j - i
				i = j
				found = true
				break
			}
		}
		if !found {
			i++
		}
	}
	return out
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

// maxGap is how many words of text may separate two pieces of a phrase.
const maxGap = 40

// indexWords is the index of the first occurrence of needle in hay, -1 when
// none.
func indexWords(hay, needle []string) int {
	if len(needle) == 0 {
		return -1
	}
outer:
	for i := 0; i+len(needle) <= len(hay); i++ {
		for k, w := range needle {
			if hay[i+k] != w {
				continue outer
			}
		}
		return i
	}
	return -1
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
