-- The store's first schema: every revision of every governance event, the
-- newest revision per event, the quarantine, and derived per-grid state.
--
-- Written to run on PostgreSQL as well: times are INTEGER unix seconds,
-- booleans are INTEGER 0/1, upserts use ON CONFLICT. The SQLite-specific
-- spots are marked where they occur.

-- Every revision that parsed and validated, kept for the incident timeline.
-- `raw` is the record as it arrived (unknown fields included).
CREATE TABLE event_revisions (
    id          TEXT    NOT NULL,
    revision    INTEGER NOT NULL,
    seq         BIGINT  NOT NULL,
    state       TEXT    NOT NULL,
    updated_at  BIGINT  NOT NULL,
    upstream    TEXT    NOT NULL,
    raw         TEXT    NOT NULL,
    PRIMARY KEY (id, revision)
);

-- One row per event: the fields of its newest revision. `source` and
-- `category` hold the wire value, so an unknown one is kept as its raw string.
-- `is_open` is 1 unless the state is terminal (closed, cancelled); `overdue`
-- is 1 when the event is open and `due_at` is before the store's clock.
CREATE TABLE events (
    id          TEXT    NOT NULL PRIMARY KEY,
    revision    INTEGER NOT NULL,
    seq         BIGINT  NOT NULL,
    source      TEXT    NOT NULL,
    category    TEXT    NOT NULL,
    severity    INTEGER NOT NULL,
    state       TEXT    NOT NULL,
    is_open     INTEGER NOT NULL,
    overdue     INTEGER NOT NULL,
    grid_id     TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    reported_at BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL,
    due_at      BIGINT,
    raw         TEXT    NOT NULL
);

-- Drill-down: a grid's open events by severity, newest first.
CREATE INDEX events_by_grid ON events (grid_id, is_open, severity, updated_at);
-- Drill-down by time across the city.
CREATE INDEX events_by_updated ON events (updated_at);
-- `refresh_overdue` visits only open events not yet overdue, in due order, so
-- each event is touched once when its deadline passes (a partial index; both
-- SQLite and PostgreSQL have them).
CREATE INDEX events_due ON events (due_at) WHERE is_open = 1 AND overdue = 0 AND due_at IS NOT NULL;

-- Records that did not parse or broke the contract, raw, with the reason.
-- SQLite-specific: the INTEGER PRIMARY KEY rowid; PostgreSQL would use
-- BIGINT GENERATED ALWAYS AS IDENTITY and BYTEA for `raw`.
CREATE TABLE quarantine (
    quarantine_id INTEGER PRIMARY KEY,
    upstream      TEXT   NOT NULL,
    kind          TEXT   NOT NULL,
    reason        TEXT   NOT NULL,
    received_at   BIGINT NOT NULL,
    raw           BLOB   NOT NULL
);

CREATE INDEX quarantine_by_upstream ON quarantine (upstream, kind);

-- Derived per grid, adjusted as revisions land (never rescanned).
CREATE TABLE grid_state (
    grid_id          TEXT    NOT NULL PRIMARY KEY,
    open_severity_1  INTEGER NOT NULL DEFAULT 0,
    open_severity_2  INTEGER NOT NULL DEFAULT 0,
    open_severity_3  INTEGER NOT NULL DEFAULT 0,
    open_severity_4  INTEGER NOT NULL DEFAULT 0,
    overdue          INTEGER NOT NULL DEFAULT 0,
    newest_event_at  BIGINT,
    colour           TEXT    NOT NULL DEFAULT 'green'
);

-- The store's clock for overdue: the latest `now` it was given. One row.
CREATE TABLE store_clock (
    singleton INTEGER NOT NULL PRIMARY KEY CHECK (singleton = 1),
    now       BIGINT  NOT NULL
);

INSERT INTO store_clock (singleton, now) VALUES (1, 0);
