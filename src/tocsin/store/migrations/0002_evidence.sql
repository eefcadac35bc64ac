-- 0002: the evidence layer. Every row points into articles.text by character offsets
-- (Python code points, end exclusive). An article's evidence is replaced as a whole when
-- it is extracted again; extractions records which extractor and model produced it.

CREATE TABLE extractions (
    article_id        INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    extractor_version TEXT NOT NULL,
    model             TEXT NOT NULL,
    error             TEXT,
    extracted_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- Canonical entities, shared by all articles.
CREATE TABLE entities (
    id         INTEGER PRIMARY KEY,
    canonical  TEXT NOT NULL,
    label      TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX entities_canonical ON entities(canonical);

-- Every spelling an entity has been seen under; surname_key finds candidates to merge.
CREATE TABLE entity_spellings (
    entity_id   INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    spelling    TEXT NOT NULL,
    normal      TEXT NOT NULL,
    surname_key TEXT NOT NULL,
    PRIMARY KEY (entity_id, spelling)
) WITHOUT ROWID;
CREATE INDEX entity_spellings_normal ON entity_spellings(normal);
CREATE INDEX entity_spellings_surname ON entity_spellings(surname_key);

CREATE TABLE mentions (
    id          INTEGER PRIMARY KEY,
    article_id  INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    start       INTEGER NOT NULL,
    "end"       INTEGER NOT NULL,
    text        TEXT NOT NULL,
    label       TEXT NOT NULL,
    entity_id   INTEGER NOT NULL REFERENCES entities(id)
);
CREATE INDEX mentions_article ON mentions(article_id);
CREATE INDEX mentions_entity ON mentions(entity_id);

CREATE TABLE quotes (
    id                INTEGER PRIMARY KEY,
    article_id        INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    start             INTEGER NOT NULL,
    "end"             INTEGER NOT NULL,
    text              TEXT NOT NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('direct', 'partial', 'indirect')),
    cue               TEXT,
    speaker_text      TEXT,
    speaker_start     INTEGER,
    speaker_end       INTEGER,
    speaker_entity_id INTEGER REFERENCES entities(id)
);
CREATE INDEX quotes_article ON quotes(article_id);
CREATE INDEX quotes_speaker ON quotes(speaker_entity_id);

CREATE TABLE claims (
    id               INTEGER PRIMARY KEY,
    article_id       INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    start            INTEGER NOT NULL,
    "end"            INTEGER NOT NULL,
    text             TEXT NOT NULL,
    status           TEXT NOT NULL
                     CHECK (status IN ('asserted', 'reported', 'alleged', 'denied', 'speculative')),
    source_entity_id INTEGER REFERENCES entities(id),
    source_text      TEXT,
    source_chain     TEXT NOT NULL DEFAULT '[]'   -- JSON array of names, outermost first
);
CREATE INDEX claims_article ON claims(article_id);

-- Figures on the same measure share a group across articles.
CREATE TABLE measure_groups (
    id  INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE
);

CREATE TABLE quantities (
    id         INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    start      INTEGER NOT NULL,
    "end"      INTEGER NOT NULL,
    text       TEXT NOT NULL,
    value      REAL,
    low        REAL,
    high       REAL,
    unit       TEXT,
    qualifier  TEXT,
    measure    TEXT,
    group_id   INTEGER REFERENCES measure_groups(id)
);
CREATE INDEX quantities_article ON quantities(article_id);
CREATE INDEX quantities_group ON quantities(group_id);

CREATE TABLE date_mentions (
    id         INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    start      INTEGER NOT NULL,
    "end"      INTEGER NOT NULL,
    text       TEXT NOT NULL,
    date_start TEXT NOT NULL,
    date_end   TEXT NOT NULL
);
CREATE INDEX date_mentions_article ON date_mentions(article_id);

CREATE TABLE events (
    id              INTEGER PRIMARY KEY,
    article_id      INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    start           INTEGER NOT NULL,
    "end"           INTEGER NOT NULL,
    text            TEXT NOT NULL,
    actor           TEXT,
    actor_entity_id INTEGER REFERENCES entities(id),
    action          TEXT NOT NULL,
    target          TEXT,
    category        TEXT,
    date_start      TEXT,
    date_end        TEXT
);
CREATE INDEX events_article ON events(article_id);
