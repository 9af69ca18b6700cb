//! The layout: the report flowed onto A4 portrait pages.
//!
//! Units are CSS pixels at 96 dpi, so a page is 794 × 1123 and the PDF is
//! written at 96 dpi to come out at A4. Blocks (the figures row, tables,
//! chart rows) are placed top to bottom; a table that does not fit goes on
//! over the next page with its header repeated, and every page carries the
//! report's title line and a page number.

use std::fmt::Write as _;

use gridwall_charts::{Lang, category_name, source_name};
use time::UtcOffset;

use crate::chart;
use crate::text::{
    count, date_time, escape, fit, offset_label, severity_name, short_time, state_name,
};
use crate::{Handover, IncidentLine, KpiLine, KpiUnit};

/// Page width in CSS pixels (210 mm at 96 dpi).
pub const PAGE_WIDTH: f64 = 794.0;
/// Page height in CSS pixels (297 mm at 96 dpi).
pub const PAGE_HEIGHT: f64 = 1123.0;

const MARGIN: f64 = 40.0;
const CONTENT: f64 = PAGE_WIDTH - 2.0 * MARGIN;
const TOP: f64 = 78.0;
const BOTTOM: f64 = PAGE_HEIGHT - 44.0;
const BODY: f32 = 10.0;
const SMALL: f32 = 8.5;
/// Table cells: a little smaller than body text so eight columns fit.
const CELL: f32 = 9.0;

/// Shares of the content width of the incident tables' columns.
const INCIDENT_COLUMNS: [f64; 8] = [0.14, 0.23, 0.08, 0.10, 0.12, 0.10, 0.13, 0.10];

const FONT: &str = "'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', sans-serif";
const INK: &str = "#1f2937";
const MUTED: &str = "#5b6475";
const RULE: &str = "#d5dae3";
const STRIPE: &str = "#f4f6fa";
const ALERT: &str = "#c0262d";
const AMBER: &str = "#b45309";

/// The words of the page in one language.
struct Words {
    title: &'static str,
    shift: &'static str,
    generated: &'static str,
    page: fn(usize, usize) -> String,
    figures: [&'static str; 6],
    kpis: &'static str,
    kpi_columns: [&'static str; 5],
    below_target: &'static str,
    no_data: &'static str,
    minutes: &'static str,
    charts: &'static str,
    chart_unavailable: &'static str,
    open: &'static str,
    overdue: &'static str,
    incident_columns: [&'static str; 8],
    overdue_mark: &'static str,
    acks: &'static str,
    ack_columns: [&'static str; 4],
    broadcasts: &'static str,
    broadcast_columns: [&'static str; 5],
    none: &'static str,
    more: fn(u64) -> String,
    continued: &'static str,
}

const ZH: Words = Words {
    title: "交接班报告",
    shift: "班次",
    generated: "生成",
    page: |n, of| format!("第 {n} / {of} 页"),
    figures: ["上报", "办结", "归档", "在办", "超期", "待确认告警"],
    kpis: "考核指标",
    kpi_columns: ["指标", "数值", "目标", "分子 / 分母", "统计窗口"],
    below_target: "未达标",
    no_data: "暂无数据",
    minutes: "分钟",
    charts: "图表",
    chart_unavailable: "图表无法显示",
    open: "在办事件",
    overdue: "超期事件",
    incident_columns: [
        "编号",
        "标题 / 地址",
        "等级",
        "来源",
        "类别",
        "状态",
        "网格",
        "办理期限",
    ],
    overdue_mark: "已超期",
    acks: "待确认告警",
    ack_columns: ["事件编号", "标题", "等级", "告警时间"],
    broadcasts: "指令直达",
    broadcast_columns: ["下发时间", "标题", "应确认", "已确认", "15分钟内确认率"],
    none: "无",
    more: |n| format!("另有 {n} 条未列出"),
    continued: "（续）",
};

const EN: Words = Words {
    title: "Shift handover report",
    shift: "Shift",
    generated: "Generated",
    page: |n, of| format!("Page {n} of {of}"),
    figures: [
        "Reported",
        "Resolved",
        "Closed",
        "Open",
        "Overdue",
        "Alerts to acknowledge",
    ],
    kpis: "Indicators",
    kpi_columns: ["Indicator", "Value", "Target", "Num. / denom.", "Window"],
    below_target: "below target",
    no_data: "no data",
    minutes: "min",
    charts: "Charts",
    chart_unavailable: "Chart unavailable",
    open: "Open incidents",
    overdue: "Overdue incidents",
    incident_columns: [
        "ID",
        "Title / address",
        "Severity",
        "Source",
        "Category",
        "State",
        "Grid",
        "Due",
    ],
    overdue_mark: "overdue",
    acks: "Alerts to acknowledge",
    ack_columns: ["Event ID", "Title", "Severity", "Alerted at"],
    broadcasts: "Broadcasts to grid workers",
    broadcast_columns: [
        "Sent",
        "Title",
        "Recipients",
        "Acknowledged",
        "Within 15 min",
    ],
    none: "None",
    more: |n| format!("and {n} more not listed"),
    continued: " (continued)",
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

/// One cell of a table row.
struct Cell {
    text: String,
    /// A second, smaller line under the first (an incident's address).
    sub: Option<String>,
    colour: &'static str,
    bold: bool,
}

impl Cell {
    fn plain(text: String) -> Cell {
        Cell {
            text,
            sub: None,
            colour: INK,
            bold: false,
        }
    }

    fn coloured(text: String, colour: &'static str, bold: bool) -> Cell {
        Cell {
            text,
            sub: None,
            colour,
            bold,
        }
    }
}

/// The pages being written: finished pages and the one in progress.
struct Flow<'a> {
    h: &'a Handover,
    w: &'static Words,
    offset: UtcOffset,
    pages: Vec<String>,
    page: String,
    y: f64,
}

/// The report as one SVG body per page (no `<svg>` wrapper).
pub(crate) fn pages(h: &Handover) -> Vec<String> {
    let mut flow = Flow {
        h,
        w: words(h.lang),
        offset: h.shift_start.offset(),
        pages: Vec::new(),
        page: String::new(),
        y: 0.0,
    };
    flow.start_page();
    flow.first_header();
    flow.figures();
    flow.kpis();
    flow.charts();
    let w = flow.w;
    flow.incidents(w.open, &h.open, h.open_total);
    flow.incidents(w.overdue, &h.overdue, h.overdue_total);
    flow.acks();
    flow.broadcasts();
    flow.pages.push(std::mem::take(&mut flow.page));
    let total = flow.pages.len();
    flow.pages
        .iter()
        .enumerate()
        .map(|(i, body)| {
            let mut page = String::new();
            page.push_str(&format!(
                r##"<rect x="0" y="0" width="{PAGE_WIDTH}" height="{PAGE_HEIGHT}" fill="#ffffff"/>"##
            ));
            page.push_str(&running_header(h, w, i > 0));
            page.push_str(body);
            page.push_str(&footer(h, w, i + 1, total));
            page
        })
        .collect()
}

/// A whole SVG document of `pages` stacked top to bottom.
pub(crate) fn document(pages: &[String]) -> String {
    let height = PAGE_HEIGHT * pages.len().max(1) as f64;
    let mut out = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{PAGE_WIDTH}" height="{height}" viewBox="0 0 {PAGE_WIDTH} {height}" font-family="{}" fill="{INK}">"#,
        escape(FONT)
    );
    for (i, page) in pages.iter().enumerate() {
        let _ = write!(
            out,
            r#"<g transform="translate(0 {})">{page}</g>"#,
            PAGE_HEIGHT * i as f64
        );
        if i > 0 {
            // Where one sheet ends when the pages are viewed as one image.
            let _ = write!(
                out,
                r#"<line x1="0" y1="{y}" x2="{PAGE_WIDTH}" y2="{y}" stroke="{MUTED}" stroke-width="1" stroke-dasharray="6 4"/>"#,
                y = PAGE_HEIGHT * i as f64
            );
        }
    }
    out.push_str("</svg>");
    out
}

fn text(x: f64, y: f64, px: f32, colour: &str, bold: bool, anchor: &str, content: &str) -> String {
    let weight = if bold { r#" font-weight="bold""# } else { "" };
    format!(
        r#"<text x="{x:.1}" y="{y:.1}" font-size="{px}" fill="{colour}" text-anchor="{anchor}"{weight}>{}</text>"#,
        escape(content)
    )
}

/// The small title line at the top of every page after the first, and the
/// rule under the page's top margin.
fn running_header(h: &Handover, w: &Words, small: bool) -> String {
    if !small {
        return String::new();
    }
    let offset = h.shift_start.offset();
    let line = format!(
        "{} · {} · {} — {}",
        w.title,
        h.centre_line(),
        date_time(h.shift_start, offset),
        date_time(h.shift_end, offset)
    );
    let mut out = text(
        MARGIN,
        MARGIN + 4.0,
        SMALL,
        MUTED,
        false,
        "start",
        &fit(&line, SMALL, CONTENT as f32),
    );
    let _ = write!(
        out,
        r#"<line x1="{MARGIN}" y1="{y}" x2="{x2}" y2="{y}" stroke="{RULE}"/>"#,
        y = MARGIN + 12.0,
        x2 = PAGE_WIDTH - MARGIN
    );
    out
}

fn footer(h: &Handover, w: &Words, n: usize, of: usize) -> String {
    let y = PAGE_HEIGHT - 24.0;
    let mut out = format!(
        r#"<line x1="{MARGIN}" y1="{y1}" x2="{x2}" y2="{y1}" stroke="{RULE}"/>"#,
        y1 = y - 12.0,
        x2 = PAGE_WIDTH - MARGIN
    );
    out.push_str(&text(
        MARGIN,
        y,
        SMALL,
        MUTED,
        false,
        "start",
        &fit(&h.centre_line(), SMALL, (CONTENT * 0.6) as f32),
    ));
    out.push_str(&text(
        PAGE_WIDTH - MARGIN,
        y,
        SMALL,
        MUTED,
        false,
        "end",
        &(w.page)(n, of),
    ));
    out
}

impl Handover {
    fn centre_line(&self) -> String {
        fit(&self.centre, BODY, 400.0)
    }
}

impl Flow<'_> {
    fn start_page(&mut self) {
        if !self.page.is_empty() || !self.pages.is_empty() {
            self.pages.push(std::mem::take(&mut self.page));
        }
        self.y = TOP;
    }

    /// Starts a new page unless `height` more fits on this one.
    fn room(&mut self, height: f64) -> bool {
        if self.y + height > BOTTOM {
            self.start_page();
            return false;
        }
        true
    }

    fn put(&mut self, s: String) {
        self.page.push_str(&s);
    }

    fn first_header(&mut self) {
        let (h, w) = (self.h, self.w);
        self.y = MARGIN;
        self.put(text(
            MARGIN,
            self.y + 20.0,
            22.0,
            INK,
            true,
            "start",
            w.title,
        ));
        self.put(text(
            PAGE_WIDTH - MARGIN,
            self.y + 20.0,
            13.0,
            INK,
            true,
            "end",
            &fit(&h.centre, 13.0, (CONTENT * 0.55) as f32),
        ));
        let shift = format!(
            "{}：{} — {}（{}）",
            w.shift,
            date_time(h.shift_start, self.offset),
            date_time(h.shift_end, self.offset),
            offset_label(self.offset)
        );
        let shift = if h.lang == Lang::En {
            shift
                .replace('：', ": ")
                .replace('（', " (")
                .replace('）', ")")
        } else {
            shift
        };
        self.put(text(
            MARGIN,
            self.y + 42.0,
            BODY,
            INK,
            false,
            "start",
            &shift,
        ));
        let generated = format!(
            "{} {} · {}",
            w.generated,
            date_time(h.generated_at, self.offset),
            fit(&h.generated_by, BODY, 180.0)
        );
        self.put(text(
            PAGE_WIDTH - MARGIN,
            self.y + 42.0,
            BODY,
            MUTED,
            false,
            "end",
            &generated,
        ));
        let rule = self.y + 54.0;
        self.put(format!(
            r#"<line x1="{MARGIN}" y1="{rule}" x2="{x2}" y2="{rule}" stroke="{INK}" stroke-width="1.5"/>"#,
            x2 = PAGE_WIDTH - MARGIN
        ));
        self.y = rule + 14.0;
    }

    fn section(&mut self, title: &str, continued: bool) {
        let title = if continued {
            format!("{}{}", title, self.w.continued)
        } else {
            title.to_owned()
        };
        self.put(text(
            MARGIN,
            self.y + 13.0,
            13.0,
            INK,
            true,
            "start",
            &title,
        ));
        self.y += 22.0;
    }

    fn figures(&mut self) {
        let t = &self.h.totals;
        let values = [
            t.reported,
            t.resolved,
            t.closed,
            t.open,
            t.overdue,
            t.pending_acks,
        ];
        let gap = 8.0;
        let box_w = (CONTENT - gap * 5.0) / 6.0;
        let box_h = 58.0;
        for (i, (value, label)) in values.iter().zip(self.w.figures).enumerate() {
            let x = MARGIN + i as f64 * (box_w + gap);
            let colour = match i {
                4 if *value > 0 => ALERT,
                5 if *value > 0 => AMBER,
                _ => INK,
            };
            self.put(format!(
                r#"<rect x="{x:.1}" y="{y:.1}" width="{box_w:.1}" height="{box_h}" rx="4" fill="{STRIPE}" stroke="{RULE}"/>"#,
                y = self.y
            ));
            self.put(text(
                x + box_w / 2.0,
                self.y + 30.0,
                22.0,
                colour,
                true,
                "middle",
                &count(*value),
            ));
            self.put(text(
                x + box_w / 2.0,
                self.y + 48.0,
                SMALL,
                MUTED,
                false,
                "middle",
                label,
            ));
        }
        self.y += box_h + 18.0;
    }

    fn kpis(&mut self) {
        if self.h.kpis.is_empty() {
            return;
        }
        let widths = [0.30, 0.19, 0.13, 0.17, 0.21].map(|f| f * CONTENT);
        let w = self.w;
        let rows: Vec<Vec<Cell>> = self.h.kpis.iter().map(|k| kpi_row(k, w)).collect();
        self.table(w.kpis, &w.kpi_columns, &widths, rows, 18.0, None);
    }

    fn charts(&mut self) {
        if self.h.charts.is_empty() {
            return;
        }
        let gap = 14.0;
        let slot_w = (CONTENT - gap) / 2.0;
        let parsed: Vec<(&str, Option<chart::Chart>)> = self
            .h
            .charts
            .iter()
            .map(|c| (c.caption.as_str(), chart::parse(&c.svg)))
            .collect();
        const CAPTION: f64 = 16.0;
        let mut first = true;
        for pair in parsed.chunks(2) {
            let slot_h = pair
                .iter()
                .map(|(_, c)| c.as_ref().map_or(0.62, |c| c.aspect().clamp(0.3, 1.2)) * slot_w)
                .fold(0.0, f64::max);
            let title_h = if first { 22.0 } else { 0.0 };
            if !self.room(title_h + CAPTION + slot_h + 12.0) {
                first = true;
            }
            if first {
                let w = self.w;
                self.section(w.charts, false);
                first = false;
            }
            for (i, (caption, _)) in pair.iter().enumerate() {
                let x = MARGIN + i as f64 * (slot_w + gap);
                self.put(text(
                    x,
                    self.y + 10.0,
                    BODY,
                    INK,
                    true,
                    "start",
                    &fit(caption, BODY, slot_w as f32),
                ));
            }
            self.y += CAPTION;
            for (i, (_, c)) in pair.iter().enumerate() {
                let x = MARGIN + i as f64 * (slot_w + gap);
                self.put(format!(
                    r#"<rect x="{x:.1}" y="{y:.1}" width="{slot_w:.1}" height="{slot_h:.1}" fill="none" stroke="{RULE}"/>"#,
                    y = self.y
                ));
                match c {
                    Some(c) => self.put(c.nested(x, self.y, slot_w, slot_h)),
                    None => self.put(text(
                        x + slot_w / 2.0,
                        self.y + slot_h / 2.0,
                        BODY,
                        MUTED,
                        false,
                        "middle",
                        self.w.chart_unavailable,
                    )),
                }
            }
            self.y += slot_h + 12.0;
        }
        self.y += 6.0;
    }

    fn incidents(&mut self, title: &str, lines: &[IncidentLine], total: u64) {
        let widths = INCIDENT_COLUMNS.map(|f| f * CONTENT);
        let (lang, offset, w) = (self.h.lang, self.offset, self.w);
        let rows = lines
            .iter()
            .map(|line| incident_row(line, lang, offset, w, &widths))
            .collect();
        let hidden = total.saturating_sub(lines.len() as u64);
        self.table(
            title,
            &w.incident_columns,
            &widths,
            rows,
            26.0,
            Some(hidden),
        );
    }

    fn acks(&mut self) {
        let widths = [0.2, 0.5, 0.12, 0.18].map(|f| f * CONTENT);
        let (lang, offset, w) = (self.h.lang, self.offset, self.w);
        let rows = self
            .h
            .pending_acks
            .iter()
            .map(|a| {
                vec![
                    Cell::plain(fit(&a.event_id, CELL, (widths[0] - 8.0) as f32)),
                    Cell::plain(fit(&a.title, CELL, (widths[1] - 8.0) as f32)),
                    severity_cell(a.severity, lang),
                    Cell::plain(short_time(a.at, offset)),
                ]
            })
            .collect();
        let hidden = self
            .h
            .totals
            .pending_acks
            .saturating_sub(self.h.pending_acks.len() as u64);
        self.table(w.acks, &w.ack_columns, &widths, rows, 18.0, Some(hidden));
    }

    /// The shift's broadcasts: recipients, acknowledged, and the share
    /// acknowledged within 15 minutes (in amber under 99%).
    fn broadcasts(&mut self) {
        let widths = [0.16, 0.38, 0.13, 0.13, 0.2].map(|f| f * CONTENT);
        let (offset, w) = (self.offset, self.w);
        let rows = self
            .h
            .broadcasts
            .iter()
            .map(|b| {
                let share = if b.recipients > 0 {
                    b.acked_within as f64 / b.recipients as f64
                } else {
                    1.0
                };
                // Floored, so a shortfall never prints as 100%.
                let pct = format!("{:.1}%", (share * 1000.0).floor() / 10.0);
                vec![
                    Cell::plain(short_time(b.sent_at, offset)),
                    Cell::plain(fit(&b.title, CELL, (widths[1] - 8.0) as f32)),
                    Cell::plain(count(b.recipients)),
                    Cell::plain(count(b.acked)),
                    if share < 0.99 {
                        Cell::coloured(pct, AMBER, true)
                    } else {
                        Cell::plain(pct)
                    },
                ]
            })
            .collect();
        self.table(
            w.broadcasts,
            &w.broadcast_columns,
            &widths,
            rows,
            18.0,
            None,
        );
    }

    /// A titled table that goes on over as many pages as it needs, its
    /// header repeated on each; "none" when it has no rows, "and N more"
    /// under the last row when the caller cut the list.
    fn table(
        &mut self,
        title: &str,
        columns: &[&str],
        widths: &[f64],
        rows: Vec<Vec<Cell>>,
        row_h: f64,
        hidden: Option<u64>,
    ) {
        const HEAD: f64 = 20.0;
        // Title, header and at least one row stay together.
        self.room(22.0 + HEAD + row_h);
        self.section(title, false);
        self.table_header(columns, widths, HEAD);
        if rows.is_empty() {
            self.put(text(
                MARGIN + 4.0,
                self.y + 13.0,
                BODY,
                MUTED,
                false,
                "start",
                self.w.none,
            ));
            self.y += 18.0;
        }
        for (i, row) in rows.into_iter().enumerate() {
            if !self.room(row_h) {
                self.section(title, true);
                self.table_header(columns, widths, HEAD);
            }
            if i % 2 == 1 {
                self.put(format!(
                    r#"<rect x="{MARGIN}" y="{y:.1}" width="{CONTENT}" height="{row_h}" fill="{STRIPE}"/>"#,
                    y = self.y
                ));
            }
            let mut x = MARGIN;
            for (cell, w) in row.iter().zip(widths) {
                let (main_y, sub_y) = match cell.sub {
                    Some(_) => (self.y + 11.0, self.y + 22.0),
                    None => (self.y + row_h / 2.0 + 3.5, 0.0),
                };
                self.put(text(
                    x + 4.0,
                    main_y,
                    CELL,
                    cell.colour,
                    cell.bold,
                    "start",
                    &cell.text,
                ));
                if let Some(sub) = &cell.sub {
                    let colour = if cell.colour == ALERT { ALERT } else { MUTED };
                    self.put(text(x + 4.0, sub_y, SMALL, colour, false, "start", sub));
                }
                x += w;
            }
            self.y += row_h;
        }
        if let Some(n) = hidden.filter(|n| *n > 0) {
            self.room(18.0);
            self.put(text(
                MARGIN + 4.0,
                self.y + 13.0,
                SMALL,
                MUTED,
                false,
                "start",
                &(self.w.more)(n),
            ));
            self.y += 18.0;
        }
        self.y += 14.0;
    }

    fn table_header(&mut self, columns: &[&str], widths: &[f64], height: f64) {
        let mut x = MARGIN;
        for (name, w) in columns.iter().zip(widths) {
            self.put(text(
                x + 4.0,
                self.y + 13.0,
                SMALL,
                MUTED,
                true,
                "start",
                &fit(name, SMALL, (*w - 6.0) as f32),
            ));
            x += w;
        }
        self.put(format!(
            r#"<line x1="{MARGIN}" y1="{y}" x2="{x2}" y2="{y}" stroke="{MUTED}" stroke-width="0.8"/>"#,
            y = self.y + height - 1.0,
            x2 = PAGE_WIDTH - MARGIN
        ));
        self.y += height;
    }
}

/// Whether a KPI misses its target: a rate below it, a duration above it.
pub(crate) fn misses_target(k: &KpiLine) -> bool {
    match (k.value, k.target) {
        (Some(v), Some(t)) if v.is_finite() && t.is_finite() => match k.unit {
            KpiUnit::Percent => v < t,
            KpiUnit::Minutes => v > t,
        },
        _ => false,
    }
}

fn kpi_value(value: f64, unit: KpiUnit, w: &Words) -> String {
    match unit {
        KpiUnit::Percent => format!("{:.1}%", value * 100.0),
        KpiUnit::Minutes => format!("{value:.1} {}", w.minutes),
    }
}

fn kpi_row(k: &KpiLine, w: &Words) -> Vec<Cell> {
    let value = match k.value.filter(|v| v.is_finite()) {
        None => Cell::coloured(w.no_data.to_owned(), MUTED, false),
        Some(v) if misses_target(k) => Cell::coloured(
            format!("{} {}", kpi_value(v, k.unit, w), w.below_target),
            ALERT,
            true,
        ),
        Some(v) => Cell::coloured(kpi_value(v, k.unit, w), INK, true),
    };
    let target = match k.target.filter(|t| t.is_finite()) {
        Some(t) => kpi_value(t, k.unit, w),
        None => "—".to_owned(),
    };
    let col = |i: usize| (CONTENT * [0.30, 0.19, 0.13, 0.17, 0.21][i] - 8.0) as f32;
    vec![
        Cell::plain(fit(&k.label, CELL, col(0))),
        value,
        Cell::plain(target),
        Cell::plain(format!("{} / {}", count(k.numerator), count(k.denominator))),
        Cell::plain(fit(&k.window, CELL, col(4))),
    ]
}

fn severity_cell(level: u8, lang: Lang) -> Cell {
    let name = severity_name(level, lang);
    if level >= 3 {
        Cell::coloured(name, ALERT, true)
    } else {
        Cell::plain(name)
    }
}

fn incident_row(
    line: &IncidentLine,
    lang: Lang,
    offset: UtcOffset,
    w: &Words,
    widths: &[f64],
) -> Vec<Cell> {
    let room = |i: usize| (widths[i] - 8.0) as f32;
    let due = match line.due_at {
        Some(due) if line.overdue => Cell {
            text: short_time(due, offset),
            sub: Some(w.overdue_mark.to_owned()),
            colour: ALERT,
            bold: true,
        },
        Some(due) => Cell::plain(short_time(due, offset)),
        None => Cell::coloured("—".to_owned(), MUTED, false),
    };
    let due = if line.overdue && line.due_at.is_none() {
        Cell::coloured(w.overdue_mark.to_owned(), ALERT, true)
    } else {
        due
    };
    let sub = fit(&line.address, SMALL, room(1));
    vec![
        Cell::plain(fit(&line.id, CELL, room(0))),
        Cell {
            text: fit(&line.title, CELL, room(1)),
            sub: (!sub.is_empty()).then_some(sub),
            colour: INK,
            bold: false,
        },
        severity_cell(line.severity, lang),
        Cell::plain(fit(&source_name(&line.source, lang), CELL, room(3))),
        Cell::plain(fit(&category_name(&line.category, lang), CELL, room(4))),
        Cell::plain(fit(&state_name(&line.state, lang), CELL, room(5))),
        Cell::plain(fit(&line.grid, CELL, room(6))),
        due,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::width;

    fn kpi(value: Option<f64>, unit: KpiUnit, target: Option<f64>) -> KpiLine {
        KpiLine {
            label: String::new(),
            value,
            unit,
            target,
            numerator: 0,
            denominator: 0,
            window: String::new(),
        }
    }

    #[test]
    fn a_rate_misses_below_its_target_and_a_duration_above_it() {
        assert!(misses_target(&kpi(
            Some(0.97),
            KpiUnit::Percent,
            Some(0.98)
        )));
        assert!(!misses_target(&kpi(
            Some(0.98),
            KpiUnit::Percent,
            Some(0.98)
        )));
        assert!(misses_target(&kpi(
            Some(61.0),
            KpiUnit::Minutes,
            Some(60.0)
        )));
        assert!(!misses_target(&kpi(
            Some(42.0),
            KpiUnit::Minutes,
            Some(60.0)
        )));
        assert!(!misses_target(&kpi(None, KpiUnit::Percent, Some(0.98))));
        assert!(!misses_target(&kpi(
            Some(f64::NAN),
            KpiUnit::Percent,
            Some(0.98)
        )));
        assert!(!misses_target(&kpi(Some(0.5), KpiUnit::Percent, None)));
    }

    #[test]
    fn a_column_header_fits_its_column() {
        for (name, w) in EN.incident_columns.iter().zip(INCIDENT_COLUMNS) {
            assert!(width(name, SMALL) <= (w * CONTENT - 6.0) as f32, "{name}");
        }
    }
}
