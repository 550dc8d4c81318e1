package farm

import (
	"encoding/xml"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

func TestGenerateDeterministic(t *testing.T) {
	tests := []struct {
		name     string
		a, b     [3]uint64 // seed, feed, item
		wantSame bool
	}{
		{"same seed, feed and item", [3]uint64{1, 3, 7}, [3]uint64{1, 3, 7}, true},
		{"other item", [3]uint64{1, 3, 7}, [3]uint64{1, 3, 8}, false},
		{"other feed", [3]uint64{1, 3, 7}, [3]uint64{1, 4, 7}, false},
		{"other seed", [3]uint64{1, 3, 7}, [3]uint64{2, 3, 7}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Generate(tt.a[0], int(tt.a[1]), int(tt.a[2])).Text()
			b := Generate(tt.b[0], int(tt.b[1]), int(tt.b[2])).Text()
			if got := a == b; got != tt.wantSame {
				t.Errorf("same text = %v, want %v\n%s\n---\n%s", got, tt.wantSame, a, b)
			}
		})
	}
}

// TestGenerateShape checks, over many articles, what the benchmark's
// expectations rely on: every person named in full and titled once, every
// quote attributed by surname, narrative free of people and quotes.
func TestGenerateShape(t *testing.T) {
	texts := map[string]bool{}
	for f := range 40 {
		for i := range 10 {
			a := Generate(7, f, i)
			text := a.Text()
			texts[text] = true
			if strings.ContainsAny(text, "{}[]|") {
				t.Fatalf("%s: template residue in\n%s", a.Link, text)
			}
			if n := len(a.People); n < 2 || n > 3 {
				t.Errorf("%s: %d people, want 2 or 3", a.Link, n)
			}
			if len(a.Paragraphs()) < 6 {
				t.Errorf("%s: %d paragraphs, want at least 6", a.Link, len(a.Paragraphs()))
			}
			last, titles := map[string]bool{}, map[string]bool{}
			for _, p := range a.People {
				if last[p.Last] || titles[p.TitleText()] {
					t.Errorf("%s: surname %q or title %q used twice", a.Link, p.Last, p.TitleText())
				}
				last[p.Last], titles[p.TitleText()] = true, true
				if n := strings.Count(text, p.Name()); n != 1 {
					t.Errorf("%s: %q named in full %d times, want 1", a.Link, p.Name(), n)
				}
				title := p.TitleText()
				if a.Straight {
					title = strings.ReplaceAll(title, "’", "'")
				}
				if n := len(regexp.MustCompile(`\b`+regexp.QuoteMeta(title)+`\b`).FindAllString(text, -1)); n != 1 {
					t.Errorf("%s: title %q stated %d times, want 1", a.Link, title, n)
				}
			}
			open, close := "“", "”"
			if a.Straight {
				open, close = `"`, `"`
			}
			if open != close && strings.Count(text, open) != strings.Count(text, close) {
				t.Errorf("%s: unbalanced quote marks", a.Link)
			}
			for q := range a.Quotes {
				if countChoices(topics[a.Topic].quotes[a.Quotes[q].Tmpl]) == 0 {
					t.Errorf("%s: quote %d cannot be reworded", a.Link, q)
				}
				qt := a.QuoteText(q)
				if a.Straight {
					qt = strings.ReplaceAll(qt, "’", "'")
				}
				if !strings.Contains(text, qt) && !a.Quotes[q].Split {
					t.Errorf("%s: quote %q not in text", a.Link, a.QuoteText(q))
				}
			}
			paras := a.Paragraphs()
			for k, p := range a.Paras {
				if p.Kind != paraNarrative {
					continue
				}
				if strings.ContainsAny(paras[k], `“”"`) {
					t.Errorf("%s: narrative paragraph has a quote mark: %s", a.Link, paras[k])
				}
				for _, pe := range a.People {
					if strings.Contains(paras[k], pe.Last) {
						t.Errorf("%s: narrative paragraph names %s", a.Link, pe.Last)
					}
				}
			}
		}
	}
	if len(texts) < 400 {
		t.Errorf("%d distinct texts of 400", len(texts))
	}
}

func TestQuoteText(t *testing.T) {
	tests := []struct {
		tmpl   string
		choice []int
		want   string
	}{
		{"no choices", nil, "no choices"},
		{"on goodwill [and good intentions|alone]", []int{0}, "on goodwill and good intentions"},
		{"on goodwill [and good intentions|alone]", []int{1}, "on goodwill alone"},
		{"[a|b] and [c|d]", []int{1, 0}, "b and c"},
		{"[a|b] and [c|d]", []int{1}, "b and c"},
	}
	for _, tt := range tests {
		if got := quoteText(tt.tmpl, tt.choice); got != tt.want {
			t.Errorf("quoteText(%q, %v) = %q, want %q", tt.tmpl, tt.choice, got, tt.want)
		}
	}
}

func TestNumSlots(t *testing.T) {
	tests := []struct {
		tmpl  string
		nums  []int
		slots [][2]int
		want  string
	}{
		{"no numbers", nil, nil, "no numbers"},
		{"voted {n:6-9}-{n:2-5} on", []int{7, 2}, [][2]int{{6, 9}, {2, 5}}, "voted 7-2 on"},
		{"{n} days", []int{12}, [][2]int{{2, 98}}, "12 days"},
	}
	for _, tt := range tests {
		slots := numSlots(tt.tmpl)
		if len(slots) != len(tt.slots) {
			t.Fatalf("numSlots(%q) = %v, want %v", tt.tmpl, slots, tt.slots)
		}
		for k := range slots {
			if slots[k] != tt.slots[k] {
				t.Errorf("numSlots(%q) = %v, want %v", tt.tmpl, slots, tt.slots)
			}
		}
		if got := fillNums(tt.tmpl, tt.nums); got != tt.want {
			t.Errorf("fillNums(%q, %v) = %q, want %q", tt.tmpl, tt.nums, got, tt.want)
		}
	}
}

// quotesAndTitles is what an edit may or may not touch.
func quotesAndTitles(a *Article) (quotes, titles []string) {
	for q := range a.Quotes {
		quotes = append(quotes, a.QuoteText(q))
	}
	for _, p := range a.People {
		titles = append(titles, p.TitleText())
	}
	return quotes, titles
}

func diffCount(a, b []string) int {
	n := 0
	for k := range a {
		if a[k] != b[k] {
			n++
		}
	}
	return n
}

func wordOverlap(a, b string) float64 {
	wa, wb := strings.Fields(a), map[string]int{}
	for _, w := range strings.Fields(b) {
		wb[w]++
	}
	common := 0
	for _, w := range wa {
		if wb[w] > 0 {
			wb[w]--
			common++
		}
	}
	return float64(common) / float64(max(len(wa), len(strings.Fields(b))))
}

func TestApplyEdit(t *testing.T) {
	tests := []struct {
		kind        string
		wantKind    string // "" for no change expected
		quotesDiff  int
		titlesDiff  int
		minOverlap  float64 // of the changed quote's words
		wantVersion int
	}{
		{EditQuote, "quote_edited", 1, 0, 0.7, 2},
		{EditTitle, "title_changed", 0, 1, 0, 2},
		{EditText, "", 0, 0, 0, 2},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			for k := range 200 {
				a := Generate(3, k%17, k)
				b := Generate(3, k%17, k)
				exp, err := b.ApplyEdit(tt.kind, rand.New(rand.NewPCG(9, uint64(k))))
				if err != nil {
					t.Fatal(err)
				}
				if a.Text() == b.Text() {
					t.Fatalf("%s: text unchanged", a.Link)
				}
				if b.Version != tt.wantVersion {
					t.Errorf("version %d, want %d", b.Version, tt.wantVersion)
				}
				qa, ta := quotesAndTitles(a)
				qb, tb := quotesAndTitles(b)
				if got := diffCount(qa, qb); got != tt.quotesDiff {
					t.Errorf("%s: %d quotes changed, want %d", a.Link, got, tt.quotesDiff)
				}
				if got := diffCount(ta, tb); got != tt.titlesDiff {
					t.Errorf("%s: %d titles changed, want %d", a.Link, got, tt.titlesDiff)
				}
				for q := range qa {
					if qa[q] != qb[q] {
						if ov := wordOverlap(qa[q], qb[q]); ov < tt.minOverlap {
							t.Errorf("%s: reworded quote shares %.2f of its words, want ≥ %.2f: %q → %q", a.Link, ov, tt.minOverlap, qa[q], qb[q])
						}
						if want := a.People[a.Quotes[q].Speaker].Name(); len(exp) != 1 || exp[0].Person != want {
							t.Errorf("%s: expect %v, want the speaker %s", a.Link, exp, want)
						}
					}
				}
				for p := range ta {
					if ta[p] != tb[p] && (len(exp) != 1 || exp[0].Person != a.People[p].Name()) {
						t.Errorf("%s: expect %v, want the person %s", a.Link, exp, a.People[p].Name())
					}
				}
				if tt.wantKind == "" {
					if len(exp) != 0 {
						t.Errorf("%s: expect %v, want nothing", a.Link, exp)
					}
				} else if len(exp) != 1 || exp[0].Kind != tt.wantKind {
					t.Errorf("%s: expect %v, want one %s", a.Link, exp, tt.wantKind)
				}
				if a.Headline != b.Headline {
					t.Errorf("%s: headline changed", a.Link)
				}
			}
		})
	}
}

func TestRenderFeedIsXML(t *testing.T) {
	for _, f := range []int{0, 1} { // RSS, Atom
		arts := []*Article{Generate(1, f, 0), Generate(1, f, 1), Generate(1, f, 2)}
		doc := renderFeed(1, f, arts)
		var v struct {
			XMLName xml.Name
			Items   []struct {
				Description string `xml:"description"`
			} `xml:"channel>item"`
			Entries []struct {
				Content string `xml:"content"`
			} `xml:"entry"`
		}
		if err := xml.Unmarshal(doc.body, &v); err != nil {
			t.Fatalf("feed %d: %v", f, err)
		}
		wantRoot := "rss"
		if feedIsAtom(f) {
			wantRoot = "feed"
		}
		if v.XMLName.Local != wantRoot {
			t.Errorf("feed %d: root %s, want %s", f, v.XMLName.Local, wantRoot)
		}
		if n := len(v.Items) + len(v.Entries); n != len(arts) {
			t.Errorf("feed %d: %d items, want %d", f, n, len(arts))
		}
		var parts []string
		for _, it := range v.Items {
			parts = append(parts, it.Description)
		}
		for _, e := range v.Entries {
			parts = append(parts, e.Content)
		}
		body := strings.Join(parts, "")
		if !strings.Contains(body, "<p>"+strings.ReplaceAll(arts[0].Paragraphs()[0], "'", "&#39;")+"</p>") {
			t.Errorf("feed %d: first paragraph of the article not found as HTML", f)
		}
		if !strings.HasPrefix(doc.etag, `"`) || !strings.HasSuffix(doc.etag, `"`) || len(doc.etag) < 10 {
			t.Errorf("feed %d: etag %q is not a strong quoted tag", f, doc.etag)
		}
	}
}
