-- Deliberate acts of operators (acknowledging an alert, pushing an item to
-- the wall), who did them and when. Append-only. Same schema on PostgreSQL
-- (../postgres/), except the key.
CREATE TABLE audit (
    audit_id INTEGER PRIMARY KEY,
    at       BIGINT NOT NULL,
    actor    TEXT   NOT NULL,
    action   TEXT   NOT NULL,
    subject  TEXT   NOT NULL,
    detail   TEXT   NOT NULL
);

CREATE INDEX audit_by_subject ON audit (action, subject, at);
