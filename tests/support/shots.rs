//! The app's own window pictures (`--screenshot-dir`, one `<label>.png` per
//! window, rewritten every `--screenshot-every` seconds), read back: what a
//! test can tell from them when WebDriver cannot help (a killed page ends
//! its session). At 3840×2160 the app's pictures every second take about a
//! core of the app's process (docs/benchmarks.md): fine for a test at
//! 1280×720, not for timing a 4K wall.

use std::path::Path;

use anyhow::Result;

/// A decoded picture: RGB rows.
pub struct Picture {
    pub width: usize,
    pub height: usize,
    pub rgb: Vec<u8>,
}

/// Reads a PNG file as RGB.
pub fn read(path: &Path) -> Result<Picture> {
    decode(&std::fs::read(path)?)
}

/// Decodes an 8-bit RGB or RGBA PNG (a WebDriver screenshot, a window's
/// picture) as RGB.
pub fn decode(png_bytes: &[u8]) -> Result<Picture> {
    let mut reader = png::Decoder::new(png_bytes).read_info()?;
    let mut buf = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut buf)?;
    anyhow::ensure!(frame.bit_depth == png::BitDepth::Eight, "an 8-bit picture");
    let channels = frame.color_type.samples();
    anyhow::ensure!(channels >= 3, "an RGB or RGBA picture");
    let mut rgb = Vec::with_capacity(frame.width as usize * frame.height as usize * 3);
    for px in buf[..frame.buffer_size()].chunks(channels) {
        rgb.extend_from_slice(&px[..3]);
    }
    Ok(Picture {
        width: frame.width as usize,
        height: frame.height as usize,
        rgb,
    })
}

impl Picture {
    /// Distinct colours (of every seventh pixel): a blank or white page has
    /// a handful, the wall thousands.
    pub fn colours(&self) -> usize {
        let mut seen = std::collections::HashSet::new();
        for px in self.rgb.chunks(3).step_by(7) {
            seen.insert((px[0], px[1], px[2]));
        }
        seen.len()
    }
}
