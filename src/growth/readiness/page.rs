//! A page of people as the bulk recompute reads it: one text per page (a row per person would
//! cost a round trip between the database driver's thread and the task for each), parsed person
//! by person, evaluated by the pure rule, and each result made ready to be written with the digest
//! that tells whether it changed.

use std::collections::HashMap;

use trellis_framework::Framework;

use super::{AgreedCheckIn, Readiness, Rule, Status, evaluate, parse_agreed};
use crate::error::{AppError, AppResult};

/// Separators of a page of people read in bulk by `recompute` (bound as parameters of
/// `string_agg`, which both backends have): people are separated by RS (0x1E) and their fields by
/// US (0x1F). Neither can occur inside a field: ids are numbers, keys hold only `a-z`, `0-9` and
/// `-`, digests are hex, and agreed ratings are compact JSON written by serde_json, which escapes
/// every control character inside a string.
pub(super) const RECORD_SEP: char = '\u{1e}';
pub(super) const FIELD_SEP: char = '\u{1f}';

/// A person as read for recomputing, borrowed from the page: their position, the digest of
/// their stored result, and their latest agreed check-ins against their current and their next
/// level (see [`choose`](super::choose)).
#[derive(Debug, PartialEq, Eq)]
struct Raw<'a> {
    id: i64,
    position: Option<(&'a str, &'a str)>,
    digest: &'a str,
    checkins: [Option<RawCheckIn<'a>>; 2],
}

/// An agreed check-in as read in a page: id, level, agreed at, agreed ratings as stored.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
struct RawCheckIn<'a> {
    id: i64,
    level: &'a str,
    agreed_at: i64,
    ratings: &'a str,
}

impl RawCheckIn<'_> {
    fn agreed(&self) -> AgreedCheckIn {
        AgreedCheckIn {
            id: self.id,
            level: self.level.to_owned(),
            agreed_at: self.agreed_at,
            ratings: parse_agreed(self.ratings),
        }
    }
}

/// Reads one person of a page (see [`RECORD_SEP`]).
fn parse_record(record: &str) -> Option<Raw<'_>> {
    let mut fields = record.split(FIELD_SEP);
    let id = fields.next()?.parse().ok()?;
    let track = fields.next()?;
    let level = fields.next()?;
    let digest = fields.next()?;
    let mut checkin = || -> Option<Option<RawCheckIn<'_>>> {
        let id = fields.next()?;
        let level = fields.next()?;
        let at = fields.next()?;
        let ratings = fields.next()?;
        if id.is_empty() {
            return Some(None);
        }
        Some(Some(RawCheckIn {
            id: id.parse().ok()?,
            level,
            agreed_at: if at.is_empty() { 0 } else { at.parse().ok()? },
            ratings,
        }))
    };
    let current = checkin()?;
    let next = checkin()?;
    if fields.next().is_some() {
        return None;
    }
    Some(Raw {
        id,
        position: (!track.is_empty() && !level.is_empty()).then_some((track, level)),
        digest,
        checkins: [current, next],
    })
}

/// A page evaluated: how many people, and the results that differ from the stored ones.
pub(super) struct Evaluated {
    pub(super) people: usize,
    pub(super) changed: Vec<Computed>,
}

/// Evaluates a page of people (see [`RECORD_SEP`]).
pub(super) fn evaluate_page(
    rules: &HashMap<String, Rule>,
    fw: &Framework,
    page: &str,
    at: i64,
) -> AppResult<Evaluated> {
    let mut out = Evaluated {
        people: 0,
        changed: Vec::new(),
    };
    for record in page.split(RECORD_SEP).filter(|r| !r.is_empty()) {
        let p = parse_record(record).ok_or_else(|| {
            AppError::internal("a person read for readiness could not be parsed".to_owned())
        })?;
        let checkins: Vec<AgreedCheckIn> = p
            .checkins
            .iter()
            .flatten()
            .map(RawCheckIn::agreed)
            .collect();
        let default;
        let rule = match p.position.and_then(|(t, _)| rules.get(t)) {
            Some(rule) => rule,
            None => {
                default = Rule::default_for(p.position.map_or("", |(t, _)| t));
                &default
            }
        };
        let result = Computed::new(p.id, evaluate(rule, fw, p.position, &checkins), at)?;
        out.people += 1;
        if result.digest != p.digest {
            out.changed.push(result);
        }
    }
    Ok(out)
}

/// A result ready to be written: the reasons already as JSON, so that a whole organisation's
/// results stay small in memory.
pub(super) struct Computed {
    pub(super) person: i64,
    pub(super) status: Status,
    pub(super) track: Option<String>,
    pub(super) level: Option<String>,
    pub(super) next_level: Option<String>,
    pub(super) checkin_id: Option<i64>,
    pub(super) reasons: String,
    pub(super) computed_at: i64,
    /// Hex; see [`Computed::digest`].
    pub(super) digest: String,
}

impl Computed {
    fn new(person: i64, r: Readiness, at: i64) -> AppResult<Computed> {
        let reasons = serde_json::to_string(&r.reasons)
            .map_err(|e| AppError::internal(format!("cannot write readiness reasons: {e}")))?;
        let digest = Computed::digest(
            r.status,
            [
                r.track.as_deref(),
                r.level.as_deref(),
                r.next_level.as_deref(),
            ],
            r.checkin_id,
            &reasons,
        );
        Ok(Computed {
            person,
            status: r.status,
            reasons,
            track: r.track,
            level: r.level,
            next_level: r.next_level,
            checkin_id: r.checkin_id,
            computed_at: at,
            digest,
        })
    }

    /// What tells two results apart: everything stored but the time. The first 128 bits of a
    /// SHA-256, as hex.
    fn digest(
        status: Status,
        keys: [Option<&str>; 3],
        checkin: Option<i64>,
        reasons: &str,
    ) -> String {
        use sha2::Digest as _;
        let mut h = sha2::Sha256::new();
        h.update(status.as_str());
        for key in keys {
            h.update([0x1f]);
            h.update(key.unwrap_or("\u{0}"));
        }
        h.update([0x1f]);
        h.update(checkin.map_or_else(String::new, |c| c.to_string()));
        h.update([0x1f]);
        h.update(reasons);
        hex::encode(&h.finalize()[..16])
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A track of four competencies over three levels; `mentoring` does not apply at the first.
    pub(in crate::growth::readiness) fn framework() -> Framework {
        // The same framework as the rule's own tests.
        trellis_framework::yaml::read(include_str!(
            "../../../crates/rules/src/readiness/test-framework.yaml"
        ))
        .expect("a valid test framework")
    }

    fn rule() -> Rule {
        Rule::default_for("eng")
    }

    #[test]
    fn a_page_read_in_bulk_is_parsed_person_by_person() {
        let fw = framework();
        let ratings = r#"{"ownership":{"rating":"meets","comment":"a; b"},"craft":{"rating":"meets"},"teamwork":{"rating":"meets"},"mentoring":{"rating":"working_towards"}}"#;
        let us = FIELD_SEP;
        let none = format!("{us}{us}{us}");
        let page = format!(
            "5{us}eng{us}one{us}{us}{none}{us}9{us}two{us}40{us}{ratings}{RECORD_SEP}6{us}{us}{us}abc{us}{none}{us}{none}"
        );
        let records: Vec<Raw<'_>> = page
            .split(RECORD_SEP)
            .map(|r| parse_record(r).expect("a record"))
            .collect();
        assert_eq!(
            records,
            [
                Raw {
                    id: 5,
                    position: Some(("eng", "one")),
                    digest: "",
                    checkins: [
                        None,
                        Some(RawCheckIn {
                            id: 9,
                            level: "two",
                            agreed_at: 40,
                            ratings,
                        }),
                    ],
                },
                Raw {
                    id: 6,
                    position: None,
                    digest: "abc",
                    checkins: [None, None],
                },
            ]
        );
        assert!(parse_record("x").is_none() && parse_record("7\u{1f}eng").is_none());
        // Both are evaluated; both differ from what is stored, so both are written.
        let evaluated = evaluate_page(&HashMap::new(), &fw, &page, 100).expect("a page");
        assert_eq!(evaluated.people, 2);
        assert_eq!(evaluated.changed[0].status, Status::Ready);
        assert_eq!(evaluated.changed[1].status, Status::NoPosition);
        // Read again with the digests now stored, nothing has changed.
        let stored = format!(
            "5{us}eng{us}one{us}{}{us}{none}{us}9{us}two{us}40{us}{ratings}{RECORD_SEP}6{us}{us}{us}{}{us}{none}{us}{none}",
            evaluated.changed[0].digest, evaluated.changed[1].digest
        );
        let again = evaluate_page(&HashMap::new(), &fw, &stored, 200).expect("a page");
        assert_eq!((again.people, again.changed.len()), (2, 0));
        // A stricter rule changes the first person's result, and only theirs.
        let strict = HashMap::from([(
            "eng".to_owned(),
            Rule {
                next_level_share: 100,
                ..rule()
            },
        )]);
        let changed = evaluate_page(&strict, &fw, &stored, 300).expect("a page");
        assert_eq!(changed.changed.len(), 1);
        assert_eq!(changed.changed[0].person, 5);
        assert_eq!(changed.changed[0].status, Status::NotYet);
    }
}
