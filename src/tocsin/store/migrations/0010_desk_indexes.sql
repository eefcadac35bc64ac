-- 0010: indexes for the desk's reader, search and entity pages (`tocsin serve`), so that
-- each page costs a few index seeks however large the store: an article's links, and the
-- other inputs that gave its very text, by article; whether an article mentions an entity,
-- or quotes it as a speaker, by one seek per candidate article (the search filters); the
-- articles of one outlet, newest first (a search without words). The two single-column
-- indexes on entity ids are the prefixes of the new ones, so they go.
CREATE INDEX evidence_links_article ON evidence_links(article_id);
CREATE INDEX sources_article ON sources(article_id);
CREATE INDEX mentions_entity_article ON mentions(entity_id, article_id);
DROP INDEX mentions_entity;
CREATE INDEX quotes_speaker_article ON quotes(speaker_entity_id, article_id);
DROP INDEX quotes_speaker;
CREATE INDEX articles_outlet ON articles(outlet, published);
-- The columns the search filters read, by article id: checking a candidate reads this
-- index's dense pages instead of the article's row, which holds its whole text.
CREATE INDEX articles_facets ON articles(id, published, outlet, language);
