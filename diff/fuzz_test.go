package diff

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stet-news/stet/internal/testfeed"
)

// fuzzSeeds adds the invented seed article (internal/testfeed) and the files in testdata/fuzz.
func fuzzSeeds(f *testing.F, add func(string)) {
	add(string(testfeed.SeedBytes(f)))
	files, _ := filepath.Glob("testdata/fuzz/*.txt")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			add(string(b))
		}
	}
	for _, s := range []string{
		"", "“", "\"", "“a” b said, “c", "„x“ «y» \"z\"", "A,\n\n“b\n\n“c”", "’s ’ ‘ '",
		"“We will appeal,” Okonjo said, “and we will win.”",
		"Mexico’s President, Clara Steinhaus, said “no”.",
	} {
		add(s)
	}
}

// checkQuotes: every quote is a substring of the input once typography and
// white space are folded.
func checkQuotes(t *testing.T, in string, qs []Quote) {
	folded := foldForSubstring(in)
	for _, q := range qs {
		for _, part := range strings.Split(q.Text, " ") {
			if p := foldForSubstring(part); p != "" && !strings.Contains(folded, p) {
				t.Fatalf("quote word %q of %q not in input", p, q.Text)
			}
		}
		// a quote made of one part is a contiguous substring
		if fq := foldForSubstring(q.Text); !strings.Contains(folded, fq) && !joinedParts(folded, fq) {
			t.Fatalf("quote %q not in input %q", fq, folded)
		}
	}
}

// joinedParts reports whether q is made of pieces of s joined by spaces (a
// quote split by its attribution, or running over paragraphs).
func joinedParts(s, q string) bool {
	ws := strings.Split(q, " ")
	i := 0
	for i < len(ws) {
		// extend the run of words starting at i while it is found in s
		if !strings.Contains(s, ws[i]) {
			return false
		}
		run := ws[i]
		j := i + 1
		for j < len(ws) && strings.Contains(s, run+" "+ws[j]) {
			run += " " + ws[j]
			j++
		}
		i = j
	}
	return true
}

func FuzzExtract(f *testing.F) {
	fuzzSeeds(f, func(s string) { f.Add(s) })
	f.Fuzz(func(t *testing.T, s string) {
		a := ParsePlain(s)
		ex := Extract(a)
		checkQuotes(t, a.Body, ex.Quotes)
		_ = Normalize(s)
	})
}

func FuzzCompare(f *testing.F) {
	fuzzSeeds(f, func(s string) { f.Add(s, strings.ReplaceAll(s, "“", "\"")) })
	f.Fuzz(func(t *testing.T, a, b string) {
		changes := Compare(ParsePlain(a), ParsePlain(b))
		for _, c := range changes {
			if c.Kind == "" {
				t.Fatalf("change without kind: %+v", c)
			}
		}
		_ = WordDiff(a, b)
		// an article compared with itself has no changes
		if got := Compare(ParsePlain(a), ParsePlain(a)); len(got) != 0 {
			t.Fatalf("self-compare reported %+v", got)
		}
	})
}
