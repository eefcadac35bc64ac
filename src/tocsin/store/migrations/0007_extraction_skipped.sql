-- 0007: articles no pipeline reads. An article in a language tocsin has no pipeline for is
-- marked, with the reason ('language hr'), instead of being run through another language's
-- model; it is neither a failure to retry nor extracted. extractions.model names the pipeline
-- that read an article ('sm', 'md' for English, 'natasha' for Russian; 'none' when skipped).
ALTER TABLE extractions ADD COLUMN skipped TEXT;
