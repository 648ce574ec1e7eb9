//! The JSON of 1:1s: series, meetings with their agenda, notes and action items, and the people
//! they are between.

use serde::Serialize;
use utoipa::ToSchema;

use super::plans::CompetencyRef;
use crate::growth::one_on_ones as service;

/// Someone, by id and name.
#[derive(Serialize, ToSchema)]
#[schema(as = OneOnOnePerson)]
pub struct PersonRef {
    pub id: i64,
    pub name: String,
}

impl From<service::PersonRef> for PersonRef {
    fn from(p: service::PersonRef) -> Self {
        PersonRef {
            id: p.id,
            name: p.name,
        }
    }
}

/// A participant's side of a series.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = OneOnOneSide)]
pub enum Side {
    Manager,
    Report,
}

impl From<service::Side> for Side {
    fn from(side: service::Side) -> Self {
        match side {
            service::Side::Manager => Side::Manager,
            service::Side::Report => Side::Report,
        }
    }
}

/// A series as the list of one's 1:1s shows it.
#[derive(Serialize, ToSchema)]
#[schema(as = OneOnOneSeriesSummary)]
pub struct SeriesSummary {
    pub id: i64,
    pub manager: PersonRef,
    pub report: PersonRef,
    pub cadence_days: i64,
    /// The viewer's side.
    pub side: Side,
    pub next_meeting_id: i64,
    /// `YYYY-MM-DD`.
    pub next_on: String,
    /// The next meeting's date is past and it was not completed.
    pub overdue: bool,
    /// `YYYY-MM-DD` of the last meeting held.
    pub last_held_on: Option<String>,
    pub open_action_items: i64,
    /// The manager is no longer the report's manager: see [`SeriesInfo::closed`].
    pub closed: bool,
}

impl From<service::SeriesSummary> for SeriesSummary {
    fn from(s: service::SeriesSummary) -> Self {
        SeriesSummary {
            id: s.id,
            manager: s.manager.into(),
            report: s.report.into(),
            cadence_days: s.cadence_days,
            side: s.side.into(),
            next_meeting_id: s.next_meeting_id,
            next_on: s.next_on,
            overdue: s.overdue,
            last_held_on: s.last_held_on,
            open_action_items: s.open_action_items,
            closed: s.closed,
        }
    }
}

/// Someone the viewer can start a series with: a direct report, or their own manager.
#[derive(Serialize, ToSchema)]
#[schema(as = OneOnOneCandidate)]
pub struct Candidate {
    pub id: i64,
    pub name: String,
    /// The viewer's side in the series it would start.
    pub side: Side,
}

impl From<service::Candidate> for Candidate {
    fn from(c: service::Candidate) -> Self {
        Candidate {
            id: c.id,
            name: c.name,
            side: c.side.into(),
        }
    }
}

/// The viewer's 1:1s, as manager and as report.
#[derive(Serialize, ToSchema)]
pub struct MyOneOnOnes {
    /// Soonest next meeting first.
    pub series: Vec<SeriesSummary>,
    /// People with whom the viewer has no series yet.
    pub can_start_with: Vec<Candidate>,
}

impl From<service::MyOneOnOnes> for MyOneOnOnes {
    fn from(m: service::MyOneOnOnes) -> Self {
        MyOneOnOnes {
            series: m.series.into_iter().map(Into::into).collect(),
            can_start_with: m.can_start_with.into_iter().map(Into::into).collect(),
        }
    }
}

/// Who a series is between, and what the viewer may do in it.
#[derive(Serialize, ToSchema)]
#[schema(as = OneOnOneSeriesInfo)]
pub struct SeriesInfo {
    pub id: i64,
    pub manager: PersonRef,
    pub report: PersonRef,
    pub cadence_days: i64,
    /// The viewer's side; `None` for readers above the manager and admins.
    pub side: Option<Side>,
    /// The manager is no longer the report's manager (the report moved, or the manager did): the
    /// series is closed. Its history stays readable by those who could read it; nothing can be
    /// added. It opens again if they become manager and report again.
    pub closed: bool,
    /// The viewer is a participant, the series is not closed, and they write in the upcoming
    /// meeting.
    pub can_write: bool,
}

impl From<service::SeriesInfo> for SeriesInfo {
    fn from(s: service::SeriesInfo) -> Self {
        SeriesInfo {
            id: s.id,
            manager: s.manager.into(),
            report: s.report.into(),
            cadence_days: s.cadence_days,
            side: s.side.map(Into::into),
            closed: s.closed,
            can_write: s.can_write,
        }
    }
}

/// An action item, as a meeting shows it.
#[derive(Serialize, ToSchema)]
#[schema(as = OneOnOneActionItem)]
pub struct ActionItem {
    pub id: i64,
    pub title: String,
    /// One of the two participants.
    pub owner: Option<PersonRef>,
    /// `YYYY-MM-DD`.
    pub due_on: Option<String>,
    /// Done, as of this meeting.
    pub done: bool,
    /// Unix seconds.
    pub done_at: Option<i64>,
    /// Open past its due date (upcoming meetings only).
    pub overdue: bool,
    /// The date of the meeting the item was added in, when that is an earlier meeting.
    pub carried_over_from: Option<String>,
}

impl From<service::ActionItem> for ActionItem {
    fn from(a: service::ActionItem) -> Self {
        ActionItem {
            id: a.id,
            title: a.title,
            owner: a.owner.map(Into::into),
            due_on: a.due_on,
            done: a.done,
            done_at: a.done_at,
            overdue: a.overdue,
            carried_over_from: a.carried_over_from,
        }
    }
}

/// Where a meeting stands.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = OneOnOneMeetingStatus)]
pub enum MeetingStatus {
    /// The series' next meeting: the one people prepare and write in.
    Upcoming,
    /// Completed; read only.
    Held,
}

impl From<service::MeetingStatus> for MeetingStatus {
    fn from(status: service::MeetingStatus) -> Self {
        match status {
            service::MeetingStatus::Upcoming => MeetingStatus::Upcoming,
            service::MeetingStatus::Held => MeetingStatus::Held,
        }
    }
}

/// A meeting in the history of a series.
#[derive(Serialize, ToSchema)]
#[schema(as = OneOnOneMeetingSummary)]
pub struct MeetingSummary {
    pub id: i64,
    /// `YYYY-MM-DD`.
    pub scheduled_on: String,
    pub status: MeetingStatus,
    /// Unix seconds.
    pub held_at: Option<i64>,
    /// `YYYY-MM-DD` of the day it was held: the day it was completed when that was before its
    /// planned day, else its planned day.
    pub held_on: Option<String>,
    pub talking_points: i64,
    /// A talking point links a goal or a competency.
    pub growth: bool,
}

impl From<service::MeetingSummary> for MeetingSummary {
    fn from(m: service::MeetingSummary) -> Self {
        MeetingSummary {
            id: m.id,
            scheduled_on: m.scheduled_on,
            status: m.status.into(),
            held_at: m.held_at,
            held_on: m.held_on,
            talking_points: m.talking_points,
            growth: m.growth,
        }
    }
}

/// A series with its upcoming meeting and the meetings held.
#[derive(Serialize, ToSchema)]
#[schema(as = OneOnOneSeries)]
pub struct Series {
    #[serde(flatten)]
    pub info: SeriesInfo,
    pub current: Meeting,
    /// Newest first.
    pub history: Vec<MeetingSummary>,
}

impl From<service::Series> for Series {
    fn from(s: service::Series) -> Self {
        Series {
            info: s.info.into(),
            current: s.current.into(),
            history: s.history.into_iter().map(Into::into).collect(),
        }
    }
}

// The goals a talking point can link, which the pages offer writers, are not sent.
/// A meeting with its agenda, notes and action items.
#[derive(Serialize, ToSchema)]
#[schema(as = OneOnOneMeeting)]
pub struct Meeting {
    pub id: i64,
    pub series_id: i64,
    /// `YYYY-MM-DD`.
    pub scheduled_on: String,
    pub status: MeetingStatus,
    /// Unix seconds.
    pub held_at: Option<i64>,
    /// `YYYY-MM-DD` of the day it was held: the day it was completed when that was before its
    /// planned day, else its planned day.
    pub held_on: Option<String>,
    /// Upcoming with a date before today.
    pub overdue: bool,
    /// A talking point links a goal or a competency.
    pub growth: bool,
    /// In agenda order.
    pub agenda: Vec<TalkingPoint>,
    /// Markdown, written by both participants.
    pub shared_notes: String,
    /// How many times the shared notes were saved; send it back to save, so that a save from an
    /// older copy is refused instead of overwriting the other participant's words.
    pub notes_revision: i64,
    pub notes_updated_by: Option<String>,
    /// Added in this meeting, and carried over from earlier ones until done.
    pub action_items: Vec<ActionItem>,
    /// The viewer's own private note; nobody else's is ever here.
    pub private_note: Option<PrivateNote>,
    /// The viewer may write in this meeting: a participant, and the meeting is upcoming.
    pub can_write: bool,
}

impl From<service::Meeting> for Meeting {
    fn from(m: service::Meeting) -> Self {
        Meeting {
            id: m.id,
            series_id: m.series_id,
            scheduled_on: m.scheduled_on,
            status: m.status.into(),
            held_at: m.held_at,
            held_on: m.held_on,
            overdue: m.overdue,
            growth: m.growth,
            agenda: m.agenda.into_iter().map(Into::into).collect(),
            shared_notes: m.shared_notes,
            notes_revision: m.notes_revision,
            notes_updated_by: m.notes_updated_by,
            action_items: m.action_items.into_iter().map(Into::into).collect(),
            private_note: m.private_note.map(Into::into),
            can_write: m.can_write,
        }
    }
}

/// A meeting with the series it belongs to.
#[derive(Serialize, ToSchema)]
#[schema(as = OneOnOneMeetingPage)]
pub struct MeetingPage {
    pub series: SeriesInfo,
    pub meeting: Meeting,
}

impl From<service::MeetingPage> for MeetingPage {
    fn from(m: service::MeetingPage) -> Self {
        MeetingPage {
            series: m.series.into(),
            meeting: m.meeting.into(),
        }
    }
}

/// What completing a meeting did.
#[derive(Serialize, ToSchema)]
#[schema(as = OneOnOneCompleted)]
pub struct Completed {
    /// The meeting completed.
    pub meeting_id: i64,
    /// `YYYY-MM-DD`: the day it was held.
    pub held_on: String,
    /// The meeting added after it.
    pub next_meeting_id: i64,
    /// `YYYY-MM-DD` of the next meeting.
    pub next_on: String,
    /// Talking points not marked discussed, carried over to the next meeting.
    pub carried_talking_points: i64,
    /// Action items not done, carried over to the next meeting.
    pub carried_action_items: i64,
}

impl From<service::Completed> for Completed {
    fn from(c: service::Completed) -> Self {
        Completed {
            meeting_id: c.meeting_id,
            held_on: c.held_on,
            next_meeting_id: c.next_meeting_id,
            next_on: c.next_on,
            carried_talking_points: c.carried_talking_points,
            carried_action_items: c.carried_action_items,
        }
    }
}

/// One of the report's goals, as a talking point links it.
#[derive(Serialize, ToSchema)]
pub struct GoalLink {
    pub id: i64,
    pub title: String,
}

impl From<service::GoalLink> for GoalLink {
    fn from(g: service::GoalLink) -> Self {
        GoalLink {
            id: g.id,
            title: g.title,
        }
    }
}

/// An item of a meeting's shared agenda.
#[derive(Serialize, ToSchema)]
pub struct TalkingPoint {
    pub id: i64,
    pub author: Option<PersonRef>,
    pub body: String,
    pub goal: Option<GoalLink>,
    pub competency: Option<CompetencyRef>,
    pub discussed: bool,
    /// The viewer may remove it: its author, while the meeting is upcoming.
    pub can_remove: bool,
    /// The date of the meeting it was first added to, when it was not discussed there and so
    /// carried over to this one.
    pub carried_over_from: Option<String>,
}

impl From<service::TalkingPoint> for TalkingPoint {
    fn from(t: service::TalkingPoint) -> Self {
        TalkingPoint {
            id: t.id,
            author: t.author.map(Into::into),
            body: t.body,
            goal: t.goal.map(Into::into),
            competency: t.competency.map(Into::into),
            discussed: t.discussed,
            can_remove: t.can_remove,
            carried_over_from: t.carried_over_from,
        }
    }
}

/// The viewer's own private note on a meeting.
#[derive(Serialize, ToSchema)]
#[schema(as = OneOnOnePrivateNote)]
pub struct PrivateNote {
    pub body: String,
    /// Unix seconds.
    pub updated_at: i64,
}

impl From<service::PrivateNote> for PrivateNote {
    fn from(p: service::PrivateNote) -> Self {
        PrivateNote {
            body: p.body,
            updated_at: p.updated_at,
        }
    }
}

/// Someone's next 1:1, for the home page and the team view.
#[derive(Serialize, ToSchema)]
#[schema(as = NextOneOnOne)]
pub struct NextMeeting {
    pub series_id: i64,
    pub meeting_id: i64,
    /// `YYYY-MM-DD`.
    pub scheduled_on: String,
    /// The other participant.
    pub with_id: i64,
    pub with_name: String,
    /// The person's side of the series.
    pub side: Side,
    /// The date is past and the meeting was not completed.
    pub overdue: bool,
}

impl From<service::NextMeeting> for NextMeeting {
    fn from(n: service::NextMeeting) -> Self {
        NextMeeting {
            series_id: n.series_id,
            meeting_id: n.meeting_id,
            scheduled_on: n.scheduled_on,
            with_id: n.with_id,
            with_name: n.with_name,
            side: n.side.into(),
            overdue: n.overdue,
        }
    }
}
