package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/stet-news/stet/digest"
	"github.com/stet-news/stet/store"
)

// The digest's workflow lives in package digest (digest.Flow); this file
// wires it to the configuration and the store.

// problemThreshold is how many failures in a row make a source worth naming
// in the digest: one failed fetch is weather, three is a problem.
const problemThreshold = 3

// digestEnabled says whether the daemon sends digests on a schedule.
func (a *App) digestEnabled() bool {
	return len(a.cfg.Digest.To) > 0 || a.cfg.Digest.Dir != ""
}

// digestDir is where digests go without SMTP.
func (a *App) digestDir() string {
	if a.cfg.Digest.Dir != "" {
		return a.cfg.Digest.Dir
	}
	if store.IsPostgres(a.cfg.Database) {
		return "digests" // no file to sit next to: the working directory's
	}
	return filepath.Join(filepath.Dir(a.cfg.Database), "digests")
}

func (a *App) digestFlow() (*digest.Flow, error) {
	loc, err := a.cfg.Location()
	if err != nil {
		return nil, err
	}
	s := a.cfg.SMTP
	cfg := digest.FlowConfig{
		From: a.cfg.Digest.From, To: a.cfg.Digest.To, Location: loc, SendEmpty: a.cfg.Digest.SendEmpty,
		SMTP: digest.SMTPConfig{Host: s.Host, Port: s.Port, Username: s.Username, Password: a.cfg.Password(a.env.Getenv),
			TLS: s.TLS, Timeout: time.Duration(s.Timeout), RootCAs: a.rootCAs},
		Dir: a.digestDir(), MaxBytes: int64(a.cfg.Digest.MaxBytes), BaseURL: a.cfg.BaseURL(),
	}
	return digest.NewFlow(digestStore{a.store}, cfg, a.log, a.now, a.metrics), nil
}

// PreviewDigest renders what would be sent now, changing nothing.
func (a *App) PreviewDigest(ctx context.Context) (*digest.Message, error) {
	f, err := a.digestFlow()
	if err != nil {
		return nil, err
	}
	return f.Preview(ctx)
}

// SendDigest records a digest of every change not yet sent and delivers
// the queue; it returns how many digests went out.
func (a *App) SendDigest(ctx context.Context, force bool) (int, error) {
	f, err := a.digestFlow()
	if err != nil {
		return 0, err
	}
	return f.Send(ctx, force)
}

// retryDigest delivers the queue when its oldest digest is due again.
func (a *App) retryDigest(ctx context.Context) error {
	f, err := a.digestFlow()
	if err != nil {
		return err
	}
	return f.Retry(ctx)
}

// digestStatus prints, for `stet status`, the digests waiting to go out
// and the recipients the mail server refused for good.
func (a *App) digestStatus(ctx context.Context, w io.Writer) error {
	open, err := a.store.OpenDigests(ctx)
	if err != nil {
		return err
	}
	if len(open) > 0 {
		d := open[0]
		fmt.Fprintf(w, "digest: %d waiting to be sent; the oldest, %s, tried %d times", len(open), d.MessageID, d.Attempts)
		if !d.NextAttempt.IsZero() {
			fmt.Fprintf(w, ", next try %s", fmtTime(d.NextAttempt))
		}
		if d.LastError != "" {
			fmt.Fprintf(w, ": %s", truncate(d.LastError, 200))
		}
		fmt.Fprintln(w)
	}
	refused, err := a.store.RefusedRecipients(ctx, 10)
	if err != nil {
		return err
	}
	for _, r := range refused {
		fmt.Fprintf(w, "digest: %s refused permanently %s (digest %s): %s\n", r.Address, fmtTime(r.At), r.MessageID, truncate(r.Detail, 200))
	}
	return nil
}

// digestStore is the store as digest.Flow sees it.
type digestStore struct{ st *store.Store }

// toDigestChanges gives each change the sentence of the article it stands
// in (digest.Context), reading each revision's text once and keeping none.
// A revision that retention dropped leaves the sentence out.
func (s digestStore) toDigestChanges(ctx context.Context, rows []store.ChangeRow) ([]digest.Change, error) {
	out := make([]digest.Change, 0, len(rows))
	type rev struct {
		article int64
		number  int
	}
	byRev := map[rev][]int{}
	var order []rev
	for _, c := range rows {
		d := digest.Change{ID: c.ID, FeedURL: c.FeedURL, FeedName: c.FeedName, ArticleID: c.ArticleID,
			ArticleURL: c.ArticleURL, Headline: c.Headline, FromRev: c.FromRev, ToRev: c.ToRev, Kind: c.Kind,
			Person: c.Person, Before: c.Before, After: c.After, Quote: c.Quote, DetectedAt: c.DetectedAt}
		if r := (rev{d.ArticleID, digest.ContextRevision(d)}); r.article != 0 && r.number > 0 {
			if byRev[r] == nil {
				order = append(order, r)
			}
			byRev[r] = append(byRev[r], len(out))
		}
		out = append(out, d)
	}
	for _, r := range order {
		rv, err := s.st.RevisionAt(ctx, r.article, r.number)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, i := range byRev[r] {
			out[i].Context = digest.Context(rv.Text, out[i])
		}
	}
	return out, nil
}

func toDigestProblems(rows []store.ProblemRow) []digest.Problem {
	out := make([]digest.Problem, 0, len(rows))
	for _, p := range rows {
		out = append(out, digest.Problem{ID: p.ID, FeedURL: p.FeedURL, ArticleURL: p.ArticleURL, Kind: p.Kind,
			Detail: p.Detail, Since: p.FirstAt, Count: p.Count})
	}
	return out
}

func toRecord(d store.Digest) digest.Record {
	return digest.Record{ID: d.ID, MessageID: d.MessageID, CreatedAt: d.CreatedAt, NextAttempt: d.NextAttempt,
		SendingAt: d.SendingAt, Attempts: d.Attempts}
}

func (s digestStore) Pending(ctx context.Context) ([]digest.Change, []digest.Problem, error) {
	changes, err := s.st.Changes(ctx, store.ChangeFilter{Unsent: true})
	if err != nil {
		return nil, nil, err
	}
	problems, err := s.st.Problems(ctx, true, problemThreshold)
	if err != nil {
		return nil, nil, err
	}
	dc, err := s.toDigestChanges(ctx, changes)
	return dc, toDigestProblems(problems), err
}

func (s digestStore) Open(ctx context.Context) ([]digest.Record, error) {
	ds, err := s.st.OpenDigests(ctx)
	out := make([]digest.Record, 0, len(ds))
	for _, d := range ds {
		out = append(out, toRecord(d))
	}
	return out, err
}

func (s digestStore) Create(ctx context.Context, messageID string, at time.Time, changeIDs, problemIDs []int64) (digest.Record, error) {
	d, err := s.st.CreateDigest(ctx, messageID, at, changeIDs, problemIDs)
	return toRecord(d), err
}

func (s digestStore) Contents(ctx context.Context, id int64) ([]digest.Change, []digest.Problem, error) {
	changes, err := s.st.DigestChanges(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	problems, err := s.st.DigestProblems(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	dc, err := s.toDigestChanges(ctx, changes)
	return dc, toDigestProblems(problems), err
}

func (s digestStore) Recipients(ctx context.Context, id int64) (map[string]string, error) {
	rs, err := s.st.DigestRecipients(ctx, id)
	out := map[string]string{}
	for _, r := range rs {
		out[r.Address] = r.State
	}
	return out, err
}

func (s digestStore) SetRecipient(ctx context.Context, id int64, address, state, detail string, at time.Time) error {
	return s.st.SetDigestRecipient(ctx, id, address, state, detail, at)
}

func (s digestStore) Sending(ctx context.Context, id int64, at time.Time) error {
	return s.st.DigestSending(ctx, id, at)
}

func (s digestStore) Attempt(ctx context.Context, id int64, at time.Time, errText string, next time.Time) error {
	return s.st.DigestAttempt(ctx, id, at, errText, next)
}

func (s digestStore) Sent(ctx context.Context, id int64, at time.Time) error {
	return s.st.DigestSent(ctx, id, at)
}
