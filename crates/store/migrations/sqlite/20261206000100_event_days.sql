-- Events reported per local (UTC+8) day and category in every scope that
-- holds them (issue 17): the city (''), its town ('t:' + code), village
-- ('v:' + code), grid ('g:' + id) and micro-grid ('m:' + id). Moved by each
-- event's newest row like the KPI counters (`series.rs`), so a 30-day series
-- or a week's top categories read a few rows per day of the answer, however
-- long the history. Same schema on both engines.
CREATE TABLE event_days (
    scope    TEXT   NOT NULL,
    day      BIGINT NOT NULL,
    category TEXT   NOT NULL,
    n        BIGINT NOT NULL,
    PRIMARY KEY (scope, day, category)
);

-- A store from before: counted once from its events.
INSERT INTO event_days (scope, day, category, n)
    SELECT '', (reported_at + 28800) / 86400, category, COUNT(*)
    FROM events GROUP BY 2, 3;
INSERT INTO event_days (scope, day, category, n)
    SELECT 't:' || town_code, (reported_at + 28800) / 86400, category, COUNT(*)
    FROM events WHERE town_code <> '' GROUP BY 1, 2, 3;
INSERT INTO event_days (scope, day, category, n)
    SELECT 'v:' || village_code, (reported_at + 28800) / 86400, category, COUNT(*)
    FROM events WHERE village_code <> '' GROUP BY 1, 2, 3;
INSERT INTO event_days (scope, day, category, n)
    SELECT 'g:' || grid_id, (reported_at + 28800) / 86400, category, COUNT(*)
    FROM events GROUP BY 1, 2, 3;
INSERT INTO event_days (scope, day, category, n)
    SELECT 'm:' || micro_grid_id, (reported_at + 28800) / 86400, category, COUNT(*)
    FROM events WHERE micro_grid_id IS NOT NULL GROUP BY 1, 2, 3;
