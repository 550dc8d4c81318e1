package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/stet-news/stet/change"
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
	Hash      string // ContentHash of Headline and Text: set by Prepare, not by the caller
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

	// The revision stored whole that the new one may be stored as a delta
	// of (delta.go): the previous one, or the previous one's base.
	baseNumber int
	baseText   string
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
	// The hashes are worked out before the read transaction, on a copy:
	// the caller's candidates are left as they were.
	cands = slices.Clone(cands)
	for i := range cands {
		if !cands[i].SeenOnly {
			cands[i].Hash = ContentHash(cands[i].Headline, cands[i].Text)
		}
	}
	err := s.readTx(ctx, fmt.Sprintf("prepare feed %d", feedID), func(tx *sql.Tx) error {
		var err error
		plan, err = s.prepare(ctx, tx, feedID, cands)
		return err
	})
	return plan, err
}

// readStmts are Prepare's statements, taken into its transaction.
type readStmts struct {
	byKey, latest, revision, revertOf, byCanonical, byLink *sql.Stmt
}

func (s *Store) prepare(ctx context.Context, tx *sql.Tx, feedID int64, cands []Candidate) (Plan, error) {
	var plan Plan
	keys := make(map[string]bool, len(cands))
	for i, c := range cands {
		if c.Key == "" {
			return plan, errf("prepare feed %d: candidate %d (%q) has no key", feedID, i, c.Link)
		}
		keys[c.Key] = true
	}
	// A feed without articles (its first fetch) has nothing to look up.
	var known bool
	if err := tx.StmtContext(ctx, s.st.hasArticles).QueryRowContext(ctx, feedID).Scan(&known); err != nil {
		return plan, errf("prepare feed %d: %w", feedID, err)
	}
	var q readStmts
	if known {
		q = readStmts{
			byKey:       tx.StmtContext(ctx, s.st.byKey),
			latest:      tx.StmtContext(ctx, s.st.latest),
			revision:    tx.StmtContext(ctx, s.st.revision),
			revertOf:    tx.StmtContext(ctx, s.st.revertOf),
			byCanonical: tx.StmtContext(ctx, s.st.byCanonical),
			byLink:      tx.StmtContext(ctx, s.st.byLink),
		}
	}
	// A fetch of a known feed mostly brings the articles it had last time.
	var inFeed map[string]latestRev
	if known && len(cands) >= inFeedBatch {
		var err error
		if inFeed, err = loadInFeed(ctx, tx.StmtContext(ctx, s.st.inFeed), feedID); err != nil {
			return plan, errf("prepare feed %d: %w", feedID, err)
		}
	}

	done := make(map[string]bool, len(cands))
	claimed := make(map[int64]bool, len(cands))
	for _, c := range cands {
		if done[c.Key] {
			continue
		}
		done[c.Key] = true
		if !known {
			if !c.SeenOnly {
				plan.Pending = append(plan.Pending, Pending{Candidate: c})
			}
			continue
		}

		var id int64
		var number int
		var hash string
		moved := false
		var err error
		if v, ok := inFeed[c.Key]; ok {
			id, number, hash = v.id, v.number, v.hash
		} else {
			err = q.byKey.QueryRowContext(ctx, feedID, c.Key).Scan(&id, &number, hashDest{&hash})
		}
		if errors.Is(err, sql.ErrNoRows) {
			id, err = matchMoved(ctx, q, feedID, c, keys, claimed)
			moved = id != 0
			if err == nil && id != 0 {
				err = q.latest.QueryRowContext(ctx, id).Scan(&number, hashDest{&hash})
				if errors.Is(err, sql.ErrNoRows) {
					number, hash, err = 0, "", nil
				}
			}
		}
		if err != nil {
			return plan, errf("prepare feed %d: article %q: %w", feedID, c.Key, err)
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
		if id != 0 && (c.SeenOnly || (number > 0 && sameHash(hash, c.Hash))) {
			plan.Seen = append(plan.Seen, id)
			if moved {
				plan.Moved = append(plan.Moved, Moved{ArticleID: id, Candidate: c})
			}
			continue
		}
		p := Pending{Candidate: c, ArticleID: id, PrevNumber: number}
		if number > 0 {
			var hcol sql.NullString
			var body []byte
			if err := q.revision.QueryRowContext(ctx, id, number).Scan(&hcol, &body, &p.PrevSource); err != nil {
				return plan, errf("prepare feed %d: article %d: %w", feedID, id, err)
			}
			lookup := func(n int) (sql.NullString, []byte, error) {
				var h sql.NullString
				var b []byte
				var src string
				err := q.revision.QueryRowContext(ctx, id, n).Scan(&h, &b, &src)
				return h, b, err
			}
			p.PrevHeadline, p.PrevText, p.baseNumber, p.baseText, err = decodeWithBase(hcol, body, lookup)
			if err != nil {
				return plan, errf("prepare feed %d: article %d revision %d: %w", feedID, id, number, err)
			}
			// The new revision may be stored as a delta of the previous
			// one, or of the previous one's base.
			if p.baseNumber == 0 {
				p.baseNumber, p.baseText = number, p.PrevText
			}
			err := q.revertOf.QueryRowContext(ctx, id, s.hashArg(c.Hash), s.packHash(c.Hash), number).Scan(&p.RevertOf)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return plan, errf("prepare feed %d: article %d: %w", feedID, id, err)
			}
		}
		plan.Pending = append(plan.Pending, p)
	}
	return plan, nil
}

// inFeedBatch is the number of candidates from which Prepare loads the
// articles in the feed at once rather than looking each candidate up.
const inFeedBatch = 8

// latestRev is an article and its latest revision (number 0: none).
type latestRev struct {
	id     int64
	number int
	hash   string
}

// loadInFeed returns the articles now in the feed by key.
func loadInFeed(ctx context.Context, stmt *sql.Stmt, feedID int64) (map[string]latestRev, error) {
	rows, err := stmt.QueryContext(ctx, feedID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]latestRev{}
	for rows.Next() {
		var key string
		var v latestRev
		if err := rows.Scan(&key, &v.id, &v.number, hashDest{&v.hash}); err != nil {
			return nil, err
		}
		out[key] = v
	}
	return out, rows.Err()
}

// matchMoved finds the article a candidate without a key match continues:
// by canonical URL, else by link when that article's key left the feed.
func matchMoved(ctx context.Context, q readStmts, feedID int64, c Candidate, keys map[string]bool, claimed map[int64]bool) (int64, error) {
	if c.Canonical != "" {
		rows, err := q.byCanonical.QueryContext(ctx, feedID, c.Canonical)
		if err != nil {
			return 0, err
		}
		id, err := firstUnclaimed(rows, nil, claimed)
		if id != 0 || err != nil {
			return id, err
		}
	}
	if c.Link != "" {
		rows, err := q.byLink.QueryContext(ctx, feedID, c.Link, urlHash(c.Link))
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
type ChangeInput = change.Change

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

	// In the same transaction: problems to record (at At), the open
	// problems to close (of the feed itself with ResolveFeed, of an
	// article with ResolveArticle), and the next check of a page.
	Problems       []Problem
	ResolveFeed    bool
	ResolveArticle int64
	Recheck        *Recheck

	// Claim: the cluster claim the fetch was made under (nil: none). The
	// save ends it, the feed next due at Fetch.NextFetch, or stores
	// nothing and returns ErrLeaseLost (cluster.go).
	Claim *Claim
}

// SaveStats counts what SaveFetch added.
type SaveStats struct {
	NewArticles, NewRevisions, NewChanges int
}

// SaveFetch is step 3 of a pass, one write transaction: the feed's fetch
// state, new articles, new revisions (numbered PrevNumber+1) and their
// changes, which articles are in the feed, and the problems, their
// resolution and the page recheck the result carries. A revision whose article's
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
		return st, errf("save feed %d: fetch record is for feed %d", r.FeedID, r.Fetch.FeedID)
	}
	for _, nr := range r.Revisions {
		if nr.Key == "" {
			return st, errf("save feed %d: revision of %q has no key", r.FeedID, nr.Link)
		}
		if nr.PrevNumber == 0 && len(nr.Changes) > 0 {
			return st, errf("save feed %d: article %q: changes without a previous revision", r.FeedID, nr.Key)
		}
	}
	// Everything that needs no database is done before the write lock:
	// compressing the texts above all, the largest cost of a save.
	pre := make([]prepared, len(r.Revisions))
	for i, nr := range r.Revisions {
		p := &pre[i]
		p.headline, p.body = encodeRevision(nr.Headline, nr.Text)
		if d, ok := encodeDelta(nr.baseNumber, nr.baseText, nr.Text, len(p.body)/2-len(nr.Headline)); ok {
			p.fullHeadline, p.full = p.headline, p.body
			p.headline, p.body, p.base = nr.Headline, d, nr.baseNumber
		}
		p.hash = s.packHash(nr.Hash)
		p.changes = make([]changeRow, len(nr.Changes))
		for j, c := range nr.Changes {
			p.changes[j] = changeRow{fold: strings.ToLower(c.Person), ukey: changeKey(c)}
		}
	}
	err := s.writeTx(ctx, fmt.Sprintf("save feed %d", r.FeedID), func(tx *sql.Tx) error {
		st = SaveStats{}
		return s.saveFetch(ctx, tx, r, pre, &st)
	})
	if err != nil {
		return SaveStats{}, err
	}
	return st, nil
}

// prepared is what SaveFetch works out for a revision before its
// transaction.
type prepared struct {
	headline any    // stored headline column (doc.go)
	body     []byte // stored body
	base     int    // >0: body is a delta of this revision (delta.go)
	// With a delta, the revision stored whole, for when the base is gone.
	fullHeadline any
	full         []byte
	hash         any // stored form of the hash
	changes      []changeRow
}

type changeRow struct{ fold, ukey string }

func (s *Store) saveFetch(ctx context.Context, tx *sql.Tx, r FetchResult, pre []prepared, st *SaveStats) error {
	if err := saveClaim(ctx, tx, s, r); err != nil {
		return err
	}
	if err := s.saveRevisions(ctx, tx, r, pre, st); err != nil {
		return err
	}
	for _, p := range r.Problems {
		if err := recordProblem(ctx, tx, r.FeedID, p, r.At); err != nil {
			return errf("save feed %d: problem %s: %w", r.FeedID, p.Kind, err)
		}
	}
	if r.ResolveFeed {
		if err := resolveProblems(ctx, tx, r.FeedID, 0, r.At); err != nil {
			return errf("save feed %d: resolve problems: %w", r.FeedID, err)
		}
	}
	if r.ResolveArticle != 0 {
		if err := resolveProblems(ctx, tx, r.FeedID, r.ResolveArticle, r.At); err != nil {
			return errf("save feed %d: resolve problems of article %d: %w", r.FeedID, r.ResolveArticle, err)
		}
	}
	if r.Recheck != nil {
		return setRecheck(ctx, tx, *r.Recheck)
	}
	return nil
}

// saveRevisions writes the fetch record, the articles, revisions and
// changes of r, and which articles are in the feed.
func (s *Store) saveRevisions(ctx context.Context, tx *sql.Tx, r FetchResult, pre []prepared, st *SaveStats) error {
	at := tsNotNull(r.At)   // changes
	atMs := msNotNull(r.At) // articles, revisions
	inFetch := r.Fetch != nil
	if inFetch {
		rec := *r.Fetch
		rec.FeedID = r.FeedID
		if err := recordFetch(ctx, tx, tx.StmtContext(ctx, s.st.recordFetch), rec); err != nil {
			return err
		}
	}
	var (
		findKey, insArticle, updArticle, latestNum, insRevision, insChange *sql.Stmt
	)
	if len(r.Revisions) > 0 {
		findKey = tx.StmtContext(ctx, s.st.findKey)
		insArticle = tx.StmtContext(ctx, s.st.insArticle)
		latestNum = tx.StmtContext(ctx, s.st.latestNum)
		insRevision = tx.StmtContext(ctx, s.st.insRevision)
		insChange = tx.StmtContext(ctx, s.st.insChange)
	}
	if len(r.Revisions) > 0 || len(r.Moved) > 0 {
		updArticle = tx.StmtContext(ctx, s.st.updArticle)
	}

	for i, nr := range r.Revisions {
		id := nr.ArticleID
		fresh := false // inserted just now, as the pending revision has it
		if id == 0 {
			raw, form := packDate(nr.DateRaw, nr.Published)
			err := insArticle.QueryRowContext(ctx, r.FeedID, nr.Key, nr.GUID, nr.Link, nr.Canonical,
				ms(nr.Published), raw, form, atMs, atMs, inFetch, ms(r.RecheckAt), urlHash(nr.Link)).Scan(&id)
			switch {
			case err == nil:
				fresh = true
				st.NewArticles++
			case errors.Is(err, sql.ErrNoRows): // there already: a retry
				if err := findKey.QueryRowContext(ctx, r.FeedID, nr.Key).Scan(&id); err != nil {
					return errf("save feed %d: article %q: %w", r.FeedID, nr.Key, err)
				}
			default:
				return errf("save feed %d: new article %q: %w", r.FeedID, nr.Key, err)
			}
		}
		// A fresh article has the candidate's fields and no revision.
		var last int
		if !fresh {
			raw, form := packDate(nr.DateRaw, nr.Published)
			res, err := updArticle.ExecContext(ctx, nr.Key, nr.GUID, nr.Link, nr.Canonical,
				ms(nr.Published), raw, inFetch, atMs, id, r.FeedID, form, urlHash(nr.Link))
			if err != nil {
				return errf("save feed %d: article %d: %w", r.FeedID, id, err)
			}
			if nr.Link == "" {
				if err := fillURLHashes(ctx, tx, " AND id = ?", id); err != nil {
					return errf("save feed %d: article %d: %w", r.FeedID, id, err)
				}
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return errf("save feed %d: article %d is not an article of this feed: %w", r.FeedID, id, ErrNotFound)
			}
			if err := latestNum.QueryRowContext(ctx, id).Scan(&last); err != nil {
				return errf("save feed %d: article %d: %w", r.FeedID, id, err)
			}
		}
		if last != nr.PrevNumber {
			continue // saved before (a retry), or superseded
		}
		num := nr.PrevNumber + 1
		headline, body := pre[i].headline, pre[i].body
		if pre[i].base > 0 {
			// Retention may have dropped the base since Prepare read it.
			var one int
			err := tx.QueryRowContext(ctx, `SELECT 1 FROM revisions WHERE article_id = ? AND number = ?`, id, pre[i].base).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				headline, body = pre[i].fullHeadline, pre[i].full
			} else if err != nil {
				return errf("save feed %d: article %d revision %d: %w", r.FeedID, id, pre[i].base, err)
			}
		}
		if _, err := insRevision.ExecContext(ctx, id, num, atMs, headline, body,
			len(nr.Text), pre[i].hash, nr.RevertOf, nr.source()); err != nil {
			return errf("save feed %d: article %d revision %d: %w", r.FeedID, id, num, err)
		}
		st.NewRevisions++
		for j, c := range nr.Changes {
			res, err := insChange.ExecContext(ctx, id, nr.PrevNumber, num, c.Kind, c.Person,
				pre[i].changes[j].fold, c.Before, c.After, c.Quote, pre[i].changes[j].ukey, at)
			if err != nil {
				return errf("save feed %d: article %d change %s: %w", r.FeedID, id, c.Kind, err)
			}
			n, _ := res.RowsAffected()
			st.NewChanges += int(n)
		}
	}
	for _, m := range r.Moved {
		if m.Key == "" {
			continue
		}
		raw, form := packDate(m.DateRaw, m.Published)
		if _, err := updArticle.ExecContext(ctx, m.Key, m.GUID, m.Link, m.Canonical,
			ms(m.Published), raw, inFetch, atMs, m.ArticleID, r.FeedID, form, urlHash(m.Link)); err != nil {
			return errf("save feed %d: moved article %d: %w", r.FeedID, m.ArticleID, err)
		}
		if m.Link == "" {
			if err := fillURLHashes(ctx, tx, " AND id = ?", m.ArticleID); err != nil {
				return errf("save feed %d: moved article %d: %w", r.FeedID, m.ArticleID, err)
			}
		}
	}
	if !inFetch {
		return nil
	}
	if len(r.Seen) > 0 {
		seen := tx.StmtContext(ctx, s.st.seen)
		for _, id := range r.Seen {
			if _, err := seen.ExecContext(ctx, atMs, id, r.FeedID); err != nil {
				return errf("save feed %d: seen article %d: %w", r.FeedID, id, err)
			}
		}
	}
	if _, err := tx.StmtContext(ctx, s.st.leftFeed).ExecContext(ctx, r.FeedID, atMs); err != nil {
		return errf("save feed %d: left the feed: %w", r.FeedID, err)
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
