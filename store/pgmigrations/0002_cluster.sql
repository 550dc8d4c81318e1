-- 0002: several `stet run` workers on one database (issue 19); the same
-- tables as the SQLite migration 0008_cluster.sql. Times are Unix ms of
-- the database's clock.
CREATE TABLE feed_leases (
    feed_id BIGINT PRIMARY KEY REFERENCES feeds (id) ON DELETE CASCADE,
    due     BIGINT NOT NULL,
    worker  TEXT,
    until   BIGINT,
    token   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX feed_leases_due ON feed_leases (due);

CREATE TABLE workers (
    id         TEXT    PRIMARY KEY,
    host       TEXT    NOT NULL,
    pid        INTEGER NOT NULL,
    user_agent TEXT    NOT NULL DEFAULT '',
    started    BIGINT  NOT NULL,
    seen       BIGINT  NOT NULL
);

CREATE TABLE leader (
    name     TEXT PRIMARY KEY,
    worker   TEXT,
    until    BIGINT,
    last_run BIGINT
);
