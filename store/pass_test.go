package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestPassRoundTrip(t *testing.T) {
	ctx := context.Background()
	eachStore(t, func(t *testing.T, s *Store) {
		f := mustFeed(t, s, "https://example.com/rss")

		a := cand("g1", "https://example.com/a", "Senator speaks", `“We can help,” Marsh said.`)
		plan, st := pass(t, s, f.ID, t0, []Candidate{a}, nil)
		if got, want := st, (SaveStats{NewArticles: 1, NewRevisions: 1}); got != want {
			t.Fatalf("first pass: got %+v, want %+v", got, want)
		}
		if len(plan.Pending) != 1 || plan.Pending[0].ArticleID != 0 || plan.Pending[0].PrevNumber != 0 {
			t.Fatalf("first plan: %+v", plan)
		}

		// Same content: nothing new, the article is seen.
		plan, st = pass(t, s, f.ID, t0.Add(time.Hour), []Candidate{a}, nil)
		if len(plan.Pending) != 0 || len(plan.Seen) != 1 {
			t.Fatalf("unchanged plan: got %d pending, %d seen", len(plan.Pending), len(plan.Seen))
		}
		if st != (SaveStats{}) {
			t.Fatalf("unchanged pass: got %+v", st)
		}

		// Changed: revision 2, previous text given back, changes stored.
		b := a
		b.Text = `“We can help a lot,” Marsh said.`
		b.Hash = hashOf(b.Headline, b.Text)
		edit := func(p Pending) []ChangeInput {
			return []ChangeInput{{Kind: "quote_edited", Person: "Elena Marsh", Before: "We can help,", After: "We can help a lot,"}}
		}
		plan, err := s.Prepare(ctx, f.ID, []Candidate{b})
		if err != nil {
			t.Fatal(err)
		}
		if len(plan.Pending) != 1 {
			t.Fatalf("changed plan: %+v", plan)
		}
		p := plan.Pending[0]
		if p.PrevNumber != 1 || p.PrevText != a.Text || p.PrevHeadline != a.Headline || p.ArticleID == 0 || p.RevertOf != 0 {
			t.Fatalf("changed pending: got %+v", p)
		}
		r := result(f.ID, t0.Add(2*time.Hour), plan, edit)
		st, err = s.SaveFetch(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := st, (SaveStats{NewRevisions: 1, NewChanges: 1}); got != want {
			t.Fatalf("changed pass: got %+v, want %+v", got, want)
		}
		// A retry of the same save (a crash after commit) adds nothing.
		st, err = s.SaveFetch(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		if st != (SaveStats{}) {
			t.Fatalf("retried save: got %+v, want nothing", st)
		}

		revs, err := s.Revisions(ctx, p.ArticleID)
		if err != nil {
			t.Fatal(err)
		}
		if len(revs) != 2 || revs[0].Text != a.Text || revs[1].Text != b.Text || revs[1].Number != 2 {
			t.Fatalf("revisions: %+v", revs)
		}
		if !revs[1].FetchedAt.Equal(t0.Add(2 * time.Hour)) {
			t.Errorf("fetched at: got %v", revs[1].FetchedAt)
		}
		chs, err := s.Changes(ctx, ChangeFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(chs) != 1 {
			t.Fatalf("changes: got %d, want 1", len(chs))
		}
		c := chs[0]
		if c.FromRev != 1 || c.ToRev != 2 || c.Kind != "quote_edited" || c.Person != "Elena Marsh" ||
			c.ArticleURL != a.Link || c.FeedURL != f.URL || c.Headline != a.Headline || !c.DetectedAt.Equal(t0.Add(2*time.Hour)) {
			t.Errorf("change: got %+v", c)
		}

		// Revert: A again equals revision 1, which is not the latest.
		plan, err = s.Prepare(ctx, f.ID, []Candidate{a})
		if err != nil {
			t.Fatal(err)
		}
		if len(plan.Pending) != 1 || plan.Pending[0].RevertOf != 1 || plan.Pending[0].PrevNumber != 2 {
			t.Fatalf("revert plan: %+v", plan.Pending)
		}
		if _, err := s.SaveFetch(ctx, result(f.ID, t0.Add(3*time.Hour), plan, nil)); err != nil {
			t.Fatal(err)
		}
		revs, _ = s.Revisions(ctx, p.ArticleID)
		if len(revs) != 3 || revs[2].RevertOf != 1 {
			t.Fatalf("after revert: %+v", revs)
		}

		fs, err := s.FeedStatuses(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(fs) != 1 || fs[0].Articles != 1 || fs[0].Revisions != 3 || fs[0].ETag != `"e"` || fs[0].LastStatus != 200 {
			t.Errorf("status: %+v", fs)
		}
		if probs, err := s.Check(ctx); err != nil || len(probs) != 0 {
			t.Errorf("check: %v %v", probs, err)
		}
	})
}

func TestSaveSkipsStaleRevision(t *testing.T) {
	ctx := context.Background()
	eachStore(t, func(t *testing.T, s *Store) {
		f := mustFeed(t, s, "https://example.com/rss")
		a := cand("g1", "https://example.com/a", "H", "one")
		pass(t, s, f.ID, t0, []Candidate{a}, nil)
		b := a
		b.Text, b.Hash = "two", hashOf("H", "two")
		plan, _ := s.Prepare(ctx, f.ID, []Candidate{b})
		// Another save made revision 2 in between: this one is skipped.
		c := a
		c.Text, c.Hash = "three", hashOf("H", "three")
		pass(t, s, f.ID, t0.Add(time.Minute), []Candidate{c}, nil)
		st, err := s.SaveFetch(ctx, result(f.ID, t0.Add(2*time.Minute), plan, nil))
		if err != nil {
			t.Fatal(err)
		}
		if st.NewRevisions != 0 {
			t.Fatalf("stale save: got %+v", st)
		}
		revs, _ := s.Revisions(ctx, plan.Pending[0].ArticleID)
		if len(revs) != 2 || revs[1].Text != "three" {
			t.Fatalf("revisions: %+v", revs)
		}
	})
}

func TestRetriedSaveOfNewArticles(t *testing.T) {
	ctx := context.Background()
	eachStore(t, func(t *testing.T, s *Store) {
		f := mustFeed(t, s, "https://example.com/rss")
		plan, err := s.Prepare(ctx, f.ID, []Candidate{
			cand("g1", "https://example.com/a", "A", "one"),
			cand("g2", "https://example.com/b", "B", "two"),
		})
		if err != nil {
			t.Fatal(err)
		}
		r := result(f.ID, t0, plan, nil)
		if st, err := s.SaveFetch(ctx, r); err != nil || st != (SaveStats{NewArticles: 2, NewRevisions: 2}) {
			t.Fatalf("first save: %+v %v", st, err)
		}
		// The same save again (a crash after commit): nothing added.
		r.At = t0.Add(time.Minute)
		if st, err := s.SaveFetch(ctx, r); err != nil || st != (SaveStats{}) {
			t.Fatalf("retried save: %+v %v", st, err)
		}
		if st, _ := s.Stats(ctx); st.Articles != 2 || st.Revisions != 2 {
			t.Errorf("after retry: %d articles, %d revisions; want 2, 2", st.Articles, st.Revisions)
		}
		a, err := s.ArticleByURL(ctx, "https://example.com/a")
		if err != nil || !a.LastSeen.Equal(t0.Add(time.Minute)) || !a.InFeed {
			t.Errorf("article after retry: %+v %v", a, err)
		}
		if problems, err := s.Check(ctx); err != nil || len(problems) > 0 {
			t.Errorf("check: %v %v", problems, err)
		}
	})
}

func TestInFeed(t *testing.T) {
	ctx := context.Background()
	eachStore(t, func(t *testing.T, s *Store) {
		f := mustFeed(t, s, "https://example.com/rss")
		a := cand("a", "https://example.com/a", "A", "a text")
		b := cand("b", "https://example.com/b", "B", "b text")
		pass(t, s, f.ID, t0, []Candidate{a, b}, nil)
		pass(t, s, f.ID, t0.Add(time.Hour), []Candidate{b}, nil)
		arts, err := s.Articles(ctx, f.ID, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, x := range arts {
			got[x.Key] = x.InFeed
		}
		if got["a"] || !got["b"] {
			t.Errorf("in feed: got %v, want a=false b=true", got)
		}
		// Back in the feed.
		pass(t, s, f.ID, t0.Add(2*time.Hour), []Candidate{a, b}, nil)
		x, err := s.ArticleByURL(ctx, "https://example.com/a")
		if err != nil {
			t.Fatal(err)
		}
		if !x.InFeed || !x.LastSeen.Equal(t0.Add(2*time.Hour)) || !x.FirstSeen.Equal(t0) {
			t.Errorf("article a: %+v", x)
		}
	})
}

func TestGUIDChurn(t *testing.T) {
	ctx := context.Background()
	eachStore(t, func(t *testing.T, s *Store) {
		f := mustFeed(t, s, "https://example.com/rss")
		link := "https://example.com/story"
		pass(t, s, f.ID, t0, []Candidate{cand("guid-1", link, "H", "text one")}, nil)

		// The GUID changes with an edit; the old GUID left the feed: same article.
		plan, st := pass(t, s, f.ID, t0.Add(time.Hour), []Candidate{cand("guid-2", link, "H", "text two")}, nil)
		if st.NewArticles != 0 || st.NewRevisions != 1 || plan.Pending[0].PrevNumber != 1 {
			t.Fatalf("churn with edit: stats %+v, plan %+v", st, plan)
		}
		id := plan.Pending[0].ArticleID
		a, err := s.Article(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if a.Key != "guid-2" || a.GUID != "guid-2" || a.Revisions != 2 {
			t.Errorf("article after churn: %+v", a)
		}

		// The GUID changes without an edit: seen, and the key follows.
		plan, st = pass(t, s, f.ID, t0.Add(2*time.Hour), []Candidate{cand("guid-3", link, "H", "text two")}, nil)
		if st != (SaveStats{}) || len(plan.Seen) != 1 || plan.Seen[0] != id {
			t.Fatalf("churn without edit: stats %+v plan %+v", st, plan)
		}
		if a, _ = s.Article(ctx, id); a.Key != "guid-3" {
			t.Errorf("key after moved: got %q", a.Key)
		}

		// Two items with distinct GUIDs and the same link, the old GUID still in
		// the feed: two articles.
		plan, st = pass(t, s, f.ID, t0.Add(3*time.Hour), []Candidate{
			cand("guid-3", link, "H", "text two"),
			cand("guid-4", link, "Other", "other text"),
		}, nil)
		if st.NewArticles != 1 {
			t.Fatalf("repeated link: stats %+v", st)
		}
		// Old GUID gone, two new GUIDs sharing its link: only the first takes it.
		plan, st = pass(t, s, f.ID, t0.Add(4*time.Hour), []Candidate{
			cand("guid-5", link, "H", "text two"),
			cand("guid-4", link, "Other", "other text"),
		}, nil)
		if st.NewArticles != 0 || len(plan.Seen) != 2 {
			t.Fatalf("churn beside repeated link: stats %+v plan %+v", st, plan)
		}

		// Canonical identity: a new key and a new link, but the same canonical URL.
		c := cand("guid-9", "https://m.example.com/story?amp", "H", "text two")
		c.Canonical = "https://example.com/canon"
		c0 := cand("guid-8", "https://example.com/x", "X", "x")
		c0.Canonical = "https://example.com/canon"
		pass(t, s, f.ID, t0.Add(5*time.Hour), []Candidate{c0}, nil)
		plan, st = pass(t, s, f.ID, t0.Add(6*time.Hour), []Candidate{c}, nil)
		if st.NewArticles != 0 || len(plan.Pending) != 1 || plan.Pending[0].PrevText != "x" {
			t.Fatalf("canonical: stats %+v plan %+v", st, plan)
		}
	})
}

func TestDuplicateCandidates(t *testing.T) {
	eachStore(t, func(t *testing.T, s *Store) {
		f := mustFeed(t, s, "https://example.com/rss")
		a := cand("g", "https://example.com/a", "H", "t")
		plan, st := pass(t, s, f.ID, t0, []Candidate{a, a}, nil)
		if len(plan.Pending) != 1 || st.NewArticles != 1 || st.NewRevisions != 1 {
			t.Fatalf("repeated item: plan %d pending, stats %+v", len(plan.Pending), st)
		}
	})
}

func TestFeedsStayApart(t *testing.T) {
	ctx := context.Background()
	eachStore(t, func(t *testing.T, s *Store) {
		f1 := mustFeed(t, s, "https://one.example/rss")
		f2 := mustFeed(t, s, "https://two.example/rss")
		pass(t, s, f1.ID, t0, []Candidate{cand("42", "https://one.example/42", "One", "first feed's story")}, nil)
		plan, st := pass(t, s, f2.ID, t0, []Candidate{cand("42", "https://one.example/42", "Two", "second feed's story")}, nil)
		if st.NewArticles != 1 || plan.Pending[0].ArticleID != 0 {
			t.Fatalf("second feed: %+v %+v", st, plan)
		}
		for _, f := range []Feed{f1, f2} {
			arts, err := s.Articles(ctx, f.ID, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(arts) != 1 || arts[0].Revisions != 1 || arts[0].FeedID != f.ID {
				t.Errorf("feed %d articles: %+v", f.ID, arts)
			}
		}
		// The second feed's article is not in the first feed.
		if _, err := s.SaveFetch(ctx, FetchResult{FeedID: f1.ID, At: t0, Seen: nil, Revisions: []NewRevision{{
			Pending: Pending{Candidate: cand("43", "", "x", "y"), ArticleID: plan.Pending[0].ArticleID + 100},
		}}}); err == nil {
			t.Errorf("saving a revision to an unknown article: no error")
		}
	})
}

func TestRecordFetch(t *testing.T) {
	ctx := context.Background()
	eachStore(t, func(t *testing.T, s *Store) {
		f := mustFeed(t, s, "https://example.com/rss")
		pass(t, s, f.ID, t0, nil, nil)
		// A failure keeps the validators.
		err := s.RecordFetch(ctx, FetchRecord{FeedID: f.ID, At: t0.Add(time.Hour), Status: 503, Err: "feeds: status 503",
			NextFetch: t0.Add(2 * time.Hour), Failures: 1, FetchURL: "https://new.example.com/rss"})
		if err != nil {
			t.Fatal(err)
		}
		g, err := s.FeedByURL(ctx, f.URL)
		if err != nil {
			t.Fatal(err)
		}
		if g.ETag != `"e"` || g.LastError != "feeds: status 503" || g.Failures != 1 || g.FetchURL != "https://new.example.com/rss" ||
			!g.NextFetch.Equal(t0.Add(2*time.Hour)) || !g.LastFetch.Equal(t0.Add(time.Hour)) || g.LastStatus != 503 {
			t.Errorf("feed after failure: %+v", g)
		}
		if _, err := s.FeedByURL(ctx, "https://nope.example/"); err == nil {
			t.Error("unknown feed: no error")
		}
		if err := s.RecordFetch(ctx, FetchRecord{FeedID: 999, At: t0}); err == nil {
			t.Error("unknown feed id: no error")
		}
		// The name is updated, the feed is the same.
		h, err := s.EnsureFeed(ctx, f.URL, "Example")
		if err != nil || h.ID != f.ID || h.Name != "Example" || h.ETag != `"e"` {
			t.Errorf("ensure again: %+v %v", h, err)
		}
	})
}

func TestRecordFetches(t *testing.T) {
	ctx := context.Background()
	eachStore(t, func(t *testing.T, s *Store) {
		f := mustFeed(t, s, "https://one.example/rss")
		g := mustFeed(t, s, "https://two.example/rss")
		pass(t, s, f.ID, t0, nil, nil)
		if err := s.RecordFetches(ctx, nil); err != nil {
			t.Fatalf("no records: %v", err)
		}
		at := t0.Add(time.Hour)
		recs := []FetchRecord{
			{FeedID: f.ID, At: at, Status: 304, NextFetch: at.Add(time.Hour)},
			{FeedID: 999, At: at, Status: 304},
			{FeedID: g.ID, At: at, Status: 503, Err: "feeds: status 503", Failures: 1},
			{FeedID: g.ID, At: at, Status: 503, Err: "feeds: status 503", Failures: 2}, // the later one stands
		}
		err := s.RecordFetches(ctx, recs)
		if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "999") {
			t.Fatalf("a missing feed: got %v, want ErrNotFound naming 999", err)
		}
		ff, _ := s.FeedByURL(ctx, f.URL)
		if ff.LastStatus != 304 || !ff.LastFetch.Equal(at) || ff.ETag != `"e"` || !ff.NextFetch.Equal(at.Add(time.Hour)) {
			t.Errorf("feed after 304: %+v", ff)
		}
		gg, _ := s.FeedByURL(ctx, g.URL)
		if gg.LastStatus != 503 || gg.Failures != 2 || gg.LastError != "feeds: status 503" {
			t.Errorf("feed after failures: %+v", gg)
		}
		if err := s.RecordFetches(ctx, recs[:1]); err != nil {
			t.Errorf("one record: %v", err)
		}
	})
}

func TestChangesFilter(t *testing.T) {
	ctx := context.Background()
	eachStore(t, func(t *testing.T, s *Store) {
		f := mustFeed(t, s, "https://example.com/rss")
		g := mustFeed(t, s, "https://other.example/rss")
		var want []ChangeInput
		for i := 0; i < 3; i++ {
			c := cand(fmt.Sprint(i), fmt.Sprintf("https://example.com/%d", i), "H", "v1")
			pass(t, s, f.ID, t0, []Candidate{c}, nil)
			c.Text, c.Hash = "v2", hashOf("H", "v2")
			ci := ChangeInput{Kind: "title_changed", Person: []string{"Jürgen Müller", "Elena Marsh", "Ann_100%"}[i], Before: "a", After: "b"}
			want = append(want, ci)
			pass(t, s, f.ID, t0.Add(time.Duration(i+1)*time.Hour), []Candidate{c}, func(Pending) []ChangeInput {
				return []ChangeInput{ci, {Kind: "headline_changed", Before: "x", After: "y"}}
			})
		}
		c := cand("o", "https://other.example/o", "H", "v1")
		pass(t, s, g.ID, t0, []Candidate{c}, nil)
		c.Text, c.Hash = "v2", hashOf("H", "v2")
		pass(t, s, g.ID, t0.Add(time.Hour), []Candidate{c}, func(Pending) []ChangeInput {
			return []ChangeInput{{Kind: "quote_added", Person: "Elena Marsh", After: "q"}}
		})

		count := func(f ChangeFilter) int {
			t.Helper()
			rows, err := s.Changes(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			return len(rows)
		}
		for _, tc := range []struct {
			name string
			f    ChangeFilter
			want int
		}{
			{"all", ChangeFilter{}, 7},
			{"person substring any case", ChangeFilter{Person: "MARSH"}, 2},
			{"person non-ascii", ChangeFilter{Person: "MÜLLER"}, 1},
			{"person wildcard is literal", ChangeFilter{Person: "_100%"}, 1},
			{"person wildcard matches nothing else", ChangeFilter{Person: "%"}, 1},
			{"kind", ChangeFilter{Kind: "headline_changed"}, 3},
			{"feed", ChangeFilter{FeedURL: g.URL}, 1},
			{"since", ChangeFilter{Since: t0.Add(2 * time.Hour)}, 4},
			{"limit", ChangeFilter{Limit: 2}, 2},
			{"unsent", ChangeFilter{Unsent: true}, 7},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if got := count(tc.f); got != tc.want {
					t.Errorf("got %d, want %d", got, tc.want)
				}
			})
		}
		asc, _ := s.Changes(ctx, ChangeFilter{})
		desc, _ := s.Changes(ctx, ChangeFilter{Desc: true, Limit: 3})
		if desc[0].ID != asc[len(asc)-1].ID || len(desc) != 3 {
			t.Errorf("desc: first %d, want %d", desc[0].ID, asc[len(asc)-1].ID)
		}
		page, _ := s.Changes(ctx, ChangeFilter{AfterID: asc[1].ID, Limit: 2})
		if len(page) != 2 || page[0].ID != asc[2].ID {
			t.Errorf("after id: %+v", page)
		}
		page, _ = s.Changes(ctx, ChangeFilter{BeforeID: asc[2].ID, Desc: true})
		if len(page) != 2 || page[0].ID != asc[1].ID {
			t.Errorf("before id: %+v", page)
		}
		page, _ = s.Changes(ctx, ChangeFilter{ArticleID: asc[0].ArticleID})
		if len(page) != 2 {
			t.Errorf("article: got %d", len(page))
		}
	})
}

func TestChangesNeedPreviousRevision(t *testing.T) {
	eachStore(t, func(t *testing.T, s *Store) {
		f := mustFeed(t, s, "https://example.com/rss")
		_, err := s.SaveFetch(context.Background(), FetchResult{FeedID: f.ID, At: t0, Revisions: []NewRevision{{
			Pending: Pending{Candidate: cand("g", "", "H", "t")},
			Changes: []ChangeInput{{Kind: "quote_added"}},
		}}})
		if err == nil {
			t.Fatal("changes on a new article: no error")
		}
	})
}

func TestSaveFetchIsOneTransaction(t *testing.T) {
	ctx := context.Background()
	eachStore(t, func(t *testing.T, s *Store) {
		f := mustFeed(t, s, "https://example.com/rss")
		g := mustFeed(t, s, "https://other.example/rss")
		pass(t, s, g.ID, t0, []Candidate{cand("x", "https://other.example/x", "X", "x")}, nil)
		other, _ := s.ArticleByURL(ctx, "https://other.example/x")

		plan, err := s.Prepare(ctx, f.ID, []Candidate{cand("a", "https://example.com/a", "A", "a")})
		if err != nil {
			t.Fatal(err)
		}
		r := result(f.ID, t0.Add(time.Hour), plan, nil)
		// The second revision claims an article of another feed: the save fails
		// as a whole.
		r.Revisions = append(r.Revisions, NewRevision{Pending: Pending{
			Candidate: cand("x", "https://other.example/x", "X", "changed"), ArticleID: other.ID, PrevNumber: 1,
		}})
		if _, err := s.SaveFetch(ctx, r); err == nil {
			t.Fatal("save with an article of another feed: no error")
		}
		st, _ := s.Stats(ctx)
		if st.Articles != 1 || st.Revisions != 1 {
			t.Errorf("failed save left %d articles, %d revisions; want 1, 1", st.Articles, st.Revisions)
		}
		ff, _ := s.FeedByURL(ctx, f.URL)
		if !ff.LastFetch.IsZero() || ff.ETag != "" {
			t.Errorf("failed save recorded the fetch: %+v", ff)
		}
	})
}

func TestTwoWritersWait(t *testing.T) {
	ctx := context.Background()
	eachStore(t, func(t *testing.T, s1 *Store) {
		s2, err := Open(ctx, s1.Path())
		if err != nil {
			t.Fatal(err)
		}
		defer s2.Close()
		f1 := mustFeed(t, s1, "https://one.example/rss")
		f2 := mustFeed(t, s2, "https://two.example/rss")
		var rounds [][]Candidate
		for round := 0; round < 5; round++ {
			rounds = append(rounds, feedCandidates(t, 20, round))
		}
		errs := make(chan error, 2)
		for _, w := range []struct {
			s *Store
			f Feed
		}{{s1, f1}, {s2, f2}} {
			go func() {
				for round := 0; round < 5; round++ {
					plan, err := w.s.Prepare(ctx, w.f.ID, rounds[round])
					if err == nil {
						_, err = w.s.SaveFetch(ctx, result(w.f.ID, t0.Add(time.Duration(round)*time.Hour), plan, nil))
					}
					if err != nil {
						errs <- err
						return
					}
				}
				errs <- nil
			}()
		}
		for i := 0; i < 2; i++ {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		if st, _ := s1.Stats(ctx); st.Revisions != 200 {
			t.Errorf("revisions: got %d, want 200", st.Revisions)
		}
	})
}
