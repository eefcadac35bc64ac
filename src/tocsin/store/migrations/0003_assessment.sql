-- 0003: the assessment layer. Links from stored text to a case's indicators are
-- recomputed at will; a link keeps its id while the linker makes it again, and ids are
-- never reused. The analyst's decisions live in their own table, keyed by what they point
-- at (case, article, span, indicator), so they survive recomputation.

CREATE TABLE evidence_links (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
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
    snapshot     TEXT NOT NULL DEFAULT '{}',  -- JSON: the link as decided, kept if the linker drops it
    decided_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (case_id, article_id, start, "end", indicator_id)
);

CREATE TABLE resolutions (
    case_id     TEXT NOT NULL,
    question_id TEXT NOT NULL,                -- 'main' for the case's own question
    outcome     TEXT NOT NULL,                -- a hypothesis id, or 'yes' / 'no'
    resolved_on TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    origin      TEXT NOT NULL DEFAULT 'resolve' CHECK (origin IN ('resolve', 'case')),
    recorded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (case_id, question_id)
);

-- The forecasts of a case's latest full assessment (replaced as a set by the next one):
-- the posterior at each date of the trajectory, what the actor model and the analyst said.
CREATE TABLE forecasts (
    case_id     TEXT NOT NULL,
    question_id TEXT NOT NULL,
    as_of       TEXT NOT NULL,
    method      TEXT NOT NULL,                -- 'bayes', 'actors', 'analyst'
    probabilities TEXT NOT NULL,              -- JSON: outcome -> probability
    deadline    TEXT NOT NULL,                -- the question's; later forecasts are not scored
    made_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (case_id, question_id, as_of, method)
);

-- Sentence embeddings, cached: an article's text never changes, so a sentence's vector
-- is computed once per model. float16, 384 values for all-MiniLM-L6-v2.
CREATE TABLE sentence_embeddings (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    start      INTEGER NOT NULL,
    "end"      INTEGER NOT NULL,
    model      TEXT NOT NULL,
    vector     BLOB NOT NULL,
    PRIMARY KEY (article_id, start, "end", model)
) WITHOUT ROWID;

-- When a case's links were last made: from which version of the case file, by which
-- linker, with which embedding model ('none' for patterns only), over articles up to
-- which id. An assessment that reuses the links relinks first if any of these changed.
CREATE TABLE link_runs (
    case_id        TEXT PRIMARY KEY,
    case_hash      TEXT NOT NULL,
    linker_version TEXT NOT NULL,
    embedder       TEXT NOT NULL,
    last_article   INTEGER NOT NULL,
    linked_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
