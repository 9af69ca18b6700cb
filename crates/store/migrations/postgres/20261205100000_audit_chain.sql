-- The audit log becomes a hash chain (issue 12). Same schema on SQLite
-- (../sqlite/). See `src/audit/chain.rs` for what is hashed and how.
--
-- `seq` is the row's place in the chain, 1, 2, 3, ... with no gap, given
-- by the append itself (not the key: PostgreSQL's identity skips values on
-- rollback). `hash` covers seq, the entry and `prev_hash`, which is the
-- previous row's hash. Rows written before this migration have an empty
-- hash and no seq; the store chains them once, on the first open after it
-- (`audit::adopt_unchained`), and never again: a row with an empty hash
-- found later was written behind the app's back, and `verify_audit` says so.
ALTER TABLE audit ADD COLUMN seq BIGINT;
ALTER TABLE audit ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE audit ADD COLUMN hash TEXT NOT NULL DEFAULT '';

-- Two appends can never take the same place: a fork fails loudly instead.
CREATE UNIQUE INDEX audit_by_seq ON audit (seq);

-- The newest row of the chain: its seq and hash. One row, moved in the
-- append's own transaction, so the next append reads its predecessor here
-- and a removed last row (which a chain alone cannot show) is detected.
-- The first row's prev_hash is the genesis value below (64 zeros).
CREATE TABLE audit_head (
    singleton BIGINT NOT NULL PRIMARY KEY CHECK (singleton = 1),
    seq       BIGINT NOT NULL,
    hash      TEXT   NOT NULL
);

INSERT INTO audit_head (singleton, seq, hash)
    VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
