//! The readiness self-check's answers, and what to do next given them: [`advise`] turns a
//! self-check's answers into next steps, most urgent first, and [`compare`] sets two self-checks
//! side by side. Both are pure functions of the answers; the server keeps the answers.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Stage;

/// A statement about today's career tracks, rated from 1 (not true at all) to 5 (entirely true).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Statement {
    KnowsTrack,
    CanAccess,
    DrivesPlans,
    Scales,
    Objective,
    Useful,
    Values,
}

impl Statement {
    pub const ALL: [Statement; 7] = [
        Statement::KnowsTrack,
        Statement::CanAccess,
        Statement::DrivesPlans,
        Statement::Scales,
        Statement::Objective,
        Statement::Useful,
        Statement::Values,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Statement::KnowsTrack => "knows_track",
            Statement::CanAccess => "can_access",
            Statement::DrivesPlans => "drives_plans",
            Statement::Scales => "scales",
            Statement::Objective => "objective",
            Statement::Useful => "useful",
            Statement::Values => "values",
        }
    }

    pub fn parse(raw: &str) -> Option<Statement> {
        Statement::ALL
            .into_iter()
            .find(|s| s.as_str() == raw.trim())
    }

    /// The statement as the self-check asks it.
    pub fn text(self) -> &'static str {
        match self {
            Statement::KnowsTrack => {
                "Anyone here can tell you which track they are on and what their level expects."
            }
            Statement::CanAccess => {
                "People can open their track whenever they want, without asking anyone."
            }
            Statement::DrivesPlans => "Every person's development plan is built on their track.",
            Statement::Scales => "The tracks keep working as we add people, teams and roles.",
            Statement::Objective => {
                "The expectations are concrete enough that two managers would judge them the same way."
            }
            Statement::Useful => {
                "Employees and managers both find the tracks useful in their conversations."
            }
            Statement::Values => {
                "The tracks show what the company values and is trying to achieve."
            }
        }
    }

    /// The roadmap stage whose work improves this statement most directly.
    pub fn stage(self) -> Stage {
        match self {
            // Knowing and finding one's track: distributing the tracks and explaining them.
            Statement::KnowsTrack | Statement::CanAccess => Stage::Implementation,
            // Plans built on tracks: managers who can discuss them.
            Statement::DrivesPlans => Stage::Training,
            // Structure and wording: the writing of the tracks.
            Statement::Scales | Statement::Objective => Stage::Development,
            // Usefulness is learnt from the people using them.
            Statement::Useful => Stage::Measuring,
            // Values and mission: the priorities set before writing.
            Statement::Values => Stage::Planning,
        }
    }
}

/// A benefit of career tracks, rated from 1 (does not matter to us) to 5 (essential).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Benefit {
    Development,
    Culture,
    Recruiting,
    Roadmaps,
    Reviews,
    Retention,
}

impl Benefit {
    pub const ALL: [Benefit; 6] = [
        Benefit::Development,
        Benefit::Culture,
        Benefit::Recruiting,
        Benefit::Roadmaps,
        Benefit::Reviews,
        Benefit::Retention,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Benefit::Development => "development",
            Benefit::Culture => "culture",
            Benefit::Recruiting => "recruiting",
            Benefit::Roadmaps => "roadmaps",
            Benefit::Reviews => "reviews",
            Benefit::Retention => "retention",
        }
    }

    pub fn parse(raw: &str) -> Option<Benefit> {
        Benefit::ALL.into_iter().find(|b| b.as_str() == raw.trim())
    }

    pub fn text(self) -> &'static str {
        match self {
            Benefit::Development => "Helping people grow in their profession",
            Benefit::Culture => "Strengthening the culture we want",
            Benefit::Recruiting => "Deciding better whom to hire, and at which level",
            Benefit::Roadmaps => "Showing every employee a path forward",
            Benefit::Reviews => "Giving performance reviews a shared reference",
            Benefit::Retention => "Keeping the people we most want to keep",
        }
    }
}

/// Whether the organisation has job levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Levels {
    /// Clear levels for each role.
    Defined,
    /// Levels exist but are not clearly defined yet.
    Unclear,
    /// No levels: a flat organisation.
    Flat,
}

impl Levels {
    pub const ALL: [Levels; 3] = [Levels::Defined, Levels::Unclear, Levels::Flat];

    pub fn as_str(self) -> &'static str {
        match self {
            Levels::Defined => "defined",
            Levels::Unclear => "unclear",
            Levels::Flat => "flat",
        }
    }

    pub fn parse(raw: &str) -> Option<Levels> {
        Levels::ALL.into_iter().find(|l| l.as_str() == raw.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Levels::Defined => "Yes: every role has clearly defined levels",
            Levels::Unclear => "We have levels, but they are not clearly defined",
            Levels::Flat => "No: we are a flat organisation",
        }
    }
}

/// A rating from 1 to 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "u8", into = "u8")]
pub struct Score(u8);

impl Score {
    pub fn get(self) -> u8 {
        self.0
    }

    /// A score as typed: a whole number from 1 to 5.
    pub fn parse(raw: &str) -> Result<Score, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("choose a rating from 1 to 5".into());
        }
        raw.parse::<i64>()
            .ok()
            .and_then(|n| u8::try_from(n).ok())
            .and_then(|n| Score::try_from(n).ok())
            .ok_or_else(|| format!("“{raw}” is not a rating: use a whole number from 1 to 5"))
    }
}

impl TryFrom<u8> for Score {
    type Error = String;

    fn try_from(n: u8) -> Result<Score, String> {
        if (1..=5).contains(&n) {
            Ok(Score(n))
        } else {
            Err(format!("{n} is not a rating from 1 to 5"))
        }
    }
}

impl From<Score> for u8 {
    fn from(s: Score) -> u8 {
        s.0
    }
}

/// A self-check's answers, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SelfCheckAnswers {
    pub competencies_defined: bool,
    pub levels: Levels,
    pub tracks_exist: bool,
    /// Today's tracks on each statement; empty when there are no tracks yet.
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, u8>))]
    pub statements: BTreeMap<Statement, Score>,
    /// How better tracks would make a measurable difference (optional).
    pub impact: String,
    /// How much each benefit matters.
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, u8>))]
    pub benefits: BTreeMap<Benefit, Score>,
    pub top_benefit: Benefit,
    /// Why that benefit matters most, and how it fits the company's goals.
    pub top_benefit_why: String,
    /// Where the organisation is today.
    pub stage: Stage,
}

impl SelfCheckAnswers {
    /// The answers as the form's fields, to fill the form of a retake.
    pub fn to_fields(&self) -> BTreeMap<String, String> {
        let yes_no = |b: bool| if b { "yes" } else { "no" }.to_owned();
        let mut f = BTreeMap::new();
        f.insert("competencies".into(), yes_no(self.competencies_defined));
        f.insert("levels".into(), self.levels.as_str().into());
        f.insert("tracks".into(), yes_no(self.tracks_exist));
        for (s, score) in &self.statements {
            f.insert(format!("statement_{}", s.as_str()), score.get().to_string());
        }
        f.insert("impact".into(), self.impact.clone());
        for (b, score) in &self.benefits {
            f.insert(format!("benefit_{}", b.as_str()), score.get().to_string());
        }
        f.insert("top_benefit".into(), self.top_benefit.as_str().into());
        f.insert("why".into(), self.top_benefit_why.clone());
        f.insert("stage".into(), self.stage.as_str().into());
        f
    }

    /// The foundations a track is made of are in place: competencies, and levels (or a flat
    /// structure, which needs none).
    fn foundations_ready(&self) -> bool {
        self.competencies_defined && self.levels != Levels::Unclear
    }
}

/// A link in a piece of advice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Link {
    pub label: String,
    pub href: String,
}

fn link(label: impl Into<String>, href: impl Into<String>) -> Link {
    Link {
        label: label.into(),
        href: href.into(),
    }
}

fn stage_link(stage: Stage) -> Link {
    link(
        format!("The {} stage on the roadmap", stage.name()),
        format!("/admin/rollout/roadmap#stage-{}", stage.as_str()),
    )
}

/// One thing to do next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Advice {
    /// A stable name of the rule that gave it, e.g. `define_competencies` or `improve_training`.
    pub key: String,
    pub title: String,
    pub detail: String,
    pub links: Vec<Link>,
}

/// The statements to work on: every one rated 1 or 2; when none is, those with the lowest rating
/// if it is 3 (neutral). Tracks rated 4 or more everywhere have no weak statement.
pub fn weakest(statements: &BTreeMap<Statement, Score>) -> Vec<(Statement, Score)> {
    let low: Vec<(Statement, Score)> = statements
        .iter()
        .filter(|(_, s)| s.get() <= 2)
        .map(|(st, s)| (*st, *s))
        .collect();
    if !low.is_empty() {
        return low;
    }
    match statements.values().min() {
        Some(min) if min.get() == 3 => statements
            .iter()
            .filter(|(_, s)| *s == min)
            .map(|(st, s)| (*st, *s))
            .collect(),
        _ => Vec::new(),
    }
}

/// What to do next, most urgent first. A pure function of the answers: foundations before tracks,
/// tracks before their rollout, the weakest statements by the stage that addresses them, then the
/// pilot and the checklist of the stage the team is at.
pub fn advise(a: &SelfCheckAnswers) -> Vec<Advice> {
    let mut advice = Vec::new();
    foundations(a, &mut advice);
    if a.tracks_exist {
        weak_statements(a, &mut advice);
    }
    rollout(a, &mut advice);
    advice
}

/// What the tracks are made of, and the tracks themselves: competencies, levels, a first track.
fn foundations(a: &SelfCheckAnswers, advice: &mut Vec<Advice>) {
    if !a.competencies_defined {
        advice.push(Advice {
            key: "define_competencies".into(),
            title: "Define your competencies first".into(),
            detail: "A track describes each competency at each level, so the competencies come \
                     first. Agree on a short list of the skills and behaviours that matter here: \
                     start from the shared library or a template and adapt the wording."
                .into(),
            links: vec![
                link("The competency library", "/competencies"),
                link("Edit the library", "/draft/library#competencies"),
                link("Start from a template", "/draft/templates"),
            ],
        });
    }
    match a.levels {
        Levels::Unclear => advice.push(Advice {
            key: "define_levels".into(),
            title: "Define your levels".into(),
            detail: "You have levels, but they are not clearly defined. Settle how many levels \
                     each role has and what sets one apart from the next before writing \
                     expectations: a track is a grid of levels and competencies."
                .into(),
            links: vec![
                link("Grades shared by all tracks", "/draft/library#grades"),
                link("Tracks and their levels in the editor", "/draft"),
            ],
        }),
        Levels::Flat => advice.push(Advice {
            key: "flat_organisation".into(),
            title: "Describe growth without a ladder".into(),
            detail: "A flat organisation still needs to show how someone takes on more \
                     responsibility or earns a raise. Use a few broad levels that describe scope, \
                     and say in each level's summary what changes from the one before."
                .into(),
            links: vec![link("Tracks and their levels in the editor", "/draft")],
        }),
        Levels::Defined => {}
    }
    if !a.tracks_exist && a.foundations_ready() {
        advice.push(Advice {
            key: "build_tracks".into(),
            title: "Build your first career tracks".into(),
            detail: "You have what a track is made of. Start with one team: pick the template \
                     closest to its work, rewrite the expectations in your words with its \
                     managers, and publish when the team recognises itself in it."
                .into(),
            links: vec![
                link("Template gallery", "/draft/templates"),
                link("The framework editor", "/draft"),
            ],
        });
    }
}

/// Today's tracks: keep measuring when every statement rates well, otherwise work on the stages
/// that address the weakest statements.
fn weak_statements(a: &SelfCheckAnswers, advice: &mut Vec<Advice>) {
    let weak = weakest(&a.statements);
    if weak.is_empty() && !a.statements.is_empty() {
        advice.push(Advice {
            key: "tracks_work".into(),
            title: "Your tracks rate well: keep measuring".into(),
            detail: "Every statement is rated 4 or more. Ask employees whether they agree with \
                     a short pulse survey, and watch the measures over time."
                .into(),
            links: vec![stage_link(Stage::Measuring)],
        });
    }
    for stage in Stage::ALL {
        let here: Vec<String> = weak
            .iter()
            .filter(|(s, _)| s.stage() == stage)
            .map(|(s, score)| format!("“{}” ({}/5)", s.text(), score.get()))
            .collect();
        if here.is_empty() {
            continue;
        }
        advice.push(Advice {
            key: format!("improve_{}", stage.as_str()),
            title: format!("Work on the {} stage", stage.name()),
            detail: format!(
                "{} This is where you improve what you rated lowest: {}.",
                stage.purpose(),
                here.join(", ")
            ),
            links: vec![stage_link(stage)],
        });
    }
}

/// The rollout: a pilot while tracks are written, trained on or handed out, measuring the benefit
/// that matters most, and the checklist of the stage the team is at.
fn rollout(a: &SelfCheckAnswers, advice: &mut Vec<Advice>) {
    if a.foundations_ready()
        && matches!(
            a.stage,
            Stage::Development | Stage::Training | Stage::Implementation
        )
    {
        advice.push(Advice {
            key: "start_with_pilot".into(),
            title: "Start with a pilot team".into(),
            detail: "Open check-ins, plans and 1:1s to one or two teams first. Fix what they \
                     stumble on, compare them with the rest on the dashboard, then release to \
                     everyone."
                .into(),
            links: vec![link("Choose pilot teams", "/admin/rollout/pilot")],
        });
    }
    let (measure_stage, measure_detail) = if a.stage <= Stage::Planning {
        (
            Stage::Planning,
            "Write it down as one of the project's objectives, with a measure and today's \
             figure, so that you can show later whether it improved.",
        )
    } else {
        (
            Stage::Measuring,
            "Check whether it has improved since you started, and share what you find.",
        )
    };
    advice.push(Advice {
        key: "measure_top_benefit".into(),
        title: format!(
            "Measure what matters most: {}",
            a.top_benefit.text().to_lowercase()
        ),
        detail: format!("You named this the most important benefit. {measure_detail}"),
        links: vec![stage_link(measure_stage)],
    });
    advice.push(Advice {
        key: format!("next_{}", a.stage.as_str()),
        title: format!("Work through the {} checklist", a.stage.name()),
        detail: format!(
            "You are at the {} stage: {} Give the stage an owner and dates, and tick its items \
             as you go.",
            a.stage.name().to_lowercase(),
            a.stage.purpose().to_lowercase()
        ),
        links: vec![stage_link(a.stage)],
    });
}

/// How one rating changed between two self-checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScoreChange {
    pub key: String,
    pub text: String,
    pub earlier: Option<u8>,
    pub latest: Option<u8>,
    /// Latest minus earlier; absent when either was not rated.
    pub change: Option<i8>,
}

/// Two self-checks side by side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Comparison {
    pub statements: Vec<ScoreChange>,
    pub benefits: Vec<ScoreChange>,
    pub earlier_stage: Stage,
    pub latest_stage: Stage,
}

fn change(key: &str, text: &str, earlier: Option<Score>, latest: Option<Score>) -> ScoreChange {
    let (earlier, latest) = (earlier.map(Score::get), latest.map(Score::get));
    ScoreChange {
        key: key.to_owned(),
        text: text.to_owned(),
        earlier,
        latest,
        change: match (earlier, latest) {
            (Some(e), Some(l)) => Some(l as i8 - e as i8),
            _ => None,
        },
    }
}

/// Every statement and benefit of an earlier and a later self-check, with the change.
pub fn compare(earlier: &SelfCheckAnswers, latest: &SelfCheckAnswers) -> Comparison {
    Comparison {
        statements: Statement::ALL
            .into_iter()
            .map(|s| {
                change(
                    s.as_str(),
                    s.text(),
                    earlier.statements.get(&s).copied(),
                    latest.statements.get(&s).copied(),
                )
            })
            .collect(),
        benefits: Benefit::ALL
            .into_iter()
            .map(|b| {
                change(
                    b.as_str(),
                    b.text(),
                    earlier.benefits.get(&b).copied(),
                    latest.benefits.get(&b).copied(),
                )
            })
            .collect(),
        earlier_stage: earlier.stage,
        latest_stage: latest.stage,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(n: u8) -> Score {
        Score::try_from(n).expect("a score")
    }

    /// An organisation with competencies, levels and tracks rated 4 everywhere, at planning.
    fn ready() -> SelfCheckAnswers {
        SelfCheckAnswers {
            competencies_defined: true,
            levels: Levels::Defined,
            tracks_exist: true,
            statements: Statement::ALL.into_iter().map(|s| (s, score(4))).collect(),
            impact: String::new(),
            benefits: Benefit::ALL.into_iter().map(|b| (b, score(3))).collect(),
            top_benefit: Benefit::Retention,
            top_benefit_why: "People leave for promotions elsewhere.".into(),
            stage: Stage::Planning,
        }
    }

    fn keys(a: &SelfCheckAnswers) -> Vec<String> {
        advise(a).into_iter().map(|x| x.key).collect()
    }

    #[test]
    fn without_competencies_the_first_advice_is_to_define_them_with_links_to_the_library() {
        let a = SelfCheckAnswers {
            competencies_defined: false,
            tracks_exist: false,
            statements: BTreeMap::new(),
            ..ready()
        };
        let advice = advise(&a);
        assert_eq!(advice[0].key, "define_competencies");
        let hrefs: Vec<&str> = advice[0].links.iter().map(|l| l.href.as_str()).collect();
        assert_eq!(
            hrefs,
            [
                "/competencies",
                "/draft/library#competencies",
                "/draft/templates"
            ]
        );
        assert!(
            !keys(&a).contains(&"build_tracks".to_owned()),
            "tracks wait for their foundations"
        );
    }

    #[test]
    fn unclear_levels_come_before_building_and_a_flat_organisation_is_not_blocked() {
        let unclear = SelfCheckAnswers {
            levels: Levels::Unclear,
            tracks_exist: false,
            statements: BTreeMap::new(),
            ..ready()
        };
        let k = keys(&unclear);
        assert_eq!(k[0], "define_levels");
        assert!(!k.contains(&"build_tracks".to_owned()));
        let flat = SelfCheckAnswers {
            levels: Levels::Flat,
            ..unclear
        };
        let k = keys(&flat);
        assert_eq!(&k[..2], ["flat_organisation", "build_tracks"]);
    }

    #[test]
    fn the_weakest_statements_point_to_the_stage_that_addresses_them() {
        let mut a = ready();
        a.statements.insert(Statement::KnowsTrack, score(1));
        a.statements.insert(Statement::CanAccess, score(2));
        a.statements.insert(Statement::Objective, score(2));
        let advice = advise(&a);
        let improve: Vec<&Advice> = advice
            .iter()
            .filter(|x| x.key.starts_with("improve_"))
            .collect();
        let k: Vec<&str> = improve.iter().map(|x| x.key.as_str()).collect();
        assert_eq!(k, ["improve_development", "improve_implementation"]);
        assert!(improve[1].detail.contains(Statement::KnowsTrack.text()));
        assert!(improve[1].detail.contains("(1/5)"));
        assert!(improve[1].detail.contains(Statement::CanAccess.text()));
        assert_eq!(
            improve[1].links[0].href,
            "/admin/rollout/roadmap#stage-implementation"
        );
    }

    #[test]
    fn with_nothing_below_three_the_neutral_statements_are_the_weakest() {
        let mut a = ready();
        a.statements.insert(Statement::Values, score(3));
        assert_eq!(weakest(&a.statements), [(Statement::Values, score(3))]);
        assert!(keys(&a).contains(&"improve_planning".to_owned()));
        let good = ready();
        assert!(weakest(&good.statements).is_empty());
        assert!(keys(&good).contains(&"tracks_work".to_owned()));
    }

    #[test]
    fn a_pilot_is_advised_while_tracks_are_written_trained_or_handed_out() {
        for (stage, pilot) in [
            (Stage::Awareness, false),
            (Stage::Planning, false),
            (Stage::Development, true),
            (Stage::Training, true),
            (Stage::Implementation, true),
            (Stage::Measuring, false),
        ] {
            let a = SelfCheckAnswers { stage, ..ready() };
            let advice = advise(&a);
            let found = advice.iter().find(|x| x.key == "start_with_pilot");
            assert_eq!(found.is_some(), pilot, "{stage:?}");
            if let Some(x) = found {
                assert_eq!(x.links[0].href, "/admin/rollout/pilot");
            }
            assert_eq!(
                advice.last().map(|x| x.key.clone()),
                Some(format!("next_{}", stage.as_str())),
                "the stage's checklist comes last"
            );
        }
        let no_competencies = SelfCheckAnswers {
            competencies_defined: false,
            stage: Stage::Training,
            ..ready()
        };
        assert!(!keys(&no_competencies).contains(&"start_with_pilot".to_owned()));
    }

    #[test]
    fn the_most_important_benefit_becomes_something_to_measure() {
        let a = ready();
        let advice = advise(&a);
        let m = advice
            .iter()
            .find(|x| x.key == "measure_top_benefit")
            .expect("the benefit advice");
        assert!(m.title.contains("keeping the people we most want to keep"));
        assert_eq!(m.links[0].href, "/admin/rollout/roadmap#stage-planning");
        let later = SelfCheckAnswers {
            stage: Stage::Measuring,
            ..ready()
        };
        let m = advise(&later)
            .into_iter()
            .find(|x| x.key == "measure_top_benefit")
            .expect("the benefit advice");
        assert_eq!(m.links[0].href, "/admin/rollout/roadmap#stage-measuring");
    }

    #[test]
    fn a_comparison_shows_the_change_of_every_statement() {
        let earlier = SelfCheckAnswers {
            tracks_exist: false,
            statements: BTreeMap::new(),
            ..ready()
        };
        let mut latest = ready();
        latest.statements.insert(Statement::Scales, score(2));
        latest.stage = Stage::Development;
        let first = compare(&earlier, &latest);
        assert_eq!(first.statements.len(), 7);
        assert!(first.statements.iter().all(|c| c.change.is_none()));
        let mut later = latest.clone();
        later.statements.insert(Statement::Scales, score(5));
        later.statements.insert(Statement::Useful, score(1));
        let c = compare(&latest, &later);
        let by_key = |k: &str| {
            c.statements
                .iter()
                .find(|x| x.key == k)
                .and_then(|x| x.change)
        };
        assert_eq!(by_key("scales"), Some(3));
        assert_eq!(by_key("useful"), Some(-3));
        assert_eq!(by_key("values"), Some(0));
        assert_eq!(c.benefits.len(), 6);
    }

    #[test]
    fn scores_are_whole_numbers_from_one_to_five() {
        assert_eq!(Score::parse(" 4 ").map(Score::get), Ok(4));
        for bad in ["0", "6", "-1", "3.5", "four", "300"] {
            assert!(Score::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Score::parse(""),
            Err("choose a rating from 1 to 5".to_owned())
        );
        assert_eq!(serde_json::to_string(&score(2)).expect("json"), "2");
        assert!(serde_json::from_str::<Score>("6").is_err());
    }

    #[test]
    fn answers_become_the_fields_of_the_form() {
        let fields = ready().to_fields();
        assert_eq!(fields["competencies"], "yes");
        assert_eq!(fields["levels"], "defined");
        assert_eq!(fields["statement_knows_track"], "4");
        assert_eq!(fields["benefit_retention"], "3");
        assert_eq!(fields["top_benefit"], "retention");
        assert_eq!(fields["stage"], "planning");
        let none = SelfCheckAnswers {
            tracks_exist: false,
            statements: BTreeMap::new(),
            ..ready()
        };
        let fields = none.to_fields();
        assert_eq!(fields["tracks"], "no");
        assert!(!fields.keys().any(|k| k.starts_with("statement_")));
    }
}
