package diff

import (
	"strings"
	"testing"
)

// changesOf keeps the changes whose kind starts with prefix.
func changesOf(cs []Change, prefix string) []Change {
	var out []Change
	for _, c := range cs {
		if strings.HasPrefix(c.Kind, prefix) {
			out = append(out, c)
		}
	}
	return out
}

// noiseEdits are edits of a real article that leave what is checked as it
// was: typography, the last paragraph moved before the one before it, and
// "the" reworded in the first paragraph that untouched says holds none of it.
func noiseEdits(untouched func(p string) bool) map[string]func(string) string {
	typo := strings.NewReplacer("“", "\"", "”", "\"", "’", "'", "‘", "'", "—", "--", "  ", " ")
	return map[string]func(string) string{
		"typography": typo.Replace,
		"paragraph moved": func(s string) string {
			ps := strings.Split(s, "\n\n")
			n := len(ps)
			ps[n-1], ps[n-2] = ps[n-2], ps[n-1]
			return strings.Join(ps, "\n\n")
		},
		"sentence reworded": func(s string) string {
			ps := strings.Split(s, "\n\n")
			for i, p := range ps {
				if untouched(p) && strings.Contains(p, " the ") {
					ps[i] = strings.Replace(p, " the ", " this ", 1)
					break
				}
			}
			return strings.Join(ps, "\n\n")
		},
	}
}

// checkNoise fails when more than one article in per reports a change of
// kind prefix after an edit of noiseEdits(untouched).
func checkNoise(t *testing.T, bodies []string, untouched func(string) bool, prefix string, per int) {
	for name, edit := range noiseEdits(untouched) {
		t.Run(name, func(t *testing.T) {
			bad := 0
			for _, b := range bodies {
				if got := changesOf(Compare(Article{Body: b}, Article{Body: edit(b)}), prefix); len(got) > 0 {
					bad++
					t.Logf("%.60q: %+v", b, got)
				}
			}
			t.Logf("%s: %d of %d articles report a %s change", name, bad, len(bodies), strings.TrimSuffix(prefix, "_"))
			if bad*per > len(bodies) {
				t.Errorf("%d of %d articles report a %s change", bad, len(bodies), strings.TrimSuffix(prefix, "_"))
			}
		})
	}
}

// On real articles, edits that leave every quote as it was report no quote
// change: typography, a paragraph moved, a sentence reworded outside quotes.
// A moved paragraph may change which quote goes on from which, and some
// pages type their marks loosely (‘Title ‘, E’ for È): a regression guard
// at 4% (5 of 147 today).
func TestRealArticlesQuoteNoise(t *testing.T) {
	checkNoise(t, groundTruth(t), func(p string) bool { return !strings.ContainsAny(p, "“”\"‘’'") }, "quote_", 25)
}

// On real articles, a word changed inside one extracted quote is reported
// as exactly one quote_edited, with the quote's speaker.
func TestRealArticlesQuoteEdit(t *testing.T) {
	bodies := groundTruth(t)
	tried, exact := 0, 0
	for _, b := range bodies {
		ex := Extract(Article{Body: b})
		for _, q := range ex.Quotes {
			ws := strings.Fields(q.Text)
			if len(ws) < 6 || strings.Count(b, q.Text) != 1 {
				continue
			}
			// change the fourth word of the quote
			w := ws[3]
			nt := strings.Replace(q.Text, " "+w+" ", " "+w+"s "+w+" ", 1)
			if nt == q.Text {
				continue
			}
			tried++
			got := changesOf(Compare(Article{Body: b}, Article{Body: strings.Replace(b, q.Text, nt, 1)}), "quote_")
			if len(got) == 1 && got[0].Kind == QuoteEdited && samePerson(got[0].Person, q.Speaker) {
				exact++
			} else {
				t.Logf("%.50q (%s): got %+v", q.Text, q.Speaker, got)
			}
			break // one quote per article
		}
	}
	t.Logf("quote edits reported exactly: %d of %d", exact, tried)
	if tried > 0 && exact*10 < tried*9 {
		t.Errorf("quote edits reported exactly: %d of %d, want at least 90%%", exact, tried)
	}
}
