package diff

import (
	"sort"
	"strings"
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

// findTitles finds the (person, title) pairs an article states.
func (d *doc) findTitles() {
	for _, s := range d.seqs {
		if !s.plaus {
			continue
		}
		ts := d.toks[s.p]
		at := pos{s.p, s.nameI}
		person := ""
		resolve := func() string {
			if person == "" {
				person = d.pp.resolve(s.name, at)
			}
			return person
		}
		add := func(a, b int) {
			// tokens [a, b) of paragraph p
			for a < b && (npStops[ts[a].lower()] || honorifics[ts[a].lower()]) {
				a++
			}
			for b > a && !ts[b-1].word {
				b--
			}
			if a >= b {
				return
			}
			hasHead := false
			for m := a; m < b; m++ {
				if titleHeads[lowerPoss(ts[m].s)] {
					hasHead = true
				}
			}
			if !hasHead {
				return
			}
			txt := d.paras[s.p][ts[a].start:ts[b-1].end]
			d.titles = append(d.titles, titleHit{person: resolve(), title: txt, at: at})
		}
		// (1) title before the name: Secretary of State Marco Rubio,
		// Falcons general manager Dmitri Sokolov
		end := s.nameI
		start := s.i
		for start < end && (notNameWords[ts[start].lower()] || honorifics[ts[start].lower()]) {
			// Police Chief Mei Brennan: a noun that opens a sentence is
			// still part of the title when a title head follows it.
			if start+1 < end && titleHeads[ts[start+1].lower()] && !functionWords[ts[start].lower()] && !honorifics[ts[start].lower()] {
				break
			}
			start++
		}
		if end > 0 && (start < end || s.i > 0 && isTitleTok(ts[s.i-1])) {
			last := ts[end-1]
			headAt := -1
			for m := start; m < end; m++ {
				if titleHeads[strings.ToLower(ts[m].s)] {
					headAt = m
				}
			}
			// Secretary of State Marco Rubio: the head, then "of" and a name
			ofTail := headAt >= 0 && headAt+2 < end && ts[headAt+1].lower() == "of"
			if titleHeads[strings.ToLower(last.s)] || ofTail || titleHeads[strings.ToLower(strings.TrimSuffix(last.s, "."))] && strings.HasSuffix(last.s, ".") {
				// extend backwards over title words, capitalised words
				b := start
				if b == s.i {
					for b > 0 {
						t := ts[b-1]
						l := t.lower()
						if t.inQuote || !t.word || npStops[l] || d.ends[s.p][b-1] {
							break
						}
						if isCapWord(t) || isTitleTok(t) || lowerPoss(l) != l {
							b--
							continue
						}
						// White House press secretary: a noun modifying the head
						if b < end && titleHeads[ts[b].low] && !strings.HasSuffix(l, "ed") && !strings.HasSuffix(l, "ing") && !strings.HasSuffix(l, "ly") && !notNameWords[l] && b-1 > 0 && (isCapWord(ts[b-2]) || ts[b-2].low == "the" || lowerPoss(ts[b-2].low) != ts[b-2].low) {
							b--
							continue
						}
						break
					}
				}
				// drop sentence-initial non-name words (In, After)
				for b < end && notNameWords[ts[b].lower()] && !qualifiers[ts[b].lower()] {
					if b+1 < end && titleHeads[ts[b+1].lower()] && !functionWords[ts[b].lower()] {
						break // Police Chief
					}
					b++
				}
				e := end
				// Governor Kola Adeyemi of Eastmoor province
				tail := ""
				if s.j < len(ts) && ts[s.j].lower() == "of" && !s.possessive {
					m := s.j + 1
					for m < len(ts) && m < s.j+6 && ts[m].word && !verbTok(ts[m]) && !ts[m].inQuote {
						m++
					}
					if m > s.j+1 && (m >= len(ts) || !ts[m].word) {
						tail = " " + d.paras[s.p][ts[s.j].start:ts[m-1].end]
					}
				}
				if b < e && !(e-b == 1 && honorifics[ts[b].lower()]) {
					txt := d.paras[s.p][ts[b].start:ts[e-1].end] + tail
					for _, drop := range []string{"the ", "The ", "a ", "A ", "an ", "An "} {
						txt = strings.TrimPrefix(txt, drop)
					}
					d.titles = append(d.titles, titleHit{person: resolve(), title: txt, at: at})
				}
			}
		}
		if s.possessive {
			continue
		}
		// (2) appositive after the name: Name, a United States Senator from Florida,
		j := s.j
		if j+1 < len(ts) && ts[j].s == "," {
			m := j + 1
			// Name, 81, who ...
			if ts[m].word && ts[m].s[0] >= '0' && ts[m].s[0] <= '9' && m+1 < len(ts) && ts[m+1].s == "," {
				m += 2
			}
			if m < len(ts) && ts[m].lower() == "who" {
				// (4) Name, who is/was (also) the Y
				if m+1 < len(ts) && (ts[m+1].lower() == "is" || ts[m+1].lower() == "was") {
					a := m + 2
					if a < len(ts) && ts[a].lower() == "also" {
						a++
					}
					if a < len(ts) && (ts[a].lower() == "the" || ts[a].lower() == "a" || ts[a].lower() == "an") {
						e := a + 1
						for e < len(ts) && ts[e].word && !titleStops[ts[e].lower()] && !ts[e].inQuote {
							e++
						}
						add(a, e)
					}
				}
			} else if m < len(ts) && ts[m].word && ts[m].lower() != "whose" {
				e := m
				for e < len(ts) && !ts[e].inQuote && (ts[e].word || ts[e].s == "’" || ts[e].s == "'") && !titleStops[ts[e].lower()] && !verbTok(ts[e]) {
					e++
				}
				if e-m <= 22 {
					// the appositive must start like a noun phrase
					fl := ts[m].lower()
					if fl == "the" || fl == "a" || fl == "an" || isCapWord(ts[m]) || isTitleTok(ts[m]) || lowerPoss(fl) != fl || qualifiers[fl] || d.headWithin(s.p, m, e, 4) {
						// split "A and former B" when both halves hold a head
						parts := splitAnd(ts, m, e)
						for _, pr := range parts {
							add(pr[0], pr[1])
						}
					}
				}
			}
		}
		// (3) title before the name, set off by a comma: the city's police chief, Ana Ruiz,
		if s.i >= 2 && ts[s.i-1].s == "," && ts[s.i-2].word {
			e := s.i - 1
			// the name must be followed by a comma, a verb or the sentence end
			okAfter := s.j >= len(ts) || !ts[s.j].word || verbTok(ts[s.j]) || isAdverb(ts[s.j].lower())
			if okAfter {
				b := e
				for b > 0 && e-b < 7 {
					t := ts[b-1]
					l := t.lower()
					if !t.word || npStops[l] || t.inQuote || verbTok(t) {
						break
					}
					if d.ends[s.p][b-1] {
						break
					}
					b--
				}
				if b < e && d.headWithin(s.p, b, e, 7) {
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
					first := ts[b].lower()
					if !verbTok(ts[b]) && !notNameWords[first] || qualifiers[first] || isCapWord(ts[b]) && !notNameWords[first] {
						d.titles = append(d.titles, titleHit{person: resolve(), title: txt, at: at})
					} else if b+1 < e {
						d.titles = append(d.titles, titleHit{person: resolve(), title: d.paras[s.p][ts[b+1].start:ts[e-1].end], at: at})
					}
				}
			}
		}
	}
}

// findAsTitles finds "As the Secretary of State, his words ..." and "As
// mayor, Ana Ruiz ...": a title introduced by "As" at the start of a
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
				d.titles = append(d.titles, titleHit{person: person, title: d.paras[p][ts[a].start:ts[e-1].end], at: at})
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

// splitAnd splits [a, b) at "and" when both halves hold a title head.
func splitAnd(ts []tok, a, b int) [][2]int {
	for m := a + 1; m < b-1; m++ {
		if ts[m].lower() != "and" {
			continue
		}
		l, r := false, false
		for k := a; k < m; k++ {
			if titleHeads[lowerPoss(ts[k].s)] {
				l = true
			}
		}
		for k := m + 1; k < b; k++ {
			if titleHeads[lowerPoss(ts[k].s)] {
				r = true
			}
		}
		if l && r {
			return append([][2]int{{a, m}}, splitAnd(ts, m+1, b)...)
		}
	}
	return [][2]int{{a, b}}
}

// titleWords folds a title for comparison: lower case, no articles or
// possessive marks, U.S. as united states, demonyms as their country.
func titleWords(t string) []string {
	t = strings.ReplaceAll(t, "U.S.", "United States")
	t = strings.ReplaceAll(t, "U.K.", "United Kingdom")
	t = strings.ReplaceAll(t, "U.N.", "United Nations")
	var out []string
	for _, w := range words(t) {
		w = expandAbbrev(strings.TrimSuffix(strings.TrimSuffix(w, "'s"), "'"))
		switch w {
		case "the", "a", "an", "of", "s", "for", "from", "at", "in", "and":
			continue
		case "us":
			out = append(out, "united", "states")
			continue
		case "uk":
			out = append(out, "united", "kingdom")
			continue
		}
		if c, ok := demonyms[w]; ok {
			out = append(out, strings.Fields(c)...)
			continue
		}
		for _, part := range strings.Split(w, "-") {
			if part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

// titleKey is a canonical form of a title: its folded words, sorted.
func titleKey(t string) string {
	ws := append([]string(nil), titleWords(t)...)
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

// sameTitle reports whether two titles are the same in another form: same
// words up to order, case, U.S./United States and demonyms, or one naming
// the organisation more fully (Kingsbridge manager / Kingsbridge Athletic
// manager) with the same head nouns and qualifiers.
func sameTitle(a, b string) bool {
	return sameTitleWords(titleWords(a), titleWords(b))
}

// sameTitleWords is sameTitle on folded words.
func sameTitleWords(wa, wb []string) bool {
	if len(wa) == len(wb) {
		same := true
		for i := range wa {
			if wa[i] != wb[i] {
				same = false
				break
			}
		}
		if same {
			return true
		}
		sa, sb := append([]string(nil), wa...), append([]string(nil), wb...)
		sort.Strings(sa)
		sort.Strings(sb)
		same = true
		for i := range sa {
			if sa[i] != sb[i] {
				same = false
				break
			}
		}
		if same {
			return true
		}
	}
	// qualifiers and heads must agree
	sig := func(ws []string) map[string]int {
		m := map[string]int{}
		for _, w := range ws {
			if qualifiers[w] || titleHeads[w] {
				m[w]++
			}
		}
		return m
	}
	sa, sb := sig(wa), sig(wb)
	if len(sa) != len(sb) {
		return false
	}
	for k, v := range sa {
		if sb[k] != v {
			return false
		}
	}
	// the rest: one a subset of the other, words compared by sameWord
	small, big := wa, wb
	if len(small) > len(big) {
		small, big = big, small
	}
	used := make([]bool, len(big))
	for _, w := range small {
		found := false
		for k, x := range big {
			if !used[k] && sameWord(w, x) {
				used[k] = true
				found = true
				break
			}
		}
		if !found {
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
	"ceo": "chief executive officer", "cfo": "chief financial officer", "coo": "chief operating officer",
}

// expandAbbrev writes a title abbreviation out in full.
func expandAbbrev(w string) string {
	if x, ok := titleAbbrevs[w]; ok && !strings.Contains(x, " ") {
		return x
	}
	return w
}
