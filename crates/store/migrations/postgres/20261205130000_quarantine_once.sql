-- Issue 18: the feed is at-least-once, so the same refused record arrives
-- again and again; keep it once per upstream. The key is a SHA-256 of the
-- bytes, not the bytes, because a B-tree entry cannot exceed about 2.7 kB
-- and refused records can be far larger (`../sqlite/` indexes the bytes).
-- Inserts say `ON CONFLICT DO NOTHING` with no target, which both engines
-- read as "any unique key", so the query stays shared.

DELETE FROM quarantine
WHERE quarantine_id NOT IN (SELECT MIN(quarantine_id) FROM quarantine GROUP BY upstream, raw);

CREATE UNIQUE INDEX quarantine_once ON quarantine (upstream, sha256(raw));
