package diff

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

var titleStops = map[string]bool{
	"who": true, "which": true, "that": true, "whose": true, "where": true, "when": true,
	"said": true, "says": true, "and": false, "while": true, "since": true, "because": true,
}

// functionWords are words that never belong to a title.
var functionWords = map[string]bool{
	"the": true, "a": true, "an": true, "in": true, "on": true, "at": true, "but": true, "and": true,
	"or": true, "he": true, "she": true, "it": true, "they": true, "we": true, "i": true, "his": true,
	"her": true, "their": true, "its": true, "our": true, "this": true, "that": true, "these": true,
	"those": true, "when": true, "after": true, "before": true, "if": true, "as": true, "by": true,
	"for": true, "from": true, "with": true, "to": true, "of": true, "meanwhile": true, "also": true,
}

var npStops = map[string]bool{
	"the": true, "a": true, "an": true, "whose": true, "his": true, "her": true, "their": true,
	"its": true, "our": true, "my": true, "your": true, "by": true, "to": true, "with": true,
	"for": true, "from": true, "in": true, "on": true, "at": true, "as": true, "and": true,
	"met": true, "meeting": true, "named": true, "appointed": true, "replaced": true, "called": true,
	"said": true, "told": true, "is": true, "was": true, "were": true, "are": true, "be": true,
}

// Title rules, named in Explain so a user sees why a title got its person.
const (
	rulePreName    = "pre-name: title words before the name"
	ruleCompound   = "pre-name compound: titles joined by and/commas before the name"
	ruleAppositive = "appositive: noun phrase set off by commas after the name"
	ruleWhoIs      = "relative: name, who is/was the title"
	ruleCopular    = "copular: name is/was the title"
	rulePossessive = "preceding appositive: title, then the name set off by commas"
	ruleAs         = "as-phrase: As title, name"
	ruleShared     = "shared appositive: A and B, both titles"
)

// calendarWords are capitalised words of dates, never part of a title.
var calendarWords = map[string]bool{
	"monday": true, "tuesday": true, "wednesday": true, "thursday": true, "friday": true,
	"saturday": true, "sunday": true, "january": true, "february": true, "march": true,
	"april": true, "may": true, "june": true, "july": true, "august": true, "september": true,
	"october": true, "november": true, "december": true, "today": true, "yesterday": true,
	"tomorrow": true, "tonight": true,
}

// openerWords are the longer adverbs and conjunctions that open a clause;
// they never modify a title.
var openerWords = map[string]bool{
	"however": true, "meanwhile": true, "according": true, "although": true, "because": true,
	"without": true, "during": true, "moreover": true, "earlier": true, "recent": true,
	"speaking": true, "comparing": true, "through": true, "whether": true, "despite": true,
}

// looserPreps are prepositions beyond functionWords; a title never runs
// over one (an inquiry against President X).
var looserPreps = map[string]bool{
	"against": true, "about": true, "over": true, "into": true, "through": true, "toward": true,
	"towards": true, "between": true, "within": true, "upon": true, "behind": true, "beyond": true,
	"amid": true, "among": true, "despite": true, "via": true, "like": true, "unlike": true,
	"than": true, "including": true, "alongside": true, "versus": true, "vs.": true,
}

// placePreps open an adverbial phrase ("In May, ...", "From Washington,
// ..."): a name after one is not a person given an appositive.
var placePreps = map[string]bool{
	"in": true, "on": true, "at": true, "since": true, "during": true, "until": true,
	"from": true, "near": true, "across": true, "outside": true, "inside": true, "into": true,
}

// corePreps end the core of a title noun phrase: its head is the word before.
var corePreps = map[string]bool{
	"of": true, "at": true, "with": true, "for": true, "in": true, "from": true, "on": true,
	"to": true, "since": true, "and": true, "/": false,
}

// findTitles finds the (person, title) pairs an article states, by the
// position of a noun phrase relative to a name: before it, in apposition
// after it, set off before it, or after "is"/"who is".
func (d *doc) findTitles() {
	for _, s := range d.seqs {
		if !s.plaus && s.nameI == s.i {
			s = trimDemonyms(s)
		}
		if !s.plaus || len(s.name) == 1 && isPartyTag(s.name[0]) {
			continue
		}
		at := pos{s.p, s.nameI}
		person := ""
		resolve := func() string {
			if person == "" {
				person = d.pp.resolve(s.name, at)
			}
			return person
		}
		emit := func(a, b int, rule string) {
			if txt := d.titleText(s.p, a, b); txt != "" {
				d.titles = append(d.titles, titleHit{person: resolve(), title: txt, at: at, rule: rule})
			}
		}
		d.preNameTitles(s, emit)
		if s.possessive {
			continue
		}
		d.appositiveTitles(s, emit)
		d.precedingTitle(s, emit)
	}
}

// titleText is the text of tokens [a, b) of paragraph p as a title: leading
// articles and honorifics dropped, at least one word that is not a
// qualifier.
func (d *doc) titleText(p, a, b int) string {
	ts := d.toks[p]
	for a < b && (npStops[ts[a].lower()] || honorifics[ts[a].lower()] || ts[a].lower() == "another") {
		a++
	}
	for b > a && !ts[b-1].word {
		b--
	}
	if a >= b {
		return ""
	}
	if b-a == 1 && (qualifiers[ts[a].lower()] || honorifics[ts[a].lower()]) {
		return ""
	}
	return d.paras[p][ts[a].start:ts[b-1].end]
}

// preNameTitles finds titles written before the name: "Secretary of State
// Marta Ruelas", "middle school chemistry teacher Dana Whitmarsh", "Jets QB
// Ray Okonjo", "founder and former CEO Abel Neuhaus" (two titles).
func (d *doc) preNameTitles(s nameSeq, emit func(a, b int, rule string)) {
	ts := d.toks[s.p]
	e := s.nameI
	for e > s.i && honorifics[ts[e-1].lower()] && ts[e-1].lower() != "the" {
		e-- // Gov. Dr. Ana Ruelle: the honorific is not part of the title
	}
	if e == 0 || ts[e-1].inQuote {
		return
	}
	// the name followed by a title noun is a modifier inside a title (the
	// White House press secretary), not a person
	if d.modifierName(s) {
		return
	}
	head := e - 1
	if _, poss := stripPossessive(ts[head].s); poss {
		return // the Founder's Edition: a possessive modifies what follows
	}
	grade := roleOf(ts[head])
	// Secretary of State Marta Ruelas, Speaker of the House Ana Ruelle: the
	// head comes before "of" inside the capitalised run
	for m := s.i + 1; m < e-1; m++ {
		if ts[m].lower() == "of" && roleOf(ts[m-1]) == roleListed {
			grade = roleListed
			break
		}
	}
	switch grade {
	case roleNone:
		return
	case roleShape:
		// shape alone: a lower-case agent noun (or a capital abbreviation
		// after a team or company) directly before a full name, not read
		// as a verb
		if len(s.name) < 2 && head < s.i || verbContext(ts, head) || d.ends[s.p][head] {
			return
		}
		if allUpper(ts[head].s) && (head == 0 || !isCapWord(ts[head-1]) || d.ends[s.p][head-1]) {
			return
		}
		if isCapWord(ts[head]) && !allUpper(ts[head].s) && head < s.i {
			return
		}
	}
	b := d.titleStart(s.p, head, s.i)
	if b > head {
		return
	}
	tail := ""
	// Governor Kolawe Adebayo-Lund of Eastmoor province
	if s.j < len(ts) && ts[s.j].lower() == "of" && !s.possessive {
		m := s.j + 1
		edVerb := func(t tok) bool { return !isCapWord(t) && strings.HasSuffix(t.low, "ed") }
		for m < len(ts) && m < s.j+10 && ts[m].word && !verbTok(ts[m]) && !ts[m].inQuote && !titleStops[ts[m].lower()] && !edVerb(ts[m]) {
			m++
		}
		if m > s.j+1 && (m >= len(ts) || !ts[m].word || titleStops[ts[m].lower()] || verbTok(ts[m]) || edVerb(ts[m])) && !functionWords[ts[m-1].lower()] {
			tail = " " + d.paras[s.p][ts[s.j].start:ts[m-1].end]
		}
	}
	parts := splitCompound(ts, b, e)
	rule := rulePreName
	if len(parts) > 1 {
		rule = ruleCompound
	}
	for k, pr := range parts {
		txt := d.titleText(s.p, pr[0], pr[1])
		if txt == "" {
			continue
		}
		if k == len(parts)-1 {
			txt += tail
		}
		d.titles = append(d.titles, titleHit{person: d.pp.resolve(s.name, pos{s.p, s.nameI}), title: txt, at: pos{s.p, s.nameI}, rule: rule})
	}
}

// titleStart walks back from the head of a title before a name over its
// modifiers: qualifiers, nouns, capitalised words of an organisation or
// team, a possessive, and titles joined by "and" or commas. It stops at the
// sentence start, punctuation, articles, prepositions and verbs. seqI is
// where the capitalised run holding the name begins.
func (d *doc) titleStart(p, head, seqI int) int {
	ts := d.toks[p]
	b := head
	hasAnd := false
	for b > 0 && head-b < 10 {
		t := ts[b-1]
		if t.inQuote || d.ends[p][b-1] {
			break
		}
		l := t.lower()
		if !t.word {
			// chairman, CEO and president Ana Ruelle; singer/songwriter
			if t.s == "," && hasAnd && b >= 2 && roleOf(ts[b-2]) != roleNone {
				b--
				continue
			}
			if t.s == "/" && b >= 2 && ts[b-2].word && !ts[b-2].inQuote {
				b--
				continue
			}
			break
		}
		if b-1 >= seqI {
			// inside the capitalised run: Acting Secretary of State
			if notNameWords[l] && !qualifiers[l] && (openerWords[l] || sentenceStarters[l] || looserPreps[l]) {
				break
			}
			if notNameWords[l] && !qualifiers[l] && functionWords[l] && !(b-1 > seqI && (l == "of" || l == "for" || l == "the" || l == "and")) {
				break
			}
			b--
			continue
		}
		if qualifiers[l] {
			b--
			continue
		}
		if l == "and" || l == "&" {
			if b >= 2 && ts[b-2].word && roleOf(ts[b-2]) != roleNone && !ts[b-2].inQuote {
				hasAnd = true
				b--
				continue
			}
			break
		}
		if functionWords[l] || npStops[l] || titleStops[l] || calendarWords[l] || looserPreps[l] || verbTok(t) || honorifics[l] {
			break
		}
		if notNameWords[l] && !isCapWord(t) && (len(l) <= 5 || openerWords[l] || isAdverb(l)) {
			break
		}
		if isCapWord(t) {
			if notNameWords[l] && !qualifiers[l] {
				// a sentence opener (But, After) is no modifier; a noun
				// that opens the sentence (Police, Middle) is, and so is a
				// capitalised word inside a sentence (New Jersey)
				if functionWords[l] || openerWords[l] || sentenceStarters[l] || looserPreps[l] || d.sentStart(p, b-1) == b-1 && roleOf(ts[b]) == roleNone && !isCapWord(ts[b]) {
					break
				}
			}
			b--
			continue
		}
		if verbContext(ts, b-1) || strings.HasSuffix(l, "ing") && b == seqI {
			break // could see defeating President X
		}
		if strings.HasSuffix(l, "ly") && len(l) > 4 || strings.HasSuffix(l, "ed") && len(l) > 4 {
			break // recently appointed, newly named
		}
		if l[0] >= '0' && l[0] <= '9' {
			break
		}
		// a plural or a verb in -s (the lawsuit names ...) ends the phrase
		// unless it opens the sentence (State parks Director)
		if strings.HasSuffix(l, "s") && !strings.HasSuffix(l, "ss") && !strings.HasSuffix(l, "us") && !strings.HasSuffix(l, "is") && lowerPoss(l) == l {
			st := d.sentStart(p, b-1)
			if st < b-2 {
				break
			}
		}
		b--
		// a possessive closes the modifiers of its noun on the left
		// except for the words of its own name (Inner Mongolia's)
	}
	return b
}

// splitCompound splits the title words [a, b) at "and" and commas where each
// side ends in a title noun: "founder and former CEO", "chairman, CEO and
// president". Words before the first title stay with it.
func splitCompound(ts []tok, a, b int) [][2]int {
	var out [][2]int
	start := a
	for m := a + 1; m < b-1; m++ {
		l := ts[m].lower()
		if l != "and" && l != "&" && ts[m].s != "," {
			continue
		}
		if roleOf(ts[m-1]) == roleNone {
			continue
		}
		out = append(out, [2]int{start, m})
		start = m + 1
		if ts[m].s == "," && m+1 < b-1 && ts[m+1].lower() == "and" {
			start++
			m++
		}
	}
	return append(out, [2]int{start, b})
}

// coreHead returns the head of the title noun phrase [a, b): the last word
// before the first preposition, or -1 when there is none.
func coreHead(ts []tok, a, b int) int {
	h := -1
	for m := a; m < b; m++ {
		if !ts[m].word {
			if ts[m].s == "/" || ts[m].s == "(" || ts[m].s == ")" {
				continue
			}
			break
		}
		if m > a && corePreps[ts[m].lower()] {
			break
		}
		h = m
	}
	return h
}

// nounPhraseTitle reports whether [a, b) reads as a title noun phrase: its
// core's head is a title noun (on the list, or shaped like an agent noun).
func nounPhraseTitle(ts []tok, a, b int) bool {
	for a < b && (npStops[ts[a].lower()] || ts[a].lower() == "another") {
		a++
	}
	h := coreHead(ts, a, b)
	if h < 0 {
		return false
	}
	if isCapWord(ts[h]) && roleOf(ts[h]) != roleListed && !allUpper(ts[h].s) {
		return false // a name, not a title noun (Lakers great Magic Johnson)
	}
	return roleOf(ts[h]) != roleNone
}

// headGrade is the role grade of the head of the noun phrase [a, b).
func (d *doc) headGrade(p, a, b int) roleGrade {
	ts := d.toks[p]
	for a < b && (npStops[ts[a].lower()] || ts[a].lower() == "another") {
		a++
	}
	if h := coreHead(ts, a, b); h >= 0 {
		return roleOf(ts[h])
	}
	return roleNone
}

// appositiveTitles finds "Name, a senior fellow at X," and "Name, who is
// the CEO of X" and "Name is the CEO of X".
func (d *doc) appositiveTitles(s nameSeq, emit func(a, b int, rule string)) {
	ts := d.toks[s.p]
	j := s.j
	if j >= len(ts) {
		return
	}
	// copular: Name is/was (also) the CEO of Y
	if ts[j].word && (ts[j].lower() == "is" || ts[j].lower() == "was") && d.sentStart(s.p, s.i) >= s.i-1 {
		a := j + 1
		if a < len(ts) && (ts[a].lower() == "also" || ts[a].lower() == "now") {
			a++
		}
		if a < len(ts) && (ts[a].lower() == "the" || ts[a].lower() == "a" || ts[a].lower() == "an") {
			e := d.npEnd(s.p, a)
			if e-a <= 16 && nounPhraseTitle(ts, a, e) && roleOf(ts[coreHead(ts, a+1, e)]) == roleListed {
				emit(a, e, ruleCopular)
			}
		}
		return
	}
	if j+1 >= len(ts) || ts[j].s != "," {
		return
	}
	// In May, ...; From Washington, ...: an adverbial, not a person
	if s.i > 0 && placePreps[ts[s.i-1].lower()] {
		return
	}
	m := j + 1
	// Name, 81, who ...
	if ts[m].word && ts[m].s[0] >= '0' && ts[m].s[0] <= '9' && m+1 < len(ts) && ts[m+1].s == "," {
		m += 2
	}
	if m >= len(ts) || !ts[m].word || ts[m].inQuote {
		return
	}
	if ts[m].lower() == "who" {
		// Name, who is/was (also) the Y
		if m+1 < len(ts) && (ts[m+1].lower() == "is" || ts[m+1].lower() == "was") {
			a := m + 2
			if a < len(ts) && ts[a].lower() == "also" {
				a++
			}
			if a < len(ts) && (ts[a].lower() == "the" || ts[a].lower() == "a" || ts[a].lower() == "an") {
				e := d.npEnd(s.p, a)
				for _, pr := range splitAnd(ts, a, e) {
					if nounPhraseTitle(ts, pr[0], pr[1]) {
						emit(pr[0], pr[1], ruleWhoIs)
					}
				}
			}
		}
		return
	}
	if ts[m].lower() == "both" && m+1 < len(ts) {
		d.sharedAppositive(s, m+1)
		return
	}
	fl := ts[m].lower()
	if functionWords[fl] && fl != "the" && fl != "a" && fl != "an" || isPartyTag(ts[m].s) || isAdverb(fl) && !qualifiers[fl] || verbTok(ts[m]) {
		return
	}
	e := d.npEnd(s.p, m)
	if e-m > 22 || e == m {
		return
	}
	// the appositive ends the clause or is closed by a comma or a bracket
	if e < len(ts) && ts[e].word && !titleStops[ts[e].lower()] {
		return
	}
	for m < e && (ts[m].lower() == "now" || ts[m].lower() == "also" || ts[m].lower() == "currently") {
		m++ // Name, now a staff scientist at X
	}
	if h := coreHead(ts, m, e); h < 0 || h-m > 7 || d.nameWithin(s.p, m, e) {
		return
	}
	parts := splitAnd(ts, m, e)
	if len(parts) == 2 && coreHead(ts, parts[0][0], parts[0][1]) == parts[0][1]-1 {
		// CEO and founder of X: the bare first title shares the second's
		// "of" phrase
		if h := coreHead(ts, parts[1][0], parts[1][1]); h >= 0 && h+1 < parts[1][1] && ts[h+1].lower() == "of" && !npStops[ts[parts[1][0]].lower()] && lowerPoss(ts[parts[1][0]].low) == ts[parts[1][0]].low {
			if nounPhraseTitle(ts, parts[0][0], parts[0][1]) && nounPhraseTitle(ts, parts[1][0], parts[1][1]) && (s.person || d.headGrade(s.p, parts[0][0], parts[0][1]) == roleListed) {
				first := d.titleText(s.p, parts[0][0], parts[0][1])
				if first != "" {
					first += " " + d.paras[s.p][ts[h+1].start:ts[parts[1][1]-1].end]
					d.titles = append(d.titles, titleHit{person: d.pp.resolve(s.name, pos{s.p, s.nameI}), title: first, at: pos{s.p, s.nameI}, rule: ruleAppositive})
				}
				emit(parts[1][0], parts[1][1], ruleAppositive)
				return
			}
		}
	}
	for _, pr := range parts {
		// an agent noun alone (maker, operator) also names companies: the
		// name must read as a person's too
		if nounPhraseTitle(ts, pr[0], pr[1]) && (s.person || d.headGrade(s.p, pr[0], pr[1]) == roleListed) {
			emit(pr[0], pr[1], ruleAppositive)
		}
	}
}

// modifierName: a name followed by a title noun modifies it (the White
// House press secretary, a Google engineer): it names no person here.
func (d *doc) modifierName(s nameSeq) bool {
	ts := d.toks[s.p]
	e := s.nameI
	for m := s.j; m < len(ts) && m < s.j+2; m++ {
		t := ts[m]
		if !t.word || isCapWord(t) || t.inQuote || functionWords[t.lower()] || npStops[t.lower()] || verbTok(t) {
			break
		}
		if roleOf(t) != roleNone && (m == s.j || e > 0 && (qualifiers[ts[e-1].lower()] || roleOf(ts[e-1]) != roleNone)) {
			return true
		}
	}
	return false
}

// nameWithin reports whether tokens [a, b) hold a person's name that is
// not the object of a preposition (an aide to Vice President Penrose): the
// phrase is then a clause about that person, not a title.
func (d *doc) nameWithin(p, a, b int) bool {
	ts := d.toks[p]
	for m := a; m < b; m++ {
		k, ok := d.seqAtTok(p, m)
		if !ok {
			continue
		}
		sq := d.seqs[k]
		if m != sq.nameI || !sq.plaus || !sq.person || d.modifierName(sq) {
			continue
		}
		if sq.i > a && (corePreps[ts[sq.i-1].lower()] && ts[sq.i-1].lower() != "and" || npStops[ts[sq.i-1].lower()] || lowerPoss(ts[sq.i-1].low) != ts[sq.i-1].low) {
			continue
		}
		return true
	}
	return false
}

// sharedAppositive reads "A and B, both professors at X,": a plural title
// noun phrase (starting at token m) held by the two names before it.
func (d *doc) sharedAppositive(s nameSeq, m int) {
	ts := d.toks[s.p]
	e := d.npEnd(s.p, m)
	h := coreHead(ts, m, e)
	if h < 0 || e-m > 16 || e < len(ts) && ts[e].word && !titleStops[ts[e].lower()] {
		return
	}
	l := lowerPoss(ts[h].low)
	if !strings.HasSuffix(l, "s") || roleOf(tok{s: strings.TrimSuffix(l, "s"), low: strings.TrimSuffix(l, "s"), word: true}) == roleNone {
		return
	}
	txt := d.titleText(s.p, m, e)
	if txt == "" || s.i < 2 || ts[s.i-1].lower() != "and" {
		return
	}
	k, ok := d.seqAtTok(s.p, s.i-2)
	if !ok {
		return
	}
	o := d.seqs[k]
	if !o.plaus {
		o = trimDemonyms(o)
	}
	if !o.plaus {
		return
	}
	for _, sq := range []nameSeq{o, s} {
		at := pos{sq.p, sq.nameI}
		d.titles = append(d.titles, titleHit{person: d.pp.resolve(sq.name, at), title: txt, at: at, rule: ruleShared})
	}
}

// trimDemonyms drops demonyms that open a name run (American Kevin Kray):
// they describe the person and are no part of the name.
func trimDemonyms(s nameSeq) nameSeq {
	k := 0
	for k < len(s.name)-2 && demonyms[strings.ToLower(s.name[k])] != "" {
		k++
	}
	if k == 0 {
		return s
	}
	s.name = s.name[k:]
	s.nameI += k
	s.plaus = plausibleName(s.name)
	return s
}

// npEnd returns the end of the noun phrase starting at token a: the first
// comma, stop word, speech verb, quote or sentence end.
func (d *doc) npEnd(p, a int) int {
	ts := d.toks[p]
	e := a
	for e < len(ts) && !ts[e].inQuote && !titleStops[ts[e].lower()] && !verbTok(ts[e]) {
		t := ts[e]
		if !t.word && t.s != "’" && t.s != "'" && t.s != "/" && t.s != "(" && t.s != ")" {
			break
		}
		if e > a && d.ends[p][e-1] {
			break
		}
		e++
	}
	return e
}

// precedingTitle finds a title set off before the name: "the city's police
// chief, Ana Ruelle, said"; "Morrell's defence attorney, Lucia Brandt".
func (d *doc) precedingTitle(s nameSeq, emit func(a, b int, rule string)) {
	ts := d.toks[s.p]
	if s.i < 2 || ts[s.i-1].s != "," || !ts[s.i-2].word || ts[s.i-2].inQuote {
		return
	}
	e := s.i - 1
	// the word before the comma must not be part of another name (U.S. Rep.
	// Jon Bramwell, D-Ore.)
	if k, ok := d.seqAtTok(s.p, e-1); ok && d.seqs[k].plaus && d.seqs[k].nameI <= e-1 {
		return
	}
	okAfter := s.j >= len(ts) || !ts[s.j].word || verbTok(ts[s.j]) || isAdverb(ts[s.j].lower())
	if !okAfter {
		return
	}
	b := e
	for b > 0 && e-b < 9 {
		t := ts[b-1]
		l := t.lower()
		if l == "and" && b >= 2 && ts[b-2].word && roleOf(ts[b-2]) != roleNone {
			b-- // WeWork's founder and former CEO, Abel Neuhaus
			continue
		}
		if functionWords[l] && l != "of" && l != "for" || openerWords[l] || titleStops[l] {
			break
		}
		if !t.word || npStops[l] || t.inQuote || verbTok(t) || d.ends[s.p][b-1] {
			break
		}
		b--
	}
	first := ts[b].lower()
	if b < e && (verbTok(ts[b]) || notNameWords[first]) && !qualifiers[first] && !(isCapWord(ts[b]) && !notNameWords[first]) {
		b++
	}
	if b >= e || !nounPhraseTitle(ts, b, e) || !s.person && d.headGrade(s.p, b, e) != roleListed {
		return
	}
	if parts := splitCompound(ts, b, e); len(parts) > 1 {
		for _, pr := range parts {
			if txt := d.titleText(s.p, pr[0], pr[1]); txt != "" && nounPhraseTitle(ts, pr[0], pr[1]) {
				d.titles = append(d.titles, titleHit{person: d.pp.resolve(s.name, pos{s.p, s.nameI}), title: txt, at: pos{s.p, s.nameI}, rule: ruleCompound})
			}
		}
		return
	}
	txt := d.paras[s.p][ts[b].start:ts[e-1].end]
	// whose leader, Name: leader of the Org
	if b >= 2 && ts[b-1].lower() == "whose" && ts[b-2].s == "," {
		o := b - 2
		oe := o
		for o > 0 && (isCapWord(ts[o-1]) || (ts[o-1].lower() == "and" || ts[o-1].lower() == "of") && o > 1 && isCapWord(ts[o-2])) {
			o--
		}
		if o < oe {
			org := d.paras[s.p][ts[o].start:ts[oe-1].end]
			if o > 0 && ts[o-1].lower() == "the" {
				org = "the " + org
			}
			txt += " of " + org
		}
	}
	d.titles = append(d.titles, titleHit{person: d.pp.resolve(s.name, pos{s.p, s.nameI}), title: txt, at: pos{s.p, s.nameI}, rule: rulePossessive})
}

// findAsTitles finds "As the Secretary of State, his words ..." and "As
// mayor, Ana Ruelle ...": a title introduced by "As" at the start of a
// sentence, held by the name that follows or, for his/her, by the person the
// pronoun refers to.
func (d *doc) findAsTitles() {
	for p, ts := range d.toks {
		for i := 0; i+3 < len(ts); i++ {
			if ts[i].inQuote || ts[i].s != "As" || d.sentStart(p, i) != i {
				continue
			}
			a := i + 1
			if l := ts[a].lower(); l == "the" || l == "a" || l == "an" {
				a++
			}
			e := a
			for e < len(ts) && ts[e].word && !ts[e].inQuote && e-a < 12 {
				e++
			}
			if e >= len(ts) || ts[e].s != "," || e == a || !titleHeads[lowerPoss(ts[a].s)] && !d.headWithin(p, a, e, 3) || !isTitleTok(ts[e-1]) && !isCapWord(ts[e-1]) {
				continue
			}
			if e+1 >= len(ts) {
				continue
			}
			nx := ts[e+1]
			at := pos{p, e + 1}
			person := ""
			switch nx.lower() {
			case "his", "her", "he", "she":
				person = d.pp.lastPerson(pos{p, i})
			default:
				if k, ok := d.seqAtTok(p, e+1); ok && d.seqs[k].plaus {
					person = d.pp.resolve(d.seqs[k].name, at)
				}
			}
			if person != "" {
				d.titles = append(d.titles, titleHit{person: person, title: d.paras[p][ts[a].start:ts[e-1].end], at: at, rule: ruleAs})
			}
		}
	}
}

// headWithin reports whether a title head noun is among tokens [a, b)
// within the first n tokens.
func (d *doc) headWithin(p, a, b, n int) bool {
	ts := d.toks[p]
	for m := a; m < b && m < a+n; m++ {
		if titleHeads[lowerPoss(ts[m].s)] {
			return true
		}
	}
	return false
}

// splitAnd splits [a, b) at "and" when both halves read as titles.
func splitAnd(ts []tok, a, b int) [][2]int {
	for m := a + 1; m < b-1; m++ {
		if ts[m].lower() != "and" {
			continue
		}
		if nounPhraseTitle(ts, a, m) && nounPhraseTitle(ts, m+1, b) {
			return append([][2]int{{a, m}}, splitAnd(ts, m+1, b)...)
		}
	}
	return [][2]int{{a, b}}
}

// titleWord is one folded word of a title: lower case, with whether it was
// written capitalised and the index of the whitespace field it came from.
type titleWord struct {
	w     string
	cap   bool
	field int
}

// titleToks folds a title for comparison: lower case, no articles or
// possessive marks, U.S. as united states, demonyms as their country,
// abbreviations written out (Sen. as senator, CEO as chief executive).
func titleToks(t string) []titleWord {
	var out []titleWord
	for fi, f := range strings.Fields(t) {
		r, _ := utf8.DecodeRuneInString(f)
		c := unicode.IsUpper(r)
		add := func(ws ...string) {
			for _, w := range ws {
				out = append(out, titleWord{w, c, fi})
			}
		}
		switch strings.TrimRight(f, ".,;:") {
		case "U.S.", "U.S":
			add("united", "states")
			continue
		case "U.K.", "U.K":
			add("united", "kingdom")
			continue
		case "U.N.", "U.N":
			add("united", "nations")
			continue
		}
		for _, w := range words(f) {
			w = expandAbbrev(strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(w, "'s"), "'"), "."))
			switch w {
			case "the", "a", "an", "of", "s", "for", "from", "at", "in", "and":
				continue
			case "us":
				add("united", "states")
				continue
			case "uk":
				add("united", "kingdom")
				continue
			case "ceo":
				add("chief", "executive")
				continue
			case "cfo":
				add("chief", "financial")
				continue
			case "coo":
				add("chief", "operating")
				continue
			case "officer":
				// chief executive officer = chief executive
				if n := len(out); n >= 2 && out[n-2].w == "chief" {
					continue
				}
			}
			if ctry, ok := demonyms[w]; ok {
				add(strings.Fields(ctry)...)
				continue
			}
			for _, part := range strings.Split(w, "-") {
				if part != "" {
					add(part)
				}
			}
		}
	}
	return out
}

// titleWords is titleToks without the capitalisation.
func titleWords(t string) []string {
	tw := titleToks(t)
	out := make([]string, len(tw))
	for i, w := range tw {
		out[i] = w.w
	}
	return out
}

// titleKey is a canonical form of a title: its folded words, sorted.
func titleKey(t string) string {
	ws := titleWords(t)
	sort.Strings(ws)
	return strings.Join(ws, " ")
}

// sameWord: equal, or a demonym and its place by rule (Caldorian/Caldoria,
// Mexican/Mexico).
func sameWord(a, b string) bool {
	if a == b {
		return true
	}
	if len(a) < len(b) {
		a, b = b, a
	}
	// a is the longer: a demonym of b?
	for _, suf := range []string{"n", "an", "ian", "ese", "i", "ish"} {
		if strings.HasSuffix(a, suf) {
			stem := strings.TrimSuffix(a, suf)
			if len(stem) >= 4 && (stem == b || strings.HasPrefix(b, stem) && len(b)-len(stem) <= 2) {
				return true
			}
		}
	}
	if strings.HasSuffix(b, "an") || strings.HasSuffix(b, "n") {
		stem := strings.TrimSuffix(strings.TrimSuffix(b, "n"), "a")
		if len(stem) >= 4 && strings.HasPrefix(a, stem) && len(a)-len(stem) <= 2 {
			return true
		}
	}
	return false
}

// sameTitle reports whether two titles are the same title in another form:
// the same words up to order, letter case, typography, abbreviations
// (Sen./Senator, U.S./United States, CEO/chief executive) and demonyms
// (Mexican/Mexico's). A word added or removed makes another title (coach /
// head coach, director / deputy director), with one exception: capitalised
// words that name the same organisation more fully, next to its name
// (Kingsbridge manager / Kingsbridge Athletic manager).
func sameTitle(a, b string) bool {
	return sameTitleToks(titleToks(a), titleToks(b))
}

// sameTitleToks is sameTitle on folded words.
func sameTitleToks(wa, wb []titleWord) bool {
	small, big := wa, wb
	if len(small) > len(big) {
		small, big = big, small
	}
	used := make([]bool, len(big))
	for _, w := range small {
		found := false
		for k, x := range big {
			if !used[k] && x.w == w.w {
				used[k], found = true, true
				break
			}
		}
		if found {
			continue
		}
		for k, x := range big {
			if !used[k] && sameWord(w.w, x.w) {
				used[k], found = true, true
				break
			}
		}
		if !found {
			return false
		}
	}
	// words only the longer title has: capitalised, beside a capitalised
	// word both share, so that they extend a name
	for grew := true; grew; {
		grew = false
		for k, x := range big {
			if used[k] || !x.cap || qualifiers[x.w] || roleOf(tok{s: x.w, low: x.w, word: true}) != roleNone {
				continue // Acting, Deputy, Chief: a title word, not a name
			}
			for m, y := range big {
				if used[m] && y.cap && (y.field == x.field+1 || y.field == x.field-1 || y.field == x.field) {
					used[k], grew = true, true
					break
				}
			}
		}
	}
	for _, u := range used {
		if !u {
			return false
		}
	}
	return true
}

// titleAbbrevs are AP-style abbreviations of titles before a name.
var titleAbbrevs = map[string]string{
	"gov": "governor", "gov.": "governor", "sen": "senator", "sen.": "senator",
	"rep": "representative", "rep.": "representative", "lt": "lieutenant", "lt.": "lieutenant",
	"gen": "general", "gen.": "general", "atty": "attorney", "atty.": "attorney",
	"supt": "superintendent", "supt.": "superintendent", "sgt": "sergeant", "sgt.": "sergeant",
	"capt": "captain", "capt.": "captain", "cmdr": "commander", "cmdr.": "commander",
	"adm": "admiral", "adm.": "admiral", "col": "colonel", "col.": "colonel",
	"maj": "major", "maj.": "major", "prof": "professor", "prof.": "professor",
	"pres": "president", "pres.": "president", "sec": "secretary", "sec.": "secretary",
	"asst": "assistant", "asst.": "assistant", "dept": "department", "dept.": "department",
}

// expandAbbrev writes a title abbreviation out in full.
func expandAbbrev(w string) string {
	if x, ok := titleAbbrevs[w]; ok && !strings.Contains(x, " ") {
		return x
	}
	return w
}
