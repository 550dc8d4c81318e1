package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

// changedArticle stores one article with two revisions and n changes.
func changedArticle(t *testing.T, s *Store, f Feed, guid string, n int) {
	t.Helper()
	c := cand(guid, "https://example.com/"+guid, "H", "v1")
	pass(t, s, f.ID, t0, []Candidate{c}, nil)
	c.Text, c.Hash = "v2", hashOf("H", "v2")
	pass(t, s, f.ID, t0.Add(time.Hour), []Candidate{c}, func(Pending) []ChangeInput {
		var out []ChangeInput
		for i := 0; i < n; i++ {
			out = append(out, ChangeInput{Kind: "quote_added", Person: "P", After: string(rune('a' + i))})
		}
		return out
	})
}

func ids(rows []ChangeRow) []int64 {
	var out []int64
	for _, r := range rows {
		out = append(out, r.ID)
	}
	return out
}

func TestDigestBookkeeping(t *testing.T) {
	ctx := context.Background()
	eachStore(t, func(t *testing.T, s *Store) {
		f := mustFeed(t, s, "https://example.com/rss")
		changedArticle(t, s, f, "a", 2)

		if d, err := s.OpenDigest(ctx); err != nil || d != nil {
			t.Fatalf("open digest of empty store: %v %v", d, err)
		}
		unsent, err := s.Changes(ctx, ChangeFilter{Unsent: true})
		if err != nil || len(unsent) != 2 {
			t.Fatalf("unsent: %d %v", len(unsent), err)
		}
		if err := s.RecordProblem(ctx, f.ID, 0, "fetch", "status 500", t0); err != nil {
			t.Fatal(err)
		}
		probs, _ := s.Problems(ctx, true, 1)

		d, err := s.CreateDigest(ctx, "<d1@stet>", t0.Add(2*time.Hour), ids(unsent), []int64{probs[0].ID})
		if err != nil {
			t.Fatal(err)
		}
		// Changes of the open digest are no longer unsent.
		if rows, _ := s.Changes(ctx, ChangeFilter{Unsent: true}); len(rows) != 0 {
			t.Errorf("unsent after create: %d", len(rows))
		}
		if err := s.DigestAttempt(ctx, d.ID, t0.Add(2*time.Hour), "smtp: 451", t0.Add(3*time.Hour)); err != nil {
			t.Fatal(err)
		}
		open, err := s.OpenDigest(ctx)
		if err != nil || open == nil {
			t.Fatalf("open digest: %v %v", open, err)
		}
		if open.ID != d.ID || open.MessageID != "<d1@stet>" || open.Attempts != 1 || open.LastError != "smtp: 451" ||
			!open.NextAttempt.Equal(t0.Add(3*time.Hour)) || !open.LastAttempt.Equal(t0.Add(2*time.Hour)) || !open.SentAt.IsZero() || !open.CreatedAt.Equal(t0.Add(2*time.Hour)) {
			t.Errorf("open digest: %+v", open)
		}
		chs, err := s.DigestChanges(ctx, d.ID)
		if err != nil || len(chs) != 2 || chs[0].DigestID != d.ID {
			t.Fatalf("digest changes: %+v %v", chs, err)
		}
		dp, err := s.DigestProblems(ctx, d.ID)
		if err != nil || len(dp) != 1 || dp[0].Detail != "status 500" || dp[0].FeedURL != f.URL {
			t.Fatalf("digest problems: %+v %v", dp, err)
		}
		if err := s.DigestSent(ctx, d.ID, t0.Add(3*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if open, _ := s.OpenDigest(ctx); open != nil {
			t.Errorf("open digest after sent: %+v", open)
		}
		if err := s.DigestAttempt(ctx, d.ID, t0, "late", t0); err == nil {
			t.Errorf("attempt on a sent digest: no error")
		}

		// New changes go into the next digest; a change already linked is refused.
		changedArticle(t, s, f, "b", 1)
		unsent, _ = s.Changes(ctx, ChangeFilter{Unsent: true})
		if len(unsent) != 1 {
			t.Fatalf("unsent after second article: %d", len(unsent))
		}
		if _, err := s.CreateDigest(ctx, "<d2@stet>", t0, []int64{unsent[0].ID, chs[0].ID}, nil); err == nil {
			t.Fatal("linking a sent change again: no error")
		}
		if open, _ := s.OpenDigest(ctx); open != nil {
			t.Fatalf("failed create left a digest: %+v", open)
		}
		if rows, _ := s.Changes(ctx, ChangeFilter{Unsent: true}); len(rows) != 1 {
			t.Fatalf("failed create linked changes: %d unsent", len(rows))
		}
		if _, err := s.CreateDigest(ctx, "<d2@stet>", t0, []int64{unsent[0].ID}, nil); err != nil {
			t.Fatal(err)
		}
		if probs, err := s.Check(ctx); err != nil || len(probs) != 0 {
			t.Errorf("check: %v %v", probs, err)
		}
	})
}

func TestProblemsNamedOnce(t *testing.T) {
	ctx := context.Background()
	eachStore(t, func(t *testing.T, s *Store) {
		f := mustFeed(t, s, "https://example.com/rss")
		pass(t, s, f.ID, t0, []Candidate{cand("a", "https://example.com/a", "H", "t")}, nil)
		art, _ := s.ArticleByURL(ctx, "https://example.com/a")

		for i := 0; i < 3; i++ {
			if err := s.RecordProblem(ctx, f.ID, art.ID, "collapsed", "text 90% shorter", t0.Add(time.Duration(i)*time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.RecordProblem(ctx, f.ID, 0, "fetch", "timeout", t0); err != nil {
			t.Fatal(err)
		}
		ps, err := s.Problems(ctx, true, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) != 1 {
			t.Fatalf("problems with count>=2: got %d, want 1", len(ps))
		}
		p := ps[0]
		if p.Count != 3 || p.ArticleID != art.ID || p.ArticleURL != "https://example.com/a" || !p.FirstAt.Equal(t0) ||
			!p.LastAt.Equal(t0.Add(2*time.Hour)) || p.Kind != "collapsed" {
			t.Errorf("problem: %+v", p)
		}
		if _, err := s.CreateDigest(ctx, "<p@stet>", t0, nil, []int64{p.ID}); err != nil {
			t.Fatal(err)
		}
		// Still failing: counted on the reported problem, not named again.
		if err := s.RecordProblem(ctx, f.ID, art.ID, "collapsed", "again", t0.Add(5*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if ps, _ = s.Problems(ctx, true, 2); len(ps) != 0 {
			t.Fatalf("reported problem named again: %+v", ps)
		}
		all, _ := s.Problems(ctx, false, 0)
		if len(all) != 2 || all[0].Count != 4 {
			t.Fatalf("all problems: %+v", all)
		}
		// Resolved, then failing anew: a new problem.
		if err := s.ResolveProblems(ctx, f.ID, art.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordProblem(ctx, f.ID, art.ID, "collapsed", "once more", t0.Add(9*time.Hour)); err != nil {
			t.Fatal(err)
		}
		ps, _ = s.Problems(ctx, true, 1)
		if len(ps) != 2 { // the feed's timeout and the new one
			t.Fatalf("after resolve: %+v", ps)
		}
		// Resolving the article's problems left the feed's open.
		all, _ = s.Problems(ctx, false, 0)
		for _, p := range all {
			if p.ArticleID == 0 && !p.ResolvedAt.IsZero() {
				t.Errorf("feed problem resolved with the article's: %+v", p)
			}
		}
	})
}

func TestRechecks(t *testing.T) {
	ctx := context.Background()
	eachStore(t, func(t *testing.T, s *Store) {
		f := mustFeed(t, s, "https://example.com/rss")
		var cs []Candidate
		for i := 0; i < 10; i++ {
			cs = append(cs, cand(string(rune('a'+i)), "https://example.com/"+string(rune('a'+i)), "H", "t"))
		}
		plan, _ := pass(t, s, f.ID, t0, cs, nil)
		_ = plan
		arts, _ := s.Articles(ctx, f.ID, 0, 0)
		// Due times in reverse order of id; one never, one in the future.
		for i, a := range arts {
			next := t0.Add(time.Duration(10-i) * time.Minute)
			switch i {
			case 0:
				next = time.Time{}
			case 1:
				next = t0.Add(48 * time.Hour)
			}
			if err := s.SetRecheck(ctx, a.ID, next, "", ""); err != nil {
				t.Fatal(err)
			}
		}
		now := t0.Add(time.Hour)
		n, err := s.RecheckBacklog(ctx, now)
		if err != nil || n != 8 {
			t.Fatalf("backlog: got %d %v, want 8", n, err)
		}
		due, err := s.DueRechecks(ctx, now, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(due) != 3 {
			t.Fatalf("due with budget 3: got %d", len(due))
		}
		for i := 1; i < len(due); i++ {
			if due[i].NextCheck.Before(due[i-1].NextCheck) {
				t.Errorf("not oldest first: %v before %v", due[i-1].NextCheck, due[i].NextCheck)
			}
		}
		if due[0].ArticleID != arts[9].ID || due[0].URL != arts[9].URL || !due[0].FirstSeen.Equal(t0) {
			t.Errorf("first due: %+v, want article %d", due[0], arts[9].ID)
		}
		// Checked: the next check moves on, validators kept.
		if err := s.SetRecheck(ctx, due[0].ArticleID, now.Add(time.Hour), `"p1"`, "Mon, 02 Jan 2006 15:04:05 GMT"); err != nil {
			t.Fatal(err)
		}
		if err := s.SetRecheck(ctx, 12345, now, "", ""); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown article: got %v", err)
		}
		due, _ = s.DueRechecks(ctx, now.Add(2*time.Hour), 0)
		found := false
		for _, d := range due {
			if d.ArticleID == arts[9].ID {
				found = d.PageETag == `"p1"` && d.PageLastModified != ""
			}
		}
		if !found || len(due) != 8 {
			t.Errorf("later due: %d targets, validators kept %v", len(due), found)
		}
	})
}

// A digest that cannot go out yet does not stop the next from being
// recorded: it queues behind, oldest first. Each recipient's outcome and
// the moment before DATA are kept.
func TestDigestQueueAndRecipients(t *testing.T) {
	ctx := context.Background()
	eachStore(t, func(t *testing.T, s *Store) {
		f := mustFeed(t, s, "https://example.com/rss")
		changedArticle(t, s, f, "a", 1)
		unsent, _ := s.Changes(ctx, ChangeFilter{Unsent: true})
		d1, err := s.CreateDigest(ctx, "<q1@stet>", t0, ids(unsent), nil)
		if err != nil {
			t.Fatal(err)
		}
		changedArticle(t, s, f, "b", 1)
		unsent, _ = s.Changes(ctx, ChangeFilter{Unsent: true})
		d2, err := s.CreateDigest(ctx, "<q2@stet>", t0.Add(time.Hour), ids(unsent), nil)
		if err != nil {
			t.Fatalf("a second digest while the first is open: %v", err)
		}
		open, err := s.OpenDigests(ctx)
		if err != nil || len(open) != 2 || open[0].ID != d1.ID || open[1].ID != d2.ID {
			t.Fatalf("open digests: %+v %v", open, err)
		}
		if err := s.DigestSending(ctx, d1.ID, t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Digest(ctx, d1.ID); !got.SendingAt.Equal(t0.Add(time.Minute)) {
			t.Errorf("sending_at: got %v", got.SendingAt)
		}
		if err := s.SetDigestRecipient(ctx, d1.ID, "Bad@Example.com", RecipientRefused, "550 no such user", t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := s.SetDigestRecipient(ctx, d1.ID, "ok@example.com", RecipientSent, "", t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := s.DigestAttempt(ctx, d1.ID, t0.Add(2*time.Minute), "451", t0.Add(3*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Digest(ctx, d1.ID); !got.SendingAt.IsZero() {
			t.Errorf("a failed attempt keeps sending_at %v", got.SendingAt)
		}
		rs, err := s.DigestRecipients(ctx, d1.ID)
		if err != nil || len(rs) != 2 || rs[0].Address != "bad@example.com" || rs[0].State != RecipientRefused || rs[1].State != RecipientSent {
			t.Fatalf("recipients: %+v %v", rs, err)
		}
		ref, err := s.RefusedRecipients(ctx, 10)
		if err != nil || len(ref) != 1 || ref[0].MessageID != "<q1@stet>" || ref[0].Detail != "550 no such user" {
			t.Fatalf("refused: %+v %v", ref, err)
		}
		if err := s.DigestSent(ctx, d1.ID, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if open, _ := s.OpenDigests(ctx); len(open) != 1 || open[0].ID != d2.ID {
			t.Fatalf("open after the first was sent: %+v", open)
		}
		if probs, err := s.Check(ctx); err != nil || len(probs) != 0 {
			t.Errorf("check: %v %v", probs, err)
		}
	})
}
