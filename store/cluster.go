package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// The cluster: several `stet run` workers sharing one database (issue 19).
//
// Each configured feed has a narrow row in feed_leases: when it is next
// due, and which worker holds it until when. A worker claims due feeds
// whose claim is free or expired in one statement (ClaimFeeds), renews what
// it holds while it works (Renew), and gives a feed back in the transaction
// that saves its fetch (FetchResult.Claim): that update matches only while
// the row still carries the worker and the token of the claim. Any claim
// changes the token, so a worker that stalled past its lease and wakes after
// another worker claimed the feed matches nothing, and its whole save is
// rolled back (ErrLeaseLost): what the other worker stored is never stored
// twice. (River's job queue once let a rescuer overwrite a job that had
// completed meanwhile; the lesson is that every write of a lease row names
// the state it expects, never only the row.)
//
// Times are Unix milliseconds of the database's clock, so the workers'
// clocks need not agree; a Cluster made with a clock (tests) uses that
// instead.

// ErrLeaseLost: the save's claim on its feed is no longer held (it expired
// and another worker claimed the feed); nothing of the save was stored.
var ErrLeaseLost = errors.New("store: the claim on the feed was lost to another worker")

// Claim is a worker's hold on one feed, from ClaimFeeds.
type Claim struct {
	FeedID int64
	Worker string
	Token  int64
	At     time.Time // the database's time of the claim
	Due    time.Time // the time the feed was due
	// KeepDue: giving the claim back leaves the feed due as it was (a
	// claim of `stet once`, from ClaimFeed: the workers' schedule stays).
	KeepDue bool
}

// Never is the due time of a feed no longer fetched (gone).
var never = int64(math.MaxInt64)

// Worker describes a running worker, for RegisterWorker and `stet status`.
type Worker struct {
	ID        string
	Host      string
	PID       int
	UserAgent string
	Started   time.Time
	Seen      time.Time // last heartbeat
	Held      int       // feeds it holds a live claim on
	Leader    bool      // holds the digest leader lease
}

// LeaderDigest is the leader lease of the digest and the page rechecks.
const LeaderDigest = "digest"

// Cluster is the lease bookkeeping of a store. It is safe for concurrent
// use.
type Cluster struct {
	s     *Store
	clock func() time.Time // nil: the database's clock
}

// Cluster returns the store's lease bookkeeping. clock nil means the
// database's clock (what workers on several machines need); tests pass
// theirs.
func (s *Store) Cluster(clock func() time.Time) *Cluster {
	return &Cluster{s: s, clock: clock}
}

// The database's clock in Unix ms. The dialects differ: SQLite has only
// julianday (a day number with fractions), PostgreSQL clock_timestamp
// (the time of the statement, not of the transaction's start).
const (
	sqliteNowMs = `CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)`
	pgNowMs     = `CAST(extract(epoch FROM clock_timestamp()) * 1000 AS BIGINT)`
)

// nowArg is the time the statements take as their first argument: the
// test clock's, or NULL for the database's.
func (c *Cluster) nowArg() any {
	if c.clock == nil {
		return nil
	}
	return c.clock().UnixMilli()
}

// q is a statement's text for this store: {now} becomes the current time
// in Unix ms (the first argument when set, else the database's clock).
func (c *Cluster) q(text string) string {
	now := sqliteNowMs
	if c.s.isPostgres() {
		now = pgNowMs
	}
	return c.s.rebind(strings.ReplaceAll(text, "{now}", "COALESCE(CAST(?1 AS BIGINT), "+now+")"))
}

// Register records (or refreshes) a worker, and forgets workers not seen
// for a day.
func (c *Cluster) Register(ctx context.Context, w Worker) error {
	return c.s.writeTx(ctx, "register worker "+w.ID, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, c.q(`INSERT INTO workers (id, host, pid, user_agent, started, seen)
			VALUES (?2, ?3, ?4, ?5, {now}, {now})
			ON CONFLICT (id) DO UPDATE SET host = excluded.host, pid = excluded.pid,
				user_agent = excluded.user_agent, seen = excluded.seen`),
			c.nowArg(), w.ID, w.Host, w.PID, w.UserAgent); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, c.q(`DELETE FROM workers WHERE seen < {now} - ?2`), c.nowArg(), int64(24*time.Hour/time.Millisecond))
		return err
	})
}

// Unregister removes a worker that stops, with its claims (given back: due
// as they were) and its leader leases.
func (c *Cluster) Unregister(ctx context.Context, worker string) error {
	return c.s.writeTx(ctx, "unregister worker "+worker, func(tx *sql.Tx) error {
		if err := releaseAll(ctx, tx, c, worker); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, c.s.rebind(`UPDATE leader SET worker = NULL, until = NULL WHERE worker = ?`), worker); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, c.s.rebind(`DELETE FROM workers WHERE id = ?`), worker)
		return err
	})
}

// FeedRef is a configured feed: its URL and name.
type FeedRef struct{ URL, Name string }

// AddFeeds makes sure every feed is in the store (as EnsureFeed does) and
// has a lease row, due now when new (a new worker fetches due feeds at
// once); feeds that have one keep it, and when they are due. One
// transaction for all: workers starting together on tens of thousands of
// feeds do not write one transaction per feed. It returns the feeds' IDs
// by URL.
func (c *Cluster) AddFeeds(ctx context.Context, feeds []FeedRef) (map[string]int64, error) {
	ids := make(map[string]int64, len(feeds))
	err := c.s.writeTx(ctx, "add feeds to the cluster", func(tx *sql.Tx) error {
		clear(ids)
		ins, err := tx.PrepareContext(ctx, `INSERT INTO feeds (url, fetch_url, name) VALUES (?, ?, ?)
			ON CONFLICT (url) DO UPDATE SET name = excluded.name
			WHERE excluded.name <> '' AND excluded.name <> feeds.name`)
		if err != nil {
			return err
		}
		defer ins.Close()
		get, err := tx.PrepareContext(ctx, `SELECT id FROM feeds WHERE url = ?`)
		if err != nil {
			return err
		}
		defer get.Close()
		lease, err := tx.PrepareContext(ctx, c.q(`INSERT INTO feed_leases (feed_id, due) VALUES (?2, {now})
			ON CONFLICT (feed_id) DO NOTHING`))
		if err != nil {
			return err
		}
		defer lease.Close()
		for _, f := range feeds {
			if f.URL == "" {
				return errf("add feeds to the cluster: empty url")
			}
			if _, err := ins.ExecContext(ctx, f.URL, f.URL, f.Name); err != nil {
				return fmt.Errorf("feed %s: %w", f.URL, err)
			}
			var id int64
			if err := get.QueryRowContext(ctx, f.URL).Scan(&id); err != nil {
				return fmt.Errorf("feed %s: %w", f.URL, err)
			}
			if _, err := lease.ExecContext(ctx, c.nowArg(), id); err != nil {
				return fmt.Errorf("feed %s: %w", f.URL, err)
			}
			ids[f.URL] = id
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}

// DropFeed removes a feed's lease row: no worker fetches it any more (it
// left the configuration).
func (c *Cluster) DropFeed(ctx context.Context, feedID int64) error {
	return c.s.writeTx(ctx, fmt.Sprintf("drop feed %d from the cluster", feedID), func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, c.s.rebind(`DELETE FROM feed_leases WHERE feed_id = ?`), feedID)
		return err
	})
}

// The claim, in one statement. PostgreSQL locks the rows it picks and
// skips rows another transaction has locked (FOR UPDATE SKIP LOCKED), so
// concurrent claimers get different feeds without waiting for each other.
// SQLite has one writer at a time and no row locks: the same statement
// without the clause.
const (
	claimSQLite = `WITH t AS (SELECT {now} AS ms)
		UPDATE feed_leases SET worker = ?2, until = (SELECT ms FROM t) + ?3, token = token + 1
		WHERE feed_id IN (SELECT feed_id FROM feed_leases, t
			WHERE due <= t.ms AND (until IS NULL OR (until < t.ms - ?5 AND worker <> ?2)) ORDER BY due LIMIT ?4)
		RETURNING feed_id, token, due, (SELECT ms FROM t)`
	claimPG = `WITH t AS (SELECT {now} AS ms),
		d AS (SELECT l.feed_id FROM feed_leases l, t
			WHERE l.due <= t.ms AND (l.until IS NULL OR (l.until < t.ms - ?5 AND l.worker <> ?2)) ORDER BY l.due LIMIT ?4
			FOR UPDATE OF l SKIP LOCKED)
		UPDATE feed_leases SET worker = ?2, until = t.ms + ?3, token = feed_leases.token + 1
		FROM d, t WHERE feed_leases.feed_id = d.feed_id
		RETURNING feed_leases.feed_id, feed_leases.token, feed_leases.due, t.ms`
)

// ClaimFeeds claims up to n due feeds whose claim is free or has expired,
// earliest due first, for worker until now + lease. An expired claim is
// taken over only TakeoverMargin(lease) after it ran out: the fetch of a
// worker that died started a little after its claim (or its last renewal),
// and two fetches of a feed stay at least a lease apart. A worker never
// takes over its own expired claim: the fetch it claimed it for may still
// be going (its renewal failed), and would only lose its save.
func (c *Cluster) ClaimFeeds(ctx context.Context, worker string, n int, lease time.Duration) ([]Claim, error) {
	if n <= 0 {
		return nil, nil
	}
	text := claimSQLite
	if c.s.isPostgres() {
		text = claimPG
	}
	var out []Claim
	err := c.s.writeTx(ctx, "claim feeds", func(tx *sql.Tx) error {
		out = out[:0]
		rows, err := tx.QueryContext(ctx, c.q(text), c.nowArg(), worker, lease.Milliseconds(), n, TakeoverMargin(lease).Milliseconds())
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var cl Claim
			var due, at int64
			if err := rows.Scan(&cl.FeedID, &cl.Token, &due, &at); err != nil {
				return err
			}
			cl.Worker, cl.Due, cl.At = worker, time.UnixMilli(due).UTC(), time.UnixMilli(at).UTC()
			out = append(out, cl)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ClaimFeed claims one feed for worker until now + lease, whatever its
// due time, when no live claim holds it (none, or one that ran out a
// takeover margin ago, as ClaimFeeds takes); ok false when one does. It is
// `stet once` beside running workers: it fetches a feed no worker is
// fetching, and the save gives the claim back with the feed due as it was
// (KeepDue). A feed with no lease row gets one first, due now.
//
// On PostgreSQL the UPDATE waits for a worker's claim that has locked the
// row and then finds it held; a worker's claim skips the row this one
// locked (SKIP LOCKED). SQLite has one writer at a time.
func (c *Cluster) ClaimFeed(ctx context.Context, worker string, feedID int64, lease time.Duration) (Claim, bool, error) {
	cl := Claim{FeedID: feedID, Worker: worker, KeepDue: true}
	var ok bool
	err := c.s.writeTx(ctx, fmt.Sprintf("claim feed %d", feedID), func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, c.q(`INSERT INTO feed_leases (feed_id, due) VALUES (?2, {now})
			ON CONFLICT (feed_id) DO NOTHING`), c.nowArg(), feedID); err != nil {
			return err
		}
		var due, at int64
		err := tx.QueryRowContext(ctx, c.q(`UPDATE feed_leases SET worker = ?2, until = {now} + ?3, token = token + 1
			WHERE feed_id = ?4 AND (until IS NULL OR (until < {now} - ?5 AND worker <> ?2))
			RETURNING token, due, {now}`), c.nowArg(), worker, lease.Milliseconds(), feedID, TakeoverMargin(lease).Milliseconds()).
			Scan(&cl.Token, &due, &at)
		if errors.Is(err, sql.ErrNoRows) {
			ok = false
			return nil
		}
		if err != nil {
			return err
		}
		ok = true
		cl.Due, cl.At = time.UnixMilli(due).UTC(), time.UnixMilli(at).UTC()
		return nil
	})
	if err != nil {
		return Claim{}, false, err
	}
	return cl, ok, nil
}

// Renew extends the given claims of worker (the ones it is working on) to
// now + lease and records the worker's heartbeat. It returns how many of
// them it still holds.
func (c *Cluster) Renew(ctx context.Context, worker string, claims []Claim, lease time.Duration) (int, error) {
	var n int64
	err := c.s.writeTx(ctx, "renew claims of "+worker, func(tx *sql.Tx) error {
		n = 0
		// A claim that expired is renewed too when no one took it: the
		// token is unchanged, nobody else can have saved the feed.
		for _, cl := range claims {
			res, err := tx.ExecContext(ctx, c.q(`UPDATE feed_leases SET until = {now} + ?3
				WHERE feed_id = ?4 AND worker = ?2 AND token = ?5`), c.nowArg(), worker, lease.Milliseconds(), cl.FeedID, cl.Token)
			if err != nil {
				return err
			}
			k, _ := res.RowsAffected()
			n += k
		}
		_, err := tx.ExecContext(ctx, c.q(`UPDATE workers SET seen = {now} WHERE id = ?2`), c.nowArg(), worker)
		return err
	})
	return int(n), err
}

// Release gives back a claim without a fetch saved (the worker is
// stopping, or did not fetch it): the feed stays due as it was, for any
// worker to take at once. A claim no longer held is left alone.
func (c *Cluster) Release(ctx context.Context, cl Claim) error {
	return c.s.writeTx(ctx, fmt.Sprintf("release feed %d", cl.FeedID), func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, c.s.rebind(`UPDATE feed_leases SET worker = NULL, until = NULL
			WHERE feed_id = ? AND worker = ? AND token = ?`), cl.FeedID, cl.Worker, cl.Token)
		return err
	})
}

// Done gives back a claim with the feed next due at next (the zero time:
// never), without a fetch saved (a gone feed). ErrLeaseLost when the claim
// is no longer held.
func (c *Cluster) Done(ctx context.Context, cl Claim, next time.Time) error {
	return c.s.writeTx(ctx, fmt.Sprintf("release feed %d", cl.FeedID), func(tx *sql.Tx) error {
		return releaseClaim(ctx, tx, c.s, cl, next)
	})
}

// releaseAll gives back every claim of worker, due as they were.
func releaseAll(ctx context.Context, tx *sql.Tx, c *Cluster, worker string) error {
	_, err := tx.ExecContext(ctx, c.s.rebind(`UPDATE feed_leases SET worker = NULL, until = NULL WHERE worker = ?`), worker)
	return err
}

// releaseClaim ends a claim in the transaction that saves its fetch, the
// feed next due at next: when the claim is no longer held, it returns
// ErrLeaseLost and the caller rolls everything back.
func releaseClaim(ctx context.Context, tx *sql.Tx, s *Store, cl Claim, next time.Time) error {
	due := never
	if !next.IsZero() {
		due = next.UnixMilli()
	}
	// A claim that keeps the due time sets it to what it is. (An integer
	// flag: the store hands PostgreSQL booleans as SQLite's 0 and 1.)
	keep := 0
	if cl.KeepDue {
		keep = 1
	}
	res, err := tx.ExecContext(ctx, s.rebind(`UPDATE feed_leases SET worker = NULL, until = NULL,
			due = CASE WHEN ? = 1 THEN due ELSE ? END
		WHERE feed_id = ? AND worker = ? AND token = ?`), keep, due, cl.FeedID, cl.Worker, cl.Token)
	if err != nil {
		return errf("save feed %d: release the claim: %w", cl.FeedID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return errf("save feed %d: worker %s, claim %d: %w", cl.FeedID, cl.Worker, cl.Token, ErrLeaseLost)
	}
	return nil
}

// saveClaim is SaveFetch's check of r's claim (none: nothing to do).
func saveClaim(ctx context.Context, tx *sql.Tx, s *Store, r FetchResult) error {
	if r.Claim == nil {
		return nil
	}
	var next time.Time
	if r.Fetch != nil {
		next = r.Fetch.NextFetch
	}
	return releaseClaim(ctx, tx, s, *r.Claim, next)
}

// TakeoverMargin is how long after an expired claim ran out another worker
// may take it: a quarter of the lease.
func TakeoverMargin(lease time.Duration) time.Duration { return lease / 4 }

// NextDue is how long until worker may claim the next feed: it is due, or
// another worker's expired claim (of lease) may be taken over (0: now; a
// day when there is nothing).
func (c *Cluster) NextDue(ctx context.Context, worker string, lease time.Duration) (time.Duration, error) {
	var wait sql.NullInt64
	err := c.s.read.QueryRowContext(ctx, c.q(`SELECT MIN(CASE WHEN until IS NULL THEN due WHEN worker = ?3 THEN NULL
			WHEN until + ?2 < due THEN due ELSE until + ?2 END) - {now}
		FROM feed_leases`), c.nowArg(), TakeoverMargin(lease).Milliseconds(), worker).Scan(&wait)
	if err != nil {
		return 0, errf("next due: %w", err)
	}
	if !wait.Valid {
		return 24 * time.Hour, nil
	}
	return max(time.Duration(wait.Int64)*time.Millisecond, 0), nil
}

// Lead takes or renews the leader lease name for worker until now + lease;
// false when another worker holds it.
func (c *Cluster) Lead(ctx context.Context, name, worker string, lease time.Duration) (bool, error) {
	var got bool
	err := c.s.writeTx(ctx, "leader lease "+name, func(tx *sql.Tx) error {
		var w string
		err := tx.QueryRowContext(ctx, c.q(`INSERT INTO leader (name, worker, until) VALUES (?2, ?3, {now} + ?4)
			ON CONFLICT (name) DO UPDATE SET worker = excluded.worker, until = excluded.until
			WHERE leader.worker IS NULL OR leader.worker = excluded.worker OR leader.until < {now}
			RETURNING worker`), c.nowArg(), name, worker, lease.Milliseconds()).Scan(&w)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		got = err == nil && w == worker
		return err
	})
	return got, err
}

// LastRun is when the scheduled job of the leader lease name (the digest)
// last ran, whichever worker led then; the zero time when it never did.
func (c *Cluster) LastRun(ctx context.Context, name string) (time.Time, error) {
	var ms sql.NullInt64
	err := c.s.read.QueryRowContext(ctx, c.s.rebind(`SELECT last_run FROM leader WHERE name = ?`), name).Scan(&ms)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, errf("last run of %s: %w", name, err)
	}
	if !ms.Valid {
		return time.Time{}, nil
	}
	return time.UnixMilli(ms.Int64).UTC(), nil
}

// RecordRun takes the run of the scheduled job of the leader lease name
// at time at, for worker: it records at as the last run, and says true,
// only while worker holds the lease unexpired and the last run is still
// prev (LastRun's answer). One statement checks both, so of two workers
// that lead one after the other (the first stalled past its lease), or
// of two calls of one worker, one only takes a scheduled time: whoever
// comes second finds the row changed. On PostgreSQL a concurrent UPDATE
// of the row waits for the first and then checks its WHERE against the
// row the first left; SQLite has one writer at a time.
func (c *Cluster) RecordRun(ctx context.Context, name, worker string, prev, at time.Time) (bool, error) {
	p := int64(-1) // never ran
	if !prev.IsZero() {
		p = prev.UnixMilli()
	}
	var took bool
	err := c.s.writeTx(ctx, "record the run of "+name, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, c.q(`UPDATE leader SET last_run = ?4
			WHERE name = ?2 AND worker = ?3 AND until >= {now} AND COALESCE(last_run, -1) = ?5`),
			c.nowArg(), name, worker, at.UnixMilli(), p)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		took = n == 1
		return err
	})
	return took, err
}

// Resign gives up the leader lease name if worker holds it.
func (c *Cluster) Resign(ctx context.Context, name, worker string) error {
	return c.s.writeTx(ctx, "resign "+name, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, c.s.rebind(`UPDATE leader SET worker = NULL, until = NULL WHERE name = ? AND worker = ?`), name, worker)
		return err
	})
}

// Workers lists the registered workers, the last seen first, with the
// feeds each holds a live claim on and whether it leads.
func (c *Cluster) Workers(ctx context.Context) ([]Worker, error) {
	rows, err := c.s.read.QueryContext(ctx, c.q(`SELECT w.id, w.host, w.pid, w.user_agent, w.started, w.seen,
			(SELECT COUNT(*) FROM feed_leases l WHERE l.worker = w.id AND l.until >= {now}),
			EXISTS (SELECT 1 FROM leader d WHERE d.worker = w.id AND d.until >= {now})
		FROM workers w ORDER BY w.seen DESC, w.id`), c.nowArg())
	if err != nil {
		return nil, errf("workers: %w", err)
	}
	defer rows.Close()
	var out []Worker
	for rows.Next() {
		var w Worker
		var started, seen int64
		if err := rows.Scan(&w.ID, &w.Host, &w.PID, &w.UserAgent, &started, &seen, &w.Held, &w.Leader); err != nil {
			return nil, errf("workers: %w", err)
		}
		w.Started, w.Seen = time.UnixMilli(started).UTC(), time.UnixMilli(seen).UTC()
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, errf("workers: %w", err)
	}
	return out, nil
}

// Holders maps each feed with a live claim to the worker holding it.
func (c *Cluster) Holders(ctx context.Context) (map[int64]string, error) {
	rows, err := c.s.read.QueryContext(ctx, c.q(`SELECT feed_id, worker FROM feed_leases
		WHERE worker IS NOT NULL AND until >= {now}`), c.nowArg())
	if err != nil {
		return nil, errf("feed holders: %w", err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var w string
		if err := rows.Scan(&id, &w); err != nil {
			return nil, errf("feed holders: %w", err)
		}
		out[id] = w
	}
	if err := rows.Err(); err != nil {
		return nil, errf("feed holders: %w", err)
	}
	return out, nil
}
