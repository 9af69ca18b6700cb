//! Words and numbers as the report prints them: upstream strings made safe
//! for XML and cut to their column, state and severity names in both
//! languages, times in the shift's own offset.
//!
//! Every upstream string goes through [`fit`] (or [`clean`]) and then
//! [`escape`] before it reaches the page: text is data, never markup.

use gridwall_charts::Lang;
use time::{OffsetDateTime, UtcOffset};

/// Characters XML 1.0 cannot carry (control characters other than none we
/// need, U+FFFE, U+FFFF, lone surrogates cannot occur in a `str`) dropped,
/// and runs of whitespace folded to one space so a title with line breaks
/// stays on its line.
pub(crate) fn clean(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len().min(1024));
    let mut space = false;
    for c in raw.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if c.is_control() || c == '\u{fffe}' || c == '\u{ffff}' {
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
    }
    out
}

/// `raw` cleaned and cut with an ellipsis so that it is at most `max_px`
/// wide at font size `px` (as [`width`] estimates it).
pub(crate) fn fit(raw: &str, px: f32, max_px: f32) -> String {
    // Titles can be thousands of characters: never clean more than could fit.
    let budget = ((max_px / (px * 0.3)).ceil() as usize).saturating_add(2);
    let head: String = raw.chars().take(budget.saturating_mul(2)).collect();
    let text = clean(&head);
    if width(&text, px) <= max_px && head.len() == raw.len() {
        return text;
    }
    let room = max_px - width("…", px);
    let mut used = 0.0;
    let mut cut = String::new();
    for c in text.chars() {
        let w = char_width(c) * px;
        if used + w > room {
            break;
        }
        used += w;
        cut.push(c);
    }
    if cut.len() == text.len() && head.len() == raw.len() {
        return cut;
    }
    let mut cut = cut.trim_end().to_owned();
    cut.push('…');
    cut
}

/// `<`, `>`, `&` and quotes as entities, for text and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// Roughly how wide `text` is at font size `px`: CJK and full-width
/// characters one em, digits and Latin letters about 0.56 em. Layout only;
/// a little generous so that cut text never overruns its column.
pub(crate) fn width(text: &str, px: f32) -> f32 {
    text.chars().map(char_width).sum::<f32>() * px
}

fn char_width(c: char) -> f32 {
    match c as u32 {
        0x1100..=0x115f
        | 0x2e80..=0xa4cf
        | 0xac00..=0xd7a3
        | 0xf900..=0xfaff
        | 0xfe30..=0xfe4f
        | 0xff00..=0xff60
        | 0xffe0..=0xffe6
        | 0x2026
        | 0x20000..=0x3fffd => 1.0,
        _ if " iljtfr.,:;|!'".contains(c) => 0.34,
        _ if c.is_ascii_uppercase() || c == 'm' || c == 'w' || c == '%' => 0.68,
        _ => 0.56,
    }
}

/// The name of an incident state code; an unknown code is shown as it came.
pub fn state_name(code: &str, lang: Lang) -> String {
    let (zh, en) = match code {
        "reported" => ("已上报", "Reported"),
        "accepted" => ("已受理", "Accepted"),
        "dispatched" => ("已派遣", "Dispatched"),
        "in_progress" => ("处置中", "In progress"),
        "resolved" => ("已办结", "Resolved"),
        "closed" => ("已归档", "Closed"),
        "mediation_failed" => ("调解失败", "Mediation failed"),
        "escalated" => ("已上报市级", "Escalated"),
        "returned" => ("已退回", "Returned"),
        "cancelled" => ("已作废", "Cancelled"),
        _ => return clean(code),
    };
    match lang {
        Lang::Zh => zh.to_owned(),
        Lang::En => en.to_owned(),
    }
}

/// The name of a severity level (1 ordinary to 4 critical, as upstream
/// defines it); a level outside 1..=4 is shown as its number.
pub fn severity_name(level: u8, lang: Lang) -> String {
    let name = match (level, lang) {
        (1, Lang::Zh) => "一般",
        (2, Lang::Zh) => "较大",
        (3, Lang::Zh) => "重大",
        (4, Lang::Zh) => "特别重大",
        (1, Lang::En) => "Ordinary",
        (2, Lang::En) => "Major",
        (3, Lang::En) => "Serious",
        (4, Lang::En) => "Critical",
        _ => return level.to_string(),
    };
    name.to_owned()
}

/// `2026-11-27 08:00` in `offset`.
pub(crate) fn date_time(at: OffsetDateTime, offset: UtcOffset) -> String {
    let at = at.to_offset(offset);
    format!(
        "{}-{:02}-{:02} {:02}:{:02}",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute()
    )
}

/// `11-27 08:00` in `offset`: within a shift the year is noise.
pub(crate) fn short_time(at: OffsetDateTime, offset: UtcOffset) -> String {
    let at = at.to_offset(offset);
    format!(
        "{:02}-{:02} {:02}:{:02}",
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute()
    )
}

/// `UTC+08:00`.
pub(crate) fn offset_label(offset: UtcOffset) -> String {
    let (h, m, _) = offset.as_hms();
    let sign = if offset.is_negative() { '-' } else { '+' };
    format!("UTC{sign}{:02}:{:02}", h.unsigned_abs(), m.unsigned_abs())
}

/// A count with thousands separators: `12,345`.
pub(crate) fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{datetime, offset};

    #[test]
    fn clean_drops_what_xml_cannot_carry_and_folds_whitespace() {
        assert_eq!(clean("a\u{0}b\u{1b}c\u{ffff}"), "abc");
        assert_eq!(clean("  上报\n\t事件  "), "上报 事件");
    }

    #[test]
    fn fit_cuts_long_text_with_an_ellipsis_within_its_width() {
        let long = "很".repeat(8000);
        let cut = fit(&long, 10.0, 100.0);
        assert!(cut.ends_with('…'));
        assert!(width(&cut, 10.0) <= 100.0);
        assert_eq!(fit("短标题", 10.0, 100.0), "短标题");
        assert_eq!(fit("abc", 10.0, 100.0), "abc");
    }

    #[test]
    fn escape_turns_markup_into_entities() {
        assert_eq!(
            escape(r#"<b a="1">&'"#),
            "&lt;b a=&quot;1&quot;&gt;&amp;&apos;"
        );
    }

    #[test]
    fn states_have_names_and_unknown_codes_show_raw() {
        assert_eq!(state_name("in_progress", Lang::Zh), "处置中");
        assert_eq!(state_name("escalated", Lang::En), "Escalated");
        assert_eq!(state_name("on_hold", Lang::Zh), "on_hold");
    }

    #[test]
    fn times_are_shown_in_the_shift_offset() {
        let at = datetime!(2026-11-27 00:30 UTC);
        assert_eq!(date_time(at, offset!(+8)), "2026-11-27 08:30");
        assert_eq!(short_time(at, offset!(+8)), "11-27 08:30");
        assert_eq!(offset_label(offset!(+8)), "UTC+08:00");
    }

    #[test]
    fn counts_have_thousands_separators() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1234567), "1,234,567");
    }
}
