//! Saved scenes of the video matrix and each window's rotation.

use gridwall_store::{Rotation, SavedScene};

use crate::support::{Fresh, on_both};

fn scene(name: &str, layout: &str, cameras: &[&str]) -> SavedScene {
    SavedScene {
        name: name.to_owned(),
        layout: layout.to_owned(),
        cameras: cameras.iter().map(|c| (*c).to_owned()).collect(),
        updated_at: 1_000,
        updated_by: "值班员@wall".to_owned(),
    }
}

async fn scenes_are_kept_replaced_by_name_and_deleted(fresh: Fresh) -> anyhow::Result<()> {
    let store = &fresh.store;
    assert!(store.scenes().await?.is_empty());
    let east = scene("东门路口", "4", &["C1", "C2", "C3", "C4"]);
    let port = scene("杭州湾新区", "1+5", &["C9", "", "C7"]);
    store.save_scene(&east).await?;
    store.save_scene(&port).await?;
    assert_eq!(store.scenes().await?, vec![east.clone(), port.clone()]);

    let moved = SavedScene {
        updated_at: 2_000,
        ..scene("东门路口", "9", &["C5"])
    };
    store.save_scene(&moved).await?;
    assert_eq!(store.scenes().await?, vec![moved, port.clone()]);

    assert!(store.delete_scene("东门路口").await?);
    assert!(!store.delete_scene("东门路口").await?, "already gone");
    assert_eq!(store.scenes().await?, vec![port]);
    Ok(())
}

async fn each_window_keeps_its_own_rotation(fresh: Fresh) -> anyhow::Result<()> {
    let store = &fresh.store;
    assert_eq!(store.rotation("video-1").await?, None);
    let first = Rotation {
        window: "video-1".to_owned(),
        scenes: vec!["东门路口".to_owned(), "杭州湾新区".to_owned()],
        dwell_secs: 20,
        updated_at: 1_000,
        updated_by: "值班员@console".to_owned(),
    };
    let second = Rotation {
        window: "video-2".to_owned(),
        scenes: vec!["杭州湾新区".to_owned()],
        dwell_secs: 60,
        ..first.clone()
    };
    store.set_rotation(&first).await?;
    store.set_rotation(&second).await?;
    assert_eq!(store.rotation("video-1").await?, Some(first.clone()));
    assert_eq!(store.rotation("video-2").await?, Some(second));

    let changed = Rotation {
        scenes: vec![],
        dwell_secs: 5,
        updated_at: 3_000,
        ..first
    };
    store.set_rotation(&changed).await?;
    assert_eq!(store.rotation("video-1").await?, Some(changed));
    Ok(())
}

on_both!(
    scenes_are_kept_replaced_by_name_and_deleted,
    each_window_keeps_its_own_rotation
);
