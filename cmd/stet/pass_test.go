package main

import (
	"os"
	"strings"
	"testing"
)

// seedArticle returns the seed article's headline and body.
func seedArticle(t *testing.T) (headline, body string) {
	t.Helper()
	b, err := os.ReadFile("testdata/seed-article.txt")
	if err != nil {
		t.Fatal(err)
	}
	headline, body, _ = strings.Cut(strings.TrimSpace(string(b)), "\n\n")
	return headline, body
}

// seedTitleCorrected is the seed article after a correction of Rubio's title.
func seedTitleCorrected(body string) string {
	return strings.Replace(body, "a United States Senator from Florida", "the United States Secretary of State", 1)
}
