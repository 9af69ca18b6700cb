-- The overdue and severe events of the city and of each town (issue 17): a place's
-- incident list shows overdue events first, then severity 4, 3, 2 and 1,
-- each newest first (`list.rs`). Severities 3 and 4 are a few percent of
-- events, so walking a month of a town or the city newest first to find
-- them read thousands of rows for a page; these indexes hold those events
-- only, one severity each (a query's `severity = 4` matches the index's
-- condition exactly, which SQLite needs to use a partial index), in the
-- order the list reads them. The common severities fill a page within a
-- few hundred rows through `events_by_town` / `events_by_reported`.
CREATE INDEX events_severity4 ON events (reported_at) WHERE severity = 4;
CREATE INDEX events_severity3 ON events (reported_at) WHERE severity = 3;
CREATE INDEX events_severity4_by_town ON events (town_code, reported_at) WHERE severity = 4;
CREATE INDEX events_severity3_by_town ON events (town_code, reported_at) WHERE severity = 3;
-- The city's overdue events (a few hundred, open ones all), in the order
-- the list shows them; a town's come from `events_open_by_town`.
CREATE INDEX events_overdue ON events (severity, reported_at) WHERE overdue = 1;
-- The city's open events by severity, newest first: its list of open
-- incidents (the console's first view) reads them a severity at a time.
CREATE INDEX events_open_by_severity ON events (severity, reported_at) WHERE is_open = 1;
