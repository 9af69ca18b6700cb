// The configuration lives at the repository root (the product's layout fixes
// it there), so the build script is told where; the default looks beside
// this crate's manifest.
fn main() {
    tauri_build::try_build(tauri_build::Attributes::new().config_path("../tauri.conf.json"))
        .expect("tauri build script failed: is tauri.conf.json valid?");
}
