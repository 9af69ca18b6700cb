//! The words and colours charts show for upstream codes.
//!
//! Category names in Chinese come from the domain ([`Category::label_zh`]) so
//! the wall shows one name per category everywhere. Source names are the short
//! legend forms (the domain's `警源·110非警务` does not fit a legend); the
//! English names exist only here because only charts draw them so far.
//!
//! Upstream text is data: it is cleaned of characters XML cannot carry and cut
//! to a length the layout can hold. Escaping `<`, `&` and quotes is the SVG
//! backend's job (plotters-svg escapes every text and attribute it writes, and
//! the tests hold it to that).

use gridwall_domain::governance::{Category, Source};

use crate::theme::{Lang, Rgb};

/// The order sources are stacked and listed in, so a source keeps its place
/// from one refresh to the next: the four sources of 四源共治 first.
const SOURCE_ORDER: [&str; 8] = [
    "police_110",
    "litigation",
    "petition",
    "risk",
    "grid_patrol",
    "hotline_12345",
    "video_ai",
    "proxy_service",
];

/// The legend name of a source code; an unknown code is shown as it came.
pub fn source_name(code: &str, lang: Lang) -> String {
    let known = match (Source::parse(code), lang) {
        (Source::Police110, Lang::Zh) => "110警情",
        (Source::Litigation, Lang::Zh) => "诉源",
        (Source::Petition, Lang::Zh) => "访源",
        (Source::Risk, Lang::Zh) => "险源",
        (Source::GridPatrol, Lang::Zh) => "网格巡查",
        (Source::Hotline12345, Lang::Zh) => "12345热线",
        (Source::VideoAi, Lang::Zh) => "视频智能",
        (Source::ProxyService, Lang::Zh) => "代办服务",
        (Source::Police110, Lang::En) => "110 police",
        (Source::Litigation, Lang::En) => "Litigation",
        (Source::Petition, Lang::En) => "Petition",
        (Source::Risk, Lang::En) => "Risk",
        (Source::GridPatrol, Lang::En) => "Grid patrol",
        (Source::Hotline12345, Lang::En) => "12345 hotline",
        (Source::VideoAi, Lang::En) => "Video AI",
        (Source::ProxyService, Lang::En) => "Proxy service",
        (Source::Other(_), _) => return clean(code),
    };
    known.to_owned()
}

/// Where a source sorts: known sources in [`SOURCE_ORDER`], unknown ones after.
pub(crate) fn source_rank(code: &str) -> usize {
    SOURCE_ORDER
        .iter()
        .position(|known| *known == code)
        .unwrap_or(SOURCE_ORDER.len())
}

/// One colour per source, the same in every chart; an unknown source gets a
/// colour from a spare palette chosen by a hash of its code (stable across
/// runs, unlike std's randomly seeded hasher).
pub(crate) fn source_colour(code: &str) -> Rgb {
    const KNOWN: [u32; 8] = [
        0x4e8cff, // police_110: blue
        0xa77bff, // litigation: violet
        0xff9f43, // petition: orange
        0xff5d6c, // risk: red
        0x2ec4b6, // grid_patrol: teal
        0xffd166, // hotline_12345: yellow
        0x7bd88f, // video_ai: green
        0xf78fb3, // proxy_service: pink
    ];
    const SPARE: [u32; 4] = [0x8d99ae, 0xc9a27e, 0x6d9dc5, 0xb5838d];
    match SOURCE_ORDER.iter().position(|known| *known == code) {
        Some(i) => Rgb::hex(KNOWN[i]),
        None => Rgb::hex(SPARE[(fnv1a(code) % SPARE.len() as u64) as usize]),
    }
}

/// The name of a category code; an unknown code is shown as it came.
pub fn category_name(code: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => clean(Category::new(code).label_zh()),
        Lang::En => {
            let known = match code {
                Category::DISPUTE_NEIGHBOUR => "Neighbour dispute",
                Category::DISPUTE_FAMILY => "Family dispute",
                Category::DISPUTE_LABOUR => "Labour dispute",
                Category::DISPUTE_PROPERTY => "Property mgmt dispute",
                Category::DISPUTE_LAND => "Land dispute",
                Category::CITY_STREET_VENDOR => "Street vending",
                Category::CITY_PARKING => "Illegal parking",
                Category::CITY_SANITATION => "Sanitation",
                Category::SAFETY_FIRE => "Fire safety",
                Category::SAFETY_BUILDING => "Building safety",
                Category::SAFETY_GAS => "Gas safety",
                Category::SAFETY_FLOOD => "Flood control",
                Category::ENVIRONMENT_POLLUTION => "Pollution",
                Category::SERVICE_PROXY => "Proxy service",
                Category::PUBLIC_ORDER_GATHERING => "Gathering",
                _ => return clean(code),
            };
            known.to_owned()
        }
    }
}

/// Upstream text made fit for a label: characters XML 1.0 cannot carry
/// (control characters, U+FFFE, U+FFFF) dropped, and cut to `MAX_LABEL`
/// characters with an ellipsis so a runaway string cannot push a chart apart.
pub(crate) fn clean(raw: &str) -> String {
    const MAX_LABEL: usize = 24;
    let kept: Vec<char> = raw
        .chars()
        .filter(|c| !c.is_control() && *c != '\u{fffe}' && *c != '\u{ffff}')
        .collect();
    if kept.len() <= MAX_LABEL {
        kept.into_iter().collect()
    } else {
        let mut cut: String = kept[..MAX_LABEL - 1].iter().collect();
        cut.push('…');
        cut
    }
}

/// Roughly how wide `text` is at font size `px`: CJK and full-width
/// characters are one em, others about 0.6 em. Used for layout only (the SVG
/// viewer measures the real text); plotters' own estimate without a font
/// library counts bytes and would make every Chinese label three times wide.
pub(crate) fn text_width(text: &str, px: i32) -> i32 {
    let ems: f64 = text
        .chars()
        .map(|c| if is_wide(c) { 1.0 } else { 0.6 })
        .sum();
    (ems * f64::from(px)).ceil() as i32
}

fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115f | 0x2e80..=0xa4cf | 0xac00..=0xd7a3 | 0xf900..=0xfaff
        | 0xfe30..=0xfe4f | 0xff00..=0xff60 | 0xffe0..=0xffe6 | 0x20000..=0x3fffd)
}

fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_sources_have_short_names_and_unknown_ones_show_raw() {
        assert_eq!(source_name("police_110", Lang::Zh), "110警情");
        assert_eq!(source_name("video_ai", Lang::Zh), "视频智能");
        assert_eq!(source_name("video_ai", Lang::En), "Video AI");
        assert_eq!(source_name("drone_patrol", Lang::Zh), "drone_patrol");
    }

    #[test]
    fn category_names_come_from_the_domain_in_chinese() {
        assert_eq!(category_name("dispute.neighbour", Lang::Zh), "邻里纠纷");
        assert_eq!(
            category_name("safety.gas", Lang::Zh),
            Category::new("safety.gas").label_zh()
        );
        assert_eq!(category_name("safety.gas", Lang::En), "Gas safety");
        assert_eq!(category_name("traffic.new", Lang::En), "traffic.new");
    }

    #[test]
    fn every_known_category_has_an_english_name() {
        for (code, _) in Category::KNOWN {
            assert_ne!(category_name(code, Lang::En), code, "{code}");
        }
    }

    #[test]
    fn unknown_sources_keep_their_colour_and_known_ones_differ() {
        assert_eq!(source_colour("drone"), source_colour("drone"));
        let known: Vec<Rgb> = SOURCE_ORDER.iter().map(|c| source_colour(c)).collect();
        for (i, a) in known.iter().enumerate() {
            assert!(
                !known[i + 1..].contains(a),
                "{} repeats a colour",
                SOURCE_ORDER[i]
            );
        }
    }

    #[test]
    fn clean_drops_what_xml_cannot_carry_and_cuts_long_text() {
        assert_eq!(clean("a\u{0}b\u{1b}c\u{ffff}"), "abc");
        let long = "很".repeat(40);
        let cut = clean(&long);
        assert_eq!(cut.chars().count(), 24);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn chinese_text_is_measured_wider_than_latin() {
        assert_eq!(text_width("邻里纠纷", 20), 80);
        assert_eq!(text_width("1234", 20), 48);
    }
}
