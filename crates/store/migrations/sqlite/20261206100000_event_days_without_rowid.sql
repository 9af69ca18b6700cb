-- event_days as a WITHOUT ROWID table (SQLite only): its rows are found by
-- their primary key alone, so keeping them in the key's own b-tree stores
-- each (scope, day, category) once instead of twice (a rowid table plus
-- its primary-key index), and a 30-day series reads one range of one tree.
CREATE TABLE event_days_by_key (
    scope    TEXT   NOT NULL,
    day      BIGINT NOT NULL,
    category TEXT   NOT NULL,
    n        BIGINT NOT NULL,
    PRIMARY KEY (scope, day, category)
) WITHOUT ROWID;
INSERT INTO event_days_by_key (scope, day, category, n)
    SELECT scope, day, category, n FROM event_days;
DROP TABLE event_days;
ALTER TABLE event_days_by_key RENAME TO event_days;
