package change

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stet-news/stet/diff"
)

var (
	bracketDel = regexp.MustCompile(`\[-(.*?)-\]`)
	bracketIns = regexp.MustCompile(`\{\+(.*?)\+\}`)
)

// sides reads a bracketed text back as its old and new versions, white
// space folded.
func sides(s string) (before, after string) {
	before = bracketDel.ReplaceAllString(bracketIns.ReplaceAllString(s, ""), "$1")
	after = bracketIns.ReplaceAllString(bracketDel.ReplaceAllString(s, ""), "$1")
	return strings.Join(strings.Fields(before), " "), strings.Join(strings.Fields(after), " ")
}

// TestMarkOps: the marked text reads back as both versions whatever
// way the word diff splits words and spaces.
func TestMarkOps(t *testing.T) {
	a, b := "the quick brown fox jumps", "the slow brown fox leaps high"
	for _, tt := range []struct {
		name string
		ops  []diff.Op
		want string // rendered like the text part
	}{
		{"whole strings", []diff.Op{{Kind: diff.OpDelete, Text: a}, {Kind: diff.OpInsert, Text: b}},
			"[-the quick brown fox jumps-]{+the slow brown fox leaps high+}"},
		{"spaces kept in ops", []diff.Op{{Kind: diff.OpEqual, Text: "the "}, {Kind: diff.OpDelete, Text: "quick "},
			{Kind: diff.OpInsert, Text: "slow "}, {Kind: diff.OpEqual, Text: "brown fox "}, {Kind: diff.OpDelete, Text: "jumps"},
			{Kind: diff.OpInsert, Text: "leaps high"}},
			"the [-quick-]{+slow+} brown fox [-jumps-]{+leaps high+}"},
		{"spaces as their own ops", []diff.Op{{Kind: diff.OpEqual, Text: "the"}, {Kind: diff.OpEqual, Text: " "},
			{Kind: diff.OpDelete, Text: "quick"}, {Kind: diff.OpInsert, Text: "slow"}, {Kind: diff.OpEqual, Text: " "},
			{Kind: diff.OpEqual, Text: "brown"}, {Kind: diff.OpEqual, Text: " "}, {Kind: diff.OpEqual, Text: "fox"},
			{Kind: diff.OpEqual, Text: " "}, {Kind: diff.OpDelete, Text: "jumps"}, {Kind: diff.OpInsert, Text: "leaps"},
			{Kind: diff.OpEqual, Text: ""}, {Kind: diff.OpInsert, Text: " high"}},
			"the [-quick-]{+slow+} brown fox [-jumps-]{+leaps high+}"},
		{"words without spaces", []diff.Op{{Kind: diff.OpEqual, Text: "the"}, {Kind: diff.OpDelete, Text: "quick"},
			{Kind: diff.OpInsert, Text: "slow"}, {Kind: diff.OpEqual, Text: "brown"}, {Kind: diff.OpEqual, Text: "fox"},
			{Kind: diff.OpDelete, Text: "jumps"}, {Kind: diff.OpInsert, Text: "leaps"}, {Kind: diff.OpInsert, Text: "high"}},
			"the [-quick-]{+slow+} brown fox [-jumps-]{+leaps high+}"},
		{"insert before delete", []diff.Op{{Kind: diff.OpEqual, Text: "the "}, {Kind: diff.OpInsert, Text: "slow"},
			{Kind: diff.OpDelete, Text: "quick"}, {Kind: diff.OpEqual, Text: " brown fox "}, {Kind: diff.OpInsert, Text: "leaps high"},
			{Kind: diff.OpDelete, Text: "jumps"}},
			"the [-quick-]{+slow+} brown fox [-jumps-]{+leaps high+}"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := Bracketed(MarkOps(a, b, tt.ops))
			if got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
			before, after := sides(got)
			if before != a || after != b {
				t.Errorf("reads back as %q / %q", before, after)
			}
		})
	}
	// Whatever diff.WordDiff is today, its marks read back as both sides.
	before, after := sides(Bracketed(Mark(a, b)))
	if before != a || after != b {
		t.Errorf("diff.WordDiff pieces read back as %q / %q", before, after)
	}
}
