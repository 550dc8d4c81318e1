package main

import (
	"context"
	"fmt"
	"net/mail"
	"path/filepath"
	"strings"
	"time"

	"github.com/stet-news/stet/digest"
	"github.com/stet-news/stet/store"
)

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
	return filepath.Join(filepath.Dir(a.cfg.Database), "digests")
}

func (a *App) mailDomain() string {
	if addr, err := mail.ParseAddress(a.cfg.Digest.From); err == nil {
		if i := strings.LastIndexByte(addr.Address, '@'); i >= 0 {
			return addr.Address[i+1:]
		}
	}
	return "stet.invalid"
}

// buildDigest renders the digest of the given rows.
func (a *App) buildDigest(changes []store.ChangeRow, problems []store.ProblemRow, at time.Time, msgID string) (*digest.Message, error) {
	loc, err := a.cfg.Location()
	if err != nil {
		return nil, err
	}
	in := digest.Input{Date: at.In(loc), From: a.cfg.Digest.From, To: a.cfg.Digest.To, MessageID: msgID}
	if in.From == "" {
		in.From = "stet@" + a.mailDomain()
	}
	if len(in.To) == 0 {
		in.To = []string{in.From}
	}
	for _, c := range changes {
		in.Changes = append(in.Changes, digest.Change{ID: c.ID, FeedURL: c.FeedURL, FeedName: c.FeedName,
			ArticleID: c.ArticleID, ArticleURL: c.ArticleURL, Headline: c.Headline, Kind: c.Kind, Person: c.Person,
			Before: c.Before, After: c.After, Quote: c.Quote, DetectedAt: c.DetectedAt.In(loc)})
	}
	for _, p := range problems {
		in.Problems = append(in.Problems, digest.Problem{FeedURL: p.FeedURL, ArticleURL: p.ArticleURL, Kind: p.Kind,
			Detail: p.Detail, Since: p.FirstAt.In(loc), Count: p.Count})
	}
	return digest.Build(in)
}

// pendingDigest is what the next new digest would hold.
func (a *App) pendingDigest(ctx context.Context) ([]store.ChangeRow, []store.ProblemRow, error) {
	changes, err := a.store.Changes(ctx, store.ChangeFilter{Unsent: true})
	if err != nil {
		return nil, nil, err
	}
	problems, err := a.store.Problems(ctx, true, problemThreshold)
	if err != nil {
		return nil, nil, err
	}
	return changes, problems, nil
}

// PreviewDigest renders what would be sent now, changing nothing. A digest
// that was recorded but not yet delivered goes first, so that is shown.
func (a *App) PreviewDigest(ctx context.Context) (*digest.Message, error) {
	if open, err := a.store.OpenDigest(ctx); err != nil {
		return nil, err
	} else if open != nil {
		return a.openDigestMessage(ctx, open)
	}
	changes, problems, err := a.pendingDigest(ctx)
	if err != nil {
		return nil, err
	}
	return a.buildDigest(changes, problems, a.now(), digest.MessageID(changeIDs(changes, problems), a.mailDomain()))
}

func changeIDs(changes []store.ChangeRow, problems []store.ProblemRow) []int64 {
	ids := make([]int64, 0, len(changes)+len(problems))
	for _, c := range changes {
		ids = append(ids, c.ID)
	}
	for _, p := range problems {
		ids = append(ids, -p.ID) // problems share the id space, negated
	}
	return ids
}

// SendDigest delivers every change not yet sent. A digest recorded earlier
// but not confirmed (a crash after the server accepted it, or a failed try)
// is delivered first, as the same message with the same Message-ID. Then a
// new digest is recorded (with its Message-ID) before it is sent, and marked
// sent only once the server accepted it. It returns how many digests went out.
func (a *App) SendDigest(ctx context.Context, force bool) (int, error) {
	sent := 0
	open, err := a.store.OpenDigest(ctx)
	if err != nil {
		return 0, err
	}
	if open != nil {
		if err := a.deliverOpen(ctx, open); err != nil {
			return 0, err
		}
		sent++
	}
	changes, problems, err := a.pendingDigest(ctx)
	if err != nil {
		return sent, err
	}
	if len(changes) == 0 && len(problems) == 0 && !(a.cfg.Digest.SendEmpty || force) {
		a.log.Info("digest: nothing to send")
		return sent, nil
	}
	if len(changes) == 0 && len(problems) == 0 && sent > 0 {
		return sent, nil
	}
	now := a.now()
	msgID := digest.MessageID(changeIDs(changes, problems), a.mailDomain())
	if len(changes) == 0 && len(problems) == 0 {
		msgID = digest.MessageID([]int64{now.Unix()}, a.mailDomain())
	}
	cids := make([]int64, len(changes))
	for i, c := range changes {
		cids[i] = c.ID
	}
	pids := make([]int64, len(problems))
	for i, p := range problems {
		pids[i] = p.ID
	}
	d, err := a.store.CreateDigest(ctx, msgID, now, cids, pids)
	if err != nil {
		return sent, err
	}
	if err := a.deliverOpen(ctx, &d); err != nil {
		return sent, err
	}
	return sent + 1, nil
}

// openDigestMessage rebuilds a recorded digest exactly: same rows, same
// date, same Message-ID.
func (a *App) openDigestMessage(ctx context.Context, d *store.Digest) (*digest.Message, error) {
	changes, err := a.store.DigestChanges(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	problems, err := a.store.DigestProblems(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	return a.buildDigest(changes, problems, d.CreatedAt, d.MessageID)
}

// deliverOpen sends a recorded digest and marks it sent, or records the
// failed attempt with the time of the next one.
func (a *App) deliverOpen(ctx context.Context, d *store.Digest) error {
	msg, err := a.openDigestMessage(ctx, d)
	if err != nil {
		return err
	}
	where, err := a.deliver(ctx, msg)
	a.metrics.DigestSent(err == nil)
	now := a.now()
	if err != nil {
		next := now.Add(digestBackoff(d.Attempts + 1))
		if aerr := a.store.DigestAttempt(ctx, d.ID, now, oneLine(err.Error()), next); aerr != nil {
			a.log.Error("digest: record attempt", "err", aerr)
		}
		return fmt.Errorf("digest %s: %w (next try at %s)", d.MessageID, err, fmtTime(next))
	}
	if err := a.store.DigestSent(ctx, d.ID, now); err != nil {
		return err
	}
	a.log.Info("digest sent", "message_id", d.MessageID, "subject", msg.Subject, "to", where)
	return nil
}

// deliver sends msg over SMTP, or writes it to the digest folder.
func (a *App) deliver(ctx context.Context, msg *digest.Message) (string, error) {
	s := a.cfg.SMTP
	if s.Host == "" {
		path, err := digest.WriteEML(a.digestDir(), msg)
		return path, err
	}
	cfg := digest.SMTPConfig{Host: s.Host, Port: s.Port, Username: s.Username, Password: a.cfg.Password(a.env.Getenv),
		TLS: s.TLS, Timeout: time.Duration(s.Timeout), RootCAs: a.rootCAs}
	from := a.cfg.Digest.From
	return strings.Join(a.cfg.Digest.To, ","), digest.Send(ctx, cfg, from, a.cfg.Digest.To, msg)
}

// digestBackoff is the wait before try n+1 of a digest: 1, 2, 4 ... minutes,
// at most an hour, so a failed digest is retried well before the next one.
func digestBackoff(n int) time.Duration {
	d := time.Minute
	for i := 1; i < n && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// retryDigest delivers a recorded digest whose next attempt is due.
func (a *App) retryDigest(ctx context.Context) error {
	open, err := a.store.OpenDigest(ctx)
	if err != nil || open == nil {
		return err
	}
	if open.NextAttempt.After(a.now()) {
		return nil
	}
	return a.deliverOpen(ctx, open)
}
