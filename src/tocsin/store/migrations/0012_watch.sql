-- 0012: the watcher's state (`tocsin watch`, docs/watch.md). One row per source of the
-- sources file, by name: when it was last polled and is next due, its last success and last
-- error, the validators of its last response (ETag, Last-Modified) and how far it has been
-- read (seen_until: the newest <lastmod> of a sitemap, the newest date of a GDELT export).
-- One row per cycle: 'running' while it works, 'done' or 'failed' after; a cycle found
-- 'running' when the next starts was killed, and is marked 'failed' ("interrupted").
-- Times are ISO 8601 in UTC.
CREATE TABLE watch_sources (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    locator TEXT NOT NULL,
    last_polled TEXT,
    next_due TEXT,
    last_ok TEXT,
    last_error TEXT,
    etag TEXT,
    last_modified TEXT,
    seen_until TEXT
);
CREATE TABLE watch_cycles (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    new_articles INTEGER NOT NULL DEFAULT 0,
    extracted INTEGER NOT NULL DEFAULT 0,
    cases_assessed INTEGER NOT NULL DEFAULT 0,
    error TEXT
);
CREATE INDEX watch_cycles_status ON watch_cycles(status);
