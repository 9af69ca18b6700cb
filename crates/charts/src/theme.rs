//! How a chart looks: its size, its language and its palette (dark for the
//! wall, light for print).
//!
//! Sizes are derived from the chart's height rather than fixed in pixels, so
//! the same chart rendered for a small tile or a whole 4K panel keeps its
//! proportions and stays readable from three metres once scaled to its panel.

/// The language of every word the chart draws.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    /// Simplified Chinese, the wall's language.
    #[default]
    Zh,
    En,
}

/// A colour as three bytes; kept apart from plotters' own type so that the
/// public API does not change with the drawing library's version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `0x0b1220` → `Rgb(0x0b, 0x12, 0x20)`.
    pub const fn hex(value: u32) -> Rgb {
        Rgb((value >> 16) as u8, (value >> 8) as u8, value as u8)
    }
}

/// Size, language and palette of one chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    /// Width of the SVG in user units (pixels when not scaled).
    pub width: u32,
    /// Height of the SVG; tick labels are about 1/40 of it.
    pub height: u32,
    pub language: Lang,
    /// Painted behind the chart; `None` leaves it transparent so the panel's
    /// own background shows through.
    pub background: Option<Rgb>,
    /// Tick labels, legend and values.
    pub text: Rgb,
    /// Secondary text: the empty-state message, axis units.
    pub muted_text: Rgb,
    /// Grid lines and the axis.
    pub grid: Rgb,
    /// Bars and the main line when a chart has a single series.
    pub accent: Rgb,
    /// The target line and values that miss it.
    pub warning: Rgb,
    /// The CSS font-family list written on every text element.
    pub font_family: &'static str,
    /// Text size relative to the default (1/40 of the height): a chart shown
    /// small on a wall panel read from three metres needs 2 or more.
    pub text_scale: f32,
}

impl Default for Theme {
    fn default() -> Theme {
        Theme::new(1600, 900)
    }
}

impl Theme {
    /// The dark wall theme in Chinese at the given size.
    pub fn new(width: u32, height: u32) -> Theme {
        Theme {
            width,
            height,
            language: Lang::Zh,
            background: Some(Rgb::hex(0x0b1220)),
            text: Rgb::hex(0xc8d3f0),
            muted_text: Rgb::hex(0x7f8bab),
            grid: Rgb::hex(0x2a3550),
            accent: Rgb::hex(0x4e8cff),
            warning: Rgb::hex(0xffb020),
            font_family: "'Noto Sans CJK SC', 'Noto Sans SC', sans-serif",
            text_scale: 1.0,
        }
    }

    /// A light theme for paper (the shift-handover report) in Chinese at the
    /// given size: dark text on white, with the same accent and series
    /// colours as the wall so a chart reads the same on both. The wall keeps
    /// [`Theme::new`]; only the palette differs.
    pub fn print(width: u32, height: u32) -> Theme {
        Theme {
            background: Some(Rgb::hex(0xffffff)),
            text: Rgb::hex(0x1f2937),
            muted_text: Rgb::hex(0x5b6475),
            grid: Rgb::hex(0xd5dae3),
            accent: Rgb::hex(0x2f6fde),
            warning: Rgb::hex(0xc2410c),
            ..Theme::new(width, height)
        }
    }

    /// The same theme in another language.
    pub fn with_language(mut self, language: Lang) -> Theme {
        self.language = language;
        self
    }

    /// The same theme with text `scale` times the default size.
    pub fn with_text_scale(mut self, scale: f32) -> Theme {
        self.text_scale = scale;
        self
    }

    /// The size actually drawn: below this a chart has no room for its labels.
    pub(crate) fn size(&self) -> (u32, u32) {
        (self.width.clamp(160, 16_384), self.height.clamp(90, 16_384))
    }

    /// The base font size in pixels: tick labels, legend, values.
    pub(crate) fn unit(&self) -> i32 {
        let scale = if self.text_scale.is_finite() {
            self.text_scale.clamp(0.5, 4.0)
        } else {
            1.0
        };
        ((self.size().1 as f32 / 40.0 * scale) as i32).max(12)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_print_theme_changes_the_palette_only() {
        let wall = Theme::new(640, 400).with_language(Lang::En);
        let print = Theme::print(640, 400).with_language(Lang::En);
        assert_eq!(print.background, Some(Rgb::hex(0xffffff)));
        assert_ne!(print.text, wall.text);
        assert_eq!(
            (
                print.size(),
                print.unit(),
                print.font_family,
                print.language
            ),
            (wall.size(), wall.unit(), wall.font_family, wall.language)
        );
    }
}
