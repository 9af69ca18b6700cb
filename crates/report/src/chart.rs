//! Charts placed on the page: each SVG document from `gridwall-charts` is
//! parsed and written again as a nested `<svg>` scaled into its slot.
//!
//! The chart is rewritten rather than pasted so that one chart that is not
//! well-formed cannot break the whole report (it becomes a placeholder), and
//! so that nothing active survives: no scripts, no `foreignObject`, no event
//! handlers, no references outside the chart itself.

use crate::text::escape;

/// A chart ready to nest: its aspect ratio and its rewritten content.
pub(crate) struct Chart {
    /// The chart's own coordinate system, `min-x min-y width height`.
    view_box: [f64; 4],
    /// The children of the chart's root element, serialised again.
    body: String,
}

impl Chart {
    /// Height over width.
    pub(crate) fn aspect(&self) -> f64 {
        self.view_box[3] / self.view_box[2]
    }

    /// The chart scaled into the box at `(x, y)` of `w` × `h`.
    pub(crate) fn nested(&self, x: f64, y: f64, w: f64, h: f64) -> String {
        let [vx, vy, vw, vh] = self.view_box;
        format!(
            r#"<svg x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" viewBox="{vx} {vy} {vw} {vh}" preserveAspectRatio="xMidYMid meet">{}</svg>"#,
            self.body
        )
    }
}

/// Reads one chart; `None` when it is not an SVG document with a size.
pub(crate) fn parse(svg: &str) -> Option<Chart> {
    let doc = roxmltree::Document::parse(svg).ok()?;
    let root = doc.root_element();
    if root.tag_name().name() != "svg" {
        return None;
    }
    let number = |name: &str| {
        root.attribute(name)
            .and_then(|v| v.trim().trim_end_matches("px").parse::<f64>().ok())
    };
    let view_box = match root.attribute("viewBox") {
        Some(v) => {
            let parts: Vec<f64> = v
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|p| !p.is_empty())
                .map(|p| p.parse::<f64>().ok())
                .collect::<Option<_>>()?;
            <[f64; 4]>::try_from(parts).ok()?
        }
        None => [0.0, 0.0, number("width")?, number("height")?],
    };
    let [_, _, w, h] = view_box;
    if !(w.is_finite() && h.is_finite() && w > 0.0 && h > 0.0) {
        return None;
    }
    let mut body = String::new();
    for child in root.children() {
        write_node(child, &mut body);
    }
    Some(Chart { view_box, body })
}

fn write_node(node: roxmltree::Node<'_, '_>, out: &mut String) {
    if node.is_text() {
        out.push_str(&escape(node.text().unwrap_or_default()));
        return;
    }
    if !node.is_element() {
        return;
    }
    let name = node.tag_name().name();
    if matches!(name, "script" | "foreignObject" | "iframe" | "a" | "use") {
        return;
    }
    out.push('<');
    out.push_str(name);
    for attribute in node.attributes() {
        let key = attribute.name();
        let value = attribute.value();
        let external = (key == "href") && !value.starts_with('#');
        if key.starts_with("on") || external || attribute.namespace().is_some() {
            continue;
        }
        out.push(' ');
        out.push_str(key);
        out.push_str("=\"");
        out.push_str(&escape(value));
        out.push('"');
    }
    out.push('>');
    for child in node.children() {
        write_node(child, out);
    }
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_is_nested_with_its_view_box_and_text_kept_as_text() {
        let chart = parse(
            r#"<?xml version="1.0"?><svg width="640" height="400" viewBox="0 0 640 400" xmlns="http://www.w3.org/2000/svg"><text x="1" y="2">&lt;b&gt; 事件</text></svg>"#,
        )
        .unwrap();
        assert_eq!(chart.aspect(), 400.0 / 640.0);
        let nested = chart.nested(10.0, 20.0, 320.0, 200.0);
        assert!(nested.contains(r#"viewBox="0 0 640 400""#), "{nested}");
        assert!(nested.contains("&lt;b&gt; 事件"), "{nested}");
    }

    #[test]
    fn scripts_handlers_and_outside_references_are_dropped() {
        let chart = parse(
            r#"<svg width="10" height="10" xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><rect onclick="x()" width="1" height="1"/><image href="http://example.com/a.png"/></svg>"#,
        )
        .unwrap();
        let nested = chart.nested(0.0, 0.0, 10.0, 10.0);
        assert!(!nested.contains("alert"), "{nested}");
        assert!(!nested.contains("onclick"), "{nested}");
        assert!(!nested.contains("example.com"), "{nested}");
        assert!(nested.contains("<rect"), "{nested}");
    }

    #[test]
    fn what_is_not_a_sized_svg_is_refused() {
        assert!(parse("<svg").is_none());
        assert!(parse("<html/>").is_none());
        assert!(parse(r#"<svg viewBox="0 0 0 10"/>"#).is_none());
    }
}
