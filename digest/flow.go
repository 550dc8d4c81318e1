package digest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"slices"
	"strings"
	"time"
)

// The delivery workflow: which changes go into a digest, in what order
// digests go out, and what is recorded when. The store behind it is the
// caller's, seen through Store.
//
// A digest is recorded (its changes linked, its Message-ID fixed) before
// the first attempt, so a retry sends the same message. Digests go out
// oldest first; one that cannot go out now holds back the ones behind it,
// which are still built and recorded on their schedule. Each recipient is
// handled on its own: a permanent refusal of one address is recorded,
// logged and counted, and the others get their mail; a refusal of all is
// retried with backoff. Delivery is at least once: the moment before DATA
// is recorded, and a digest caught there by a crash or a timeout is sent
// again (same Message-ID, so mail clients fold the copies) only once
// smtp.timeout has passed.

// Record is a digest as the store keeps it.
type Record struct {
	ID          int64
	MessageID   string
	CreatedAt   time.Time
	NextAttempt time.Time // zero: due now
	SendingAt   time.Time // set before DATA; zero when no hand-over is in doubt
	Attempts    int
}

// Recipient outcomes a Store keeps per digest.
const (
	RecipientSent    = "sent"
	RecipientRefused = "refused"
)

// Store is what the workflow reads and writes.
type Store interface {
	// Pending is what the next new digest would hold: changes in no digest,
	// problems worth naming and not yet reported, oldest first.
	Pending(ctx context.Context) ([]Change, []Problem, error)
	// Open returns the digests recorded and not yet sent, oldest first.
	Open(ctx context.Context) ([]Record, error)
	// Create records a digest with its Message-ID and links the changes
	// and problems to it.
	Create(ctx context.Context, messageID string, at time.Time, changeIDs, problemIDs []int64) (Record, error)
	// Contents returns the changes and problems of a recorded digest.
	Contents(ctx context.Context, id int64) ([]Change, []Problem, error)
	// Recipients returns the outcome recorded per address (lower case).
	Recipients(ctx context.Context, id int64) (map[string]string, error)
	SetRecipient(ctx context.Context, id int64, address, state, detail string, at time.Time) error
	Sending(ctx context.Context, id int64, at time.Time) error
	Attempt(ctx context.Context, id int64, at time.Time, errText string, next time.Time) error
	Sent(ctx context.Context, id int64, at time.Time) error
}

// Counters are told what happened; nil methods are fine to skip.
type Counters interface {
	DigestSent(ok bool)
	DigestRecipientRefused()
}

// FlowConfig is the digest's part of the configuration.
type FlowConfig struct {
	From      string   // "" : stet@ the domain of nothing
	To        []string // none: the sender itself (for .eml files)
	Location  *time.Location
	SendEmpty bool
	SMTP      SMTPConfig // Host "": write .eml files to Dir
	Dir       string
	MaxBytes  int64  // the size cap of one digest (0: no cap)
	BaseURL   string // the web view, for links to what did not fit
}

// Flow runs the workflow over a Store.
type Flow struct {
	st       Store
	cfg      FlowConfig
	log      *slog.Logger
	now      func() time.Time
	counters Counters
}

// NewFlow returns a Flow; log, now and counters may be nil.
func NewFlow(st Store, cfg FlowConfig, log *slog.Logger, now func() time.Time, counters Counters) *Flow {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	if cfg.Location == nil {
		cfg.Location = time.Local
	}
	return &Flow{st: st, cfg: cfg, log: log, now: now, counters: counters}
}

// ErrInFlight: a digest was being handed over (the moment before DATA is
// recorded) less than smtp.timeout ago: another stet may still be sending
// it, or one that crashed may have; it is sent again only after that.
var ErrInFlight = errors.New("digest: being sent (or was, before a restart): waiting smtp.timeout before sending it again")

func (f *Flow) domain() string {
	if addr, err := mail.ParseAddress(f.cfg.From); err == nil {
		if i := strings.LastIndexByte(addr.Address, '@'); i >= 0 {
			return addr.Address[i+1:]
		}
	}
	return "stet.invalid"
}

func (f *Flow) from() string {
	if f.cfg.From != "" {
		return f.cfg.From
	}
	return "stet@" + f.domain()
}

func (f *Flow) build(changes []Change, problems []Problem, at time.Time, msgID string) (*Message, error) {
	loc := f.cfg.Location
	in := Input{Date: at.In(loc), From: f.from(), To: f.cfg.To, MessageID: msgID, MaxBytes: f.cfg.MaxBytes, BaseURL: f.cfg.BaseURL}
	if len(in.To) == 0 {
		in.To = []string{in.From}
	}
	for _, c := range changes {
		c.DetectedAt = c.DetectedAt.In(loc)
		in.Changes = append(in.Changes, c)
	}
	for _, p := range problems {
		p.Since = p.Since.In(loc)
		in.Problems = append(in.Problems, p)
	}
	return Build(in)
}

func messageIDOf(changes []Change, problems []Problem, domain string) string {
	ids := make([]int64, 0, len(changes)+len(problems))
	for _, c := range changes {
		ids = append(ids, c.ID)
	}
	for _, p := range problems {
		ids = append(ids, -p.ID) // problems share the id space, negated
	}
	return MessageID(ids, domain)
}

// Preview renders what would be sent now, changing nothing: the oldest
// digest waiting, else a new one of everything pending.
func (f *Flow) Preview(ctx context.Context) (*Message, error) {
	open, err := f.st.Open(ctx)
	if err != nil {
		return nil, err
	}
	if len(open) > 0 {
		return f.message(ctx, open[0])
	}
	changes, problems, err := f.st.Pending(ctx)
	if err != nil {
		return nil, err
	}
	return f.build(changes, problems, f.now(), messageIDOf(changes, problems, f.domain()))
}

// message rebuilds a recorded digest exactly: same rows, date, Message-ID.
func (f *Flow) message(ctx context.Context, r Record) (*Message, error) {
	changes, problems, err := f.st.Contents(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	return f.build(changes, problems, r.CreatedAt, r.MessageID)
}

// Send records a digest of everything pending (unless there is nothing and
// neither digest.send_empty nor force says to mail anyway), then delivers
// the queue oldest first, stopping at the first that cannot go out now. It
// returns how many went out; an error names the digest that is waiting.
func (f *Flow) Send(ctx context.Context, force bool) (int, error) {
	open, err := f.st.Open(ctx)
	if err != nil {
		return 0, err
	}
	changes, problems, err := f.st.Pending(ctx)
	if err != nil {
		return 0, err
	}
	empty := len(changes) == 0 && len(problems) == 0
	if !empty || (f.cfg.SendEmpty || force) && len(open) == 0 {
		now := f.now()
		msgID := messageIDOf(changes, problems, f.domain())
		if empty {
			msgID = MessageID([]int64{now.Unix()}, f.domain())
		}
		cids := make([]int64, len(changes))
		for i, c := range changes {
			cids[i] = c.ID
		}
		pids := make([]int64, len(problems))
		for i, p := range problems {
			pids[i] = p.ID
		}
		r, err := f.st.Create(ctx, msgID, now, cids, pids)
		if err != nil {
			return 0, err
		}
		open = append(open, r)
	}
	if len(open) == 0 {
		f.log.Info("digest: nothing to send")
		return 0, nil
	}
	sent := 0
	for _, r := range open {
		if err := f.deliver(ctx, r); err != nil {
			if waiting := len(open) - sent - 1; waiting > 0 {
				err = fmt.Errorf("%w (%d more digest(s) queued behind it)", err, waiting)
			}
			return sent, err
		}
		sent++
	}
	return sent, nil
}

// Retry delivers the queue when its oldest digest is due again.
func (f *Flow) Retry(ctx context.Context) error {
	open, err := f.st.Open(ctx)
	if err != nil || len(open) == 0 {
		return err
	}
	if open[0].NextAttempt.After(f.now()) {
		return nil
	}
	for _, r := range open {
		if err := f.deliver(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

// Backoff is the wait before try n+1 of a digest: 1, 2, 4 ... minutes, at
// most an hour.
func Backoff(n int) time.Duration {
	d := time.Minute
	for i := 1; i < n && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

func bare(addr string) string {
	if a, err := mail.ParseAddress(addr); err == nil {
		return strings.ToLower(a.Address)
	}
	return strings.ToLower(strings.TrimSpace(addr))
}

// deliver sends one recorded digest to each recipient still due and
// records the outcome.
func (f *Flow) deliver(ctx context.Context, r Record) error {
	timeout := f.cfg.SMTP.Timeout
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	now := f.now()
	if !r.SendingAt.IsZero() && now.Before(r.SendingAt.Add(timeout)) {
		return fmt.Errorf("digest %s: %w", r.MessageID, ErrInFlight)
	}
	msg, err := f.message(ctx, r)
	if err != nil {
		return err
	}
	if f.cfg.SMTP.Host == "" {
		path, err := WriteEML(f.cfg.Dir, msg)
		if err != nil {
			return f.failed(ctx, r, err)
		}
		return f.sent(ctx, r, msg, path)
	}
	done, err := f.st.Recipients(ctx, r.ID)
	if err != nil {
		return err
	}
	var due []string
	anySent := false
	for _, to := range f.cfg.To {
		switch done[bare(to)] {
		case RecipientSent:
			anySent = true
		case RecipientRefused:
		default:
			due = append(due, to)
		}
	}
	if len(due) == 0 {
		return f.sent(ctx, r, msg, "")
	}
	out, err := SendEach(ctx, f.cfg.SMTP, f.from(), due, msg, func([]string) error {
		return f.st.Sending(ctx, r.ID, f.now())
	})
	if len(out.Refused) > 0 && (len(out.Accepted) > 0 || anySent) {
		// Others got (or will get) it: these addresses are given up on.
		for _, addr := range sortedKeys(out.Refused) {
			f.log.Warn("digest: recipient refused permanently: not sent to it again", "message_id", r.MessageID, "to", addr, "answer", out.Refused[addr])
			if f.counters != nil {
				f.counters.DigestRecipientRefused()
			}
			if serr := f.st.SetRecipient(ctx, r.ID, addr, RecipientRefused, out.Refused[addr], f.now()); serr != nil {
				return serr
			}
		}
	}
	for _, addr := range out.Accepted {
		if serr := f.st.SetRecipient(ctx, r.ID, addr, RecipientSent, "", f.now()); serr != nil {
			return serr
		}
	}
	if err != nil {
		if errors.Is(err, ErrAllRefused) && f.counters != nil {
			for range out.Refused {
				f.counters.DigestRecipientRefused()
			}
		}
		return f.failed(ctx, r, err)
	}
	if len(out.Deferred) > 0 {
		return f.failed(ctx, r, fmt.Errorf("digest: sent to %d, deferred: %w", len(out.Accepted), Outcome{Deferred: out.Deferred}.notAll()))
	}
	return f.sent(ctx, r, msg, strings.Join(out.Accepted, ","))
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func (f *Flow) failed(ctx context.Context, r Record, err error) error {
	if f.counters != nil {
		f.counters.DigestSent(false)
	}
	now := f.now()
	next := now.Add(Backoff(r.Attempts + 1))
	if aerr := f.st.Attempt(ctx, r.ID, now, oneLine(err.Error()), next); aerr != nil {
		f.log.Error("digest: record attempt", "err", aerr)
	}
	return fmt.Errorf("digest %s: %w (next try at %s)", r.MessageID, err, next.UTC().Format(time.RFC3339))
}

func (f *Flow) sent(ctx context.Context, r Record, msg *Message, where string) error {
	if f.counters != nil {
		f.counters.DigestSent(true)
	}
	if err := f.st.Sent(ctx, r.ID, f.now()); err != nil {
		return err
	}
	f.log.Info("digest sent", "message_id", r.MessageID, "subject", msg.Subject, "to", where)
	return nil
}
