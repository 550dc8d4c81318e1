package digest

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stet-news/stet/diff"
)

func TestContext(t *testing.T) {
	long := "The minister, " + strings.Repeat("who had spoken for hours and hours in the chamber, ", 12) +
		"said \"We will not sign this budget.\" and left " + strings.Repeat("before the vote was called again and again, ", 12) + "at noon."
	for _, tt := range []struct {
		name string
		text string
		c    Change
		want string
	}{
		{"quote in a sentence", "First one. He said \"we are ready\" on Monday. Last one.",
			Change{Kind: diff.QuoteEdited, After: "we are ready"}, "He said \"we are ready\" on Monday."},
		{"quote as its own sentence takes the next", "First one. \"We are ready.\" Ana Okafor said so. Last one.",
			Change{Kind: diff.QuoteAdded, After: "We are ready."}, "\"We are ready.\" Ana Okafor said so."},
		{"quote at the end takes the one before", "Okafor spoke. \"We are ready.\"",
			Change{Kind: diff.QuoteAdded, After: "We are ready."}, "Okafor spoke. \"We are ready.\""},
		{"removed quote", "Intro. Asked, he said: \"They would have to ask.\" Outro follows.",
			Change{Kind: diff.QuoteRemoved, Before: "They would have to ask."}, "Asked, he said: \"They would have to ask.\""},
		{"title next to the person", "As the Secretary of State, words matter. Elena Marsh, the Secretary of State, spoke.",
			Change{Kind: diff.TitleChanged, Person: "Elena Marsh", After: "Secretary of State"}, "Elena Marsh, the Secretary of State, spoke."},
		{"title in another word order", "As the Secretary of State of the United States, words matter. Elena Marsh, the United States Secretary of State, spoke.",
			Change{Kind: diff.TitleChanged, Person: "Elena Marsh", After: "Secretary of State of the United States"},
			"Elena Marsh, the United States Secretary of State, spoke."},
		{"newlines folded", "One.\n\nHe said \"we\nare ready\".\nTwo.",
			Change{Kind: diff.QuoteEdited, After: "we are ready"}, "He said \"we are ready\"."},
		{"headline has none", "Anything.", Change{Kind: diff.HeadlineChanged, After: "Anything"}, ""},
		{"not found", "Nothing here.", Change{Kind: diff.QuoteEdited, After: "elsewhere"}, ""},
		{"no text", "", Change{Kind: diff.QuoteEdited, After: "x"}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Context(tt.text, tt.c); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}

	// A long sentence is cut around the quote, at words, marked.
	got := Context(long, Change{Kind: diff.QuoteEdited, After: "We will not sign this budget."})
	if n := utf8.RuneCountInString(got); n > maxContext+4 {
		t.Errorf("context is %d runes, want at most %d", n, maxContext+4)
	}
	if !strings.HasPrefix(got, "… ") || !strings.HasSuffix(got, " …") || !strings.Contains(got, "\"We will not sign this budget.\"") {
		t.Errorf("long sentence cut to %q", got)
	}
	for _, w := range strings.Fields(strings.Trim(got, "… ")) {
		if !strings.Contains(long, w) {
			t.Errorf("word %q was cut inside", w)
		}
	}
	// A quote longer than the bound keeps its start.
	q := strings.Repeat("word ", 200) + "end"
	got = Context("Before. \""+q+"\" said she. After.", Change{Kind: diff.QuoteEdited, After: q})
	if n := utf8.RuneCountInString(got); n > maxContext+4 || !strings.Contains(got, "\"word word") {
		t.Errorf("overlong quote cut to %d runes: %q", n, got)
	}
}

// Whatever the text and the change, the sentence is valid UTF-8, bounded,
// and found without a panic.
func FuzzContext(f *testing.F) {
	f.Add("First one. He said \"we are ready\" on Monday. Last one.", "we are ready", "Ana Okafor", 0)
	f.Add("Elena Marsh, the Secretary of State, spoke. As the Secretary.", "Secretary of State", "Elena Marsh", 1)
	f.Add("\"Ready.\" \"Ready.\" ", "Ready.", "", 2)
	kinds := []string{diff.QuoteEdited, diff.TitleChanged, diff.QuoteRemoved, diff.QuoteReattributed, diff.TitleRemoved, "other"}
	f.Fuzz(func(t *testing.T, text, needle, person string, k int) {
		c := Change{Kind: kinds[uint(k)%uint(len(kinds))], Person: person, Before: needle, After: needle, Quote: needle}
		got := Context(text, c)
		if !utf8.ValidString(got) {
			t.Errorf("invalid UTF-8: %q", got)
		}
		if n := utf8.RuneCountInString(got); n > maxContext+4 {
			t.Errorf("%d runes", n)
		}
		c.Context = got
		_ = contextPieces(c)
	})
}
