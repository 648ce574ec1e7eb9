//! A closed survey's results for a group, with its breakdowns, under the anonymity rule: the
//! figures of a group are added up from the survey's cube, and only groups the rule allows are
//! shown.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::Serialize;

use super::audience::audience_changes;
use super::cube::{Cube, Sums, Tally, cube, mean};
use super::stored::{audience_label, find_row, team_names, track_names};
use super::viewer::Viewer;
use super::{AudienceChanges, QuestionKind, Status, SurveySummary, TEXTS_PER_PAGE};
use crate::auth::Actor;
use crate::domain::Day;
use crate::error::{AppError, AppResult};
use crate::rollout::anonymity::{Cell, Filter, Verdict};
use crate::state::AppState;

/// A group of results, as asked for.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct GroupView {
    pub team: Option<i64>,
    pub team_name: Option<String>,
    pub track: Option<String>,
    pub track_name: Option<String>,
    /// `true`: the pilot teams; `false`: everyone else.
    pub pilot: Option<bool>,
}

/// One question's results for a group.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Breakdown {
    /// `team`, `track` or `pilot`.
    pub by: String,
    pub title: String,
    pub rows: Vec<BreakdownRow>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TeamChoice {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TrackChoice {
    pub key: String,
    pub name: String,
}

/// What the filters offer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ResultChoices {
    /// The viewer may read the whole survey (admins), not only some teams.
    pub everyone: bool,
    pub teams: Vec<TeamChoice>,
    pub tracks: Vec<TrackChoice>,
    /// Pilot teams exist, so pilot against the rest can be asked.
    pub pilot: bool,
}

/// A survey's results for one group.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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
pub(super) fn text_page(mut texts: Vec<(u64, &Arc<str>)>, page: usize) -> Vec<String> {
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
    let status = row.status(today);
    let names = team_names(db).await?;
    let tracks = track_names(state, actor).await?;
    let pilot_teams = crate::rollout::pilot::pilot_team_ids(db).await?;
    let everyone = matches!(viewer, Viewer::Organisation);
    let choices = ResultChoices {
        everyone,
        teams: match &viewer {
            Viewer::Organisation => {
                let mut teams: Vec<TeamChoice> = names
                    .iter()
                    .map(|(id, name)| TeamChoice {
                        id: *id,
                        name: name.clone(),
                    })
                    .collect();
                teams.sort_by_key(|t| t.name.to_lowercase());
                teams
            }
            Viewer::Teams(teams) => teams
                .iter()
                .map(|(id, name)| TeamChoice {
                    id: *id,
                    name: name.clone(),
                })
                .collect(),
        },
        tracks: tracks
            .iter()
            .map(|(key, name)| TrackChoice {
                key: key.clone(),
                name: name.clone(),
            })
            .collect(),
        pilot: !pilot_teams.is_empty() || filter.pilot.is_some(),
    };
    let team_label = |t: Option<i64>| match t {
        Some(t) => names
            .get(&t)
            .cloned()
            .unwrap_or_else(|| format!("Team {t} (removed)")),
        None => "No team".to_owned(),
    };
    let track_label = |k: Option<&str>| match k {
        Some(k) => tracks
            .iter()
            .find(|(key, _)| key == k)
            .map_or_else(|| k.to_owned(), |(_, n)| n.clone()),
        None => "No track".to_owned(),
    };
    let group = GroupView {
        team: filter.team,
        team_name: filter.team.map(|t| team_label(Some(t))),
        track: filter.track.clone(),
        track_name: filter.track.as_deref().map(|k| track_label(Some(k))),
        pilot: filter.pilot,
    };
    let mut results = Results {
        survey: SurveySummary {
            id,
            title: row.title.clone(),
            audience_label: audience_label(&row.audience, &names, &tracks),
            opens_on: row.opens_on.to_string(),
            closes_on: row.closes_on.to_string(),
            status,
            questions: 0,
            responses: everyone.then(|| row.responses_after_close(today)).flatten(),
        },
        threshold: row.threshold,
        compare_by: row.compare_by.as_str().to_owned(),
        group,
        shown: false,
        refused: false,
        message: None,
        responses: None,
        mean: None,
        questions: Vec::new(),
        breakdowns: Vec::new(),
        choices,
        text_page: 1,
        text_pages: 1,
        audience: None,
    };
    if status != Status::Closed {
        results.message = Some(format!(
            "Results are shown once the survey has closed (its last day is {}). Until then \
             nothing is shown, so that nobody's answers can be worked out by comparing results \
             from before and after they answered.",
            row.closes_on
        ));
        return Ok(results);
    }
    let cube = cube(db, &row).await?;
    // Accounts created and links issued in the past do not change, so the changes are worked out
    // once per cube, like the results.
    let known = cube.audience.lock().ok().and_then(|a| a.clone());
    results.audience = Some(match known {
        Some(changes) => changes,
        None => {
            let changes = audience_changes(db, &row, today).await?;
            if let Ok(mut slot) = cube.audience.lock() {
                *slot = Some(changes.clone());
            }
            changes
        }
    });
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
    let member = |c: &Cell| filter.matches(c);
    let sums = Sums::of(&cube, &member);
    let mut most_texts = 0;
    results.questions = cube
        .questions
        .iter()
        .enumerate()
        .map(|(qi, q)| {
            let (answers, mean_rating, distribution, texts) = match q.kind {
                QuestionKind::Scale => {
                    let h = sums.histograms[qi];
                    (h.iter().sum(), mean(&h), h.to_vec(), Vec::new())
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
                    most_texts = most_texts.max(n);
                    (n as u64, None, Vec::new(), text_page(all, page))
                }
            };
            QuestionResult {
                id: q.id,
                position: q.position,
                kind: q.kind,
                prompt: q.prompt.clone(),
                answers,
                mean: mean_rating,
                distribution,
                texts,
            }
        })
        .collect();
    results.shown = true;
    results.responses = Some(count);
    results.mean = sums.mean(&cube);
    results.text_pages = most_texts.div_ceil(TEXTS_PER_PAGE).max(1);
    results.text_page = page + 1;
    // The breakdowns: every value of a dimension present in the group, each shown only when the
    // rule allows it; the others are added up in one row, which the rule then always allows (the
    // group and the rows shown are unions of blocks, so what remains is one too). Each breakdown
    // is one pass over the cells for the verdicts and one for the sums.
    if filter.team.is_none() && everyone {
        let rows = breakdown_rows(
            &cube,
            &member,
            |c| c.team,
            |t| {
                t.map(|t| {
                    (
                        team_label(Some(t)),
                        Filter {
                            team: Some(t),
                            ..filter.clone()
                        },
                    )
                })
            },
        );
        push_breakdown(
            &mut results,
            &cube,
            &member,
            |c| c.team,
            "team",
            "By team",
            rows,
            "Other teams, combined",
        );
    }
    if filter.track.is_none() {
        let rows = breakdown_rows(
            &cube,
            &member,
            |c| c.track.clone(),
            |k| {
                k.map(|k| {
                    (
                        track_label(Some(&k)),
                        Filter {
                            track: Some(k),
                            ..filter.clone()
                        },
                    )
                })
            },
        );
        push_breakdown(
            &mut results,
            &cube,
            &member,
            |c| c.track.clone(),
            "track",
            "By track",
            rows,
            "Other tracks, combined",
        );
    }
    if filter.pilot.is_none() && !pilot_teams.is_empty() {
        let rows = breakdown_rows(
            &cube,
            &member,
            |c| !c.pilot,
            |rest| {
                Some((
                    if rest { "Everyone else" } else { "Pilot teams" }.to_owned(),
                    Filter {
                        pilot: Some(!rest),
                        ..filter.clone()
                    },
                ))
            },
        );
        push_breakdown(
            &mut results,
            &cube,
            &member,
            |c| !c.pilot,
            "pilot",
            "Pilot teams and the rest",
            rows,
            "Others, combined",
        );
    }
    cube.remember(key, &results);
    Ok(results)
}

/// The rows of a breakdown of a group (`member`) by `key` that may be shown, each with its label
/// and the filter that shows it alone (`describe`; `None` for a value that has no filter of its
/// own, such as "no team"), sorted by label.
pub(super) fn breakdown_rows<K: Ord + Clone>(
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

/// Adds a breakdown with its rows, and the rest of the group added up, when it has something to
/// compare. `key` is the one the rows were split by.
#[allow(clippy::too_many_arguments)]
pub(super) fn push_breakdown<K: Ord>(
    results: &mut Results,
    cube: &Cube,
    member: &dyn Fn(&Cell) -> bool,
    key: impl Fn(&Cell) -> K,
    by: &str,
    title: &str,
    rows: Vec<(K, BreakdownRow)>,
    others: &str,
) {
    if rows.is_empty() {
        return;
    }
    let (keys, mut list): (BTreeSet<K>, Vec<BreakdownRow>) = rows.into_iter().unzip();
    let rest = |c: &Cell| member(c) && !keys.contains(&key(c));
    if cube.partition.judge_where(rest).is_shown() {
        let sums = Sums::of(cube, &rest);
        list.push(sums.row(cube, others.to_owned(), &Filter::default(), true));
    }
    if list.len() > 1 {
        results.breakdowns.push(Breakdown {
            by: by.to_owned(),
            title: title.to_owned(),
            rows: list,
        });
    }
}
