package change

import (
	"strings"
	"unicode"

	"github.com/stet-news/stet/diff"
)

// Piece is a run of text that is kept (diff.OpEqual), deleted
// (diff.OpDelete) or inserted (diff.OpInsert).
type Piece struct {
	Kind diff.OpKind
	Text string
}

// Del says whether p was deleted (for templates).
func (p Piece) Del() bool { return p.Kind == diff.OpDelete }

// Ins says whether p was inserted (for templates).
func (p Piece) Ins() bool { return p.Kind == diff.OpInsert }

func only(k diff.OpKind, s string) []Piece {
	if s == "" {
		return nil
	}
	return []Piece{{Kind: k, Text: s}}
}

// Mark marks the words that changed from a to b, using diff.WordDiff:
// the one word-level marking of stet, shown by the digest, the web view
// and `stet diff`.
// It does not rely on how WordDiff splits words: when the ops spell out a
// and b exactly (spaces included), their text is used as is; otherwise the
// words are joined by single spaces. Adjacent deletions and insertions are
// merged (spaces between them included), so a replaced phrase shows as one
// struck-out run followed by one inserted run.
func Mark(a, b string) []Piece {
	if a == b {
		return only(diff.OpEqual, a)
	}
	return MarkOps(a, b, diff.WordDiff(a, b))
}

// MarkOps is Mark over the given word diff of a and b: it does not rely on
// how the diff splits words (see Mark).
func MarkOps(a, b string, ops []diff.Op) []Piece {
	var ra, rb strings.Builder
	for _, op := range ops {
		switch op.Kind {
		case diff.OpDelete:
			ra.WriteString(op.Text)
		case diff.OpInsert:
			rb.WriteString(op.Text)
		default:
			ra.WriteString(op.Text)
			rb.WriteString(op.Text)
		}
	}
	exact := ra.String() == a && rb.String() == b

	type tok struct {
		k    diff.OpKind
		text string
	}
	var toks []tok
	for _, op := range ops {
		k := diff.OpEqual
		switch op.Kind {
		case diff.OpDelete:
			k = diff.OpDelete
		case diff.OpInsert:
			k = diff.OpInsert
		}
		if exact {
			for _, run := range spaceRuns(op.Text) {
				toks = append(toks, tok{k, run})
			}
		} else {
			for _, w := range strings.Fields(op.Text) {
				toks = append(toks, tok{k, w})
			}
		}
	}

	var out []Piece
	add := func(k diff.OpKind, s string) {
		if s == "" {
			return
		}
		if n := len(out); n > 0 && out[n-1].Kind == k {
			out[n-1].Text += s
			return
		}
		out = append(out, Piece{k, s})
	}

	if !exact {
		// Words only: one space between items, a run of changed words
		// shown as its deleted words, then its inserted words.
		for i := 0; i < len(toks); {
			if i > 0 {
				add(diff.OpEqual, " ")
			}
			if toks[i].k == diff.OpEqual {
				add(diff.OpEqual, toks[i].text)
				i++
				continue
			}
			var del, ins []string
			for ; i < len(toks) && toks[i].k != diff.OpEqual; i++ {
				if toks[i].k == diff.OpDelete {
					del = append(del, toks[i].text)
				} else {
					ins = append(ins, toks[i].text)
				}
			}
			add(diff.OpDelete, strings.Join(del, " "))
			add(diff.OpInsert, strings.Join(ins, " "))
		}
		return out
	}

	for i := 0; i < len(toks); {
		if toks[i].k == diff.OpEqual {
			add(diff.OpEqual, toks[i].text)
			i++
			continue
		}
		// A run of changes, taking in the spaces between them.
		last := i
		for j := i; j < len(toks); j++ {
			if toks[j].k != diff.OpEqual {
				last = j
			} else if !isSpace(toks[j].text) {
				break
			}
		}
		var del, ins strings.Builder
		for _, t := range toks[i : last+1] {
			switch t.k {
			case diff.OpDelete:
				del.WriteString(t.text)
			case diff.OpInsert:
				ins.WriteString(t.text)
			default:
				del.WriteString(t.text)
				ins.WriteString(t.text)
			}
		}
		d, s := del.String(), ins.String()
		lead := longer(leadingSpace(d), leadingSpace(s))
		trail := longer(trailingSpace(d), trailingSpace(s))
		dc, sc := strings.TrimSpace(d), strings.TrimSpace(s)
		if dc == "" && sc == "" {
			add(diff.OpEqual, longer(lead, trail))
		} else {
			add(diff.OpEqual, lead)
			add(diff.OpDelete, dc)
			add(diff.OpInsert, sc)
			add(diff.OpEqual, trail)
		}
		i = last + 1
	}
	return out
}

// spaceRuns splits s into alternating runs of spaces and non-spaces.
func spaceRuns(s string) []string {
	var runs []string
	start, space := 0, false
	for i, r := range s {
		if sp := unicode.IsSpace(r); i == 0 {
			space = sp
		} else if sp != space {
			runs = append(runs, s[start:i])
			start, space = i, sp
		}
	}
	if start < len(s) {
		runs = append(runs, s[start:])
	}
	return runs
}

func isSpace(s string) bool { return s != "" && strings.TrimSpace(s) == "" }

func leadingSpace(s string) string  { return s[:len(s)-len(strings.TrimLeftFunc(s, unicode.IsSpace))] }
func trailingSpace(s string) string { return s[len(strings.TrimRightFunc(s, unicode.IsSpace)):] }

func longer(a, b string) string {
	if len(b) > len(a) {
		return b
	}
	return a
}

// Sides splits marked pieces into what the old text shows (kept and
// deleted runs) and what the new one shows (kept and inserted runs).
func Sides(ps []Piece) (old, new []Piece) {
	for _, p := range ps {
		switch p.Kind {
		case diff.OpEqual:
			old = append(old, p)
			new = append(new, p)
		case diff.OpDelete:
			old = append(old, p)
		case diff.OpInsert:
			new = append(new, p)
		}
	}
	return old, new
}

// Spaced puts a space between a deletion and the insertion that replaces
// it, so that they stay apart where their marks are lost (a mail client
// that drops styles) or would run together ("[-a-] {+b+}").
func Spaced(ps []Piece) []Piece {
	out := make([]Piece, 0, len(ps)+1)
	for i, p := range ps {
		if i > 0 && p.Kind == diff.OpInsert && ps[i-1].Kind == diff.OpDelete {
			out = append(out, Piece{Kind: diff.OpEqual, Text: " "})
		}
		out = append(out, p)
	}
	return out
}

// Bracketed writes pieces as text, deletions as [-words-] and insertions
// as {+words+}.
func Bracketed(ps []Piece) string {
	return Format(ps, func(s string) string { return "[-" + s + "-]" }, func(s string) string { return "{+" + s + "+}" })
}

// Format writes pieces as text, deletions through del and insertions
// through ins.
func Format(ps []Piece, del, ins func(string) string) string {
	var b strings.Builder
	for _, p := range ps {
		switch p.Kind {
		case diff.OpDelete:
			b.WriteString(del(p.Text))
		case diff.OpInsert:
			b.WriteString(ins(p.Text))
		default:
			b.WriteString(p.Text)
		}
	}
	return b.String()
}
