//! Chinese names, phone numbers, roads and places, drawn deterministically.
//!
//! The tables are short on purpose: they only need to look right on a wall,
//! and every draw goes through the caller's seeded generator so a seed always
//! gives the same city.

use rand::Rng;

/// Common surnames of the Cixi area (陈, 王, 胡, 沈 and 岑 lead the local rolls).
const SURNAMES: &[&str] = &[
    "陈", "王", "胡", "沈", "孙", "徐", "周", "杨", "吴", "叶", "黄", "罗", "岑", "马", "余", "施",
    "邹", "应", "朱", "方", "潘", "钱", "姚", "蒋", "劳", "戚", "俞", "袁", "华", "张", "李", "刘",
    "郑", "谢", "冯", "韩", "宓", "童", "鲁", "茅",
];

const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "霞", "平", "刚", "桂", "英", "华", "建", "国", "海", "燕", "玲", "波", "斌", "辉",
    "红", "飞", "琴", "雪", "晨", "浩", "宇", "欣", "佳", "婷", "俊", "峰", "志", "林", "萍", "军",
];

const ROAD_STEMS: &[&str] = &[
    "三北",
    "新城",
    "孙塘",
    "青少年宫",
    "北二环",
    "峙山",
    "明州",
    "开发",
    "世纪",
    "潮塘",
    "浒崇",
    "乌山",
    "金山",
    "文化",
    "解放",
    "南二环",
    "东三环",
    "百货",
    "教场山",
    "高新",
    "环城",
    "界牌",
    "慈甬",
    "观城",
    "杭州湾",
];

const ROAD_SUFFIXES: &[&str] = &["路", "大道", "街", "中路", "东路", "西路", "北路", "南路"];

const PLACES: &[&str] = &[
    "菜市场",
    "小区东门",
    "农贸市场",
    "幼儿园",
    "中心小学",
    "卫生院",
    "文化礼堂",
    "公交站",
    "超市",
    "加油站",
    "停车场",
    "工业园",
    "村委会",
    "老年活动中心",
    "河埠头",
    "桥头",
];

pub fn pick<'a, R: Rng + ?Sized>(rng: &mut R, table: &[&'a str]) -> &'a str {
    table[rng.random_range(0..table.len())]
}

/// A person's name: a surname and one or two given characters.
pub fn person<R: Rng + ?Sized>(rng: &mut R) -> String {
    let mut name = String::with_capacity(9);
    name.push_str(pick(rng, SURNAMES));
    name.push_str(pick(rng, GIVEN));
    if rng.random_bool(0.7) {
        name.push_str(pick(rng, GIVEN));
    }
    name
}

/// A masked mobile number: the platform never lets a full number out.
pub fn masked_phone<R: Rng + ?Sized>(rng: &mut R) -> String {
    let prefix = [
        "138", "139", "137", "135", "158", "159", "187", "188", "136", "150",
    ];
    format!(
        "{}****{:04}",
        prefix[rng.random_range(0..prefix.len())],
        rng.random_range(0..10_000)
    )
}

/// A road name such as 新城大道 or 孙塘北路.
pub fn road<R: Rng + ?Sized>(rng: &mut R) -> String {
    format!("{}{}", pick(rng, ROAD_STEMS), pick(rng, ROAD_SUFFIXES))
}

/// A landmark near where something happened, for titles.
/// A village's name as people say it: "厉家村委会" is the committee, the
/// place is "厉家村"; "XX社区居委会" is "XX社区"; a "XX居委会" is "XX".
pub fn spoken_village(name: &str) -> &str {
    if let Some(stem) = name.strip_suffix("村委会") {
        // Keep the 村: the caller appends it back through the slice below.
        return &name[..stem.len() + "村".len()];
    }
    name.strip_suffix("居委会")
        .filter(|s| !s.is_empty())
        .unwrap_or(name)
}

pub fn place<R: Rng + ?Sized>(rng: &mut R) -> &'static str {
    pick(rng, PLACES)
}

#[cfg(test)]
mod spoken_tests {
    use super::spoken_village;

    #[test]
    fn committees_are_named_as_places() {
        assert_eq!(spoken_village("厉家村委会"), "厉家村");
        assert_eq!(spoken_village("东门社区居委会"), "东门社区");
        assert_eq!(spoken_village("浒山居委会"), "浒山");
        assert_eq!(spoken_village("曙光社区"), "曙光社区");
    }
}
