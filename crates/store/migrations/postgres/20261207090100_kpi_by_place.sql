-- KPI counters per place and per day or year (issue 17). `kpi_daily` and
-- `kpi_handling` were kept per town and day, so the city summed every town's
-- rows, a town's year scanned every town's days, a village counted a year of
-- its events, and a year of the city's handling times was a hundred
-- thousand (day, bucket) rows. Now each counter is kept for the city (''),
-- its town ('t:' + code) and its village ('v:' + code), keyed as
-- `event_days` is, per local day and per year (the local day number of its
-- first of January): a window of days reads a few rows per day, "this year"
-- one row per counter. `kpi/counters.rs` keeps them; the definitions of the
-- counters are in `kpi/mod.rs`.
CREATE TABLE kpi_days (
    scope  TEXT   NOT NULL,
    day    BIGINT NOT NULL,
    metric TEXT   NOT NULL,
    n      BIGINT NOT NULL,
    PRIMARY KEY (scope, day, metric)
);
CREATE TABLE kpi_years (
    scope  TEXT   NOT NULL,
    year   BIGINT NOT NULL,
    metric TEXT   NOT NULL,
    n      BIGINT NOT NULL,
    PRIMARY KEY (scope, year, metric)
);
CREATE TABLE kpi_handling_days (
    scope  TEXT   NOT NULL,
    day    BIGINT NOT NULL,
    bucket BIGINT NOT NULL,
    n      BIGINT NOT NULL,
    PRIMARY KEY (scope, day, bucket)
);
CREATE TABLE kpi_handling_years (
    scope  TEXT   NOT NULL,
    year   BIGINT NOT NULL,
    bucket BIGINT NOT NULL,
    n      BIGINT NOT NULL,
    PRIMARY KEY (scope, year, bucket)
);

-- A store from before: the city and its towns from the old counters ...
INSERT INTO kpi_days (scope, day, metric, n)
    SELECT '', day, metric, SUM(n) FROM kpi_daily GROUP BY day, metric HAVING SUM(n) <> 0;
INSERT INTO kpi_days (scope, day, metric, n)
    SELECT 't:' || town_code, day, metric, n FROM kpi_daily WHERE town_code <> '' AND n <> 0;
-- Handling-time buckets widen past a day (to an hour) and a week (to a
-- day): `bucket_of` in kpi/mod.rs; a bucket is its start in quarter-hours.
INSERT INTO kpi_handling_days (scope, day, bucket, n)
    SELECT '', day, CASE WHEN bucket < 96 THEN bucket WHEN bucket < 672 THEN bucket - bucket % 4 ELSE bucket - bucket % 96 END, SUM(n)
    FROM kpi_handling GROUP BY 2, 3 HAVING SUM(n) <> 0;
INSERT INTO kpi_handling_days (scope, day, bucket, n)
    SELECT 't:' || town_code, day, CASE WHEN bucket < 96 THEN bucket WHEN bucket < 672 THEN bucket - bucket % 4 ELSE bucket - bucket % 96 END, SUM(n)
    FROM kpi_handling WHERE town_code <> '' GROUP BY 1, 2, 3 HAVING SUM(n) <> 0;

-- ... the villages from their events' newest rows, by the rules of
-- `metrics_of` and `handling_bucket` ...
CREATE TEMPORARY TABLE village_metrics AS
    SELECT 'v:' || village_code AS scope, (reported_at + 28800) / 86400 AS day, 'events' AS metric
        FROM events WHERE village_code <> '' AND state <> 'cancelled'
    UNION ALL SELECT 'v:' || village_code, (reported_at + 28800) / 86400, 'closed'
        FROM events WHERE village_code <> '' AND state = 'closed'
    UNION ALL SELECT 'v:' || village_code, (reported_at + 28800) / 86400, 'dispute_decided'
        FROM events WHERE village_code <> '' AND category LIKE 'dispute.%'
        AND mediation_outcome IN ('success', 'failed')
    UNION ALL SELECT 'v:' || village_code, (reported_at + 28800) / 86400, 'dispute_success'
        FROM events WHERE village_code <> '' AND category LIKE 'dispute.%'
        AND mediation_outcome = 'success'
    UNION ALL SELECT 'v:' || village_code, (reported_at + 28800) / 86400, 'lit_decided'
        FROM events WHERE village_code <> '' AND source = 'litigation'
        AND mediation_outcome IN ('success', 'failed')
    UNION ALL SELECT 'v:' || village_code, (reported_at + 28800) / 86400, 'lit_success'
        FROM events WHERE village_code <> '' AND source = 'litigation'
        AND mediation_outcome = 'success'
    UNION ALL SELECT 'v:' || village_code, (reported_at + 28800) / 86400, 'p110_due'
        FROM events WHERE village_code <> '' AND source = 'police_110' AND state <> 'cancelled'
        AND (state IN ('resolved', 'closed', 'mediation_failed', 'escalated') OR overdue = 1)
    UNION ALL SELECT 'v:' || village_code, (reported_at + 28800) / 86400, 'p110_handled'
        FROM events WHERE village_code <> '' AND source = 'police_110'
        AND state IN ('resolved', 'closed')
    UNION ALL SELECT 'v:' || village_code, (reported_at + 28800) / 86400, 'finished_due'
        FROM events WHERE village_code <> '' AND finished_at IS NOT NULL AND due_at IS NOT NULL
    UNION ALL SELECT 'v:' || village_code, (reported_at + 28800) / 86400, 'on_time'
        FROM events WHERE village_code <> '' AND finished_at IS NOT NULL AND due_at IS NOT NULL
        AND finished_at <= due_at;
INSERT INTO kpi_days (scope, day, metric, n)
    SELECT scope, day, metric, COUNT(*) FROM village_metrics GROUP BY scope, day, metric;
DROP TABLE village_metrics;
INSERT INTO kpi_handling_days (scope, day, bucket, n)
    SELECT scope, day, CASE WHEN q < 96 THEN q WHEN q < 672 THEN q - q % 4 ELSE q - q % 96 END, COUNT(*)
    FROM (SELECT 'v:' || village_code AS scope, (reported_at + 28800) / 86400 AS day,
                 GREATEST(finished_at - reported_at, 0) / 900 AS q
          FROM events WHERE village_code <> '' AND finished_at IS NOT NULL) AS finished
    GROUP BY 1, 2, 3;

-- ... and every year from its days.
INSERT INTO kpi_years (scope, year, metric, n)
    SELECT scope, CAST(EXTRACT(EPOCH FROM date_trunc('year', to_timestamp(day * 86400) AT TIME ZONE 'UTC')) AS BIGINT) / 86400,
           metric, SUM(n)
    FROM kpi_days GROUP BY 1, 2, 3;
INSERT INTO kpi_handling_years (scope, year, bucket, n)
    SELECT scope, CAST(EXTRACT(EPOCH FROM date_trunc('year', to_timestamp(day * 86400) AT TIME ZONE 'UTC')) AS BIGINT) / 86400,
           bucket, SUM(n)
    FROM kpi_handling_days GROUP BY 1, 2, 3;

DROP TABLE kpi_daily;
DROP TABLE kpi_handling;
