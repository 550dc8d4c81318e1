package store

import (
	"context"
	"database/sql"
)

// The statements of the pass (Prepare, SaveFetch, RecordFetch) are compiled
// once, at Open, on the pool they run on. A transaction takes one with
// tx.StmtContext, which reuses the statement already prepared on the
// transaction's connection: always so for the single write connection, and
// for the read pool once each connection has run it (database/sql prepares
// it on a new connection by itself).
const (
	// Write connection.
	qRecordFetch = `UPDATE feeds SET
		last_fetch = ?1, last_status = ?2, last_error = ?3,
		etag = CASE WHEN ?2 = 200 THEN ?4 ELSE etag END,
		last_modified = CASE WHEN ?2 = 200 THEN ?5 ELSE last_modified END,
		fetch_url = CASE WHEN ?6 <> '' THEN ?6 ELSE fetch_url END,
		next_fetch = ?7, failures = ?8, gone = ?9
		WHERE id = ?10`
	qFindKey = `SELECT id FROM articles WHERE feed_id = ? AND key = ?`
	// A key already there (a retry) inserts nothing and returns no row.
	// guid and url are stored NULL when they are the key (schema 5).
	// The CASTs of url_hash are for PostgreSQL, which types a parameter
	// that is only a CASE branch as text (SQLite's CAST keeps the integer).
	qInsArticle = `INSERT INTO articles
		(feed_id, key, guid, url, url_hash, canonical, published, date_raw, date_form, first_seen, last_seen, in_feed, next_check)
		VALUES (?1, ?2, NULLIF(?3, ?2), NULLIF(?4, ?2), CASE WHEN ?4 <> ?2 THEN CAST(?13 AS BIGINT) END, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
		ON CONFLICT (feed_id, key) DO NOTHING RETURNING id`
	// key moves only when no other article of the feed has it (GUID churn):
	// n.k is the key the article ends with. A guid or url stored as "same as
	// the key" keeps its value when the key moves; SaveFetch fills in the
	// url_hash of a url that was the old key.
	qUpdArticle = `UPDATE articles SET
		key = n.k,
		guid = CASE WHEN ?2 <> '' THEN NULLIF(?2, n.k)
			WHEN articles.guid IS NULL THEN NULLIF(articles.key, n.k)
			ELSE articles.guid END,
		url = CASE WHEN ?3 <> '' THEN NULLIF(?3, n.k)
			WHEN articles.url IS NULL THEN NULLIF(articles.key, n.k)
			ELSE articles.url END,
		url_hash = CASE WHEN ?3 <> '' THEN (CASE WHEN ?3 = n.k THEN NULL ELSE CAST(?12 AS BIGINT) END)
			WHEN articles.url IS NULL THEN NULL
			ELSE articles.url_hash END,
		canonical = CASE WHEN ?4 <> '' THEN ?4 ELSE canonical END,
		published = COALESCE(?5, published),
		date_raw = CASE WHEN ?6 <> '' OR ?11 > 0 THEN ?6 ELSE date_raw END,
		date_form = CASE WHEN ?6 <> '' OR ?11 > 0 THEN ?11 ELSE date_form END,
		last_seen = CASE WHEN ?7 <> 0 THEN ?8 ELSE last_seen END,
		in_feed = CASE WHEN ?7 <> 0 THEN 1 ELSE in_feed END
		FROM (SELECT CASE WHEN EXISTS (SELECT 1 FROM articles o WHERE o.feed_id = ?10 AND o.key = ?1 AND o.id <> ?9)
			THEN (SELECT key FROM articles WHERE id = ?9) ELSE ?1 END AS k) AS n
		WHERE articles.id = ?9 AND articles.feed_id = ?10`
	qLatestNum   = `SELECT COALESCE(MAX(number), 0) FROM revisions WHERE article_id = ?`
	qInsRevision = `INSERT INTO revisions
		(article_id, number, fetched_at, headline, body, text_size, hash, revert_of, source)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULLIF(?, 'feed'))`
	qInsChange = `INSERT INTO changes
		(article_id, from_rev, to_rev, kind, person, person_fold, before_text, after_text, quote, ukey, detected_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (article_id, from_rev, to_rev, ukey) DO NOTHING`
	qSeen     = `UPDATE articles SET last_seen = ?, in_feed = 1 WHERE id = ? AND feed_id = ?`
	qLeftFeed = `UPDATE articles SET in_feed = 0 WHERE feed_id = ? AND in_feed = 1 AND last_seen <> ?`

	// Read pool.
	qHasArticles = `SELECT EXISTS (SELECT 1 FROM articles WHERE feed_id = ?)`
	// The articles now in the feed with their latest revision: one query
	// instead of one per candidate (qByKey stays for the others).
	qInFeed = `SELECT a.key, a.id, COALESCE(r.number, 0), COALESCE(r.hash, '')
		FROM articles a LEFT JOIN revisions r ON r.article_id = a.id
			AND r.number = (SELECT MAX(number) FROM revisions m WHERE m.article_id = a.id)
		WHERE a.feed_id = ? AND a.in_feed = 1`
	qByKey = `SELECT a.id, COALESCE(r.number, 0), COALESCE(r.hash, '')
		FROM articles a LEFT JOIN revisions r ON r.article_id = a.id
		WHERE a.feed_id = ? AND a.key = ? ORDER BY r.number DESC LIMIT 1`
	qLatest = `SELECT number, hash FROM revisions
		WHERE article_id = ? ORDER BY number DESC LIMIT 1`
	qRevision = `SELECT headline, body, COALESCE(source, 'feed') FROM revisions
		WHERE article_id = ? AND number = ?`
	// The hash is stored as hex text (older rows) or packed (hash.go).
	qRevertOf = `SELECT number FROM revisions
		WHERE article_id = ?1 AND hash IN (?2, ?3) AND number < ?4 ORDER BY number DESC LIMIT 1`
	qByCanonical = `SELECT id FROM articles
		WHERE feed_id = ? AND canonical = ? AND canonical <> '' ORDER BY id DESC`
	// A link equal to the key is stored as NULL and found by key; others by
	// their hash (urlhash.go).
	qByLink = `SELECT id, key FROM articles WHERE feed_id = ?1 AND url_hash = ?3 AND url = ?2
		UNION ALL SELECT id, key FROM articles WHERE feed_id = ?1 AND key = ?2 AND url IS NULL
		ORDER BY 1 DESC`
)

// stmts are the prepared statements of a Store.
type stmts struct {
	// write
	recordFetch, findKey, insArticle, updArticle, latestNum, insRevision, insChange, seen, leftFeed *sql.Stmt
	// read
	hasArticles, inFeed, byKey, latest, revision, revertOf, byCanonical, byLink *sql.Stmt

	all []*sql.Stmt
}

// prepareStmts compiles the statements on the write and read pools.
func (s *Store) prepareStmts(ctx context.Context) error {
	st := &s.st
	for _, p := range []struct {
		db   *sql.DB
		dst  **sql.Stmt
		text string
	}{
		{s.write, &st.recordFetch, qRecordFetch},
		{s.write, &st.findKey, qFindKey},
		{s.write, &st.insArticle, qInsArticle},
		{s.write, &st.updArticle, qUpdArticle},
		{s.write, &st.latestNum, qLatestNum},
		{s.write, &st.insRevision, qInsRevision},
		{s.write, &st.insChange, qInsChange},
		{s.write, &st.seen, qSeen},
		{s.write, &st.leftFeed, qLeftFeed},
		{s.read, &st.hasArticles, qHasArticles},
		{s.read, &st.inFeed, qInFeed},
		{s.read, &st.byKey, qByKey},
		{s.read, &st.latest, qLatest},
		{s.read, &st.revision, qRevision},
		{s.read, &st.revertOf, qRevertOf},
		{s.read, &st.byCanonical, qByCanonical},
		{s.read, &st.byLink, qByLink},
	} {
		stmt, err := p.db.PrepareContext(ctx, p.text)
		if err != nil {
			return errf("open %s: prepare: %w", s.path, err)
		}
		*p.dst = stmt
		st.all = append(st.all, stmt)
	}
	return nil
}

// closeStmts closes the prepared statements.
func (s *Store) closeStmts() {
	for _, stmt := range s.st.all {
		stmt.Close()
	}
	s.st.all = nil
}
