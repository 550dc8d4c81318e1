package diff

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// ParsePlain splits plain text into headline and body: the first line is the
// headline when it is followed by a blank line, has at most 25 words and does
// not end with a period.
func ParsePlain(text string) Article {
	text = strings.TrimPrefix(text, "\ufeff")
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	trimmed := strings.TrimLeft(text, " \t\n")
	first, rest, ok := strings.Cut(trimmed, "\n")
	if ok {
		head := strings.TrimSpace(first)
		if head != "" && isBlankLineStart(rest) && len(strings.Fields(head)) <= 25 && !strings.HasSuffix(head, ".") {
			return Article{Headline: foldSpace(head), Body: strings.TrimLeft(rest, " \t\n")}
		}
	}
	return Article{Body: trimmed}
}

// isBlankLineStart reports whether s begins with a line holding only spaces.
func isBlankLineStart(s string) bool {
	line, _, ok := strings.Cut(s, "\n")
	return ok && strings.TrimFunc(line, isSpace) == ""
}

// Normalize folds typography and whitespace: curly and straight quotes,
// guillemets and low marks become straight quotes, dashes become one em dash,
// ellipses three periods, every run of white space inside a paragraph one
// space; paragraphs stay separated by one blank line.
func Normalize(s string) string {
	paras := paragraphs(s)
	for i, p := range paras {
		paras[i] = foldTypography(p)
	}
	return strings.Join(paras, "\n\n")
}

// foldTypography maps typographic variants to one form, without touching
// white space structure other than runs. Plain ASCII takes a fast path: it
// is most of any English text, and this runs over every stored revision.
func foldTypography(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf && c > ' ' && c != '-' && c != '`' {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteByte(c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch r {
		case '“', '”', '„', '‟', '«', '»', '″', '〝', '〞':
			r = '"'
		case '‘', '’', '‚', '‛', '′', '`', '´', '‹', '›':
			r = '\''
		case '–', '—', '―', '‒', '−':
			r = '—'
		case '-':
			if i < len(s) && s[i] == '-' {
				for i < len(s) && s[i] == '-' {
					i++
				}
				r = '—'
			}
		case '…':
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteString("...")
			continue
		case '\u200b', '\ufeff', '\u00ad':
			continue
		}
		if isSpace(r) {
			space = true
			continue
		}
		// spaces around dashes are style, not content
		if r == '—' {
			space = false
			b.WriteRune(r)
			for i < len(s) {
				next, n := utf8.DecodeRuneInString(s[i:])
				if !isSpace(next) {
					break
				}
				i += n
			}
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

func isSpace(r rune) bool {
	return r == ' ' || unicode.IsSpace(r)
}

// paragraphs splits text on blank lines and folds white space (line wraps,
// no-break spaces, runs) inside each paragraph to single spaces.
func paragraphs(s string) []string { return splitParagraphs(s, false) }

// extractParagraphs is paragraphs for extraction: a line that opens with a
// quote mark after a line that ended a sentence or a quote, or a dash
// attribution (“…” ― Name), starts a paragraph of its own, as in lists of
// quotes typed one a line. Normalize keeps the plain split, so stored
// hashes do not move.
func extractParagraphs(s string) []string { return splitParagraphs(s, true) }

func splitParagraphs(s string, quoteLines bool) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	var out []string
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			var b strings.Builder
			for k, l := range cur {
				if k > 0 {
					prev := strings.TrimRightFunc(cur[k-1], isSpace)
					// a line wrapped after the hyphen of a compound word
					// (co-\ninvestigators) joins without a space
					if !hyphenEnd(prev) {
						b.WriteByte(' ')
					}
				}
				if k < len(cur)-1 && hyphenEnd(strings.TrimRightFunc(l, isSpace)) {
					l = strings.TrimRightFunc(l, isSpace)
				}
				if k > 0 && hyphenEnd(strings.TrimRightFunc(cur[k-1], isSpace)) {
					l = strings.TrimLeftFunc(l, isSpace)
				}
				b.WriteString(l)
			}
			if p := foldSpace(b.String()); p != "" {
				out = append(out, p)
			}
		}
		cur = cur[:0]
	}
	for _, line := range strings.Split(s, "\n") {
		if strings.TrimFunc(line, isSpace) == "" {
			flush()
			continue
		}
		if quoteLines && len(cur) > 0 && opensWithQuote(line) && endsUtterance(cur[len(cur)-1]) {
			flush()
		}
		cur = append(cur, line)
	}
	flush()
	return out
}

// foldSpace folds white space runs to one space and trims the ends.
func foldSpace(s string) string {
	b := make([]byte, 0, len(s))
	space := false
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' {
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
		r, n := utf8.DecodeRuneInString(s[i:])
		if isSpace(r) {
			space = true
			i += n
			continue
		}
		if r == '\u200b' || r == '\ufeff' || r == '\u00ad' {
			i += n
			continue
		}
		if space && len(b) > 0 {
			b = append(b, ' ')
		}
		space = false
		b = append(b, s[i:i+n]...)
		i += n
	}
	return string(b)
}

// words returns the lower-cased words of s with typography and punctuation
// folded away: the unit in which quotes are compared.
func words(s string) []string {
	out := make([]string, 0, len(s)/5+1)
	var b []byte
	flush := func() {
		if len(b) > 0 {
			out = append(out, string(b))
			b = b[:0]
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
				b = append(b, c)
			case 'A' <= c && c <= 'Z':
				b = append(b, c+'a'-'A')
			case (c == '\'' || c == '.' || c == ',' || c == '-') && len(b) > 0 && i+1 < len(s) && isWordStart(s[i+1:]):
				// inner apostrophe, decimal point, thousands separator, hyphen
				b = append(b, c)
			default:
				flush()
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b = utf8.AppendRune(b, unicode.ToLower(r))
		case (r == '’' || r == '‘') && len(b) > 0 && i+n < len(s) && isWordStart(s[i+n:]):
			b = append(b, '\'')
		case unicode.IsMark(r) && len(b) > 0:
			b = utf8.AppendRune(b, r)
		default:
			flush()
		}
		i += n
	}
	flush()
	return out
}

// isWordStart: s begins with a letter or digit.
func isWordStart(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// tok is a word or punctuation token of a paragraph.
type tok struct {
	s          string
	low        string // strings.ToLower(s)
	start, end int    // byte offsets in the paragraph
	word       bool
	inQuote    bool
}

func (t tok) capital() bool {
	r, _ := utf8.DecodeRuneInString(t.s)
	return t.word && unicode.IsUpper(r)
}

func (t tok) lower() string { return t.low }

// tokenize splits a paragraph into words and punctuation. A period belongs
// to the word before it when that word is a known abbreviation, an initial
// or already holds periods (U.S.).
func tokenize(p string) []tok {
	out := make([]tok, 0, len(p)/5+4)
	i := 0
	for i < len(p) {
		if p[i] == ' ' {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(p[i:])
		if isSpace(r) {
			i += n
			continue
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			j := i + n
			for j < len(p) {
				if c := p[j]; c < utf8.RuneSelf {
					if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
						j++
						continue
					}
				}
				r2, n2 := utf8.DecodeRuneInString(p[j:])
				if unicode.IsLetter(r2) || unicode.IsDigit(r2) || unicode.IsMark(r2) {
					j += n2
					continue
				}
				if r2 == '.' || r2 == '\'' || r2 == '’' || r2 == '-' || r2 == '&' || r2 == ',' && unicode.IsDigit(r) {
					if j+n2 < len(p) {
						r3, _ := utf8.DecodeRuneInString(p[j+n2:])
						if unicode.IsLetter(r3) || unicode.IsDigit(r3) {
							j += n2
							continue
						}
					}
				}
				break
			}
			w := p[i:j]
			// possessive s' (Dynamics’ chief): keep the apostrophe
			if j < len(p) && (p[j] == '\'' || strings.HasPrefix(p[j:], "’")) && strings.HasSuffix(w, "s") {
				after := j + 1
				if p[j] != '\'' {
					after = j + len("’")
				}
				if after >= len(p) || isSpace(rune(p[after])) {
					if looksPossessivePlural(p, i, j) {
						j = after
						w = p[i:j]
					}
				}
			}
			if j < len(p) && p[j] == '.' {
				lw := strings.ToLower(w)
				if h := strings.LastIndexByte(lw, '-'); h >= 0 {
					// then-Gov., ex-Sen.: the abbreviation after the prefix
					lw = lw[h+1:]
				}
				r0, _ := utf8.DecodeRuneInString(w)
				if abbrevs[lw] || strings.Contains(w, ".") || (utf8.RuneCountInString(w) == 1 && unicode.IsUpper(r0)) {
					j++
					w = p[i:j]
				}
			}
			out = append(out, tok{s: w, low: strings.ToLower(w), start: i, end: j, word: true})
			i = j
			continue
		}
		j := i + n
		if r == '-' && strings.HasPrefix(p[j:], "-") {
			for j < len(p) && p[j] == '-' {
				j++
			}
		} else if r == '.' && strings.HasPrefix(p[j:], "..") {
			j += 2
		}
		out = append(out, tok{s: p[i:j], low: p[i:j], start: i, end: j})
		i = j
	}
	return out
}

// looksPossessivePlural tells a plural possessive (Dynamics’ chief) from a
// closing single quote: the word must not follow an opening single quote in
// the same paragraph that is still open.
func looksPossessivePlural(p string, i, j int) bool {
	open := strings.LastIndexAny(p[:i], "‘")
	if open >= 0 {
		if strings.IndexAny(p[open:i], "’") < 0 {
			return false
		}
	}
	return true
}

func isDash(s string) bool {
	return s == "—" || s == "–" || s == "--" || s == "―" || s == "-"
}

var sentenceStarters = map[string]bool{
	"the": true, "he": true, "she": true, "it": true, "they": true, "we": true, "i": true,
	"but": true, "and": true, "in": true, "a": true, "an": true, "this": true, "that": true,
	"there": true, "his": true, "her": true, "their": true, "its": true, "on": true, "at": true,
	"as": true, "after": true, "before": true, "when": true, "while": true, "if": true,
	"however": true, "meanwhile": true, "still": true, "yet": true, "some": true, "many": true,
}

// sentenceEnds returns, for each token, whether a sentence ends after it.
func sentenceEnds(ts []tok) []bool {
	ends := make([]bool, len(ts))
	for i, t := range ts {
		if i == len(ts)-1 {
			ends[i] = true
			continue
		}
		end := false
		if !t.word && (t.s == "." || t.s == "!" || t.s == "?" || t.s == "…" || t.s == "...") {
			end = true
		} else if t.word && strings.HasSuffix(t.s, ".") && len(t.s) > 2 {
			// abbreviation: ends a sentence only before a typical sentence opener
			nx := ts[i+1]
			if nx.word && sentenceStarters[nx.lower()] && nx.capital() {
				end = true
			}
		}
		if !end {
			continue
		}
		// closing quote marks after the stop belong to this sentence; a
		// mark after a space opens the next one (said. ''It …), as
		// closing marks sit right against what they close
		k := i + 1
		for k < len(ts) && isCloseMarkTok(ts[k].s) && (ts[k].start == ts[k-1].end || !ambiguousMark(ts[k].s)) {
			k++
		}
		if k >= len(ts) {
			ends[len(ts)-1] = true
			continue
		}
		nx := ts[k]
		if nx.word && !nx.capital() && !unicode.IsDigit(rune(nx.s[0])) {
			continue // "4 p.m. on Monday", "... and"
		}
		ends[k-1] = true
	}
	return ends
}

// ambiguousMark: a straight mark, which opens as well as closes.
func ambiguousMark(s string) bool {
	return s == "'" || s == "\""
}

func isCloseMarkTok(s string) bool {
	switch s {
	case "”", "\"", "»", "’", "'", ")", "]":
		return true
	}
	return false
}

// hyphenEnd: a line ending in a letter and one hyphen (not a dash).
func hyphenEnd(l string) bool {
	if !strings.HasSuffix(l, "-") || strings.HasSuffix(l, "--") {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(l[:len(l)-1])
	return unicode.IsLetter(r)
}

// opensWithQuote: the line's first character is an opening double mark.
func opensWithQuote(l string) bool {
	r, _ := utf8.DecodeRuneInString(strings.TrimLeftFunc(l, isSpace))
	return r == '“' || r == '"' || r == '„' || r == '«'
}

// endsUtterance: the line ends a sentence or a quote, or with a short dash
// attribution.
func endsUtterance(l string) bool {
	l = strings.TrimRightFunc(l, isSpace)
	r, _ := utf8.DecodeLastRuneInString(l)
	if strings.ContainsRune(".!?”\"»", r) {
		return true
	}
	for _, d := range []string{"―", "—", "–"} {
		if i := strings.LastIndex(l, d); i >= 0 && len(strings.Fields(l[i+len(d):])) <= 5 {
			return true
		}
	}
	return false
}
