package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stet-news/stet/internal/testpg"
)

var t0 = time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)

func openTest(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "stet.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func hashOf(headline, text string) string {
	return ContentHash(headline, text)
}

func cand(guid, link, headline, text string) Candidate {
	key := guid
	if key == "" {
		key = link
	}
	return Candidate{GUID: guid, Link: link, Key: key, Headline: headline, Text: text, Hash: hashOf(headline, text)}
}

func mustFeed(t testing.TB, s *Store, url string) Feed {
	t.Helper()
	f, err := s.EnsureFeed(context.Background(), url, "")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// pass runs Prepare and SaveFetch as the pipeline does; changes, when set,
// gives the changes of each pending candidate.
func pass(t testing.TB, s *Store, feedID int64, at time.Time, cands []Candidate, changes func(Pending) []ChangeInput) (Plan, SaveStats) {
	t.Helper()
	ctx := context.Background()
	plan, err := s.Prepare(ctx, feedID, cands)
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.SaveFetch(ctx, result(feedID, at, plan, changes))
	if err != nil {
		t.Fatal(err)
	}
	return plan, st
}

func result(feedID int64, at time.Time, plan Plan, changes func(Pending) []ChangeInput) FetchResult {
	r := FetchResult{
		Fetch:  &FetchRecord{FeedID: feedID, At: at, Status: 200, ETag: `"e"`, NextFetch: at.Add(30 * time.Minute)},
		FeedID: feedID, At: at, Seen: plan.Seen, Moved: plan.Moved,
	}
	for _, p := range plan.Pending {
		nr := NewRevision{Pending: p}
		if changes != nil && p.PrevNumber > 0 {
			nr.Changes = changes(p)
		}
		r.Revisions = append(r.Revisions, nr)
	}
	return r
}

// eachStore runs fn on a new SQLite store and on a new PostgreSQL store
// (internal/testpg; that subtest is skipped when no server can be had):
// the behaviour the store promises is the same on both.
func eachStore(t *testing.T, fn func(t *testing.T, s *Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, openTest(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, openPG(t)) })
}

// openPG opens a store on a fresh PostgreSQL database.
func openPG(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), testpg.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
