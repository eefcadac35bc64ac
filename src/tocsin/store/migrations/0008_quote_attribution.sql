-- 0008: what a quote reports (words said or written; a belief or intention: "X fears
-- that …", "X plans to …"; or a topic: "criticised the plan") and what kind of source it
-- is attributed to (a speaker, an unnamed group such as "analysts", or a document, poll or
-- data). Quotes stored before were all speech by speakers.
ALTER TABLE quotes ADD COLUMN reports TEXT NOT NULL DEFAULT 'speech'
    CHECK (reports IN ('speech', 'belief', 'topic'));
ALTER TABLE quotes ADD COLUMN source_kind TEXT NOT NULL DEFAULT 'speaker'
    CHECK (source_kind IN ('speaker', 'group', 'document'));
