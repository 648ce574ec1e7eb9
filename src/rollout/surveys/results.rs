//! A closed survey's results for a group, with its breakdowns, under the anonymity rule: the
//! figures of a group are added up from the survey's cube, and only groups the rule allows are
//! shown.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use super::audience::audience_changes;
use super::cube::{Cube, Sums, Tally, cube, mean};
use super::stored::{SurveyRow, audience_label, find_row, team_names, track_names};
use super::viewer::Viewer;
use super::{AudienceChanges, Question, QuestionKind, Status, SurveySummary, TEXTS_PER_PAGE};
use crate::auth::Actor;
use crate::db::Db;
use crate::domain::Day;
use crate::error::{AppError, AppResult};
use crate::rollout::anonymity::{Cell, Filter, Verdict};
use crate::state::AppState;

/// A group of results, as asked for.
#[derive(Debug, Clone, Default)]
pub struct GroupView {
    pub team: Option<i64>,
    pub team_name: Option<String>,
    pub track: Option<String>,
    pub track_name: Option<String>,
    /// `true`: the pilot teams; `false`: everyone else.
    pub pilot: Option<bool>,
}

/// One question's results for a group.
#[derive(Debug, Clone)]
pub struct QuestionResult {
    pub id: i64,
    pub position: i64,
    pub kind: QuestionKind,
    pub prompt: String,
    /// Ratings (statements) or non-empty texts (open questions).
    pub answers: u64,
    /// The mean rating, for statements.
    pub mean: Option<f64>,
    /// For statements: how many rated 1, 2, 3, 4 and 5.
    pub distribution: Vec<u64>,
    /// For open questions: one page of texts, in a random order that is the same on every request.
    pub texts: Vec<String>,
}

/// A row of a breakdown: a sub-group of the group shown.
#[derive(Debug, Clone)]
pub struct BreakdownRow {
    pub label: String,
    /// The filter that shows this row as the group; absent for the others combined.
    pub team: Option<i64>,
    pub track: Option<String>,
    pub pilot: Option<bool>,
    /// The sub-groups that cannot be shown on their own, added up.
    pub combined: bool,
    pub responses: u64,
    /// The mean of every rating of the row.
    pub mean: Option<f64>,
    /// The mean rating of each statement, in question order.
    pub question_means: Vec<Option<f64>>,
}

/// The group shown, split by team, by track, or pilot against the rest. Sub-groups that would
/// single people out are not listed; they are added up in one "combined" row.
#[derive(Debug, Clone)]
pub struct Breakdown {
    /// `team`, `track` or `pilot`.
    pub by: String,
    pub title: String,
    pub rows: Vec<BreakdownRow>,
}

#[derive(Debug, Clone)]
pub struct TeamChoice {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct TrackChoice {
    pub key: String,
    pub name: String,
}

/// What the filters offer.
#[derive(Debug, Clone)]
pub struct ResultChoices {
    /// The viewer may read the whole survey (admins), not only some teams.
    pub everyone: bool,
    pub teams: Vec<TeamChoice>,
    pub tracks: Vec<TrackChoice>,
    /// Pilot teams exist, so pilot against the rest can be asked.
    pub pilot: bool,
}

/// A survey's results for one group.
#[derive(Debug, Clone)]
pub struct Results {
    pub survey: SurveySummary,
    pub threshold: i64,
    pub compare_by: String,
    pub group: GroupView,
    /// The group's figures are shown.
    pub shown: bool,
    /// The group was asked for with filters that were refused (rather than there being too few
    /// answers overall, or the survey still being open).
    pub refused: bool,
    /// Why nothing is shown.
    pub message: Option<String>,
    /// Responses in the group.
    pub responses: Option<u64>,
    /// The mean of every rating in the group.
    pub mean: Option<f64>,
    pub questions: Vec<QuestionResult>,
    pub breakdowns: Vec<Breakdown>,
    pub choices: ResultChoices,
    /// Free-text answers: this page (from 1) of `text_pages`.
    pub text_page: usize,
    pub text_pages: usize,
    /// What happened to the accounts of the audience around the time the survey was open; absent
    /// until it has closed.
    pub audience: Option<AudienceChanges>,
}

impl Results {
    /// The refusal of the filters, as an error for the API.
    pub fn refusal(&self) -> Option<AppError> {
        self.refused
            .then(|| AppError::invalid_field("filter", self.message.clone().unwrap_or_default()))
    }
}

/// What results depend on besides the cube: the group, the page of texts, and everything the
/// labels and filters are made of (team and track names, pilot teams, the viewer's choices).
pub(super) fn memo_key(filter: &Filter, page: usize, results: &Results) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    filter.hash(&mut h);
    page.hash(&mut h);
    results.survey.audience_label.hash(&mut h);
    results.choices.everyone.hash(&mut h);
    results.choices.pilot.hash(&mut h);
    for t in &results.choices.teams {
        (t.id, &t.name).hash(&mut h);
    }
    for t in &results.choices.tracks {
        (&t.key, &t.name).hash(&mut h);
    }
    h.finish()
}

/// The `page`-th page (from 0) of texts in shuffled order, without sorting them all.
fn text_page(mut texts: Vec<(u64, &Arc<str>)>, page: usize) -> Vec<String> {
    let start = page * TEXTS_PER_PAGE;
    if start >= texts.len() {
        return Vec::new();
    }
    if start > 0 {
        texts.select_nth_unstable_by_key(start, |(k, _)| *k);
        texts.drain(..start);
    }
    if texts.len() > TEXTS_PER_PAGE {
        texts.select_nth_unstable_by_key(TEXTS_PER_PAGE, |(k, _)| *k);
        texts.truncate(TEXTS_PER_PAGE);
    }
    texts.sort_unstable_by_key(|(k, _)| *k);
    texts.into_iter().map(|(_, t)| t.to_string()).collect()
}

/// A survey's results for a group (`filter`), with its breakdowns. Only closed surveys have
/// results, only groups the anonymity rule allows are shown (see the module's doc), and a manager
/// only asks about one of their teams. `text_page` counts from 1.
pub async fn results(
    state: &AppState,
    actor: &Actor,
    id: i64,
    filter: &Filter,
    text_page_number: usize,
) -> AppResult<Results> {
    let db = state.db();
    let viewer = Viewer::of(db, actor).await?;
    viewer.allows(filter)?;
    let row = find_row(db.pool(), id)
        .await?
        .ok_or_else(|| AppError::not_found("this survey"))?;
    let today = Day::today();
    let labels = Labels {
        teams: team_names(db).await?,
        tracks: track_names(state, actor).await?,
    };
    let has_pilot_teams = !crate::rollout::pilot::pilot_team_ids(db).await?.is_empty();
    let mut results = nothing_shown(&row, &viewer, &labels, filter, has_pilot_teams, today);
    if results.survey.status != Status::Closed {
        results.message = Some(format!(
            "Results are shown once the survey has closed (its last day is {}). Until then \
             nothing is shown, so that nobody's answers can be worked out by comparing results \
             from before and after they answered.",
            row.closes_on
        ));
        return Ok(results);
    }
    let cube = cube(db, &row).await?;
    results.audience = Some(audience_changes_once(db, &cube, &row, today).await?);
    results.survey.questions = cube.questions.len() as i64;
    let verdict = cube.partition.judge(filter);
    let Verdict::Shown { count } = verdict else {
        results.refused = !filter.is_everyone();
        results.message = verdict.message(row.threshold);
        return Ok(results);
    };
    let page = text_page_number.max(1) - 1;
    let key = memo_key(filter, page, &results);
    if let Some(known) = cube.remembered(key) {
        return Ok(known);
    }
    show_group(&mut results, &cube, filter, count, page);
    let everyone = matches!(viewer, Viewer::Organisation);
    add_breakdowns(
        &mut results,
        &cube,
        filter,
        &labels,
        everyone,
        has_pilot_teams,
    );
    cube.remember(key, &results);
    Ok(results)
}

/// The names results are labelled with: teams by id, and the tracks of the published framework by
/// key.
struct Labels {
    teams: HashMap<i64, String>,
    tracks: Vec<(String, String)>,
}

impl Labels {
    fn team(&self, id: i64) -> String {
        self.teams
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("Team {id} (removed)"))
    }

    fn track(&self, key: &str) -> String {
        self.tracks
            .iter()
            .find(|(k, _)| k == key)
            .map_or_else(|| key.to_owned(), |(_, n)| n.clone())
    }

    /// The group as asked for, with its names.
    fn group(&self, filter: &Filter) -> GroupView {
        GroupView {
            team: filter.team,
            team_name: filter.team.map(|t| self.team(t)),
            track: filter.track.clone(),
            track_name: filter.track.as_deref().map(|k| self.track(k)),
            pilot: filter.pilot,
        }
    }
}

/// What the filters offer the viewer: every team for the whole organisation, or the viewer's
/// teams; every track; pilot against the rest when there are pilot teams (or it was asked for).
fn choices(viewer: &Viewer, labels: &Labels, pilot: bool) -> ResultChoices {
    let choice = |(id, name): (&i64, &String)| TeamChoice {
        id: *id,
        name: name.clone(),
    };
    let teams = match viewer {
        Viewer::Organisation => {
            let mut teams: Vec<TeamChoice> = labels.teams.iter().map(choice).collect();
            teams.sort_by_key(|t| t.name.to_lowercase());
            teams
        }
        Viewer::Teams(teams) => teams.iter().map(|(id, name)| choice((id, name))).collect(),
    };
    ResultChoices {
        everyone: matches!(viewer, Viewer::Organisation),
        teams,
        tracks: labels
            .tracks
            .iter()
            .map(|(key, name)| TrackChoice {
                key: key.clone(),
                name: name.clone(),
            })
            .collect(),
        pilot,
    }
}

/// The results of a group before anything is known of its answers: the survey, the group asked
/// for and what the filters offer, with nothing shown.
fn nothing_shown(
    row: &SurveyRow,
    viewer: &Viewer,
    labels: &Labels,
    filter: &Filter,
    has_pilot_teams: bool,
    today: Day,
) -> Results {
    let everyone = matches!(viewer, Viewer::Organisation);
    Results {
        survey: SurveySummary {
            id: row.id,
            title: row.title.clone(),
            audience_label: audience_label(&row.audience, &labels.teams, &labels.tracks),
            opens_on: row.opens_on.to_string(),
            closes_on: row.closes_on.to_string(),
            status: row.status(today),
            questions: 0,
            responses: everyone.then(|| row.responses_after_close(today)).flatten(),
        },
        threshold: row.threshold,
        compare_by: row.compare_by.as_str().to_owned(),
        group: labels.group(filter),
        shown: false,
        refused: false,
        message: None,
        responses: None,
        mean: None,
        questions: Vec::new(),
        breakdowns: Vec::new(),
        choices: choices(viewer, labels, has_pilot_teams || filter.pilot.is_some()),
        text_page: 1,
        text_pages: 1,
        audience: None,
    }
}

/// The changes to the audience's accounts while the survey was open. Accounts created and links
/// issued in the past do not change, so the changes are worked out once per cube, like the results.
async fn audience_changes_once(
    db: &Db,
    cube: &Cube,
    row: &SurveyRow,
    today: Day,
) -> AppResult<AudienceChanges> {
    let known = cube.audience.lock().ok().and_then(|a| a.clone());
    Ok(match known {
        Some(changes) => changes,
        None => {
            let changes = audience_changes(db, row, today).await?;
            if let Ok(mut slot) = cube.audience.lock() {
                *slot = Some(changes.clone());
            }
            changes
        }
    })
}

/// Fills in the figures of a group the rule allows (`count` responses): each question's results
/// with the `page`-th page (from 0) of texts, and the group's mean.
fn show_group(results: &mut Results, cube: &Cube, filter: &Filter, count: u64, page: usize) {
    let member = |c: &Cell| filter.matches(c);
    let sums = Sums::of(cube, &member);
    let mut most_texts = 0;
    results.questions = cube
        .questions
        .iter()
        .enumerate()
        .map(|(qi, q)| {
            let (result, texts) = question_result(cube, &member, &sums, qi, q, page);
            most_texts = most_texts.max(texts);
            result
        })
        .collect();
    results.shown = true;
    results.responses = Some(count);
    results.mean = sums.mean(cube);
    results.text_pages = most_texts.div_ceil(TEXTS_PER_PAGE).max(1);
    results.text_page = page + 1;
}

/// The results of the `qi`-th question for a group (`member`, whose ratings are `sums`): the
/// distribution and mean of a statement, or one page of the texts of an open question; with how
/// many texts it has (none for a statement).
fn question_result(
    cube: &Cube,
    member: &dyn Fn(&Cell) -> bool,
    sums: &Sums,
    qi: usize,
    q: &Question,
    page: usize,
) -> (QuestionResult, usize) {
    let (answers, mean_rating, distribution, texts, n) = match q.kind {
        QuestionKind::Scale => {
            let h = sums.histograms[qi];
            (h.iter().sum(), mean(&h), h.to_vec(), Vec::new(), 0)
        }
        QuestionKind::Text => {
            let all: Vec<(u64, &Arc<str>)> = cube
                .cells
                .iter()
                .filter(|(c, _)| member(c))
                .flat_map(|(_, t)| match &t.questions[qi] {
                    Tally::Text(texts) => texts.iter().map(|(k, s)| (*k, s)).collect(),
                    Tally::Scale(_) => Vec::new(),
                })
                .collect();
            let n = all.len();
            (n as u64, None, Vec::new(), text_page(all, page), n)
        }
    };
    let result = QuestionResult {
        id: q.id,
        position: q.position,
        kind: q.kind,
        prompt: q.prompt.clone(),
        answers,
        mean: mean_rating,
        distribution,
        texts,
    };
    (result, n)
}

/// How a breakdown is named: the dimension it splits by, its title, and the label of the row that
/// adds up the sub-groups that cannot be shown on their own.
struct Titles {
    by: &'static str,
    title: &'static str,
    others: &'static str,
}

/// The breakdowns: every value of a dimension present in the group, each shown only when the rule
/// allows it; the others are added up in one row, which the rule then always allows (the group and
/// the rows shown are unions of blocks, so what remains is one too). Each breakdown is one pass
/// over the cells for the verdicts and one for the sums.
fn add_breakdowns(
    results: &mut Results,
    cube: &Cube,
    filter: &Filter,
    labels: &Labels,
    everyone: bool,
    has_pilot_teams: bool,
) {
    let member = |c: &Cell| filter.matches(c);
    if filter.team.is_none() && everyone {
        let by_team = Titles {
            by: "team",
            title: "By team",
            others: "Other teams, combined",
        };
        let describe = |t: Option<i64>| {
            let sub = |t| Filter {
                team: Some(t),
                ..filter.clone()
            };
            t.map(|t| (labels.team(t), sub(t)))
        };
        add_breakdown(results, cube, &member, |c| c.team, describe, by_team);
    }
    if filter.track.is_none() {
        let by_track = Titles {
            by: "track",
            title: "By track",
            others: "Other tracks, combined",
        };
        let describe = |k: Option<String>| {
            let label = labels.track(k.as_deref()?);
            Some((
                label,
                Filter {
                    track: k,
                    ..filter.clone()
                },
            ))
        };
        add_breakdown(
            results,
            cube,
            &member,
            |c| c.track.clone(),
            describe,
            by_track,
        );
    }
    if filter.pilot.is_none() && has_pilot_teams {
        let by_pilot = Titles {
            by: "pilot",
            title: "Pilot teams and the rest",
            others: "Others, combined",
        };
        let describe = |rest: bool| {
            let label = if rest { "Everyone else" } else { "Pilot teams" };
            let sub = Filter {
                pilot: Some(!rest),
                ..filter.clone()
            };
            Some((label.to_owned(), sub))
        };
        add_breakdown(results, cube, &member, |c| !c.pilot, describe, by_pilot);
    }
}

/// Adds the breakdown of a group (`member`) by `key` when it has something to compare: the rows
/// that may be shown (see [`breakdown_rows`]), and the rest of the group added up.
fn add_breakdown<K: Ord + Clone>(
    results: &mut Results,
    cube: &Cube,
    member: &dyn Fn(&Cell) -> bool,
    key: impl Fn(&Cell) -> K,
    describe: impl Fn(K) -> Option<(String, Filter)>,
    titles: Titles,
) {
    let rows = breakdown_rows(cube, member, &key, describe);
    if rows.is_empty() {
        return;
    }
    let (keys, mut list): (BTreeSet<K>, Vec<BreakdownRow>) = rows.into_iter().unzip();
    let rest = |c: &Cell| member(c) && !keys.contains(&key(c));
    if cube.partition.judge_where(rest).is_shown() {
        let sums = Sums::of(cube, &rest);
        list.push(sums.row(cube, titles.others.to_owned(), &Filter::default(), true));
    }
    if list.len() > 1 {
        results.breakdowns.push(Breakdown {
            by: titles.by.to_owned(),
            title: titles.title.to_owned(),
            rows: list,
        });
    }
}

/// The rows of a breakdown of a group (`member`) by `key` that may be shown, each with its label
/// and the filter that shows it alone (`describe`; `None` for a value that has no filter of its
/// own, such as "no team"), sorted by label.
fn breakdown_rows<K: Ord + Clone>(
    cube: &Cube,
    member: &dyn Fn(&Cell) -> bool,
    key: impl Fn(&Cell) -> K,
    describe: impl Fn(K) -> Option<(String, Filter)>,
) -> Vec<(K, BreakdownRow)> {
    let verdicts = cube.partition.judge_split(member, &key);
    let mut sums: BTreeMap<K, Sums> = BTreeMap::new();
    for (cell, tally) in cube.cells.iter().filter(|(c, _)| member(c)) {
        let k = key(cell);
        if verdicts.get(&k).is_some_and(|v| v.is_shown()) {
            sums.entry(k)
                .or_insert_with(|| Sums::empty(cube))
                .add(tally);
        }
    }
    let mut rows: Vec<(K, BreakdownRow)> = sums
        .into_iter()
        .filter_map(|(k, sums)| {
            let (label, sub) = describe(k.clone())?;
            Some((k, sums.row(cube, label, &sub, false)))
        })
        .collect();
    rows.sort_by_key(|(_, row)| row.label.to_lowercase());
    rows
}
