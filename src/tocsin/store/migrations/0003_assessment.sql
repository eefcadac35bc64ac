-- 0003: the assessment layer. Links from stored text to a case's indicators are
-- recomputed at will; the analyst's decisions on them live in their own table, keyed by
-- what they point at (case, article, span, indicator), so they survive recomputation.

CREATE TABLE evidence_links (
    id           INTEGER PRIMARY KEY,
    case_id      TEXT NOT NULL,
    article_id   INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    start        INTEGER NOT NULL,
    "end"        INTEGER NOT NULL,
    text         TEXT NOT NULL,
    indicator_id TEXT NOT NULL,
    polarity     TEXT NOT NULL CHECK (polarity IN ('seen', 'negated')),
    score        REAL NOT NULL,
    method       TEXT NOT NULL,                -- 'pattern', 'embedding' or 'pattern+embedding'
    reason       TEXT NOT NULL,
    kind         TEXT NOT NULL,                -- 'claim', 'quote', 'event' or 'sentence'
    status       TEXT,                         -- the claim's epistemic status, if any
    source       TEXT,                         -- who the text is attributed to
    source_key   TEXT NOT NULL,                -- independence key: same key, one observation
    reliability  TEXT NOT NULL,
    credibility  INTEGER NOT NULL,
    published    TEXT,
    linker_version TEXT NOT NULL,
    UNIQUE (case_id, article_id, start, "end", indicator_id)
);
CREATE INDEX evidence_links_case ON evidence_links(case_id);

CREATE TABLE link_decisions (
    case_id      TEXT NOT NULL,
    article_id   INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    start        INTEGER NOT NULL,
    "end"        INTEGER NOT NULL,
    indicator_id TEXT NOT NULL,               -- the indicator the link was made to
    decision     TEXT NOT NULL CHECK (decision IN ('accept', 'reject', 'relink')),
    new_indicator TEXT,                       -- for 'relink'
    polarity     TEXT CHECK (polarity IN ('seen', 'negated')),
    analyst      TEXT NOT NULL DEFAULT 'analyst',
    note         TEXT NOT NULL DEFAULT '',
    decided_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (case_id, article_id, start, "end", indicator_id)
);

CREATE TABLE resolutions (
    case_id     TEXT NOT NULL,
    question_id TEXT NOT NULL,                -- 'main' for the case's own question
    outcome     TEXT NOT NULL,                -- a hypothesis id, or 'yes' / 'no'
    resolved_on TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    recorded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (case_id, question_id)
);

-- Every forecast an assessment made, so that a track record scores what was said then.
CREATE TABLE forecasts (
    case_id     TEXT NOT NULL,
    question_id TEXT NOT NULL,
    as_of       TEXT NOT NULL,
    method      TEXT NOT NULL,                -- 'bayes', 'actors', 'analyst'
    probabilities TEXT NOT NULL,              -- JSON: outcome -> probability
    made_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (case_id, question_id, as_of, method)
);
