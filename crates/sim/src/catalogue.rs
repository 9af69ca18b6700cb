//! What happens in the city and how often: the rates of each source, the
//! categories each source and grid kind produce, and how each category is
//! handled (who, how fast, under what deadline, in what words).
//!
//! The figures are tuned to Cixi's published ones: about 2,200 events a day,
//! 32 non-police 110 disputes handed over a day, three pre-litigation
//! mediations a day, grid patrols finding most of the rest.

use gridwall_domain::governance::{Category, HandlingLevel, Source};

/// Expected events a day from each source (average over a week).
pub const DAILY_RATES: [(Source, f64); 8] = [
    (Source::GridPatrol, 1_540.0),
    (Source::Hotline12345, 300.0),
    (Source::VideoAi, 200.0),
    (Source::ProxyService, 110.0),
    (Source::Police110, 32.0),
    (Source::Petition, 8.0),
    (Source::Risk, 7.0),
    (Source::Litigation, 3.0),
];

/// Share of a day's events in each hour, office-hours sources (patrols,
/// hotline, proxy services, courts, petitions). Sums to 1.
const OFFICE_HOURS: [f64; 24] = [
    0.004, 0.003, 0.002, 0.002, 0.003, 0.008, 0.020, 0.045, 0.075, 0.090, 0.090, 0.075, 0.050,
    0.060, 0.080, 0.085, 0.080, 0.065, 0.045, 0.035, 0.030, 0.025, 0.016, 0.012,
];

/// Share of a day's events in each hour, round-the-clock sources (110,
/// cameras, risk sensors). Sums to 1.
const ROUND_THE_CLOCK: [f64; 24] = [
    0.020, 0.015, 0.012, 0.010, 0.010, 0.015, 0.025, 0.040, 0.055, 0.060, 0.060, 0.060, 0.055,
    0.055, 0.058, 0.060, 0.057, 0.057, 0.060, 0.058, 0.052, 0.045, 0.035, 0.026,
];

/// Weekday factor, Monday first; averages 1 over the week.
const OFFICE_WEEK: [f64; 7] = [1.08, 1.08, 1.08, 1.08, 1.08, 0.85, 0.75];
const ROUND_THE_CLOCK_WEEK: [f64; 7] = [0.95, 0.95, 0.95, 0.95, 1.0, 1.1, 1.1];

/// Expected events from `source` in one hour of the week.
pub fn hourly_rate(source: &Source, daily: f64, weekday: usize, hour: usize) -> f64 {
    let round_the_clock = matches!(source, Source::Police110 | Source::VideoAi | Source::Risk);
    if round_the_clock {
        daily * ROUND_THE_CLOCK[hour] * ROUND_THE_CLOCK_WEEK[weekday]
    } else {
        daily * OFFICE_HOURS[hour] * OFFICE_WEEK[weekday]
    }
}

/// How one category of matter is handled.
#[derive(Debug)]
pub struct Profile {
    pub code: &'static str,
    /// Time from report to resolution, drawn log-uniformly in this range (minutes).
    pub resolve_minutes: (f64, f64),
    /// The deadline under the handling rules (minutes after the report).
    pub due_minutes: i64,
    pub assignee: &'static str,
    /// Settled by whoever found it, without dispatching anyone.
    pub on_the_spot: bool,
    pub level: HandlingLevel,
    pub phrases: &'static [&'static str],
    pub details: &'static [&'static str],
}

const MIN: f64 = 1.0;
const HOUR: f64 = 60.0;
const DAY: f64 = 1_440.0;

pub const PROFILES: &[Profile] = &[
    Profile {
        code: Category::CITY_STREET_VENDOR,
        resolve_minutes: (6.0 * MIN, 15.0 * MIN),
        due_minutes: 30,
        assignee: "综合行政执法队",
        on_the_spot: true,
        level: HandlingLevel::Village,
        phrases: &["流动摊贩占道经营", "店外占道摆摊", "早市摊位越线经营"],
        details: &["已劝导摊主搬离", "摊位占用人行道约十米", "影响行人通行"],
    },
    Profile {
        code: Category::CITY_PARKING,
        resolve_minutes: (15.0 * MIN, 90.0 * MIN),
        due_minutes: 180,
        assignee: "交警中队",
        on_the_spot: true,
        level: HandlingLevel::Village,
        phrases: &["车辆乱停占用消防通道", "非机动车乱停放", "货车占道停放"],
        details: &["堵塞消防通道", "居民反映出行不便", "已联系车主挪车"],
    },
    Profile {
        code: Category::CITY_SANITATION,
        resolve_minutes: (1.0 * HOUR, 8.0 * HOUR),
        due_minutes: 24 * 60,
        assignee: "环卫所",
        on_the_spot: false,
        level: HandlingLevel::Village,
        phrases: &["生活垃圾堆积未清运", "建筑垃圾乱倒", "垃圾分类投放不规范"],
        details: &["气味较大", "堆放约两立方米", "居民多次反映"],
    },
    Profile {
        code: Category::ENVIRONMENT_POLLUTION,
        resolve_minutes: (1.0 * DAY, 4.0 * DAY),
        due_minutes: 5 * 24 * 60,
        assignee: "生态环境分局",
        on_the_spot: false,
        level: HandlingLevel::Town,
        phrases: &[
            "企业排放异味",
            "河道水体发黑",
            "夜间施工噪声扰民",
            "露天焚烧秸秆",
        ],
        details: &["周边居民反映强烈", "已拍照取证", "疑似偷排"],
    },
    Profile {
        code: Category::SAFETY_FIRE,
        resolve_minutes: (30.0 * MIN, 4.0 * HOUR),
        due_minutes: 6 * 60,
        assignee: "消防救援站",
        on_the_spot: false,
        level: HandlingLevel::Town,
        phrases: &[
            "楼道电动车违规充电",
            "消防通道堵塞",
            "灭火器过期",
            "出租房私拉电线",
        ],
        details: &["存在火灾隐患", "已督促整改", "涉及多户居民"],
    },
    Profile {
        code: Category::SAFETY_BUILDING,
        resolve_minutes: (1.0 * DAY, 5.0 * DAY),
        due_minutes: 7 * 24 * 60,
        assignee: "住建所",
        on_the_spot: false,
        level: HandlingLevel::Town,
        phrases: &["老旧房屋墙体开裂", "违章搭建", "外墙瓷砖脱落"],
        details: &["存在坠落风险", "已设置警戒", "需专业鉴定"],
    },
    Profile {
        code: Category::SAFETY_GAS,
        resolve_minutes: (1.0 * HOUR, 6.0 * HOUR),
        due_minutes: 8 * 60,
        assignee: "燃气公司",
        on_the_spot: false,
        level: HandlingLevel::Town,
        phrases: &[
            "餐饮店燃气瓶违规存放",
            "燃气管道疑似泄漏",
            "液化气钢瓶超期未检",
        ],
        details: &["已疏散周边人员", "已关闭总阀", "需上门检测"],
    },
    Profile {
        code: Category::SAFETY_FLOOD,
        resolve_minutes: (2.0 * HOUR, 12.0 * HOUR),
        due_minutes: 24 * 60,
        assignee: "水利站",
        on_the_spot: false,
        level: HandlingLevel::Town,
        phrases: &["低洼路段积水", "河道堤岸渗漏", "排涝泵站故障"],
        details: &["积水深约三十厘米", "影响车辆通行", "需紧急抢修"],
    },
    Profile {
        code: Category::DISPUTE_NEIGHBOUR,
        resolve_minutes: (4.0 * HOUR, 5.0 * DAY),
        due_minutes: 15 * 24 * 60,
        assignee: "村调委会",
        on_the_spot: false,
        level: HandlingLevel::Village,
        phrases: &[
            "邻里噪音纠纷",
            "相邻通行权纠纷",
            "楼上漏水引发邻里矛盾",
            "宅基地边界纠纷",
        ],
        details: &["双方情绪激动", "已多次协商未果", "需上门调解"],
    },
    Profile {
        code: Category::DISPUTE_FAMILY,
        resolve_minutes: (1.0 * DAY, 7.0 * DAY),
        due_minutes: 15 * 24 * 60,
        assignee: "妇联·村调委会",
        on_the_spot: false,
        level: HandlingLevel::Village,
        phrases: &["赡养老人纠纷", "婚姻家庭矛盾", "遗产分配纠纷"],
        details: &["涉及老人赡养", "家属请求调解", "双方分歧较大"],
    },
    Profile {
        code: Category::DISPUTE_LABOUR,
        resolve_minutes: (3.0 * DAY, 15.0 * DAY),
        due_minutes: 30 * 24 * 60,
        assignee: "劳动保障监察中队",
        on_the_spot: false,
        level: HandlingLevel::Town,
        phrases: &["务工人员讨要工资", "工伤赔偿纠纷", "企业拖欠社保"],
        details: &["涉及务工人员十余名", "企业负责人失联", "金额约八万元"],
    },
    Profile {
        code: Category::DISPUTE_PROPERTY,
        resolve_minutes: (2.0 * DAY, 10.0 * DAY),
        due_minutes: 15 * 24 * 60,
        assignee: "物业办",
        on_the_spot: false,
        level: HandlingLevel::Town,
        phrases: &["物业费收取纠纷", "小区停车位纠纷", "电梯维修费用分摊争议"],
        details: &["业主联名反映", "物业公司拒绝协商", "需召开协调会"],
    },
    Profile {
        code: Category::DISPUTE_LAND,
        resolve_minutes: (5.0 * DAY, 20.0 * DAY),
        due_minutes: 30 * 24 * 60,
        assignee: "自然资源所",
        on_the_spot: false,
        level: HandlingLevel::Town,
        phrases: &["承包地流转纠纷", "土地征收补偿争议", "宅基地使用权纠纷"],
        details: &["涉及历史遗留问题", "需调取档案", "村民代表参与协调"],
    },
    Profile {
        code: Category::SERVICE_PROXY,
        resolve_minutes: (4.0 * HOUR, 3.0 * DAY),
        due_minutes: 5 * 24 * 60,
        assignee: "便民服务中心",
        on_the_spot: false,
        level: HandlingLevel::Village,
        phrases: &[
            "代办养老保险认证",
            "代办残疾人证",
            "代办医保报销",
            "代办低保申请",
        ],
        details: &["老人行动不便", "材料已收齐", "需镇里审核"],
    },
    Profile {
        code: Category::PUBLIC_ORDER_GATHERING,
        resolve_minutes: (1.0 * HOUR, 6.0 * HOUR),
        due_minutes: 12 * 60,
        assignee: "派出所",
        on_the_spot: false,
        level: HandlingLevel::Town,
        phrases: &["人员聚集讨说法", "广场人员异常聚集", "企业门口人员聚集"],
        details: &["现场约二十人", "情绪较为激动", "已安排人员稳控"],
    },
];

/// The handling rules of a category; an unknown code is handled like a
/// sanitation case (an ordinary matter of the village).
pub fn profile(code: &str) -> &'static Profile {
    PROFILES
        .iter()
        .find(|p| p.code == code)
        .unwrap_or(&PROFILES[2])
}

/// Categories a source produces, with weights. Grid patrols depend on the grid instead.
pub fn source_categories(source: &Source) -> &'static [(&'static str, u32)] {
    match source {
        Source::Police110 => &[
            (Category::DISPUTE_NEIGHBOUR, 40),
            (Category::DISPUTE_FAMILY, 30),
            (Category::DISPUTE_LABOUR, 10),
            (Category::DISPUTE_PROPERTY, 10),
            (Category::PUBLIC_ORDER_GATHERING, 10),
        ],
        Source::Litigation => &[
            (Category::DISPUTE_LABOUR, 30),
            (Category::DISPUTE_PROPERTY, 30),
            (Category::DISPUTE_FAMILY, 20),
            (Category::DISPUTE_NEIGHBOUR, 20),
        ],
        Source::Petition => &[
            (Category::DISPUTE_LAND, 30),
            (Category::DISPUTE_LABOUR, 30),
            (Category::DISPUTE_PROPERTY, 30),
            (Category::PUBLIC_ORDER_GATHERING, 10),
        ],
        Source::Risk => &[
            (Category::SAFETY_BUILDING, 30),
            (Category::SAFETY_GAS, 25),
            (Category::SAFETY_FIRE, 20),
            (Category::SAFETY_FLOOD, 15),
            (Category::PUBLIC_ORDER_GATHERING, 10),
        ],
        Source::Hotline12345 => &[
            (Category::CITY_PARKING, 25),
            (Category::CITY_SANITATION, 25),
            (Category::ENVIRONMENT_POLLUTION, 20),
            (Category::DISPUTE_PROPERTY, 15),
            (Category::CITY_STREET_VENDOR, 15),
        ],
        Source::VideoAi => &[
            (Category::CITY_STREET_VENDOR, 35),
            (Category::CITY_PARKING, 30),
            (Category::CITY_SANITATION, 15),
            (Category::SAFETY_FIRE, 10),
            (Category::PUBLIC_ORDER_GATHERING, 10),
        ],
        Source::ProxyService => &[(Category::SERVICE_PROXY, 1)],
        Source::GridPatrol | Source::Other(_) => grid_categories(None),
    }
}

/// What a patrol finds in a grid of this kind.
pub fn grid_categories(kind: Option<&str>) -> &'static [(&'static str, u32)] {
    match kind {
        Some("residential") => &[
            (Category::DISPUTE_NEIGHBOUR, 12),
            (Category::DISPUTE_FAMILY, 6),
            (Category::DISPUTE_PROPERTY, 10),
            (Category::CITY_PARKING, 15),
            (Category::CITY_SANITATION, 20),
            (Category::SAFETY_FIRE, 10),
            (Category::SAFETY_GAS, 8),
            (Category::SAFETY_BUILDING, 5),
            (Category::CITY_STREET_VENDOR, 8),
            (Category::SERVICE_PROXY, 6),
        ],
        Some("rural") => &[
            (Category::DISPUTE_LAND, 10),
            (Category::DISPUTE_NEIGHBOUR, 12),
            (Category::DISPUTE_FAMILY, 8),
            (Category::CITY_SANITATION, 20),
            (Category::ENVIRONMENT_POLLUTION, 12),
            (Category::SAFETY_FLOOD, 8),
            (Category::SAFETY_BUILDING, 10),
            (Category::SAFETY_FIRE, 8),
            (Category::SERVICE_PROXY, 8),
            (Category::CITY_STREET_VENDOR, 4),
        ],
        Some("industrial") => &[
            (Category::DISPUTE_LABOUR, 15),
            (Category::SAFETY_FIRE, 20),
            (Category::ENVIRONMENT_POLLUTION, 20),
            (Category::SAFETY_BUILDING, 10),
            (Category::SAFETY_GAS, 8),
            (Category::CITY_SANITATION, 12),
            (Category::CITY_PARKING, 10),
            (Category::PUBLIC_ORDER_GATHERING, 5),
        ],
        Some("commercial") => &[
            (Category::CITY_STREET_VENDOR, 30),
            (Category::CITY_PARKING, 25),
            (Category::CITY_SANITATION, 20),
            (Category::DISPUTE_LABOUR, 5),
            (Category::SAFETY_FIRE, 10),
            (Category::PUBLIC_ORDER_GATHERING, 5),
            (Category::DISPUTE_PROPERTY, 5),
        ],
        Some("school") => &[
            (Category::CITY_PARKING, 30),
            (Category::CITY_STREET_VENDOR, 20),
            (Category::SAFETY_FIRE, 15),
            (Category::SAFETY_BUILDING, 10),
            (Category::CITY_SANITATION, 15),
            (Category::PUBLIC_ORDER_GATHERING, 10),
        ],
        _ => &[
            (Category::DISPUTE_NEIGHBOUR, 8),
            (Category::DISPUTE_FAMILY, 4),
            (Category::DISPUTE_PROPERTY, 6),
            (Category::DISPUTE_LABOUR, 4),
            (Category::DISPUTE_LAND, 3),
            (Category::CITY_STREET_VENDOR, 12),
            (Category::CITY_PARKING, 14),
            (Category::CITY_SANITATION, 18),
            (Category::SAFETY_FIRE, 8),
            (Category::SAFETY_BUILDING, 4),
            (Category::SAFETY_GAS, 4),
            (Category::SAFETY_FLOOD, 3),
            (Category::ENVIRONMENT_POLLUTION, 6),
            (Category::SERVICE_PROXY, 5),
            (Category::PUBLIC_ORDER_GATHERING, 2),
        ],
    }
}

/// Who reports for a source, as the first timeline entry's actor.
pub fn reporter_actor(source: &Source) -> &'static str {
    match source {
        Source::GridPatrol => "网格员",
        Source::Police110 => "110指挥中心",
        Source::Litigation => "法院诉前调解中心",
        Source::Petition => "信访局",
        Source::Risk => "风险排查专班",
        Source::Hotline12345 => "12345政务服务热线",
        Source::VideoAi => "视频智能分析平台",
        Source::ProxyService => "代办员",
        Source::Other(_) => "外部系统",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hourly_shares_sum_to_one_day() {
        let office: f64 = OFFICE_HOURS.iter().sum();
        let clock: f64 = ROUND_THE_CLOCK.iter().sum();
        assert!((office - 1.0).abs() < 1e-9, "office hours sum to {office}");
        assert!(
            (clock - 1.0).abs() < 1e-9,
            "round the clock sums to {clock}"
        );
        let week: f64 = OFFICE_WEEK.iter().sum::<f64>() / 7.0;
        let week2: f64 = ROUND_THE_CLOCK_WEEK.iter().sum::<f64>() / 7.0;
        assert!((week - 1.0).abs() < 1e-9 && (week2 - 1.0).abs() < 1e-9);
    }

    #[test]
    fn every_category_a_source_names_has_a_profile() {
        for (source, _) in &DAILY_RATES {
            for (code, _) in source_categories(source) {
                assert_eq!(profile(code).code, *code);
            }
        }
    }
}
