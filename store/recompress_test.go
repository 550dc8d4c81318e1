package store

import (
	"context"
	"testing"
	"time"

	"github.com/stet-news/stet/internal/testfeed"
)

// Revisions in the layout before schema 5 (headline in its column, every
// revision whole) are rewritten compact, read back the same, and a second
// run rewrites nothing.
func TestRecompress(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	f := mustFeed(t, s, "https://example.com/rss")
	seed := seedText(t)
	texts := []string{
		seed,
		testfeed.TitleCorrected(seed),
		testfeed.TitleCorrected(seed) + paraSep + "Correction appended.",
	}
	for i, text := range texts {
		pass(t, s, f.ID, t0.Add(time.Duration(i)*time.Hour), []Candidate{
			cand("g1", "https://example.com/a", "Headline one", text),
			cand("g2", "https://example.com/b", "Headline two", "A short article that never changes."),
		}, nil)
	}
	// Back to the old layout: headline in its column, every text whole.
	want := map[[2]int64]Revision{}
	for _, id := range []int64{1, 2} {
		revs, err := s.Revisions(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range revs {
			want[[2]int64{id, int64(r.Number)}] = r
			if _, err := s.write.ExecContext(ctx, `UPDATE revisions SET headline = ?, body = ? WHERE article_id = ? AND number = ?`,
				r.Headline, encodeText(r.Text), id, r.Number); err != nil {
				t.Fatal(err)
			}
		}
	}
	var before int64
	if err := s.read.QueryRowContext(ctx, `SELECT SUM(LENGTH(body) + COALESCE(LENGTH(headline), 0)) FROM revisions`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	st, err := s.Recompress(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Revisions != 3 || st.After >= st.Before { // the short one is no smaller with its headline inside
		t.Errorf("rewrote %+v, want 3 revisions smaller", st)
	}
	var after int64
	if err := s.read.QueryRowContext(ctx, `SELECT SUM(LENGTH(body) + COALESCE(LENGTH(headline), 0)) FROM revisions`).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if before-after != st.Before-st.After {
		t.Errorf("stored bytes %d → %d, stats say %+v", before, after, st)
	}
	var deltas int
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM revisions WHERE substr(body, 1, 1) = x'04'`).Scan(&deltas); err != nil || deltas != 2 {
		t.Errorf("deltas %d %v, want 2", deltas, err)
	}
	for _, id := range []int64{1, 2} {
		revs, err := s.Revisions(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range revs {
			w := want[[2]int64{id, int64(r.Number)}]
			if r.Headline != w.Headline || r.Text != w.Text || !r.FetchedAt.Equal(w.FetchedAt) {
				t.Errorf("article %d revision %d reads back different", id, r.Number)
			}
		}
	}
	if probs, err := s.Check(ctx); err != nil || len(probs) != 0 {
		t.Fatalf("check: %v %v", probs, err)
	}
	if st, err := s.Recompress(ctx); err != nil || st.Revisions != 0 {
		t.Errorf("second run: %+v %v, want nothing rewritten", st, err)
	}
	// The next edit goes on from the compact revisions.
	next := texts[2] + paraSep + "Second correction."
	plan, _ := pass(t, s, f.ID, t0.Add(5*time.Hour), []Candidate{cand("g1", "https://example.com/a", "Headline one", next)}, nil)
	if len(plan.Pending) != 1 || plan.Pending[0].PrevText != texts[2] || plan.Pending[0].baseNumber != 1 {
		t.Fatalf("pass after recompress: %+v", plan.Pending)
	}
}
