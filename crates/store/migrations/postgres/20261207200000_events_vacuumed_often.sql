-- `events` is updated in place, one row per event, at every revision:
-- about 10,000 row versions a day die. PostgreSQL's default vacuums a table
-- once a fifth of it is dead, which over five years (4 million events) is
-- every 80 days or so. Until then each dead version keeps its entries in
-- the partial indexes of open events, and counting the city's 4,000 open
-- events visited the heap for some 68,000 entries: 167 ms, against 4.5 ms
-- right after a VACUUM (docs/benchmarks.md, issue 17). Vacuum after a fixed
-- number of dead versions instead (about twice a day; 19 s over five years
-- when 430,000 had piled up, so a few seconds each), and always clean the
-- indexes, which PostgreSQL 14 on its own skips when few heap pages hold
-- dead versions: the index entries are what the counts pay for.
ALTER TABLE events SET (
    autovacuum_vacuum_scale_factor = 0,
    autovacuum_vacuum_threshold = 5000,
    vacuum_index_cleanup = on
);
