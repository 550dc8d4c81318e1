package diff

import (
	"strings"
	"testing"

	"github.com/stet-news/stet/internal/testfeed"
)

// BenchmarkCompareTitles1000 compares a 1,000-word article pair (the
// invented seed article's paragraphs repeated) where one title and one quote changed and
// the typography was folded.
func BenchmarkCompareTitles1000(b *testing.B) {
	a := seed(b)
	paras := strings.Split(a.Body, "\n\n")
	var body []string
	n := 0
	for i := 0; n < 1000; i++ {
		p := paras[i%len(paras)]
		body = append(body, p)
		n += len(strings.Fields(p))
	}
	old := Article{Headline: a.Headline, Body: strings.Join(body, "\n\n")}
	nw := Article{Headline: a.Headline, Body: strings.NewReplacer(
		"and a great deal of advice", "and much advice",
		"“", `"`, "”", `"`,
	).Replace(testfeed.TitleCorrected(old.Body))}
	b.ReportMetric(float64(n), "words")
	for b.Loop() {
		Compare(old, nw)
	}
}
