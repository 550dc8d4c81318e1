package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/stet-news/stet/internal/farm"
)

// The checks below run stet's pure commands (extract, diff) on a sample of
// generated articles, so a reader can tell whether the generator's quotes
// and titles are ones stet's extraction sees, independently of `stet once`.

type extraction struct {
	Quotes []struct {
		Text    string `json:"text"`
		Speaker string `json:"speaker"`
		Partial bool   `json:"partial"`
	} `json:"quotes"`
	Titles []struct {
		Person string `json:"person"`
		Title  string `json:"title"`
	} `json:"titles"`
}

// extractScore counts what `stet extract` found of an article's quotes
// (by speaker) and titles (by person and title).
type extractScore struct {
	Quotes, QuotesFound, QuotesReported int
	Titles, TitlesFound, TitlesReported int
	Mismatches                          []string
}

func normTitle(s string) string {
	s = farm.NormName(s)
	for _, p := range []string{"the ", "a ", "an "} {
		s = strings.TrimPrefix(s, p)
	}
	return s
}

// scoreExtraction compares an extraction with what article a states.
func scoreExtraction(a *farm.Article, got extraction, sc *extractScore) {
	speakers := map[string]int{}
	for _, q := range a.Quotes {
		speakers[farm.NormName(a.People[q.Speaker].Name())]++
		sc.Quotes++
	}
	sc.QuotesReported += len(got.Quotes)
	for _, q := range got.Quotes {
		k := farm.NormName(q.Speaker)
		if speakers[k] > 0 {
			speakers[k]--
			sc.QuotesFound++
		} else if len(sc.Mismatches) < 10 {
			sc.Mismatches = append(sc.Mismatches, fmt.Sprintf("%s: extra quote %q by %q", a.Link, q.Text, q.Speaker))
		}
	}
	for k, n := range speakers {
		if n > 0 && len(sc.Mismatches) < 10 {
			sc.Mismatches = append(sc.Mismatches, fmt.Sprintf("%s: %d quote(s) by %q not found", a.Link, n, k))
		}
	}
	titles := map[string]bool{}
	for _, p := range a.People {
		titles[farm.NormName(p.Name())+"|"+normTitle(p.TitleText())] = true
		sc.Titles++
	}
	sc.TitlesReported += len(got.Titles)
	for _, t := range got.Titles {
		k := farm.NormName(t.Person) + "|" + normTitle(t.Title)
		if titles[k] {
			delete(titles, k)
			sc.TitlesFound++
		} else if len(sc.Mismatches) < 10 {
			sc.Mismatches = append(sc.Mismatches, fmt.Sprintf("%s: extra title %q for %q", a.Link, t.Title, t.Person))
		}
	}
	for k := range titles {
		if len(sc.Mismatches) < 10 {
			sc.Mismatches = append(sc.Mismatches, fmt.Sprintf("%s: title not found: %s", a.Link, k))
		}
	}
}

// sampleArticles picks n articles spread over the farm's shape.
func sampleArticles(seed uint64, F, I, n int) []*farm.Article {
	r := rand.New(rand.NewPCG(seed, 0x5a3b1e))
	var out []*farm.Article
	for range n {
		out = append(out, farm.Generate(seed, r.IntN(F), r.IntN(I)))
	}
	return out
}

// checkExtract runs `stet extract --json` on sample articles.
func (s *stet) checkExtract(ctx context.Context, dir string, arts []*farm.Article) (extractScore, error) {
	var sc extractScore
	for k, a := range arts {
		file := filepath.Join(dir, fmt.Sprintf("extract-%d.txt", k))
		if err := os.WriteFile(file, []byte(a.Text()), 0o600); err != nil {
			return sc, err
		}
		out, err := s.output(ctx, "extract", "--json", file)
		if err != nil {
			return sc, err
		}
		var got extraction
		if err := json.Unmarshal(out, &got); err != nil {
			return sc, fmt.Errorf("bench: stet extract %s: %w", file, err)
		}
		scoreExtraction(a, got, &sc)
	}
	return sc, nil
}

// checkDiff edits sample articles (the kinds in turn) and runs
// `stet diff --json OLD NEW` on each pair.
func (s *stet) checkDiff(ctx context.Context, dir string, seed uint64, arts []*farm.Article) (farm.Score, error) {
	var edits []farm.Edit
	var got []farm.Reported
	for k, a := range arts {
		old := a.Text()
		b := farm.Generate(seed, a.Feed, a.Item)
		kind := farm.EditKinds[k%len(farm.EditKinds)]
		exp, err := b.ApplyEdit(kind, rand.New(rand.NewPCG(seed, uint64(k))))
		if err != nil {
			return farm.Score{}, err
		}
		name := fmt.Sprintf("diff-%d", k)
		oldFile, newFile := filepath.Join(dir, name+".old.txt"), filepath.Join(dir, name+".new.txt")
		if err := os.WriteFile(oldFile, []byte(old), 0o600); err != nil {
			return farm.Score{}, err
		}
		if err := os.WriteFile(newFile, []byte(b.Text()), 0o600); err != nil {
			return farm.Score{}, err
		}
		edits = append(edits, farm.Edit{Feed: a.Feed, Item: a.Item, Link: name, Kind: kind, Expect: exp})
		out, err := s.output(ctx, "diff", "--json", oldFile, newFile)
		if err != nil {
			return farm.Score{}, err
		}
		var res struct {
			Changes []farm.Reported `json:"changes"`
		}
		if err := json.Unmarshal(out, &res); err != nil {
			return farm.Score{}, fmt.Errorf("bench: stet diff %s: %w", name, err)
		}
		for _, c := range res.Changes {
			c.Article = name
			got = append(got, c)
		}
	}
	return farm.Compare(edits, got), nil
}
