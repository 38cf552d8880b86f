-- carrywatch store, schema version 4 (version 1 lacked newest_columns; version 2 lacked
-- observations.withdrawn and newest_columns.first_days; version 3 lacked series_stats).
-- Append-only: observations are never updated or deleted; a revision is a new row.
-- Timestamps are ISO-8601 UTC text ('YYYY-MM-DDTHH:MM:SSZ'), dates 'YYYY-MM-DD',
-- so that text order is time order.

CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS series (
    series_id   TEXT PRIMARY KEY,
    source      TEXT NOT NULL,
    remote_code TEXT NOT NULL,
    unit        TEXT NOT NULL,
    frequency   TEXT NOT NULL,
    title       TEXT NOT NULL
);

-- One row per payload that added at least one observation, and one per market snapshot
-- (a payload kept for its own sake, no observations; provenance kind 'market_snapshot').
-- provenance_json: publisher, original series code, repository file (snapshot rows),
-- the user's file name (imports), the media type (live rows).
CREATE TABLE IF NOT EXISTS fetches (
    fetch_id        INTEGER PRIMARY KEY,
    source          TEXT NOT NULL,
    url             TEXT NOT NULL,
    params_json     TEXT NOT NULL,
    retrieved_at    TEXT NOT NULL,
    http_status     INTEGER,
    sha256          TEXT NOT NULL,
    n_bytes         INTEGER NOT NULL,
    parse_version   INTEGER NOT NULL,
    origin          TEXT NOT NULL CHECK (origin IN ('live', 'snapshot', 'import')),
    provenance_json TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS fetches_by_source ON fetches (source, retrieved_at);
CREATE INDEX IF NOT EXISTS fetches_by_sha ON fetches (sha256);

-- known_from: when the value became known: the retrieval time of the payload, or the
-- provider's publication time for vintage-publishing sources (ALFRED real-time periods).
-- withdrawn = 1: from known_from on, the publisher shows no value for this date (an
-- ALFRED vintage with '.'); value is then 0 and never read. A read whose newest row for a
-- date is a withdrawal leaves the date out.
CREATE TABLE IF NOT EXISTS observations (
    series_id  TEXT NOT NULL,
    obs_date   TEXT NOT NULL,
    known_from TEXT NOT NULL,
    fetch_id   INTEGER NOT NULL REFERENCES fetches (fetch_id),
    value      REAL NOT NULL,
    withdrawn  INTEGER NOT NULL DEFAULT 0 CHECK (withdrawn IN (0, 1)),
    PRIMARY KEY (series_id, obs_date, known_from, fetch_id)
) WITHOUT ROWID;

-- When each series was last confirmed by a successful fetch (even one that changed
-- nothing), for the data-status table.
CREATE TABLE IF NOT EXISTS checks (
    series_id  TEXT PRIMARY KEY,
    checked_at TEXT NOT NULL,
    source     TEXT NOT NULL,
    url        TEXT NOT NULL
);

-- The newest revision of each (series_id, obs_date), packed per series (see
-- carrywatch/store/newest.py): derived from observations by every append, in the same
-- transaction.
CREATE TABLE IF NOT EXISTS newest_columns (
    series_id   TEXT PRIMARY KEY,
    n_obs       INTEGER NOT NULL,
    obs_days    BLOB NOT NULL,
    values_f8   BLOB NOT NULL,
    fetch_ids   BLOB NOT NULL,
    known_codes BLOB NOT NULL,
    known_json  TEXT NOT NULL,
    first_days  BLOB NOT NULL
);

-- Per series with observations, what the status of a series needs (see
-- carrywatch/store/stats.py): rows, obs_dates with a value and the first and last of them,
-- the newest retrieval and the origins of the fetches that stored a value. Derived from
-- observations by every append, in the same transaction, so that status costs O(series).
CREATE TABLE IF NOT EXISTS series_stats (
    series_id      TEXT PRIMARY KEY,
    n_rows         INTEGER NOT NULL,
    n_dates        INTEGER NOT NULL,
    first_obs      TEXT,
    last_obs       TEXT,
    last_retrieved TEXT,
    origins        TEXT
);

-- Any insert into observations drops its series' packed row and statistics, so a writer
-- that does not rebuild them (an older carrywatch still running, a hand-made INSERT) can
-- never leave them stale: Store.append rebuilds both in the same transaction, Store.read
-- picks a series with observations but no packed row from observations instead, and
-- Store.series_status computes one without statistics from its rows.
CREATE TRIGGER IF NOT EXISTS observations_unpack AFTER INSERT ON observations
BEGIN
    DELETE FROM newest_columns WHERE series_id = NEW.series_id;
    DELETE FROM series_stats WHERE series_id = NEW.series_id;
END;

-- The newest value we hold for each (series_id, obs_date); a date whose newest row is a
-- withdrawal has none.
CREATE VIEW IF NOT EXISTS latest AS
SELECT series_id, obs_date, value, fetch_id, known_from
FROM (
    SELECT o.*, ROW_NUMBER() OVER (
        PARTITION BY series_id, obs_date ORDER BY known_from DESC, fetch_id DESC
    ) AS rank_newest
    FROM observations AS o
)
WHERE rank_newest = 1 AND withdrawn = 0;

-- Alert events already delivered (carrywatch alerts): an event fires once. ``rule`` is
-- the rule's name in the user's rules file, ``event_key`` what the event is (kind,
-- target and the date that starts it); a row is written when the event is delivered.
CREATE TABLE IF NOT EXISTS alert_events (
    rule       TEXT NOT NULL,
    event_key  TEXT NOT NULL,
    obs_date   TEXT NOT NULL,
    fired_at   TEXT NOT NULL,
    value      REAL,
    message    TEXT NOT NULL,
    PRIMARY KEY (rule, event_key)
) WITHOUT ROWID;
