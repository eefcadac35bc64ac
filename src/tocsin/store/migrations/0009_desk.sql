-- 0009: the analyst's desk (`tocsin serve`). Case files are kept in the store, every
-- version of each, so that the desk lists the cases, edits them and diffs two versions;
-- `tocsin assess` and the demo save the file they read. The audit log keeps every
-- analyst's every action, never updated or deleted: link_decisions holds only the decision
-- in force on each link, the log holds who decided what before, so that two analysts who
-- disagree are seen. Spelling overrides are the analysts' merges and splits of entities:
-- extraction reads them as part of the alias table, so a re-extraction keeps them.

CREATE TABLE case_files (
    case_id   TEXT NOT NULL,
    version   INTEGER NOT NULL,               -- 1, 2, ... per case
    text      TEXT NOT NULL,                  -- the YAML as saved
    sha256    TEXT NOT NULL,                  -- of text; a save of the same text is no version
    origin    TEXT NOT NULL,                  -- the file it was read from, or 'desk'
    analyst   TEXT NOT NULL DEFAULT 'analyst',
    note      TEXT NOT NULL DEFAULT '',
    saved_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (case_id, version)
);

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    analyst   TEXT NOT NULL,
    action    TEXT NOT NULL,                  -- e.g. 'link.accept', 'case.save', 'entity.merge'
    case_id   TEXT,
    target    TEXT NOT NULL DEFAULT '',       -- what it acted on: 'link:12:340:402:I3', 'case:v4'
    detail    TEXT NOT NULL DEFAULT '{}'      -- JSON: the action's fields
);
CREATE INDEX audit_log_case ON audit_log(case_id, id);
CREATE INDEX audit_log_target ON audit_log(target);

CREATE TABLE spelling_overrides (
    spelling  TEXT NOT NULL,                  -- normalised spelling
    label     TEXT NOT NULL,                  -- PERSON, ORG, GPE, ...
    canonical TEXT NOT NULL,                  -- the entity this spelling belongs to
    kind      TEXT NOT NULL CHECK (kind IN ('merge', 'split')),
    analyst   TEXT NOT NULL DEFAULT 'analyst',
    at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (spelling, label)
);
