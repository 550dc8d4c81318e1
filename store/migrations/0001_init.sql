-- 0001: the first schema. Feeds, their articles, and every revision.
-- Times are UTC RFC 3339 text with nine fractional digits (fixed width, so
-- text order is time order); NULL where there is no time.

CREATE TABLE feeds (
    id            INTEGER PRIMARY KEY,
    url           TEXT    NOT NULL UNIQUE,      -- as configured
    fetch_url     TEXT    NOT NULL,             -- after permanent redirects
    name          TEXT    NOT NULL DEFAULT '',
    etag          TEXT    NOT NULL DEFAULT '',
    last_modified TEXT    NOT NULL DEFAULT '',
    last_fetch    TEXT,
    last_status   INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT    NOT NULL DEFAULT '',
    next_fetch    TEXT,
    failures      INTEGER NOT NULL DEFAULT 0,
    gone          INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE articles (
    id         INTEGER PRIMARY KEY,
    feed_id    INTEGER NOT NULL REFERENCES feeds (id),
    key        TEXT    NOT NULL,                -- identity within the feed
    guid       TEXT    NOT NULL DEFAULT '',
    url        TEXT    NOT NULL DEFAULT '',
    published  TEXT,
    date_raw   TEXT    NOT NULL DEFAULT '',
    first_seen TEXT    NOT NULL,
    last_seen  TEXT    NOT NULL,
    in_feed    INTEGER NOT NULL DEFAULT 1,
    UNIQUE (feed_id, key)
);
CREATE INDEX articles_feed_url ON articles (feed_id, url);

CREATE TABLE revisions (
    id         INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles (id),
    number     INTEGER NOT NULL,                -- 1, 2, ... per article
    fetched_at TEXT    NOT NULL,
    headline   TEXT    NOT NULL DEFAULT '',
    body       BLOB    NOT NULL,                -- codec byte + text (see store/text.go)
    text_size  INTEGER NOT NULL,                -- bytes of the uncompressed text
    hash       TEXT    NOT NULL,                -- hex of the normalised content
    UNIQUE (article_id, number)
);
