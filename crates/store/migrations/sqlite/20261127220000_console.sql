-- The duty officer's console (issue 7). Same indexes on PostgreSQL
-- (../postgres/), where the address search is a pg_trgm index instead.

-- Open events of any scope: a few thousand rows at a time, so a town's or
-- the city's open list reads this small index rather than five years of rows.
CREATE INDEX events_open ON events (reported_at) WHERE is_open = 1;

-- Search by address fragment while the officer types: a trigram index, so
-- any fragment of three characters or more (Chinese included) is a lookup,
-- not a scan. External content: the text lives once, in `events`; the
-- triggers keep the index in step with the upserts of `apply`.
CREATE VIRTUAL TABLE events_address USING fts5(
    address, content = 'events', content_rowid = 'rowid', tokenize = 'trigram'
);
INSERT INTO events_address (events_address) VALUES ('rebuild');

CREATE TRIGGER events_address_insert AFTER INSERT ON events BEGIN
    INSERT INTO events_address (rowid, address) VALUES (new.rowid, new.address);
END;

CREATE TRIGGER events_address_update AFTER UPDATE OF address ON events
WHEN old.address IS NOT new.address BEGIN
    INSERT INTO events_address (events_address, rowid, address)
        VALUES ('delete', old.rowid, old.address);
    INSERT INTO events_address (rowid, address) VALUES (new.rowid, new.address);
END;

CREATE TRIGGER events_address_delete AFTER DELETE ON events BEGIN
    INSERT INTO events_address (events_address, rowid, address)
        VALUES ('delete', old.rowid, old.address);
END;
