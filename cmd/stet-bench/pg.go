package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// With --database URL the passes run on PostgreSQL: each size on a fresh
// database created on that server (the URL names a database the user can
// connect to and a role that may create databases), dropped after the
// size unless --keep. The password comes from PGPASSWORD, as for stet.

func isPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// createDatabase makes an empty database on server's cluster and returns
// its URL and a function that drops it.
func createDatabase(ctx context.Context, server string) (string, func(), error) {
	u, err := url.Parse(server)
	if err != nil {
		return "", nil, fmt.Errorf("bench: --database: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		return "", nil, fmt.Errorf("bench: --database %s: %w", u.Redacted(), err)
	}
	defer conn.Close(context.Background())
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "stet_bench_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", nil, fmt.Errorf("bench: create database on %s: %w", u.Redacted(), err)
	}
	drop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, server)
		if err != nil {
			logf("could not drop database %s: %v", name, err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			logf("could not drop database %s: %v", name, err)
		}
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}

// pgStorage is what a PostgreSQL database holds after the passes.
type pgStorage struct {
	DatabaseBytes  int64 // pg_database_size: tables, indexes, TOAST and the catalogs
	RevisionsBytes int64 // pg_total_relation_size('revisions'): the table, its TOAST and indexes
	Revisions      int64
}

func measurePG(ctx context.Context, db string) (pgStorage, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		return pgStorage{}, fmt.Errorf("bench: sizes: %w", err)
	}
	defer conn.Close(context.Background())
	// As it stands after the passes, like SQLite's file (no VACUUM). The
	// server's write-ahead log (pg_wal) is shared by every database and
	// not counted.
	var s pgStorage
	err = conn.QueryRow(ctx, `SELECT pg_database_size(current_database()), pg_total_relation_size('revisions'), (SELECT count(*) FROM revisions)`).
		Scan(&s.DatabaseBytes, &s.RevisionsBytes, &s.Revisions)
	if err != nil {
		return s, fmt.Errorf("bench: sizes: %w", err)
	}
	return s, nil
}
