package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// maxOpenDigests bounds what OpenDigests returns: the queue is worked
// oldest first, and the rest waits for the next run.
const maxOpenDigests = 100

// OpenDigests returns the digests created but not yet sent, oldest first
// (at most 100).
func (s *Store) OpenDigests(ctx context.Context) ([]Digest, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+digestCols+` FROM digests WHERE sent_at IS NULL ORDER BY id LIMIT ?`, maxOpenDigests)
	if err != nil {
		return nil, fmt.Errorf("store: open digests: %w", err)
	}
	defer rows.Close()
	var out []Digest
	for rows.Next() {
		var d Digest
		if err := rows.Scan(digestDest(&d)...); err != nil {
			return nil, fmt.Errorf("store: open digests: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: open digests: %w", err)
	}
	return out, nil
}

// DigestSending records that digest id is about to be handed over (just
// before DATA): a stet restarted before it learns the outcome waits
// smtp.timeout from here before sending it again.
func (s *Store) DigestSending(ctx context.Context, id int64, at time.Time) error {
	return s.writeTx(ctx, fmt.Sprintf("digest %d sending", id), func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE digests SET sending_at = ? WHERE id = ? AND sent_at IS NULL`, tsNotNull(at), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("store: digest %d sending: not an open digest: %w", id, ErrNotFound)
		}
		return nil
	})
}

// Recipient states.
const (
	RecipientSent    = "sent"
	RecipientRefused = "refused" // a permanent refusal (SMTP 5xx)
)

// DigestRecipient is one recipient's outcome for one digest.
type DigestRecipient struct {
	DigestID  int64
	MessageID string
	Address   string // bare, lower case
	State     string // RecipientSent or RecipientRefused
	Detail    string // the server's answer to a refusal
	At        time.Time
}

// SetDigestRecipient records a recipient's outcome for digest id (the
// address is stored lower case); a second outcome replaces the first.
func (s *Store) SetDigestRecipient(ctx context.Context, id int64, address, state, detail string, at time.Time) error {
	if state != RecipientSent && state != RecipientRefused {
		return fmt.Errorf("store: digest %d recipient %s: unknown state %q", id, address, state)
	}
	return s.writeTx(ctx, fmt.Sprintf("digest %d recipient", id), func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO digest_recipients (digest_id, address, state, detail, at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (digest_id, address) DO UPDATE SET state = excluded.state, detail = excluded.detail, at = excluded.at`,
			id, strings.ToLower(address), state, detail, tsNotNull(at))
		return err
	})
}

// DigestRecipients returns the outcomes recorded for digest id.
func (s *Store) DigestRecipients(ctx context.Context, id int64) ([]DigestRecipient, error) {
	return s.recipients(ctx, `WHERE r.digest_id = ? ORDER BY r.address`, id)
}

// RefusedRecipients returns the most recent permanent refusals, newest
// first, at most limit.
func (s *Store) RefusedRecipients(ctx context.Context, limit int) ([]DigestRecipient, error) {
	return s.recipients(ctx, `WHERE r.state = 'refused' ORDER BY r.at DESC, r.digest_id DESC LIMIT ?`, limit)
}

func (s *Store) recipients(ctx context.Context, where string, args ...any) ([]DigestRecipient, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT r.digest_id, d.message_id, r.address, r.state, r.detail, r.at
		FROM digest_recipients r JOIN digests d ON d.id = r.digest_id `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("store: digest recipients: %w", err)
	}
	defer rows.Close()
	var out []DigestRecipient
	for rows.Next() {
		var r DigestRecipient
		if err := rows.Scan(&r.DigestID, &r.MessageID, &r.Address, &r.State, &r.Detail, tm(&r.At)); err != nil {
			return nil, fmt.Errorf("store: digest recipients: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: digest recipients: %w", err)
	}
	return out, nil
}
