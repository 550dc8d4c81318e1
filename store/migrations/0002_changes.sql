-- 0002: changes and the digest, problems, rechecks, reverts, canonical
-- identity, retention.

ALTER TABLE articles ADD COLUMN canonical TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN next_check TEXT;          -- NULL: no recheck
ALTER TABLE articles ADD COLUMN page_etag TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN page_last_modified TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN pruned INTEGER NOT NULL DEFAULT 0; -- revisions 1..pruned were dropped by retention
CREATE INDEX articles_feed_canonical ON articles (feed_id, canonical);
CREATE INDEX articles_next_check ON articles (next_check);

ALTER TABLE revisions ADD COLUMN revert_of INTEGER NOT NULL DEFAULT 0;

CREATE TABLE digests (
    id           INTEGER PRIMARY KEY,
    message_id   TEXT    NOT NULL UNIQUE,
    created_at   TEXT    NOT NULL,
    sent_at      TEXT,
    last_attempt TEXT,
    next_attempt TEXT,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT    NOT NULL DEFAULT ''
);

CREATE TABLE changes (
    id          INTEGER PRIMARY KEY,
    article_id  INTEGER NOT NULL REFERENCES articles (id),
    from_rev    INTEGER NOT NULL,
    to_rev      INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    person      TEXT    NOT NULL DEFAULT '',
    person_fold TEXT    NOT NULL DEFAULT '',    -- lower-cased person, for search
    before_text TEXT    NOT NULL DEFAULT '',
    after_text  TEXT    NOT NULL DEFAULT '',
    quote       TEXT    NOT NULL DEFAULT '',
    ukey        TEXT    NOT NULL,               -- hash of kind, person, before, after, quote
    detected_at TEXT    NOT NULL,
    digest_id   INTEGER REFERENCES digests (id),
    UNIQUE (article_id, from_rev, to_rev, ukey),
    FOREIGN KEY (article_id, from_rev) REFERENCES revisions (article_id, number),
    FOREIGN KEY (article_id, to_rev) REFERENCES revisions (article_id, number)
);
CREATE INDEX changes_digest ON changes (digest_id);
CREATE INDEX changes_detected ON changes (detected_at);

CREATE TABLE problems (
    id          INTEGER PRIMARY KEY,
    feed_id     INTEGER NOT NULL REFERENCES feeds (id),
    article_id  INTEGER REFERENCES articles (id),  -- NULL: a problem of the feed
    kind        TEXT    NOT NULL,
    detail      TEXT    NOT NULL DEFAULT '',
    first_at    TEXT    NOT NULL,
    last_at     TEXT    NOT NULL,
    count       INTEGER NOT NULL DEFAULT 1,
    resolved_at TEXT,                            -- NULL while open
    digest_id   INTEGER REFERENCES digests (id)
);
CREATE INDEX problems_open ON problems (feed_id, article_id, kind, resolved_at);
CREATE INDEX problems_digest ON problems (digest_id);
