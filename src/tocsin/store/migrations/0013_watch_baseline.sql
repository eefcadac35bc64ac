-- 0013: where each watcher cycle's articles begin. `articles_before` is the highest article
-- id when the cycle started: the articles above it came in that cycle or later. A cycle
-- that finds the ones before it unfinished rings its alert rules from the case as it stood
-- at the first unfinished cycle's start (docs/watch.md, "Crash safety"). NULL for cycles
-- recorded before this migration.
ALTER TABLE watch_cycles ADD COLUMN articles_before INTEGER;
