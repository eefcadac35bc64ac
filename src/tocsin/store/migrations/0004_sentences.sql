-- 0004: the text model. An article's sentences, found once at extraction (tocsin.text) and
-- read by linking and by the report, so that every stage cuts the text the same way.
CREATE TABLE sentences (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    start      INTEGER NOT NULL,
    "end"      INTEGER NOT NULL,
    paragraph  INTEGER NOT NULL,
    PRIMARY KEY (article_id, start)
) WITHOUT ROWID;
