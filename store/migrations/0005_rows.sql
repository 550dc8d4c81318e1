-- 0005: smaller rows in the two tables that grow with every item. Both are
-- rebuilt (store.apply runs a migration with foreign keys off and checks
-- them before it commits).
--
-- articles:
--   published, first_seen, last_seen, next_check: Unix milliseconds (UTC)
--     instead of 30 bytes of text;
--   guid, url: NULL when equal to key (a GUID is the key whenever there is
--     one, and a feed without GUIDs is keyed by link), '' when there is none;
--   url_hash: a 31-bit hash of url, computed by stet (filled in for the rows
--     here by store.afterMigrate); the index on links holds it instead of
--     the link;
--   date_raw: '' when date_form says how to write published back exactly
--     as the feed wrote it (store/dates.go); 0 keeps date_raw as written.
-- revisions:
--   fetched_at: Unix milliseconds (UTC); source: NULL for 'feed';
--   hash: the first 8 bytes of the SHA-256 (was 32, or 64 hex digits);
--   headline: NULL when the body holds it, compressed with the text (new
--     revisions); body: a revision may be a delta of an earlier one.
-- Other tables keep their RFC 3339 text times: they grow with changes and
-- fetches, not with items.

CREATE TABLE articles_new (
    id                 INTEGER PRIMARY KEY,
    feed_id            INTEGER NOT NULL REFERENCES feeds (id),
    key                TEXT    NOT NULL,        -- identity within the feed
    guid               TEXT,                    -- NULL: same as key
    url                TEXT,                    -- NULL: same as key
    url_hash           INTEGER,                 -- of url when not NULL, for its index (store/urlhash.go)
    canonical          TEXT    NOT NULL DEFAULT '',
    published          INTEGER,                 -- Unix ms
    date_raw           TEXT    NOT NULL DEFAULT '',
    date_form          INTEGER NOT NULL DEFAULT 0,
    first_seen         INTEGER NOT NULL,        -- Unix ms
    last_seen          INTEGER NOT NULL,        -- Unix ms
    in_feed            INTEGER NOT NULL DEFAULT 1,
    next_check         INTEGER,                 -- Unix ms; NULL: no recheck
    page_etag          TEXT    NOT NULL DEFAULT '',
    page_last_modified TEXT    NOT NULL DEFAULT '',
    pruned             INTEGER NOT NULL DEFAULT 0,
    UNIQUE (feed_id, key)
);

INSERT INTO articles_new (id, feed_id, key, guid, url, canonical, published, date_raw, date_form,
    first_seen, last_seen, in_feed, next_check, page_etag, page_last_modified, pruned)
SELECT id, feed_id, key, NULLIF(guid, key), NULLIF(url, key), canonical,
    CAST(strftime('%s', substr(published, 1, 19)) AS INTEGER) * 1000 + CAST(substr(published, 21, 3) AS INTEGER),
    date_raw, 0,
    CAST(strftime('%s', substr(first_seen, 1, 19)) AS INTEGER) * 1000 + CAST(substr(first_seen, 21, 3) AS INTEGER),
    CAST(strftime('%s', substr(last_seen, 1, 19)) AS INTEGER) * 1000 + CAST(substr(last_seen, 21, 3) AS INTEGER),
    in_feed,
    CAST(strftime('%s', substr(next_check, 1, 19)) AS INTEGER) * 1000 + CAST(substr(next_check, 21, 3) AS INTEGER),
    page_etag, page_last_modified, pruned
FROM articles ORDER BY id;

CREATE TABLE revisions_new (
    id         INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles (id),
    number     INTEGER NOT NULL,                -- 1, 2, ... per article
    fetched_at INTEGER NOT NULL,                -- Unix ms
    headline   TEXT,                            -- NULL: stored in the body (store/doc.go)
    body       BLOB    NOT NULL,                -- codec byte + text (store/text.go, delta.go)
    text_size  INTEGER NOT NULL,                -- bytes of the uncompressed text
    hash       BLOB    NOT NULL,                -- first 8 bytes of the SHA-256 of the normalised content
    revert_of  INTEGER NOT NULL DEFAULT 0,
    source     TEXT,                            -- NULL: 'feed'; 'page'
    UNIQUE (article_id, number)
);

INSERT INTO revisions_new (id, article_id, number, fetched_at, headline, body, text_size, hash, revert_of, source)
SELECT id, article_id, number,
    CAST(strftime('%s', substr(fetched_at, 1, 19)) AS INTEGER) * 1000 + CAST(substr(fetched_at, 21, 3) AS INTEGER),
    headline, body, text_size,
    CASE
        WHEN typeof(hash) = 'blob' AND length(hash) = 32 THEN substr(hash, 1, 8)
        WHEN typeof(hash) = 'text' AND length(hash) = 64 AND unhex(hash) IS NOT NULL THEN unhex(substr(hash, 1, 16))
        ELSE hash
    END,
    revert_of, NULLIF(source, 'feed')
FROM revisions ORDER BY id;

DROP TABLE revisions;
DROP TABLE articles;
ALTER TABLE articles_new RENAME TO articles;
ALTER TABLE revisions_new RENAME TO revisions;

-- url is looked up only when it is not the key (a NULL url is found by key),
-- by its hash (4 bytes instead of the whole link), then compared.
CREATE INDEX articles_feed_url ON articles (feed_id, url_hash) WHERE url IS NOT NULL;
CREATE INDEX articles_feed_canonical ON articles (feed_id, canonical) WHERE canonical <> '';
CREATE INDEX articles_next_check ON articles (next_check) WHERE next_check IS NOT NULL;
CREATE INDEX articles_in_feed ON articles (feed_id) WHERE in_feed = 1;
