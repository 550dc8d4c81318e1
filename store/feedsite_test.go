package store

import (
	"context"
	"testing"
	"time"
)

func TestFeedSiteAndDisplayName(t *testing.T) {
	ctx := context.Background()
	eachStore(t, func(t *testing.T, s *Store) {
		f, err := s.EnsureFeed(ctx, "https://news.example/rss", "")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := f.DisplayName(), "news.example"; got != want {
			t.Errorf("before a fetch: got %q, want %q", got, want)
		}
		site := &FeedSite{Title: "Example News", Link: "https://news.example/", Icon: "https://news.example/i.png"}
		at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		if err := s.RecordFetch(ctx, FetchRecord{FeedID: f.ID, At: at, Status: 200, NextFetch: at, Site: site}); err != nil {
			t.Fatal(err)
		}
		// A 304 says nothing of the site: what is stored stays.
		if err := s.RecordFetch(ctx, FetchRecord{FeedID: f.ID, At: at, Status: 304, NextFetch: at}); err != nil {
			t.Fatal(err)
		}
		f, err = s.FeedByURL(ctx, f.URL)
		if err != nil {
			t.Fatal(err)
		}
		if f.Site != *site {
			t.Errorf("site: got %+v, want %+v", f.Site, *site)
		}
		if got, want := f.DisplayName(), "Example News"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
		f.Name = "Configured"
		if got, want := f.DisplayName(), "Configured"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
}
