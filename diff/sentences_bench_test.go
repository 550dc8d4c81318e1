package diff

import (
	"testing"

	"github.com/neurosnap/sentences/english"
)

// The hot path splits sentences with a hand-written splitter (sentenceEnds
// with the abbreviation list in data/abbrevs.txt). These benchmarks compare
// it with github.com/neurosnap/sentences on the same corpus.

func BenchmarkSentencesHandWritten(b *testing.B) {
	arts := corpus(b)
	var n int64
	for _, a := range arts {
		n += int64(len(a.Body))
	}
	b.SetBytes(n)
	for b.Loop() {
		for _, a := range arts {
			for _, p := range paragraphs(a.Body) {
				sentenceEnds(tokenize(p))
			}
		}
	}
}

func BenchmarkSentencesNeurosnap(b *testing.B) {
	tk, err := english.NewSentenceTokenizer(nil)
	if err != nil {
		b.Fatal(err)
	}
	arts := corpus(b)
	var n int64
	for _, a := range arts {
		n += int64(len(a.Body))
	}
	b.SetBytes(n)
	for b.Loop() {
		for _, a := range arts {
			for _, p := range paragraphs(a.Body) {
				tk.Tokenize(p)
			}
		}
	}
}

// TestSentenceSplitting checks the hand-written splitter on the cases that
// trouble splitters: U.S., Gov., initials, a.m., quotes after the stop.
func TestSentenceSplitting(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"The U.S. is willing to help. Mexico must ask.", 2},
		{"Gov. Celestina Marlowe signed it. She left.", 2},
		{"Hester C. Brancato spoke at 9 a.m. on Monday.", 1},
		{"“We are ready.” Smith said so.", 2},
		{"He lives in the U.S. He works in Mexico.", 2},
		{"Sen. Warren (D-Mass.) voted no.", 1},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			n := 0
			for _, e := range sentenceEnds(tokenize(tt.in)) {
				if e {
					n++
				}
			}
			if n != tt.want {
				t.Errorf("got %d sentences, want %d", n, tt.want)
			}
		})
	}
}
