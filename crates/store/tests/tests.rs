//! The store's integration tests, one binary. Most run twice, on a fresh
//! SQLite file in a temporary directory and on a fresh database of the test
//! PostgreSQL server named by `GRIDWALL_TEST_POSTGRES` (see `scripts/postgres`):
//! `<test>::sqlite` and `<test>::postgres`.
//!
//! - `support`: a fresh store, event JSON builders, times.
//! - `compact`: every revision of a simulated month, landed through the bulk
//!   path and stored compressed, reads back byte for byte; after a bulk
//!   import PostgreSQL has statistics for the tables it wrote.
//! - `broadcasts`: a broadcast's draft before its POST, the platform's
//!   answer, and acknowledgements counted once however they arrive.
//! - `open`: WAL mode; a reopened file (by path or `sqlite:` URL) keeps its events.
//! - `revisions`: duplicates and older revisions change nothing; every revision
//!   is kept for the timeline; unknown sources and categories are kept raw;
//!   two batches at once both land.
//! - `retention`: pruning keeps the newest revision of old, finished events
//!   and changes nothing the wall shows.
//! - `quarantine`: malformed and contract-breaking records go to quarantine
//!   once however often they are delivered,
//!   with their reason, counted per upstream, and never stop a batch.
//! - `grid_state`: the per-grid counters equal a from-scratch recomputation
//!   after random revisions (stale and duplicated ones included); overdue
//!   follows the clock.
//! - `kpi`: every KPI over every window, one town's, and the rollups, equal
//!   values computed independently from the simulator's history.
//! - `kpi_backfill`: a store from before the per-place counters gets, when
//!   opened, the counters the writer keeps.
//! - `series`: the chart series count what was reported where and when.
//! - `drill`: the console's incident lists, breakdowns, search and scoped KPIs.
//! - `list`: a place's list read group by group shows the page and total one
//!   sort of its whole window shows, at every level and under every filter.
//! - `maintenance`: the partial indexes of open events, rebuilt when thin
//!   on PostgreSQL, answer as before; SQLite needs no rebuild.
//! - `footing`: emergency plans, the footing in force, proposals decided once.
//! - `scenes`: the video matrix's saved scenes and each window's rotation.
//! - `audit`: the audit log's hash chain: edits, deletions, inserts and swaps
//!   are each found and named; concurrent appends keep one chain; rows from
//!   before the chain are chained once.
//! - `accounts`: local accounts, their roles and sign-in with a hashed PIN.
//! - `unicode`: every Unicode class the contract allows in free text lands the
//!   same on both engines with its raw revision byte-exact; a record an engine
//!   refuses is quarantined and the rest of its batch lands (issue 18).
//! - `shared`: instances on one PostgreSQL hear each other's changes (and
//!   not their own) and hold the ingest leader's lock one at a time.
//! - `warnings`: the smart brain's counters add up and survive a reopen; a
//!   warning's handling moves only forward, once, audited in its transaction.
//! - `simulator`: two simulated days of the simulator's history, batched,
//!   duplicated and reordered, leave exactly the newest revision of each event.

mod accounts;
mod audit;
mod broadcasts;
mod compact;
mod drill;
mod footing;
mod grid_state;
mod kpi;
mod kpi_backfill;
mod list;
mod maintenance;
mod open;
mod quarantine;
mod retention;
mod revisions;
mod scenes;
mod series;
mod shared;
mod simulator;
mod support;
mod unicode;
mod warnings;
