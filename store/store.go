// Package store keeps feeds, articles, every revision of every article, the
// changes found between revisions, and the digest bookkeeping in one SQLite
// file (modernc.org/sqlite, pure Go), or in a PostgreSQL database shared by
// several stet workers (pgx; a database setting that is a postgres:// URL).
// One Store type serves both: the SQL is written once, for SQLite, and
// rewritten for PostgreSQL where the two differ (dialect.go, postgres.go);
// the PostgreSQL schema is pgmigrations/, its version a row of stet_schema.
//
// SQLite: one write connection (BEGIN IMMEDIATE) and a pool of read-only connections;
// WAL mode, so readers never wait for the writer. Exported methods own their
// transaction; helpers take the transaction. The schema is built by the
// embedded, numbered migrations in migrations/, PRAGMA user_version being the
// number of the last one applied. A migration, once released, is never
// edited: testdata/v1.db (go generate) is a database made by 0001 alone, and
// the tests upgrade it.
//
// Schema (see migrations/ for the columns):
//
//	feeds      configured URL, fetched URL, validators, last fetch/status/error, next fetch, failures, gone
//	articles   per feed: key (UNIQUE with feed), guid and url (NULL: same as key), canonical,
//	           published (+ the date as the feed wrote it: dates.go), first/last seen, in_feed,
//	           recheck plan (next_check, page validators), pruned (revisions 1..pruned dropped)
//	revisions  per article: number (UNIQUE with article), fetched_at, headline (NULL: in the body,
//	           doc.go), body (codec byte + compressed text, text.go, or a delta of an earlier
//	           revision, delta.go), text_size, hash (first 8 bytes of the SHA-256 since 0005:
//	           hash.go), revert_of, source
//	changes    article, from_rev/to_rev (foreign keys to revisions), kind, person, before, after,
//	           quote, detected_at, digest_id; UNIQUE (article, from, to, hash of the content)
//	digests    message_id, created/sent/attempt times, attempts, last_error
//	problems   feed, article (NULL: the feed's), kind, detail, first/last, count, resolved_at, digest_id
//
// Times are fixed-width UTC RFC 3339 text (nanoseconds), NULL for none;
// since 0005, Unix milliseconds in articles and revisions.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"time"

	_ "modernc.org/sqlite" // driver "sqlite"
)

// Sentinel errors callers branch on.
var (
	// ErrNotFound: no such feed, article or digest.
	ErrNotFound = errors.New("store: not found")
	// ErrTooNew: the database was written by a newer stet; it is left as is.
	ErrTooNew = errors.New("store: database schema is newer than this stet")
	// ErrDigestOpen: a digest was created and not yet marked sent.
	ErrDigestOpen = errors.New("store: a digest is still open")
)

// opError is an error the store made: "store: " and what failed, then the
// cause (wrapped). Transactions pass it on as it is, and wrap any other.
type opError struct{ err error }

func (e *opError) Error() string { return e.err.Error() }
func (e *opError) Unwrap() error { return e.err }

// errf makes an opError: "store: " and the formatted message (%w wraps).
func errf(format string, args ...any) error {
	return &opError{fmt.Errorf("store: "+format, args...)}
}

//go:embed migrations/*.sql
var migrationFS embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded SQLite migrations in order, numbered 1..n.
func migrations() ([]migration, error) {
	return readMigrations(migrationFS, "migrations")
}

// SchemaVersion is the SQLite schema version this binary creates and
// understands (PostgresSchemaVersion is PostgreSQL's).
func SchemaVersion() int {
	ms, err := migrations()
	if err != nil {
		panic(err) // embedded at build time; a bad name is a build bug
	}
	return len(ms)
}

// Store is the store, on SQLite or on PostgreSQL (dialect.go). It is safe
// for concurrent use.
type Store struct {
	path  string // the SQLite file, or the PostgreSQL URL (without a password)
	pg    bool
	write *sql.DB // SQLite: one connection, transactions BEGIN IMMEDIATE; PostgreSQL: the pool
	read  *sql.DB // SQLite: query_only connections; PostgreSQL: the same pool as write
	st    stmts   // prepared at Open (stmts.go)
	// Now is the clock for the few writes that take no time from the caller
	// (ResolveProblems). Defaults to time.Now.
	Now func() time.Time
}

// dsn builds a file: URI for path with the given query.
func dsn(p string, query string) string {
	u := url.URL{Path: p}
	return "file:" + u.EscapedPath() + "?" + query
}

const (
	writeParams = "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	readParams  = "_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_pragma=query_only(1)"
)

// Open opens the database at path, creating it when missing, and brings its
// schema up to date. Before an existing database is upgraded, a copy of it is
// written next to it (PATH.vN.bak, N being its old version). A database from
// a newer stet is refused with ErrTooNew and not modified.
//
// A path that is a postgres:// or postgresql:// URL (IsPostgres) opens that
// PostgreSQL database instead, creating the schema in an empty one; the
// password comes from PGPASSWORD, never from the URL.
func Open(ctx context.Context, path string) (*Store, error) {
	if IsPostgres(path) {
		return openPostgres(ctx, path, false)
	}
	latest := SchemaVersion()
	// Look at the header before SQLite touches the file: opening it would
	// switch the journal mode and recover a WAL, both writes.
	v, err := headerVersion(path)
	if err != nil {
		return nil, errf("open %s: %w", path, err)
	}
	if v > latest {
		return nil, errf("open %s: schema version %d, this stet knows up to %d: %w", path, v, latest, ErrTooNew)
	}
	if v == 0 {
		if err := create(ctx, path); err != nil {
			return nil, errf("open %s: %w", path, err)
		}
	}
	backedUp := false
	if v > 0 && v < latest {
		// Copy the old database as it is, before any connection of ours
		// changes it (journal mode included).
		if err := backupOld(ctx, path, v); err != nil {
			return nil, err
		}
		backedUp = true
	}

	w, err := sql.Open("sqlite", dsn(path, writeParams))
	if err != nil {
		return nil, errf("open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	s := &Store{path: path, write: w, Now: time.Now}
	if err := s.migrate(ctx, latest, !backedUp); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", dsn(path, readParams))
	if err != nil {
		w.Close()
		return nil, errf("open %s: %w", path, err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(4)
	if err := r.PingContext(ctx); err != nil {
		w.Close()
		r.Close()
		return nil, errf("open %s: %w", path, err)
	}
	s.read = r
	if err := s.prepareStmts(ctx); err != nil {
		s.closeStmts()
		w.Close()
		r.Close()
		return nil, err
	}
	return s, nil
}

// pageSize is the page size of a new database. Revision rows are about
// 700 bytes: a 4 KiB page holds five and leaves a tenth of itself unused,
// an 8 KiB page eleven. The page size is fixed when the file is first
// written, in WAL mode for good.
const pageSize = 8192

// create gives a new (missing or empty) database its page size and WAL
// mode. The driver runs the DSN's pragmas in alphabetical order, and
// journal_mode before page_size would fix the default size.
func create(ctx context.Context, p string) error {
	db, err := sql.Open("sqlite", dsn(p, "_pragma=busy_timeout(5000)"))
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var v int
	if err := conn.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil || v != 0 {
		return err // another process created it meanwhile: leave it be
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA page_size = %d", pageSize)); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA journal_mode = WAL"); err != nil {
		return err
	}
	if err := conn.Close(); err != nil {
		return err
	}
	return db.Close()
}

// headerVersion reads PRAGMA user_version from the database header without
// opening the database. A missing or empty file is version 0.
func headerVersion(p string) (int, error) {
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var h [100]byte
	n, err := io.ReadFull(f, h[:])
	if n == 0 && (err == io.EOF) {
		return 0, nil
	}
	if err != nil || string(h[:16]) != "SQLite format 3\x00" {
		return 0, errors.New("not an SQLite database")
	}
	return int(int32(binary.BigEndian.Uint32(h[60:64]))), nil
}

// migrate applies the migrations after the database's version up to target,
// one transaction each. With backup set, an existing database (version > 0)
// is copied next to itself first.
func (s *Store) migrate(ctx context.Context, target int, backup bool) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	var v int
	if err := s.write.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return errf("open %s: %w", s.path, err)
	}
	if v > len(ms) {
		return errf("open %s: schema version %d, this stet knows up to %d: %w", s.path, v, len(ms), ErrTooNew)
	}
	if v >= target {
		return nil
	}
	if backup && v > 0 {
		if _, err := s.write.ExecContext(ctx, "VACUUM INTO ?", backupName(s.path, v)); err != nil {
			return errf("backup before upgrade of %s: %w", s.path, err)
		}
	}
	vacuum := false
	for _, m := range ms[v:target] {
		if err := s.apply(ctx, m); err != nil {
			return err
		}
		vacuum = vacuum || rebuilds[m.version]
	}
	if vacuum && v > 0 {
		// The old copies of rebuilt tables left their pages free: give
		// them back, or the upgrade would double the file.
		if err := s.Vacuum(ctx); err != nil {
			return errf("open %s: after upgrade: %w", s.path, err)
		}
	}
	return nil
}

// rebuilds are the migrations that rewrite whole tables.
var rebuilds = map[int]bool{5: true}

// backupName is where the copy of a database at version v goes before an
// upgrade: PATH.vN.bak, or PATH.vN.UNIXTIME.bak when that exists already.
func backupName(p string, v int) string {
	bak := fmt.Sprintf("%s.v%d.bak", p, v)
	if _, err := os.Stat(bak); err == nil {
		bak = fmt.Sprintf("%s.v%d.%d.bak", p, v, time.Now().Unix())
	}
	return bak
}

// backupOld copies the database at p (version v) with a connection that sets
// nothing on it.
func backupOld(ctx context.Context, p string, v int) error {
	db, err := sql.Open("sqlite", dsn(p, "_pragma=busy_timeout(5000)"))
	if err != nil {
		return errf("backup before upgrade of %s: %w", p, err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", backupName(p, v)); err != nil {
		return errf("backup before upgrade of %s: %w", p, err)
	}
	if err := db.Close(); err != nil {
		return errf("backup before upgrade of %s: %w", p, err)
	}
	return nil
}

// apply runs one migration in one transaction. Foreign keys are off while
// it runs, as SQLite requires for rebuilding a table that others refer to
// (a migration may drop and recreate one), and checked before it commits.
func (s *Store) apply(ctx context.Context, m migration) error {
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return errf("migrate %s: %w", m.name, err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
		return errf("migrate %s: %w", m.name, err)
	}
	// The write pool's one connection goes back with foreign keys on, or
	// is thrown away.
	defer func() {
		if _, err := conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA foreign_keys = ON"); err != nil {
			conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return errf("migrate %s: %w", m.name, err)
	}
	defer tx.Rollback()
	var v int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return errf("migrate %s: %w", m.name, err)
	}
	if v != m.version-1 { // another process got there first
		if v >= m.version {
			return nil
		}
		return errf("migrate %s: database at version %d", m.name, v)
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return errf("migrate %s: %w", m.name, err)
	}
	if fn := afterMigrate[m.version]; fn != nil {
		if err := fn(ctx, tx); err != nil {
			return errf("migrate %s: %w", m.name, err)
		}
	}
	if err := foreignKeyCheck(ctx, tx); err != nil {
		return errf("migrate %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
		return errf("migrate %s: %w", m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return errf("migrate %s: %w", m.name, err)
	}
	return nil
}

// foreignKeyCheck fails on the first row that refers to a missing one.
func foreignKeyCheck(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return err
	}
	defer rows.Close()
	if rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fkid int
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			return err
		}
		return fmt.Errorf("row %d of %s refers to a missing row of %s", rowid.Int64, table, parent)
	}
	return rows.Err()
}

// Close closes both pools.
func (s *Store) Close() error {
	var err error
	s.closeStmts()
	if s.read != nil && s.read != s.write {
		err = s.read.Close()
	}
	if e := s.write.Close(); e != nil && err == nil {
		err = e
	}
	if err != nil {
		return errf("close: %w", err)
	}
	return nil
}

// Path is the database file's path as given to Open.
func (s *Store) Path() string { return s.path }

// writeTx runs fn in one write transaction: on SQLite BEGIN IMMEDIATE on
// the one write connection; on PostgreSQL READ COMMITTED on the pool, so
// that several workers write at once. Where a read then a write could race
// between two workers there, a unique key (ON CONFLICT) or the row lock of
// an UPDATE that comes first settles it (SaveFetch: pass.go). Two workers
// can still deadlock (each holding a row the other wants); PostgreSQL then
// aborts one, and its transaction is run again (pgRetryable), so fn must
// start over cleanly: it sets what it returns, it does not add to it.
func (s *Store) writeTx(ctx context.Context, what string, fn func(tx *sql.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := s.writeTxOnce(ctx, what, fn)
		if err == nil || !s.pg || attempt >= pgAttempts || !pgRetryable(err) || ctx.Err() != nil {
			return err
		}
	}
}

func (s *Store) writeTxOnce(ctx context.Context, what string, fn func(tx *sql.Tx) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return errf("%s: %w", what, err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		if _, ok := err.(*opError); ok {
			return err // already says what failed
		}
		return errf("%s: %w", what, err)
	}
	if err := tx.Commit(); err != nil {
		return errf("%s: commit: %w", what, err)
	}
	return nil
}

// readTx runs fn in one read transaction: one consistent snapshot.
func (s *Store) readTx(ctx context.Context, what string, fn func(tx *sql.Tx) error) error {
	opts := sql.TxOptions{ReadOnly: true}
	if s.pg {
		// One snapshot for the whole transaction, as SQLite's read
		// transactions have: READ COMMITTED would take one per statement.
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := s.read.BeginTx(ctx, &opts)
	if err != nil {
		return errf("%s: %w", what, err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		if _, ok := err.(*opError); ok {
			return err // already says what failed
		}
		return errf("%s: %w", what, err)
	}
	return nil
}

// Times are stored as fixed-width UTC RFC 3339 text, so that text order is
// time order; the zero time is NULL.
const timeFormat = "2006-01-02T15:04:05.000000000Z"

func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(timeFormat)
}

// tsNotNull is ts for NOT NULL columns: the zero time is stored as such.
func tsNotNull(t time.Time) string { return t.UTC().Format(timeFormat) }

// The tables that grow with every item (articles, revisions; schema 5)
// store times as Unix milliseconds: 6 bytes instead of 30.
func ms(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// msNotNull is ms for NOT NULL columns.
func msNotNull(t time.Time) int64 { return t.UnixMilli() }

// nullTime scans a stored time.
type nullTime struct{ t *time.Time }

func (n nullTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*n.t = time.Time{}
		return nil
	case int64: // Unix milliseconds
		if t := time.UnixMilli(x).UTC(); t.Year() > 1 {
			*n.t = t
		} else {
			*n.t = time.Time{}
		}
		return nil
	case string:
		return n.parse(x)
	case []byte:
		return n.parse(string(x))
	case time.Time:
		*n.t = x.UTC()
		return nil
	}
	return errf("cannot scan %T as time", v)
}

func (n nullTime) parse(s string) error {
	if s == "" {
		*n.t = time.Time{}
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return errf("bad stored time %q: %w", s, err)
	}
	if t.Year() <= 1 {
		t = time.Time{}
	}
	*n.t = t.UTC()
	return nil
}

func tm(t *time.Time) nullTime { return nullTime{t} }

// nullID maps 0 to NULL for optional references.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
