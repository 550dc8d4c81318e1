-- 0006: per-recipient digest delivery (issue 17). sending_at is set just
-- before DATA and cleared by a failed attempt, so a restarted stet waits
-- smtp.timeout before sending again what may have gone out. Each
-- recipient's outcome is kept: 'sent', or 'refused' (a permanent SMTP
-- refusal), so a retry goes only to those still due.
ALTER TABLE digests ADD COLUMN sending_at TEXT;

CREATE TABLE digest_recipients (
    digest_id INTEGER NOT NULL REFERENCES digests (id),
    address   TEXT    NOT NULL,  -- the bare address, lower case
    state     TEXT    NOT NULL,  -- 'sent' or 'refused'
    detail    TEXT    NOT NULL DEFAULT '',
    at        TEXT    NOT NULL,
    PRIMARY KEY (digest_id, address)
);
CREATE INDEX digest_recipients_refused ON digest_recipients (at) WHERE state = 'refused';
