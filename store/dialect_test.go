package store

import "testing"

func TestPGRewrite(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`SELECT 1`, `SELECT 1`},
		{`SELECT a FROM t WHERE b = ? AND c = ?`, `SELECT a FROM t WHERE b = $1 AND c = $2`},
		{`UPDATE t SET a = ?1, b = ?2 WHERE c = ?12 OR d = ?1`, `UPDATE t SET a = $1, b = $2 WHERE c = $12 OR d = $1`},
		{`SELECT '?', "a?b", ? -- what?` + "\n" + `, ?`, `SELECT '?', "a?b", $1 -- what?` + "\n" + `, $2`},
		{`WHERE p LIKE ? ESCAPE '\' AND q = ?`, `WHERE p LIKE $1 ESCAPE '\' AND q = $2`},
		{`SELECT 'it''s ?', ?`, `SELECT 'it''s ?', $1`},
		{`SELECT x'', x'04' WHERE b = ?`, `SELECT '\x'::bytea, '\x04'::bytea WHERE b = $1`},
		{`SET body = X'01FFFF' WHERE substr(body, 1, 1) = x'04'`, `SET body = '\x01FFFF'::bytea WHERE substr(body, 1, 1) = '\x04'::bytea`},
		{`SELECT 'tax''', max''`, `SELECT 'tax''', max''`},
		{`SELECT COALESCE(r.headline, r.body)`, `SELECT COALESCE('\xff'::bytea || convert_to(r.headline, 'UTF8'), r.body)`},
	} {
		if got := pgRewrite(tc.in); got != tc.want {
			t.Errorf("pgRewrite(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

func TestIsPostgres(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"postgres://stet@db/stet", true},
		{"postgresql://stet@db:5432/stet?sslmode=disable", true},
		{"POSTGRES://db/stet", true},
		{"stet.db", false},
		{"/var/lib/stet/postgres://x", false},
		{"", false},
	} {
		if got := IsPostgres(tc.in); got != tc.want {
			t.Errorf("IsPostgres(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
