//! Text on frames, from the `font8x8` bitmap font built into the binary, so the
//! simulator needs no system font. Latin letters, digits and punctuation only:
//! Chinese camera names stay in the catalogue, not on the picture.

use font8x8::{BASIC_FONTS, UnicodeFonts};

use super::Canvas;

/// Width of one character at `scale`, in pixels.
pub(crate) fn advance(scale: usize) -> usize {
    8 * scale
}

/// Draws `text` with its top-left corner at (`x`, `y`) on a band of `bg`.
pub(crate) fn draw(
    canvas: &mut Canvas,
    x: usize,
    y: usize,
    scale: usize,
    text: &str,
    fg: [u8; 3],
    bg: [u8; 3],
) {
    let pad = scale;
    let width = text.chars().count() * advance(scale);
    canvas.fill_rect(
        x.saturating_sub(pad),
        y.saturating_sub(pad),
        width + 2 * pad,
        8 * scale + 2 * pad,
        bg,
    );
    for (c, ch) in text.chars().enumerate() {
        let Some(glyph) = BASIC_FONTS.get(ch) else {
            continue;
        };
        for (row, bits) in glyph.iter().enumerate() {
            for col in 0..8 {
                // Bit 0 is the leftmost pixel of the row.
                if bits >> col & 1 == 1 {
                    canvas.fill_rect(
                        x + c * advance(scale) + col * scale,
                        y + row * scale,
                        scale,
                        scale,
                        fg,
                    );
                }
            }
        }
    }
}
