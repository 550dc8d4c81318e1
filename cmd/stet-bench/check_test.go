package main

import (
	"testing"

	"github.com/stet-news/stet/internal/farm"
)

func TestScoreExtraction(t *testing.T) {
	a := farm.Generate(1, 0, 0)
	full := extraction{}
	for _, q := range a.Quotes {
		full.Quotes = append(full.Quotes, struct {
			Text    string `json:"text"`
			Speaker string `json:"speaker"`
			Partial bool   `json:"partial"`
		}{Speaker: a.People[q.Speaker].Name()})
	}
	for _, p := range a.People {
		full.Titles = append(full.Titles, struct {
			Person string `json:"person"`
			Title  string `json:"title"`
		}{Person: p.Name(), Title: "the " + p.TitleText()})
	}
	surnameOnly := full
	surnameOnly.Quotes = append(surnameOnly.Quotes[:0:0], full.Quotes...)
	surnameOnly.Quotes[0].Speaker = a.People[a.Quotes[0].Speaker].Last
	tests := []struct {
		name                   string
		got                    extraction
		wantQuotes, wantTitles int
		wantMismatch           bool
	}{
		{"everything", full, len(a.Quotes), len(a.People), false},
		{"nothing", extraction{}, 0, 0, true},
		{"a speaker by surname only", surnameOnly, len(a.Quotes) - 1, len(a.People), true},
		{"titles only", extraction{Titles: full.Titles}, 0, len(a.People), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sc extractScore
			scoreExtraction(a, tt.got, &sc)
			if sc.Quotes != len(a.Quotes) || sc.Titles != len(a.People) {
				t.Errorf("counted %d quotes and %d titles, want %d and %d", sc.Quotes, sc.Titles, len(a.Quotes), len(a.People))
			}
			if sc.QuotesFound != tt.wantQuotes || sc.TitlesFound != tt.wantTitles {
				t.Errorf("found %d quotes and %d titles, want %d and %d", sc.QuotesFound, sc.TitlesFound, tt.wantQuotes, tt.wantTitles)
			}
			if (len(sc.Mismatches) > 0) != tt.wantMismatch {
				t.Errorf("mismatches %v, want some: %v", sc.Mismatches, tt.wantMismatch)
			}
		})
	}
}
