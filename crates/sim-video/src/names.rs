//! The words camera names are made of: Cixi's road names and the places along
//! them where a city puts cameras. Names read like the ones on a real wall:
//! `浒山街道·三北大街与孙塘路交叉口 东向 枪机`.

use gridwall_domain::video::CameraKind;

use crate::dice;

/// Roads of Cixi's towns and central city, as people say them.
const ROADS: &[&str] = &[
    "三北大街",
    "孙塘路",
    "北二环路",
    "南二环路",
    "新城大道",
    "青少年宫路",
    "古塘街",
    "开发大道",
    "明州路",
    "峙山路",
    "慈甬路",
    "浒崇公路",
    "寺山路",
    "金山大道",
    "慈东大道",
    "潮塘江路",
    "前应路",
    "白沙路",
    "东二环线",
    "西二环线",
    "育才路",
    "教场山路",
    "担山路",
    "界牌路",
    "新潮塘路",
    "周西公路",
    "胜山路",
    "观附公路",
    "伏龙路",
    "龙山大道",
    "长河路",
    "崇寿路",
];

/// Places along a road in a town centre.
const TOWN_SPOTS: &[&str] = &[
    "口",
    "路口",
    "公交站",
    "农贸市场",
    "小学门口",
    "广场",
    "桥",
    "停车场",
    "商业街",
    "医院门口",
    "地下通道口",
    "超市门口",
];

/// Places in villages and along country roads.
const RURAL_SPOTS: &[&str] = &[
    "村口",
    "桥头",
    "文化礼堂",
    "菜场",
    "厂区门口",
    "河道",
    "垃圾分类点",
    "老年活动中心",
];

const HEADINGS: &[&str] = &["东向", "西向", "南向", "北向"];

/// A camera's name from its site and kind; `n` tells cameras of one site apart
/// and `serial` numbers devices that have no fixed place.
pub(crate) fn camera_name(
    seed: u64,
    area: &str,
    town_centre: bool,
    kind: CameraKind,
    n: u64,
    grid_id: Option<&str>,
    serial: usize,
) -> String {
    match kind {
        CameraKind::BodyWorn => match grid_id.and_then(grid_number) {
            Some(number) => format!("{area}·第{number}网格 网格员执法记录仪"),
            None => format!("{area}·网格员{serial}号 执法记录仪"),
        },
        CameraKind::Drone => format!("{area} 巡查无人机{serial:02}号"),
        CameraKind::Fixed | CameraKind::Ptz | CameraKind::Other => {
            let road = ROADS[dice::pick(seed, &[n, 1], ROADS.len())];
            let spots = if town_centre { TOWN_SPOTS } else { RURAL_SPOTS };
            let spot = match spots[dice::pick(seed, &[n, 2], spots.len())] {
                // A crossing names the other road as well.
                "路口" => {
                    let other = ROADS[dice::pick(seed, &[n, 3], ROADS.len())];
                    if other == road {
                        "口".to_owned()
                    } else {
                        format!("与{other}交叉口")
                    }
                }
                spot => spot.to_owned(),
            };
            let heading = HEADINGS[dice::pick(seed, &[n, 4], HEADINGS.len())];
            let device = if kind == CameraKind::Ptz {
                "球机"
            } else {
                "枪机"
            };
            format!("{area}·{road}{spot} {heading} {device}")
        }
    }
}

/// `330282004001G03` → `03`: the grid's number within its village.
fn grid_number(grid_id: &str) -> Option<&str> {
    let (_, number) = grid_id.rsplit_once('G')?;
    (!number.is_empty() && number.bytes().all(|b| b.is_ascii_digit())).then_some(number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_camera_is_named_after_its_area_road_and_device() {
        let name = camera_name(3, "浒山街道", true, CameraKind::Fixed, 11, None, 0);
        assert!(name.starts_with("浒山街道·"), "{name}");
        assert!(name.ends_with(" 枪机"), "{name}");
    }

    #[test]
    fn a_body_camera_is_named_after_its_grid() {
        let name = camera_name(
            3,
            "古塘街道",
            false,
            CameraKind::BodyWorn,
            0,
            Some("330282006001G07"),
            5,
        );
        assert_eq!(name, "古塘街道·第07网格 网格员执法记录仪");
    }
}
