-- 0001: sources (every input, with its raw bytes), articles, near-duplicate index, full text.

CREATE TABLE blobs (
    sha256      TEXT PRIMARY KEY,
    size        INTEGER NOT NULL,
    compression TEXT NOT NULL DEFAULT 'zlib',
    data        BLOB NOT NULL
);

CREATE TABLE sources (
    id           INTEGER PRIMARY KEY,
    locator      TEXT NOT NULL,
    kind         TEXT NOT NULL,
    raw_sha256   TEXT REFERENCES blobs(sha256),
    raw_size     INTEGER,
    url          TEXT,
    content_type TEXT,
    meta         TEXT NOT NULL DEFAULT '{}',   -- JSON: what the container said (feed fields, WARC date)
    status       TEXT NOT NULL CHECK (status IN ('ok', 'duplicate', 'failed')),
    error_code   TEXT,
    error        TEXT,
    attempts     INTEGER NOT NULL DEFAULT 1,
    article_id   INTEGER REFERENCES articles(id),
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
-- One row per (input, content): the same bytes at the same place are one source;
-- failures before the bytes are known (unreachable host) have raw_sha256 NULL.
CREATE UNIQUE INDEX sources_locator_content ON sources(locator, coalesce(raw_sha256, ''));
CREATE INDEX sources_status ON sources(status);

CREATE TABLE articles (
    id               INTEGER PRIMARY KEY,
    source_id        INTEGER NOT NULL REFERENCES sources(id),
    url              TEXT,
    title            TEXT,
    authors          TEXT NOT NULL DEFAULT '[]',   -- JSON array of names
    published        TEXT,                         -- ISO date
    published_estimated INTEGER NOT NULL DEFAULT 0,
    published_low    TEXT,
    published_high   TEXT,
    published_method TEXT,
    outlet           TEXT,
    language         TEXT,
    text             TEXT NOT NULL,
    text_sha256      TEXT NOT NULL UNIQUE,
    words            INTEGER NOT NULL,
    minhash          BLOB,                         -- uint32 signature for near-duplicate checks
    duplicate_of     INTEGER REFERENCES articles(id),
    similarity       REAL,                         -- Jaccard estimate to duplicate_of
    removed          TEXT NOT NULL DEFAULT '[]',   -- JSON array of boilerplate blocks dropped
    cleaner_version  TEXT NOT NULL,
    created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX articles_published ON articles(published);
CREATE INDEX articles_duplicate_of ON articles(duplicate_of);

-- Locality-sensitive hashing bands of each article's MinHash: candidates share a band.
CREATE TABLE lsh_bands (
    band       INTEGER NOT NULL,
    key        INTEGER NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    PRIMARY KEY (band, key, article_id)
) WITHOUT ROWID;

CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, text, content='articles', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
    INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
END;
