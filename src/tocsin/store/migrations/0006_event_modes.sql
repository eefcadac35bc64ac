-- 0006: how a sentence reports an event (asserted, denied, refused, threatened, planned,
-- hypothetical, reported) and the category of the action itself, apart from the category
-- of what took place ("won't send troops": REJECT of MOBILIZE). Events stored before read
-- as asserted, their action's category being their category.
ALTER TABLE events ADD COLUMN mode TEXT NOT NULL DEFAULT 'asserted';
ALTER TABLE events ADD COLUMN action_category TEXT;
UPDATE events SET action_category = category;
