-- The smart brain's early warnings (智慧脑预警, issue 13). Same schema on
-- both engines.
--
-- The detectors' baseline as counters: a scope (what is counted, e.g.
-- `level|grid|<id>|all` or `shape|src:police_110`) and a slot (the hour of
-- the week, or 0). Batches of increments are added with an upsert, so the
-- baseline is kept incrementally and survives restarts; `gridwall-brain`
-- owns the meaning of scopes.
CREATE TABLE warning_counters (
    scope TEXT   NOT NULL,
    slot  BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (scope, slot)
);

-- One row per warning (per episode of one anomaly): the newest version of
-- what the brain said (`body`, JSON: explanation, figures, event ids), and
-- where the people handling it are: open (预警单) → acknowledged, or
-- handed_over (交办单) → fed_back (反馈单). Every change of `state` is
-- audited in the same transaction.
CREATE TABLE warnings (
    warning_id  TEXT   NOT NULL PRIMARY KEY,
    kind        TEXT   NOT NULL,
    level       BIGINT NOT NULL,
    place_level TEXT   NOT NULL,
    place_code  TEXT   NOT NULL,
    onset       BIGINT NOT NULL,
    raised_at   BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    body        TEXT   NOT NULL,
    state       TEXT   NOT NULL,
    state_by    TEXT,
    state_at    BIGINT,
    note        TEXT
);

-- The console's list: the newest first, open ones on their own.
CREATE INDEX warnings_by_state ON warnings (state, updated_at);
