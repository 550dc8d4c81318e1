package farm

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
)

// Edit kinds the farm applies.
const (
	EditQuote = "quote" // one quote reworded: expect quote_edited for its speaker
	EditTitle = "title" // one person's title replaced: expect title_changed for them
	EditText  = "text"  // a number in a narrative paragraph changed: a revision, no change
)

var EditKinds = []string{EditQuote, EditTitle, EditText}

// Expect is one change stet should report.
type Expect struct {
	Kind   string `json:"kind"`
	Person string `json:"person"`
}

// Edit is one edit made to one article, with what stet should report.
type Edit struct {
	Feed   int      `json:"feed"`
	Item   int      `json:"item"`
	Link   string   `json:"article"`
	Kind   string   `json:"edit"`
	Expect []Expect `json:"expect"`
}

// editRec is what is needed to replay an edit on a freshly generated
// article: its kind and the seed of its random choices.
type editRec struct {
	Kind string
	Seed uint64
}

// ApplyEdit makes one edit of the given kind to a, with choices drawn from
// r, and returns the changes stet should report for it.
func (a *Article) ApplyEdit(kind string, r *rand.Rand) ([]Expect, error) {
	switch kind {
	case EditQuote:
		q := r.IntN(len(a.Quotes))
		qu := &a.Quotes[q]
		if len(qu.Choice) == 0 {
			return nil, fmt.Errorf("quote %d of %s has nothing to reword", q, a.Link)
		}
		g := r.IntN(len(qu.Choice))
		qu.Choice[g] = (qu.Choice[g] + 1) % 2
		a.Version++
		return []Expect{{Kind: "quote_edited", Person: a.People[qu.Speaker].Name()}}, nil
	case EditTitle:
		pi := r.IntN(len(a.People))
		p := &a.People[pi]
		old := p.TitleText()
		for range 100 {
			if p.Form == formPrefix {
				p.Prefix = prefixTitles[r.IntN(len(prefixTitles))]
			} else {
				p.Role = r.IntN(len(roles))
			}
			if t := p.TitleText(); !strings.EqualFold(t, old) && !a.titleTaken(t, pi) {
				a.Version++
				return []Expect{{Kind: "title_changed", Person: p.Name()}}, nil
			}
		}
		return nil, fmt.Errorf("no new title found for %s in %s", p.Name(), a.Link)
	case EditText:
		var cands []int
		for i, p := range a.Paras {
			if p.Kind == paraNarrative && len(p.Nums) > 0 {
				cands = append(cands, i)
			}
		}
		if len(cands) == 0 {
			return nil, fmt.Errorf("%s has no narrative number to change", a.Link)
		}
		p := &a.Paras[cands[r.IntN(len(cands))]]
		k := r.IntN(len(p.Nums))
		p.Nums[k] += 1 + r.IntN(9)
		a.Version++
		return nil, nil
	}
	return nil, fmt.Errorf("unknown edit kind %q", kind)
}

// Reported is one change as `stet changes --json` reports it.
type Reported struct {
	Feed    string `json:"feed"`
	Article string `json:"article"`
	Kind    string `json:"kind"`
	Person  string `json:"person"`
	Before  string `json:"before"`
	After   string `json:"after"`
}

// Score compares the changes stet reported with the edits made.
type Score struct {
	Expected int      `json:"expected"` // changes the edits should produce
	Reported int      `json:"reported"` // changes stet recorded
	Found    int      `json:"found"`    // expected changes stet reported
	Missing  []string `json:"missing,omitempty"`
	Extra    []string `json:"extra,omitempty"`
}

// Recall is the share of expected changes that were reported.
func (s Score) Recall() float64 {
	if s.Expected == 0 {
		return 1
	}
	return float64(s.Found) / float64(s.Expected)
}

// Precision is the share of reported changes that were expected.
func (s Score) Precision() float64 {
	if s.Reported == 0 {
		return 1
	}
	return float64(s.Found) / float64(s.Reported)
}

// NormName folds a person's name for comparison.
func NormName(s string) string {
	s = strings.NewReplacer("’", "'").Replace(s)
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// Compare matches reported changes against the edits, by article link,
// kind and person. Each expected change matches at most one report.
// Missing and Extra list every mismatch, sorted.
func Compare(edits []Edit, got []Reported) Score {
	type key struct{ link, kind, person string }
	want := map[key]int{}
	var s Score
	for _, e := range edits {
		for _, x := range e.Expect {
			want[key{e.Link, x.Kind, NormName(x.Person)}]++
			s.Expected++
		}
	}
	s.Reported = len(got)
	for _, g := range got {
		k := key{g.Article, g.Kind, NormName(g.Person)}
		if want[k] > 0 {
			want[k]--
			s.Found++
			continue
		}
		s.Extra = append(s.Extra, fmt.Sprintf("%s: %s %q (%q → %q)", g.Article, g.Kind, g.Person, g.Before, g.After))
	}
	for k, n := range want {
		for range n {
			s.Missing = append(s.Missing, fmt.Sprintf("%s: %s %q", k.link, k.kind, k.person))
		}
	}
	sort.Strings(s.Missing)
	sort.Strings(s.Extra)
	return s
}
