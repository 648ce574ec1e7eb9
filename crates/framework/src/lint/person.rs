//! The `inconsistent-person` rule: a track's bullets should all speak to the reader ("You review
//! designs") or all speak about them ("Reviews designs", "They review designs").
//!
//! A bullet speaks to the reader when it has a second-person word (you, your, …); otherwise it
//! speaks about them when it has a third-person pronoun (they, their, she, his, …). Bullets with
//! neither say nothing about person and are left alone. When a track has both kinds, the kind with
//! fewer bullets is reported, bullet by bullet (on a tie, the kind of the track's first bullet wins).

use super::rule::INCONSISTENT_PERSON;
use super::words::words;
use super::{Out, bullet_path, cells};
use crate::model::Track;
use crate::validate::Seg;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Person {
    Second,
    Third,
}

impl Person {
    fn word(self) -> &'static str {
        match self {
            Person::Second => "you",
            Person::Third => "they",
        }
    }
}

const SECOND: &[&str] = &[
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
    "you're",
    "you've",
    "you'll",
    "you'd",
];
const THIRD: &[&str] = &[
    "they",
    "them",
    "their",
    "theirs",
    "themselves",
    "themself",
    "they're",
    "they've",
    "they'll",
    "they'd",
    "he",
    "him",
    "his",
    "himself",
    "she",
    "her",
    "hers",
    "herself",
];

fn person(bullet: &str) -> Option<Person> {
    let mut third = false;
    for w in words(bullet) {
        if SECOND.contains(&w.text.as_str()) {
            return Some(Person::Second);
        }
        third |= THIRD.contains(&w.text.as_str());
    }
    third.then_some(Person::Third)
}

pub(crate) fn check(track: &Track, at: &[Seg], out: &mut Out<'_>) {
    if !out.enabled(INCONSISTENT_PERSON) {
        return;
    }
    let mut bullets = Vec::new();
    for j in 0..track.levels.len() {
        for (_, c, items) in cells(track, j) {
            for (k, b) in items.iter().enumerate() {
                if let Some(p) = person(b) {
                    bullets.push((j, c, k, p));
                }
            }
        }
    }
    let Some(&(_, _, _, first)) = bullets.first() else {
        return;
    };
    let seconds = bullets.iter().filter(|b| b.3 == Person::Second).count();
    let thirds = bullets.len() - seconds;
    if seconds == 0 || thirds == 0 {
        return;
    }
    let (usual, count, others) = match seconds.cmp(&thirds) {
        std::cmp::Ordering::Greater => (Person::Second, seconds, thirds),
        std::cmp::Ordering::Less => (Person::Third, thirds, seconds),
        std::cmp::Ordering::Equal => (first, seconds, thirds),
    };
    for &(j, c, k, p) in &bullets {
        if p == usual {
            continue;
        }
        out.push(
            INCONSISTENT_PERSON,
            bullet_path(at, j, c, k),
            format!(
                "this bullet speaks of “{}”, but track `{}` mostly speaks of “{}” ({count} bullets against {others})",
                p.word(),
                track.key,
                usual.word()
            ),
            Some(match usual {
                Person::Second => "write it to the reader, as the track does: “You …”".into(),
                Person::Third => {
                    "write it about the person, as the track does: “Reviews …” or “They …”".into()
                }
            }),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{found, framework};

    #[test]
    fn the_less_used_person_of_a_track_is_reported() {
        let fw = framework(&[
            (
                &["You fix your bugs.", "They write their tests."],
                &["You review designs."],
            ),
            (
                &["Plans work for the team."],
                &["You help others when they ask."],
            ),
        ]);
        assert_eq!(
            found(&fw, "inconsistent-person"),
            vec![(
                ".tracks[0].levels[0].expectations.a[1]".to_owned(),
                "this bullet speaks of “they”, but track `t` mostly speaks of “you” (3 bullets against 1)"
                    .to_owned()
            )]
        );
    }

    #[test]
    fn a_track_in_one_person_is_fine() {
        let fw = framework(&[
            (&["Fixes their own bugs."], &["Reviews designs."]),
            (
                &["Plans work for the team."],
                &["Helps others when they ask."],
            ),
        ]);
        assert_eq!(found(&fw, "inconsistent-person"), vec![]);
    }
}
