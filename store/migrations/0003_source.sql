-- 0003: where a revision's text came from: the feed's own content ('feed')
-- or the article's page ('page', full_text feeds). Revisions of different
-- sources are not compared for changes.
ALTER TABLE revisions ADD COLUMN source TEXT NOT NULL DEFAULT 'feed';
