package digest

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/stet-news/stet/diff"
)

// maxContext bounds the sentence shown with a change, in runes; a longer
// one is cut around the changed words.
const maxContext = 280

// maxTries bounds how many places of an article findTitle looks at.
const maxTries = 64

// ContextRevision says which revision's text holds the sentence a change
// stands in: the old one for something removed, the new one otherwise.
func ContextRevision(c Change) int {
	switch c.Kind {
	case diff.QuoteRemoved, diff.TitleRemoved:
		return c.FromRev
	}
	return c.ToRev
}

// Context returns the sentence of text (the revision ContextRevision names)
// that c stands in: for a quote, the sentence around it; for a title, the
// sentence that states it, preferring one that names the person. A
// sentence longer than maxContext runes is cut around the match. "" when
// the change has no such sentence (a headline) or it is not found.
func Context(text string, c Change) string {
	text = clean(text)
	if text == "" {
		return ""
	}
	s, e := -1, -1
	switch c.Kind {
	case diff.QuoteEdited, diff.QuoteAdded:
		s, e = findQuote(text, c.After)
	case diff.QuoteRemoved:
		s, e = findQuote(text, c.Before)
	case diff.QuoteReattributed:
		s, e = findQuote(text, c.Quote)
	case diff.TitleChanged, diff.TitleAdded:
		s, e = findTitle(text, c.After, c.Person)
	case diff.TitleRemoved:
		s, e = findTitle(text, c.Before, c.Person)
	case diff.HeadlineChanged:
		return ""
	default:
		for _, n := range []string{c.After, c.Quote, c.Before} {
			if s, e = findQuote(text, n); s >= 0 {
				break
			}
		}
	}
	if s < 0 {
		return ""
	}
	from, to := sentenceStart(text, s), sentenceEnd(text, e)
	if onlyPunct(text[from:s]+text[e:to]) && c.Kind != diff.TitleChanged && c.Kind != diff.TitleAdded && c.Kind != diff.TitleRemoved {
		// a quote that is a sentence of its own: the next sentence (else the
		// one before) says who said it
		if to < len(text) {
			to = sentenceEnd(text, to+1)
		} else if from > 0 {
			from = sentenceStart(text, from-1)
		}
	}
	return cutAround(text, from, to, s, e)
}

// onlyPunct says whether s has no letters or digits: only quotation marks and
// punctuation around a match.
func onlyPunct(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) })
}

// findQuote finds a quote's text in text; when the whole is not there
// (typography changed between extraction and storage), its first words.
func findQuote(text, q string) (int, int) {
	q = strings.Trim(clean(q), "\"“”'‘’ ")
	if q == "" {
		return -1, -1
	}
	if i := strings.Index(text, q); i >= 0 {
		return i, i + len(q)
	}
	if w := strings.Fields(q); len(w) > 6 {
		p := strings.Join(w[:6], " ")
		if i := strings.Index(text, p); i >= 0 {
			return i, i + len(p)
		}
	}
	return -1, -1
}

// findTitle finds the sentence that states a person's title: the title
// verbatim in a sentence naming the person (by the last word of the name);
// else the sentence naming the person that has most of the title's words
// (the diff may give a title in another order: "Secretary of State of the
// United States"); else the title anywhere; else the person.
func findTitle(text, title, person string) (int, int) {
	title, person = clean(title), clean(person)
	last := ""
	if w := strings.Fields(person); len(w) > 0 {
		last = w[len(w)-1]
	}
	names := func(i, j int) bool {
		return last != "" && strings.Contains(text[sentenceStart(text, i):sentenceEnd(text, j)], last)
	}
	first := -1
	// at most maxTries occurrences each: every one scans for its sentence
	for off, try := 0, 0; title != "" && off < len(text) && try < maxTries; try++ {
		i := strings.Index(text[off:], title)
		if i < 0 {
			break
		}
		i += off
		if first < 0 {
			first = i
		}
		if last == "" || names(i, i+len(title)) {
			return i, i + len(title)
		}
		off = i + len(title)
	}
	if last != "" {
		var words []string
		for _, w := range strings.Fields(strings.ToLower(title)) {
			if utf8.RuneCountInString(w) > 3 {
				words = append(words, w)
			}
		}
		bestAt, best := -1, 0
		for off, try := 0, 0; len(words) > 0 && off < len(text) && try < maxTries; try++ {
			i := strings.Index(text[off:], last)
			if i < 0 {
				break
			}
			i += off
			sent := strings.ToLower(text[sentenceStart(text, i):sentenceEnd(text, i+len(last))])
			n := 0
			for _, w := range words {
				if strings.Contains(sent, w) {
					n++
				}
			}
			if n > best {
				bestAt, best = i, n
			}
			off = sentenceEnd(text, i+len(last))
		}
		if bestAt >= 0 && 2*best >= len(words) {
			s, e := bestAt, bestAt+len(last)
			if j := strings.Index(text[sentenceStart(text, s):e], person); j >= 0 { // the whole name, when given
				s = sentenceStart(text, s) + j
				e = s + len(person)
			}
			return s, e
		}
	}
	if first >= 0 {
		return first, first + len(title)
	}
	if person != "" {
		if i := strings.Index(text, person); i >= 0 {
			return i, i + len(person)
		}
	}
	return -1, -1
}

// isBoundary says whether a sentence ends before the space at text[i]:
// after . ! or ? (and any closing quotes or brackets), and the next
// sentence starts with a capital, a digit or an opening quote.
func isBoundary(text string, i int) bool {
	if i <= 0 || i+1 >= len(text) || text[i] != ' ' {
		return false
	}
	j := i
	for j > 0 {
		r, n := utf8.DecodeLastRuneInString(text[:j])
		if strings.ContainsRune("\"”’')]", r) {
			j -= n
			continue
		}
		if !strings.ContainsRune(".!?", r) {
			return false
		}
		break
	}
	if j == 0 {
		return false
	}
	r, _ := utf8.DecodeRuneInString(text[i+1:])
	return unicode.IsUpper(r) || unicode.IsDigit(r) || strings.ContainsRune("\"“‘'(", r)
}

func sentenceStart(text string, at int) int {
	for i := at - 1; i > 0; i-- {
		if isBoundary(text, i) {
			return i + 1
		}
	}
	return 0
}

func sentenceEnd(text string, at int) int {
	for i := at; i < len(text); i++ {
		if isBoundary(text, i) {
			return i
		}
	}
	return len(text)
}

// cutAround returns text[from:to], cut to maxContext runes with the match
// [s, e) kept in view (its start, when it alone is longer), at word
// boundaries, each cut marked with an ellipsis.
func cutAround(text string, from, to, s, e int) string {
	if utf8.RuneCountInString(text[from:to]) <= maxContext {
		return strings.TrimSpace(text[from:to])
	}
	budget := maxContext - utf8.RuneCountInString(text[s:e])
	if budget < 0 {
		budget = 0
	}
	lo, hi := s, e
	// grow both sides in turn, a rune at a time, while the budget lasts
	for budget > 0 && (lo > from || hi < to) {
		if lo > from {
			_, n := utf8.DecodeLastRuneInString(text[from:lo])
			lo -= n
			budget--
		}
		if budget > 0 && hi < to {
			_, n := utf8.DecodeRuneInString(text[hi:to])
			hi += n
			budget--
		}
	}
	if utf8.RuneCountInString(text[lo:hi]) > maxContext { // the match alone is too long: its start
		if utf8.RuneCountInString(text[from:s]) <= 20 {
			lo = from
		}
		hi = lo
		for n := 0; n < maxContext-2 && hi < to; n++ {
			_, size := utf8.DecodeRuneInString(text[hi:to])
			hi += size
		}
	}
	out := text[lo:hi]
	if lo > from {
		if i := strings.IndexByte(out, ' '); i >= 0 && lo+i < s {
			out = out[i+1:]
		}
		out = "… " + out
	}
	if hi < to {
		// cut at a space after the match, or inside it when it alone overflows
		if i := strings.LastIndexByte(out, ' '); i >= 0 && (hi-(len(out)-i) >= e || (hi < e && hi-(len(out)-i) > s)) {
			out = out[:i]
		}
		out = strings.TrimSpace(out) + " …"
	}
	return strings.TrimSpace(out)
}
