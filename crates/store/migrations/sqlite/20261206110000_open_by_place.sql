-- Open incidents of one town or village (issue 17): the console's panel
-- counts them by source and severity, counts the overdue ones and lists
-- them. Through `events_by_town` / `events_by_village` those reads walked
-- the place's whole history (every event it ever had, open or not), so they
-- slowed as years accumulated. These indexes hold open events only (about a
-- thousand in the city at any time), with what the counts need, so each read
-- is bounded by the open incidents of the place, however long the history.
CREATE INDEX events_open_by_town ON events (town_code, source, severity, overdue) WHERE is_open = 1;
CREATE INDEX events_open_by_village ON events (village_code, source, severity, overdue) WHERE is_open = 1;
