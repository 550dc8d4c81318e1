package diff

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// foldTypographyRef is the first implementation of foldTypography, kept as
// the reference the fast one must agree with. It maps typographic variants to one form, without touching
// white space structure other than runs.
func foldTypographyRef(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch r {
		case '“', '”', '„', '‟', '«', '»', '″', '〝', '〞':
			r = '"'
		case '‘', '’', '‚', '‛', '′', '`', '´', '‹', '›':
			r = '\''
		case '–', '—', '―', '‒', '−':
			r = '—'
		case '-':
			if i+1 < len(rs) && rs[i+1] == '-' {
				for i+1 < len(rs) && rs[i+1] == '-' {
					i++
				}
				r = '—'
			}
		case '…':
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteString("...")
			continue
		case '\u200b', '\ufeff', '\u00ad':
			continue
		}
		if isSpace(r) {
			space = true
			continue
		}
		// spaces around dashes are style, not content
		if r == '—' {
			space = false
			b.WriteRune(r)
			for i+1 < len(rs) && isSpace(rs[i+1]) {
				i++
			}
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

func TestFoldTypographyAgreesWithReference(t *testing.T) {
	pieces := []string{"a", "Z", " ", "  ", "\t", "\n", "-", "--", "---", "—", " — ", "“", "”", "’", "'", "`", "…", "\u00a0", "\u2000",
		"\u200b", "\ufeff", "\u00ad", "é", "\xff", "\xe2\x80", "«", "»", "x", ".", ",", "7", "\x7f", "\x01"}
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 20000; n++ {
		var b strings.Builder
		for k := r.IntN(12); k >= 0; k-- {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		in := b.String()
		if got, want := foldTypography(in), foldTypographyRef(in); got != want {
			t.Fatalf("foldTypography(%q) = %q, want %q", in, got, want)
		}
	}
}
