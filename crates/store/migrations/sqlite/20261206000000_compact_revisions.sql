-- Raw revisions kept compactly (issue 17). Same meaning on PostgreSQL
-- (../postgres/).
--
-- `raw` holds the record as `codec` says (see `src/raw.rs`): 0 the bytes as
-- they arrived, 1 a zstd frame made with the dictionary shipped in the app.
-- A revision's seq, state and updated_at are in its record, so they are read
-- from there (the timeline reads a few revisions at a time) rather than kept
-- twice. WITHOUT ROWID: the table is its primary key, so the id is stored
-- once, not in the table and again in an index.
CREATE TABLE event_revisions_compact (
    id       TEXT   NOT NULL,
    revision BIGINT NOT NULL,
    upstream TEXT   NOT NULL,
    codec    BIGINT NOT NULL,
    raw      BLOB   NOT NULL,
    PRIMARY KEY (id, revision)
) WITHOUT ROWID;

INSERT INTO event_revisions_compact (id, revision, upstream, codec, raw)
    SELECT id, revision, upstream, 0, CAST(raw AS BLOB) FROM event_revisions;

DROP TABLE event_revisions;

ALTER TABLE event_revisions_compact RENAME TO event_revisions;
