package diff

import (
	"fmt"
	"sort"
	"strings"
)

// Explanation is what Explain found: both extractions, the changes reported
// and the differences suppressed, each with a reason.
type Explanation struct {
	Old        Extraction `json:"old"`
	New        Extraction `json:"new"`
	Reported   []Noted    `json:"reported"`
	Suppressed []Noted    `json:"suppressed"`
	// Speakers: for each quote of both versions, the rule that chose its
	// speaker.
	Speakers []SpeakerReason `json:"speakers,omitempty"`
	// OldTitleRules and NewTitleRules say why each title of Old and New
	// got its person: the rule that found it, in the order of Titles.
	OldTitleRules []TitleEvidence `json:"old_title_rules"`
	NewTitleRules []TitleEvidence `json:"new_title_rules"`
}

// TitleEvidence is a (person, title) pair with the rule that found it.
type TitleEvidence struct {
	Title
	Rule string `json:"rule"`
}

// Noted is a change, reported or suppressed, with the reason.
type Noted struct {
	Change
	Reason string `json:"reason"`
}

// Compare reports how quotes, speakers, titles and the headline changed
// between two versions of an article.
func Compare(old, new Article) []Change {
	e := explain(old, new)
	out := make([]Change, 0, len(e.Reported))
	for _, n := range e.Reported {
		out = append(out, n.Change)
	}
	return out
}

// Explain is Compare with its reasons: every change reported or suppressed.
func Explain(old, new Article) Explanation {
	return explain(old, new)
}

// samePerson: the same name, or one written more fully than the other.
func samePerson(a, b string) bool {
	if strings.EqualFold(a, b) {
		return true
	}
	fa, fb := strings.Fields(a), strings.Fields(b)
	if len(fa) == 0 || len(fb) == 0 {
		return false
	}
	if len(fa) > len(fb) {
		fa, fb = fb, fa
	}
	return compatible(fa, fb) && (len(fa) == 1 || strings.EqualFold(fa[len(fa)-1], fb[len(fb)-1]))
}

// sameTitlePerson is samePerson up to typography (De’Ath / De'Ath).
func sameTitlePerson(a, b string) bool {
	return samePerson(a, b) || samePerson(foldTypography(a), foldTypography(b))
}

// similarity of two quotes' words: common subsequence over the longer.
func similarity(a, b []string) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	l := lcsLen(a, b)
	n := len(a)
	if len(b) > n {
		n = len(b)
	}
	return float64(l) / float64(n)
}

// quoteSimilarity scores how likely two quotes are one quote edited: most
// words shared, or one (of several words) kept almost whole inside the
// other when a sentence was added or cut.
func quoteSimilarity(a, b []string) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	l := lcsLen(a, b)
	hi, lo := len(a), len(b)
	if lo > hi {
		hi, lo = lo, hi
	}
	s := float64(l) / float64(hi)
	if lo >= 5 && float64(l)/float64(lo) >= 0.8 && s < 0.5 {
		s = 0.5
	}
	return s
}

func equalWords(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func explain(old, new Article) Explanation {
	var e Explanation
	report := func(c Change, why string) { e.Reported = append(e.Reported, Noted{c, why}) }
	suppress := func(c Change, why string) { e.Suppressed = append(e.Suppressed, Noted{c, why}) }

	// headline
	if old.Headline != new.Headline {
		c := Change{Kind: HeadlineChanged, Before: old.Headline, After: new.Headline}
		switch {
		case old.Headline == "" || new.Headline == "":
			suppress(c, "headline missing in one version")
		case Normalize(old.Headline) == Normalize(new.Headline):
			suppress(c, "typography only")
		case strings.EqualFold(Normalize(old.Headline), Normalize(new.Headline)):
			suppress(c, "letter case only")
		case equalWords(words(old.Headline), words(new.Headline)):
			suppress(c, "punctuation only")
		default:
			report(c, "headline rewritten")
		}
	}

	od, nd := prepare(old.Body), prepare(new.Body)
	oq, nq := od.quotes(), nd.quotes()
	e.Old, e.New = od.extraction(oq), nd.extraction(nq)
	e.Speakers = append(speakerReasons("old", oq), speakerReasons("new", nq)...)
	e.OldTitleRules, e.NewTitleRules = od.titleEvidence(), nd.titleEvidence()

	// quotes: identical words first, then most similar
	qO := make([]bool, len(oq))
	usedN := make([]bool, len(nq))
	type pair struct{ o, n int }
	var pairs []pair
	for i := range oq {
		for j := range nq {
			if !usedN[j] && equalWords(oq[i].key, nq[j].key) {
				qO[i], usedN[j] = true, true
				pairs = append(pairs, pair{i, j})
				why := ""
				switch {
				case Normalize(oq[i].Text) != Normalize(nq[j].Text):
					why = "punctuation only inside the quote"
				case oq[i].Text != nq[j].Text:
					why = "typography only"
				case oq[i].chain.first().p != nq[j].chain.first().p:
					why = "quote moved to another paragraph unchanged"
				}
				if why != "" {
					suppress(Change{Kind: QuoteEdited, Person: nq[j].Speaker, Before: oq[i].Text, After: nq[j].Text}, why)
				}
				break
			}
		}
	}
	type cand struct {
		o, n int
		s    float64
	}
	var cands []cand
	for i := range oq {
		if qO[i] {
			continue
		}
		for j := range nq {
			if usedN[j] {
				continue
			}
			if s := quoteSimilarity(oq[i].key, nq[j].key); s >= 0.5 {
				cands = append(cands, cand{i, j, s})
			}
		}
	}
	sort.SliceStable(cands, func(a, b int) bool { return cands[a].s > cands[b].s })
	for _, c := range cands {
		if qO[c.o] || usedN[c.n] {
			continue
		}
		qO[c.o], usedN[c.n] = true, true
		report(Change{Kind: QuoteEdited, Person: nq[c.n].Speaker, Before: oq[c.o].Text, After: nq[c.n].Text}, "words inside the quote changed")
		pairs = append(pairs, pair{c.o, c.n})
	}
	for _, p := range pairs {
		a, b := oq[p.o].Speaker, nq[p.n].Speaker
		c := Change{Kind: QuoteReattributed, Person: b, Before: a, After: b, Quote: nq[p.n].Text}
		switch {
		case sameTitlePerson(a, b):
			// up to typography too (De’Ath / De'Ath)
			if a != b {
				suppress(c, "same speaker, name written more or less fully")
			}
		case a == "" && b == "":
		default:
			report(c, "quote attributed to another person")
		}
	}
	for i, q := range oq {
		if !qO[i] {
			report(Change{Kind: QuoteRemoved, Person: q.Speaker, Before: q.Text}, "quote no longer in the article")
		}
	}
	for j, q := range nq {
		if !usedN[j] {
			report(Change{Kind: QuoteAdded, Person: q.Speaker, After: q.Text}, "new quote")
		}
	}

	// titles, person by person, statement by statement
	ot, nt := od.titleStatements(), nd.titleStatements()
	ow, nw := make([][]string, len(ot)), make([][]string, len(nt))
	oc, nc := make([][]titleWord, len(ot)), make([][]titleWord, len(nt))
	for i, t := range ot {
		oc[i] = titleToks(t.Title)
		ow[i] = titleWords(t.Title)
	}
	for j, u := range nt {
		nc[j] = titleToks(u.Title)
		nw[j] = titleWords(u.Title)
	}
	usedO := make([]bool, len(ot))
	usedT := make([]bool, len(nt))
	for i, t := range ot {
		for j, u := range nt {
			if !usedT[j] && sameTitlePerson(t.Person, u.Person) && sameTitleToks(oc[i], nc[j]) {
				usedO[i], usedT[j] = true, true
				if t.Title != u.Title {
					suppress(Change{Kind: TitleChanged, Person: u.Person, Before: t.Title, After: u.Title}, "same title in another form: "+t.Title+" = "+u.Title)
				}
				break
			}
		}
	}
	stated := func(t Title, tw []titleWord, in []Title, inw [][]titleWord) bool {
		for k, u := range in {
			if sameTitlePerson(t.Person, u.Person) && sameTitleToks(tw, inw[k]) {
				return true
			}
		}
		return false
	}
	// new statements: wholly new titles first, then restatements
	var fresh, restated []int
	for j, u := range nt {
		if usedT[j] {
			continue
		}
		if stated(u, nc[j], ot, oc) {
			restated = append(restated, j)
		} else {
			fresh = append(fresh, j)
		}
	}
	taken := map[int]bool{}
	seenGone := map[string]bool{}
	for i, t := range ot {
		if usedO[i] || stated(t, oc[i], nt, nc) {
			continue
		}
		k := strings.ToLower(t.Person) + "\x00" + titleKey(t.Title)
		if seenGone[k] {
			continue
		}
		seenGone[k] = true
		best, bestS := -1, -1.0
		for _, group := range [][]int{fresh, restated} {
			for _, j := range group {
				u := nt[j]
				if taken[j] || !sameTitlePerson(t.Person, u.Person) {
					continue
				}
				if s := similarity(ow[i], nw[j]); s > bestS {
					best, bestS = j, s
				}
			}
			if best >= 0 {
				break
			}
		}
		if best >= 0 {
			taken[best] = true
			report(Change{Kind: TitleChanged, Person: nt[best].Person, Before: t.Title, After: nt[best].Title}, "title replaced")
			continue
		}
		report(Change{Kind: TitleRemoved, Person: t.Person, Before: t.Title}, "no sentence states this title any more")
	}
	seenNew := map[string]bool{}
	for _, j := range fresh {
		u := nt[j]
		k := strings.ToLower(u.Person) + "\x00" + titleKey(u.Title)
		if taken[j] || seenNew[k] {
			continue
		}
		seenNew[k] = true
		report(Change{Kind: TitleAdded, Person: u.Person, After: u.Title}, "new title")
	}
	return e
}

func (d *doc) extraction(qs []quoteHit) Extraction {
	ex := Extraction{Quotes: []Quote{}, Titles: []Title{}}
	for _, q := range qs {
		ex.Quotes = append(ex.Quotes, q.Quote)
	}
	seen := map[string]bool{}
	for _, t := range d.titles {
		k := strings.ToLower(t.person) + "\x00" + titleKey(t.title)
		if seen[k] {
			continue
		}
		seen[k] = true
		ex.Titles = append(ex.Titles, Title{Person: t.person, Title: t.title})
	}
	return ex
}

// titleEvidence lists the titles of extraction with the rule that found
// each (the first statement of each distinct pair).
func (d *doc) titleEvidence() []TitleEvidence {
	out := []TitleEvidence{}
	seen := map[string]bool{}
	for _, t := range d.titles {
		k := strings.ToLower(t.person) + "\x00" + titleKey(t.title)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, TitleEvidence{Title{Person: t.person, Title: t.title}, t.rule})
	}
	return out
}

// titleStatements lists every title statement (a title stated twice is
// listed twice), in the order of the text.
func (d *doc) titleStatements() []Title {
	var out []Title
	seen := map[string]bool{}
	for _, t := range d.titles {
		k := strings.ToLower(t.person) + "\x00" + titleKey(t.title) + "\x00" + fmt.Sprint(t.at)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, Title{Person: t.person, Title: t.title})
	}
	return out
}
