//! What a window's page shows by the operator's hand (the grid selected on
//! the map, the map's layer, a camera layout picked by hand, the place in
//! the rotation), kept here so that a page reloaded by the watchdog or the
//! quiet hour comes back as it was. The rest of the picture (pins, focus,
//! footing, the broadcast board) is the live picture's, sent on subscribe.
//!
//! Kept in memory only: a restarted app starts from its configuration.

use std::collections::HashMap;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One page's own choices, as it last reported them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PageView {
    /// The grid selected on the map.
    pub selected_grid: Option<String>,
    /// The map's layer (`status`, `breach`, `warnings`).
    pub map_layer: Option<String>,
    /// A camera layout picked by hand instead of the rotation.
    pub video_layout: Option<String>,
    /// The place in the camera rotation.
    pub scene_index: u32,
}

/// What a page says of its own picture with each heartbeat, so that the
/// app's status tells how long a healed window stayed less than whole.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PageReport {
    /// When the page, since it loaded, first showed its whole picture (the
    /// live clock, the map drawn, every camera tile with a picture or its
    /// camera's offline note), in ms since the Unix epoch; null: not yet.
    #[ts(type = "number | null")]
    pub whole_at_ms: Option<u64>,
    /// Camera tiles that show a picture now, of `tiles`.
    pub pictures: u32,
    pub tiles: u32,
}

/// A field longer than this is not a choice a page makes: refused.
const MAX_FIELD: usize = 200;

/// Each window's last [`PageView`].
#[derive(Default)]
pub struct Views {
    /// std Mutex: held for a map update only.
    views: Mutex<HashMap<String, PageView>>,
}

impl Views {
    /// Keeps `view` as `window`'s; `false` (and nothing kept) when a field
    /// is too long to be a real choice.
    pub fn remember(&self, window: &str, view: PageView) -> bool {
        let fields = [&view.selected_grid, &view.map_layer, &view.video_layout];
        if fields
            .iter()
            .any(|f| f.as_ref().is_some_and(|s| s.len() > MAX_FIELD))
        {
            return false;
        }
        self.views
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(window.to_owned(), view);
        true
    }

    /// `window`'s last view, if its page ever reported one.
    pub fn of(&self, window: &str) -> Option<PageView> {
        self.views
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(window)
            .cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_gets_back_its_own_last_view() {
        let views = Views::default();
        assert_eq!(views.of("wall"), None);
        let chosen = PageView {
            selected_grid: Some("G330282001001".into()),
            map_layer: Some("breach".into()),
            ..PageView::default()
        };
        assert!(views.remember("wall", chosen.clone()));
        let video = PageView {
            video_layout: Some("9".into()),
            scene_index: 3,
            ..PageView::default()
        };
        assert!(views.remember("video", video.clone()));
        assert_eq!(views.of("wall"), Some(chosen));
        assert_eq!(views.of("video"), Some(video));
    }

    #[test]
    fn an_oversized_field_is_refused_and_the_last_view_kept() {
        let views = Views::default();
        let first = PageView {
            scene_index: 2,
            ..PageView::default()
        };
        assert!(views.remember("wall", first.clone()));
        let huge = PageView {
            selected_grid: Some("x".repeat(10_000)),
            ..PageView::default()
        };
        assert!(!views.remember("wall", huge));
        assert_eq!(views.of("wall"), Some(first));
    }
}
