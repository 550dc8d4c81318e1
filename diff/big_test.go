package diff

import (
	"strings"
	"testing"
)

// largeInputs are hostile texts: one huge paragraph without sentence ends,
// thousands of quotes, names and dashes. Extraction must stay linear.
func largeInputs(scale int) map[string]string {
	return map[string]string{
		"quotes-no-stops":  strings.Repeat("“a b” Smith said Jones ", 6*scale),
		"names":            strings.Repeat("Smith Jones said the Mayor of Town ", 3*scale),
		"dashes":           strings.Repeat("— ", 40*scale),
		"marks":            strings.Repeat("\" ", 40*scale),
		"names-and-commas": strings.Repeat("Ana Ruelle, the mayor, said “x” ", 3*scale),
	}
}

func TestLargeInputs(t *testing.T) {
	for name, s := range largeInputs(1000) {
		t.Run(name, func(t *testing.T) {
			a := ParsePlain(s)
			ex := Extract(a)
			checkQuotes(t, a.Body, ex.Quotes[:min(len(ex.Quotes), 50)])
			Compare(a, ParsePlain(s+" x"))
		})
	}
}

func BenchmarkLargeInputs(b *testing.B) {
	for name, s := range largeInputs(10000) {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(s)))
			a := ParsePlain(s)
			for b.Loop() {
				Extract(a)
			}
		})
	}
}
