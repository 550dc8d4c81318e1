-- 0008: several `stet run` workers on one database (issue 19). Used only
-- with PostgreSQL; SQLite has the tables so that both stores have one
-- schema, and the single-process daemon never writes them.
--
-- feed_leases: one narrow row per configured feed: when it is next due
-- (Unix ms, the database's clock), which worker holds it until when, and a
-- token that changes with every claim, so that a save checks it still
-- holds the claim it fetched under.
CREATE TABLE feed_leases (
    feed_id INTEGER PRIMARY KEY REFERENCES feeds (id) ON DELETE CASCADE,
    due     INTEGER NOT NULL,
    worker  TEXT,
    until   INTEGER,
    token   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX feed_leases_due ON feed_leases (due);

-- workers: who runs, for `stet status`; seen is the last heartbeat.
CREATE TABLE workers (
    id         TEXT    PRIMARY KEY,
    host       TEXT    NOT NULL,
    pid        INTEGER NOT NULL,
    user_agent TEXT    NOT NULL DEFAULT '',
    started    INTEGER NOT NULL,
    seen       INTEGER NOT NULL
);

-- leader: named leases held by one worker at a time ('digest': the digest
-- and the page rechecks). last_run is when the lease's scheduled job (the
-- digest) last ran, whichever worker led then: a new leader runs a time it
-- finds past and not run (the old leader died near it).
CREATE TABLE leader (
    name     TEXT PRIMARY KEY,
    worker   TEXT,
    until    INTEGER,
    last_run INTEGER
);
