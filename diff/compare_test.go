package diff

import (
	"strings"
	"testing"

	"github.com/stet-news/stet/internal/testfeed"
)

func TestCompareSeed(t *testing.T) {
	a := seed(t)
	type tc struct {
		name  string
		edit  func(string) string
		kinds []string
	}
	tests := []tc{
		{"unchanged", func(s string) string { return s }, nil},
		{"typography only", func(s string) string {
			r := strings.NewReplacer("“", `"`, "”", `"`, "’", "'", ". ", ".  ")
			return r.Replace(s)
		}, nil},
		{"quote edited", func(s string) string {
			return strings.Replace(s, "and a great deal of advice", "and much advice", 1)
		}, []string{QuoteEdited}},
		{"quote reattributed", func(s string) string {
			return strings.Replace(s, "open,” Kovac told reporters", "open,” Pavel Drozd, a Valdorian customs official, told reporters", 1)
		}, []string{QuoteReattributed, TitleAdded}},
		{"title changed", func(s string) string {
			return testfeed.TitleCorrected(s)
		}, []string{TitleChanged}},
		{"equivalent title forms", func(s string) string {
			return strings.Replace(s, "Valdoria’s Minister of Agriculture, Ines Kovac,", "Valdorian Minister of Agriculture Ines Kovac", 1)
		}, nil},
		{"partial quote loses its marks", func(s string) string {
			return strings.Replace(s, "“a buyer’s market,”", "a buyer’s market,", 1)
		}, []string{QuoteRemoved}},
		{"edit outside quotes", func(s string) string {
			return strings.Replace(s, "March 3, 2026", "March 4, 2026", 1)
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := ParsePlain(tt.edit(a.Headline + "\n\n" + a.Body))
			got := Compare(a, b)
			var kinds []string
			for _, c := range got {
				kinds = append(kinds, c.Kind)
			}
			if strings.Join(kinds, ",") != strings.Join(tt.kinds, ",") {
				t.Errorf("got %+v, want kinds %v", got, tt.kinds)
			}
		})
	}
}

func TestCompareNotChanges(t *testing.T) {
	old := "Council Votes\n\n“We will appeal,” Okonjo said, “and we will win.”\n\nDeputy Mayor Tom Brennan said: “The numbers did not add up.”\n\nMayor Linda Okonjo opposed the closure."
	tests := []struct{ name, new string }{
		{"attribution moved", "Council Votes\n\n“We will appeal,” said Okonjo, “and we will win.”\n\nDeputy Mayor Tom Brennan said: “The numbers did not add up.”\n\nMayor Linda Okonjo opposed the closure."},
		{"paragraphs swapped", "Council Votes\n\nDeputy Mayor Tom Brennan said: “The numbers did not add up.”\n\n“We will appeal,” Okonjo said, “and we will win.”\n\nMayor Linda Okonjo opposed the closure."},
		{"title in another form", "Council Votes\n\n“We will appeal,” Okonjo said, “and we will win.”\n\nTom Brennan, the deputy mayor, said: “The numbers did not add up.”\n\nMayor Linda Okonjo opposed the closure."},
		{"headline case", "COUNCIL VOTES\n\n“We will appeal,” Okonjo said, “and we will win.”\n\nDeputy Mayor Tom Brennan said: “The numbers did not add up.”\n\nMayor Linda Okonjo opposed the closure."},
		{"punctuation inside quote", "Council Votes\n\n“We will appeal.” Okonjo said. “And we will win.”\n\nDeputy Mayor Tom Brennan said: “The numbers did not add up.”\n\nMayor Linda Okonjo opposed the closure."},
		{"wrapped after a hyphen", "Council Votes\n\n“We will appeal,” Okonjo said, “and we will win.”\n\nDeputy Mayor Tom Brennan said: “The numbers did not add up.”\n\nMayor Linda Okonjo opposed the clo-\nsure."},
		{"hard wrapped", "Council Votes\n\n“We will appeal,” Okonjo said,\n“and we will win.”\n\nDeputy Mayor Tom Brennan said: “The numbers\ndid not add up.”\n\nMayor Linda Okonjo opposed the closure."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Compare(ParsePlain(old), ParsePlain(tt.new)); len(got) != 0 {
				t.Errorf("got %+v, want no changes", got)
			}
		})
	}
}

// A British-style article (single marks quote) compared with itself in
// double marks reports nothing; a word changed inside its quote is an edit.
func TestCompareBritishMarks(t *testing.T) {
	old := "Council Votes\n\n‘We will appeal,’ said Nora Pell, the council leader. ‘The players’ union agrees.’\n\nThe plan was ‘a total disaster’, said Tom Ashby."
	same := strings.NewReplacer("‘We", "“We", "appeal,’", "appeal,”", "‘The", "“The", "agrees.’", "agrees.”", "‘a total", "“a total", "disaster’", "disaster”").Replace(old)
	if got := Compare(ParsePlain(old), ParsePlain(same)); len(got) != 0 {
		t.Errorf("double marks for single ones: got %+v, want no changes", got)
	}
	edited := strings.Replace(old, "We will appeal", "We will not appeal", 1)
	got := Compare(ParsePlain(old), ParsePlain(edited))
	if len(got) != 1 || got[0].Kind != QuoteEdited || got[0].Person != "Nora Pell" {
		t.Errorf("edit inside a single-marked quote: got %+v, want one quote_edited by Nora Pell", got)
	}
}

func TestExplain(t *testing.T) {
	a := seed(t)
	b := ParsePlain(strings.NewReplacer("“", `"`, "”", `"`, "’", "'").Replace(a.Headline + "\n\n" + a.Body))
	e := Explain(a, b)
	if len(e.Reported) != 0 {
		t.Errorf("got reported %+v, want none", e.Reported)
	}
	if len(e.Suppressed) == 0 {
		t.Fatal("got no suppressed differences, want the typography noted")
	}
	for _, s := range e.Suppressed {
		if s.Reason == "" {
			t.Errorf("suppressed %+v has no reason", s)
		}
	}
	if len(e.Old.Quotes) != 5 || len(e.New.Quotes) != 5 {
		t.Errorf("got %d and %d quotes, want 5 and 5", len(e.Old.Quotes), len(e.New.Quotes))
	}
}

func TestWordDiff(t *testing.T) {
	tests := []struct {
		a, b string
		want []Op
	}{
		{"we can help", "we can help", []Op{{OpEqual, "we can help"}}},
		{"we can help now", "we will help now", []Op{{OpEqual, "we "}, {OpDelete, "can "}, {OpInsert, "will "}, {OpEqual, "help now"}}},
		{"", "new words", []Op{{OpInsert, "new words"}}},
		{"old words", "", []Op{{OpDelete, "old words"}}},
		{"“curly”", `"curly"`, []Op{{OpEqual, `"curly"`}}},
	}
	for _, tt := range tests {
		t.Run(tt.a+"|"+tt.b, func(t *testing.T) {
			got := WordDiff(tt.a, tt.b)
			if len(got) != len(tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("op %d: got %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}
