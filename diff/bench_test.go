package diff

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stet-news/stet/internal/testfeed"
)

// corpus is the invented seed article (internal/testfeed) and the texts of the shared evaluation cases
// (when the shared folder is there).
func corpus(b *testing.B) []Article {
	var out []Article
	out = append(out, seed(b))
	files, _ := filepath.Glob("../../shared/eval/*/*.json")
	more, _ := filepath.Glob("../../shared/eval/external/*/*.json")
	files = append(files, more...)
	for _, p := range files {
		raw, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		var c struct{ Old, New string }
		if json.Unmarshal(raw, &c) != nil {
			continue
		}
		for _, t := range []string{c.Old, c.New} {
			if t != "" && !strings.HasPrefix(strings.TrimSpace(t), "<") {
				out = append(out, ParsePlain(t))
			}
		}
	}
	return out
}

func BenchmarkExtract(b *testing.B) {
	arts := corpus(b)
	var n int64
	for _, a := range arts {
		n += int64(len(a.Headline) + len(a.Body))
	}
	b.SetBytes(n)
	b.ReportMetric(float64(len(arts)), "articles")
	for b.Loop() {
		for _, a := range arts {
			Extract(a)
		}
	}
}

func BenchmarkCompareSeed(b *testing.B) {
	a := seed(b)
	edited := strings.NewReplacer(
		"and a great deal of advice", "and much advice",
		"“", `"`, "”", `"`,
	).Replace(testfeed.TitleCorrected(a.Headline + "\n\n" + a.Body))
	nb := ParsePlain(edited)
	for b.Loop() {
		Compare(a, nb)
	}
}

func BenchmarkWordDiff(b *testing.B) {
	x := "We can offer grain, lorries, cold storage, and a great deal of advice. But the request has to come from Valdoria,"
	y := "We can offer grain, lorries and cold storage. But the request has to come from the government in Orlesk,"
	for b.Loop() {
		WordDiff(x, y)
	}
}
