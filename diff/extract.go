package diff

import (
	"sort"
	"strings"
	"unicode"
)

// doc is an article prepared for extraction.
type doc struct {
	paras  []string
	toks   [][]tok
	ends   [][]bool
	starts [][]int   // first token of the sentence of each token
	seqIdx [][]int32 // per paragraph and token: 1 + index in seqs of the name run holding it, 0 for none
	chains []*chain
	seqs   []nameSeq
	pp     *people
	titles []titleHit
	rule   string // the pattern that decided the last attribution, for Explain
}

type titleHit struct {
	person string
	title  string
	at     pos
	rule   string // the title rule that fired (for Explain)
}

// Extract finds the quotes, their speakers and the job titles an article
// states. The headline is not searched: quote marks there make no quote.
func Extract(a Article) Extraction {
	d := prepare(a.Body)
	return d.extraction(d.quotes())
}

func prepare(body string) *doc {
	d := &doc{paras: extractParagraphs(body)}
	d.toks = make([][]tok, len(d.paras))
	d.ends = make([][]bool, len(d.paras))
	for i, p := range d.paras {
		d.toks[i] = tokenize(p)
	}
	d.chains = findChains(d.paras, d.toks)
	for _, c := range d.chains {
		for _, sp := range c.parts {
			ts := d.toks[sp.p]
			for k := sort.Search(len(ts), func(i int) bool { return ts[i].start >= sp.open }); k < len(ts) && ts[k].end <= sp.close; k++ {
				ts[k].inQuote = true
			}
		}
	}
	d.starts = make([][]int, len(d.paras))
	for i := range d.paras {
		d.ends[i] = sentenceEnds(d.toks[i])
		st := make([]int, len(d.toks[i]))
		cur := 0
		for k := range st {
			st[k] = cur
			if d.ends[i][k] {
				cur = k + 1
			}
		}
		d.starts[i] = st
	}
	d.seqs = findNameSeqs(d.paras, d.toks)
	d.seqIdx = make([][]int32, len(d.paras))
	for p := range d.paras {
		d.seqIdx[p] = make([]int32, len(d.toks[p]))
	}
	for k, sq := range d.seqs {
		for m := sq.i; m < sq.j; m++ {
			d.seqIdx[sq.p][m] = int32(k + 1)
		}
	}
	for k := range d.seqs {
		d.seqs[k].modifier = d.modifierRun(d.seqs[k].p, d.seqs[k].j)
	}
	for k := range d.seqs {
		d.seqs[k].person = d.personSignal(d.seqs[k])
	}
	d.pp = buildPeople(d.seqs)
	// sentence subjects, for he and she
	for _, sq := range d.seqs {
		if !sq.plaus || sq.possessive || sq.modifier {
			continue
		}
		st := d.clauseStart(sq.p, sq.i)
		lead := sq.i-st <= 6
		// Nurses' union leader Colm Dunmore: a title phrase before the name
		titled := sq.i > st && isTitleTok(d.toks[sq.p][sq.i-1])
		for m := st; lead && m < sq.i; m++ {
			t := d.toks[sq.p][m]
			if !t.word && !titled || verbTok(t) {
				lead = false
			}
			if t.word && !titled && !notNameWords[t.lower()] && !isTitleTok(t) && !isCapWord(t) && !nounWord(t) {
				lead = false
			}
		}
		ts := d.toks[sq.p]
		inPP := sq.i > 0 && ts[sq.i-1].word && prepositions[ts[sq.i-1].low] && sq.nameI == sq.i
		if !lead && !inPP && sq.j < len(ts) {
			// The company's chief executive, Wren Abernathy, said
			if verbTok(ts[sq.j]) || ts[sq.j].s == "," && sq.j+1 < len(ts) && verbTok(ts[sq.j+1]) {
				lead = true
			}
		}
		if lead && (sq.i-st <= 4 || sq.j < len(ts) && (verbTok(ts[sq.j]) || ts[sq.j].s == ",")) {
			d.pp.subjects = append(d.pp.subjects, subjectMention{pos{sq.p, sq.nameI}, sq.name})
		}
	}
	d.learnGender()
	d.findTitles()
	d.findAsTitles()
	return d
}

var adverbs = map[string]bool{
	"later": true, "also": true, "then": true, "again": true, "once": true, "previously": true,
	"earlier": true, "had": true, "has": true, "have": true, "has also": true, "simply": true,
	"recently": true, "subsequently": true, "finally": true, "flatly": true, "quietly": true,
	"would": true, "will": true, "did": true, "was": true, "is": true,
}

func isAdverb(w string) bool {
	return adverbs[w] || strings.HasSuffix(w, "ly") && len(w) > 4
}

// personSignal: a title before the name, an appositive after it, a speech
// verb beside it, an honorific, ", who".
func (d *doc) personSignal(s nameSeq) bool {
	ts := d.toks[s.p]
	if !s.plaus || s.possessive || s.modifier {
		return false
	}
	if s.nameI > 0 && ts[s.nameI-1].low == "the" && (s.nameI == s.i || s.nameI == s.i+1) {
		// the Washington Ledger said: a name after "the" with no title
		// is an organisation's
		return false
	}
	// Republican party boss Ronan Mott: the name heads a noun phrase of
	// role words after a capitalised modifier
	if m := s.i - 1; m > 0 && nounWord(ts[m]) {
		for m > 0 && m >= s.i-4 && nounWord(ts[m]) {
			if nonPerson[ts[m].low] || groupNouns[ts[m].low] {
				// the space agency NASA: the phrase names a body
				return false
			}
			m--
		}
		if isCapWord(ts[m]) && !ts[m].inQuote {
			if k, ok := d.seqAtTok(s.p, m); ok && d.seqs[k].modifier {
				return true
			}
		}
	}
	for m := s.i; m < s.nameI; m++ {
		l := ts[m].lower()
		if isTitleTok(ts[m]) || honorifics[l] && l != "the" {
			return true
		}
	}
	if s.i >= 2 && ts[s.i-1].s == "," && titleHeads[lowerPoss(ts[s.i-2].s)] {
		// the company's chief executive, Wren Abernathy
		return true
	}
	if s.i > 0 {
		prev := ts[s.i-1]
		if prev.word && (isTitleTok(prev) || verbTok(prev)) {
			return true
		}
		if prev.word && prev.lower() == "to" && s.i > 1 && ts[s.i-2].lower() == "according" {
			return true
		}
	}
	j := s.j
	if s.possessive {
		return false
	}
	// Terrell Manners was helping: a full name as the subject of a verb
	if len(s.name) >= 2 && len(s.name) <= 3 && s.nameI == s.i && j < len(ts) && ts[j].word && !isCapWord(ts[j]) {
		l := ts[j].lower()
		if l == "was" || l == "is" || l == "has" || l == "had" || l == "will" || l == "would" ||
			len(l) > 4 && (strings.HasSuffix(l, "ed") || strings.HasSuffix(l, "es")) {
			return true
		}
	}
	if j < len(ts) {
		nx := ts[j]
		if nx.word && verbTok(nx) {
			return true
		}
		if nx.word && isAdverb(nx.lower()) && j+1 < len(ts) && verbTok(ts[j+1]) {
			return true
		}
		if nx.s == "," && j+1 < len(ts) {
			n2 := ts[j+1]
			l := n2.lower()
			if l == "who" || l == "whose" {
				return true
			}
			if n2.word && n2.s[0] >= '0' && n2.s[0] <= '9' && j+2 < len(ts) && ts[j+2].s == "," {
				return true
			}
			// appositive holding a title head
			for m := j + 1; m < len(ts) && m < j+9; m++ {
				if !ts[m].word {
					break
				}
				if titleHeads[strings.ToLower(ts[m].s)] || titleHeads[lowerPoss(ts[m].s)] {
					return true
				}
			}
		}
	}
	return false
}

func lowerPoss(s string) string {
	w, _ := stripPossessive(strings.ToLower(s))
	return w
}

// clauseStart is where the main clause of the sentence holding token k
// begins: after an opening prepositional or subordinate phrase closed by a
// comma (On the eve of the vote, Name …).
func (d *doc) clauseStart(p, k int) int {
	st := d.sentStart(p, k)
	ts := d.toks[p]
	if st >= len(ts) || !ts[st].word || !(prepositions[ts[st].low] || subordinators[ts[st].low]) {
		return st
	}
	for i := st + 1; i < k && i < st+15; i++ {
		if ts[i].inQuote || verbTok(ts[i]) {
			return st
		}
		if ts[i].s == "," {
			return i + 1
		}
	}
	return st
}

var subordinators = map[string]bool{
	"although": true, "though": true, "because": true, "since": true, "until": true, "if": true,
	"despite": true, "unlike": true, "like": true, "under": true, "among": true, "amid": true,
	"throughout": true, "within": true, "without": true, "following": true, "last": true,
	"earlier": true, "later": true, "once": true, "over": true, "speaking": true,
}

// sentStart returns the first token of the sentence holding token k.
func (d *doc) sentStart(p, k int) int {
	if k <= 0 {
		return 0
	}
	if k >= len(d.starts[p]) {
		k = len(d.starts[p]) - 1
		if k < 0 {
			return 0
		}
	}
	return d.starts[p][k]
}

// sentEnd returns the last token of the sentence holding token k.
func (d *doc) sentEnd(p, k int) int {
	for i := k; i < len(d.ends[p]); i++ {
		if d.ends[p][i] {
			return i
		}
	}
	return len(d.ends[p]) - 1
}

// tokIndexAt returns the index of the first token starting at or after off.
func (d *doc) tokIndexAt(p, off int) int {
	ts := d.toks[p]
	return sort.Search(len(ts), func(i int) bool { return ts[i].start >= off })
}

type quoteHit struct {
	Quote
	chain *chain
	key   []string // folded words
	rule  string   // why the speaker: the pattern that fired
}

func (d *doc) quotes() []quoteHit {
	var out []quoteHit
	for _, c := range d.chains {
		var parts []string
		for _, sp := range c.parts {
			parts = append(parts, strings.TrimSpace(d.paras[sp.p][sp.s:sp.e]))
		}
		text := strings.Join(parts, " ")
		if len(words(text)) == 0 {
			continue
		}
		first := c.first()
		partial := len(c.parts) == 1 && isPartialStart(d.paras[first.p], d.toks[first.p], first)
		if partial && !d.isSpeech(c, text) {
			continue
		}
		d.rule = ""
		spk, found := d.speaker(c, partial)
		rule := d.rule
		if !found {
			rule = "no attribution found"
		}
		if !found && !partial && first.openedAtTop && len(out) > 0 {
			// a quote paragraph with no attribution goes on from the
			// quote just before it
			prev := out[len(out)-1]
			if prev.chain.last().p == first.p-1 && !prev.Partial {
				spk = prev.Speaker
				rule = "continues the quote of the paragraph before"
			}
		}
		if !found && !partial && first.openedAtTop && first.p > 0 && rule == "no attribution found" {
			// Name said the plan was flawed. / “It will never work.”: the
			// speaker of the last sentence of the paragraph before
			if s, ok := d.lastSentenceSpeaker(first.p - 1); ok && s != "" {
				spk = s
				rule = "speaker of the last sentence of the paragraph before"
			}
		}
		if rule == "no attribution found" {
			// Okonjo gloated: “…” / Okonjo thanked him for “…”: the person
			// who is the subject of the quote's own sentence
			if s := d.clauseSubject(first, partial); s != "" {
				spk = s
				rule = "subject of the sentence that introduces the quote"
			}
		}
		if rule == "no attribution found" && len(out) > 0 && out[len(out)-1].Speaker != "" {
			// “A,” Okonjo said. Unless it rains, “b.”: a quote with no
			// attribution of its own, later in the paragraph of an
			// attributed one, with nobody else named between them
			prev := out[len(out)-1]
			if pl := prev.chain.last(); pl.p == first.p && !d.otherSubjectBetween(first.p, pl.close, first.open, prev.Speaker) {
				spk = prev.Speaker
				rule = "goes on from the attributed quote before it in the paragraph"
			}
		}
		if rule == "no attribution found" && c.last().closed {
			// “…” / - Dana Okonjo, Philadelphia.: a dash and a name as
			// the whole of the next paragraph
			if s := d.dashLine(c.last().p + 1); s != "" {
				spk = s
				rule = "dash and a name in the paragraph after the quote"
			}
		}
		if titleCase(strings.Fields(text)) && len(words(text)) <= 8 && (rule == "no attribution found" || d.inList(c)) {
			// “Blue Morning,” “Tin Roof Rain” and “Last Light”: titles of
			// works, names and slogans, quoted in the writer's narration
			// or listed, are no quotes
			continue
		}
		if c.maybeJoin && len(out) > 0 && out[len(out)-1].Speaker == spk && spk != "" {
			// “A,” Vasquez-Holm said. “B,” she added: one quote
			prev := &out[len(out)-1]
			prev.Text += " " + text
			prev.key = words(prev.Text)
			continue
		}
		out = append(out, quoteHit{Quote: Quote{Text: text, Speaker: spk, Partial: partial}, chain: c, key: words(text), rule: rule})
	}
	return out
}

// nounWord: a lowercase word that can stand inside a noun phrase before a
// name (party boss, presidential candidate): no function word, verb form
// or adverb.
func nounWord(t tok) bool {
	if !t.word || isCapWord(t) || verbTok(t) {
		return false
	}
	l := t.low
	if prepositions[l] || notNameWords[l] || isAdverb(l) || auxiliaries[l] {
		return false
	}
	return !strings.HasSuffix(l, "ed") && !strings.HasSuffix(l, "ing")
}

var auxiliaries = map[string]bool{
	"is": true, "was": true, "are": true, "were": true, "has": true, "had": true, "have": true,
	"will": true, "would": true, "can": true, "could": true, "may": true, "might": true,
	"should": true, "must": true, "does": true, "did": true, "do": true, "be": true, "been": true,
	"and": true, "or": true, "nor": true, "than": true,
}

// modifierRun: the name run ending before token j of paragraph p is a
// modifier of a noun phrase that goes on to a name (Republican party boss
// Ronan Mott, Varga constituent Dan Oduya): up to four lowercase noun words,
// then the first word of a plausible name.
func (d *doc) modifierRun(p, j int) bool {
	ts := d.toks[p]
	// the cheap shape first: lowercase words, then a capitalised one
	m := j
	for m < len(ts) && m < j+4 && ts[m].word && !isCapWord(ts[m]) {
		m++
	}
	if m == j || m >= len(ts) || !isCapWord(ts[m]) || ts[m].inQuote {
		return false
	}
	k, ok := d.seqAtTok(p, m)
	if !ok || !d.seqs[k].plaus || d.seqs[k].possessive {
		return false
	}
	for i := j; i < m; i++ {
		if !nounWord(ts[i]) {
			return false
		}
	}
	return true
}

// modifiedName is the name run that the modifier run k leads to across
// its lowercase noun words (Republican candidate Ana Ruiz -> Ana Ruiz).
func (d *doc) modifiedName(k int) (int, bool) {
	sq := d.seqs[k]
	ts := d.toks[sq.p]
	m := sq.j
	for m < len(ts) && ts[m].word && !isCapWord(ts[m]) {
		m++
	}
	h, ok := d.seqAtTok(sq.p, m)
	if !ok || h == k || !d.seqs[h].plaus || d.seqs[h].possessive {
		return 0, false
	}
	return h, true
}

// adverbialOpener: a lone capitalised word opening a sentence and followed
// by a preposition or an article (Shortly after …, Over the years …,
// Attorneys for …) is capitalised by position; unless the article shows it
// as a person it is no subject.
func (d *doc) adverbialOpener(k int) bool {
	sq := d.seqs[k]
	ts := d.toks[sq.p]
	if sq.j-sq.i != 1 || sq.j >= len(ts) || d.pp.known(sq.name) {
		return false
	}
	n := ts[sq.j]
	if !n.word || isCapWord(n) {
		return false
	}
	return prepositions[n.low] || openerFollowers[n.low]
}

var openerFollowers = map[string]bool{
	"since": true, "the": true, "a": true, "an": true, "this": true, "that": true,
	"these": true, "those": true, "than": true,
}

// otherSubjectBetween: a sentence between offsets a and b of paragraph p
// whose subject is a person other than who, or a he or she (the text has
// moved on to someone it introduced). Names in other roles (objects, the
// Tremont campaign) leave the speaker in place.
func (d *doc) otherSubjectBetween(p, a, b int, who string) bool {
	i0, i1 := d.tokIndexAt(p, a), d.tokIndexAt(p, b)
	ss := d.pp.subjects
	for m := sort.Search(len(ss), func(i int) bool { return !ss[i].at.before(pos{p, i0}) }); m < len(ss) && ss[m].at.before(pos{p, i1}); m++ {
		if d.pp.known(ss[m].name) && d.pp.resolve(ss[m].name, ss[m].at) != who {
			return true
		}
	}
	return false
}

// inList: the quote stands in a list of quoted items (“A,” “B” and “C”):
// another quote in its paragraph with only a comma, "and" or "or" between.
func (d *doc) inList(c *chain) bool {
	sp := c.first()
	for _, o := range d.chains {
		if o == c || len(o.parts) != 1 || o.first().p != sp.p {
			continue
		}
		a, b := o.first().close, sp.open
		if o.first().open > sp.open {
			a, b = c.last().close, o.first().open
		}
		if a > b || b-a > 8 {
			continue
		}
		switch strings.TrimSpace(strings.Trim(strings.TrimSpace(d.paras[sp.p][a:b]), ",")) {
		case "", "and", "or", ", and", ", or":
			return true
		}
	}
	return false
}

// dashLine reads a paragraph that is a dash, a name and at most a short
// tag (“- Name.”, “—Name, Philadelphia.”, “- President Name, tweeting.”):
// the attribution of the quote paragraph before it.
func (d *doc) dashLine(p int) string {
	if p >= len(d.toks) {
		return ""
	}
	ts := d.toks[p]
	if len(ts) < 2 || len(ts) > 14 || ts[0].word || !(isDash(ts[0].s) || ts[0].s == "-") {
		return ""
	}
	q, ok := d.seqAtTok(p, 1)
	if !ok {
		return ""
	}
	sq := d.seqs[q]
	if !sq.plaus || sq.possessive || sq.j < len(ts) && ts[sq.j].word {
		return ""
	}
	return d.pp.resolve(sq.name, pos{p, sq.nameI})
}

// clauseSubject is the person named as the subject of the sentence a quote
// stands in, when the quote is introduced by a colon or a comma or sits
// inside the sentence as a fragment: whatever the verb, the subject is who
// the sentence reports.
func (d *doc) clauseSubject(sp span, partial bool) string {
	ts := d.toks[sp.p]
	k := d.tokIndexAt(sp.p, sp.open)
	if k == 0 || k > len(ts) {
		return ""
	}
	if !partial && ts[k-1].s != ":" && ts[k-1].s != "," {
		return ""
	}
	st := d.sentStart(sp.p, k-1)
	if k-st > 80 {
		// bounded, as the other attribution readers are
		st = k - 80
	}
	for i := st; i < k; i++ {
		if ts[i].inQuote {
			return ""
		}
	}
	if !partial && ts[k-1].s == ":" && k >= 2 {
		// Okonjo: “…” — a speaker's label, as in transcripts and
		// side-by-side statements, or a name that ends the clause the
		// colon closes (… surprise pollster Dara Shaw: “…”; Polls agree
		// - Carl Bialo: “…”)
		if q, ok := d.seqAtTok(sp.p, k-2); ok {
			sq := d.seqs[q]
			labelled := false
			if m := sq.i - 1; m >= st {
				// after a dash, or named with a role (pollster Dara
				// Shaw, Sen. Ada Lowe), not inside a phrase (on Twitter:)
				labelled = isDash(ts[m].s) || ts[m].s == "-" || sq.nameI > sq.i || isTitleTok(ts[m]) ||
					nounWord(ts[m]) && !prepositions[ts[m].low] && sq.person
			}
			if sq.j == k-1 && sq.plaus && !sq.possessive && (sq.i == st || sq.i == d.clauseStart(sp.p, sq.i) || labelled) {
				return d.pp.resolve(sq.name, pos{sp.p, sq.nameI})
			}
		}
	}
	if cs := d.clauseStart(sp.p, k-1); !partial && cs < k-2 && (ts[cs].low == "he" || ts[cs].low == "she") && ts[cs+1].word && !isCapWord(ts[cs+1]) {
		// He concluded, “…”: the pronoun subject of the clause
		return d.pp.lastPersonGender(pos{sp.p, cs}, pronounGender(ts[cs].low))
	}
	// subjects are in the order of the text
	ss := d.pp.subjects
	for m := sort.Search(len(ss), func(i int) bool { return !ss[i].at.before(pos{sp.p, st}) }); m < len(ss) && ss[m].at.before(pos{sp.p, k}); m++ {
		if d.pp.known(ss[m].name) {
			return d.pp.resolve(ss[m].name, ss[m].at)
		}
	}
	if partial {
		return ""
	}
	// Asked whether …, Mr. Lindgaard shot back: a known person after a
	// comma, followed by a lowercase word, opens the clause that ends in
	// the colon
	for i := k - 2; i > st; i-- {
		if ts[i].s == "," || ts[i].s == ";" {
			j := i + 1
			q, ok := d.seqAtTok(sp.p, j)
			if !ok || d.seqs[q].i != j {
				return ""
			}
			sq := d.seqs[q]
			if sq.plaus && !sq.possessive && sq.j < k && ts[sq.j].word && !isCapWord(ts[sq.j]) && d.pp.known(sq.name) {
				return d.pp.resolve(sq.name, pos{sp.p, sq.nameI})
			}
			return ""
		}
	}
	return ""
}

// isSpeech tells a partial quote of someone's words from a title of a work
// or a scare quote: titles are Title Case; scare quotes are a word or few
// in a sentence with no speech verb.
func (d *doc) isSpeech(c *chain, text string) bool {
	ws := strings.Fields(text)
	if titleCase(ws) {
		return false
	}
	if len(words(text)) > 3 {
		return true
	}
	sp := c.first()
	k := d.tokIndexAt(sp.p, sp.open)
	a := d.sentStart(sp.p, k)
	if k-a > 80 {
		a = k - 80
	}
	// a speech verb before the quote in its sentence (said it was “small change”)
	for i := a; i < k && i < len(d.toks[sp.p]); i++ {
		t := d.toks[sp.p][i]
		if !t.inQuote && t.word && verbTok(t) {
			return true
		}
	}
	// … is “always fatal”, says the agency / … signed “false
	// certifications”, according to court records: the attribution
	// follows in the sentence
	ls := c.last()
	ts := d.toks[ls.p]
	k = d.tokIndexAt(ls.p, ls.close)
	for i := k; i < len(ts) && i < k+40; i++ {
		if ts[i].inQuote {
			break
		}
		if ts[i].word && verbTok(ts[i]) && (ts[i].low != "according" || i+1 < len(ts) && ts[i+1].low == "to") {
			return true
		}
		if d.ends[ls.p][i] {
			break
		}
	}
	return false
}

var minorWords = map[string]bool{
	"a": true, "an": true, "the": true, "of": true, "and": true, "or": true, "in": true, "on": true,
	"at": true, "to": true, "for": true, "by": true, "with": true, "from": true, "as": true, "but": true,
	"nor": true, "is": true,
}

func titleCase(ws []string) bool {
	caps := 0
	for i, w := range ws {
		w = strings.Trim(w, ",.;:!?()'’‘\"")
		if w == "" {
			continue
		}
		r := []rune(w)
		if unicode.IsUpper(r[0]) {
			caps++
			continue
		}
		if i > 0 && minorWords[strings.ToLower(w)] {
			continue
		}
		return false
	}
	return caps > 0
}

// speaker finds who a quote is attributed to; found is false when no
// attribution was seen at all.
func (d *doc) speaker(c *chain, partial bool) (string, bool) {
	last := c.last()
	first := c.first()
	tryAfter := func() (string, bool) {
		ts := d.toks[last.p]
		k := d.tokIndexAt(last.p, last.close)
		var r []tok
		for i := k; i < len(ts) && i < k+60; i++ {
			if ts[i].inQuote {
				break
			}
			r = append(r, ts[i])
			if d.ends[last.p][i] {
				break
			}
		}
		return d.attribution(last.p, k, r, pos{last.p, k}, false)
	}
	tryBetween := func() (string, bool) {
		for n := 0; n+1 < len(c.parts); n++ {
			a, b := c.parts[n], c.parts[n+1]
			if a.p != b.p {
				continue
			}
			k := d.tokIndexAt(a.p, a.close)
			var r []tok
			for i := k; i < len(d.toks[a.p]) && d.toks[a.p][i].end <= b.open; i++ {
				r = append(r, d.toks[a.p][i])
			}
			if s, ok := d.attribution(a.p, k, r, pos{a.p, k}, false); ok {
				return s, true
			}
		}
		return "", false
	}
	tryBefore := func() (string, bool) {
		ts := d.toks[first.p]
		k := d.tokIndexAt(first.p, first.open)
		st := d.sentStart(first.p, k)
		if k-st > 80 {
			st = k - 80
		}
		var r []tok
		for i := st; i < k; i++ {
			if !ts[i].inQuote {
				r = append(r, ts[i])
			}
		}
		if len(r) == 0 && first.openedAtTop && first.p > 0 {
			// a colon at the end of the previous paragraph introduces it
			pp := first.p - 1
			pts := d.toks[pp]
			if n := len(pts); n > 0 && pts[n-1].s == ":" {
				st := d.sentStart(pp, n-1)
				var r2 []tok
				for i := st; i < n; i++ {
					if !pts[i].inQuote {
						r2 = append(r2, pts[i])
					}
				}
				if s, ok := d.attribution(pp, st, r2, pos{pp, n}, true); ok {
					return s, true
				}
				return d.firstPersonIn(pp, st, n), true
			}
		}
		if len(r) == 0 && !first.openedAtTop && k > 0 && k == st {
			// Name agreed. “…”: a quote that opens a sentence of its own
			// is introduced by the sentence before it, unless that one
			// holds a quote of its own (then the quote goes on from it)
			st2 := d.sentStart(first.p, k-1)
			for i := st2; i < k; i++ {
				if ts[i].inQuote {
					return "", false
				}
			}
			st, r = st2, ts[st2:k]
		}
		if len(r) == 0 {
			return "", false
		}
		return d.attribution(first.p, st, r, pos{first.p, k}, true)
	}
	order := []func() (string, bool){tryAfter, tryBetween, tryBefore}
	if partial {
		order = []func() (string, bool){tryBefore, tryAfter}
	} else if d.introduced(first) {
		// Name said in a statement, “…”: the clause that opens the
		// sentence attributes it; what follows the quote (“adding …”)
		// continues that clause
		order = []func() (string, bool){tryBefore, tryBetween, tryAfter}
	}
	for _, f := range order {
		if s, ok := f(); ok {
			return s, true
		}
	}
	return "", false
}

// introduced: the quote follows a comma or colon closing a clause of its
// own sentence that holds a speech verb (Name said in a statement, “…”).
func (d *doc) introduced(sp span) bool {
	ts := d.toks[sp.p]
	k := d.tokIndexAt(sp.p, sp.open)
	if k == 0 || k > len(ts) || (ts[k-1].s != "," && ts[k-1].s != ":") {
		return false
	}
	st := d.sentStart(sp.p, k-1)
	for i := k - 2; i >= st && i >= k-20; i-- {
		if ts[i].inQuote {
			return false
		}
		if ts[i].word && verbTok(ts[i]) && ts[i].low != "according" {
			return true
		}
	}
	return false
}

// lastSentenceSpeaker reads the attribution of the last sentence of a
// paragraph that holds no quote.
func (d *doc) lastSentenceSpeaker(p int) (string, bool) {
	ts := d.toks[p]
	n := len(ts)
	if n == 0 {
		return "", false
	}
	for _, t := range ts {
		if t.inQuote {
			return "", false
		}
	}
	st := d.sentStart(p, n-1)
	if n-st > 60 {
		return "", false
	}
	d.rule = ""
	return d.attribution(p, st, ts[st:n], pos{p, n}, true)
}

func (d *doc) firstPersonIn(p, a, b int) string {
	for i := a; i < b; i++ {
		if k, ok := d.seqAtTok(p, i); ok && d.seqs[k].plaus {
			return d.pp.resolve(d.seqs[k].name, pos{p, i})
		}
	}
	return ""
}

// attribution reads a speaker from the tokens r (from paragraph p, starting
// at token index k0). before: the tokens precede the quote (use the last
// speech verb), else they follow it (use the first). d.rule records which
// pattern decided, for Explain.
func (d *doc) attribution(p, k0 int, r []tok, at pos, before bool) (string, bool) {
	if len(r) == 0 {
		return "", false
	}
	// dash attribution: ” — Name
	if !before && isDash(r[0].s) && len(r) > 1 {
		if s := d.npSpeaker(p, r[1:], at); s != "" {
			d.rule = "dash before a name after the quote"
			return s, true
		}
	}
	v := -1
	according := -1
	for i, t := range r {
		if i > 0 && r[i-1].low == "to" && t.low != "according" {
			// declined to say: an infinitive attributes nothing
			continue
		}
		if t.word && (verbTok(t) || i == 0 && before && isCapWord(t) && speechVerbs[t.low] && t.low != "according" && invertedOpener(r)) {
			if t.lower() == "according" {
				if i+1 < len(r) && r[i+1].lower() == "to" {
					according = i
					if !before {
						break
					}
				}
				continue
			}
			v = i
			if !before {
				break
			}
		}
	}
	if according >= 0 && (v < 0 || !before && according < v || before && according > v) {
		// according to X
		d.rule = "according to"
		return d.npSpeaker(p, trimNP(r[according+2:]), at), true
	}
	if !before {
		// ” Name, a long appositive, said: the subject opens the clause
		if s, ok := d.leadSubject(p, r, at); ok {
			d.rule = "subject after the quote, appositive before the verb"
			return s, true
		}
	}
	if v < 0 && !before {
		// a verb not on the list, placed as a speech verb: ” sighed Name /
		// ” Name sighed
		v = structuralVerb(r)
		if v >= 0 {
			d.rule = "verb by position after the quote"
		}
	}
	if v < 0 {
		return "", false
	}
	if !before && v > 12 {
		return "", false
	}
	if d.rule == "" {
		d.rule = "speech verb " + r[v].low
	}
	// subject before the verb
	subj := subjectBefore(r[:v])
	if before && v > 2 && r[v-1].s == "," {
		// Sol Moritz, a fellow at the Center for Global Development,
		// which works on aid, said: the name that opens the sentence,
		// set off by a comma, is the subject of the verb after the
		// closing comma
		for c := 1; c < v-1 && c <= 5; c++ {
			if r[c].s == "," {
				if isCapWord(r[0]) && allNameish(r[:c]) {
					subj = r[:c]
				}
				break
			}
		}
	}
	if strings.HasSuffix(r[v].lower(), "ing") {
		// Name praised the work, calling it “...”: the clause's subject
		subj = r[:v]
	}
	if len(subj) > 0 {
		if !strings.HasSuffix(r[v].lower(), "ing") {
			if sp, ok := d.npSpeakerOK(p, subj, at); ok {
				d.rule += ", subject before it"
				return sp, true
			}
		}
		// "... and called the bill": the subject of the sentence
		for i := v - 1; i >= 0; i-- {
			if !isCapWord(r[i]) {
				continue
			}
			k, ok := d.seqAtTok(p, d.tokIndexAt(p, r[i].start))
			if !ok || !d.seqs[k].plaus || d.seqs[k].possessive {
				continue
			}
			if d.seqs[k].modifier {
				// Democratic front-runner Ana Ruiz … accused: the run
				// modifies a noun phrase whose head is the name after it
				if h, ok := d.modifiedName(k); ok {
					d.rule += ", subject of the sentence"
					return d.pp.resolve(d.seqs[h].name, at), true
				}
				continue
			}
			if i == 0 && d.adverbialOpener(k) {
				continue
			}
			if i == 0 || r[i-1].s == "," || isTitleTok(r[i-1]) || d.seqs[k].nameI > d.seqs[k].i {
				d.rule += ", subject of the sentence"
				return d.pp.resolve(d.seqs[k].name, at), true
			}
		}
		// She gave no date, but said …: a pronoun opening the sentence
		if before {
			if g := pronounGender(r[0].low); g != 0 && (r[0].low == "he" || r[0].low == "she") {
				d.rule += ", pronoun subject of the sentence"
				return d.pp.lastPersonGender(at, g), true
			}
		}
		return "", true
	}
	// inverted: said Name. "told X" names the hearer, not the speaker.
	switch r[v].low {
	case "told", "tells", "tell", "telling":
		d.rule += ", no subject; the object is the hearer"
		return "", true
	}
	d.rule += ", inverted: name after it"
	obj := trimNP(r[v+1:])
	return d.npSpeaker(p, obj, at), true
}

// invertedOpener: a sentence that opens with a speech verb names the
// speaker right after it (Said Ellis: / Said the mayor:); a participle
// clause (Asked whether …, Name replied:) does not.
func invertedOpener(r []tok) bool {
	return len(r) > 1 && (isCapWord(r[1]) || r[1].low == "the")
}

// leadSubject reads “…,” Name, appositive, said: a noun phrase right after
// the quote, closed by a comma, and a speech verb after a later comma in the
// same sentence. The appositive may be long and hold commas of its own.
func (d *doc) leadSubject(p int, r []tok, at pos) (string, bool) {
	i := 0
	if i < len(r) && r[i].s == "," {
		i++
	}
	e := i
	for e < len(r) && (r[e].word || r[e].s == "(" || r[e].s == ")") && e-i < 8 {
		e++
	}
	if e == i || e >= len(r) || r[e].s != "," {
		return "", false
	}
	np := r[i:e]
	hasCap := false
	for _, t := range np {
		if verbTok(t) {
			return "", false
		}
		if isCapWord(t) {
			hasCap = true
		}
	}
	if !hasCap {
		return "", false
	}
	// the White House press secretary, Jonas Erling, said: a role, then
	// the name in apposition, then the verb
	if k := e + 1; k < len(r) && isCapWord(r[k]) && !isCapWord(np[len(np)-1]) {
		m := k
		for m < len(r) && m < k+5 && (isCapWord(r[m]) || particles[r[m].low]) {
			m++
		}
		if m < len(r) && r[m].s == "," && m+1 < len(r) && r[m+1].word && verbTok(r[m+1]) {
			if s, ok := d.npSpeakerOK(p, r[k:m], at); ok && s != "" {
				return s, true
			}
		}
	}
	for v := e + 1; v < len(r) && v < e+50; v++ {
		t := r[v]
		if t.inQuote {
			return "", false
		}
		past := t.word && !isCapWord(t) && len(t.low) > 4 && strings.HasSuffix(t.low, "ed")
		if !t.word || !(verbTok(t) || speechVerbs[t.low] || past && r[v-1].s == ",") || t.low == "according" || strings.HasSuffix(t.low, "ing") {
			// a speech verb, capitalised or not (Tweeted), or any verb in
			// the past right after the appositive's closing comma
			// (proclaimed)
			continue
		}
		k := v - 1
		for k > e && r[k].word && isAdverb(r[k].low) {
			k--
		}
		if r[k].s != "," {
			// a verb inside the appositive (who told reporters): go on
			continue
		}
		if v-e <= 2 {
			// ” Name, said ...: the ordinary case, read elsewhere
			return "", false
		}
		return d.npSpeakerOK(p, np, at)
	}
	return "", false
}

// structuralVerb finds a verb that is not on the speech list but stands
// where attribution verbs stand after a quote ending in a comma: first
// (“…,” sighed Name) or right after a short name (“…,” Name sighed.).
func structuralVerb(r []tok) int {
	past := func(t tok) bool {
		return t.word && !isCapWord(t) && len(t.low) > 4 && strings.HasSuffix(t.low, "ed")
	}
	i := 0
	if i < len(r) && r[i].s == "," {
		i++
	}
	if i+1 < len(r) && past(r[i]) && isCapWord(r[i+1]) {
		return i
	}
	k := i
	for k < len(r) && k < i+4 && isCapWord(r[k]) {
		k++
	}
	if k > i && k < len(r) && past(r[k]) && (k+1 == len(r) || !r[k+1].word || r[k+1].word && !isCapWord(r[k+1])) {
		// the object must not be a noun phrase the verb acts on: a stop or
		// a comma, or a preposition
		if k+1 == len(r) || !r[k+1].word || prepositions[r[k+1].low] || isAdverb(r[k+1].low) || r[k+1].low == "and" {
			return k
		}
	}
	return -1
}

var prepositions = map[string]bool{
	"in": true, "on": true, "at": true, "to": true, "from": true, "after": true, "before": true,
	"during": true, "with": true, "of": true, "about": true, "as": true, "when": true, "while": true,
	"for": true, "by": true,
}

// subjectBefore returns the noun phrase just before a verb, skipping adverbs
// and an appositive or relative clause set off by commas. A name between
// the commas (whose president, Ilse Maarten-Oduya, said) is the subject.
func subjectBefore(r []tok) []tok {
	e := len(r)
	for e > 0 && r[e-1].word && isAdverb(r[e-1].lower()) {
		e--
	}
	// Rep. Tove Rask (D-Ore.) said: a party tag or aside in brackets,
	// maybe followed by a comma
	if e > 1 && r[e-1].s == "," && r[e-2].s == ")" {
		e--
	}
	if e > 0 && r[e-1].s == ")" {
		for m := e - 2; m >= 0 && m >= e-10; m-- {
			if r[m].s == "(" {
				e = m
				break
			}
		}
	}
	// Rask and her team wrote: the named first conjunct
	for m := e - 1; m > 0 && m >= e-4; m-- {
		if r[m].low == "and" && m+1 < e && possessivePronoun[r[m+1].low] && isCapWord(r[m-1]) {
			e = m
			break
		}
	}
	if e > 0 && r[e-1].s == "," {
		for m := e - 2; m >= 0 && m >= e-25; m-- {
			if r[m].s == "," {
				inner := r[m+1 : e-1]
				if len(inner) == 1 && partyTag(inner[0].s) {
					// Sen. Tove Rask, D-Ore., said: the tag is an aside
					e = m
					continue
				}
				if len(inner) > 0 && isCapWord(inner[0]) && allNameish(inner) {
					// Mira Vantongeren, the editor of the city's paper, the Ledger,
					// said: a name opening the clause, set off by the first
					// comma, is the subject and what follows describes it
					for c := 1; c < m && c <= 5; c++ {
						if r[c].s == "," {
							if isCapWord(r[0]) && allNameish(r[:c]) {
								return r[:c]
							}
							break
						}
					}
					return inner
				}
				e = m
				break
			}
			if !r[m].word && r[m].s != "’" && r[m].s != "'" && r[m].s != "-" {
				break
			}
		}
	}
	if e == 0 || !r[e-1].word {
		return nil
	}
	s := e
	for s > 0 && r[s-1].word && s > e-8 {
		s--
		l := r[s].lower()
		if l == "of" && s > 0 && isCapWord(r[s-1]) && s < e-1 {
			continue
		}
		if l == "the" || l == "a" || l == "an" || notNameWords[l] && !isCapWord(r[s]) {
			break
		}
		if !isCapWord(r[s]) && !isTitleTok(r[s]) && s < e-1 {
			s++
			break
		}
	}
	// one user on a forum, the Commissioner for Fair Trading: the name
	// sits in a prepositional phrase; the head noun is before it
	prep := s - 1
	if s < e && !isCapWord(r[s]) && prepositions[r[s].low] {
		prep = s
	}
	if prep >= 1 && prep+1 < e && isCapWord(r[prep+1]) && prepositions[r[prep].low] && !clauseOpeners[r[prep].low] && r[prep-1].word && (!isCapWord(r[prep-1]) || isTitleTok(r[prep-1])) {
		if inner := subjectBefore(r[:prep]); len(inner) > 0 {
			return inner
		}
	}
	return r[s:e]
}

// clauseOpeners open a clause, not a phrase: the name after them is the
// subject of their verb (three days after Trembley told the paper …).
var clauseOpeners = map[string]bool{"as": true, "after": true, "before": true, "when": true, "while": true}

// partyTag: a party and state tag written after a name (R-Neb., D-Ore.).
func partyTag(w string) bool {
	a, b, ok := strings.Cut(w, "-")
	return ok && len(a) == 1 && a[0] >= 'A' && a[0] <= 'Z' && len(b) >= 2 && b[0] >= 'A' && b[0] <= 'Z'
}

// allNameish: every token a capitalised word or a name particle.
func allNameish(r []tok) bool {
	for _, t := range r {
		if !isCapWord(t) && !particles[t.lower()] {
			return false
		}
	}
	return true
}

// trimNP takes the noun phrase at the start of r. A role phrase followed by
// a name in apposition (said the city's police chief, Tove Rask) gives the
// name.
func trimNP(r []tok) []tok {
	end := len(r)
	for i := 0; i < len(r); i++ {
		t := r[i]
		if !t.word {
			end = i
			break
		}
		l := t.lower()
		if i > 0 && !isCapWord(t) && !isTitleTok(t) && !particles[l] && l != "of" {
			// said Republican party boss Ronan Mott: lowercase nouns
			// between a modifier and the name
			m := i
			for m < len(r) && m < i+4 && nounWord(r[m]) {
				m++
			}
			if m > i && m < len(r) && isCapWord(r[m]) && !r[m].inQuote && isCapWord(r[i-1]) {
				i = m - 1
				continue
			}
			end = i
			break
		}
	}
	np := r[:end]
	// said the union's president, Odile Fenn: lowercase words of a role
	if end < len(r) && end > 0 && r[end].word && (r[0].lower() == "the" || isCapWord(r[0])) {
		for k := end; k < len(r) && k < end+4; k++ {
			if !r[k].word {
				break
			}
			if titleHeads[lowerPoss(r[k].s)] {
				end = k + 1
				for end < len(r) && r[end].word && titleHeads[lowerPoss(r[end].s)] {
					end++
				}
				np = r[:end]
				break
			}
		}
	}
	for len(np) > 0 && !isCapWord(np[len(np)-1]) && !isTitleWord(np[len(np)-1].s) && (np[len(np)-1].lower() == "of" || particles[np[len(np)-1].lower()]) {
		np = np[:len(np)-1]
	}
	if end < len(r) && r[end].s == "," && len(np) > 0 {
		roleish := false
		for _, t := range np {
			if _, poss := stripPossessive(t.s); poss || isTitleTok(t) || t.lower() == "the" {
				roleish = true
			}
		}
		if lt := np[len(np)-1]; roleish && isCapWord(lt) && !isTitleTok(lt) {
			// said Senator Joe Donnelly, Democrat of Indiana: the phrase
			// already ends in a name; what follows the comma describes it
			roleish = false
		}
		if roleish {
			k := end + 1
			m := k
			for m < len(r) && (isCapWord(r[m]) || particles[r[m].lower()] && m+1 < len(r) && isCapWord(r[m+1])) {
				m++
			}
			if m > k {
				return r[k:m]
			}
		}
	}
	if nm := appositiveName(r); nm != nil && !hasCapWord(np) {
		return nm
	}
	return np
}

// appositiveName reads said his best friend at college, Ann Berg: a noun
// phrase opened by a determiner, with no verb or other mark in it, then a
// comma and a name; the name is the speaker the phrase describes.
func appositiveName(r []tok) []tok {
	if len(r) < 4 || !determiners[r[0].low] {
		return nil
	}
	for c := 1; c < len(r) && c <= 10; c++ {
		t := r[c]
		if t.s == "," {
			k, m := c+1, c+1
			for m < len(r) && (isCapWord(r[m]) || particles[r[m].lower()] && m+1 < len(r) && isCapWord(r[m+1])) {
				m++
			}
			if m-k >= 2 && (m == len(r) || !r[m].word) && plausibleName(tokWords(r[k:m])) {
				return r[k:m]
			}
			return nil
		}
		if !t.word || verbTok(t) || auxiliaries[t.low] && t.low != "and" {
			return nil
		}
	}
	return nil
}

var determiners = map[string]bool{
	"the": true, "his": true, "her": true, "their": true, "its": true, "our": true, "a": true, "an": true,
}

func hasCapWord(r []tok) bool {
	for _, t := range r {
		if isCapWord(t) {
			return true
		}
	}
	return false
}

func tokWords(r []tok) []string {
	out := make([]string, len(r))
	for i, t := range r {
		out[i] = t.s
	}
	return out
}

var possessivePronoun = map[string]bool{"his": true, "her": true, "their": true, "its": true}

var groupNouns = map[string]bool{
	"crowd": true, "crowds": true, "protesters": true, "protestors": true, "demonstrators": true,
	"police": true, "officials": true, "statement": true, "report": true, "company": true,
	"government": true, "union": true, "ministry": true, "department": true, "agency": true,
	"spokespeople": true, "residents": true, "people": true, "supporters": true, "fans": true,
	"audience": true, "chant": true, "sign": true, "signs": true, "banner": true, "council": true,
	"board": true, "committee": true, "court": true, "team": true, "club": true, "group": true,
	"organisation": true, "organization": true, "firm": true, "campaign": true, "office": true,
	"newspaper": true, "website": true, "document": true, "letter": true, "release": true,
	"they": true, "we": true, "it": true, "i": true, "you": true, "others": true, "critics": true,
	"analysts": true, "experts": true, "sources": true, "authorities": true, "witnesses": true,
	"opponents": true, "officers": true, "economists": true, "scientists": true, "researchers": true,
	"doctors": true, "nurses": true, "teachers": true, "workers": true, "parents": true,
	"students": true, "prosecutors": true, "investigators": true, "lawmakers": true,
	"democrats": true, "republicans": true, "advocates": true, "activists": true,
	"neighbours": true, "neighbors": true, "organizers": true, "organisers": true, "many": true,
	"both": true, "several": true, "most": true, "voters": true, "members": true, "leaders": true,
	"ministers": true, "diplomats": true, "executives": true, "employees": true, "staff": true,
	"engineers": true, "families": true, "villagers": true, "farmers": true, "fishermen": true,
	"shoppers": true, "customers": true, "passengers": true, "commuters": true, "unions": true,
}

// npSpeaker turns a noun phrase into a speaker.
func (d *doc) npSpeaker(p int, np []tok, at pos) string {
	s, _ := d.npSpeakerOK(p, np, at)
	return s
}

// npSpeakerOK also says whether the phrase named a speaker at all (a name,
// a pronoun, a role), as opposed to some other noun phrase.
func (d *doc) npSpeakerOK(p int, np []tok, at pos) (string, bool) {
	for len(np) > 0 && !np[len(np)-1].word {
		np = np[:len(np)-1]
	}
	if len(np) == 0 {
		return "", false
	}
	// Paul Grant of Aquafirm: the head comes before "of"
	for i := 1; i < len(np); i++ {
		if np[i].lower() == "of" {
			hasCap := false
			for _, t := range np[:i] {
				if isCapWord(t) {
					hasCap = true
				}
			}
			if hasCap {
				np = np[:i]
			}
			break
		}
	}
	switch np[0].low {
	case "a", "an", "one", "another", "some", "several":
		// a Brightline spokesperson, one user on a forum: nobody named
		return "", true
	}
	if _, poss := stripPossessive(np[len(np)-1].s); poss {
		// Clark's comments further …: a possessive names no subject;
		// the word read as a verb was its noun
		return "", false
	}
	// a name run inside the phrase
	for i := len(np) - 1; i >= 0; i-- {
		t := np[i]
		if !isCapWord(t) {
			continue
		}
		// find the run holding this token
		if k, ok := d.seqAtTok(p, d.tokIndexAt(p, t.start)); ok {
			s := d.seqs[k]
			if s.plaus && !s.possessive && d.tokIndexAt(p, t.start) >= s.nameI {
				// "Richmond police", "a Brightline spokesperson": a name
				// followed by a lowercase head noun
				if i < len(np)-1 && !isCapWord(np[len(np)-1]) {
					return "", true
				}
				if ts := d.toks[p]; s.nameI > 0 && ts[s.nameI-1].low == "the" && !d.pp.known(s.name) {
					// obtained by The Associated Ledger warns: an
					// organisation, not a person
					return "", true
				}
				return d.pp.resolve(s.name, at), true
			}
		}
		if i == len(np)-1 && plausibleName([]string{t.s}) && !notNameWords[t.lower()] {
			return d.pp.resolve([]string{t.s}, at), true
		}
		break
	}
	first := np[0].lower()
	lastw := np[len(np)-1].lower()
	switch lastw {
	case "he", "she", "him", "her":
		return d.pp.lastPersonGender(at, pronounGender(lastw)), true
	}
	if groupNouns[lastw] || first == "a" || first == "an" || first == "one" || first == "another" || first == "some" || first == "several" {
		return "", true
	}
	if first == "the" || first == "this" || first == "that" {
		head := expandAbbrev(lowerPoss(lastw))
		if isTitleWord(head) || titleHeads[head] {
			var who []string
			seen := map[string]bool{}
			for _, th := range d.titles {
				for _, w := range strings.Fields(strings.ToLower(th.title)) {
					if expandAbbrev(lowerPoss(w)) == head && !seen[th.person] {
						seen[th.person] = true
						who = append(who, th.person)
					}
				}
			}
			if len(who) == 1 {
				return who[0], true
			}
			if len(who) > 1 {
				// the one of them mentioned last
				best, bestAt := "", pos{-1, -1}
				for _, th := range d.titles {
					if th.at.before(at) && bestAt.before(th.at) {
						for _, w := range who {
							if w == th.person {
								best, bestAt = w, th.at
							}
						}
					}
				}
				return best, true
			}
			return "", true
		}
		if nonPerson[head] {
			return "", true
		}
		return d.pp.lastPerson(at), true
	}
	return "", false
}

// seqAtTok returns the name run holding token i of paragraph p.
func (d *doc) seqAtTok(p, i int) (int, bool) {
	if p < 0 || p >= len(d.seqIdx) || i < 0 || i >= len(d.seqIdx[p]) || d.seqIdx[p][i] == 0 {
		return 0, false
	}
	return int(d.seqIdx[p][i] - 1), true
}

// learnGender records, for people named as the subject of a sentence, the
// first he or she that follows before anyone else is named (Mr. and Ms.
// count too). Only clear evidence votes.
func (d *doc) learnGender() {
	d.pp.gender = map[string]int{}
	for _, sq := range d.seqs {
		if !sq.plaus || !d.pp.known(sq.name) {
			continue
		}
		full := d.pp.resolve(sq.name, pos{sq.p, sq.nameI})
		ts := d.toks[sq.p]
		for m := sq.i; m < sq.nameI; m++ {
			switch ts[m].low {
			case "mr.", "mr", "sir", "lord":
				d.pp.gender[full]++
			case "ms.", "ms", "mrs.", "mrs", "dame", "lady":
				d.pp.gender[full]--
			}
		}
		if sq.i != d.sentStart(sq.p, sq.i) && !(sq.i > 0 && isTitleTok(ts[sq.i-1])) {
			continue
		}
		// the next pronoun in this sentence or the next, before another name
		sentences := 0
		for m := sq.j; m < len(ts) && m < sq.j+40; m++ {
			t := ts[m]
			if t.inQuote {
				continue
			}
			if g := pronounGender(t.low); g != 0 {
				d.pp.gender[full] += g
				break
			}
			if k, ok := d.seqAtTok(sq.p, m); ok && d.seqs[k].plaus && m == d.seqs[k].i {
				break
			}
			if d.ends[sq.p][m] {
				sentences++
				if sentences > 1 {
					break
				}
			}
		}
	}
}
