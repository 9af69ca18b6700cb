//! Reading a chart back: every chart must be well-formed XML.

use roxmltree::Document;

/// A chart read back from its SVG.
pub struct Chart {
    /// The text elements' contents, trimmed, in drawing order.
    pub texts: Vec<String>,
    /// The `stroke` and `points` of every polyline.
    pub polylines: Vec<(String, String)>,
    /// How many circles (the rate chart's dots).
    pub circles: usize,
    pub width: String,
    pub height: String,
}

impl Chart {
    pub fn has(&self, text: &str) -> bool {
        self.texts.iter().any(|t| t == text)
    }

    /// Where `text` is drawn first, to compare orders.
    pub fn index(&self, text: &str) -> usize {
        self.texts
            .iter()
            .position(|t| t == text)
            .unwrap_or_else(|| panic!("{text:?} not in {:?}", self.texts))
    }

    /// Polylines drawn in `stroke` (`#RRGGBB`, as plotters writes it).
    pub fn strokes(&self, stroke: &str) -> Vec<&str> {
        self.polylines
            .iter()
            .filter(|(s, _)| s == stroke)
            .map(|(_, p)| p.as_str())
            .collect()
    }
}

/// Parses `svg`, failing the test if it is not well-formed or not an SVG.
pub fn read(svg: &str) -> Chart {
    let doc = Document::parse(svg).unwrap_or_else(|e| panic!("not XML: {e}\n{svg}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    let texts = root
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").trim().to_owned())
        .collect();
    let polylines = root
        .descendants()
        .filter(|n| n.has_tag_name("polyline"))
        .map(|n| {
            let attr = |name| n.attribute(name).unwrap_or("").to_owned();
            (attr("stroke"), attr("points"))
        })
        .collect();
    let circles = root
        .descendants()
        .filter(|n| n.has_tag_name("circle"))
        .count();
    Chart {
        texts,
        polylines,
        circles,
        width: root.attribute("width").unwrap_or("").to_owned(),
        height: root.attribute("height").unwrap_or("").to_owned(),
    }
}

/// True if any character is Chinese: an English chart of known codes has none.
pub fn has_chinese(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}
