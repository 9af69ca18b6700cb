-- Per-day counters for the city and its towns only (issue 17). A village
-- has about five events a day, a grid one, a micro-grid a few a week: their
-- rows in `event_days` (per day and category) and the villages' in
-- `kpi_days` and `kpi_handling_days` were nine in ten of those tables'
-- rows and about 700 MB of a five-year store, to save reading a few dozen
-- events. Their day windows are now counted from `events` through the
-- place's `reported_at` index (`series.rs`, `kpi/counters.rs`); a village's
-- year keeps its counters in `kpi_years` and `kpi_handling_years`.
DELETE FROM event_days WHERE scope <> '' AND scope NOT LIKE 't:%';
DELETE FROM kpi_days WHERE scope LIKE 'v:%';
DELETE FROM kpi_handling_days WHERE scope LIKE 'v:%';

-- A grid's events by report time, for its lists, series and day windows
-- (a micro-grid's through its grid's: its id starts with the grid's). The
-- grid's open events, by severity and newest change, have a small partial
-- index of their own, as the towns' and villages' do. Together they replace
-- `events_by_grid`, which held every event of the grid by openness and so
-- walked a grid's whole history for a month of it.
CREATE INDEX events_by_grid_reported ON events (grid_id, reported_at);
CREATE INDEX events_open_by_grid ON events (grid_id, severity, updated_at) WHERE is_open = 1;
DROP INDEX events_by_grid;
