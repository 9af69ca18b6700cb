-- Local accounts of the console and their roles (issue 12). Same schema on
-- PostgreSQL (../postgres/).
--
-- `pin_hash` is an Argon2id PHC string (`$argon2id$v=19$m=...`): salt and
-- parameters travel with the hash, so they can be raised later without a
-- migration. The PIN itself is never stored. `disabled` is 0/1 like every
-- boolean of the store; an account is disabled, never deleted, so the audit
-- log's actors keep a name to point at.
CREATE TABLE accounts (
    username     TEXT   NOT NULL PRIMARY KEY,
    display_name TEXT   NOT NULL,
    role         TEXT   NOT NULL CHECK (role IN ('operator', 'duty_officer', 'admin')),
    pin_hash     TEXT   NOT NULL,
    disabled     BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL
);
