package store

import (
	"context"
	"testing"
	"time"
)

// A GUID or link equal to the key is stored as NULL (schema 5) and still
// reads back, finds the article by link, and survives the key moving.
func TestIdentityStoredOnce(t *testing.T) {
	ctx := context.Background()
	eachStore(t, func(t *testing.T, s *Store) {
		f := mustFeed(t, s, "https://example.com/rss")
		const link = "https://example.com/2026/11/story"
		// No GUID: the link is the key.
		a := cand("", link, "H", "text")
		pass(t, s, f.ID, t0, []Candidate{a}, nil)
		var guid, url any
		if err := s.read.QueryRowContext(ctx, `SELECT guid, url FROM articles`).Scan(&guid, &url); err != nil || guid != "" || url != nil {
			t.Fatalf("stored guid %#v url %#v (%v), want '' and NULL", guid, url, err)
		}
		// The feed starts giving GUIDs: the article is found by its link and
		// its key moves to the GUID; the link, no longer the key, is stored.
		b := cand("urn:story:1", link, "H", "text")
		plan, st := pass(t, s, f.ID, t0.Add(time.Hour), []Candidate{b}, nil)
		if len(plan.Seen) != 1 || len(plan.Moved) != 1 || st.NewArticles != 0 {
			t.Fatalf("GUID added: plan %+v stats %+v", plan, st)
		}
		art, err := s.Article(ctx, plan.Seen[0])
		if err != nil || art.Key != "urn:story:1" || art.GUID != "urn:story:1" || art.URL != link {
			t.Fatalf("after the key moved: %+v %v", art, err)
		}
		if err := s.read.QueryRowContext(ctx, `SELECT guid, url FROM articles`).Scan(&guid, &url); err != nil || guid != nil || url != link {
			t.Fatalf("stored guid %#v url %#v (%v), want NULL and the link", guid, url, err)
		}
		// A move without a new GUID keeps the old one, though it was "the key".
		c := cand("", link+"?v=2", "H", "text")
		c.Key = c.Link
		if _, err := s.SaveFetch(ctx, FetchResult{FeedID: f.ID, At: t0.Add(2 * time.Hour),
			Moved: []Moved{{ArticleID: art.ID, Candidate: c}}, Fetch: &FetchRecord{Status: 200}}); err != nil {
			t.Fatal(err)
		}
		if art, err = s.Article(ctx, art.ID); err != nil || art.Key != c.Link || art.GUID != "urn:story:1" || art.URL != c.Link {
			t.Fatalf("after a move without GUID: %+v %v", art, err)
		}
		if byURL, err := s.ArticleByURL(ctx, c.Link); err != nil || byURL.ID != art.ID {
			t.Fatalf("by URL equal to the key: %+v %v", byURL, err)
		}
		// A move to a GUID without a link: the old key becomes the stored link,
		// indexed, and the article is found by it.
		d := Candidate{GUID: "urn:story:2", Key: "urn:story:2", Headline: "H", Text: "text", Hash: hashOf("H", "text")}
		if _, err := s.SaveFetch(ctx, FetchResult{FeedID: f.ID, At: t0.Add(3 * time.Hour),
			Moved: []Moved{{ArticleID: art.ID, Candidate: d}}, Fetch: &FetchRecord{Status: 200}}); err != nil {
			t.Fatal(err)
		}
		if art, err = s.Article(ctx, art.ID); err != nil || art.Key != d.Key || art.GUID != d.GUID || art.URL != c.Link {
			t.Fatalf("after a move without a link: %+v %v", art, err)
		}
		e := cand("urn:story:3", c.Link, "H", "text")
		plan, _ = pass(t, s, f.ID, t0.Add(4*time.Hour), []Candidate{e}, nil)
		if len(plan.Moved) != 1 || plan.Moved[0].ArticleID != art.ID {
			t.Fatalf("by its link after a move without a link: %+v", plan)
		}
		if probs, err := s.Check(ctx); err != nil || len(probs) != 0 {
			t.Fatalf("check: %v %v", probs, err)
		}
	})
}

// Dates in the common layouts are stored as a layout number and come back
// byte for byte; others are stored as written.
func TestDateForms(t *testing.T) {
	ctx := context.Background()
	eachStore(t, func(t *testing.T, s *Store) {
		f := mustFeed(t, s, "https://example.com/rss")
		pub := time.Date(2026, 11, 2, 12, 13, 0, 0, time.UTC)
		for i, tt := range []struct {
			raw      string
			pub      time.Time
			wantForm int
		}{
			{"Mon, 02 Nov 2026 12:13:00 +0000", pub, 1},
			{"Mon, 02 Nov 2026 12:13:00 GMT", pub, 2},
			{"2026-11-02T12:13:00Z", pub, 3},
			{"2026-11-02T13:13:00+01:00", pub, 0},
			{"Mon, 02 Nov 2026 12:13:00 +0000", pub.Add(time.Second), 0}, // does not say published
			{"yesterday", time.Time{}, 0},
			{"", time.Time{}, 0},
		} {
			c := cand("g"+string(rune('a'+i)), "", "H", "text")
			c.DateRaw, c.Published = tt.raw, tt.pub
			pass(t, s, f.ID, t0, []Candidate{c}, nil)
			var raw string
			var form int
			if err := s.read.QueryRowContext(ctx, `SELECT date_raw, date_form FROM articles WHERE key = ?`, c.Key).Scan(&raw, &form); err != nil {
				t.Fatal(err)
			}
			if form != tt.wantForm || (form > 0) != (raw == "" && tt.raw != "") {
				t.Errorf("%q: stored %q form %d, want form %d", tt.raw, raw, form, tt.wantForm)
			}
			arts, err := s.Articles(ctx, f.ID, 0, 1)
			if err != nil || len(arts) != 1 || arts[0].DateRaw != tt.raw || !arts[0].Published.Equal(tt.pub) {
				t.Errorf("%q: read back %+v %v", tt.raw, arts, err)
			}
		}
	})
}

// A new database gets 8 KiB pages (the driver's pragma order would fix the
// default otherwise) and WAL mode.
func TestNewDatabasePageSize(t *testing.T) {
	s := openTest(t)
	var size int
	var mode string
	if err := s.read.QueryRow(`PRAGMA page_size`).Scan(&size); err != nil || size != pageSize {
		t.Errorf("page size %d %v, want %d", size, err, pageSize)
	}
	if err := s.read.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal mode %q %v, want wal", mode, err)
	}
}

// A one-line headline is stored in the body with the text; one with a line
// break keeps its column. Every reader gives the headline back.
func TestHeadlineInBody(t *testing.T) {
	ctx := context.Background()
	eachStore(t, func(t *testing.T, s *Store) {
		f := mustFeed(t, s, "https://example.com/rss")
		for i, h := range []string{"Mayor resigns after audit", "Two\nlines", "", "Ends with a break\n"} {
			key := "g" + string(rune('a'+i))
			pass(t, s, f.ID, t0, []Candidate{cand(key, "", h, "Body of "+key+".")}, nil)
			b := cand(key, "", h, "Body of "+key+", edited.")
			pass(t, s, f.ID, t0.Add(time.Hour), []Candidate{b}, func(Pending) []ChangeInput {
				return []ChangeInput{{Kind: "text_changed", Before: "a", After: "b"}}
			})
			var col any
			if err := s.read.QueryRowContext(ctx, `SELECT r.headline FROM revisions r JOIN articles a ON a.id = r.article_id
			WHERE a.key = ? AND r.number = 1`, key).Scan(&col); err != nil {
				t.Fatal(err)
			}
			if want := docable(h); (col == nil) != want {
				t.Errorf("%q: headline column %#v, want in the body: %v", h, col, want)
			}
			arts, err := s.Articles(ctx, f.ID, 0, 1)
			if err != nil || len(arts) != 1 || arts[0].Headline != h {
				t.Errorf("%q: Articles gives %+v %v", h, arts, err)
			}
			revs, err := s.Revisions(ctx, arts[0].ID)
			if err != nil || len(revs) != 2 || revs[0].Headline != h || revs[1].Headline != h || revs[1].Text != b.Text {
				t.Errorf("%q: Revisions gives %+v %v", h, revs, err)
			}
			chs, err := s.Changes(ctx, ChangeFilter{Desc: true, Limit: 1})
			if err != nil || len(chs) != 1 || chs[0].Headline != h {
				t.Errorf("%q: Changes gives %+v %v", h, chs, err)
			}
			if err := s.RecordProblem(ctx, f.ID, arts[0].ID, "page_gone", "", t0); err != nil {
				t.Fatal(err)
			}
			probs, err := s.Problems(ctx, false, 0)
			if err != nil || len(probs) != i+1 || probs[i].ArticleHeading != h {
				t.Errorf("%q: Problems gives %+v %v", h, probs, err)
			}
		}
		if probs, err := s.Check(ctx); err != nil || len(probs) != 0 {
			t.Fatalf("check: %v %v", probs, err)
		}
	})
}

// The source of a revision is stored NULL for the feed's own text and read
// back as such.
func TestSourceStored(t *testing.T) {
	ctx := context.Background()
	eachStore(t, func(t *testing.T, s *Store) {
		f := mustFeed(t, s, "https://example.com/rss")
		a := cand("g1", "https://example.com/a", "H", "from the feed")
		pass(t, s, f.ID, t0, []Candidate{a}, nil)
		b := cand("g1", "https://example.com/a", "H", "from the page")
		b.Source = SourcePage
		plan, _ := pass(t, s, f.ID, t0.Add(time.Hour), []Candidate{b}, nil)
		if len(plan.Pending) != 1 || plan.Pending[0].PrevSource != SourceFeed {
			t.Fatalf("after a feed revision: %+v", plan)
		}
		c := cand("g1", "https://example.com/a", "H", "from the page, edited")
		plan, _ = pass(t, s, f.ID, t0.Add(2*time.Hour), []Candidate{c}, nil)
		if len(plan.Pending) != 1 || plan.Pending[0].PrevSource != SourcePage {
			t.Fatalf("after a page revision: %+v", plan)
		}
		var n int
		if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM revisions WHERE source IS NULL`).Scan(&n); err != nil || n != 2 {
			t.Errorf("revisions with source NULL: %d %v, want 2", n, err)
		}
	})
}
