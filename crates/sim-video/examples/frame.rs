//! Writes one frame of a simulated camera as a JPEG, to look at the picture:
//! `cargo run -p gridwall-sim-video --example frame -- frame.jpg [HH:MM]`.

use gridwall_domain::clock::Clock;
use gridwall_domain::video::CameraKind;
use gridwall_sim_video::{VideoConfig, VideoSim, sites_around_towns};
use time::macros::format_description;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let out = args.next().unwrap_or_else(|| "frame.jpg".to_owned());
    let at = args.next().unwrap_or_else(|| "10:00".to_owned());
    let at = time::Time::parse(&at, format_description!("[hour]:[minute]"))?;
    let start = time::macros::datetime!(2026-11-27 00:00 +8).replace_time(at);
    let sim = VideoSim::new(
        VideoConfig::default(),
        Clock::starting_at(start, 1.0),
        &sites_around_towns(1, 20),
    );
    let camera = sim
        .cameras()
        .into_iter()
        .find(|c| c.kind == CameraKind::Ptz)
        .expect("a PTZ camera");
    std::fs::write(&out, sim.render_frame(&camera.camera_id)?)?;
    println!("{} ({}) -> {out}", camera.camera_id, camera.name);
    Ok(())
}
