//! The rule on a small framework, condition by condition.

use trellis_framework::Framework;

use super::*;

/// A track of four competencies over three levels; `mentoring` does not apply at the first.
fn framework() -> Framework {
    trellis_framework::yaml::read(include_str!("test-framework.yaml"))
        .expect("a valid test framework")
}

fn checkin(level: &str, ratings: &[(&str, Rating)]) -> AgreedCheckIn {
    AgreedCheckIn {
        id: 7,
        level: level.into(),
        agreed_at: 0,
        ratings: ratings.iter().map(|(k, r)| ((*k).to_owned(), *r)).collect(),
    }
}

fn rule() -> Rule {
    Rule::default_for("eng")
}

use Rating::{Below, Exceeds, Meets, NotApplicable, WorkingTowards};

fn reason<'a>(r: &'a Readiness, code: &str) -> &'a Reason {
    r.reasons
        .iter()
        .find(|x| x.code == code)
        .unwrap_or_else(|| panic!("a “{code}” reason in {:?}", r.reasons))
}

fn keys(r: &Reason) -> Vec<&str> {
    r.competencies.iter().map(|n| n.key.as_str()).collect()
}

#[test]
fn ready_when_the_next_level_check_in_meets_the_share_and_nothing_is_below() {
    let fw = framework();
    let c = checkin(
        "two",
        &[
            ("ownership", Meets),
            ("craft", Exceeds),
            ("teamwork", Meets),
            ("mentoring", WorkingTowards),
        ],
    );
    let r = evaluate(&rule(), &fw, Some(("eng", "one")), Some(&c));
    assert_eq!(r.status, Status::Ready, "{:?}", r.reasons);
    assert_eq!(r.next_level.as_deref(), Some("two"));
    assert_eq!(r.checkin_id, Some(7));
    let share = reason(&r, "next_level_share").share.expect("a share");
    assert_eq!(
        (share.meeting, share.counted, share.reached, share.needed),
        (3, 4, 75, 60)
    );
    assert!(reason(&r, "current_level").met);
    assert!(r.reasons.iter().all(|x| x.met && !x.message.is_empty()));
}

#[test]
fn a_share_below_the_rule_names_the_competencies_short_of_the_next_level() {
    let fw = framework();
    let c = checkin(
        "two",
        &[
            ("ownership", Meets),
            ("craft", WorkingTowards),
            ("teamwork", WorkingTowards),
            ("mentoring", WorkingTowards),
        ],
    );
    let r = evaluate(&rule(), &fw, Some(("eng", "one")), Some(&c));
    assert_eq!(r.status, Status::NotYet);
    let share = reason(&r, "next_level_share");
    assert!(!share.met);
    assert_eq!(share.share.map(|s| s.reached), Some(25));
    assert_eq!(keys(share), ["craft", "teamwork", "mentoring"]);
    assert!(
        share.message.contains("25 %") && share.message.contains("60 %"),
        "{}",
        share.message
    );
    assert!(
        share.message.contains("Craft, Teamwork and Mentoring"),
        "{}",
        share.message
    );
}

#[test]
fn below_at_the_next_level_counts_as_not_meeting_the_current_one() {
    let fw = framework();
    let c = checkin(
        "two",
        &[
            ("ownership", Meets),
            ("craft", Meets),
            ("teamwork", Below),
            ("mentoring", Meets),
        ],
    );
    let r = evaluate(&rule(), &fw, Some(("eng", "one")), Some(&c));
    assert_eq!(r.status, Status::NotYet);
    let current = reason(&r, "current_level");
    assert!(!current.met);
    assert_eq!(keys(current), ["teamwork"]);
    assert!(current.message.contains("Teamwork"), "{}", current.message);
    assert!(reason(&r, "next_level_share").met, "75 % is enough");
    // Without the current-level condition, the same check-in is ready.
    let lenient = Rule {
        all_meet_current: false,
        ..rule()
    };
    let r = evaluate(&lenient, &fw, Some(("eng", "one")), Some(&c));
    assert_eq!(r.status, Status::Ready);
    assert!(r.reasons.iter().all(|x| x.code != "current_level"));
}

#[test]
fn a_check_in_against_the_current_level_judges_it_but_not_the_next() {
    let fw = framework();
    let good = checkin(
        "one",
        &[
            ("ownership", Meets),
            ("craft", Exceeds),
            ("teamwork", Meets),
        ],
    );
    let r = evaluate(&rule(), &fw, Some(("eng", "one")), Some(&good));
    assert_eq!(r.status, Status::NotYet);
    assert!(reason(&r, "current_level").met);
    let next = reason(&r, "next_level_check_in");
    assert!(!next.met);
    assert!(
        next.message
            .contains("No agreed check-in against the next level (Engineer II)"),
        "{}",
        next.message
    );
    // Working towards the current level does not meet it.
    let short = checkin(
        "one",
        &[
            ("ownership", WorkingTowards),
            ("craft", Meets),
            ("teamwork", Meets),
        ],
    );
    let r = evaluate(&rule(), &fw, Some(("eng", "one")), Some(&short));
    assert_eq!(keys(reason(&r, "current_level")), ["ownership"]);
}

#[test]
fn required_competencies_must_meet_the_next_level_whatever_the_share() {
    let fw = framework();
    let strict = Rule {
        next_level_share: 50,
        required: vec!["mentoring".into()],
        ..rule()
    };
    let c = checkin(
        "two",
        &[
            ("ownership", Exceeds),
            ("craft", Meets),
            ("teamwork", Meets),
            ("mentoring", WorkingTowards),
        ],
    );
    let r = evaluate(&strict, &fw, Some(("eng", "one")), Some(&c));
    assert_eq!(r.status, Status::NotYet);
    assert!(reason(&r, "next_level_share").met);
    let required = reason(&r, "required");
    assert!(!required.met);
    assert_eq!(keys(required), ["mentoring"]);
    assert!(
        required.message.contains("Mentoring"),
        "{}",
        required.message
    );
}

#[test]
fn not_applicable_ratings_and_cells_are_left_out_and_unrated_ones_count_against() {
    let fw = framework();
    // Mentoring rated not applicable: three count at the next level, and two of three is 66 %.
    let c = checkin(
        "two",
        &[
            ("ownership", Meets),
            ("craft", Meets),
            ("teamwork", WorkingTowards),
            ("mentoring", NotApplicable),
        ],
    );
    let r = evaluate(&rule(), &fw, Some(("eng", "one")), Some(&c));
    let share = reason(&r, "next_level_share").share.expect("a share");
    assert_eq!((share.meeting, share.counted, share.reached), (2, 3, 66));
    assert_eq!(r.status, Status::Ready);
    // A competency the check-in does not rate is short of both levels.
    let partial = checkin(
        "two",
        &[("ownership", Meets), ("craft", Meets), ("mentoring", Meets)],
    );
    let r = evaluate(&rule(), &fw, Some(("eng", "one")), Some(&partial));
    let current = reason(&r, "current_level");
    assert_eq!(keys(current), ["teamwork"]);
    assert!(current.message.contains("not rated"), "{}", current.message);
    assert_eq!(r.status, Status::NotYet);
}

#[test]
fn the_share_is_judged_exactly_at_the_boundary() {
    let fw = framework();
    let c = checkin(
        "two",
        &[
            ("ownership", Meets),
            ("craft", Meets),
            ("teamwork", Below),
            ("mentoring", Below),
        ],
    );
    let half = Rule {
        next_level_share: 50,
        all_meet_current: false,
        ..rule()
    };
    assert_eq!(
        evaluate(&half, &fw, Some(("eng", "one")), Some(&c)).status,
        Status::Ready
    );
    let more = Rule {
        next_level_share: 51,
        ..half.clone()
    };
    assert_eq!(
        evaluate(&more, &fw, Some(("eng", "one")), Some(&c)).status,
        Status::NotYet
    );
    let none = Rule {
        next_level_share: 0,
        ..half
    };
    assert_eq!(
        evaluate(&none, &fw, Some(("eng", "one")), Some(&c)).status,
        Status::Ready
    );
}

#[test]
fn no_check_in_top_of_track_and_no_position_are_explained() {
    let fw = framework();
    let r = evaluate(&rule(), &fw, Some(("eng", "one")), None);
    assert_eq!(r.status, Status::NoCheckIn);
    assert!(
        reason(&r, "check_in")
            .message
            .contains("Engineer I or Engineer II")
    );
    // A check-in against another level does not count.
    let old = checkin("three", &[("ownership", Meets)]);
    assert_eq!(
        evaluate(&rule(), &fw, Some(("eng", "one")), Some(&old)).status,
        Status::NoCheckIn
    );
    let top = evaluate(&rule(), &fw, Some(("eng", "three")), None);
    assert_eq!(top.status, Status::TopOfTrack);
    assert!(
        reason(&top, "top_of_track")
            .message
            .contains("Engineer III is the highest level of Engineering")
    );
    let none = evaluate(&rule(), &fw, None, None);
    assert_eq!(none.status, Status::NoPosition);
    assert!(!none.reasons.is_empty());
    let gone = evaluate(&rule(), &fw, Some(("sales", "one")), None);
    assert_eq!(gone.status, Status::NoPosition);
    assert!(
        reason(&gone, "position")
            .message
            .contains("not in the published framework")
    );
}

fn at(level: &str, id: i64, agreed_at: i64, ratings: &[(&str, Rating)]) -> AgreedCheckIn {
    AgreedCheckIn {
        id,
        agreed_at,
        ..checkin(level, ratings)
    }
}

#[test]
fn the_latest_check_in_of_each_level_is_chosen_and_other_levels_never() {
    let old = at("one", 1, 100, &[]);
    let newer = at("one", 2, 200, &[]);
    let same_second = at("one", 3, 200, &[]);
    let next = at("two", 4, 50, &[]);
    let other = at("three", 5, 999, &[]);
    let all = [&old, &newer, &same_second, &next, &other];
    let basis = choose(all, "one", Some("two"));
    // The later agreed time wins; on the same second, the later check-in.
    assert_eq!(basis.current.map(|c| c.id), Some(3));
    assert_eq!(basis.next.map(|c| c.id), Some(4));
    // The order they come in does not matter.
    let reversed = choose(all.into_iter().rev(), "one", Some("two"));
    assert_eq!(reversed, basis);
    // A check-in against another level is never chosen.
    assert_eq!(choose([&other], "one", Some("two")), Basis::default());
    assert_eq!(choose([&next], "one", None), Basis::default());
}

#[test]
fn a_check_in_against_the_next_level_does_not_overrule_one_against_the_current_level() {
    let fw = framework();
    // Agreed the same day: the current level's check-in says teamwork is working towards it.
    let current = at(
        "one",
        1,
        1_000,
        &[
            ("ownership", Meets),
            ("craft", Meets),
            ("teamwork", WorkingTowards),
        ],
    );
    let next = at(
        "two",
        2,
        1_000,
        &[
            ("ownership", Meets),
            ("craft", Meets),
            ("teamwork", WorkingTowards),
            ("mentoring", Meets),
        ],
    );
    let r = evaluate(&rule(), &fw, Some(("eng", "one")), [&next, &current]);
    assert_eq!(r.status, Status::NotYet);
    let cur = reason(&r, "current_level");
    assert!(!cur.met);
    assert_eq!(keys(cur), ["teamwork"]);
    assert_eq!(cur.checkin_id, Some(1));
    // The share is judged on the next level's check-in, and says so.
    let share = reason(&r, "next_level_share");
    assert!(share.met);
    assert_eq!(share.checkin_id, Some(2));
    assert_eq!(r.checkin_id, Some(2));
    // Alone, the next level's check-in would have made her ready, and the reason says on what.
    let alone = evaluate(&rule(), &fw, Some(("eng", "one")), [&next]);
    assert_eq!(alone.status, Status::Ready);
    let cur = reason(&alone, "current_level");
    assert_eq!(cur.checkin_id, Some(2));
    assert!(
        cur.message.contains(
            "Judged on the check-in against Engineer II, as none against Engineer I was agreed"
        ),
        "{}",
        cur.message
    );
    // A check-in against another level changes nothing.
    let other = at("three", 3, 9_000, &[("teamwork", Exceeds)]);
    assert_eq!(
        evaluate(
            &rule(),
            &fw,
            Some(("eng", "one")),
            [&next, &current, &other]
        ),
        r
    );
}
