-- Raw revisions kept compactly (issue 17). Same meaning on SQLite
-- (../sqlite/).
--
-- `raw` holds the record as `codec` says (see `src/raw.rs`): 0 the bytes as
-- they arrived, 1 a zstd frame made with the dictionary shipped in the app.
-- A revision's seq, state and updated_at are in its record, so they are read
-- from there (the timeline reads a few revisions at a time) rather than kept
-- twice.
ALTER TABLE event_revisions
    DROP COLUMN seq,
    DROP COLUMN state,
    DROP COLUMN updated_at,
    ADD COLUMN codec BIGINT NOT NULL DEFAULT 0,
    ALTER COLUMN raw TYPE BYTEA USING convert_to(raw, 'UTF8');

ALTER TABLE event_revisions ALTER COLUMN codec DROP DEFAULT;
