-- Broadcasts (指令直达, issue 12): the instructions this app sent to grid
-- workers, their recipients per grid, and every acknowledgement seen.
CREATE TABLE broadcasts (
    local_id        INTEGER PRIMARY KEY,
    -- Chosen before the first POST and sent with every retry, so a retry
    -- after a lost response can never send twice.
    idempotency_key TEXT   NOT NULL UNIQUE,
    title           TEXT   NOT NULL,
    body            TEXT   NOT NULL,
    -- The contract's scope object as JSON ({"all": true} or town_codes / grid_ids).
    scope           TEXT   NOT NULL,
    template        TEXT,
    -- The platform's id, once a POST was answered.
    broadcast_id    TEXT   UNIQUE,
    -- The platform's figures, as last read from it.
    recipients      BIGINT,
    platform_acked  BIGINT,
    sent_at         BIGINT,
    ack_deadline_at BIGINT,
    created_at      BIGINT NOT NULL,
    sent_by         TEXT   NOT NULL,
    -- sending (not yet answered), sent, or refused (a 400; `error` says why).
    status          TEXT   NOT NULL,
    error           TEXT
);

CREATE INDEX broadcasts_by_status ON broadcasts (status, created_at);

-- Who a broadcast reaches, per grid, from the workers list when it was
-- sent ('' holds instructors who cover several grids and have none).
CREATE TABLE broadcast_grids (
    local_id   BIGINT NOT NULL REFERENCES broadcasts (local_id),
    grid_id    TEXT   NOT NULL,
    town_code  TEXT   NOT NULL,
    recipients BIGINT NOT NULL,
    PRIMARY KEY (local_id, grid_id)
);

-- Every acknowledgement, once: the feed and the acks endpoint both bring
-- them, some twice. Kept for broadcasts another console sent too.
CREATE TABLE broadcast_acks (
    broadcast_id TEXT   NOT NULL,
    worker_id    TEXT   NOT NULL,
    grid_id      TEXT   NOT NULL,
    acked_at     BIGINT NOT NULL,
    received_at  BIGINT NOT NULL,
    PRIMARY KEY (broadcast_id, worker_id)
);
