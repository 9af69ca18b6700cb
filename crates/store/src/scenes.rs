//! The video matrix's saved scenes and each window's rotation through them.
//!
//! Validation of names, layouts and dwell times is the caller's (the wall
//! crate); the store keeps what it is given and hands it back in order.

use sqlx::Row;

use crate::{Result, Store};

/// A layout with the cameras of its tiles.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedScene {
    pub name: String,
    /// `1`, `4`, `1+5`, `9` or `16`.
    pub layout: String,
    /// One camera id per tile, in order.
    pub cameras: Vec<String>,
    /// Unix seconds.
    pub updated_at: i64,
    pub updated_by: String,
}

/// The scenes one window rotates through, in order, each for `dwell_secs`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rotation {
    pub window: String,
    pub scenes: Vec<String>,
    pub dwell_secs: u32,
    pub updated_at: i64,
    pub updated_by: String,
}

fn json_list(text: &str) -> Vec<String> {
    // Written by `save_scene`/`set_rotation` only; a hand-edited row that
    // does not parse reads as empty rather than failing the whole matrix.
    serde_json::from_str(text).unwrap_or_default()
}

fn json_text(list: &[String]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".to_owned())
}

impl Store {
    /// Saves `scene` under its name, replacing any scene of that name.
    pub async fn save_scene(&self, scene: &SavedScene) -> Result<()> {
        sqlx::query(
            "INSERT INTO video_scenes (name, layout, cameras, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (name) DO UPDATE SET layout = excluded.layout, \
             cameras = excluded.cameras, updated_at = excluded.updated_at, \
             updated_by = excluded.updated_by",
        )
        .bind(&scene.name)
        .bind(&scene.layout)
        .bind(json_text(&scene.cameras))
        .bind(scene.updated_at)
        .bind(&scene.updated_by)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Deletes the scene called `name`; whether there was one. Rotations
    /// that name it skip it from then on.
    pub async fn delete_scene(&self, name: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM video_scenes WHERE name = $1")
            .bind(name)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Every saved scene, by name.
    pub async fn scenes(&self) -> Result<Vec<SavedScene>> {
        let rows = sqlx::query(
            "SELECT name, layout, cameras, updated_at, updated_by FROM video_scenes ORDER BY name",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(SavedScene {
                    name: row.try_get("name")?,
                    layout: row.try_get("layout")?,
                    cameras: json_list(&row.try_get::<String, _>("cameras")?),
                    updated_at: row.try_get("updated_at")?,
                    updated_by: row.try_get("updated_by")?,
                })
            })
            .collect()
    }

    /// Sets the rotation of `rotation.window`, replacing the one it had.
    pub async fn set_rotation(&self, rotation: &Rotation) -> Result<()> {
        sqlx::query(
            "INSERT INTO window_rotations (window_label, scenes, dwell_secs, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (window_label) DO UPDATE SET scenes = excluded.scenes, \
             dwell_secs = excluded.dwell_secs, updated_at = excluded.updated_at, \
             updated_by = excluded.updated_by",
        )
        .bind(&rotation.window)
        .bind(json_text(&rotation.scenes))
        .bind(i64::from(rotation.dwell_secs))
        .bind(rotation.updated_at)
        .bind(&rotation.updated_by)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The rotation of `window`, if one was ever set.
    pub async fn rotation(&self, window: &str) -> Result<Option<Rotation>> {
        let row = sqlx::query(
            "SELECT window_label, scenes, dwell_secs, updated_at, updated_by \
             FROM window_rotations WHERE window_label = $1",
        )
        .bind(window)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(Rotation {
                window: row.try_get("window_label")?,
                scenes: json_list(&row.try_get::<String, _>("scenes")?),
                dwell_secs: u32::try_from(row.try_get::<i64, _>("dwell_secs")?).unwrap_or(u32::MAX),
                updated_at: row.try_get("updated_at")?,
                updated_by: row.try_get("updated_by")?,
            })
        })
        .transpose()
    }
}
