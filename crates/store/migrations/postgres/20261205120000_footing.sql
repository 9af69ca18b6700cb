-- Wartime footing (平战转换, issue 12). Same schema on both engines, except
-- the proposals' key.
--
-- Emergency plans as the TOML an admin wrote or imported: the wall crate
-- parses and validates it; the store keeps the text so an export is the
-- import, byte for byte.
CREATE TABLE emergency_plans (
    name       TEXT   PRIMARY KEY,
    plan_toml  TEXT   NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT   NOT NULL
);

-- The footing the installation is on: no row in peacetime, one row
-- (footing_id = 1) while a plan is in force. It keeps the plan's text as it
-- was when switched on, so editing a plan mid-event changes nothing on the
-- wall until the next switch.
CREATE TABLE emergency_footing (
    footing_id   INTEGER PRIMARY KEY CHECK (footing_id = 1),
    plan_name    TEXT   NOT NULL,
    plan_toml    TEXT   NOT NULL,
    started_at   BIGINT NOT NULL,
    proposed_by  TEXT   NOT NULL,
    confirmed_by TEXT   NOT NULL
);

-- Proposals to switch on or off: pending until a second person confirms,
-- the proposer cancels, or it lapses. At most one pending at a time.
CREATE TABLE emergency_proposals (
    proposal_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    action      TEXT   NOT NULL,
    plan_name   TEXT   NOT NULL,
    proposed_by TEXT   NOT NULL,
    proposed_at BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    status      TEXT   NOT NULL,
    decided_by  TEXT,
    decided_at  BIGINT
);

CREATE UNIQUE INDEX one_pending_proposal ON emergency_proposals (status) WHERE status = 'pending';
