//! Health and the city's reference data: divisions, grids, boundaries, workers.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::{AppState, etag_matches, json_value, not_modified, problem};

/// `degraded` while a transport fault is switched on, as a real platform
/// under trouble would say.
pub async fn health(State(shared): State<AppState>) -> Response {
    let faults = shared.faults.get();
    let degraded = faults.error_rate > 0.0 || faults.latency_ms > 0 || faults.rate_limit_burst > 0;
    let status = if degraded { "degraded" } else { "ok" };
    let head = shared.feed.read().expect("feed lock").head_seq();
    let now = shared
        .clock
        .now()
        .replace_nanosecond(0)
        .expect("zero is a valid nanosecond")
        .format(&time::format_description::well_known::Rfc3339)
        .expect("times format");
    json_value(
        &shared,
        json!({"status": status, "server_time": now, "head_seq": head}),
    )
}

pub async fn divisions(State(shared): State<AppState>, headers: HeaderMap) -> Response {
    // Hostile names change the body, so they change the tag.
    let hostile = shared.faults.get().hostile_names;
    let etag = match shared.city.divisions_etag() {
        plain if !hostile => plain.to_owned(),
        plain => format!("{}-h\"", plain.trim_end_matches('"')),
    };
    let etag = etag.as_str();
    if etag_matches(&headers, etag) {
        return not_modified(etag);
    }
    let mut divisions = json!(shared.city.divisions());
    if hostile {
        // Villages only: towns name the map's borders and stay as they are.
        rename(&mut divisions, "code", |d| d["level"] == "village");
    }
    let mut response = json_value(&shared, json!({ "divisions": divisions }));
    response
        .headers_mut()
        .insert(header::ETAG, HeaderValue::from_str(etag).expect("ascii"));
    response
}

pub async fn geometry(State(shared): State<AppState>, headers: HeaderMap) -> Response {
    let etag = shared.city.geometry_etag();
    if etag_matches(&headers, etag) {
        return not_modified(etag);
    }
    let body = shared.city.geometry().clone();
    let mut response = (StatusCode::OK, body).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/geo+json"),
    );
    h.insert(header::ETAG, HeaderValue::from_str(etag).expect("ascii"));
    response
}

#[derive(Deserialize)]
pub struct PageQuery {
    page_size: Option<usize>,
    page_token: Option<String>,
    grid_id: Option<String>,
}

/// Gives the items of `list` that `which` selects their hostile names
/// ([`crate::hostile::name`]), keyed by the field `id`.
fn rename(list: &mut serde_json::Value, id: &str, which: impl Fn(&serde_json::Value) -> bool) {
    for item in list.as_array_mut().into_iter().flatten() {
        let key = item[id].as_str().unwrap_or_default().to_owned();
        let old = item["name"].as_str().unwrap_or_default().to_owned();
        if which(item)
            && let Some(name) = crate::hostile::name(&key, &old)
        {
            item["name"] = name.into();
        }
    }
}

/// What a page token may carry besides the offset, under the
/// `escaped_page_tokens` fault: every character a query must percent-encode.
const ESCAPED_TAIL: &str = "/页 +&=?#%25é";

/// Parses a page request: the offset encoded in the token, and the size within bounds.
fn page(
    query: Result<Query<PageQuery>, QueryRejection>,
    default: usize,
    max: usize,
) -> Result<(usize, usize, Option<String>), (&'static str, String)> {
    let Query(q) = query.map_err(|e| ("bad query", e.body_text()))?;
    let size = q.page_size.unwrap_or(default);
    if size == 0 || size > max {
        return Err(("bad page_size", format!("page_size must be 1 to {max}")));
    }
    let offset = match q.page_token.as_deref() {
        None | Some("") => 0,
        Some(token) => token
            .strip_prefix("p")
            .map(|n| n.strip_suffix(ESCAPED_TAIL).unwrap_or(n))
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| {
                (
                    "bad page_token",
                    "pass the next_page_token of the previous page unchanged".to_owned(),
                )
            })?,
    };
    Ok((offset, size, q.grid_id))
}

fn next_token(shared: &AppState, offset: usize, size: usize, total: usize) -> Option<String> {
    let tail = if shared.faults.get().escaped_page_tokens {
        ESCAPED_TAIL
    } else {
        ""
    };
    (offset + size < total).then(|| format!("p{}{tail}", offset + size))
}

pub async fn grids(
    State(shared): State<AppState>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Response {
    let (offset, size, _) = match page(query, 200, 500) {
        Ok(p) => p,
        Err((title, detail)) => return problem(StatusCode::BAD_REQUEST, title, detail),
    };
    let all = shared.city.grids();
    let start = offset.min(all.len());
    let end = (start + size).min(all.len());
    let mut grids = json!(&all[start..end]);
    if shared.faults.get().hostile_names {
        rename(&mut grids, "grid_id", |_| true);
    }
    let next = next_token(&shared, start, size, all.len());
    json_value(&shared, json!({"grids": grids, "next_page_token": next}))
}

pub async fn workers(
    State(shared): State<AppState>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Response {
    let (offset, size, grid_id) = match page(query, 500, 1_000) {
        Ok(p) => p,
        Err((title, detail)) => return problem(StatusCode::BAD_REQUEST, title, detail),
    };
    let workforce = &shared.workforce;
    let (items, total) = match &grid_id {
        Some(grid) => {
            let all: Vec<_> = workforce.in_grid(grid).collect();
            let total = all.len();
            let start = offset.min(total);
            let end = (start + size).min(total);
            (
                serde_json::to_value(&all[start..end]).expect("workers serialize"),
                total,
            )
        }
        None => {
            let all = workforce.all();
            let start = offset.min(all.len());
            let end = (start + size).min(all.len());
            (
                serde_json::to_value(&all[start..end]).expect("workers serialize"),
                all.len(),
            )
        }
    };
    let mut items = items;
    if shared.faults.get().hostile_names {
        rename(&mut items, "worker_id", |_| true);
    }
    let next = next_token(&shared, offset, size, total);
    json_value(&shared, json!({"workers": items, "next_page_token": next}))
}
