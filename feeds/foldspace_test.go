package feeds

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"

	"github.com/stet-news/stet/internal/testfeed"
)

// foldSpaceRef is the first foldSpace, a rune at a time: the reference the
// faster one is checked against.
func foldSpaceRef(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		switch r {
		case '\u200b', '\ufeff', '\u00ad':
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

func TestFoldSpaceMatchesReference(t *testing.T) {
	pieces := []string{"a", "Word", " ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u2009", "\u0085", "\u200b", "\ufeff",
		"\u00ad", "“", "é", "\xff", "\xe2\x80", "", "x y", ".", "\v", "\f"}
	r := rand.New(rand.NewPCG(7, 7))
	for i := range 50000 {
		var b strings.Builder
		for range r.IntN(12) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		s := b.String()
		if got, want := foldSpace(s), foldSpaceRef(s); got != want {
			t.Fatalf("case %d: foldSpace(%q) = %q, want %q", i, s, got, want)
		}
	}
	seed := readSeed(t)
	for _, s := range []string{seed, strings.ReplaceAll(seed, " ", "  "), ""} {
		if got, want := foldSpace(s), foldSpaceRef(s); got != want {
			t.Fatalf("seed article: differs from the reference")
		}
	}
}

func BenchmarkFoldSpace(b *testing.B) {
	seed := readSeed(b)
	paras := strings.Split(seed, "\n\n")
	b.SetBytes(int64(len(seed)))
	for b.Loop() {
		for _, p := range paras {
			foldSpace(" " + p + "\n")
		}
	}
}

func readSeed(t testing.TB) string {
	t.Helper()
	// The invented seed article is part of this repository, so the test
	// runs in a clone without ../shared.
	return string(testfeed.SeedBytes(t))
}
