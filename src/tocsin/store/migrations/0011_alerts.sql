-- 0011: alerts (`tocsin watch`; docs/alerts.md). One row per alert a case's rule fired,
-- its key unique so that an alert made again (the same evidence seen by a later cycle, a
-- restarted watcher) is stored once and sent once. probabilities and evidence are JSON
-- (Alert.as_json's). alert_deliveries says, per alert and channel, whether it went out:
-- an alert without a 'sent' row on a channel is sent there by the next cycle, so a crash
-- between storing an alert and sending it loses nothing.
CREATE TABLE alerts (
    id            INTEGER PRIMARY KEY,
    case_id       TEXT NOT NULL,
    rule_id       TEXT NOT NULL,
    kind          TEXT NOT NULL,
    key           TEXT NOT NULL UNIQUE,
    title         TEXT NOT NULL,
    detail        TEXT NOT NULL,
    as_of         TEXT,                 -- the evidence date of the assessment, YYYY-MM-DD
    fired_at      TEXT NOT NULL,        -- UTC, ISO 8601: YYYY-MM-DDTHH:MM:SS.ffffff+00:00
    probabilities TEXT NOT NULL,        -- JSON: hypothesis -> posterior
    evidence      TEXT NOT NULL         -- JSON: a list of AlertEvidence.as_json()
);
CREATE INDEX alerts_case_rule_fired ON alerts(case_id, rule_id, fired_at);

CREATE TABLE alert_deliveries (
    alert_id INTEGER NOT NULL REFERENCES alerts(id),
    channel  TEXT NOT NULL,
    status   TEXT NOT NULL CHECK (status IN ('sent', 'failed')),
    attempts INTEGER NOT NULL,
    error    TEXT,
    at       TEXT NOT NULL,
    PRIMARY KEY (alert_id, channel)
);
