package diff

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// span is one run of quoted text inside one paragraph.
type span struct {
	p           int // paragraph index
	open        int // byte offset of the opening mark
	s, e        int // content
	close       int // byte offset just after the closing mark (len(p) when unclosed)
	closed      bool
	openedAtTop bool // the opening mark begins the paragraph
}

// chain is one quote: one or more spans (several paragraphs, or parts split
// by an attribution).
type chain struct {
	parts     []span
	maybeJoin bool // split from the previous quote by an attribution, but attributed itself too
}

func (c *chain) first() span { return c.parts[0] }
func (c *chain) last() span  { return c.parts[len(c.parts)-1] }

func runeBefore(s string, i int) rune {
	if i <= 0 {
		return 0
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return r
}

func runeAt(s string, i int) rune {
	if i >= len(s) {
		return 0
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return r
}

// spaceBefore: the mark at i follows white space, the start, or an opening
// bracket or dash.
func spaceBefore(p string, i int) bool {
	r := runeBefore(p, i)
	return r == 0 || isSpace(r) || strings.ContainsRune("([{—–-/", r)
}

// spaceAfter: the mark ending at j is followed by white space, the end, or
// punctuation.
func spaceAfter(p string, j int) bool {
	r := runeAt(p, j)
	return r == 0 || isSpace(r) || strings.ContainsRune(",.;:!?)]}—–-…”»\"’'", r)
}

// singleStyle tells an article quoted in the British way (‘…’, with
// double marks only inside) from one quoted with double marks: more
// single marks open a quote (at the start of a word, after a space) than
// double marks do, and at least two.
func singleStyle(paras []string) bool {
	has := false
	for _, p := range paras {
		if strings.Contains(p, "‘") || strings.Contains(p, " '") || strings.HasPrefix(p, "'") {
			has = true
			break
		}
	}
	if !has {
		return false
	}
	singles, doubles := 0, 0
	for _, p := range paras {
		for i := 0; i < len(p); {
			r, n := utf8.DecodeRuneInString(p[i:])
			switch r {
			case '“', '"', '„', '«':
				if spaceBefore(p, i) {
					doubles++
				}
			case '‘', '\'':
				if !spaceBefore(p, i) {
					break
				}
				if strings.HasPrefix(p[i+n:], "‘") || strings.HasPrefix(p[i+n:], "'") {
					// ‘‘ or '' typed for a double mark
					doubles++
					n *= 2
				} else if unicode.IsLetter(runeAt(p, i+n)) {
					singles++
				}
			}
			i += n
		}
	}
	return singles >= 2 && singles > doubles
}

// singleMark maps a single mark in a British-style article to the double
// mark it stands for, or 0 when it is an apostrophe: ‘ opens; ’ closes when
// no letter follows it (It’s, ’90s are apostrophes) and it does not end a
// plural possessive (the players’ union).
func singleMark(p string, i, n int) rune {
	r := runeAt(p, i)
	if r == '\'' && spaceBefore(p, i) && unicode.IsLetter(runeAt(p, i+n)) {
		// a straight mark at the start of a word opens
		r = '‘'
	}
	switch r {
	case '‘':
		return '“'
	case '’', '\'':
		nx := runeAt(p, i+n)
		if unicode.Is(unicode.Latin, nx) || unicode.IsDigit(nx) {
			// an apostrophe inside a word; scripts without apostrophes
			// (Korean particles) attach words to the closing mark
			return 0
		}
		if runeBefore(p, i) == 's' && nx == ' ' {
			// players’ union: a lowercase word after is a possessive's noun
			if w := runeAt(p, i+n+1); unicode.IsLower(w) {
				return 0
			}
		}
		return '”'
	}
	return 0
}

// scanSpans finds the double-quoted runs of one paragraph. Single marks are
// left alone: they are apostrophes or quotes inside quotes; in a British
// style article (single) the roles are swapped.
func scanSpans(p string, pi int, single bool) []span {
	var out []span
	in := false
	var cur span
	var openMark rune
	lead := 0 // bytes of leading white space
	for lead < len(p) && (p[lead] == ' ' || p[lead] == '\t') {
		lead++
	}
	for i := 0; i < len(p); {
		r, n := utf8.DecodeRuneInString(p[i:])
		// two single marks typed for a double one (‘‘ … ’’, `` … '', wire
		// copy) below; in a British-style article, single marks quote
		if single {
			switch r {
			case '‘', '’', '\'':
				if m := singleMark(p, i, n); m != 0 {
					r = m
				} else {
					r = 'x'
				}
			case '"', '“', '”', '„', '‟', '«', '»':
				// a quote inside a quote: part of the text
				r = 'x'
			}
		} else if r == '‘' && strings.HasPrefix(p[i+n:], "‘") || r == '`' && strings.HasPrefix(p[i+n:], "`") {
			r, n = '“', n*2
		} else if r == '’' && strings.HasPrefix(p[i+n:], "’") {
			r, n = '”', n*2
		} else if r == '\'' && strings.HasPrefix(p[i+n:], "'") {
			r, n = '"', 2
		}
		if !strings.ContainsRune("\"“”„‟«»", r) {
			i += n
			continue
		}
		ps, ns := spaceBefore(p, i), spaceAfter(p, i+n)
		opener := false
		switch r {
		case '„', '«', '‟':
			opener = true
		case '»':
			opener = false
		case '“':
			opener = !(in && (openMark == '„' || !ps && ns))
		case '”':
			opener = !in && ps && !ns
		case '"':
			if in {
				opener = ps && !ns
			} else {
				opener = !(!ps && ns)
			}
		}
		if opener {
			cur = span{p: pi, open: i, s: i + n, openedAtTop: i == lead}
			openMark = r
			in = true
		} else if in {
			cur.e, cur.close, cur.closed = i, i+n, true
			in = false
			if strings.TrimSpace(p[cur.s:cur.e]) != "" {
				out = append(out, cur)
			}
		}
		i += n
	}
	if in {
		cur.e, cur.close = len(p), len(p)
		if strings.TrimSpace(p[cur.s:cur.e]) != "" {
			out = append(out, cur)
		}
	}
	return out
}

// findChains finds the quotes of an article: spans linked over paragraphs
// (each paragraph opened, only the last closed) and parts of one quote split
// by an attribution.
func findChains(paras []string, toks [][]tok) []*chain {
	var chains []*chain
	var open *chain // a quote left open at the end of the previous paragraph
	single := singleStyle(paras)
	for pi, p := range paras {
		spans := scanSpans(p, pi, single)
		for si, sp := range spans {
			if si == 0 && open != nil && sp.openedAtTop {
				open.parts = append(open.parts, sp)
				if !sp.closed && si == len(spans)-1 {
					// still open: goes on in the next paragraph
					continue
				}
				open = nil
				continue
			}
			open = nil
			c := &chain{parts: []span{sp}}
			chains = append(chains, c)
			if !sp.closed {
				open = c
			}
		}
		if len(spans) == 0 {
			open = nil
		}
	}
	// drop unclosed quotes that did not continue and are too short to be speech
	var kept []*chain
	for _, c := range chains {
		if !c.last().closed && len(c.parts) == 1 {
			sp := c.parts[0]
			if len(strings.Fields(paras[sp.p][sp.s:sp.e])) < 4 {
				continue
			}
		}
		kept = append(kept, c)
	}
	chains = kept
	// join parts split by an attribution within one paragraph
	var out []*chain
	for _, c := range chains {
		if n := len(out); n > 0 {
			prev := out[n-1]
			a, b := prev.last(), c.first()
			if a.p == b.p && a.closed && b.open >= a.close && !isPartialStart(paras[prev.first().p], toks[prev.first().p], prev.first()) {
				if joinable(paras[a.p], a, b) {
					if ownAttribution(paras, toks, c) {
						// “A,” said X. “B,” said Y: maybe two speakers; joined
						// later when both name the same person
						c.maybeJoin = true
					} else {
						prev.parts = append(prev.parts, c.parts...)
						continue
					}
				}
			}
		}
		out = append(out, c)
	}
	return out
}

// joinable reports whether the text between two quoted parts of a paragraph
// is only an attribution ("A,” Vasquez-Holm said, “b.” / “A,” Vasquez-Holm said. “B.”).
func joinable(p string, a, b span) bool {
	if b.open-a.close > 400 {
		return false
	}
	between := strings.TrimSpace(p[a.close:b.open])
	if between == "" {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(between)
	if !strings.ContainsRune(",.:;", last) {
		return false
	}
	ts := tokenize(between)
	verbs := 0
	sentences := 0
	firstVerb := -1
	ends := sentenceEnds(ts)
	for i, t := range ts {
		if t.word && verbTok(t) {
			// "when asked", "if asked": not an attribution of its own
			if i > 0 && (ts[i-1].low == "when" || ts[i-1].low == "if" || ts[i-1].low == "once" || ts[i-1].low == "unless") {
				continue
			}
			// ", adding": the same attribution goes on
			if i > 0 && ts[i-1].s == "," && strings.HasSuffix(t.low, "ing") && verbs > 0 {
				continue
			}
			if firstVerb < 0 {
				firstVerb = i
			}
			verbs++
		}
		if ends[i] && i != len(ts)-1 {
			sentences++
		}
	}
	if verbs == 0 && len(ts) <= 8 {
		// “A,” Name retorted. “B.”: a verb off the list, placed as the
		// attribution's verb
		if v := structuralVerb(ts); v >= 0 {
			verbs, firstVerb = 1, v
		}
	}
	first := strings.TrimRight(p[a.s:a.e], " ")
	fl, _ := utf8.DecodeLastRuneInString(first)
	second := strings.TrimLeft(p[b.s:b.e], " ")
	sf, _ := utf8.DecodeRuneInString(second)
	// “A,” X said when asked, “b”: the sentence goes on in lower case
	if verbs >= 1 && fl == ',' && last == ',' && unicode.IsLower(sf) && sentences == 0 && len(ts) <= 30 {
		return true
	}
	limit := 30
	if firstVerb >= 0 && firstVerb <= 6 {
		// said Name, who …, where …: a clause hung on a short attribution
		for k := firstVerb + 1; k < len(ts) && k <= firstVerb+6; k++ {
			if ts[k].s == "," {
				limit = 80
				break
			}
		}
	}
	if verbs != 1 || sentences > 0 || len(ts) > limit {
		return false
	}
	// a comma closing the first part, or a new sentence after the attribution
	if fl == ',' || last == ',' || last == ':' {
		return true
	}
	if last == '.' {
		// “A.” Vasquez-Holm said. “B.” also joins when the first part is a full stop
		return true
	}
	return false
}

// verbTok: a speech verb written in lower case.
func verbTok(t tok) bool {
	return t.word && speechVerbs[t.lower()] && (!isCapWord(t) || t.lower() == "according")
}

func isSpeechVerb(w string) bool {
	return speechVerbs[w]
}

// isPartialStart decides whether a quote begins inside a sentence of the
// writer's reported speech (a partial quote) rather than standing as a full
// direct quote.
func isPartialStart(p string, ts []tok, sp span) bool {
	if sp.openedAtTop {
		return false
	}
	pre := strings.TrimRightFunc(p[:sp.open], isSpace)
	if pre == "" {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(pre)
	content := strings.TrimLeftFunc(p[sp.s:sp.e], func(r rune) bool { return isSpace(r) || r == '\'' || r == '‘' || r == '…' || r == '.' })
	first, _ := utf8.DecodeRuneInString(content)
	upper := unicode.IsUpper(first)
	switch {
	case strings.ContainsRune(".!?:", last):
		return false
	case last == ',' || last == '—' || last == '–' || last == '-' || last == '(' || last == ';':
		return !upper
	case last == '”' || last == '"' || last == '’':
		return !upper
	}
	// preceded by a word
	if !upper {
		return true
	}
	// words before, in this paragraph
	before := ts[:sort.Search(len(ts), func(i int) bool { return ts[i].end > sp.open })]
	if n := len(before); n > 0 && before[n-1].word && before[n-1].lower() == "that" {
		return true
	}
	for k := len(before) - 1; k >= 0 && k >= len(before)-3; k-- {
		if before[k].word && verbTok(before[k]) {
			return false
		}
	}
	return true
}

// ownAttribution reports whether a quote is followed, in its sentence, by a
// speech verb or a dash attribution of its own.
func ownAttribution(paras []string, toks [][]tok, c *chain) bool {
	last := c.last()
	ts := toks[last.p]
	n := 0
	from := sort.Search(len(ts), func(i int) bool { return ts[i].start >= last.close })
	for _, t := range ts[from:] {
		if n == 0 && isDash(t.s) {
			return true
		}
		if t.s == "“" || t.s == "\"" || t.s == "«" || t.s == "„" || n > 10 {
			return false
		}
		if verbTok(t) {
			return true
		}
		if !t.word && (t.s == "." || t.s == "!" || t.s == "?") {
			return false
		}
		n++
	}
	return false
}
