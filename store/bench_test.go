package store

import (
	"context"
	"flag"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// benchPG runs the store's benchmarks on PostgreSQL (internal/testpg):
// go test -run '^$' -bench . ./store -args -pg
var benchPG = flag.Bool("pg", false, "run the store benchmarks on PostgreSQL")

func benchStore(b *testing.B) *Store {
	if *benchPG {
		return openPG(b)
	}
	return openTest(b)
}

func BenchmarkSaveFetch50(b *testing.B) {
	ctx := context.Background()
	s := benchStore(b)
	f := mustFeed(b, s, "https://example.com/rss")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		plan, err := s.Prepare(ctx, f.ID, feedCandidates(b, 50, i))
		if err != nil {
			b.Fatal(err)
		}
		r := result(f.ID, t0.Add(time.Duration(i)*time.Minute), plan, func(Pending) []ChangeInput {
			return []ChangeInput{{Kind: "quote_edited", Person: "Elena Marsh", Before: "a", After: "b"}}
		})
		b.StartTimer()
		st, err := s.SaveFetch(ctx, r)
		if err != nil {
			b.Fatal(err)
		}
		if st.NewRevisions != 50 {
			b.Fatalf("saved %d revisions, want 50", st.NewRevisions)
		}
	}
	b.ReportMetric(float64(50*b.N)/b.Elapsed().Seconds(), "items/s")
	b.StopTimer()
	if !s.pg {
		if _, err := s.write.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			b.Fatal(err)
		}
	}
	st, err := s.Stats(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(st.DBBytes)/float64(st.Revisions), "db-B/rev")
	b.ReportMetric(float64(st.TextBytes)/float64(st.Revisions), "text-B/rev")
}

func BenchmarkPrepareUnchanged50(b *testing.B) {
	ctx := context.Background()
	s := benchStore(b)
	f := mustFeed(b, s, "https://example.com/rss")
	cs := feedCandidates(b, 50, 0)
	pass(b, s, f.ID, t0, cs, nil)
	// Some history: older articles of the feed that left it.
	for r := 1; r < 20; r++ {
		old := feedCandidates(b, 50, r)
		for i := range old {
			old[i].Key = fmt.Sprintf("old-%d-%d", r, i)
			old[i].Link = fmt.Sprintf("https://example.com/old/%d/%d", r, i)
		}
		pass(b, s, f.ID, t0.Add(time.Duration(r)*time.Hour), old, nil)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		plan, err := s.Prepare(ctx, f.ID, cs)
		if err != nil {
			b.Fatal(err)
		}
		if len(plan.Seen) != 50 {
			b.Fatalf("seen %d, want 50", len(plan.Seen))
		}
	}
	b.ReportMetric(float64(50*b.N)/b.Elapsed().Seconds(), "items/s")
}

// BenchmarkPrepareInFeed50 is BenchmarkPrepareUnchanged50 with the 50
// candidates being the articles the feed had at its last fetch, as on most
// fetches (there, the articles in the feed are another 50, and every
// candidate is looked up on its own).
func BenchmarkPrepareInFeed50(b *testing.B) {
	ctx := context.Background()
	s := benchStore(b)
	f := mustFeed(b, s, "https://example.com/rss")
	for r := 1; r < 20; r++ {
		old := feedCandidates(b, 50, r)
		for i := range old {
			old[i].Key = fmt.Sprintf("old-%d-%d", r, i)
			old[i].Link = fmt.Sprintf("https://example.com/old/%d/%d", r, i)
		}
		pass(b, s, f.ID, t0.Add(time.Duration(r)*time.Hour), old, nil)
	}
	cs := feedCandidates(b, 50, 0)
	pass(b, s, f.ID, t0.Add(30*time.Hour), cs, nil)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		plan, err := s.Prepare(ctx, f.ID, cs)
		if err != nil {
			b.Fatal(err)
		}
		if len(plan.Seen) != 50 {
			b.Fatalf("seen %d, want 50", len(plan.Seen))
		}
	}
	b.ReportMetric(float64(50*b.N)/b.Elapsed().Seconds(), "items/s")
}

// BenchmarkSaveUnchanged50 saves a fetch of 50 unchanged items of a feed
// with a long history (5,000 articles that left it): the write a feed costs
// on most fetches that are not 304s.
func BenchmarkSaveUnchanged50(b *testing.B) {
	ctx := context.Background()
	s := benchStore(b)
	f := mustFeed(b, s, "https://example.com/rss")
	for r := 1; r <= 100; r++ {
		old := feedCandidates(b, 50, r)
		for i := range old {
			old[i].Key = fmt.Sprintf("old-%d-%d", r, i)
			old[i].Link = fmt.Sprintf("https://example.com/old/%d/%d", r, i)
			old[i].Text = old[i].Text[:200]
			old[i].Hash = hashOf(old[i].Headline, old[i].Text)
		}
		pass(b, s, f.ID, t0.Add(time.Duration(r)*time.Hour), old, nil)
	}
	cs := feedCandidates(b, 50, 0)
	plan, _ := pass(b, s, f.ID, t0.Add(200*time.Hour), cs, nil)
	plan, err := s.Prepare(ctx, f.ID, cs)
	if err != nil || len(plan.Seen) != 50 {
		b.Fatalf("seen %d, want 50 (%v)", len(plan.Seen), err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.SaveFetch(ctx, result(f.ID, t0.Add(time.Duration(300+i)*time.Hour), plan, nil)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(50*b.N)/b.Elapsed().Seconds(), "items/s")
}

// BenchmarkRecordFetch304 records a 304 for 200 feeds, one transaction
// each (one) or all in one (batch).
func BenchmarkRecordFetch304(b *testing.B) {
	ctx := context.Background()
	s := benchStore(b)
	var recs []FetchRecord
	for i := 0; i < 200; i++ {
		f := mustFeed(b, s, fmt.Sprintf("https://example.com/%d/rss", i))
		recs = append(recs, FetchRecord{FeedID: f.ID, Status: 304})
	}
	at := func(n int) {
		for i := range recs {
			recs[i].At = t0.Add(time.Duration(n) * time.Minute)
			recs[i].NextFetch = recs[i].At.Add(time.Hour)
		}
	}
	b.Run("one", func(b *testing.B) {
		for n := 0; n < b.N; n++ {
			at(n)
			for _, r := range recs {
				if err := s.RecordFetch(ctx, r); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(len(recs)*b.N)/b.Elapsed().Seconds(), "feeds/s")
	})
	b.Run("batch", func(b *testing.B) {
		for n := 0; n < b.N; n++ {
			at(n)
			if err := s.RecordFetches(ctx, recs); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(recs)*b.N)/b.Elapsed().Seconds(), "feeds/s")
	})
}

var (
	itemRE = regexp.MustCompile(`(?s)<(description|content|content:encoded|summary)[^>]*>(.*?)</(description|content|content:encoded|summary)>`)
	tagRE  = regexp.MustCompile(`(?s)<[^>]*>`)
	cdata  = strings.NewReplacer("<![CDATA[", "", "]]>", "")
)

// realTexts returns plain texts of items of the shared real feeds (a crude
// reduction, enough to measure compression), those of at least minLen bytes.
func realTexts(tb testing.TB, minLen int) []string {
	files, _ := filepath.Glob(filepath.Join("..", "..", "shared", "realfeeds", "feeds", "*.xml"))
	if len(files) == 0 {
		tb.Logf("../shared/realfeeds/feeds not found: measuring the seed article only")
	}
	var out []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, m := range itemRE.FindAllStringSubmatch(string(b), -1) {
			t := html.UnescapeString(cdata.Replace(m[2]))
			t = html.UnescapeString(tagRE.ReplaceAllString(t, " "))
			t = strings.Join(strings.Fields(t), " ")
			if len(t) >= minLen {
				out = append(out, t)
			}
		}
	}
	return out
}

// BenchmarkTextStorage reports stored bytes per revision against raw bytes
// for the seed article and for real feed items.
func BenchmarkTextStorage(b *testing.B) {
	sets := map[string][]string{"seed": {seedText(b)}}
	if real := realTexts(b, 1); len(real) > 0 {
		sets["feeditems"] = real
		sets["feeditems-1k+"] = realTexts(b, 1000)
	}
	for name, texts := range sets {
		b.Run(name, func(b *testing.B) {
			var raw, stored int
			for i := 0; i < b.N; i++ {
				raw, stored = 0, 0
				for _, t := range texts {
					raw += len(t)
					stored += len(encodeText(t))
				}
			}
			b.ReportMetric(float64(raw)/float64(len(texts)), "raw-B/rev")
			b.ReportMetric(float64(stored)/float64(len(texts)), "stored-B/rev")
			b.ReportMetric(float64(stored)/float64(raw), "ratio")
		})
	}
}

func TestTextRoundTrip(t *testing.T) {
	texts := append([]string{"", "short", seedText(t), strings.Repeat("x", 100000)}, realTexts(t, 1)...)
	for _, text := range texts {
		got, err := decodeText(encodeText(text))
		if err != nil || got != text {
			t.Fatalf("round trip of %d bytes: %v", len(text), err)
		}
	}
	if _, err := decodeText([]byte{9, 1, 2}); err == nil {
		t.Error("unknown codec: no error")
	}
}

// BenchmarkStorageBytes stores the same 1,000 revisions on each store (200
// new articles, then four rounds in which each is edited) and reports what
// they take on disk per revision: new ones (the first pass) and edits
// (stored as deltas where that is smaller). SQLite: the file after a
// checkpoint; PostgreSQL: the tables of the store with their indexes and
// TOAST (pg_total_relation_size), not the server's catalogs. Run it with
// -benchtime 1x: it measures bytes, the time is incidental.
func BenchmarkStorageBytes(b *testing.B) {
	for _, d := range []struct {
		name string
		open func(testing.TB) *Store
	}{{"sqlite", openTest}, {"postgres", openPG}} {
		b.Run(d.name, func(b *testing.B) {
			for range b.N {
				s := d.open(b)
				newB, editB := storageBytes(b, s)
				b.ReportMetric(newB, "new-B/rev")
				b.ReportMetric(editB, "edit-B/rev")
			}
		})
	}
}

func storageBytes(b *testing.B, s *Store) (perNew, perEdit float64) {
	ctx := context.Background()
	f := mustFeed(b, s, "https://example.com/rss")
	const articles, edits = 200, 4
	size := func() int64 {
		if s.Postgres() {
			var n int64
			if err := s.read.QueryRowContext(ctx, `SELECT CAST(SUM(pg_total_relation_size(c.oid)) AS BIGINT)
				FROM pg_class c WHERE c.relname IN ('feeds', 'articles', 'revisions', 'changes', 'problems', 'digests', 'digest_recipients')`).Scan(&n); err != nil {
				b.Fatal(err)
			}
			return n
		}
		if _, err := s.write.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			b.Fatal(err)
		}
		st, err := s.Stats(ctx)
		if err != nil {
			b.Fatal(err)
		}
		return st.DBBytes
	}
	empty := size()
	pass(b, s, f.ID, t0, feedCandidates(b, articles, 0), nil)
	first := size()
	for r := 1; r <= edits; r++ {
		pass(b, s, f.ID, t0.Add(time.Duration(r)*time.Hour), feedCandidates(b, articles, r), nil)
	}
	all := size()
	return float64(first-empty) / articles, float64(all-first) / (articles * edits)
}
