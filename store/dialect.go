package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// One store, two dialects. The SQL of the store is written once, for
// SQLite, with ? and ?N placeholders; most of it is plain SQL that
// PostgreSQL runs as it is (ON CONFLICT, RETURNING, UPDATE ... FROM, partial
// indexes). On PostgreSQL every statement goes through a thin wrapper of
// pgx's database/sql connection (pgConn) that rewrites the text once per
// distinct statement (a cache: the hot path pays a map lookup) and converts
// bool arguments to the 0/1 integers the schema stores. The SQLite path does
// not pass through any of this.

// ErrSQLiteOnly: an operation that exists only for the SQLite file (backup,
// compaction, recompression) was asked of a PostgreSQL store.
var ErrSQLiteOnly = errors.New("store: only for a SQLite database")

// IsPostgres says whether a database setting names a PostgreSQL database (a
// postgres:// or postgresql:// URL) rather than a SQLite file.
func IsPostgres(database string) bool {
	d := strings.ToLower(database)
	return strings.HasPrefix(d, "postgres://") || strings.HasPrefix(d, "postgresql://")
}

// Postgres says whether the store is a PostgreSQL database.
func (s *Store) Postgres() bool { return s.pg }

// Dialect is "sqlite" or "postgres".
func (s *Store) Dialect() string {
	if s.pg {
		return "postgres"
	}
	return "sqlite"
}

// sqliteOnly is the error of an operation PostgreSQL does otherwise.
func sqliteOnly(what, instead string) error {
	return fmt.Errorf("store: %s: %w; with PostgreSQL %s", what, ErrSQLiteOnly, instead)
}

// checkPGURL refuses a URL that carries a password: the configuration file
// is not the place for it (PGPASSWORD, read by pgx, is).
func checkPGURL(database string) error {
	u, err := url.Parse(database)
	if err != nil {
		return fmt.Errorf("store: database URL: %w", err)
	}
	_, inUser := u.User.Password()
	if inUser || u.Query().Has("password") {
		return fmt.Errorf("store: database URL %s holds a password: remove it from database: and set PGPASSWORD in the environment instead", redactURL(u))
	}
	return nil
}

// redactURL is a database URL fit for messages.
func redactURL(u *url.URL) string {
	c := *u
	if _, ok := c.User.Password(); ok {
		c.User = url.UserPassword(c.User.Username(), "xxxxx")
	}
	q := c.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		c.RawQuery = q.Encode()
	}
	return c.String()
}

// pgFragments are the places where the two dialects differ in a way a
// placeholder rewrite does not cover; each SQLite text is replaced by the
// PostgreSQL one.
var pgFragments = []struct{ sqlite, pg, why string }{
	{
		// A revision's headline is NULL when the body holds it (doc.go);
		// SQLite's COALESCE mixes TEXT and BLOB and headlineDest tells
		// them apart by type. PostgreSQL wants one type: the headline
		// becomes bytes after a 0xff tag, a byte no text codec starts
		// with (text.go).
		"COALESCE(r.headline, r.body)",
		`COALESCE('\xff'::bytea || convert_to(r.headline, 'UTF8'), r.body)`,
		"one type for headline or body",
	},
}

// blobLiteral is SQLite's blob literal, x'0a1b' (not the end of a word or
// of a string); PostgreSQL writes it '\x0a1b'::bytea.
var blobLiteral = regexp.MustCompile(`(?i)(^|[^a-z0-9_'])x'([0-9a-f]*)'`)

// pgRewrite turns a statement written for SQLite into PostgreSQL's: the
// fragments above, then ? and ?N into $N, outside string literals, quoted
// identifiers and comments. Text with neither comes back as it is.
func pgRewrite(q string) string {
	for _, f := range pgFragments {
		if strings.Contains(q, f.sqlite) {
			q = strings.ReplaceAll(q, f.sqlite, f.pg)
		}
	}
	if strings.Contains(q, "x'") || strings.Contains(q, "X'") {
		q = blobLiteral.ReplaceAllString(q, `$1'\x$2'::bytea`)
	}
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'' || c == '"':
			j := strings.IndexByte(q[i+1:], c)
			if j < 0 {
				b.WriteString(q[i:])
				return b.String()
			}
			b.WriteString(q[i : i+j+2])
			i += j + 1
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			j := strings.IndexByte(q[i:], '\n')
			if j < 0 {
				b.WriteString(q[i:])
				return b.String()
			}
			b.WriteString(q[i : i+j+1])
			i += j
		case c == '?':
			j := i + 1
			for j < len(q) && q[j] >= '0' && q[j] <= '9' {
				j++
			}
			b.WriteByte('$')
			if j > i+1 {
				b.WriteString(q[i+1 : j])
			} else {
				n++
				b.WriteString(strconv.Itoa(n))
			}
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// rewritten caches pgRewrite: the store's statements are a few hundred
// distinct texts at most (those built from filters included); past
// maxRewritten, a new text is rewritten on every use instead of kept.
var (
	rewritten  sync.Map // string → string
	nRewritten atomic.Int64
)

const maxRewritten = 2000

func pgText(q string) string {
	if v, ok := rewritten.Load(q); ok {
		return v.(string)
	}
	r := pgRewrite(q)
	if nRewritten.Load() < maxRewritten {
		if _, loaded := rewritten.LoadOrStore(q, r); !loaded {
			nRewritten.Add(1)
		}
	}
	return r
}

// pgConnector opens pgConns around pgx's connector.
type pgConnector struct{ inner driver.Connector }

func (c pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &pgConn{conn}, nil
}

func (c pgConnector) Driver() driver.Driver { return c.inner.Driver() }

// pgConn is pgx's database/sql connection with the statements rewritten
// (pgText) and bools passed as integers. It forwards every optional
// interface pgx's connection has.
type pgConn struct{ c driver.Conn }

var (
	_ driver.ConnPrepareContext = (*pgConn)(nil)
	_ driver.ConnBeginTx        = (*pgConn)(nil)
	_ driver.ExecerContext      = (*pgConn)(nil)
	_ driver.QueryerContext     = (*pgConn)(nil)
	_ driver.Pinger             = (*pgConn)(nil)
	_ driver.NamedValueChecker  = (*pgConn)(nil)
	_ driver.SessionResetter    = (*pgConn)(nil)
)

func (p *pgConn) Prepare(q string) (driver.Stmt, error) {
	return p.PrepareContext(context.Background(), q)
}

func (p *pgConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	return p.c.(driver.ConnPrepareContext).PrepareContext(ctx, pgText(q))
}

func (p *pgConn) Close() error { return p.c.Close() }

func (p *pgConn) Begin() (driver.Tx, error) {
	return p.BeginTx(context.Background(), driver.TxOptions{})
}

func (p *pgConn) BeginTx(ctx context.Context, o driver.TxOptions) (driver.Tx, error) {
	return p.c.(driver.ConnBeginTx).BeginTx(ctx, o)
}

func (p *pgConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	return p.c.(driver.ExecerContext).ExecContext(ctx, pgText(q), args)
}

func (p *pgConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	return p.c.(driver.QueryerContext).QueryContext(ctx, pgText(q), args)
}

func (p *pgConn) Ping(ctx context.Context) error { return p.c.(driver.Pinger).Ping(ctx) }

// CheckNamedValue passes every value to pgx as it is, but a bool and text
// PostgreSQL cannot hold. A bool: the schema keeps SQLite's 0/1 INTEGER
// columns (in_feed, gone), and SQLite binds a bool as 0 or 1. A string with
// a NUL byte or invalid UTF-8 (a hostile feed's key, title or quote; SQLite
// stores such bytes as they are) would fail the whole save: those bytes
// become U+FFFD. Revision text is not concerned: it is stored compressed,
// as bytes.
func (p *pgConn) CheckNamedValue(nv *driver.NamedValue) error {
	switch v := nv.Value.(type) {
	case bool:
		if v {
			nv.Value = int64(1)
		} else {
			nv.Value = int64(0)
		}
	case string:
		nv.Value = pgString(v)
	}
	return nil
}

// pgString is s with what PostgreSQL's text refuses (NUL, invalid UTF-8)
// replaced by U+FFFD.
func pgString(s string) string {
	if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

func (p *pgConn) ResetSession(ctx context.Context) error {
	return p.c.(driver.SessionResetter).ResetSession(ctx)
}
