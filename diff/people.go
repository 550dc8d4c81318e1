package diff

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// pos orders places in an article.
type pos struct{ p, i int }

func (a pos) before(b pos) bool { return a.p < b.p || a.p == b.p && a.i < b.i }

// nameSeq is a run of capitalised words outside quotes: an optional title
// prefix (Secretary of State) and a name (Marta Ruelas).
type nameSeq struct {
	p, i, j    int // tokens [i, j) of paragraph p
	nameI      int // first token of the name part
	name       []string
	possessive bool
	person     bool // signals say this is a person
	plaus      bool // plausibleName(name), computed once
	modifier   bool // modifies a noun phrase that goes on to a name (modifierRun)
}

var particles = map[string]bool{
	"van": true, "der": true, "den": true, "de": true, "del": true, "della": true, "da": true,
	"dos": true, "das": true, "du": true, "di": true, "la": true, "le": true, "von": true,
	"bin": true, "ibn": true, "al": true, "el": true, "ter": true, "ten": true, "y": true,
}

var honorifics = map[string]bool{
	"mr.": true, "mrs.": true, "ms.": true, "dr.": true, "mr": true, "mrs": true, "ms": true, "dr": true,
	"sir": true, "dame": true, "lord": true, "lady": true, "prof.": true, "rev.": true, "the": true,
	"messrs.": true, "mx.": true,
}

// notNameWords are capitalised words that begin sentences or headings but are
// not names.
var notNameWords = map[string]bool{
	"the": true, "a": true, "an": true, "in": true, "on": true, "at": true, "but": true, "and": true,
	"or": true, "he": true, "she": true, "it": true, "they": true, "we": true, "i": true, "his": true,
	"her": true, "their": true, "its": true, "our": true, "this": true, "that": true, "these": true,
	"those": true, "there": true, "as": true, "after": true, "before": true, "when": true, "while": true,
	"if": true, "however": true, "meanwhile": true, "according": true, "among": true, "under": true,
	"for": true, "from": true, "with": true, "without": true, "by": true, "to": true, "of": true,
	"since": true, "until": true, "during": true, "although": true, "though": true, "because": true,
	"so": true, "yet": true, "still": true, "also": true, "even": true, "only": true, "both": true,
	"each": true, "every": true, "some": true, "many": true, "most": true, "more": true, "no": true,
	"not": true, "now": true, "then": true, "here": true, "what": true, "who": true, "why": true,
	"how": true, "where": true, "which": true, "one": true, "two": true, "three": true, "my": true,
	"your": true, "you": true, "q": true, "a:": true, "q:": true, "moreover": true, "additionally": true,
	"additionally,": true, "opponents": true, "recent": true, "witnesses": true, "police": true,
	"officials": true, "economists": true, "engineers": true, "residents": true, "cycling": true,
	"two-thirds": true, "earlier": true, "later": true, "last": true, "next": true, "first": true,
	"tests": true, "comparing": true, "key": true, "background": true, "collaboration": true,
	"editor's": true, "correction": true, "note": true, "updated": true, "photo": true, "caption": true,
	"outgoing": true, "incoming": true, "new": true, "old": true, "north": true, "south": true,
	"east": true, "west": true, "speaking": true, "asked": true, "said": true, "another": true,
}

func lowerTrim(s string) string {
	return strings.ToLower(strings.TrimRight(s, ".,"))
}

// stripPossessive removes ’s / 's / s’ from a word.
func stripPossessive(w string) (string, bool) {
	for _, suf := range []string{"’s", "'s", "’S", "'S"} {
		if strings.HasSuffix(w, suf) {
			return strings.TrimSuffix(w, suf), true
		}
	}
	if strings.HasSuffix(w, "s’") || strings.HasSuffix(w, "s'") {
		return strings.TrimRight(w, "’'"), true
	}
	return w, false
}

func isTitleWord(w string) bool {
	l := strings.ToLower(w)
	if titleHeads[l] || qualifiers[l] || prefixedTitle(l) {
		return true
	}
	if strings.ContainsAny(l, "'’") {
		l2, _ := stripPossessive(l)
		return titleHeads[l2]
	}
	return false
}

// isTitleTok is isTitleWord for a token (its lower case is ready).
func isTitleTok(t tok) bool {
	l := t.low
	if titleHeads[l] || qualifiers[l] || prefixedTitle(l) {
		return true
	}
	if strings.ContainsAny(l, "'’") {
		l2, _ := stripPossessive(l)
		return titleHeads[l2]
	}
	return false
}

// prefixedTitle: a title head with a qualifier joined by a hyphen
// (then-Secretary, ex-Gov., co-Chair): a title that keeps its qualifier.
func prefixedTitle(l string) bool {
	pre, rest, ok := strings.Cut(l, "-")
	if !ok || rest == "" {
		return false
	}
	return (qualifiers[pre] || pre == "then") && (titleHeads[rest] || qualifiers[rest] && rest != pre)
}

// capPrefixedTitle: then-Secretary, ex-Gov.: a lowercase qualifier joined
// to a capitalised title, which opens a title-and-name run.
func capPrefixedTitle(t tok) bool {
	h := strings.IndexByte(t.s, '-')
	if !t.word || h < 0 || h+1 >= len(t.s) || !prefixedTitle(t.low) {
		return false
	}
	c := t.s[h+1]
	return 'A' <= c && c <= 'Z'
}

func isCapWord(t tok) bool {
	if !t.word {
		return false
	}
	if c := t.s[0]; c < utf8.RuneSelf {
		return 'A' <= c && c <= 'Z'
	}
	r, _ := utf8.DecodeRuneInString(t.s)
	return unicode.IsUpper(r)
}

// findNameSeqs finds runs of capitalised words outside quotes.
func findNameSeqs(paras []string, toks [][]tok) []nameSeq {
	var out []nameSeq
	for pi, ts := range toks {
		for i := 0; i < len(ts); {
			if ts[i].inQuote || !isCapWord(ts[i]) && !capPrefixedTitle(ts[i]) {
				i++
				continue
			}
			j := i
			possessive := false
			for j < len(ts) && !ts[j].inQuote {
				t := ts[j]
				if isCapWord(t) || j == i && capPrefixedTitle(t) {
					if _, pos := stripPossessive(t.s); pos {
						possessive = true
						j++
						break
					}
					j++
					continue
				}
				// connectors inside a name or a title
				if t.word && particles[t.lower()] && j > i && j+2 < len(ts) && particles[ts[j+1].lower()] && isCapWord(ts[j+2]) {
					// Rafael de la Fuente
					j += 2
					continue
				}
				if t.word && j+1 < len(ts) && isCapWord(ts[j+1]) {
					l := t.lower()
					if particles[l] {
						j++
						continue
					}
					if (l == "of" || l == "for") && j > i && (isTitleTok(ts[j-1]) && !closesName(ts, i, j-1) || nonPerson[ts[j-1].lower()]) {
						j++
						continue
					}
				}
				if t.word && t.lower() == "of" && j > i && isTitleTok(ts[j-1]) && j+2 < len(ts) && ts[j+1].lower() == "the" && isCapWord(ts[j+2]) {
					j += 2
					continue
				}
				break
			}
			if j > i {
				out = append(out, splitNameSeq(pi, ts, i, j, possessive))
			}
			if j == i {
				j++
			}
			i = j
		}
	}
	return out
}

// closesName: the title word at m ends a name run begun at i (Aldo T.
// King of Norland: the run before it holds an initial or two name words),
// so a following "of" starts a place or organisation, not the title's
// complement (Secretary of State).
func closesName(ts []tok, i, m int) bool {
	names := 0
	for k := i; k < m; k++ {
		if isTitleTok(ts[k]) || honorifics[ts[k].lower()] || notNameWords[ts[k].lower()] {
			names = 0
			continue
		}
		if r := []rune(ts[k].s); len(r) == 2 && r[1] == '.' && unicode.IsUpper(r[0]) {
			return true
		}
		names++
	}
	return names >= 2
}

// splitNameSeq separates a title prefix and honorifics from the name.
func splitNameSeq(pi int, ts []tok, i, j int, possessive bool) nameSeq {
	ns := nameSeq{p: pi, i: i, j: j, possessive: possessive}
	k := i
	// leading sentence words and honorifics; a speech verb opening an
	// inverted attribution (Stated Lund:, Continued Lund:) is no part of
	// the name after it
	for k < j && (notNameWords[ts[k].lower()] || honorifics[ts[k].lower()] || k+1 < j && speechVerbs[ts[k].lower()]) {
		k++
	}
	// last title word; the name follows it
	lastTitle := -1
	// the last word is left out: a title word there closes a name (Aldo
	// T. King) or stands alone, and names nobody after it
	for m := k; m < j-1; m++ {
		if isTitleTok(ts[m]) && !strings.HasSuffix(ts[m].s, "’s") && !strings.HasSuffix(ts[m].s, "'s") {
			lastTitle = m
		}
	}
	if lastTitle >= 0 && lastTitle < j-1 {
		k = lastTitle + 1
		// Secretary of State Marta Ruelas; Speaker of the Florida House
		if ts[k].lower() == "of" || ts[k].lower() == "for" {
			k++
			if k < j && ts[k].lower() == "the" {
				k++
			}
			if k < j {
				k++
			}
			if j-k < 2 {
				k = j
			}
		}
	}
	for k < j && (honorifics[ts[k].lower()] || ts[k].lower() == "of" || ts[k].lower() == "the") {
		k++
	}
	ns.nameI = k
	ns.name = make([]string, 0, j-k)
	for m := k; m < j; m++ {
		w, _ := stripPossessive(ts[m].s)
		ns.name = append(ns.name, w)
	}
	ns.plaus = plausibleName(ns.name)
	if n := len(ns.name); !ns.plaus && n >= 2 && n <= 4 && titleHeads[strings.ToLower(ns.name[n-1])] && plausibleName(ns.name[:n-1]) && !possessive {
		// Aldo T. King: a title word closing a run of name words is a
		// surname, as an English title stands before the name it goes with
		ns.plaus = true
	}
	if !ns.plaus && len(ns.name) == 1 && k > i && honorifics[ts[k-1].lower()] && ts[k-1].lower() != "the" && titleHeads[strings.ToLower(ns.name[0])] {
		// Mr. King, Ms. Judge: after an honorific a title word is a surname
		ns.plaus = true
	}
	return ns
}

// plausibleName: no organisation or place words, no title words, not a
// country.
func plausibleName(name []string) bool {
	if len(name) == 0 || len(name) > 5 {
		return false
	}
	if len(name) == 1 && groupNouns[strings.ToLower(name[0])] {
		return false
	}
	for _, w := range name {
		l := strings.ToLower(w)
		if nonPerson[l] || titleHeads[l] || qualifiers[l] || notNameWords[l] || demonyms[l] != "" || isCountry(l) {
			return false
		}
		if strings.ContainsAny(w, "0123456789&") {
			return false
		}
		if strings.Count(w, ".") > 1 { // U.S.
			return false
		}
	}
	return true
}

var countries = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range demonyms {
		m[c] = true
		for _, w := range strings.Fields(c) {
			if len(w) > 4 {
				m[w] = true
			}
		}
	}
	return m
}()

func isCountry(l string) bool { return countries[l] }

// people is the registry of persons an article names.
type people struct {
	subjects []subjectMention
	gender   map[string]int // full name -> votes: he > 0, she < 0
	full     [][]string     // fullest name of each person
	mention  []struct {
		at     pos
		person int
	}
}

// compatible reports whether a mention can name the person with full name f.
func compatible(m, f []string) bool {
	if len(m) == 0 || len(f) == 0 {
		return false
	}
	if len(m) == 1 {
		for _, w := range f {
			if strings.EqualFold(w, m[0]) {
				return true
			}
		}
		return false
	}
	// all tokens of m in f
	all := true
	for _, w := range m {
		found := false
		for _, x := range f {
			if strings.EqualFold(w, x) || strings.TrimSuffix(w, ".") == strings.TrimSuffix(x, ".") {
				found = true
				break
			}
		}
		if !found {
			all = false
			break
		}
	}
	if all {
		return true
	}
	// Steinhaus Prado for Clara Steinhaus: a double surname
	return strings.EqualFold(m[0], f[len(f)-1])
}

func isInitial(w string) bool {
	return len(w) == 2 && w[1] == '.'
}

// buildPeople makes the registry from the name runs that signals mark as
// persons, each under the fullest form of its name found anywhere.
func buildPeople(seqs []nameSeq) *people {
	pp := &people{}
	var cands [][]string
	for _, s := range seqs {
		if s.person && s.plaus {
			cands = append(cands, s.name)
		}
	}
	// longest first, so shorter mentions fold into them
	for changed := true; changed; {
		changed = false
		for a := 1; a < len(cands); a++ {
			if len(cands[a]) > len(cands[a-1]) {
				cands[a], cands[a-1] = cands[a-1], cands[a]
				changed = true
			}
		}
	}
	for _, c := range cands {
		dup := false
		matches := 0
		for _, f := range pp.full {
			if compatible(c, f) {
				matches++
				if len(c) > 1 || matches >= 1 {
					dup = true
				}
			}
		}
		if !dup {
			pp.full = append(pp.full, c)
		}
	}
	// expand to the fullest form written anywhere (even without a signal)
	for k, f := range pp.full {
		for _, s := range seqs {
			if !s.plaus || len(s.name) <= len(pp.full[k]) {
				continue
			}
			if compatible(f, s.name) && strings.EqualFold(s.name[len(s.name)-1], f[len(f)-1]) {
				// another registered person must not fit it better
				pp.full[k] = s.name
			}
		}
	}
	// record unambiguous mentions for recency
	for _, s := range seqs {
		if !s.plaus {
			continue
		}
		idx := -1
		n := 0
		for k, f := range pp.full {
			if compatible(s.name, f) {
				idx = k
				n++
			}
		}
		if n == 1 {
			pp.mention = append(pp.mention, struct {
				at     pos
				person int
			}{pos{s.p, s.nameI}, idx})
		}
	}
	return pp
}

// resolve maps a written name to the fullest name of a registered person,
// using recency when two people share the words.
func (pp *people) resolve(name []string, at pos) string {
	if len(name) == 0 {
		return ""
	}
	var cands []int
	for k, f := range pp.full {
		if compatible(name, f) {
			cands = append(cands, k)
		}
	}
	switch len(cands) {
	case 0:
		return strings.Join(name, " ")
	case 1:
		return strings.Join(pp.full[cands[0]], " ")
	}
	// prefer exact surname matches
	var sur []int
	for _, k := range cands {
		f := pp.full[k]
		if strings.EqualFold(f[len(f)-1], name[len(name)-1]) {
			sur = append(sur, k)
		}
	}
	if len(sur) == 1 {
		return strings.Join(pp.full[sur[0]], " ")
	}
	if len(sur) > 1 {
		cands = sur
	}
	best, bestAt := cands[0], pos{-1, -1}
	for _, m := range pp.mention {
		if !m.at.before(at) {
			continue
		}
		for _, k := range cands {
			if m.person == k && bestAt.before(m.at) {
				best, bestAt = k, m.at
			}
		}
	}
	return strings.Join(pp.full[best], " ")
}

type subjectMention struct {
	at   pos
	name []string
}

// lastPerson is the person a he or she at at refers to: the subject of the
// latest sentence that begins with a name, in this paragraph or the two
// before it, else the person mentioned last.
func (pp *people) lastPerson(at pos) string {
	return pp.lastPersonGender(at, 0)
}

// lastPersonGender is lastPerson for a pronoun of a gender (1 he, -1 she,
// 0 unknown): a subject whose gender the article shows to be the other one
// is passed over.
func (pp *people) lastPersonGender(at pos, g int) string {
	var best *subjectMention
	for k := range pp.subjects {
		sm := &pp.subjects[k]
		if sm.at.before(at) && at.p-sm.at.p <= 2 && (best == nil || best.at.before(sm.at)) && pp.known(sm.name) {
			if g != 0 && pp.genderOf(sm.name, sm.at)*g < 0 {
				continue
			}
			best = sm
		}
	}
	if best != nil {
		return pp.resolve(best.name, best.at)
	}
	bi := -1
	bestAt := pos{-1, -1}
	for _, m := range pp.mention {
		if m.at.before(at) && bestAt.before(m.at) {
			bi, bestAt = m.person, m.at
		}
	}
	if bi < 0 {
		return ""
	}
	return strings.Join(pp.full[bi], " ")
}

// known reports whether a name fits a registered person.
func (pp *people) known(name []string) bool {
	for _, f := range pp.full {
		if compatible(name, f) {
			return true
		}
	}
	return false
}

// genderOf is the gender the article shows for a name: > 0 he, < 0 she.
func (pp *people) genderOf(name []string, at pos) int {
	return pp.gender[pp.resolve(name, at)]
}

func pronounGender(w string) int {
	switch w {
	case "he", "him", "his", "himself":
		return 1
	case "she", "her", "hers", "herself":
		return -1
	}
	return 0
}
