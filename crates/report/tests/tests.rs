//! The report as its reader sees it: the SVG parsed back into its words,
//! the PNG decoded into pixels, the PDF opened as bytes.
//!
//! `sample()` is a plausible Cixi day shift; `samples_are_written` leaves a
//! PNG and a PDF of it in `target/report-samples/` to look at.

use gridwall_charts::{
    DayCount, DayRate, SourceSeries, events_30d, events_per_hour, resolution_rate_30d,
    top_categories,
};
use gridwall_report::*;
use time::Duration;
use time::macros::datetime;

fn incident(i: u32, title: &str, overdue: bool) -> IncidentLine {
    let sources = [
        "police_110",
        "litigation",
        "petition",
        "risk",
        "grid_patrol",
        "hotline_12345",
    ];
    let categories = [
        "dispute.neighbour",
        "city.parking",
        "safety.gas",
        "dispute.labour",
    ];
    let states = [
        "reported",
        "accepted",
        "dispatched",
        "in_progress",
        "escalated",
        "on_hold",
    ];
    let reported = datetime!(2026-11-27 08:10 +8) + Duration::minutes(i64::from(i) * 17);
    IncidentLine {
        id: format!("EV-20261127-{:04}", 300 + i),
        title: title.to_owned(),
        source: sources[i as usize % sources.len()].to_owned(),
        category: categories[i as usize % categories.len()].to_owned(),
        severity: 4 - (i % 4) as u8,
        state: states[i as usize % states.len()].to_owned(),
        grid: format!("浒山街道第{}网格", 10 + i),
        address: format!("慈溪市浒山街道新城大道{}号", 100 + i * 3),
        reported_at: reported,
        due_at: Some(reported + Duration::hours(if overdue { 2 } else { 24 })),
        overdue,
    }
}

fn sample(lang: Lang) -> Handover {
    let theme = chart_theme(lang);
    let start = datetime!(2026-10-29 00:00 +8).date();
    let rates: Vec<DayRate> = (0..30)
        .map(|d| DayRate {
            date: start + Duration::days(d),
            rate: 0.93 + (d % 7) as f64 * 0.01,
        })
        .collect();
    let days: Vec<DayCount> = (0..30)
        .map(|d| DayCount {
            date: start + Duration::days(d),
            count: 180 + (d as u64 * 37) % 90,
        })
        .collect();
    let series = vec![
        SourceSeries {
            source: "police_110".into(),
            counts: (0..24).map(|h| 3 + (h * 5) % 9).collect(),
        },
        SourceSeries {
            source: "grid_patrol".into(),
            counts: (0..24).map(|h| 2 + (h * 3) % 7).collect(),
        },
        SourceSeries {
            source: "hotline_12345".into(),
            counts: (0..24).map(|h| 1 + (h * 7) % 5).collect(),
        },
    ];
    let categories = vec![
        ("dispute.neighbour".to_owned(), 42),
        ("city.parking".to_owned(), 35),
        ("city.sanitation".to_owned(), 21),
        ("safety.gas".to_owned(), 9),
    ];
    let titles = [
        "古塘街道某小区邻里噪音纠纷，双方情绪激动",
        "新城大道与孙塘路口机动车违停占用消防通道",
        "工业园区企业拖欠员工工资，二十余人聚集",
        "老旧小区燃气管道疑似泄漏，居民报警",
    ];
    Handover {
        lang,
        centre: "慈溪市社会治理中心".to_owned(),
        shift_start: datetime!(2026-11-27 08:00 +8),
        shift_end: datetime!(2026-11-27 20:00 +8),
        generated_at: datetime!(2026-11-27 12:05 UTC),
        generated_by: "duty@console".to_owned(),
        totals: Totals {
            reported: 1287,
            resolved: 1034,
            closed: 958,
            open: 253,
            overdue: 17,
            pending_acks: 4,
        },
        kpis: vec![
            KpiLine {
                label: "按期办结率".into(),
                value: Some(0.9612),
                unit: KpiUnit::Percent,
                target: Some(0.98),
                numerator: 994,
                denominator: 1034,
                window: "本班次".into(),
            },
            KpiLine {
                label: "群众满意率".into(),
                value: Some(0.991),
                unit: KpiUnit::Percent,
                target: Some(0.95),
                numerator: 3171,
                denominator: 3200,
                window: "近30天".into(),
            },
            KpiLine {
                label: "平均处置时长".into(),
                value: Some(42.5),
                unit: KpiUnit::Minutes,
                target: Some(60.0),
                numerator: 1034,
                denominator: 1034,
                window: "本班次".into(),
            },
            KpiLine {
                label: "矛盾纠纷调解成功率".into(),
                value: None,
                unit: KpiUnit::Percent,
                target: Some(0.9),
                numerator: 0,
                denominator: 0,
                window: "本班次".into(),
            },
        ],
        open: (0..12)
            .map(|i| incident(i, titles[i as usize % 4], i % 5 == 0))
            .collect(),
        open_total: 253,
        overdue: (0..5)
            .map(|i| incident(100 + i, titles[(i as usize + 1) % 4], true))
            .collect(),
        overdue_total: 17,
        pending_acks: (0..4)
            .map(|i| AckLine {
                event_id: format!("EV-20261127-{:04}", 900 + i),
                title: titles[i as usize].to_owned(),
                severity: 4 - (i % 2) as u8,
                at: datetime!(2026-11-27 18:40 +8) + Duration::minutes(i64::from(i) * 4),
            })
            .collect(),
        broadcasts: vec![
            BroadcastLine {
                title: "台风“海葵”防御紧急指令".into(),
                sent_at: datetime!(2026-11-27 09:12 +8),
                recipients: 15_577,
                acked: 15_531,
                acked_within: 15_498,
            },
            BroadcastLine {
                title: "防汛排查".into(),
                sent_at: datetime!(2026-11-27 15:40 +8),
                recipients: 1_420,
                acked: 1_300,
                acked_within: 1_200,
            },
        ],
        charts: vec![
            chart(
                lang,
                "本班次各来源事件数（按小时）",
                "Events per hour by source",
                events_per_hour(8, &series, &theme),
            ),
            chart(
                lang,
                "近30天按期办结率",
                "On-time resolution, 30 days",
                resolution_rate_30d(&rates, 0.98, &theme),
            ),
            chart(
                lang,
                "近7天事件类别前十",
                "Top categories, 7 days",
                top_categories(&categories, &theme),
            ),
            chart(
                lang,
                "近30天每日事件数",
                "Events per day, 30 days",
                events_30d(&days, &theme),
            ),
        ],
    }
}

fn chart(lang: Lang, zh: &str, en: &str, svg: String) -> ReportChart {
    let caption = if lang == Lang::Zh { zh } else { en };
    ReportChart {
        caption: caption.to_owned(),
        svg,
    }
}

/// Every text element's words, in drawing order.
fn words(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).expect("the report is well-formed XML");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| {
            n.descendants()
                .filter(|t| t.is_text())
                .filter_map(|t| t.text())
                .collect::<String>()
        })
        .collect()
}

fn has(words: &[String], needle: &str) -> bool {
    words.iter().any(|w| w.contains(needle))
}

fn samples_dir() -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/report-samples");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn the_page_shows_the_figures_and_kpis_it_was_given() {
    let words = words(&render_svg(&sample(Lang::Zh)));
    for figure in [
        "1,287",
        "1,034",
        "958",
        "253",
        "17",
        "交接班报告",
        "慈溪市社会治理中心",
    ] {
        assert!(has(&words, figure), "{figure} missing from {words:?}");
    }
    assert!(
        has(&words, "96.1% 未达标"),
        "the on-time rate misses 98%: {words:?}"
    );
    assert!(has(&words, "99.1%"));
    assert!(has(&words, "994 / 1,034"));
    assert!(has(&words, "42.5 分钟"));
    assert!(
        !has(&words, "42.5 分钟 未达标"),
        "42.5 minutes meets a 60-minute target"
    );
    assert!(has(&words, "暂无数据"));
    assert!(
        has(&words, "另有 241 条未列出"),
        "253 open, 12 listed: {words:?}"
    );
    assert!(has(&words, "另有 12 条未列出"), "17 overdue, 5 listed");
    assert!(has(&words, "2026-11-27 20:05"), "generated time in +08:00");
    assert!(has(&words, "处置中") && has(&words, "已上报市级") && has(&words, "on_hold"));
    assert!(has(&words, "110警情") && has(&words, "邻里纠纷"));
    assert!(has(&words, "已超期"));
    assert!(has(&words, "特别重大"));
    assert!(
        has(&words, "近30天按期办结率"),
        "chart captions are printed"
    );
    assert!(has(&words, "目标 98%"), "the charts' own words are kept");
}

#[test]
fn the_shift_s_broadcasts_show_recipients_acknowledged_and_the_share_within_15_minutes() {
    let words = words(&render_svg(&sample(Lang::Zh)));
    assert!(has(&words, "指令直达"), "{words:?}");
    assert!(has(&words, "15,577") && has(&words, "15,531"));
    assert!(has(&words, "99.4%"), "15,498 / 15,577 floored: {words:?}");
    assert!(has(&words, "84.5%"), "1,200 / 1,420: {words:?}");
}

#[test]
fn markup_in_upstream_text_stays_text() {
    let mut h = sample(Lang::Zh);
    h.open[0].title = "<script>alert(1)</script>&amp;".to_owned();
    h.open[0].grid = "<b>网格</b>".to_owned();
    h.centre = "中心\"/><rect".to_owned();
    let svg = render_svg(&h);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert!(
        !doc.descendants()
            .any(|n| n.has_tag_name("script") || n.has_tag_name("b"))
    );
    let words = words(&svg);
    assert!(has(&words, "<script>alert(1)"), "{words:?}");
    assert!(has(&words, "<b>网格</b>"));
    assert!(has(&words, "中心\"/><rect"));
}

#[test]
fn a_very_long_title_is_cut_with_an_ellipsis() {
    let mut h = sample(Lang::Zh);
    h.open[0].title = format!("超长标题{}", "很".repeat(8000));
    h.pending_acks[0].title = "x".repeat(8000);
    let words = words(&render_svg(&h));
    let cut: Vec<&String> = words.iter().filter(|w| w.starts_with("超长标题")).collect();
    assert_eq!(cut.len(), 1);
    assert!(
        cut[0].ends_with('…') && cut[0].chars().count() < 40,
        "{}",
        cut[0]
    );
    let cut = words.iter().find(|w| w.starts_with("xxx")).unwrap();
    assert!(cut.ends_with('…') && cut.len() < 200, "{cut}");
}

#[test]
fn control_characters_are_dropped() {
    let mut h = sample(Lang::Zh);
    h.open[0].title = "燃气\u{0}泄漏\u{1b}\u{ffff}".to_owned();
    let svg = render_svg(&h);
    assert!(has(&words(&svg), "燃气泄漏"));
}

#[test]
fn english_mode_uses_english_words() {
    let words = words(&render_svg(&sample(Lang::En)));
    for heading in [
        "Shift handover report",
        "Indicators",
        "Open incidents",
        "Overdue incidents",
        "Alerts to acknowledge",
        "and 241 more not listed",
        "96.1% below target",
        "In progress",
        "110 police",
        "Critical",
    ] {
        assert!(has(&words, heading), "{heading} missing from {words:?}");
    }
    assert!(!has(&words, "交接班报告") && !has(&words, "在办事件"));
}

#[test]
fn a_long_list_goes_on_over_the_next_pages_with_its_header() {
    let mut h = sample(Lang::Zh);
    h.open = (0..90).map(|i| incident(i, "事件", false)).collect();
    let svg = render_svg(&h);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let height: f64 = doc
        .root_element()
        .attribute("height")
        .unwrap()
        .parse()
        .unwrap();
    let pages = (height / PAGE_HEIGHT).round() as usize;
    assert!(pages >= 3, "{pages} pages");
    assert_eq!(height, PAGE_HEIGHT * pages as f64);
    let words = words(&svg);
    assert!(has(&words, "在办事件（续）"));
    assert!(has(&words, &format!("第 {pages} / {pages} 页")));
    assert!(
        has(&words, "EV-20261127-0389"),
        "the 90th incident is printed"
    );
}

#[test]
fn empty_lists_say_none() {
    let mut h = sample(Lang::Zh);
    h.open.clear();
    h.open_total = 0;
    h.pending_acks.clear();
    h.totals.pending_acks = 0;
    h.charts = vec![ReportChart {
        caption: "坏图表".to_owned(),
        svg: "not svg".to_owned(),
    }];
    let words = words(&render_svg(&h));
    assert!(
        words.iter().filter(|w| *w == "无").count() >= 2,
        "{words:?}"
    );
    assert!(has(&words, "图表无法显示") && has(&words, "坏图表"));
}

#[test]
fn the_png_has_the_page_size_and_is_not_blank() {
    let bytes = render_png(&sample(Lang::Zh), 1.5).expect("fonts-noto-cjk is installed");
    let decoder = png::Decoder::new(bytes.as_slice());
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).unwrap();
    let pages = (info.height as f64 / (PAGE_HEIGHT * 1.5)).round();
    assert_eq!(info.width, (PAGE_WIDTH * 1.5).round() as u32);
    assert!(pages >= 1.0);
    assert_eq!(info.height, (PAGE_HEIGHT * 1.5 * pages).round() as u32);
    let bpp = pixels.len() / (info.width * info.height) as usize;
    let dark = pixels
        .chunks(bpp)
        .filter(|p| p[0] < 100 && p[1] < 100 && p[2] < 100)
        .count();
    let white = pixels
        .chunks(bpp)
        .filter(|p| p[..3] == [255, 255, 255])
        .count();
    let total = (info.width * info.height) as usize;
    assert!(dark > total / 200, "{dark} dark pixels: no text was drawn");
    assert!(white > total / 2, "the page is white paper");
}

#[test]
fn a_bad_scale_is_refused() {
    let h = sample(Lang::Zh);
    assert!(matches!(render_png(&h, 0.0), Err(ReportError::Scale(_))));
    assert!(matches!(
        render_png(&h, f32::NAN),
        Err(ReportError::Scale(_))
    ));
}

#[test]
fn the_pdf_embeds_its_text_and_fonts() {
    let bytes = render_pdf(&sample(Lang::Zh)).expect("fonts-noto-cjk is installed");
    assert!(bytes.starts_with(b"%PDF-"));
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        text.contains("/Type /Font") || text.contains("/Type/Font"),
        "no font object"
    );
    assert!(text.contains("/FontFile"), "the font is not embedded");
    assert!(text.contains("/ToUnicode"), "text cannot be copied out");
    assert!(text.contains("/MediaBox [0 0 595.5 842.25]"), "not A4");
    let pages = text.matches("/Type /Page").count() - text.matches("/Type /Pages").count();
    assert_eq!(
        pages,
        svg_pages(&sample(Lang::Zh)),
        "one PDF page per page of the layout"
    );
    assert!(pages >= 2, "the sample runs over two pages");
}

fn svg_pages(h: &Handover) -> usize {
    let svg = render_svg(h);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let height: f64 = doc
        .root_element()
        .attribute("height")
        .unwrap()
        .parse()
        .unwrap();
    (height / PAGE_HEIGHT).round() as usize
}

#[test]
fn without_a_chinese_font_rendering_fails_clearly() {
    let none = Fonts::from_data(vec![]).unwrap_err();
    assert!(matches!(none, ReportError::NoChineseFont { faces: 0 }));
    assert!(none.to_string().contains("fonts-noto-cjk"), "{none}");
    let junk = Fonts::from_data(vec![b"not a font".to_vec()]).unwrap_err();
    assert!(matches!(junk, ReportError::NoChineseFont { .. }));
}

#[test]
fn system_fonts_include_a_chinese_face() {
    let fonts = Fonts::system().expect("fonts-noto-cjk is installed");
    assert!(
        fonts.family().contains("CJK") || fonts.family().contains("SC"),
        "{}",
        fonts.family()
    );
}

#[test]
fn samples_are_written() {
    let dir = samples_dir();
    let zh = sample(Lang::Zh);
    std::fs::write(dir.join("handover-zh.svg"), render_svg(&zh)).unwrap();
    std::fs::write(dir.join("handover-zh.png"), render_png(&zh, 1.5).unwrap()).unwrap();
    std::fs::write(dir.join("handover-zh.pdf"), render_pdf(&zh).unwrap()).unwrap();
    let en = sample(Lang::En);
    std::fs::write(dir.join("handover-en.png"), render_png(&en, 1.5).unwrap()).unwrap();
    std::fs::write(dir.join("handover-en.pdf"), render_pdf(&en).unwrap()).unwrap();
}
