package farm

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// Title forms: how the article states a person's title.
const (
	formAppositive = iota // "Maria Okafor, the council’s finance chair,"
	formOf                // "Maria Okafor, the treasurer of the port authority,"
	formPrefix            // "Deputy Mayor Tom Reyes"
	formWho               // "Maria Okafor, who is the council’s finance chair,"
	numForms
)

// person is someone the article names, with the one title it states.
type person struct {
	First, Last string
	Form        int
	Prefix      string // formPrefix: the title before the name
	Role        int    // other forms: index into roles
	Org         int    // other forms: index into orgs
}

func (p person) Name() string { return p.First + " " + p.Last }

// TitleText is the title as the article writes it, without a leading article.
func (p person) TitleText() string {
	switch p.Form {
	case formPrefix:
		return p.Prefix
	case formOf:
		return roles[p.Role] + " of the " + orgs[p.Org].name
	default:
		return orgs[p.Org].poss + " " + roles[p.Role]
	}
}

// quote is a direct quote: a template with [a|b] alternatives and the
// alternative chosen for each.
type quote struct {
	Speaker int // index into Article.People
	Tmpl    int // index into Article's topic quotes
	Choice  []int
	Verb    string
	Inverse bool // “…,” said Okafor.
	Split   bool // “A,” Okafor said. “B.”
}

// para is one paragraph: narrative (no people, no quotes), a person's
// introduction with their title and first quote, or a further quote.
type para struct {
	Kind   int // paraNarrative, paraIntro, paraQuote
	Tmpl   string
	Nums   []int // narrative: the {n} values
	Person int   // intro
	Action string
	Quote  int // intro and quote paragraphs: index into Article.Quotes
}

const (
	paraNarrative = iota
	paraIntro
	paraQuote
)

// Article is one generated article in its current version.
type Article struct {
	Feed, Item int
	GUID, Link string
	Published  time.Time
	Headline   string
	Topic      int
	Place      string
	Org        int
	Day        string
	Straight   bool // straight quote marks and apostrophes instead of curly ones
	People     []person
	Quotes     []quote
	Paras      []para
	Version    int
}

// feedPlace is the home town of feed f's paper.
func feedPlace(seed uint64, f int) string {
	r := rand.New(rand.NewPCG(seed, uint64(f)<<20|0xfeed))
	return placeHeads[r.IntN(len(placeHeads))] + " " + placeBases[r.IntN(len(placeBases))]
}

// feedTitle is the name of feed f's paper.
func feedTitle(seed uint64, f int) string {
	r := rand.New(rand.NewPCG(seed, uint64(f)<<20|0x717e))
	return "The " + feedPlace(seed, f) + " " + siteNames[r.IntN(len(siteNames))]
}

// feedStraight says whether feed f writes straight quote marks.
func feedStraight(seed uint64, f int) bool { return f%5 == 4 }

// Generate returns item i of feed f, version 1, the same for the same seed.
func Generate(seed uint64, f, i int) *Article {
	r := rand.New(rand.NewPCG(seed, uint64(f)<<32|uint64(i)))
	a := &Article{Feed: f, Item: i, Version: 1}
	a.Topic = r.IntN(len(topics))
	t := topics[a.Topic]
	a.Place = feedPlace(seed, f)
	if r.IntN(4) == 0 { // a neighbouring town
		a.Place = placeHeads[r.IntN(len(placeHeads))] + " " + placeBases[r.IntN(len(placeBases))]
	}
	a.Org = r.IntN(len(orgs))
	a.Day = days[r.IntN(len(days))]
	a.Straight = feedStraight(seed, f)
	a.GUID = fmt.Sprintf("stet-bench:%d:%d", f, i)
	slug := strings.ToLower(strings.ReplaceAll(a.Place, " ", "-"))
	a.Link = fmt.Sprintf("https://news%d.example/2026/11/%s-%d", f, slug, i)
	a.Published = time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC).Add(time.Duration(i) * 37 * time.Minute)
	a.Headline = upperFirst(a.fill(t.headlines[r.IntN(len(t.headlines))], r))

	// Two or three people with distinct surnames, each with one title.
	n := 2 + r.IntN(2)
	usedLast := map[int]bool{}
	for len(a.People) < n {
		li := r.IntN(len(lastNames))
		if usedLast[li] {
			continue
		}
		usedLast[li] = true
		p := person{First: firstNames[r.IntN(len(firstNames))], Last: lastNames[li], Form: r.IntN(numForms)}
		for range 100 { // a title nobody else in the article holds
			if p.Form == formPrefix {
				p.Prefix = prefixTitles[r.IntN(len(prefixTitles))]
			} else {
				p.Role, p.Org = r.IntN(len(roles)), r.IntN(len(orgs))
				if r.IntN(2) == 0 {
					p.Org = a.Org
				}
			}
			if !a.titleTaken(p.TitleText(), -1) {
				break
			}
		}
		a.People = append(a.People, p)
	}

	// Quotes: one per person, sometimes a second for the first person;
	// templates distinct within the article.
	perm := r.Perm(len(t.quotes))
	newQuote := func(speaker int) int {
		q := quote{Speaker: speaker, Tmpl: perm[len(a.Quotes)], Verb: speechVerbs[r.IntN(len(speechVerbs))]}
		for range countChoices(t.quotes[q.Tmpl]) {
			q.Choice = append(q.Choice, r.IntN(2))
		}
		q.Inverse = !strings.Contains(q.Verb, " ") && r.IntN(4) == 0
		q.Split = strings.Contains(t.quotes[q.Tmpl], ". ") && r.IntN(3) == 0
		a.Quotes = append(a.Quotes, q)
		return len(a.Quotes) - 1
	}
	narr := r.Perm(len(t.narratives))
	nextNarr := 0
	addNarr := func(tmpl string) {
		p := para{Kind: paraNarrative, Tmpl: a.fillWords(tmpl)}
		for _, rg := range numSlots(p.Tmpl) {
			p.Nums = append(p.Nums, rg[0]+r.IntN(rg[1]-rg[0]+1))
		}
		a.Paras = append(a.Paras, p)
	}
	addNarr(t.leads[r.IntN(len(t.leads))])
	for pi := range a.People {
		a.Paras = append(a.Paras, para{Kind: paraIntro, Person: pi, Action: t.actions[r.IntN(len(t.actions))], Quote: newQuote(pi)})
		if nextNarr < len(narr) {
			addNarr(t.narratives[narr[nextNarr]])
			nextNarr++
		}
	}
	if len(a.Quotes) < len(t.quotes) && r.IntN(2) == 0 {
		a.Paras = append(a.Paras, para{Kind: paraQuote, Quote: newQuote(0)})
	}
	for nextNarr < len(narr) {
		addNarr(t.narratives[narr[nextNarr]])
		nextNarr++
	}
	return a
}

var speechVerbs = []string{"said", "said", "said", "added", "argued", "warned", "insisted", "told reporters", "said in an interview"}

// fill replaces {place}, {day}, {org} and {n} (random numbers) in a headline.
func (a *Article) fill(s string, r *rand.Rand) string {
	s = a.fillWords(s)
	var nums []int
	for _, rg := range numSlots(s) {
		nums = append(nums, rg[0]+r.IntN(rg[1]-rg[0]+1))
	}
	return fillNums(s, nums)
}

// numSlots returns the ranges of the number slots of a template: {n} is
// 2–98, {n:LO-HI} is LO–HI.
func numSlots(tmpl string) [][2]int {
	var out [][2]int
	for {
		i := strings.Index(tmpl, "{n")
		if i < 0 {
			return out
		}
		j := strings.IndexByte(tmpl[i:], '}') + i
		rg := [2]int{2, 98}
		if lo, hi, ok := strings.Cut(strings.TrimPrefix(tmpl[i+2:j], ":"), "-"); ok {
			l, err1 := strconv.Atoi(lo)
			h, err2 := strconv.Atoi(hi)
			if err1 == nil && err2 == nil && l <= h {
				rg = [2]int{l, h}
			}
		}
		out = append(out, rg)
		tmpl = tmpl[j+1:]
	}
}

// fillNums replaces the number slots of tmpl by nums, in order.
func fillNums(tmpl string, nums []int) string {
	var b strings.Builder
	for k := 0; ; k++ {
		i := strings.Index(tmpl, "{n")
		if i < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		j := strings.IndexByte(tmpl[i:], '}') + i
		b.WriteString(tmpl[:i])
		if k < len(nums) {
			b.WriteString(strconv.Itoa(nums[k]))
		}
		tmpl = tmpl[j+1:]
	}
}

func (a *Article) fillWords(s string) string {
	if !strings.Contains(s, "{") {
		return s
	}
	s = strings.ReplaceAll(s, "{place}", a.Place)
	s = strings.ReplaceAll(s, "{day}", a.Day)
	return strings.ReplaceAll(s, "{org}", orgs[a.Org].name)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// countChoices is the number of [a|b] groups in a quote template.
func countChoices(tmpl string) int { return strings.Count(tmpl, "[") }

// quoteText is the quote's words with its alternatives chosen, without the
// closing punctuation.
func quoteText(tmpl string, choice []int) string {
	var b strings.Builder
	k := 0
	for {
		i := strings.IndexByte(tmpl, '[')
		if i < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		j := strings.IndexByte(tmpl[i:], ']') + i
		b.WriteString(tmpl[:i])
		alts := strings.Split(tmpl[i+1:j], "|")
		c := 0
		if k < len(choice) {
			c = choice[k] % len(alts)
		}
		b.WriteString(alts[c])
		k++
		tmpl = tmpl[j+1:]
	}
}

// QuoteText is the text of quote q as the article states it.
func (a *Article) QuoteText(q int) string {
	return quoteText(topics[a.Topic].quotes[a.Quotes[q].Tmpl], a.Quotes[q].Choice)
}

// marks returns the article's opening and closing quote marks and apostrophe.
func (a *Article) marks() (open, close, apos string) {
	if a.Straight {
		return `"`, `"`, "'"
	}
	return "“", "”", "’"
}

// renderQuote writes quote q with its attribution: “…,” Okafor said.
func (a *Article) renderQuote(q int) string {
	op, cl, _ := a.marks()
	qu := a.Quotes[q]
	who := a.People[qu.Speaker].Last
	attr := who + " " + qu.Verb
	if qu.Inverse {
		attr = qu.Verb + " " + who
	}
	text := a.QuoteText(q)
	if qu.Split {
		if i := strings.Index(text, ". "); i > 0 {
			return op + text[:i] + "," + cl + " " + attr + ". " + op + text[i+2:] + "." + cl
		}
	}
	return op + text + "," + cl + " " + attr + "."
}

// renderIntro introduces a person with their title, then their quote.
func (a *Article) renderIntro(p para) string {
	pe := a.People[p.Person]
	var s string
	switch pe.Form {
	case formPrefix:
		s = pe.Prefix + " " + pe.Name() + " " + p.Action + "."
	case formWho:
		s = pe.Name() + ", who is the " + pe.TitleText() + ", " + p.Action + "."
	default:
		s = pe.Name() + ", the " + pe.TitleText() + ", " + p.Action + "."
	}
	return s + " " + a.renderQuote(p.Quote)
}

// Paragraphs returns the article's body, one string per paragraph.
func (a *Article) Paragraphs() []string {
	_, _, apos := a.marks()
	out := make([]string, 0, len(a.Paras))
	for _, p := range a.Paras {
		var s string
		switch p.Kind {
		case paraNarrative:
			s = fillNums(p.Tmpl, p.Nums)
		case paraIntro:
			s = a.renderIntro(p)
		case paraQuote:
			s = a.renderQuote(p.Quote)
		}
		if apos != "’" {
			s = strings.ReplaceAll(s, "’", apos)
		}
		out = append(out, s)
	}
	return out
}

// Text is the article as plain text: headline, blank line, paragraphs
// separated by blank lines.
func (a *Article) Text() string {
	return a.Headline + "\n\n" + strings.Join(a.Paragraphs(), "\n\n")
}

// RawSize is the size of the text stet stores for one revision: headline
// plus body.
func (a *Article) RawSize() int {
	n := len(a.Headline)
	for i, p := range a.Paragraphs() {
		if i > 0 {
			n += 2
		}
		n += len(p)
	}
	return n
}

// titleTaken says whether someone other than person skip holds title t.
func (a *Article) titleTaken(t string, skip int) bool {
	for i, p := range a.People {
		if i != skip && strings.EqualFold(p.TitleText(), t) {
			return true
		}
	}
	return false
}
