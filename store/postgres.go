package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

//go:embed pgmigrations/*.sql
var pgMigrationFS embed.FS

// pgMigrations returns the embedded PostgreSQL migrations in order,
// numbered 1..n. They have their own numbers: pgmigrations/0001 is the
// schema SQLite reaches with its 0001..0007.
func pgMigrations() ([]migration, error) {
	return readMigrations(pgMigrationFS, "pgmigrations")
}

// PostgresSchemaVersion is the PostgreSQL schema version this binary
// creates and understands.
func PostgresSchemaVersion() int {
	ms, err := pgMigrations()
	if err != nil {
		panic(err) // embedded at build time; a bad name is a build bug
	}
	return len(ms)
}

// SchemaVersion is the version of the store's schema now: of the SQLite
// file, or of the PostgreSQL database (their numbers are their own).
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	var err error
	if s.pg {
		err = s.read.QueryRowContext(ctx, `SELECT version FROM stet_schema`).Scan(&v)
	} else {
		err = s.read.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v)
	}
	if err != nil {
		return 0, errf("schema version: %w", err)
	}
	return v, nil
}

// migrationLock is the key of the advisory lock under which stet migrates
// a PostgreSQL database ("stet" in ASCII): workers starting at once on an
// empty database wait for the first and then find nothing to do.
const migrationLock = 0x73746574

// pgPoolSize bounds one stet's connections: its fetch workers save at once,
// the web view and the digest read meanwhile.
const pgPoolSize = 16

// pgAttempts is how many times a PostgreSQL write transaction is tried
// when the server aborts it for a deadlock or a serialization failure.
const pgAttempts = 4

// pgRetryable says whether err is PostgreSQL aborting a transaction that
// may succeed when run again: deadlock_detected, serialization_failure.
func pgRetryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001")
}

// pgSessionDefaults bound what one worker can make the others wait for;
// the URL may set others (?lock_timeout=10s). A write waits for a row
// another transaction holds at most lock_timeout, then fails (the feed is
// saved at its next fetch); a transaction left open by a worker that
// stalled (a paused machine) is ended by the server after
// idle_in_transaction_session_timeout, its locks with it.
var pgSessionDefaults = map[string]string{
	"lock_timeout":                        "60s",
	"idle_in_transaction_session_timeout": "5min",
}

// pgConnectTimeout bounds a connection attempt when the URL sets none.
const pgConnectTimeout = 10 * time.Second

// openPostgres opens the PostgreSQL database named by the URL u and brings
// its schema up to date.
func openPostgres(ctx context.Context, u string, existing bool) (*Store, error) {
	if err := checkPGURL(u); err != nil {
		return nil, err
	}
	pu, _ := url.Parse(u)
	name := redactURL(pu)
	cfg, err := pgx.ParseConfig(u)
	if err != nil {
		return nil, errf("open %s: %w", name, err)
	}
	if cfg.ConnectTimeout == 0 {
		// An unreachable server fails the open, not hangs it (the URL's
		// connect_timeout, in seconds, sets another bound).
		cfg.ConnectTimeout = pgConnectTimeout
	}
	for k, v := range pgSessionDefaults {
		if _, ok := cfg.RuntimeParams[k]; !ok {
			cfg.RuntimeParams[k] = v
		}
	}
	db := sql.OpenDB(pgConnector{stdlib.GetConnector(*cfg)})
	db.SetMaxOpenConns(pgPoolSize)
	db.SetMaxIdleConns(pgPoolSize / 2)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s := &Store{path: name, pg: true, write: db, read: db, Now: time.Now}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, errf("open %s: %w", name, err)
	}
	if existing {
		var has bool
		if err := db.QueryRowContext(ctx, `SELECT to_regclass('stet_schema') IS NOT NULL`).Scan(&has); err != nil {
			db.Close()
			return nil, errf("open %s: %w", name, err)
		}
		if !has {
			db.Close()
			return nil, fmt.Errorf("store: open %s: %w (the database has no stet schema: run stet once or stet run first)", name, ErrNoDatabase)
		}
	}
	if err := s.migratePG(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.prepareStmts(ctx); err != nil {
		s.closeStmts()
		db.Close()
		return nil, err
	}
	return s, nil
}

// migratePG applies the PostgreSQL migrations the database lacks, each in
// its own transaction, holding the migration lock on one connection
// throughout. The version is one row of stet_schema.
func (s *Store) migratePG(ctx context.Context) error {
	ms, err := pgMigrations()
	if err != nil {
		return err
	}
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return errf("open %s: %w", s.path, err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(`+strconv.Itoa(migrationLock)+`)`); err != nil {
		return errf("open %s: migration lock: %w", s.path, err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(`+strconv.Itoa(migrationLock)+`)`) //nolint:errcheck // also released when the connection ends
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS stet_schema (
		one     INTEGER PRIMARY KEY DEFAULT 1 CHECK (one = 1),
		version INTEGER NOT NULL)`); err != nil {
		return errf("open %s: %w", s.path, err)
	}
	var v int
	err = conn.QueryRowContext(ctx, `SELECT version FROM stet_schema`).Scan(&v)
	if err == sql.ErrNoRows {
		v = 0
	} else if err != nil {
		return errf("open %s: %w", s.path, err)
	}
	if v > len(ms) {
		return errf("open %s: schema version %d, this stet knows up to %d: %w", s.path, v, len(ms), ErrTooNew)
	}
	for _, m := range ms[v:] {
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return errf("migrate %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			tx.Rollback()
			return errf("migrate %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO stet_schema (one, version) VALUES (1, `+strconv.Itoa(m.version)+`)
			ON CONFLICT (one) DO UPDATE SET version = excluded.version`); err != nil {
			tx.Rollback()
			return errf("migrate %s: %w", m.name, err)
		}
		if err := tx.Commit(); err != nil {
			return errf("migrate %s: %w", m.name, err)
		}
	}
	return nil
}

// readMigrations reads the numbered migrations of dir in fsys, in order,
// numbered 1..n.
func readMigrations(fsys embed.FS, dir string) ([]migration, error) {
	ents, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range ents {
		name := e.Name()
		n, err := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
		if err != nil || !strings.HasSuffix(name, ".sql") {
			return nil, errf("bad migration name %q", name)
		}
		b, err := fsys.ReadFile(dir + "/" + name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: n, name: name, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, errf("migration %s out of sequence", m.name)
		}
	}
	return ms, nil
}
