package diff

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corpus is the seed article and the texts of the shared evaluation cases
// (when the shared folder is there).
func corpus(b *testing.B) []Article {
	var out []Article
	s, err := os.ReadFile("testdata/seed-article.txt")
	if err != nil {
		b.Fatal(err)
	}
	out = append(out, ParsePlain(string(s)))
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
		"and many other things", "and much else",
		"a United States Senator from Florida", "the United States Secretary of State",
		"“", `"`, "”", `"`,
	).Replace(a.Headline + "\n\n" + a.Body)
	nb := ParsePlain(edited)
	for b.Loop() {
		Compare(a, nb)
	}
}

func BenchmarkWordDiff(b *testing.B) {
	x := "We can help with equipment, training, intelligence exchange, and many other things. But they would have to ask for it,"
	y := "We can help with equipment, training and intelligence exchange. But Mexico would have to ask for it,"
	for b.Loop() {
		WordDiff(x, y)
	}
}
