//! The framework linter: advice on how a framework reads, beyond the rules of [`crate::validate`].
//! It finds empty cells, bullets that repeat across levels, levels that ask nothing new, vague or
//! jargon wording, filler, long sentences and a person (you / they) that changes within a track.
//!
//! Each [`Finding`] names its rule, a severity, a path into the document (the same convention as
//! [`crate::validate::Problem`], pointing at the most precise node: usually the bullet) and a
//! suggestion. Findings come in document order, and the same framework always gives the same list.
//! A framework switches rules off with its `lint.disable` setting.
//!
//! The linter reads the expectations of every level (not examples, which describe real work, nor
//! summaries). Its work is linear in the number of bullets: repeats are found with a hash set per
//! track and competency.

mod levels;
mod person;
mod words;

use std::fmt;

use serde::Serialize;

use crate::model::{Framework, Track};
use crate::validate::{Problem, Seg};
use crate::yaml::fields;

/// How much a finding matters. Errors make `trellis framework lint` fail; warnings are advice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Something the linter found, at a place in the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule's id, such as `vague-wording`.
    pub rule: &'static str,
    pub severity: Severity,
    pub path: Vec<Seg>,
    pub message: String,
    /// What to do about it.
    pub suggestion: Option<String>,
}

/// A rule of the linter, for documentation and the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleInfo {
    pub id: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
}

/// The rule ids, as constants so that a misspelt id does not compile.
pub mod rule {
    pub const EMPTY_CELL: &str = "empty-cell";
    pub const IDENTICAL_LEVEL: &str = "identical-level";
    pub const NO_GROWTH: &str = "no-growth";
    pub const REPEATED_BULLET: &str = "repeated-bullet";
    pub const INCONSISTENT_PERSON: &str = "inconsistent-person";
    pub const VAGUE_WORDING: &str = "vague-wording";
    pub const HR_JARGON: &str = "hr-jargon";
    pub const FILLER: &str = "filler";
    pub const LONG_SENTENCE: &str = "long-sentence";
}

/// Every rule, in the order findings at the same place are listed.
pub const RULES: &[RuleInfo] = &[
    RuleInfo {
        id: rule::EMPTY_CELL,
        severity: Severity::Error,
        summary: "A competency of the track has no expectations at a level (and is not marked not applicable), or a bullet is blank.",
    },
    RuleInfo {
        id: rule::IDENTICAL_LEVEL,
        severity: Severity::Error,
        summary: "A level's expectations are the same, cell for cell, as the level below: nobody can tell the two apart.",
    },
    RuleInfo {
        id: rule::NO_GROWTH,
        severity: Severity::Warning,
        summary: "A level does not grow in scope: every bullet repeats a level below, or a competency that applied below no longer applies.",
    },
    RuleInfo {
        id: rule::REPEATED_BULLET,
        severity: Severity::Warning,
        summary: "A bullet (or a whole cell) repeats, word for word, what a lower level of the track already says for the same competency.",
    },
    RuleInfo {
        id: rule::INCONSISTENT_PERSON,
        severity: Severity::Warning,
        summary: "A track mixes bullets that speak to the reader (you) with bullets that speak about them (they).",
    },
    RuleInfo {
        id: rule::VAGUE_WORDING,
        severity: Severity::Warning,
        summary: "Vague or unobservable wording, such as \"good\", \"strong\" or \"as needed\" (list: crates/framework/lint/vague.txt).",
    },
    RuleInfo {
        id: rule::HR_JARGON,
        severity: Severity::Warning,
        summary: "HR and management jargon, such as \"leverage\" or \"synergy\" (list: crates/framework/lint/jargon.txt).",
    },
    RuleInfo {
        id: rule::FILLER,
        severity: Severity::Warning,
        summary: "Filler that makes a bullet longer without saying more, such as \"in order to\" (list: crates/framework/lint/filler.txt).",
    },
    RuleInfo {
        id: rule::LONG_SENTENCE,
        severity: Severity::Warning,
        summary: "A sentence of more than 30 words, too long to read easily.",
    },
];

/// The rule with this id.
pub fn rule_info(id: &str) -> Option<&'static RuleInfo> {
    RULES.iter().find(|r| r.id == id)
}

/// Every finding in the framework, in document order, leaving out the rules it switches off.
pub fn lint(fw: &Framework) -> Vec<Finding> {
    let mut out = Out {
        findings: Vec::new(),
        disabled: fw.lint.disable.iter().map(|k| k.as_str()).collect(),
    };
    for (i, track) in fw.tracks.iter().enumerate() {
        let at = vec![Seg::Field("tracks".into()), Seg::Index(i)];
        levels::check(track, &at, &mut out);
        person::check(track, &at, &mut out);
        words::check(track, &at, &mut out);
    }
    let mut findings = out.findings;
    findings.sort_by_cached_key(|f| (document_order(fw, &f.path), rule_rank(f.rule)));
    findings
}

/// The findings that say more than the validation `problems` do: a finding at the very place a
/// problem names (an empty cell is both a problem and an `empty-cell` finding) is left out, so that
/// a list of both names each thing to fix once, as the problem that blocks publishing.
pub fn beyond_problems<'a>(findings: &'a [Finding], problems: &[Problem]) -> Vec<&'a Finding> {
    let named: std::collections::HashSet<&[Seg]> =
        problems.iter().map(|p| p.path.as_slice()).collect();
    findings
        .iter()
        .filter(|f| !named.contains(f.path.as_slice()))
        .collect()
}

fn rule_rank(id: &str) -> usize {
    RULES.iter().position(|r| r.id == id).unwrap_or(RULES.len())
}

/// Where findings are collected; rules switched off are dropped on the way in.
pub(crate) struct Out<'a> {
    findings: Vec<Finding>,
    disabled: Vec<&'a str>,
}

impl Out<'_> {
    pub(crate) fn enabled(&self, rule: &str) -> bool {
        !self.disabled.contains(&rule)
    }

    pub(crate) fn push(
        &mut self,
        rule: &'static str,
        path: Vec<Seg>,
        message: String,
        suggestion: Option<String>,
    ) {
        if !self.enabled(rule) {
            return;
        }
        let severity = rule_info(rule).map_or(Severity::Warning, |r| r.severity);
        self.findings.push(Finding {
            rule,
            severity,
            path,
            message,
            suggestion,
        });
    }
}

/// Paths below a track, built from the track's own path.
pub(crate) fn level_path(track: &[Seg], level: usize) -> Vec<Seg> {
    let mut p = track.to_vec();
    p.push(Seg::Field("levels".into()));
    p.push(Seg::Index(level));
    p
}

pub(crate) fn cell_path(track: &[Seg], level: usize, competency: &str) -> Vec<Seg> {
    let mut p = level_path(track, level);
    p.push(Seg::Field("expectations".into()));
    p.push(Seg::Field(competency.to_owned()));
    p
}

pub(crate) fn bullet_path(
    track: &[Seg],
    level: usize,
    competency: &str,
    bullet: usize,
) -> Vec<Seg> {
    let mut p = cell_path(track, level, competency);
    p.push(Seg::Index(bullet));
    p
}

/// The bullets of a level, row by row in the track's order: (competency index, key, bullets).
pub(crate) fn cells(track: &Track, level: usize) -> impl Iterator<Item = (usize, &str, &[String])> {
    let l = &track.levels[level];
    track.competencies.iter().enumerate().filter_map(|(i, c)| {
        l.expectations
            .get(c)
            .map(|bullets| (i, c.as_str(), bullets.as_slice()))
    })
}

/// A sort key that puts paths in the order the YAML writer puts their nodes: fields in the order of
/// [`fields`], list items by index, cells in the order of the track's competencies.
fn document_order(fw: &Framework, path: &[Seg]) -> Vec<usize> {
    enum In<'a> {
        Framework,
        Tracks,
        Track(&'a Track),
        Levels(&'a Track),
        Level(&'a Track),
        Cells(&'a Track),
        Other,
    }
    let field_rank = |list: &[&str], name: &str| list.iter().position(|f| *f == name);
    let mut key = Vec::with_capacity(path.len());
    let mut at = In::Framework;
    for seg in path {
        let (rank, next) = match (at, seg) {
            (In::Framework, Seg::Field(f)) => (
                field_rank(fields::FRAMEWORK, f),
                if f == "tracks" { In::Tracks } else { In::Other },
            ),
            (In::Tracks, Seg::Index(i)) => {
                (Some(*i), fw.tracks.get(*i).map_or(In::Other, In::Track))
            }
            (In::Track(t), Seg::Field(f)) => (
                field_rank(fields::TRACK, f),
                if f == "levels" {
                    In::Levels(t)
                } else {
                    In::Other
                },
            ),
            (In::Levels(t), Seg::Index(i)) => (Some(*i), In::Level(t)),
            (In::Level(t), Seg::Field(f)) => (
                field_rank(fields::LEVEL, f),
                if f == "expectations" || f == "examples" {
                    In::Cells(t)
                } else {
                    In::Other
                },
            ),
            (In::Cells(t), Seg::Field(c)) => (
                t.competencies.iter().position(|k| k.as_str() == c),
                In::Other,
            ),
            (_, Seg::Index(i)) => (Some(*i), In::Other),
            (_, Seg::Field(_)) => (None, In::Other),
        };
        key.push(rank.unwrap_or(usize::MAX));
        at = next;
    }
    key
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::model::{Competency, Key, Level, TrackKind};

    pub fn key(s: &str) -> Key {
        Key::parse(s).expect("test key")
    }

    /// A track `t` with competencies `a` and `b` and one level per item of `levels`, each given as
    /// the bullets of `a` and of `b`.
    pub fn framework(levels: &[(&[&str], &[&str])]) -> Framework {
        let competency = |k: &str| Competency {
            key: key(k),
            name: k.to_uppercase(),
            category: None,
            description: None,
        };
        let level = |(i, (a, b)): (usize, &(&[&str], &[&str]))| Level {
            key: key(&format!("l{}", i + 1)),
            title: format!("Level {}", i + 1),
            grade: None,
            summary: None,
            pay: None,
            expectations: [(key("a"), *a), (key("b"), *b)]
                .into_iter()
                .map(|(k, bullets)| (k, bullets.iter().map(|s| (*s).to_owned()).collect()))
                .collect(),
            examples: BTreeMap::new(),
            not_applicable: Vec::new(),
        };
        Framework {
            name: "Test".into(),
            competencies: vec![competency("a"), competency("b")],
            tracks: vec![Track {
                key: key("t"),
                name: "T".into(),
                family: None,
                kind: TrackKind::IndividualContributor,
                description: None,
                competencies: vec![key("a"), key("b")],
                levels: levels.iter().enumerate().map(level).collect(),
            }],
            ..Framework::default()
        }
    }

    /// The findings of one rule, as (path, message).
    pub fn found(fw: &Framework, rule: &str) -> Vec<(String, String)> {
        lint(fw)
            .into_iter()
            .filter(|f| f.rule == rule)
            .map(|f| {
                let path: String = f.path.iter().map(ToString::to_string).collect();
                (path, f.message)
            })
            .collect()
    }

    pub fn paths(fw: &Framework, rule: &str) -> Vec<String> {
        found(fw, rule).into_iter().map(|(p, _)| p).collect()
    }

    #[test]
    fn a_plain_growing_track_has_no_findings() {
        let fw = framework(&[
            (
                &["You fix the bugs you are given, with tests."],
                &["You write the release notes for your changes."],
            ),
            (
                &["You choose which bugs your team fixes first, and say why."],
                &["You explain each release to the support team before it ships."],
            ),
        ]);
        assert_eq!(lint(&fw), vec![]);
    }

    #[test]
    fn rules_have_unique_kebab_case_ids() {
        let mut seen = std::collections::HashSet::new();
        for r in RULES {
            assert!(Key::parse(r.id).is_ok(), "{}", r.id);
            assert!(seen.insert(r.id), "{} twice", r.id);
        }
    }

    #[test]
    fn findings_come_in_document_order_and_disabled_rules_are_skipped() {
        let mut fw = framework(&[
            (&["You do good work in order to ship."], &[]),
            (
                &["You do good work in order to ship."],
                &["You leverage tools."],
            ),
        ]);
        let all: Vec<(&str, String)> = lint(&fw)
            .iter()
            .map(|f| (f.rule, f.path.iter().map(ToString::to_string).collect()))
            .collect();
        let at = ".tracks[0].levels";
        assert_eq!(
            all,
            vec![
                ("vague-wording", format!("{at}[0].expectations.a[0]")),
                ("filler", format!("{at}[0].expectations.a[0]")),
                ("empty-cell", format!("{at}[0].expectations.b")),
                ("repeated-bullet", format!("{at}[1].expectations.a")),
                ("vague-wording", format!("{at}[1].expectations.a[0]")),
                ("filler", format!("{at}[1].expectations.a[0]")),
                ("hr-jargon", format!("{at}[1].expectations.b[0]")),
            ]
        );
        fw.lint.disable = vec![key("vague-wording"), key("filler")];
        let rules: Vec<&str> = lint(&fw).iter().map(|f| f.rule).collect();
        assert_eq!(rules, ["empty-cell", "repeated-bullet", "hr-jargon"]);
    }

    #[test]
    fn findings_beyond_problems_leave_out_what_validation_already_says() {
        let fw = framework(&[
            (&["You do good work."], &[]),
            (&["You ship a feature."], &["You explain it."]),
        ]);
        let findings = lint(&fw);
        let problems = crate::validate::validate(&fw);
        assert!(findings.iter().any(|f| f.rule == rule::EMPTY_CELL));
        assert!(!problems.is_empty());
        let rules: Vec<&str> = beyond_problems(&findings, &problems)
            .iter()
            .map(|f| f.rule)
            .collect();
        assert_eq!(rules, ["vague-wording"]);
    }
}
