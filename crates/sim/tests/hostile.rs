//! The hostile profile's behaviours that a well-behaved platform never
//! shows, each as a client sees it over HTTP: seqs past 2^53, page tokens
//! that need percent-encoding, `reset` whose id is the head, and media URLs
//! in three forms, one absolute on a second port that serves them.
//! (Framings and geometry have unit tests beside their code.)

use std::time::Duration;

use gridwall_sim::Profile;
use gridwall_sim::faults::Faults;
use serde_json::Value;

use crate::support::{Sim, SseReader, builder};

/// A body with the profile's lone surrogates mended, so serde reads it.
async fn json(response: reqwest::Response) -> Value {
    let text = response.text().await.expect("a body");
    serde_json::from_str(&text.replace("\\ud83d", "\\ufffd")).expect("JSON")
}

async fn hostile() -> Sim {
    Sim::start(builder(60.0).profile(Profile::Hostile)).await
}

/// With the transport faults off, to look at one behaviour at a time.
fn calm(sim: &Sim, faults: Faults) {
    sim.running
        .shared()
        .set_faults(faults)
        .expect("valid faults");
}

#[tokio::test]
async fn seqs_are_past_what_a_double_holds() {
    let sim = hostile().await;
    let text = sim.get("/api/v1/health").await.text().await.unwrap();
    let health: Value = serde_json::from_str(&text).unwrap();
    let head = health["head_seq"].as_u64().expect("an integer");
    assert!(head > gridwall_sim::hostile::SEQ_BASE);
    // Past 2^53 a double holds only even integers: of two neighbours, one changes.
    let survives = |n: u64| n as f64 as u64 == n;
    assert!(
        !(survives(head) && survives(head - 1)),
        "{head} survives a double"
    );
    assert!(text.contains(&head.to_string()), "written as an integer");
}

#[tokio::test]
async fn page_tokens_need_percent_encoding_and_every_grid_comes_once() {
    let sim = hostile().await;
    calm(
        &sim,
        Faults {
            escaped_page_tokens: true,
            hostile_names: true,
            ..Faults::default()
        },
    );
    let mut token: Option<String> = None;
    let mut ids = Vec::new();
    loop {
        let mut request = sim
            .http
            .get(sim.url("/api/v1/grids"))
            .query(&[("page_size", "500")]);
        if let Some(t) = &token {
            assert!(t.contains("/页 +&=?#%25é"), "{t}");
            request = request.query(&[("page_token", t)]);
        }
        let page = json(request.send().await.unwrap()).await;
        for grid in page["grids"].as_array().unwrap() {
            ids.push(grid["grid_id"].as_str().unwrap().to_owned());
        }
        match page["next_page_token"].as_str() {
            Some(t) => token = Some(t.to_owned()),
            None => break,
        }
    }
    let before = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!((before, ids.len()), (1_724, 1_724));
    // Sent as it comes, unencoded, the token is refused, not misread.
    let raw = format!("{}?page_token=p500/页 +&=?#%25é", sim.url("/api/v1/grids"));
    assert_eq!(sim.http.get(raw).send().await.unwrap().status(), 400);
}

#[tokio::test]
async fn a_reset_names_the_head_and_ends_the_stream() {
    let sim = hostile().await;
    calm(
        &sim,
        Faults {
            reset_after: Some(3),
            ..Faults::default()
        },
    );
    let head = sim.running.shared().pump();
    let mut stream = SseReader::open(&sim, Some(head - 10)).await;
    let messages = stream.take(4, Duration::from_secs(5)).await;
    assert_eq!(messages.len(), 4);
    assert!(
        messages[..3]
            .iter()
            .all(|m| m.event == "event" || m.event == "ack")
    );
    assert_eq!(messages[3].event, "reset");
    let id: u64 = messages[3].id.as_deref().unwrap().parse().unwrap();
    assert!(
        id >= head,
        "the reset's id {id} is the head ({head} or later)"
    );
    assert!(stream.ends_within(Duration::from_secs(5)).await);
}

#[cfg(feature = "video")]
#[tokio::test]
async fn media_urls_come_in_three_forms_and_the_absolute_ones_serve() {
    let video = gridwall_sim_video::VideoConfig {
        cameras: 300,
        ..gridwall_sim_video::VideoConfig::default()
    };
    let sim = Sim::start(builder(60.0).profile(Profile::Hostile).video(Some(video))).await;
    let media = sim.running.media_addr().expect("a media listener");
    let base = reqwest::Url::parse(&format!("{}/", sim.running.base_url())).unwrap();
    let mut request = sim.http.get(sim.url("/vnet/v1/cameras"));
    let mut cameras = Vec::new();
    loop {
        let page = json(request.send().await.unwrap()).await;
        cameras.extend(page["cameras"].as_array().unwrap().iter().cloned());
        match page["next_page_token"].as_str() {
            Some(t) => {
                request = sim
                    .http
                    .get(sim.url("/vnet/v1/cameras"))
                    .query(&[("page_token", t)])
            }
            None => break,
        }
    }
    let online: Vec<&Value> = cameras.iter().filter(|c| c["status"] == "online").collect();
    let form = |c: &&Value| {
        let url = c["streams"]["snapshot"].as_str().unwrap();
        if url.starts_with("http://") {
            2
        } else if url.starts_with('/') {
            0
        } else {
            1
        }
    };
    for wanted in 0..3 {
        let camera = online
            .iter()
            .find(|c| form(c) == wanted)
            .unwrap_or_else(|| panic!("no camera with URL form {wanted}"));
        let url = base
            .join(camera["streams"]["snapshot"].as_str().unwrap())
            .unwrap();
        if wanted == 2 {
            assert_eq!(url.port(), Some(media.port()), "{url}");
        }
        // The gateway's own faults may answer 503 now and then: ask again.
        let mut status = 0;
        for _ in 0..10 {
            status = sim
                .http
                .get(url.clone())
                .send()
                .await
                .unwrap()
                .status()
                .as_u16();
            if status == 200 {
                break;
            }
        }
        assert_eq!(status, 200, "{url}");
    }
}
