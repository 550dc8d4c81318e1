-- 0004: smaller revisions and indexes. From this version on, revision text
-- may use codec 2 (DEFLATE with a preset dictionary, store/text.go) and a
-- hex SHA-256 content hash is stored as its 32 bytes (store/hash.go); a stet
-- before this version could read neither, hence the new version. Most
-- articles have no canonical URL and no planned recheck: those two indexes
-- now hold only the articles that do.
DROP INDEX articles_feed_canonical;
CREATE INDEX articles_feed_canonical ON articles (feed_id, canonical) WHERE canonical <> '';
DROP INDEX articles_next_check;
CREATE INDEX articles_next_check ON articles (next_check) WHERE next_check IS NOT NULL;
-- Marking the articles that left a feed (SaveFetch) looks only at those
-- still in it, not at the feed's whole history.
CREATE INDEX articles_in_feed ON articles (feed_id) WHERE in_feed = 1;
