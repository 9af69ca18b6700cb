//! The initial sync of reference data: divisions, grids (paged), the grid
//! geometry (large, so cached on disk with its ETag and asked for with
//! `If-None-Match`), workers (paged) and the video gateway's cameras (paged).
//! Each kind goes to the sink whole, replacing the previous sync's.

use std::path::{Path, PathBuf};

use reqwest::StatusCode;
use reqwest::header::{ETAG, HeaderMap, HeaderValue, IF_NONE_MATCH};
use serde::Deserialize;
use serde_json::value::RawValue;
use tokio_util::sync::CancellationToken;

use crate::config::Secret;
use crate::health::{Phase, Tracker};
use crate::retry::{Http, unexpected};
use crate::sink::Sink;
use crate::{Error, Result, address};

/// What a sync brought.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncReport {
    pub divisions: usize,
    pub grids: usize,
    pub workers: usize,
    /// `None` when no video gateway is configured.
    pub cameras: Option<usize>,
    /// The cached GeoJSON FeatureCollection of every grid and micro-grid.
    pub geometry: PathBuf,
    /// True when the geometry was downloaded, false when the cache was current (304).
    pub geometry_downloaded: bool,
}

/// Both upstreams' reference data: [`governance`], then [`cameras`] (with
/// `video_http`, whose failures do not count against the governance link).
pub(crate) async fn sync<S: Sink>(
    http: &Http,
    video_http: &Http,
    sink: &S,
    tracker: &Tracker,
    cancel: &CancellationToken,
) -> Result<SyncReport> {
    let mut report = governance(http, sink, tracker, cancel).await?;
    report.cameras = cameras(video_http, sink, cancel).await?;
    Ok(report)
}

/// Divisions, grids, the geometry and workers from the governance platform.
/// The report's `cameras` is `None`.
pub(crate) async fn governance<S: Sink>(
    http: &Http,
    sink: &S,
    tracker: &Tracker,
    cancel: &CancellationToken,
) -> Result<SyncReport> {
    let config = http.config();
    let token = config.token.as_ref();
    let mut done = 0u64;
    tracker.set_progress(Phase::Reference, 0, None);

    let divisions_url = config.governance("api/v1/divisions")?;
    let (body, _) = cached_get(http, "divisions", &divisions_url, token, cancel).await?;
    let divisions = items(&body, "divisions", "code", &divisions_url)?;
    sink.replace_reference("divisions", &divisions).await?;
    done += divisions.len() as u64;
    tracker.set_progress(Phase::Reference, done, None);

    let grids = paged(
        http,
        &config.governance("api/v1/grids")?,
        500,
        "grids",
        "grid_id",
        token,
        Some((tracker, &mut done)),
        cancel,
    )
    .await?;
    sink.replace_reference("grids", &grids).await?;

    let geometry_url = config.governance("api/v1/grids/geometry")?;
    let (_, geometry_downloaded) =
        cached_get(http, "geometry", &geometry_url, token, cancel).await?;

    let workers = paged(
        http,
        &config.governance("api/v1/workers")?,
        1_000,
        "workers",
        "worker_id",
        token,
        Some((tracker, &mut done)),
        cancel,
    )
    .await?;
    sink.replace_reference("workers", &workers).await?;

    let report = SyncReport {
        divisions: divisions.len(),
        grids: grids.len(),
        workers: workers.len(),
        cameras: None,
        geometry: cache_file(&config.cache_dir, "geometry", "json"),
        geometry_downloaded,
    };
    tracing::info!(?report, "reference data synced");
    Ok(report)
}

/// The grid geometry alone, into the cache (ETag-checked): for an instance
/// that draws the map but does not ingest. Whether it was downloaded afresh.
pub(crate) async fn geometry(http: &Http, cancel: &CancellationToken) -> Result<bool> {
    let config = http.config();
    let url = config.governance("api/v1/grids/geometry")?;
    let (_, downloaded) = cached_get(http, "geometry", &url, config.token.as_ref(), cancel).await?;
    Ok(downloaded)
}

/// The video gateway's camera catalogue, paged; `None` when no gateway is
/// configured. Reports no progress: it runs beside the feed's backfill.
pub(crate) async fn cameras<S: Sink>(
    http: &Http,
    sink: &S,
    cancel: &CancellationToken,
) -> Result<Option<usize>> {
    let config = http.config();
    let Some(video) = &config.video_url else {
        return Ok(None);
    };
    let url: String = address::resolve(&address::base(video)?, "vnet/v1/cameras")?.into();
    let cameras = paged(
        http,
        &url,
        1_000,
        "cameras",
        "camera_id",
        config.video_token.as_ref(),
        None,
        cancel,
    )
    .await?;
    sink.replace_reference("cameras", &cameras).await?;
    tracing::info!(cameras = cameras.len(), "camera catalogue synced");
    Ok(Some(cameras.len()))
}

/// Every item of every page of a paged list, following `next_page_token`.
#[allow(clippy::too_many_arguments)] // one call site per kind; a struct would only rename them
async fn paged(
    http: &Http,
    url: &str,
    page_size: u32,
    list: &str,
    id_field: &str,
    token: Option<&Secret>,
    mut progress: Option<(&Tracker, &mut u64)>,
    cancel: &CancellationToken,
) -> Result<Vec<(String, String)>> {
    let mut all = Vec::new();
    let mut page_token: Option<String> = None;
    loop {
        let mut page_url =
            reqwest::Url::parse(url).map_err(|e| Error::Config(format!("{url}: {e}")))?;
        page_url
            .query_pairs_mut()
            .append_pair("page_size", &page_size.to_string());
        if let Some(t) = &page_token {
            page_url.query_pairs_mut().append_pair("page_token", t);
        }
        let (status, _, body) = http
            .get_body(page_url.as_str(), token, &HeaderMap::new(), cancel)
            .await?;
        if status != StatusCode::OK {
            return Err(unexpected(url, status, &body));
        }
        let found = items(&body, list, id_field, url)?;
        if let Some((tracker, done)) = progress.as_mut() {
            **done += found.len() as u64;
            tracker.set_progress(Phase::Reference, **done, None);
        }
        all.extend(found);
        page_token = next_page_token(&body);
        if page_token.is_none() {
            return Ok(all);
        }
    }
}

fn next_page_token(body: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct Next {
        next_page_token: Option<String>,
    }
    serde_json::from_slice::<Next>(body)
        .ok()?
        .next_page_token
        .filter(|t| !t.is_empty())
}

/// The items of the array `list` in `body`, each as (its `id_field`, its raw
/// JSON). An item without the id is skipped with a warning: it cannot be
/// kept under a key, and one bad worker must not stop the wall.
fn items(body: &[u8], list: &str, id_field: &str, url: &str) -> Result<Vec<(String, String)>> {
    let value: HashMapOfRaw = serde_json::from_slice(body).map_err(|e| Error::Body {
        url: url.to_owned(),
        detail: e.to_string(),
    })?;
    let Some(array) = value.0.get(list) else {
        return Err(Error::Body {
            url: url.to_owned(),
            detail: format!("no `{list}` array"),
        });
    };
    let raws: Vec<Box<RawValue>> = serde_json::from_str(array.get()).map_err(|e| Error::Body {
        url: url.to_owned(),
        detail: format!("`{list}` is not an array: {e}"),
    })?;
    let mut out = Vec::with_capacity(raws.len());
    let mut skipped = 0usize;
    for raw in raws {
        // A lone UTF-16 surrogate escaped in a name (`\ud800`), which the
        // contract's "any Unicode" lets through and serde refuses, becomes
        // `\ufffd` here (issue 18): every reader of the stored record parses
        // it, and a grid must not vanish from the map for its name.
        let raw = match gridwall_store::parse::mend_surrogates(raw.get().as_bytes()) {
            Some(mended) => String::from_utf8(mended).expect("mending keeps UTF-8"),
            None => raw.get().to_owned(),
        };
        let id = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&raw)
            .ok()
            .and_then(|m| m.get(id_field).and_then(|v| v.as_str()).map(str::to_owned));
        match id {
            Some(id) => out.push((id, raw)),
            None => skipped += 1,
        }
    }
    if skipped > 0 {
        tracing::warn!(%url, list, skipped, "items without `{id_field}` skipped");
    }
    Ok(out)
}

#[derive(Deserialize)]
struct HashMapOfRaw(std::collections::HashMap<String, Box<RawValue>>);

fn cache_file(dir: &Path, name: &str, ext: &str) -> PathBuf {
    dir.join(format!("{name}.{ext}"))
}

/// GETs `url` with the cached ETag of `name`; a 304 answers from the cache.
/// Returns the body and whether it was downloaded.
async fn cached_get(
    http: &Http,
    name: &str,
    url: &str,
    token: Option<&Secret>,
    cancel: &CancellationToken,
) -> Result<(Vec<u8>, bool)> {
    let dir = &http.config().cache_dir;
    let body_path = cache_file(dir, name, "json");
    let etag_path = cache_file(dir, name, "etag");
    let cached_etag = match (
        tokio::fs::read_to_string(&etag_path).await,
        tokio::fs::try_exists(&body_path).await,
    ) {
        (Ok(etag), Ok(true)) => HeaderValue::from_str(etag.trim()).ok(),
        _ => None,
    };
    let mut headers = HeaderMap::new();
    if let Some(etag) = &cached_etag {
        headers.insert(IF_NONE_MATCH, etag.clone());
    }
    let (status, answer_headers, body) = http.get_body(url, token, &headers, cancel).await?;
    match status {
        StatusCode::NOT_MODIFIED if cached_etag.is_some() => {
            match tokio::fs::read(&body_path).await {
                Ok(body) => Ok((body, false)),
                // The cache vanished between the check and the read: ask again without it.
                Err(_) => {
                    let (status, _, body) =
                        http.get_body(url, token, &HeaderMap::new(), cancel).await?;
                    if status != StatusCode::OK {
                        return Err(unexpected(url, status, &body));
                    }
                    Ok((body, true))
                }
            }
        }
        StatusCode::OK => {
            let cache_err = |source| Error::Cache {
                path: dir.display().to_string(),
                source,
            };
            tokio::fs::create_dir_all(dir).await.map_err(cache_err)?;
            // The old ETag goes first, then the body and the new ETag, each
            // by rename: a crash in between leaves a body without an ETag,
            // which costs a download, never a 304 answered with a stale body.
            match tokio::fs::remove_file(&etag_path).await {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(cache_err(e)),
                _ => {}
            }
            write_atomically(&body_path, &body)
                .await
                .map_err(cache_err)?;
            if let Some(etag) = answer_headers.get(ETAG).and_then(|v| v.to_str().ok()) {
                write_atomically(&etag_path, etag.as_bytes())
                    .await
                    .map_err(cache_err)?;
            }
            Ok((body, true))
        }
        other => Err(unexpected(url, other, &body)),
    }
}

async fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".partial");
    tokio::fs::write(&tmp, bytes).await?;
    tokio::fs::rename(&tmp, path).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_with_a_lone_surrogate_keeps_its_record_mended() {
        let body =
            br#"{"grids":[{"grid_id":"G1","name":"\ud83d\u0000"},{"grid_id":"G2","name":"ok"}]}"#;
        let items = items(body, "grids", "grid_id", "http://x/grids").unwrap();
        assert_eq!(items.len(), 2, "no grid is lost for its name");
        let name: serde_json::Value = serde_json::from_str(&items[0].1).unwrap();
        assert_eq!(name["name"], "\u{fffd}\u{0}");
    }
}
