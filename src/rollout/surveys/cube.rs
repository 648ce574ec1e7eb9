//! The anonymity cube: a closed survey's responses added up by cell (team, track, pilot) in one
//! pass, with the survey's cut into blocks, kept in memory so that every results page, filter,
//! breakdown and trend after the first adds up cells instead of reading responses (see the module's
//! doc, "Speed").

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use super::audience::AudienceChanges;
use super::results::{BreakdownRow, Results};
use super::stored::{SurveyRow, questions_of};
use super::{Question, QuestionKind};
use crate::db::Db;
use crate::error::AppResult;
use crate::rollout::anonymity::{Cell, Filter, Partition};
use crate::state::{ByteCache, budget};

/// One question's answers in one cell.
#[derive(Debug)]
pub(super) enum Tally {
    /// How many rated 1, 2, 3, 4 and 5.
    Scale([u64; 5]),
    /// The texts, each with its place in the shuffled order.
    Text(Vec<(u64, Arc<str>)>),
}

/// A cell's responses, added up.
#[derive(Debug)]
pub(super) struct CellTally {
    pub(super) count: u64,
    pub(super) questions: Vec<Tally>,
}

/// A closed survey's responses added up by cell, with its cut into blocks: computed once per
/// survey and number of responses.
#[derive(Debug)]
pub(super) struct Cube {
    pub(super) questions: Vec<Question>,
    pub(super) cells: Vec<(Cell, CellTally)>,
    pub(super) partition: Partition,
    /// Results already computed from this cube, by [`super::results::memo_key`]: the cube never
    /// changes, so they never go stale.
    memo: ByteCache<Arc<Results>>,
    /// The changes to the audience's accounts while the survey was open, once worked out.
    pub(super) audience: Mutex<Option<AudienceChanges>>,
}

impl Cube {
    pub(super) fn remembered(&self, key: u64) -> Option<Results> {
        self.memo.get(&key.to_string()).map(|r| (*r).clone())
    }

    pub(super) fn remember(&self, key: u64, results: &Results) {
        self.memo.put(
            &key.to_string(),
            Arc::new(results.clone()),
            crate::state::weigh(results),
        );
    }

    /// Roughly what the cube holds in memory besides its results: its texts and its cells.
    fn weight(&self) -> usize {
        let texts: usize = self
            .cells
            .iter()
            .flat_map(|(_, tally)| &tally.questions)
            .map(|t| match t {
                Tally::Scale(_) => 40,
                Tally::Text(texts) => texts.iter().map(|(_, s)| s.len() + 40).sum(),
            })
            .sum();
        texts + self.cells.len() * 96 + crate::state::weigh(&self.questions)
    }
}

/// Cubes by `results_key`, with the number of responses they were computed from, within
/// [`budget::SURVEY_CUBES`] bytes (each cube's own results within [`budget::SURVEY_RESULTS`]).
type CubeCache = ByteCache<(i64, Arc<Cube>)>;

fn cubes() -> &'static CubeCache {
    static CUBES: OnceLock<CubeCache> = OnceLock::new();
    CUBES.get_or_init(|| ByteCache::new(budget::SURVEY_CUBES))
}

pub(super) fn forget(results_key: &str) {
    cubes().remove(results_key);
}

/// A well-mixed 64-bit value of another (splitmix64), for the shuffled order of texts.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The seed of a question's shuffled order: from the survey's random key, so that nobody can
/// compute the order back, and the question, so that each question is shuffled differently.
fn seed(results_key: &str, question: i64) -> u64 {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!("{results_key}/{question}").as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    u64::from_le_bytes(bytes)
}

/// One response as stored: the groups its author was counted in and the answers, as JSON.
#[derive(sqlx::FromRow)]
struct ResponseRow {
    team_id: Option<i64>,
    track_key: Option<String>,
    pilot: i64,
    answers: String,
}

pub(super) async fn cube(db: &Db, row: &SurveyRow) -> AppResult<Arc<Cube>> {
    if let Some((n, cube)) = cubes().get(&row.results_key)
        && n == row.responses
    {
        return Ok(cube);
    }
    let questions = questions_of(db.pool(), row.id).await?;
    let rows = sqlx::query_as::<_, ResponseRow>(
        "SELECT team_id, track_key, pilot, answers FROM survey_responses WHERE survey_id = $1 \
         ORDER BY id",
    )
    .bind(row.id)
    .fetch_all(db.pool())
    .await?;
    let seeds: Vec<u64> = questions
        .iter()
        .map(|q| seed(&row.results_key, q.id))
        .collect();
    let mut cells: HashMap<Cell, CellTally> = HashMap::new();
    for (i, r) in rows.into_iter().enumerate() {
        let cell = Cell {
            pilot: r.pilot == 1,
            team: r.team_id,
            track: r.track_key,
        };
        let answers: Vec<serde_json::Value> = serde_json::from_str(&r.answers).unwrap_or_default();
        let tally = cells.entry(cell).or_insert_with(|| CellTally {
            count: 0,
            questions: questions
                .iter()
                .map(|q| match q.kind {
                    QuestionKind::Scale => Tally::Scale([0; 5]),
                    QuestionKind::Text => Tally::Text(Vec::new()),
                })
                .collect(),
        });
        tally.count += 1;
        for (qi, t) in tally.questions.iter_mut().enumerate() {
            match (t, answers.get(qi)) {
                (Tally::Scale(h), Some(v)) => {
                    if let Some(n) = v.as_u64()
                        && (1..=5).contains(&n)
                    {
                        h[n as usize - 1] += 1;
                    }
                }
                (Tally::Text(texts), Some(serde_json::Value::String(s))) if !s.is_empty() => {
                    texts.push((mix(seeds[qi] ^ i as u64), Arc::from(s.as_str())));
                }
                _ => {}
            }
        }
    }
    let partition = Partition::new(
        cells.iter().map(|(c, t)| (c.clone(), t.count)),
        row.threshold,
        row.compare_by,
    );
    let mut cells: Vec<(Cell, CellTally)> = cells.into_iter().collect();
    cells.sort_by(|a, b| a.0.cmp(&b.0));
    let cube = Arc::new(Cube {
        questions,
        cells,
        partition,
        memo: ByteCache::new(budget::SURVEY_RESULTS),
        audience: Mutex::default(),
    });
    let weight = cube.weight() + budget::SURVEY_RESULTS;
    cubes().put(&row.results_key, (row.responses, cube.clone()), weight);
    Ok(cube)
}

/// Sums of ratings over a group of cells.
pub(super) struct Sums {
    pub(super) count: u64,
    pub(super) histograms: Vec<[u64; 5]>,
}

impl Sums {
    pub(super) fn empty(cube: &Cube) -> Sums {
        Sums {
            count: 0,
            histograms: vec![[0; 5]; cube.questions.len()],
        }
    }

    pub(super) fn add(&mut self, tally: &CellTally) {
        self.count += tally.count;
        for (qi, t) in tally.questions.iter().enumerate() {
            if let Tally::Scale(h) = t {
                for (k, n) in h.iter().enumerate() {
                    self.histograms[qi][k] += n;
                }
            }
        }
    }

    pub(super) fn of(cube: &Cube, member: &dyn Fn(&Cell) -> bool) -> Sums {
        let mut sums = Sums::empty(cube);
        for (_, tally) in cube.cells.iter().filter(|(c, _)| member(c)) {
            sums.add(tally);
        }
        sums
    }

    /// A breakdown row of these sums; `sub` is the filter that shows the row alone.
    pub(super) fn row(
        &self,
        cube: &Cube,
        label: String,
        sub: &Filter,
        combined: bool,
    ) -> BreakdownRow {
        BreakdownRow {
            label,
            team: sub.team,
            track: sub.track.clone(),
            pilot: sub.pilot,
            combined,
            responses: self.count,
            mean: self.mean(cube),
            question_means: self.question_means(cube),
        }
    }

    pub(super) fn question_means(&self, cube: &Cube) -> Vec<Option<f64>> {
        cube.questions
            .iter()
            .zip(&self.histograms)
            .filter(|(q, _)| q.kind == QuestionKind::Scale)
            .map(|(_, h)| mean(h))
            .collect()
    }

    /// The mean of every rating.
    pub(super) fn mean(&self, cube: &Cube) -> Option<f64> {
        let mut all = [0; 5];
        for (q, h) in cube.questions.iter().zip(&self.histograms) {
            if q.kind == QuestionKind::Scale {
                for k in 0..5 {
                    all[k] += h[k];
                }
            }
        }
        mean(&all)
    }
}

pub(super) fn mean(h: &[u64; 5]) -> Option<f64> {
    let n: u64 = h.iter().sum();
    (n > 0).then(|| {
        let total: u64 = h.iter().enumerate().map(|(k, c)| (k as u64 + 1) * c).sum();
        (total as f64 / n as f64 * 100.0).round() / 100.0
    })
}
