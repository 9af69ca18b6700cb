//! Records of the governance platform's open data API (`governance-api.yaml`).
//!
//! These types are shared by the simulator (which writes them) and the app's
//! ingest (which reads them strictly, one record at a time, and quarantines a
//! record that fails). So serde does the validation the contract implies:
//! required fields are required, closed enums (`state`, `role`, `level`, ...)
//! reject unknown values, and every struct tolerates unknown fields because the
//! platform is upgraded without notice. The two open enums, [`Source`] and
//! [`Category`], keep an unknown value as its raw string so the wall can show
//! it. What serde cannot say (severity in 1..=4, revision ≥ 1) is checked by
//! [`Severity`]'s deserializer and by [`Event::validate`].

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;

/// `[lon, lat]` in degrees (CGCS2000, treated as WGS-84).
pub type LonLat = [f64; 2];

/// A node of the administrative tree above the grids.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Division {
    pub code: String,
    pub name: String,
    pub level: DivisionLevel,
    #[serde(default)]
    pub parent_code: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DivisionLevel {
    City,
    Town,
    Village,
}

/// A governance grid, the unit every event and worker belongs to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Grid {
    pub grid_id: String,
    pub name: String,
    pub village_code: String,
    pub town_code: String,
    /// Open set: residential, rural, industrial, commercial, school, mixed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub centroid: Option<LonLat>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub households: Option<u32>,
    #[serde(default)]
    pub micro_grids: Vec<MicroGrid>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MicroGrid {
    pub micro_grid_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A member of the grid workforce.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Worker {
    pub worker_id: String,
    pub name: String,
    pub role: Role,
    #[serde(default)]
    pub grid_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_masked: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_duty: Option<bool>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub last_seen_at: Option<OffsetDateTime>,
    #[serde(default)]
    pub position: Option<LonLat>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    GridLeader,
    FullTime,
    Instructor,
    PartTime,
}

impl Role {
    pub fn label_zh(&self) -> &'static str {
        match self {
            Role::GridLeader => "网格长",
            Role::FullTime => "专职网格员",
            Role::Instructor => "网格指导员",
            Role::PartTime => "兼职网格员",
        }
    }
}

/// One revision of a governance event (a case of the 发现—上报—处置—反馈 loop).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: String,
    pub revision: u32,
    pub seq: u64,
    pub source: Source,
    pub category: Category,
    pub severity: Severity,
    pub state: EventState,
    pub grid_id: String,
    #[serde(default)]
    pub micro_grid_id: Option<String>,
    #[serde(default)]
    pub location: Option<LonLat>,
    #[serde(default)]
    pub address: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub reported_by: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub reported_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub due_at: Option<OffsetDateTime>,
    #[serde(default)]
    pub assignee: Option<String>,
    #[serde(default)]
    pub mediation_outcome: Option<MediationOutcome>,
    #[serde(default)]
    pub handling_level: Option<HandlingLevel>,
    #[serde(default)]
    pub risk_colour: Option<RiskColour>,
    #[serde(default)]
    pub mass_incident: bool,
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    #[serde(default)]
    pub camera_id: Option<String>,
}

/// Why a record that parsed is still not a record the contract allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InvalidEvent {
    EmptyId,
    ZeroRevision,
    EmptyGridId,
    UpdatedBeforeReported,
}

impl fmt::Display for InvalidEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            InvalidEvent::EmptyId => "event id is empty",
            InvalidEvent::ZeroRevision => "revision must be at least 1",
            InvalidEvent::EmptyGridId => "grid_id is empty",
            InvalidEvent::UpdatedBeforeReported => "updated_at is before reported_at",
        })
    }
}

impl std::error::Error for InvalidEvent {}

impl Event {
    /// The checks serde cannot express. Severity is already checked while parsing.
    pub fn validate(&self) -> Result<(), InvalidEvent> {
        if self.id.is_empty() {
            return Err(InvalidEvent::EmptyId);
        }
        if self.revision == 0 {
            return Err(InvalidEvent::ZeroRevision);
        }
        if self.grid_id.is_empty() {
            return Err(InvalidEvent::EmptyGridId);
        }
        if self.updated_at < self.reported_at {
            return Err(InvalidEvent::UpdatedBeforeReported);
        }
        Ok(())
    }
}

/// `GET /events/{id}`: the newest revision with its whole timeline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventWithTimeline {
    #[serde(flatten)]
    pub event: Event,
    #[serde(default)]
    pub timeline: Vec<TimelineEntry>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    pub kind: AttachmentKind,
    pub url: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentKind {
    Photo,
    Video,
    Document,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediationOutcome {
    Success,
    Failed,
    Pending,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandlingLevel {
    Village,
    Town,
    City,
}

impl HandlingLevel {
    pub fn label_zh(&self) -> &'static str {
        match self {
            HandlingLevel::Village => "村级",
            HandlingLevel::Town => "镇级",
            HandlingLevel::City => "市级",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskColour {
    Blue,
    Yellow,
    Red,
}

/// One step of an event's history, as `GET /events/{id}` lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub revision: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub state: EventState,
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub note: String,
}

/// An instruction sent to grid workers, with its acknowledgement progress.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Broadcast {
    pub broadcast_id: String,
    pub title: String,
    #[serde(with = "time::serde::rfc3339")]
    pub sent_at: OffsetDateTime,
    pub recipients: u32,
    pub acked: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub ack_deadline_at: OffsetDateTime,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BroadcastAck {
    pub broadcast_id: String,
    pub worker_id: String,
    #[serde(default)]
    pub grid_id: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub acked_at: OffsetDateTime,
}

/// Who a broadcast reaches. `all` wins over the lists; the lists add up.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BroadcastScope {
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub all: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub town_codes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grid_ids: Vec<String>,
}

impl BroadcastScope {
    pub fn is_empty(&self) -> bool {
        !self.all && self.town_codes.is_empty() && self.grid_ids.is_empty()
    }
}

/// The body of `POST /broadcasts`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewBroadcast {
    pub title: String,
    pub body: String,
    pub scope: BroadcastScope,
    #[serde(default = "default_true")]
    pub require_ack: bool,
    #[serde(default = "default_ack_deadline_s")]
    pub ack_deadline_s: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
}

fn default_true() -> bool {
    true
}

fn default_ack_deadline_s() -> u32 {
    900
}

/// An RFC 9457 problem document (`application/problem+json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    #[serde(rename = "type", default = "about_blank")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

fn about_blank() -> String {
    "about:blank".to_owned()
}

/// Severity 1 (一般) to 4 (特别重大); anything else fails to parse.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Severity(u8);

impl Severity {
    pub const ORDINARY: Severity = Severity(1);
    pub const MAJOR: Severity = Severity(2);
    pub const SERIOUS: Severity = Severity(3);
    pub const CRITICAL: Severity = Severity(4);

    pub fn new(level: u8) -> Option<Severity> {
        (1..=4).contains(&level).then_some(Severity(level))
    }

    pub fn get(self) -> u8 {
        self.0
    }

    pub fn label_zh(self) -> &'static str {
        match self.0 {
            1 => "一般",
            2 => "较大",
            3 => "重大",
            _ => "特别重大",
        }
    }
}

impl Serialize for Severity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.0)
    }
}

impl<'de> Deserialize<'de> for Severity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let level = u8::deserialize(d)?;
        Severity::new(level).ok_or_else(|| {
            serde::de::Error::custom(format_args!("severity must be 1 to 4, got {level}"))
        })
    }
}

/// The closed loop's states. Closed: an unknown state fails to parse.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventState {
    Reported,
    Accepted,
    Dispatched,
    InProgress,
    Resolved,
    Closed,
    MediationFailed,
    Escalated,
    Returned,
    Cancelled,
}

impl EventState {
    pub const ALL: [EventState; 10] = [
        EventState::Reported,
        EventState::Accepted,
        EventState::Dispatched,
        EventState::InProgress,
        EventState::Resolved,
        EventState::Closed,
        EventState::MediationFailed,
        EventState::Escalated,
        EventState::Returned,
        EventState::Cancelled,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            EventState::Reported => "reported",
            EventState::Accepted => "accepted",
            EventState::Dispatched => "dispatched",
            EventState::InProgress => "in_progress",
            EventState::Resolved => "resolved",
            EventState::Closed => "closed",
            EventState::MediationFailed => "mediation_failed",
            EventState::Escalated => "escalated",
            EventState::Returned => "returned",
            EventState::Cancelled => "cancelled",
        }
    }

    pub fn label_zh(&self) -> &'static str {
        match self {
            EventState::Reported => "上报",
            EventState::Accepted => "受理",
            EventState::Dispatched => "派遣",
            EventState::InProgress => "处置中",
            EventState::Resolved => "已办结",
            EventState::Closed => "已关闭",
            EventState::MediationFailed => "调解失败",
            EventState::Escalated => "上报升级",
            EventState::Returned => "退回",
            EventState::Cancelled => "已撤销",
        }
    }

    /// Whether the event has left the loop for good (`state=open` leaves these out).
    pub fn is_terminal(&self) -> bool {
        matches!(self, EventState::Closed | EventState::Cancelled)
    }
}

/// Where a matter came from. Open: an unknown value is kept as [`Source::Other`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    GridPatrol,
    Police110,
    Litigation,
    Petition,
    Risk,
    Hotline12345,
    VideoAi,
    ProxyService,
    Other(String),
}

impl Source {
    pub const KNOWN: [Source; 8] = [
        Source::GridPatrol,
        Source::Police110,
        Source::Litigation,
        Source::Petition,
        Source::Risk,
        Source::Hotline12345,
        Source::VideoAi,
        Source::ProxyService,
    ];

    pub fn as_str(&self) -> &str {
        match self {
            Source::GridPatrol => "grid_patrol",
            Source::Police110 => "police_110",
            Source::Litigation => "litigation",
            Source::Petition => "petition",
            Source::Risk => "risk",
            Source::Hotline12345 => "hotline_12345",
            Source::VideoAi => "video_ai",
            Source::ProxyService => "proxy_service",
            Source::Other(raw) => raw,
        }
    }

    pub fn parse(raw: &str) -> Source {
        Source::KNOWN
            .iter()
            .find(|known| known.as_str() == raw)
            .cloned()
            .unwrap_or_else(|| Source::Other(raw.to_owned()))
    }

    /// The label the wall shows; an unknown source shows its raw value.
    pub fn label_zh(&self) -> &str {
        match self {
            Source::GridPatrol => "网格巡查",
            Source::Police110 => "警源·110非警务",
            Source::Litigation => "诉源",
            Source::Petition => "访源",
            Source::Risk => "险源",
            Source::Hotline12345 => "12345热线",
            Source::VideoAi => "视频智能发现",
            Source::ProxyService => "代办服务",
            Source::Other(raw) => raw,
        }
    }

    /// One of the four sources of 四源共治 (police, litigation, petition, risk).
    pub fn is_four_sources(&self) -> bool {
        matches!(
            self,
            Source::Police110 | Source::Litigation | Source::Petition | Source::Risk
        )
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Source {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Source {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Ok(Source::parse(&raw))
    }
}

/// A dotted category code such as `dispute.neighbour`. Open: any string is kept.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Category(pub String);

impl Category {
    pub const DISPUTE_NEIGHBOUR: &'static str = "dispute.neighbour";
    pub const DISPUTE_FAMILY: &'static str = "dispute.family";
    pub const DISPUTE_LABOUR: &'static str = "dispute.labour";
    pub const DISPUTE_PROPERTY: &'static str = "dispute.property";
    pub const DISPUTE_LAND: &'static str = "dispute.land";
    pub const CITY_STREET_VENDOR: &'static str = "city.street_vendor";
    pub const CITY_PARKING: &'static str = "city.parking";
    pub const CITY_SANITATION: &'static str = "city.sanitation";
    pub const SAFETY_FIRE: &'static str = "safety.fire";
    pub const SAFETY_BUILDING: &'static str = "safety.building";
    pub const SAFETY_GAS: &'static str = "safety.gas";
    pub const SAFETY_FLOOD: &'static str = "safety.flood";
    pub const ENVIRONMENT_POLLUTION: &'static str = "environment.pollution";
    pub const SERVICE_PROXY: &'static str = "service.proxy";
    pub const PUBLIC_ORDER_GATHERING: &'static str = "public_order.gathering";

    /// Every code the contract names, with its Chinese label.
    pub const KNOWN: [(&'static str, &'static str); 15] = [
        (Self::DISPUTE_NEIGHBOUR, "邻里纠纷"),
        (Self::DISPUTE_FAMILY, "婚姻家庭纠纷"),
        (Self::DISPUTE_LABOUR, "劳资纠纷"),
        (Self::DISPUTE_PROPERTY, "物业纠纷"),
        (Self::DISPUTE_LAND, "土地纠纷"),
        (Self::CITY_STREET_VENDOR, "占道经营"),
        (Self::CITY_PARKING, "违规停车"),
        (Self::CITY_SANITATION, "环境卫生"),
        (Self::SAFETY_FIRE, "消防安全"),
        (Self::SAFETY_BUILDING, "房屋安全"),
        (Self::SAFETY_GAS, "燃气安全"),
        (Self::SAFETY_FLOOD, "防汛防台"),
        (Self::ENVIRONMENT_POLLUTION, "环境污染"),
        (Self::SERVICE_PROXY, "代办服务"),
        (Self::PUBLIC_ORDER_GATHERING, "人员聚集"),
    ];

    pub fn new(code: impl Into<String>) -> Category {
        Category(code.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first dotted segment: `dispute`, `city`, `safety`, ...
    pub fn family(&self) -> &str {
        self.0.split('.').next().unwrap_or("")
    }

    pub fn is_dispute(&self) -> bool {
        self.family() == "dispute"
    }

    /// The label the wall shows; an unknown code shows its raw value.
    pub fn label_zh(&self) -> &str {
        Self::KNOWN
            .iter()
            .find(|(code, _)| *code == self.0)
            .map(|(_, label)| *label)
            .unwrap_or(&self.0)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event_json() -> serde_json::Value {
        json!({
            "id": "SJ2026112700123", "revision": 2, "seq": 99,
            "source": "police_110", "category": "dispute.neighbour", "severity": 2,
            "state": "accepted", "grid_id": "330282004001G03",
            "reported_at": "2026-11-27T09:00:00+08:00", "updated_at": "2026-11-27T09:05:00+08:00",
            "title": "邻里噪音纠纷"
        })
    }

    #[test]
    fn a_minimal_event_parses_and_validates() {
        let event: Event = serde_json::from_value(event_json()).unwrap();
        assert_eq!(event.source, Source::Police110);
        assert_eq!(event.state, EventState::Accepted);
        assert_eq!(event.severity, Severity::MAJOR);
        assert!(event.validate().is_ok());
    }

    #[test]
    fn unknown_fields_are_tolerated() {
        let mut value = event_json();
        value["x_new_field"] = json!({"nested": [1, 2]});
        assert!(serde_json::from_value::<Event>(value).is_ok());
    }

    #[test]
    fn unknown_sources_and_categories_keep_their_raw_value() {
        let mut value = event_json();
        value["source"] = json!("drone_patrol");
        value["category"] = json!("traffic.new_kind");
        let event: Event = serde_json::from_value(value).unwrap();
        assert_eq!(event.source, Source::Other("drone_patrol".into()));
        assert_eq!(event.source.label_zh(), "drone_patrol");
        assert_eq!(event.category.label_zh(), "traffic.new_kind");
        let back = serde_json::to_value(&event).unwrap();
        assert_eq!(back["source"], "drone_patrol");
    }

    #[test]
    fn an_unknown_state_is_rejected() {
        let mut value = event_json();
        value["state"] = json!("archived");
        assert!(serde_json::from_value::<Event>(value).is_err());
    }

    #[test]
    fn severity_outside_one_to_four_is_rejected() {
        for bad in [json!(0), json!(5), json!("2")] {
            let mut value = event_json();
            value["severity"] = bad;
            assert!(serde_json::from_value::<Event>(value).is_err());
        }
    }

    #[test]
    fn missing_required_fields_are_rejected() {
        for field in ["id", "seq", "grid_id", "title", "reported_at", "state"] {
            let mut value = event_json();
            value.as_object_mut().unwrap().remove(field);
            assert!(
                serde_json::from_value::<Event>(value).is_err(),
                "{field} should be required"
            );
        }
    }

    #[test]
    fn revision_zero_fails_validation() {
        let mut value = event_json();
        value["revision"] = json!(0);
        let event: Event = serde_json::from_value(value).unwrap();
        assert_eq!(event.validate(), Err(InvalidEvent::ZeroRevision));
    }

    #[test]
    fn labels_are_chinese() {
        assert_eq!(Source::Police110.label_zh(), "警源·110非警务");
        assert_eq!(Source::Litigation.label_zh(), "诉源");
        assert_eq!(EventState::MediationFailed.label_zh(), "调解失败");
        assert_eq!(Category::new("city.street_vendor").label_zh(), "占道经营");
    }

    #[test]
    fn known_sources_round_trip_through_their_wire_names() {
        for source in Source::KNOWN {
            assert_eq!(Source::parse(source.as_str()), source);
        }
    }

    #[test]
    fn event_with_timeline_flattens_the_event() {
        let mut value = event_json();
        value["timeline"] = json!([{"revision": 1, "at": "2026-11-27T09:00:00+08:00", "state": "reported", "actor": "网格员", "note": ""}]);
        let parsed: EventWithTimeline = serde_json::from_value(value).unwrap();
        assert_eq!(parsed.timeline.len(), 1);
        assert_eq!(parsed.event.revision, 2);
    }
}
