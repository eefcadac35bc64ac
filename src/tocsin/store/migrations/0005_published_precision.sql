-- 0005: how precise a stated publication date is ('day', or 'month' or 'year' when an input
-- gave only that: the range is published_low..published_high and published is its last day),
-- and the warnings of the ingest about an article (a date given that could not be read).
ALTER TABLE articles ADD COLUMN published_precision TEXT
    CHECK (published_precision IN ('day', 'month', 'year'));
ALTER TABLE articles ADD COLUMN warnings TEXT NOT NULL DEFAULT '[]';  -- JSON array of strings
UPDATE articles SET published_precision = 'day' WHERE published IS NOT NULL;
