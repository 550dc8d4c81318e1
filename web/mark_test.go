package web

import (
	"github.com/stet-news/stet/change"

	"strings"
	"testing"

	"github.com/stet-news/stet/diff"
	"github.com/stet-news/stet/internal/testfeed"
)

// marked renders segs with [q:...] / [t:...] around highlighted runs and
// -{...} / +{...} around deleted and inserted ones.
func marked(segs []seg) string {
	var b strings.Builder
	for _, s := range segs {
		t := s.Text
		if s.Class != "" {
			t = "[" + strings.ReplaceAll(s.Class, " ", "") + ":" + t + "]"
		}
		switch s.Tag {
		case "del":
			t = "-{" + t + "}"
		case "ins":
			t = "+{" + t + "}"
		}
		b.WriteString(t)
	}
	return b.String()
}

func TestHighlight(t *testing.T) {
	tests := []struct {
		name string
		text string
		ex   diff.Extraction
		want string
	}{
		{"whole quote",
			"He said: “We will help, if asked,” Marsh said.",
			diff.Extraction{Quotes: []diff.Quote{{Text: "We will help, if asked,"}}},
			"He said: [q:“We will help, if asked,”] Marsh said."},
		{"quote split by its attribution",
			"“We can help with equipment,” Marsh said, “but they would have to ask for it.”",
			diff.Extraction{Quotes: []diff.Quote{{Text: "We can help with equipment, but they would have to ask for it."}}},
			"[q:“We can help with equipment,”] Marsh said, [q:“but they would have to ask for it.”]"},
		{"curly and straight marks fold",
			"She said \"it's done\" today.",
			diff.Extraction{Quotes: []diff.Quote{{Text: "it’s done"}}},
			"She said [q:\"it's done\"] today."},
		{"title without its comma, every time",
			"Elena Marsh, Secretary of State, spoke. The Secretary of State left.",
			diff.Extraction{Titles: []diff.Title{{Person: "Elena Marsh", Title: "Secretary of State"}}},
			"Elena Marsh, [t:Secretary of State], spoke. The [t:Secretary of State] left."},
		{"not found",
			"Nothing quoted here.",
			diff.Extraction{Quotes: []diff.Quote{{Text: "something else entirely"}}, Titles: []diff.Title{{Title: "Mayor"}}},
			"Nothing quoted here."},
		{"no stray short pieces",
			"Help was offered. Later, “we will not send troops,” he said.",
			diff.Extraction{Quotes: []diff.Quote{{Text: "we will not send troops"}}},
			"Help was offered. Later, [q:“we will not send troops,”] he said."},
		{"title inside a quote",
			"“The Secretary of State is here,” she said.",
			diff.Extraction{Quotes: []diff.Quote{{Text: "The Secretary of State is here,"}}, Titles: []diff.Title{{Title: "Secretary of State"}}},
			"[q:“The ][qt:Secretary of State][q: is here,”] she said."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := marked(highlight([]seg{{Text: tc.text}}, tc.ex))
			if got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestHighlightWithDiff(t *testing.T) {
	old, new := sides(change.Mark("Marsh, a Senator, said “we help now.”", "Marsh, the Secretary of State, said “we help later.”"))
	gotOld := marked(highlight(old, diff.Extraction{Quotes: []diff.Quote{{Text: "we help now."}}, Titles: []diff.Title{{Title: "Senator"}}}))
	gotNew := marked(highlight(new, diff.Extraction{Quotes: []diff.Quote{{Text: "we help later."}}, Titles: []diff.Title{{Title: "Secretary of State"}}}))
	if want := "Marsh, -{a }-{[t:Senator]}-{,} said [q:“we help ]-{[q:now.”]}"; gotOld != want {
		t.Errorf("old:\ngot  %s\nwant %s", gotOld, want)
	}
	if want := "Marsh, +{the }+{[t:Secretary of State]}+{,} said [q:“we help ]+{[q:later.”]}"; gotNew != want {
		t.Errorf("new:\ngot  %s\nwant %s", gotNew, want)
	}
}

// TestHighlightSeedArticle: every quote and title the extractor finds in
// the invented seed article (internal/testfeed) is highlighted.
func TestHighlightSeedArticle(t *testing.T) {
	a := diff.ParsePlain(string(testfeed.SeedBytes(t)))
	ex := diff.Extract(a)
	if len(ex.Quotes) == 0 || len(ex.Titles) == 0 {
		t.Fatalf("extractor found %d quotes, %d titles", len(ex.Quotes), len(ex.Titles))
	}
	segs := highlight([]seg{{Text: a.Body}}, ex)
	var q, ti strings.Builder
	for _, s := range segs {
		if strings.Contains(s.Class, "q") {
			q.WriteString(s.Text + " ")
		}
		if strings.Contains(s.Class, "t") {
			ti.WriteString(s.Text + " ")
		}
	}
	fold := func(s string) string { return strings.Join(foldAll(s), " ") }
	for _, x := range ex.Quotes {
		if !strings.Contains(fold(q.String()), fold(x.Text)) {
			t.Errorf("quote not highlighted: %q", x.Text)
		}
	}
	found := 0
	for _, x := range ex.Titles {
		if strings.Contains(fold(ti.String()), fold(x.Title)) {
			found++
		}
	}
	if found == 0 {
		t.Errorf("no title highlighted of %v", ex.Titles)
	}
}

func BenchmarkArticleDiff(b *testing.B) {
	a := diff.ParsePlain(string(testfeed.SeedBytes(b)))
	edited := strings.ReplaceAll(a.Body, "Marsh", "Elena Marsh")
	exOld, exNew := diff.Extract(a), diff.Extract(diff.Article{Headline: a.Headline, Body: edited})
	b.ReportAllocs()
	for b.Loop() {
		old, new := sides(change.Mark(a.Body, edited))
		highlight(old, exOld)
		highlight(new, exNew)
	}
}
