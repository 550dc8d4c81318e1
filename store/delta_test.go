package store

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stet-news/stet/internal/testfeed"
)

func TestDeltaRoundTrip(t *testing.T) {
	seed := seedText(t)
	paras := strings.Split(seed, paraSep)
	edit := func(i int, from, to string) string {
		p := append([]string(nil), paras...)
		p[i] = strings.Replace(p[i], from, to, 1)
		return strings.Join(p, paraSep)
	}
	for _, tt := range []struct {
		name, base, text string
		wantDelta        bool
	}{
		{"one paragraph edited", seed, edit(3, "the", "a"), true},
		{"title corrected", seed, testfeed.TitleCorrected(seed), true},
		{"paragraph added at the end", seed, seed + paraSep + "An editor's note: this article was updated.", true},
		{"paragraph removed", seed, strings.Join(append(append([]string(nil), paras[:2]...), paras[3:]...), paraSep), true},
		{"paragraphs swapped", seed, strings.Join(append([]string{paras[1], paras[0]}, paras[2:]...), paraSep), true},
		{"all new", seed, strings.Repeat("Something else entirely. ", 200), false},
		{"empty", seed, "", false}, // one byte whole
		{"blank paragraphs", "a\n\n\n\nb\n\n\n", "a\n\n\n\nc\n\n\n", false},
		{"from empty", "", seed, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			full := encodeText(tt.text)
			d, ok := encodeDelta(7, tt.base, tt.text, len(full)/2)
			if ok != tt.wantDelta {
				t.Errorf("delta used %v (%d bytes, whole %d), want %v", ok, len(d), len(full), tt.wantDelta)
			}
			if !ok {
				d, _ = encodeDelta(7, tt.base, tt.text, 1<<20) // forced
			}
			if n, err := deltaBase(d); err != nil || n != 7 {
				t.Fatalf("base %d %v, want 7", n, err)
			}
			got, err := decodeDelta(d, tt.base)
			if err != nil || got != tt.text {
				t.Fatalf("decoded %q %v", got, err)
			}
		})
	}
}

// Random edits of random paragraph lists come back exactly.
func TestDeltaRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	words := []string{"a", "b", "", "\n", "said", "“quote”", "\n\n", "x\n"}
	para := func() string {
		var b strings.Builder
		for range r.IntN(4) {
			b.WriteString(words[r.IntN(len(words))])
		}
		return b.String()
	}
	for i := range 5000 {
		var bp []string
		for range r.IntN(8) {
			bp = append(bp, para())
		}
		np := append([]string(nil), bp...)
		for range r.IntN(4) {
			switch k := r.IntN(3); {
			case k == 0 && len(np) > 0:
				np[r.IntN(len(np))] = para()
			case k == 1:
				j := r.IntN(len(np) + 1)
				np = append(np[:j], append([]string{para()}, np[j:]...)...)
			case len(np) > 0:
				j := r.IntN(len(np))
				np = append(np[:j], np[j+1:]...)
			}
		}
		base, text := strings.Join(bp, paraSep), strings.Join(np, paraSep)
		d, _ := encodeDelta(1, base, text, 1<<20)
		if got, err := decodeDelta(d, base); err != nil || got != text {
			t.Fatalf("case %d: base %q text %q: got %q %v", i, base, text, got, err)
		}
	}
}

func FuzzDecodeDelta(f *testing.F) {
	seed := seedText(f)
	d, _ := encodeDelta(1, seed, strings.Replace(seed, "Senator", "Secretary", 1), 1<<20)
	f.Add(d, seed)
	f.Add([]byte{codecDelta, 1, 1, 2, 0}, "a\n\nb")
	f.Add([]byte{codecDelta, 1, 2, 3, 1, 0, 1}, "x")
	f.Fuzz(func(t *testing.T, body []byte, base string) {
		text, err := decodeDelta(body, base)
		if err != nil || len(text) > 1<<20 {
			return
		}
		// What decodes, re-encoded against the same base, decodes the same.
		d, _ := encodeDelta(1, base, text, 8*len(text)+512)
		if got, err := decodeDelta(d, base); err != nil || got != text {
			t.Fatalf("re-encoded: %q %v, want %q", got, err, text)
		}
	})
}

// Edited revisions are stored as deltas of the first and read back whole
// through every path: Prepare, Revisions, Export, Check, and after Prune.
func TestDeltaRevisions(t *testing.T) {
	ctx := context.Background()
	eachStore(t, func(t *testing.T, s *Store) {
		f := mustFeed(t, s, "https://example.com/rss")
		seed := seedText(t)
		texts := []string{
			seed,
			testfeed.TitleCorrected(seed),
			strings.Replace(seed, "United States Senator", "Secretary of Defense", 1) + paraSep + "Correction appended.",
			strings.Repeat("A rewrite from top to bottom. ", 150),
			strings.Repeat("A rewrite from top to bottom. ", 150) + paraSep + "Update.",
		}
		for i, text := range texts {
			c := cand("g1", "https://example.com/a", "Headline", text)
			plan, st := pass(t, s, f.ID, t0.Add(time.Duration(i)*time.Hour), []Candidate{c}, nil)
			if st.NewRevisions != 1 {
				t.Fatalf("revision %d: %+v", i+1, st)
			}
			if i > 0 && plan.Pending[0].PrevText != texts[i-1] {
				t.Fatalf("revision %d: Prepare read the previous text wrong", i+1)
			}
		}
		// 1 whole; 2, 3 deltas of 1; 4 whole (nothing in common); 5 a delta of 4.
		wantBase := []int{0, 1, 1, 0, 4}
		rows, err := s.read.QueryContext(ctx, `SELECT number, body FROM revisions ORDER BY number`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var n int
			var body []byte
			if err := rows.Scan(&n, &body); err != nil {
				t.Fatal(err)
			}
			if b, _ := deltaBase(body); b != wantBase[n-1] {
				t.Errorf("revision %d: base %d, want %d (%d bytes)", n, b, wantBase[n-1], len(body))
			}
		}
		rows.Close()
		check := func(when string, from int) {
			t.Helper()
			revs, err := s.Revisions(ctx, 1)
			if err != nil || len(revs) != len(texts)-from {
				t.Fatalf("%s: %d revisions %v", when, len(revs), err)
			}
			for i, r := range revs {
				if r.Text != texts[from+i] {
					t.Errorf("%s: revision %d reads back wrong", when, r.Number)
				}
			}
			n := 0
			if err := s.Export(ctx, func(e ExportRow) error {
				if e.Text != texts[e.Version-1] {
					t.Errorf("%s: export of revision %d wrong", when, e.Version)
				}
				n++
				return nil
			}); err != nil || n != len(texts)-from {
				t.Fatalf("%s: export %d %v", when, n, err)
			}
			if probs, err := s.Check(ctx); err != nil || len(probs) != 0 {
				t.Fatalf("%s: check %v %v", when, probs, err)
			}
		}
		check("stored", 0)
		// A revision stored as a delta of another that is gone is stored whole.
		if _, err := s.write.ExecContext(ctx, `UPDATE articles SET first_seen = ?`, ms(t0.Add(-48*time.Hour))); err != nil {
			t.Fatal(err)
		}
		if n, err := s.Prune(ctx, t0); err != nil || n != 4 {
			t.Fatalf("prune: %d %v", n, err)
		}
		check("pruned", 4)
		// The next edit is a delta of the now whole latest.
		texts = append(texts, texts[4]+paraSep+"Second update.")
		pass(t, s, f.ID, t0.Add(9*time.Hour), []Candidate{cand("g1", "https://example.com/a", "Headline", texts[5])}, nil)
		var body []byte
		if err := s.read.QueryRowContext(ctx, `SELECT body FROM revisions WHERE number = 6`).Scan(&body); err != nil {
			t.Fatal(err)
		}
		if b, _ := deltaBase(body); b != 5 {
			t.Errorf("after prune: revision 6 base %d, want 5", b)
		}
		check("after prune", 4)
	})
}

// A delta whose base retention dropped between Prepare and SaveFetch is
// stored whole.
func TestDeltaBaseGoneBeforeSave(t *testing.T) {
	ctx := context.Background()
	eachStore(t, func(t *testing.T, s *Store) {
		f := mustFeed(t, s, "https://example.com/rss")
		seed := seedText(t)
		texts := []string{seed, seed + paraSep + "One.", seed + paraSep + "Two."}
		pass(t, s, f.ID, t0, []Candidate{cand("g1", "u", "H", texts[0])}, nil)
		pass(t, s, f.ID, t0.Add(time.Hour), []Candidate{cand("g1", "u", "H", texts[1])}, nil)
		plan, err := s.Prepare(ctx, f.ID, []Candidate{cand("g1", "u", "H", texts[2])})
		if err != nil || len(plan.Pending) != 1 || plan.Pending[0].baseNumber != 1 {
			t.Fatalf("plan %+v %v", plan, err)
		}
		if _, err := s.write.ExecContext(ctx, `UPDATE articles SET first_seen = ?`, ms(t0.Add(-48*time.Hour))); err != nil {
			t.Fatal(err)
		}
		if n, err := s.Prune(ctx, t0); err != nil || n != 1 {
			t.Fatalf("prune: %d %v", n, err)
		}
		if _, err := s.SaveFetch(ctx, result(f.ID, t0.Add(2*time.Hour), plan, nil)); err != nil {
			t.Fatal(err)
		}
		revs, err := s.Revisions(ctx, 1)
		if err != nil || len(revs) != 2 || revs[1].Text != texts[2] {
			t.Fatalf("revisions %+v %v", revs, err)
		}
		if probs, err := s.Check(ctx); err != nil || len(probs) != 0 {
			t.Fatalf("check %v %v", probs, err)
		}
	})
}
