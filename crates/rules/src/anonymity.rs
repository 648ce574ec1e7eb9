//! Which groups of pulse-survey answers may be shown, so that nobody's answers can be worked out,
//! not from one result and not by comparing several. Pure: counts in, verdicts out.
//!
//! # The rule
//!
//! A response is stored with the groups its author was in when answering: pilot or not, team, track
//! (a [`Cell`]). Every figure Trellis shows about a group (a count, a mean, a distribution, the
//! free-text answers) is a sum over the group's responses. Sums can be subtracted: from "team X"
//! and "team X on track Y" anyone can compute "team X off track Y", and from two breakdown tables
//! a small cell nobody was shown. Checking each group against the threshold on its own is therefore
//! not enough, and checking pairs is not enough either (three groups can isolate what no two do).
//!
//! So the responses are first cut into **blocks**: every block holds at least `threshold`
//! responses, every cell lies in exactly one block, and the cut depends only on the survey's own
//! counts, never on what anyone asks ([`Partition::new`]). Then:
//!
//! > A group is shown only when it is a union of whole blocks and holds at least `threshold`
//! > responses.
//!
//! Why this holds against any number of requests: every shown group is a sum of whole blocks, so
//! whatever anyone adds or subtracts from shown figures (A − B, a total minus the rest of a
//! breakdown, a complement, a difference of differences) is again a sum over whole blocks, with
//! each block counted a whole number of times. The smallest set of people such a computation can
//! be about is one block, which holds at least `threshold` responses. This covers the complement of
//! a filter (the whole survey minus the group), A − B for nested groups, team × track combinations,
//! and secondary suppression of breakdowns: a row that is not a union of blocks is withheld, and
//! then the block it shares is cut by another row, which is withheld too, so the withheld rows
//! together are again a union of blocks, shown as "the others combined".
//!
//! # How the blocks are cut
//!
//! The cells are arranged in a tree: pilot or not, then the dimension the survey is compared by
//! ([`CompareBy`]: team or track), then the other. From the leaves up, the children of a node that
//! are too small (fewer than `threshold` responses) are pooled; a pool that is big enough becomes a
//! block of its own ("the other teams"), a pool that is still too small joins the smallest block of
//! its siblings; a node whose children are all too small is itself one small piece for its parent.
//! Pooling small pieces close to where they are keeps the most useful groups whole: with
//! [`CompareBy::Team`] a team's small tracks are pooled within the team, so the team can still be
//! shown, at the price of some team × track and whole-track views; [`CompareBy::Track`] does the
//! opposite. Groups that would cut a block are refused with [`Verdict::WouldSingleOut`].
//!
//! # What this does not cover
//!
//! - Time: adding answers changes sums, so results before and after someone answered differ by
//!   their answers. The surveys service shows results only once a survey has closed, when the
//!   responses (and so the blocks) can no longer change.
//! - Knowledge of one's own answers: someone who answered knows their own answers, so for them a
//!   group of `threshold` hides the other `threshold − 1`. This is why the threshold is never
//!   below [`MIN_THRESHOLD`].
//! - Unanimous groups: when every answer of a group is the same, the group's members' answers are
//!   known to anyone who knows they answered. Aggregates cannot prevent that; a higher threshold
//!   makes it rarer.

use std::collections::BTreeMap;

/// The smallest anonymity threshold a survey may have.
pub const MIN_THRESHOLD: i64 = 3;
/// The threshold of a new survey.
pub const DEFAULT_THRESHOLD: i64 = 5;

/// The groups one response is counted in, and nothing finer.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cell {
    /// The author's team was one of the pilot teams.
    pub pilot: bool,
    pub team: Option<i64>,
    pub track: Option<String>,
}

/// Which dimension stays whole when small groups must be pooled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CompareBy {
    #[default]
    Team,
    Track,
}

impl CompareBy {
    pub fn as_str(self) -> &'static str {
        match self {
            CompareBy::Team => "team",
            CompareBy::Track => "track",
        }
    }

    pub fn parse(raw: &str) -> Option<CompareBy> {
        match raw.trim() {
            "team" => Some(CompareBy::Team),
            "track" => Some(CompareBy::Track),
            _ => None,
        }
    }
}

/// A group of responses: everyone, narrowed by any of team, track and pilot.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Filter {
    pub team: Option<i64>,
    pub track: Option<String>,
    /// `Some(true)`: the pilot teams; `Some(false)`: everyone else.
    pub pilot: Option<bool>,
}

impl Filter {
    pub fn matches(&self, cell: &Cell) -> bool {
        self.team.is_none_or(|t| cell.team == Some(t))
            && self
                .track
                .as_deref()
                .is_none_or(|t| cell.track.as_deref() == Some(t))
            && self.pilot.is_none_or(|p| cell.pilot == p)
    }

    /// No narrowing: the whole survey.
    pub fn is_everyone(&self) -> bool {
        self.team.is_none() && self.track.is_none() && self.pilot.is_none()
    }
}

/// Whether a group may be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The group is a union of whole blocks with this many responses (at least the threshold).
    Shown { count: u64 },
    /// The group has fewer responses than the threshold (possibly none).
    TooFew,
    /// The group has enough responses, but cuts through a block: compared with other results it
    /// would show the answers of fewer people than the threshold.
    WouldSingleOut,
}

impl Verdict {
    pub fn is_shown(self) -> bool {
        matches!(self, Verdict::Shown { .. })
    }

    /// Why a group is not shown, in words for the person who asked; `None` when it is shown.
    pub fn message(self, threshold: i64) -> Option<String> {
        match self {
            Verdict::Shown { .. } => None,
            Verdict::TooFew => Some(format!(
                "Not enough answers to show this group: results are shown for groups of at least \
                 {threshold} people, so that nobody's answers can be singled out."
            )),
            Verdict::WouldSingleOut => Some(format!(
                "This combination of filters is refused: compared with the other results, it would \
                 show the answers of fewer than {threshold} people. Choose a wider group."
            )),
        }
    }
}

/// The survey's responses cut into blocks of at least the threshold (see the module's doc).
#[derive(Debug, Clone)]
pub struct Partition {
    threshold: u64,
    /// Every cell with responses, in order, with its count and its block.
    cells: Vec<(Cell, u64, usize)>,
    /// The size of each block.
    blocks: Vec<u64>,
}

/// A piece of a subtree: the cells (indexes into the sorted cells) and their responses.
#[derive(Debug, Clone, Default)]
struct Piece {
    cells: Vec<usize>,
    size: u64,
}

impl Piece {
    fn absorb(&mut self, other: Piece) {
        self.cells.extend(other.cells);
        self.size += other.size;
    }
}

/// A subtree after pooling: blocks of at least the threshold, or one piece that is too small.
enum Settled {
    Blocks(Vec<Piece>),
    Small(Piece),
}

impl Partition {
    /// Cuts the responses counted per cell into blocks. Cells with no responses may be left out;
    /// a cell given twice counts twice.
    pub fn new(
        counts: impl IntoIterator<Item = (Cell, u64)>,
        threshold: i64,
        compare_by: CompareBy,
    ) -> Partition {
        let threshold = u64::try_from(threshold.max(1)).unwrap_or(1);
        let mut merged: BTreeMap<Cell, u64> = BTreeMap::new();
        for (cell, n) in counts {
            if n > 0 {
                *merged.entry(cell).or_default() += n;
            }
        }
        let cells: Vec<(Cell, u64)> = merged.into_iter().collect();
        // The tree: pilot or not, then the dimension compared by, then the other. Cells are sorted
        // by (pilot, team, track); sorting indexes by the tree's keys groups each subtree together.
        let mut order: Vec<usize> = (0..cells.len()).collect();
        let key = |i: usize| {
            let c = &cells[i].0;
            match compare_by {
                CompareBy::Team => (c.pilot, c.team.map(|t| t.to_string()), c.track.clone()),
                CompareBy::Track => (c.pilot, c.track.clone(), c.team.map(|t| t.to_string())),
            }
        };
        order.sort_by_key(|&i| key(i));
        let sides = group_by(&order, |i| key(i).0);
        let settled_sides = sides
            .into_iter()
            .map(|side| {
                let middles = group_by(&side, |i| key(i).1);
                let settled_middles = middles
                    .into_iter()
                    .map(|middle| {
                        let leaves = middle
                            .iter()
                            .map(|&i| {
                                settle_leaf(
                                    Piece {
                                        cells: vec![i],
                                        size: cells[i].1,
                                    },
                                    threshold,
                                )
                            })
                            .collect();
                        settle(leaves, threshold)
                    })
                    .collect();
                settle(settled_middles, threshold)
            })
            .collect();
        let root = settle(settled_sides, threshold);
        let pieces = match root {
            Settled::Blocks(blocks) => blocks,
            Settled::Small(piece) if piece.cells.is_empty() => Vec::new(),
            Settled::Small(piece) => vec![piece],
        };
        let mut block_of = vec![0; cells.len()];
        let mut blocks = Vec::with_capacity(pieces.len());
        for (b, piece) in pieces.into_iter().enumerate() {
            for i in piece.cells {
                block_of[i] = b;
            }
            blocks.push(piece.size);
        }
        Partition {
            threshold,
            cells: cells
                .into_iter()
                .zip(block_of)
                .map(|((cell, n), b)| (cell, n, b))
                .collect(),
            blocks,
        }
    }

    /// The verdict on a filter.
    pub fn judge(&self, filter: &Filter) -> Verdict {
        self.judge_where(|cell| filter.matches(cell))
    }

    /// The verdict on the group of the cells for which `member` holds.
    pub fn judge_where(&self, member: impl Fn(&Cell) -> bool) -> Verdict {
        let mut count = 0;
        // Per block: how many of its responses are in the group.
        let mut inside = vec![0u64; self.blocks.len()];
        for (cell, n, block) in &self.cells {
            if member(cell) {
                count += n;
                inside[*block] += n;
            }
        }
        if count < self.threshold {
            return Verdict::TooFew;
        }
        let cuts_a_block = inside
            .iter()
            .zip(&self.blocks)
            .any(|(inside, size)| *inside != 0 && inside != size);
        if cuts_a_block {
            Verdict::WouldSingleOut
        } else {
            Verdict::Shown { count }
        }
    }

    /// The verdicts on the sub-groups of a group (`member`) split by `key` (a breakdown: by team,
    /// by track), in one pass over the cells. Each sub-group is judged exactly as
    /// [`judge_where`](Partition::judge_where) would judge it alone.
    pub fn judge_split<K: Ord>(
        &self,
        member: impl Fn(&Cell) -> bool,
        key: impl Fn(&Cell) -> K,
    ) -> BTreeMap<K, Verdict> {
        // Per sub-group: its responses, and how many of them fall in each block it touches.
        let mut groups: BTreeMap<K, (u64, BTreeMap<usize, u64>)> = BTreeMap::new();
        for (cell, n, block) in &self.cells {
            if member(cell) {
                let (count, inside) = groups.entry(key(cell)).or_default();
                *count += n;
                *inside.entry(*block).or_default() += n;
            }
        }
        groups
            .into_iter()
            .map(|(k, (count, inside))| {
                let verdict = if count < self.threshold {
                    Verdict::TooFew
                } else if inside.iter().any(|(b, n)| *n != self.blocks[*b]) {
                    Verdict::WouldSingleOut
                } else {
                    Verdict::Shown { count }
                };
                (k, verdict)
            })
            .collect()
    }

    /// All responses.
    pub fn total(&self) -> u64 {
        self.blocks.iter().sum()
    }

    /// The blocks, each as its cells, for explanations and tests.
    pub fn blocks(&self) -> Vec<Vec<&Cell>> {
        let mut out = vec![Vec::new(); self.blocks.len()];
        for (cell, _, block) in &self.cells {
            out[*block].push(cell);
        }
        out
    }

    /// The cells with responses and their counts.
    pub fn cells(&self) -> impl Iterator<Item = (&Cell, u64)> {
        self.cells.iter().map(|(c, n, _)| (c, *n))
    }
}

/// Splits sorted indexes into runs with the same key.
fn group_by<K: PartialEq>(sorted: &[usize], key: impl Fn(usize) -> K) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut last: Option<K> = None;
    for &i in sorted {
        let k = key(i);
        match (&last, groups.last_mut()) {
            (Some(l), Some(g)) if *l == k => g.push(i),
            _ => {
                groups.push(vec![i]);
                last = Some(k);
            }
        }
    }
    groups
}

fn settle_leaf(piece: Piece, threshold: u64) -> Settled {
    if piece.size >= threshold {
        Settled::Blocks(vec![piece])
    } else {
        Settled::Small(piece)
    }
}

/// Pools the too-small children of a node (see the module's doc).
fn settle(children: Vec<Settled>, threshold: u64) -> Settled {
    let mut blocks: Vec<Piece> = Vec::new();
    let mut pool = Piece::default();
    for child in children {
        match child {
            Settled::Blocks(b) => blocks.extend(b),
            Settled::Small(p) => pool.absorb(p),
        }
    }
    if pool.size == 0 && pool.cells.is_empty() {
        return Settled::Blocks(blocks);
    }
    if pool.size >= threshold {
        blocks.push(pool);
        return Settled::Blocks(blocks);
    }
    // The pool is too small on its own: it joins the smallest block of its siblings (the first
    // of equals, so that the cut is the same every time), or stays a small piece for the parent.
    let smallest = blocks
        .iter()
        .enumerate()
        .min_by_key(|(i, b)| (b.size, *i))
        .map(|(i, _)| i);
    match smallest {
        Some(i) => {
            blocks[i].absorb(pool);
            Settled::Blocks(blocks)
        }
        None => Settled::Small(pool),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(pilot: bool, team: i64, track: &str) -> Cell {
        Cell {
            pilot,
            team: Some(team),
            track: Some(track.to_owned()),
        }
    }

    fn team(t: i64) -> Filter {
        Filter {
            team: Some(t),
            ..Filter::default()
        }
    }

    fn track(t: &str) -> Filter {
        Filter {
            track: Some(t.to_owned()),
            ..Filter::default()
        }
    }

    fn both(t: i64, k: &str) -> Filter {
        Filter {
            team: Some(t),
            track: Some(k.to_owned()),
            pilot: None,
        }
    }

    /// A small deterministic generator, so that the tables below are the same on every run.
    struct SplitMix(u64);

    impl SplitMix {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    /// A random survey: a few teams (some in the pilot) and tracks, counts from 0 to 12 per cell.
    fn random_counts(rng: &mut SplitMix) -> Vec<(Cell, u64)> {
        let teams = 1 + rng.below(5) as i64;
        let tracks = ["a", "b", "c", "d"];
        let mut out = Vec::new();
        for t in 0..teams {
            let pilot = t % 3 == 0;
            for k in &tracks[..1 + rng.below(4) as usize] {
                let n = match rng.below(4) {
                    0 => 0,
                    1 => 1 + rng.below(3),
                    _ => rng.below(13),
                };
                out.push((cell(pilot, t, k), n));
            }
            if rng.below(4) == 0 {
                out.push((
                    Cell {
                        pilot,
                        team: Some(t),
                        track: None,
                    },
                    1 + rng.below(6),
                ));
            }
        }
        out
    }

    /// Every filter the results page and the API accept, over the values present.
    fn every_filter(counts: &[(Cell, u64)]) -> Vec<Filter> {
        let mut teams: Vec<Option<i64>> = counts.iter().map(|(c, _)| c.team).collect();
        let mut tracks: Vec<Option<String>> = counts.iter().map(|(c, _)| c.track.clone()).collect();
        teams.sort();
        teams.dedup();
        tracks.sort();
        tracks.dedup();
        let mut filters = Vec::new();
        for team in teams.iter().flatten().map(|t| Some(*t)).chain([None]) {
            for track in tracks
                .iter()
                .flatten()
                .map(|t| Some(t.clone()))
                .chain([None])
            {
                for pilot in [Some(true), Some(false), None] {
                    filters.push(Filter {
                        team,
                        track: track.clone(),
                        pilot,
                    });
                }
            }
        }
        filters
    }

    fn members<'a>(counts: &'a [(Cell, u64)], filter: &Filter) -> Vec<&'a Cell> {
        counts
            .iter()
            .filter(|(c, n)| *n > 0 && filter.matches(c))
            .map(|(c, _)| c)
            .collect()
    }

    fn size(counts: &[(Cell, u64)], member: impl Fn(&Cell) -> bool) -> u64 {
        counts
            .iter()
            .filter(|(c, _)| member(c))
            .map(|(_, n)| n)
            .sum()
    }

    #[test]
    fn every_block_holds_at_least_the_threshold() {
        let mut rng = SplitMix(7);
        for _ in 0..500 {
            let counts = random_counts(&mut rng);
            let total: u64 = counts.iter().map(|(_, n)| n).sum();
            for threshold in 3..=7 {
                for by in [CompareBy::Team, CompareBy::Track] {
                    let p = Partition::new(counts.clone(), threshold, by);
                    assert_eq!(p.total(), total);
                    let t = threshold as u64;
                    if total >= t {
                        assert!(
                            p.blocks.iter().all(|b| *b >= t),
                            "a block below {t}: {:?}",
                            p.blocks
                        );
                    } else {
                        assert!(p.blocks.len() <= 1, "a small survey is one block");
                    }
                    let cells_in_blocks: usize = p.blocks().iter().map(Vec::len).sum();
                    assert_eq!(cells_in_blocks, p.cells.len(), "every cell in one block");
                }
            }
        }
    }

    /// The attack: ask for every filter, and subtract any shown group from any other (or from the
    /// whole survey). Every difference, intersection and complement of shown groups must hold no
    /// responses or at least the threshold.
    #[test]
    fn no_difference_of_shown_groups_isolates_fewer_than_the_threshold() {
        let mut rng = SplitMix(42);
        for _ in 0..300 {
            let counts = random_counts(&mut rng);
            for threshold in [3, 5] {
                for by in [CompareBy::Team, CompareBy::Track] {
                    let p = Partition::new(counts.clone(), threshold, by);
                    let t = threshold as u64;
                    let shown: Vec<Vec<&Cell>> = every_filter(&counts)
                        .iter()
                        .filter(|f| p.judge(f).is_shown())
                        .map(|f| members(&counts, f))
                        .collect();
                    let everyone: Vec<&Cell> = members(&counts, &Filter::default());
                    for a in shown.iter().chain([&everyone]) {
                        for b in &shown {
                            let minus = size(&counts, |c| a.contains(&c) && !b.contains(&c));
                            let and = size(&counts, |c| a.contains(&c) && b.contains(&c));
                            assert!(minus == 0 || minus >= t, "A − B = {minus} < {t}");
                            assert!(and == 0 || and >= t, "A ∩ B = {and} < {t}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn shown_groups_are_unions_of_blocks() {
        let mut rng = SplitMix(3);
        for _ in 0..200 {
            let counts = random_counts(&mut rng);
            let p = Partition::new(counts.clone(), 5, CompareBy::Team);
            for f in every_filter(&counts) {
                if p.judge(&f).is_shown() {
                    for block in p.blocks() {
                        let inside = block.iter().filter(|c| f.matches(c)).count();
                        assert!(inside == 0 || inside == block.len(), "{f:?} cuts a block");
                    }
                }
            }
        }
    }

    #[test]
    fn a_split_judges_each_part_as_it_would_be_judged_alone() {
        let mut rng = SplitMix(11);
        for _ in 0..200 {
            let counts = random_counts(&mut rng);
            let p = Partition::new(counts.clone(), 4, CompareBy::Team);
            let everyone = |_: &Cell| true;
            for (team, verdict) in p.judge_split(everyone, |c| c.team) {
                assert_eq!(verdict, p.judge_where(|c| c.team == team));
            }
            let pilot = |c: &Cell| c.pilot;
            for (track, verdict) in p.judge_split(pilot, |c| c.track.clone()) {
                assert_eq!(verdict, p.judge_where(|c| c.pilot && c.track == track));
            }
        }
    }

    #[test]
    fn a_team_and_track_combination_that_isolates_two_people_is_refused_both_ways() {
        // Team 1: ten on track a, two on track b. Team 2: eight on track a.
        let counts = vec![
            (cell(false, 1, "a"), 10),
            (cell(false, 1, "b"), 2),
            (cell(false, 2, "a"), 8),
        ];
        let p = Partition::new(counts, 5, CompareBy::Team);
        assert_eq!(p.judge(&team(1)), Verdict::Shown { count: 12 });
        assert_eq!(p.judge(&both(1, "b")), Verdict::TooFew);
        // Team 1 on track a is big enough, but team 1 minus it would be the two on track b.
        assert_eq!(p.judge(&both(1, "a")), Verdict::WouldSingleOut);
        // Track a would be everyone minus those two as well.
        assert_eq!(p.judge(&track("a")), Verdict::WouldSingleOut);
        assert_eq!(p.judge(&Filter::default()), Verdict::Shown { count: 20 });
        assert_eq!(p.judge(&team(2)), Verdict::Shown { count: 8 });
    }

    #[test]
    fn comparing_by_track_keeps_tracks_whole_instead() {
        let counts = vec![
            (cell(false, 1, "a"), 10),
            (cell(false, 1, "b"), 2),
            (cell(false, 2, "a"), 8),
            (cell(false, 2, "b"), 4),
        ];
        let p = Partition::new(counts, 5, CompareBy::Track);
        assert_eq!(p.judge(&track("a")), Verdict::Shown { count: 18 });
        assert_eq!(p.judge(&track("b")), Verdict::Shown { count: 6 });
        // Within track b, teams 1 and 2 are pooled: neither team is shown on its own any more.
        assert_eq!(p.judge(&team(2)), Verdict::WouldSingleOut);
        assert_eq!(p.judge(&both(2, "a")), Verdict::Shown { count: 8 });
    }

    #[test]
    fn a_filter_whose_complement_is_small_is_refused() {
        // Everyone: 13. Team 1 has 10: the complement, team 2, has 3.
        let counts = vec![(cell(false, 1, "a"), 10), (cell(false, 2, "a"), 3)];
        let p = Partition::new(counts, 5, CompareBy::Team);
        assert_eq!(p.judge(&Filter::default()), Verdict::Shown { count: 13 });
        assert_eq!(p.judge(&team(1)), Verdict::WouldSingleOut);
        assert_eq!(p.judge(&team(2)), Verdict::TooFew);
    }

    #[test]
    fn small_teams_are_pooled_and_the_pool_is_shown_only_as_a_whole() {
        // Three small teams of 2 pool into one block of 6; team 4 stands alone.
        let counts = vec![
            (cell(false, 1, "a"), 2),
            (cell(false, 2, "a"), 2),
            (cell(false, 3, "a"), 2),
            (cell(false, 4, "a"), 9),
        ];
        let p = Partition::new(counts, 5, CompareBy::Team);
        assert_eq!(p.judge(&team(4)), Verdict::Shown { count: 9 });
        for t in 1..=3 {
            assert_eq!(p.judge(&team(t)), Verdict::TooFew);
        }
        let pooled = p.judge_where(|c| c.team != Some(4));
        assert_eq!(pooled, Verdict::Shown { count: 6 });
        // Teams 1 and 2 together are 4: too few; teams 1 to 3 minus team 1 would cut the pool.
        assert_eq!(
            p.judge_where(|c| matches!(c.team, Some(1 | 2))),
            Verdict::TooFew
        );
        assert_eq!(
            p.judge_where(|c| matches!(c.team, Some(2..=4))),
            Verdict::WouldSingleOut
        );
    }

    #[test]
    fn a_small_pilot_cannot_be_recovered_from_the_rest() {
        let counts = vec![(cell(true, 1, "a"), 3), (cell(false, 2, "a"), 20)];
        let p = Partition::new(counts, 5, CompareBy::Team);
        let pilot = |p: bool| Filter {
            pilot: Some(p),
            ..Filter::default()
        };
        assert_eq!(p.judge(&pilot(true)), Verdict::TooFew);
        assert_eq!(p.judge(&pilot(false)), Verdict::WouldSingleOut);
        assert_eq!(p.judge(&Filter::default()), Verdict::Shown { count: 23 });
    }

    #[test]
    fn a_survey_below_the_threshold_shows_nothing() {
        let counts = vec![(cell(false, 1, "a"), 2), (cell(false, 2, "b"), 2)];
        let p = Partition::new(counts.clone(), 5, CompareBy::Team);
        for f in every_filter(&counts) {
            assert!(!p.judge(&f).is_shown(), "{f:?}");
        }
        assert_eq!(Partition::new(Vec::new(), 5, CompareBy::Team).total(), 0);
        assert_eq!(
            Partition::new(Vec::new(), 5, CompareBy::Team).judge(&Filter::default()),
            Verdict::TooFew
        );
    }

    #[test]
    fn refusals_explain_themselves() {
        assert!(
            Verdict::TooFew
                .message(5)
                .is_some_and(|m| m.starts_with("Not enough answers to show this group"))
        );
        assert!(
            Verdict::WouldSingleOut
                .message(5)
                .is_some_and(|m| m.contains("fewer than 5 people"))
        );
        assert_eq!(Verdict::Shown { count: 5 }.message(5), None);
    }
}
