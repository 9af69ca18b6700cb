//! Scenes of the video matrix saved in the store, and the rotation each
//! window runs through them (issue 6).
//!
//! A scene is a layout with the cameras of its tiles. Operators save the
//! matrix as they arranged it under a name; each window is then given the
//! scenes it rotates through, in order, and how long each stays. Windows
//! without a rotation run through the catalogue's default scenes. Every
//! change is an audited act, and with a PostgreSQL store every console sees
//! the same scenes.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use ts_rs::TS;

use gridwall_store::{AuditEntry, Rotation, SavedScene, Store};

/// The layouts of a video area, and how many tiles each has.
pub const LAYOUTS: [(&str, usize); 5] = [("1", 1), ("4", 4), ("1+5", 6), ("9", 9), ("16", 16)];
/// A window without a rotation of its own changes scenes this often.
pub const DEFAULT_DWELL_SECS: u32 = 30;
/// The shortest and longest dwell an operator may set.
pub const DWELL_SECS: std::ops::RangeInclusive<u32> = 3..=3600;
const MAX_NAME_CHARS: usize = 40;

/// A saved scene as the matrix shows and lists it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SceneView {
    pub name: String,
    pub layout: String,
    /// One camera id per tile ("" for an empty tile).
    pub cameras: Vec<String>,
    /// RFC 3339.
    pub updated_at: String,
    pub updated_by: String,
}

/// What one window's matrix needs: every saved scene, and the names it
/// rotates through (empty: the catalogue's default scenes).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct VideoScenes {
    pub window: String,
    pub scenes: Vec<SceneView>,
    /// Names of saved scenes in rotation order; a name whose scene was
    /// deleted is left out.
    pub rotation: Vec<String>,
    pub dwell_secs: u32,
}

/// A scene as the operator asks to save it.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct SceneInput {
    pub name: String,
    pub layout: String,
    pub cameras: Vec<String>,
}

/// Why a change to the scenes was refused.
#[derive(Debug, thiserror::Error)]
pub enum SceneError {
    #[error("{0}")]
    Invalid(String),
    #[error("no scene is called {0:?}")]
    NotFound(String),
    #[error("the store failed: {0}")]
    Store(#[from] gridwall_store::Error),
}

fn view(scene: SavedScene) -> SceneView {
    SceneView {
        name: scene.name,
        layout: scene.layout,
        cameras: scene.cameras,
        updated_at: OffsetDateTime::from_unix_timestamp(scene.updated_at)
            .map(crate::rfc3339)
            .unwrap_or_default(),
        updated_by: scene.updated_by,
    }
}

/// The scenes and rotation of `window`, as stored.
pub async fn for_window(store: &Store, window: &str) -> Result<VideoScenes, SceneError> {
    let scenes: Vec<SceneView> = store.scenes().await?.into_iter().map(view).collect();
    let names: HashSet<&str> = scenes.iter().map(|s| s.name.as_str()).collect();
    let (rotation, dwell_secs) = match store.rotation(window).await? {
        Some(r) => (
            r.scenes
                .into_iter()
                .filter(|n| names.contains(n.as_str()))
                .collect(),
            r.dwell_secs,
        ),
        None => (Vec::new(), DEFAULT_DWELL_SECS),
    };
    Ok(VideoScenes {
        window: window.to_owned(),
        scenes,
        rotation,
        dwell_secs,
    })
}

/// A scene name: trimmed, not empty, at most 40 characters, no control
/// characters (it is shown on the wall and written to the audit log).
fn scene_name(name: &str) -> Result<String, SceneError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(SceneError::Invalid(format!(
            "a scene name has 1 to {MAX_NAME_CHARS} characters, not {}",
            name.chars().count()
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(SceneError::Invalid(
            "a scene name cannot hold control characters".into(),
        ));
    }
    Ok(name.to_owned())
}

/// Checks `input` against the layouts and the camera catalogue (`known`):
/// at most one camera per tile, each one the gateway lists.
pub fn validate(
    input: &SceneInput,
    known: &HashSet<String>,
) -> Result<(String, String, Vec<String>), SceneError> {
    let name = scene_name(&input.name)?;
    let tiles = LAYOUTS
        .iter()
        .find(|(id, _)| *id == input.layout)
        .map(|(_, tiles)| *tiles)
        .ok_or_else(|| {
            SceneError::Invalid(format!(
                "layout {:?} is not one of 1, 4, 1+5, 9, 16",
                input.layout
            ))
        })?;
    if input.cameras.len() > tiles {
        return Err(SceneError::Invalid(format!(
            "layout {} has {tiles} tiles, not {}",
            input.layout,
            input.cameras.len()
        )));
    }
    if let Some(unknown) = input
        .cameras
        .iter()
        .find(|c| !c.is_empty() && !known.contains(c.as_str()))
    {
        return Err(SceneError::Invalid(format!(
            "camera {unknown:?} is not in the gateway's catalogue"
        )));
    }
    if input.cameras.iter().all(String::is_empty) {
        return Err(SceneError::Invalid(
            "a scene shows at least one camera".into(),
        ));
    }
    Ok((name, input.layout.clone(), input.cameras.clone()))
}

/// Saves a scene (replacing one of the same name) and audits it.
pub async fn save(
    store: &Store,
    input: &SceneInput,
    known: &HashSet<String>,
    actor: &str,
    now: OffsetDateTime,
) -> Result<SceneView, SceneError> {
    let (name, layout, cameras) = validate(input, known)?;
    let scene = SavedScene {
        name,
        layout,
        cameras,
        updated_at: now.unix_timestamp(),
        updated_by: actor.to_owned(),
    };
    store.save_scene(&scene).await?;
    audit(
        store,
        "save_scene",
        &scene.name,
        &format!("{} {}", scene.layout, scene.cameras.join(",")),
        actor,
        now,
    )
    .await?;
    Ok(view(scene))
}

/// Deletes a scene and audits it; rotations naming it skip it from then on.
pub async fn delete(
    store: &Store,
    name: &str,
    actor: &str,
    now: OffsetDateTime,
) -> Result<(), SceneError> {
    if !store.delete_scene(name).await? {
        return Err(SceneError::NotFound(name.to_owned()));
    }
    audit(store, "delete_scene", name, "", actor, now).await
}

/// Sets the rotation of `window` (saved scene names in order; empty means the
/// catalogue's default scenes) and audits it.
pub async fn set_rotation(
    store: &Store,
    window: &str,
    names: &[String],
    dwell_secs: u32,
    actor: &str,
    now: OffsetDateTime,
) -> Result<VideoScenes, SceneError> {
    if !DWELL_SECS.contains(&dwell_secs) {
        return Err(SceneError::Invalid(format!(
            "a scene stays {} to {} seconds, not {dwell_secs}",
            DWELL_SECS.start(),
            DWELL_SECS.end()
        )));
    }
    let saved: HashSet<String> = store.scenes().await?.into_iter().map(|s| s.name).collect();
    if let Some(missing) = names.iter().find(|n| !saved.contains(n.as_str())) {
        return Err(SceneError::NotFound(missing.clone()));
    }
    store
        .set_rotation(&Rotation {
            window: window.to_owned(),
            scenes: names.to_vec(),
            dwell_secs,
            updated_at: now.unix_timestamp(),
            updated_by: actor.to_owned(),
        })
        .await?;
    audit(
        store,
        "set_rotation",
        window,
        &format!("{dwell_secs}s {}", names.join(",")),
        actor,
        now,
    )
    .await?;
    for_window(store, window).await
}

async fn audit(
    store: &Store,
    action: &str,
    subject: &str,
    detail: &str,
    actor: &str,
    now: OffsetDateTime,
) -> Result<(), SceneError> {
    store
        .record_audit(&AuditEntry {
            at: now,
            actor: actor.to_owned(),
            action: action.to_owned(),
            subject: subject.to_owned(),
            detail: detail.chars().take(400).collect(),
        })
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str, layout: &str, cameras: &[&str]) -> SceneInput {
        SceneInput {
            name: name.into(),
            layout: layout.into(),
            cameras: cameras.iter().map(|c| (*c).to_owned()).collect(),
        }
    }

    #[test]
    fn scenes_are_checked_against_layouts_and_the_catalogue() {
        let known: HashSet<String> = ["C1", "C2", "C3"].iter().map(|c| (*c).to_owned()).collect();
        let ok = validate(&input("  东门路口 ", "4", &["C1", "", "C3"]), &known).unwrap();
        assert_eq!(ok.0, "东门路口", "trimmed");
        for (bad, why) in [
            (input("", "4", &["C1"]), "1 to 40"),
            (input(&"长".repeat(41), "4", &["C1"]), "1 to 40"),
            (input("a\nb", "4", &["C1"]), "control"),
            (input("x", "3", &["C1"]), "layout"),
            (input("x", "1", &["C1", "C2"]), "1 tiles"),
            (input("x", "4", &["C9"]), "C9"),
            (input("x", "4", &["", ""]), "at least one"),
        ] {
            let err = validate(&bad, &known).unwrap_err().to_string();
            assert!(err.contains(why), "{err} should say {why}");
        }
    }
}
