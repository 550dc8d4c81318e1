package pipeline

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stet-news/stet/internal/testfeed"
	"github.com/stet-news/stet/store"
)

func TestPassStoresExactlyTheRevisions(t *testing.T) {
	ctx := context.Background()
	headline, body := seedArticle(t)
	srv := newFeedServer(t, rssFeed([3]string{"marsh-grain", headline, body}))
	tp := newTestPipeline(t, testConfig(t, srv.URL), nil)

	pass := func(name string, wantRevisions int) Stats {
		t.Helper()
		st, err := tp.Pass(ctx, true)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if st.Failed != 0 {
			t.Fatalf("%s: %d feeds failed", name, st.Failed)
		}
		if st.Revisions != wantRevisions {
			t.Fatalf("%s: got %d new revisions, want %d", name, st.Revisions, wantRevisions)
		}
		tp.clock.advance(30 * 60e9)
		return st
	}

	pass("first pass", 1)
	st := pass("unchanged (304)", 0)
	if st.NotModified != 1 {
		t.Errorf("unchanged pass: got %d not-modified answers, want 1", st.NotModified)
	}
	if _, nm := srv.Counts(); nm != 1 {
		t.Errorf("server answered 304 %d times, want 1", nm)
	}

	// Typography only: straight quotes, doubled spaces, a new ETag.
	cosmetic := strings.NewReplacer("“", `"`, "”", `"`, "’", "'", ". ", ".  ").Replace(body)
	srv.Set(rssFeed([3]string{"marsh-grain", headline, cosmetic}))
	pass("cosmetic change", 0)

	srv.Set(rssFeed([3]string{"marsh-grain", headline, seedTitleCorrected(body)}))
	st = pass("title corrected", 1)
	if st.Changes == 0 {
		t.Errorf("title corrected: no change recorded")
	}

	sf, err := tp.st.FeedByURL(ctx, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	arts, err := tp.st.Articles(ctx, sf.ID, 0, 10)
	if err != nil || len(arts) != 1 {
		t.Fatalf("articles: got %d (%v), want 1", len(arts), err)
	}
	revs, err := tp.st.Revisions(ctx, arts[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(revs) != 2 {
		t.Fatalf("got %d revisions, want 2", len(revs))
	}
	changes, err := tp.st.Changes(ctx, store.ChangeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, c := range changes {
		if c.Kind == "title_changed" && c.Person == testfeed.SeedPerson && strings.Contains(c.After, testfeed.SeedTitleAfter) {
			found = true
		}
		if c.FromRev != 1 || c.ToRev != 2 {
			t.Errorf("change %+v: revisions %d→%d, want 1→2", c, c.FromRev, c.ToRev)
		}
	}
	if !found {
		t.Errorf("no title_changed for the seed senator among %+v", changes)
	}

	// The same pass again changes nothing.
	pass("repeat", 0)
}

func TestPassGoesOnPastBrokenFeeds(t *testing.T) {
	ctx := context.Background()
	headline, body := seedArticle(t)
	good := newFeedServer(t, rssFeed([3]string{"a", headline, body}))
	broken := newFeedServer(t, `<rss version="2.0"><channel><item><title>unclosed`)
	page := newFeedServer(t, `<!DOCTYPE html><html><head><title>Not a feed</title></head><body><p>hello</p></body></html>`)
	page.SetContentType("text/html")
	tp := newTestPipeline(t, testConfig(t, broken.URL, page.URL, good.URL), nil)
	st, err := tp.Pass(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if st.Failed != 2 || st.Revisions != 1 {
		t.Fatalf("got %d failed and %d revisions, want 2 and 1", st.Failed, st.Revisions)
	}
	for _, r := range statuses(t, tp.st) {
		switch r.URL {
		case good.URL:
			if r.LastError != "" || r.Revisions != 1 {
				t.Errorf("good feed: %+v", r)
			}
		default:
			if r.LastError == "" || strings.Contains(r.LastError, "\n") {
				t.Errorf("broken feed %s: want a one-line error, got %q", r.URL, r.LastError)
			}
		}
	}
}

func TestFlipFlopReportsOnlyTheFirstEdit(t *testing.T) {
	ctx := context.Background()
	headline, a := seedArticle(t)
	b := seedTitleCorrected(a)
	srv := newFeedServer(t, rssFeed([3]string{"marsh", headline, a}))
	tp := newTestPipeline(t, testConfig(t, srv.URL), nil)
	var total int
	for i, text := range []string{a, b, a, b, a} {
		srv.Set(rssFeed([3]string{"marsh", headline, text}))
		st, err := tp.Pass(ctx, true)
		if err != nil || st.Revisions != 1 {
			t.Fatalf("pass %d: %+v %v", i+1, st, err)
		}
		total += st.Changes
		if i >= 2 && st.Changes != 0 {
			t.Fatalf("pass %d (a flip back): %d changes reported again", i+1, st.Changes)
		}
		tp.clock.advance(time.Hour)
	}
	if total == 0 {
		t.Fatal("the first edit was not reported")
	}
	revs, err := tp.st.Revisions(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{0, 0, 1, 2, 3} {
		if revs[i].RevertOf != want {
			t.Errorf("revision %d: revert of %d, want %d", i+1, revs[i].RevertOf, want)
		}
	}
}
