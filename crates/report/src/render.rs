//! The page as pixels (resvg) or as PDF (svg2pdf), with the fonts to draw
//! its Chinese text.
//!
//! Both outputs parse the same SVG with usvg against one font database, so
//! the PNG and the PDF show the same glyphs. A font with Chinese glyphs is
//! required: without one every heading would print as tofu boxes, and a
//! report that cannot be read is worse than a clear error.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, TextStr};
use resvg::tiny_skia::{Pixmap, Transform};
use resvg::usvg::{self, fontdb};

use crate::page::{PAGE_HEIGHT, PAGE_WIDTH};
use crate::{ReportError, Result};

/// Characters a face must have to print the report's Chinese headings.
const PROBE: &str = "交接班报告事件超期";

/// The fonts the report is drawn with: a database of faces of which at
/// least one has Chinese glyphs. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Fonts {
    db: Arc<fontdb::Database>,
    family: String,
}

impl Fonts {
    /// The fonts installed on this machine (fontconfig's directories on
    /// Linux). Fails when none of them has Chinese glyphs.
    pub fn system() -> Result<Fonts> {
        let mut db = fontdb::Database::new();
        db.load_system_fonts();
        Fonts::from_database(db)
    }

    /// The faces in these font files (TTF, OTF, TTC) and nothing else.
    pub fn from_data(files: Vec<Vec<u8>>) -> Result<Fonts> {
        let mut db = fontdb::Database::new();
        for data in files {
            db.load_font_data(data);
        }
        Fonts::from_database(db)
    }

    fn from_database(mut db: fontdb::Database) -> Result<Fonts> {
        let family = chinese_family(&db).ok_or(ReportError::NoChineseFont { faces: db.len() })?;
        // The page asks for 'Noto Sans CJK SC' first and falls back to
        // sans-serif; make that fallback the face that was found.
        db.set_sans_serif_family(family.clone());
        Ok(Fonts {
            db: Arc::new(db),
            family,
        })
    }

    /// The family the report's Chinese text is drawn with.
    pub fn family(&self) -> &str {
        &self.family
    }

    fn options(&self) -> usvg::Options<'static> {
        usvg::Options {
            font_family: self.family.clone(),
            fontdb: self.db.clone(),
            ..usvg::Options::default()
        }
    }

    fn tree(&self, svg: &str) -> Result<usvg::Tree> {
        usvg::Tree::from_str(svg, &self.options()).map_err(|e| ReportError::Svg(e.to_string()))
    }
}

/// The system fonts, loaded once per process: scanning the font directories
/// takes longer than drawing a page.
pub(crate) fn system_fonts() -> Result<Fonts> {
    static FONTS: OnceLock<std::result::Result<Fonts, ReportError>> = OnceLock::new();
    FONTS.get_or_init(Fonts::system).clone()
}

/// The first family, preferring Noto Sans CJK SC, whose face has a glyph for
/// every character of [`PROBE`].
fn chinese_family(db: &fontdb::Database) -> Option<String> {
    let covers = |face: &fontdb::FaceInfo| {
        db.with_face_data(face.id, |data, index| {
            ttf_parser::Face::parse(data, index)
                .map(|f| PROBE.chars().all(|c| f.glyph_index(c).is_some()))
                .unwrap_or(false)
        })
        .unwrap_or(false)
    };
    let name = |face: &fontdb::FaceInfo| face.families.first().map(|(n, _)| n.clone());
    let preferred = db
        .faces()
        .filter(|f| f.families.iter().any(|(n, _)| n == "Noto Sans CJK SC"))
        .find(|f| covers(f));
    preferred
        .or_else(|| db.faces().find(|f| covers(f)))
        .and_then(name)
}

/// All pages stacked as one PNG, `scale` pixels per CSS pixel (1 gives
/// 794 pixels across, 2 is good for print).
pub(crate) fn png(svg: &str, scale: f32, fonts: &Fonts) -> Result<Vec<u8>> {
    if !(scale.is_finite() && (0.25..=6.0).contains(&scale)) {
        return Err(ReportError::Scale(scale));
    }
    let tree = fonts.tree(svg)?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(scale)
        .ok_or(ReportError::Scale(scale))?;
    if u64::from(size.width()) * u64::from(size.height()) > 200_000_000 {
        return Err(ReportError::Scale(scale));
    }
    let mut pixmap = Pixmap::new(size.width(), size.height()).ok_or(ReportError::Scale(scale))?;
    resvg::render(
        &tree,
        Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| ReportError::Encode(e.to_string()))
}

/// One A4 page per SVG page, text embedded as text with subset fonts.
pub(crate) fn pdf(pages: &[String], title: &str, fonts: &Fonts) -> Result<Vec<u8>> {
    // The page is laid out in CSS pixels; 72/96 of them make a point.
    let to_pt = 72.0 / 96.0;
    let (w, h) = (PAGE_WIDTH as f32 * to_pt, PAGE_HEIGHT as f32 * to_pt);
    let mut alloc = Ref::new(1);
    let catalog = alloc.bump();
    let tree_ref = alloc.bump();
    let info = alloc.bump();
    let mut pdf = Pdf::new();
    let mut page_refs = Vec::new();
    let mut chunks = Vec::new();
    for page in pages {
        let tree = fonts.tree(page)?;
        let options = svg2pdf::ConversionOptions {
            embed_text: true,
            ..svg2pdf::ConversionOptions::default()
        };
        let (chunk, root) =
            svg2pdf::to_chunk(&tree, options).map_err(|e| ReportError::Pdf(e.to_string()))?;
        let mut map = HashMap::new();
        let chunk = chunk.renumber(|old| *map.entry(old).or_insert_with(|| alloc.bump()));
        let root = map[&root];
        let page_ref = alloc.bump();
        let content_ref = alloc.bump();
        let name = Name(b"P");
        let mut page_writer = pdf.page(page_ref);
        page_writer
            .media_box(Rect::new(0.0, 0.0, w, h))
            .parent(tree_ref)
            .contents(content_ref);
        page_writer.resources().x_objects().pair(name, root);
        page_writer.finish();
        let mut content = Content::new();
        // The chunk's XObject is one point square: stretch it to the page.
        content.transform([w, 0.0, 0.0, h, 0.0, 0.0]).x_object(name);
        pdf.stream(content_ref, &content.finish());
        page_refs.push(page_ref);
        chunks.push(chunk);
    }
    pdf.catalog(catalog).pages(tree_ref);
    pdf.pages(tree_ref)
        .kids(page_refs.iter().copied())
        .count(page_refs.len() as i32);
    for chunk in &chunks {
        pdf.extend(chunk);
    }
    pdf.document_info(info)
        .title(TextStr(title))
        .producer(TextStr("GridWall"));
    Ok(pdf.finish())
}
