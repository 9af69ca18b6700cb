//! The connection a batch's transaction runs on, whichever driver holds it.
//!
//! The live path writes through the pool (sqlx `Any`: one code path for
//! both engines, a dynamic value per bind). The bulk path holds a typed
//! connection of its own (SQLite or PostgreSQL), which binds values as they
//! are and keeps its prepared statements for the whole import. Writers hand
//! either one the same [`Statement`]s.

use sqlx::{AnyConnection, PgConnection, SqliteConnection};

use crate::Result;
use crate::newest::EventRow;
use crate::sql::{Statement, Value};

/// A connection inside a transaction.
pub(crate) enum Conn<'c> {
    Any(&'c mut AnyConnection),
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

/// Bind every value of `statement` to `query`, each as its own SQL type.
macro_rules! bound {
    ($statement:expr) => {{
        let mut query = sqlx::query(&$statement.sql);
        for value in &$statement.values {
            query = match value {
                Value::Int(v) => query.bind(*v),
                Value::Real(v) => query.bind(*v),
                Value::Text(v) => query.bind(v.as_deref()),
                Value::Blob(v) => query.bind(v.as_ref()),
            };
        }
        query
    }};
}

impl Conn<'_> {
    /// Run `statement`; the number of rows it changed.
    pub async fn execute(&mut self, statement: &Statement<'_>) -> Result<u64> {
        Ok(match self {
            Conn::Any(c) => bound!(statement).execute(&mut **c).await?.rows_affected(),
            Conn::Sqlite(c) => bound!(statement).execute(&mut **c).await?.rows_affected(),
            Conn::Postgres(c) => bound!(statement).execute(&mut **c).await?.rows_affected(),
        })
    }

    /// Run each of `statements` in order.
    pub async fn execute_all(&mut self, statements: &[Statement<'_>]) -> Result<()> {
        for statement in statements {
            self.execute(statement).await?;
        }
        Ok(())
    }

    /// The rows of `events` that `statement` selects ([`crate::newest::EVENT_COLUMNS`]).
    pub async fn fetch_events(&mut self, statement: &Statement<'_>) -> Result<Vec<EventRow>> {
        match self {
            Conn::Any(c) => bound!(statement)
                .fetch_all(&mut **c)
                .await?
                .iter()
                .map(EventRow::from_row)
                .collect(),
            Conn::Sqlite(c) => bound!(statement)
                .fetch_all(&mut **c)
                .await?
                .iter()
                .map(EventRow::from_row)
                .collect(),
            Conn::Postgres(c) => bound!(statement)
                .fetch_all(&mut **c)
                .await?
                .iter()
                .map(EventRow::from_row)
                .collect(),
        }
    }

    /// The first column of the first row, an integer.
    pub async fn fetch_int(&mut self, statement: &Statement<'_>) -> Result<i64> {
        use sqlx::Row;
        Ok(match self {
            Conn::Any(c) => bound!(statement).fetch_one(&mut **c).await?.try_get(0)?,
            Conn::Sqlite(c) => bound!(statement).fetch_one(&mut **c).await?.try_get(0)?,
            Conn::Postgres(c) => bound!(statement).fetch_one(&mut **c).await?.try_get(0)?,
        })
    }
}
