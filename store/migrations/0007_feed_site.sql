-- 0007: what a feed says of itself (its title, its site's link and icon), so
-- that a feed without a configured name is shown by its own title, not its
-- URL. Empty until the feed is next fetched with a 200.
ALTER TABLE feeds ADD COLUMN title    TEXT NOT NULL DEFAULT '';
ALTER TABLE feeds ADD COLUMN site_url TEXT NOT NULL DEFAULT '';
ALTER TABLE feeds ADD COLUMN icon_url TEXT NOT NULL DEFAULT '';
