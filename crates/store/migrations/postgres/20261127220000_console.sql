-- The duty officer's console (issue 7). Same purpose as ../sqlite/: open
-- events by a small partial index, and search by event id prefix and by
-- address fragment through indexes.

CREATE INDEX events_open ON events (reported_at) WHERE is_open = 1;

-- `id LIKE 'SJ2026%'` through an index whatever the database's collation.
CREATE INDEX events_id_prefix ON events (id text_pattern_ops);

-- Address fragments (three characters or more) through trigrams. pg_trgm
-- ships with PostgreSQL and is a trusted extension: the database's owner may
-- create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX events_address_trgm ON events USING gin (address gin_trgm_ops);
