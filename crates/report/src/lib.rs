//! The shift handover report (交接班报告): the shift's figures, KPIs, charts,
//! open and overdue incidents and alerts still to acknowledge, on A4 pages,
//! as SVG, PNG or PDF.
//!
//! - [`Handover`] and its lines: plain data in, gathered by the caller.
//! - [`render_svg`]: the pages as one SVG document, stacked top to bottom.
//! - [`render_png`] / [`render_pdf`]: the same pages rasterised with resvg,
//!   or converted with svg2pdf to a PDF of one A4 page per page with its
//!   text embedded as text.
//! - [`chart_theme`]: the light theme the caller draws the report's charts
//!   with (`gridwall-charts`), sized so their text reads on paper.
//!
//! One layout (`page`) serves all three outputs, so they cannot disagree.
//! The report is as long as its data: a list that does not fit goes on over
//! the next page with its header repeated. Words are Chinese by default,
//! English with [`Lang::En`]; upstream strings are data, cleaned, cut to
//! their column with an ellipsis and escaped, never markup. Times are shown
//! in the offset of `shift_start`. This crate knows nothing of Tauri or SQL,
//! and reads no clock: the generation time is passed in.

mod chart;
mod page;
mod render;
mod text;

pub use gridwall_charts::Lang;
pub use page::{PAGE_HEIGHT, PAGE_WIDTH};
pub use render::Fonts;
pub use text::{severity_name, state_name};
use time::OffsetDateTime;

/// What can go wrong turning a report into bytes.
#[derive(Clone, Debug, thiserror::Error)]
pub enum ReportError {
    /// No installed font can draw Chinese; the report would print boxes.
    #[error(
        "no font with Chinese glyphs among {faces} font faces; install fonts-noto-cjk (Noto Sans CJK SC)"
    )]
    NoChineseFont { faces: usize },
    /// The scale asked of [`render_png`] is not usable.
    #[error("png scale must be between 0.25 and 6 and give at most 200 megapixels, got {0}")]
    Scale(f32),
    /// The page did not parse as SVG; a defect of this crate, not of the data.
    #[error("the report page is not valid svg: {0}")]
    Svg(String),
    #[error("could not encode the png: {0}")]
    Encode(String),
    #[error("could not write the pdf: {0}")]
    Pdf(String),
}

pub type Result<T, E = ReportError> = std::result::Result<T, E>;

/// Everything the report shows, gathered by the caller from the store.
#[derive(Clone, Debug)]
pub struct Handover {
    /// Headings and labels in Chinese (default) or English.
    pub lang: Lang,
    /// The command centre, e.g. 慈溪市社会治理中心.
    pub centre: String,
    /// Start of the shift; every time is printed in its offset (+08:00).
    pub shift_start: OffsetDateTime,
    pub shift_end: OffsetDateTime,
    /// When the report was produced (passed in: this crate reads no clock).
    pub generated_at: OffsetDateTime,
    /// Who produced it, e.g. `duty@console`.
    pub generated_by: String,
    pub totals: Totals,
    pub kpis: Vec<KpiLine>,
    /// Open incidents, most severe first (the caller sorts, and may cut).
    pub open: Vec<IncidentLine>,
    /// How many open incidents there are in all; the rest are counted as
    /// "and N more" under the table.
    pub open_total: u64,
    pub overdue: Vec<IncidentLine>,
    pub overdue_total: u64,
    /// Severe alerts not yet acknowledged on the wall; `totals.pending_acks`
    /// is their total, for "and N more".
    pub pending_acks: Vec<AckLine>,
    /// The broadcasts to grid workers sent during the shift, oldest first.
    pub broadcasts: Vec<BroadcastLine>,
    /// Charts, two to a row in order, each under its caption.
    pub charts: Vec<ReportChart>,
}

/// One chart of the report: an SVG document from `gridwall-charts` (best
/// drawn with [`chart_theme`]) and the caption printed above it, since the
/// charts carry no title of their own. A document that is not a sized SVG
/// is shown as "图表无法显示" in its place rather than failing the report.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportChart {
    /// e.g. 近24小时各来源事件数.
    pub caption: String,
    pub svg: String,
}

/// The shift's figures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub reported: u64,
    pub resolved: u64,
    pub closed: u64,
    pub open: u64,
    pub overdue: u64,
    pub pending_acks: u64,
}

/// What a KPI's value measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KpiUnit {
    /// A ratio in 0..=1, printed as a percentage; below its target misses it.
    Percent,
    /// A duration in minutes; above its target misses it.
    Minutes,
}

/// One row of the KPI table.
#[derive(Clone, Debug, PartialEq)]
pub struct KpiLine {
    pub label: String,
    /// `None` when there is nothing to measure yet (printed "暂无数据").
    pub value: Option<f64>,
    pub unit: KpiUnit,
    pub target: Option<f64>,
    pub numerator: u64,
    pub denominator: u64,
    /// The period measured, e.g. 本班次 or 近30天.
    pub window: String,
}

/// One incident in the open or overdue table. Codes are upstream wire codes,
/// printed by their Chinese or English names (unknown codes as they came).
#[derive(Clone, Debug, PartialEq)]
pub struct IncidentLine {
    pub id: String,
    pub title: String,
    /// e.g. `police_110`.
    pub source: String,
    /// e.g. `dispute.neighbour`.
    pub category: String,
    /// 1 ordinary to 4 critical; 3 and above are printed in red.
    pub severity: u8,
    /// e.g. `in_progress`.
    pub state: String,
    /// The grid's name.
    pub grid: String,
    pub address: String,
    pub reported_at: OffsetDateTime,
    pub due_at: Option<OffsetDateTime>,
    pub overdue: bool,
}

/// One severe alert not yet acknowledged on the wall.
#[derive(Clone, Debug, PartialEq)]
pub struct AckLine {
    pub event_id: String,
    pub title: String,
    pub severity: u8,
    pub at: OffsetDateTime,
}

/// One broadcast to grid workers and how it was acknowledged.
#[derive(Clone, Debug, PartialEq)]
pub struct BroadcastLine {
    pub title: String,
    pub sent_at: OffsetDateTime,
    pub recipients: u64,
    pub acked: u64,
    /// Acknowledged within 15 minutes of `sent_at`.
    pub acked_within: u64,
}

/// The theme to draw the report's charts with: light, `lang`, sized for a
/// half-width slot with text that stays readable once scaled onto A4.
pub fn chart_theme(lang: Lang) -> gridwall_charts::Theme {
    gridwall_charts::Theme::print(640, 400)
        .with_language(lang)
        .with_text_scale(1.6)
}

/// The report as one SVG document: its A4 pages (794 × 1123 CSS pixels
/// each) stacked top to bottom, a dashed line where one sheet ends.
pub fn render_svg(h: &Handover) -> String {
    page::document(&page::pages(h))
}

/// The report as one PNG of its pages stacked, `scale` pixels per CSS pixel
/// (1 → 794 pixels wide; 2 for print), drawn with the system fonts.
pub fn render_png(h: &Handover, scale: f32) -> Result<Vec<u8>> {
    render_png_with(h, scale, &render::system_fonts()?)
}

/// [`render_png`] with the given fonts.
pub fn render_png_with(h: &Handover, scale: f32, fonts: &Fonts) -> Result<Vec<u8>> {
    render::png(&render_svg(h), scale, fonts)
}

/// The report as a PDF of A4 pages, text embedded as text (selectable and
/// searchable) with subsets of the system fonts.
pub fn render_pdf(h: &Handover) -> Result<Vec<u8>> {
    render_pdf_with(h, &render::system_fonts()?)
}

/// [`render_pdf`] with the given fonts.
pub fn render_pdf_with(h: &Handover, fonts: &Fonts) -> Result<Vec<u8>> {
    let pages: Vec<String> = page::pages(h)
        .iter()
        .map(|p| page::document(std::slice::from_ref(p)))
        .collect();
    let title = match h.lang {
        Lang::Zh => format!("交接班报告 {}", text::clean(&h.centre)),
        Lang::En => format!("Shift handover report {}", text::clean(&h.centre)),
    };
    render::pdf(&pages, &title, fonts)
}
