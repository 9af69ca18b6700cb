-- The store's schema on PostgreSQL. `../sqlite/` holds the same schema for
-- SQLite; the two differ only where the engines do (the quarantine key and
-- the raw bytes type). Queries are shared, so column names and meanings must
-- stay identical: change both files together.
--
-- Times are BIGINT unix seconds; booleans are BIGINT 0/1; every integer is
-- BIGINT so both engines hand back 64-bit values.

-- Every revision that parsed and validated, kept for the incident timeline.
-- `raw` is the record as it arrived (unknown fields included).
CREATE TABLE event_revisions (
    id          TEXT   NOT NULL,
    revision    BIGINT NOT NULL,
    seq         BIGINT NOT NULL,
    state       TEXT   NOT NULL,
    updated_at  BIGINT NOT NULL,
    upstream    TEXT   NOT NULL,
    raw         TEXT   NOT NULL,
    PRIMARY KEY (id, revision)
);

-- One row per event: the fields of its newest revision that queries filter
-- and aggregate on. The full record is that revision's `raw`.
-- `source` and `category` hold the wire value (an unknown one is kept raw).
-- `is_open` is 1 unless the state is terminal (closed, cancelled).
-- `pending` is 1 while the event awaits resolution (reported, accepted,
-- dispatched, in_progress, returned, escalated); `overdue` is 1 when it is
-- pending and `due_at` is before the store's clock.
-- `finished_at` is when the event first reached resolved or closed (kept
-- when later revisions move on), for on-time rate and handling time.
-- `town_code` and `village_code` come from `grid_id` (village code + 'G' + NN).
CREATE TABLE events (
    id                TEXT   NOT NULL PRIMARY KEY,
    revision          BIGINT NOT NULL,
    seq               BIGINT NOT NULL,
    source            TEXT   NOT NULL,
    category          TEXT   NOT NULL,
    severity          BIGINT NOT NULL,
    state             TEXT   NOT NULL,
    is_open           BIGINT NOT NULL,
    pending           BIGINT NOT NULL,
    overdue           BIGINT NOT NULL,
    grid_id           TEXT   NOT NULL,
    micro_grid_id     TEXT,
    village_code      TEXT   NOT NULL,
    town_code         TEXT   NOT NULL,
    title             TEXT   NOT NULL,
    address           TEXT   NOT NULL,
    lon               DOUBLE PRECISION,
    lat               DOUBLE PRECISION,
    mediation_outcome TEXT,
    reported_at       BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    due_at            BIGINT,
    finished_at       BIGINT
);

-- Drill-down: a grid's open events by severity, newest first.
CREATE INDEX events_by_grid ON events (grid_id, is_open, severity, updated_at);
-- A village's and a town's events over a time window.
CREATE INDEX events_by_village ON events (village_code, reported_at);
CREATE INDEX events_by_town ON events (town_code, reported_at);
-- Series over time across the city (30-day charts, events per hour).
CREATE INDEX events_by_reported ON events (reported_at);
-- `sweep_overdue` visits only pending events not yet overdue, in due order,
-- so each event is touched once when its deadline passes.
CREATE INDEX events_due ON events (due_at) WHERE pending = 1 AND overdue = 0 AND due_at IS NOT NULL;

-- Records that did not parse or broke the contract, raw, with the reason.
CREATE TABLE quarantine (
    quarantine_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    upstream      TEXT   NOT NULL,
    kind          TEXT   NOT NULL,
    reason        TEXT   NOT NULL,
    received_at   BIGINT NOT NULL,
    raw           BYTEA  NOT NULL
);

CREATE INDEX quarantine_by_upstream ON quarantine (upstream, kind);

-- Derived per grid, adjusted as revisions land (never rescanned).
CREATE TABLE grid_state (
    grid_id          TEXT   NOT NULL PRIMARY KEY,
    open_severity_1  BIGINT NOT NULL DEFAULT 0,
    open_severity_2  BIGINT NOT NULL DEFAULT 0,
    open_severity_3  BIGINT NOT NULL DEFAULT 0,
    open_severity_4  BIGINT NOT NULL DEFAULT 0,
    overdue          BIGINT NOT NULL DEFAULT 0,
    newest_event_at  BIGINT,
    colour           TEXT   NOT NULL DEFAULT 'green'
);

-- KPI counters per local (UTC+8) day of `reported_at` and town, adjusted by
-- each event's newest revision like grid_state. See `kpi.rs` for the metrics.
CREATE TABLE kpi_daily (
    day       BIGINT NOT NULL,
    town_code TEXT   NOT NULL,
    metric    TEXT   NOT NULL,
    n         BIGINT NOT NULL,
    PRIMARY KEY (day, town_code, metric)
);

-- Handling time (reported to finished) of finished events, per local day of
-- `reported_at` and town, in 15-minute buckets: the median comes from here.
CREATE TABLE kpi_handling (
    day       BIGINT NOT NULL,
    town_code TEXT   NOT NULL,
    bucket    BIGINT NOT NULL,
    n         BIGINT NOT NULL,
    PRIMARY KEY (day, town_code, bucket)
);

-- The store's clock for overdue: the latest `now` it was given. One row.
CREATE TABLE store_clock (
    singleton BIGINT NOT NULL PRIMARY KEY CHECK (singleton = 1),
    now       BIGINT NOT NULL
);

INSERT INTO store_clock (singleton, now) VALUES (1, 0);

-- Where ingest resumes, per upstream: the seq after which nothing is missing.
-- Written in the same transaction as the batch it covers.
CREATE TABLE cursors (
    upstream TEXT   NOT NULL PRIMARY KEY,
    seq      BIGINT NOT NULL
);

-- Reference data from the upstreams (divisions, grids, workers, cameras), as
-- the records arrived, replaced wholesale per kind on each sync.
CREATE TABLE reference (
    kind TEXT NOT NULL,
    id   TEXT NOT NULL,
    raw  TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
