package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Candidate is one item of a fetched feed (or one rechecked page), reduced
// to plain text by the caller.
type Candidate struct {
	GUID      string
	Link      string
	Key       string // identity within the feed: GUID, else link, else a hash
	Canonical string // the page's canonical URL, when known
	Headline  string
	Text      string
	Hash      string // hex of the normalised content, computed by the caller
	Published time.Time
	DateRaw   string
	Source    string // SourceFeed or SourcePage; "" is SourceFeed
	// SeenOnly: the article is known and its text was not fetched this
	// time (full-text feeds fetch pages on the recheck schedule); it only
	// counts as present in the feed.
	SeenOnly bool
}

// Where a revision's text came from.
const (
	SourceFeed = "feed" // the feed item's own content
	SourcePage = "page" // the main text of the article's page
)

func (c Candidate) source() string {
	if c.Source == "" {
		return SourceFeed
	}
	return c.Source
}

// Pending is a candidate that needs a new revision.
type Pending struct {
	Candidate
	ArticleID    int64 // 0 = new article
	PrevNumber   int   // 0 = none
	PrevHeadline string
	PrevText     string
	PrevSource   string // SourceFeed or SourcePage
	RevertOf     int    // >0: Hash equals that older, non-latest revision's
}

// Plan is what Prepare found.
type Plan struct {
	Pending []Pending
	Seen    []int64 // existing articles present in the feed whose content is unchanged
	// Moved: articles of Seen found by canonical URL or link rather than by
	// key (GUID churn). Pass them on in FetchResult.Moved so that their key,
	// GUID and link are updated; identity holds without, but costs a lookup
	// by link on every fetch.
	Moved []Moved
}

// Moved is an unchanged article found under a new key.
type Moved struct {
	ArticleID int64
	Candidate
}

// Prepare is step 1 of a pass over one feed, read only: it resolves each
// candidate to an article of the feed and compares its hash with the
// article's latest revision.
//
// Identity: the article of this feed with the candidate's Key; else the one
// with its Canonical URL (when given); else the one with its Link, provided
// that article's key is not among this fetch's candidates (its GUID left
// the feed: GUID churn). Articles of other feeds never match. Candidates
// repeating an earlier candidate's key, or resolving to an article an earlier
// candidate already took, are dropped.
func (s *Store) Prepare(ctx context.Context, feedID int64, cands []Candidate) (Plan, error) {
	var plan Plan
	err := s.readTx(ctx, fmt.Sprintf("prepare feed %d", feedID), func(tx *sql.Tx) error {
		var err error
		plan, err = prepare(ctx, tx, feedID, cands)
		return err
	})
	return plan, err
}

func prepare(ctx context.Context, tx *sql.Tx, feedID int64, cands []Candidate) (Plan, error) {
	var plan Plan
	keys := make(map[string]bool, len(cands))
	for i, c := range cands {
		if c.Key == "" {
			return plan, fmt.Errorf("store: prepare feed %d: candidate %d (%q) has no key", feedID, i, c.Link)
		}
		keys[c.Key] = true
	}
	byKey, err := tx.PrepareContext(ctx, `SELECT a.id, COALESCE(r.number, 0), COALESCE(r.hash, '')
		FROM articles a LEFT JOIN revisions r ON r.article_id = a.id
		WHERE a.feed_id = ? AND a.key = ? ORDER BY r.number DESC LIMIT 1`)
	if err != nil {
		return plan, err
	}
	defer byKey.Close()
	latest, err := tx.PrepareContext(ctx, `SELECT number, hash FROM revisions
		WHERE article_id = ? ORDER BY number DESC LIMIT 1`)
	if err != nil {
		return plan, err
	}
	defer latest.Close()

	done := make(map[string]bool, len(cands))
	claimed := make(map[int64]bool, len(cands))
	for _, c := range cands {
		if done[c.Key] {
			continue
		}
		done[c.Key] = true

		var id int64
		var number int
		var hash string
		moved := false
		err := byKey.QueryRowContext(ctx, feedID, c.Key).Scan(&id, &number, &hash)
		if errors.Is(err, sql.ErrNoRows) {
			id, err = matchMoved(ctx, tx, feedID, c, keys, claimed)
			moved = id != 0
			if err == nil && id != 0 {
				err = latest.QueryRowContext(ctx, id).Scan(&number, &hash)
				if errors.Is(err, sql.ErrNoRows) {
					number, hash, err = 0, "", nil
				}
			}
		}
		if err != nil {
			return plan, fmt.Errorf("store: prepare feed %d: article %q: %w", feedID, c.Key, err)
		}
		if id == 0 && c.SeenOnly {
			continue // not known after all: nothing to mark
		}
		if id != 0 {
			if claimed[id] {
				continue
			}
			claimed[id] = true
		}
		if id != 0 && (c.SeenOnly || (number > 0 && hash == c.Hash)) {
			plan.Seen = append(plan.Seen, id)
			if moved {
				plan.Moved = append(plan.Moved, Moved{ArticleID: id, Candidate: c})
			}
			continue
		}
		p := Pending{Candidate: c, ArticleID: id, PrevNumber: number}
		if number > 0 {
			var body []byte
			if err := tx.QueryRowContext(ctx, `SELECT headline, body, source FROM revisions
				WHERE article_id = ? AND number = ?`, id, number).Scan(&p.PrevHeadline, &body, &p.PrevSource); err != nil {
				return plan, fmt.Errorf("store: prepare feed %d: article %d: %w", feedID, id, err)
			}
			if p.PrevText, err = decodeText(body); err != nil {
				return plan, fmt.Errorf("store: prepare feed %d: article %d revision %d: %w", feedID, id, number, err)
			}
			err := tx.QueryRowContext(ctx, `SELECT number FROM revisions
				WHERE article_id = ? AND hash = ? AND number < ? ORDER BY number DESC LIMIT 1`,
				id, c.Hash, number).Scan(&p.RevertOf)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return plan, fmt.Errorf("store: prepare feed %d: article %d: %w", feedID, id, err)
			}
		}
		plan.Pending = append(plan.Pending, p)
	}
	return plan, nil
}

// matchMoved finds the article a candidate without a key match continues:
// by canonical URL, else by link when that article's key left the feed.
func matchMoved(ctx context.Context, tx *sql.Tx, feedID int64, c Candidate, keys map[string]bool, claimed map[int64]bool) (int64, error) {
	if c.Canonical != "" {
		rows, err := tx.QueryContext(ctx, `SELECT id FROM articles
			WHERE feed_id = ? AND canonical = ? ORDER BY id DESC`, feedID, c.Canonical)
		if err != nil {
			return 0, err
		}
		id, err := firstUnclaimed(rows, nil, claimed)
		if id != 0 || err != nil {
			return id, err
		}
	}
	if c.Link != "" {
		rows, err := tx.QueryContext(ctx, `SELECT id, key FROM articles
			WHERE feed_id = ? AND url = ? ORDER BY id DESC`, feedID, c.Link)
		if err != nil {
			return 0, err
		}
		return firstUnclaimed(rows, keys, claimed)
	}
	return 0, nil
}

// firstUnclaimed returns the first article id of rows not yet claimed and,
// when keys is given (rows then carry the key too), whose key is not among
// keys.
func firstUnclaimed(rows *sql.Rows, keys map[string]bool, claimed map[int64]bool) (int64, error) {
	defer rows.Close()
	for rows.Next() {
		var id int64
		var key string
		dest := []any{&id}
		if keys != nil {
			dest = append(dest, &key)
		}
		if err := rows.Scan(dest...); err != nil {
			return 0, err
		}
		if claimed[id] || (keys != nil && keys[key]) {
			continue
		}
		return id, rows.Close()
	}
	return 0, rows.Err()
}

// ChangeInput is one change the diff reported between two revisions.
type ChangeInput struct {
	Kind, Person, Before, After, Quote string
}

// NewRevision is a pending candidate with the changes found against its
// previous revision.
type NewRevision struct {
	Pending
	Changes []ChangeInput
}

// FetchResult is everything one pass over a feed (or one recheck) writes.
type FetchResult struct {
	Fetch     *FetchRecord // nil for a recheck
	FeedID    int64
	At        time.Time
	Revisions []NewRevision
	Seen      []int64
	Moved     []Moved   // from Plan.Moved: key, GUID and link updated
	RecheckAt time.Time // when set, new articles' pages are first rechecked then
}

// SaveStats counts what SaveFetch added.
type SaveStats struct {
	NewArticles, NewRevisions, NewChanges int
}

// SaveFetch is step 3 of a pass, one write transaction: the feed's fetch
// state, new articles, new revisions (numbered PrevNumber+1) and their
// changes, and which articles are in the feed. A revision whose article's
// latest number is no longer PrevNumber (a retry already saved it) is
// skipped with its changes; changes are unique per (article, from, to,
// content), so a retried save adds nothing twice.
//
// With Fetch set, the articles given (new, pending or Seen) get last_seen=At
// and in_feed=1 and every other article of the feed in_feed=0. A recheck
// (Fetch nil) leaves last_seen and in_feed as they are (a new article it
// creates starts with in_feed=0).
func (s *Store) SaveFetch(ctx context.Context, r FetchResult) (SaveStats, error) {
	var st SaveStats
	if r.Fetch != nil && r.Fetch.FeedID != 0 && r.Fetch.FeedID != r.FeedID {
		return st, fmt.Errorf("store: save feed %d: fetch record is for feed %d", r.FeedID, r.Fetch.FeedID)
	}
	for _, nr := range r.Revisions {
		if nr.Key == "" {
			return st, fmt.Errorf("store: save feed %d: revision of %q has no key", r.FeedID, nr.Link)
		}
		if nr.PrevNumber == 0 && len(nr.Changes) > 0 {
			return st, fmt.Errorf("store: save feed %d: article %q: changes without a previous revision", r.FeedID, nr.Key)
		}
	}
	err := s.writeTx(ctx, fmt.Sprintf("save feed %d", r.FeedID), func(tx *sql.Tx) error {
		st = SaveStats{}
		return saveFetch(ctx, tx, r, &st)
	})
	if err != nil {
		return SaveStats{}, err
	}
	return st, nil
}

func saveFetch(ctx context.Context, tx *sql.Tx, r FetchResult, st *SaveStats) error {
	at := tsNotNull(r.At)
	inFetch := r.Fetch != nil
	if inFetch {
		rec := *r.Fetch
		rec.FeedID = r.FeedID
		if err := recordFetch(ctx, tx, rec); err != nil {
			return err
		}
	}
	findKey, err := tx.PrepareContext(ctx, `SELECT id FROM articles WHERE feed_id = ? AND key = ?`)
	if err != nil {
		return err
	}
	defer findKey.Close()
	insArticle, err := tx.PrepareContext(ctx, `INSERT INTO articles
		(feed_id, key, guid, url, canonical, published, date_raw, first_seen, last_seen, in_feed, next_check)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`)
	if err != nil {
		return err
	}
	defer insArticle.Close()
	// key moves only when no other article of the feed has it (GUID churn).
	updArticle, err := tx.PrepareContext(ctx, `UPDATE articles SET
		key = CASE WHEN EXISTS (SELECT 1 FROM articles o WHERE o.feed_id = articles.feed_id AND o.key = ?1 AND o.id <> articles.id) THEN key ELSE ?1 END,
		guid = CASE WHEN ?2 <> '' THEN ?2 ELSE guid END,
		url = CASE WHEN ?3 <> '' THEN ?3 ELSE url END,
		canonical = CASE WHEN ?4 <> '' THEN ?4 ELSE canonical END,
		published = COALESCE(?5, published),
		date_raw = CASE WHEN ?6 <> '' THEN ?6 ELSE date_raw END,
		last_seen = CASE WHEN ?7 THEN ?8 ELSE last_seen END,
		in_feed = CASE WHEN ?7 THEN 1 ELSE in_feed END
		WHERE id = ?9 AND feed_id = ?10`)
	if err != nil {
		return err
	}
	defer updArticle.Close()
	latestNum, err := tx.PrepareContext(ctx, `SELECT COALESCE(MAX(number), 0) FROM revisions WHERE article_id = ?`)
	if err != nil {
		return err
	}
	defer latestNum.Close()
	insRevision, err := tx.PrepareContext(ctx, `INSERT INTO revisions
		(article_id, number, fetched_at, headline, body, text_size, hash, revert_of, source)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer insRevision.Close()
	insChange, err := tx.PrepareContext(ctx, `INSERT INTO changes
		(article_id, from_rev, to_rev, kind, person, person_fold, before_text, after_text, quote, ukey, detected_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (article_id, from_rev, to_rev, ukey) DO NOTHING`)
	if err != nil {
		return err
	}
	defer insChange.Close()

	for _, nr := range r.Revisions {
		id := nr.ArticleID
		if id == 0 {
			err := findKey.QueryRowContext(ctx, r.FeedID, nr.Key).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				err = insArticle.QueryRowContext(ctx, r.FeedID, nr.Key, nr.GUID, nr.Link, nr.Canonical,
					ts(nr.Published), nr.DateRaw, at, at, inFetch, ts(r.RecheckAt)).Scan(&id)
				if err != nil {
					return fmt.Errorf("store: save feed %d: new article %q: %w", r.FeedID, nr.Key, err)
				}
				st.NewArticles++
			} else if err != nil {
				return fmt.Errorf("store: save feed %d: article %q: %w", r.FeedID, nr.Key, err)
			}
		}
		res, err := updArticle.ExecContext(ctx, nr.Key, nr.GUID, nr.Link, nr.Canonical,
			ts(nr.Published), nr.DateRaw, inFetch, at, id, r.FeedID)
		if err != nil {
			return fmt.Errorf("store: save feed %d: article %d: %w", r.FeedID, id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("store: save feed %d: article %d is not an article of this feed: %w", r.FeedID, id, ErrNotFound)
		}
		var last int
		if err := latestNum.QueryRowContext(ctx, id).Scan(&last); err != nil {
			return fmt.Errorf("store: save feed %d: article %d: %w", r.FeedID, id, err)
		}
		if last != nr.PrevNumber {
			continue // saved before (a retry), or superseded
		}
		num := nr.PrevNumber + 1
		if _, err := insRevision.ExecContext(ctx, id, num, at, nr.Headline, encodeText(nr.Text),
			len(nr.Text), nr.Hash, nr.RevertOf, nr.source()); err != nil {
			return fmt.Errorf("store: save feed %d: article %d revision %d: %w", r.FeedID, id, num, err)
		}
		st.NewRevisions++
		for _, c := range nr.Changes {
			res, err := insChange.ExecContext(ctx, id, nr.PrevNumber, num, c.Kind, c.Person,
				strings.ToLower(c.Person), c.Before, c.After, c.Quote, changeKey(c), at)
			if err != nil {
				return fmt.Errorf("store: save feed %d: article %d change %s: %w", r.FeedID, id, c.Kind, err)
			}
			n, _ := res.RowsAffected()
			st.NewChanges += int(n)
		}
	}
	for _, m := range r.Moved {
		if m.Key == "" {
			continue
		}
		if _, err := updArticle.ExecContext(ctx, m.Key, m.GUID, m.Link, m.Canonical,
			ts(m.Published), m.DateRaw, inFetch, at, m.ArticleID, r.FeedID); err != nil {
			return fmt.Errorf("store: save feed %d: moved article %d: %w", r.FeedID, m.ArticleID, err)
		}
	}
	if !inFetch {
		return nil
	}
	if len(r.Seen) > 0 {
		seen, err := tx.PrepareContext(ctx, `UPDATE articles SET last_seen = ?, in_feed = 1 WHERE id = ? AND feed_id = ?`)
		if err != nil {
			return err
		}
		defer seen.Close()
		for _, id := range r.Seen {
			if _, err := seen.ExecContext(ctx, at, id, r.FeedID); err != nil {
				return fmt.Errorf("store: save feed %d: seen article %d: %w", r.FeedID, id, err)
			}
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE articles SET in_feed = 0
		WHERE feed_id = ? AND in_feed = 1 AND last_seen <> ?`, r.FeedID, at); err != nil {
		return fmt.Errorf("store: save feed %d: left the feed: %w", r.FeedID, err)
	}
	return nil
}

// changeKey identifies a change's content for deduplication.
func changeKey(c ChangeInput) string {
	h := sha256.New()
	for _, s := range []string{c.Kind, c.Person, c.Before, c.After, c.Quote} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// ArticleKeys returns the keys of a feed's articles and their ids.
func (s *Store) ArticleKeys(ctx context.Context, feedID int64) (map[string]int64, error) {
	out := map[string]int64{}
	err := s.readTx(ctx, fmt.Sprintf("article keys of feed %d", feedID), func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT key, id FROM articles WHERE feed_id = ?`, feedID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k string
			var id int64
			if err := rows.Scan(&k, &id); err != nil {
				return err
			}
			out[k] = id
		}
		return rows.Err()
	})
	return out, err
}
