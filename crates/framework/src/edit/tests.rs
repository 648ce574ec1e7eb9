use super::*;
use serde_json::json;

fn key(s: &str) -> Key {
    Key::parse(s).expect("test key")
}

/// Builds a draft the way the editor would: one edit at a time.
fn draft() -> Framework {
    let mut fw = Framework::default();
    let edits = json!([
        {"op": "set_framework", "name": "Acme"},
        {"op": "add_category", "key": "impact", "name": "Impact"},
        {"op": "add_category", "key": "craft", "name": "Craft"},
        {"op": "add_competency", "key": "ownership", "name": "Ownership", "category": "impact"},
        {"op": "add_competency", "key": "reliability", "name": "Reliability", "category": "craft"},
        {"op": "add_competency", "key": "autonomy", "name": "Autonomy"},
        {"op": "add_grade", "key": "g1", "name": "Grade 1"},
        {"op": "add_grade", "key": "g2", "name": "Grade 2"},
        {"op": "add_track", "key": "backend", "name": "Backend", "kind": "individual-contributor"},
        {"op": "add_track", "key": "frontend", "name": "Frontend", "kind": "individual-contributor"},
        {"op": "add_track_competency", "track": "backend", "competency": "ownership"},
        {"op": "add_track_competency", "track": "backend", "competency": "reliability"},
        {"op": "add_track_competency", "track": "frontend", "competency": "ownership"},
        {"op": "add_level", "track": "backend", "key": "se1", "title": "Software Engineer I", "grade": "g1"},
        {"op": "add_level", "track": "backend", "key": "se2", "title": "Software Engineer II"},
        {"op": "set_cell", "track": "backend", "level": "se1", "competency": "ownership",
         "expectations": ["You finish what you start."], "examples": ["The login page."]},
        {"op": "set_cell", "track": "backend", "level": "se1", "competency": "reliability",
         "not_applicable": true}
    ]);
    let edits: Vec<Edit> = serde_json::from_value(edits).expect("edits");
    for e in &edits {
        apply(&mut fw, e).unwrap_or_else(|err| panic!("{e:?}: {err}"));
    }
    fw
}

fn refused(edit: Edit) -> EditError {
    let mut fw = draft();
    let err = apply(&mut fw, &edit).expect_err("the edit should be refused");
    assert_eq!(fw, draft(), "a refused edit changes nothing");
    err
}

fn applied(edit: Edit) -> Framework {
    let mut fw = draft();
    apply(&mut fw, &edit).unwrap_or_else(|err| panic!("{edit:?}: {err}"));
    fw
}

fn keys<T: Keyed>(items: &[T]) -> Vec<&str> {
    items.iter().map(|t| t.key().as_str()).collect()
}

fn backend(fw: &Framework) -> &Track {
    fw.track("backend").expect("backend")
}

#[test]
fn building_a_draft_edit_by_edit_gives_the_expected_framework() {
    let fw = draft();
    assert_eq!(fw.name, "Acme");
    assert_eq!(keys(&fw.categories), ["impact", "craft"]);
    assert_eq!(
        keys(&fw.competencies),
        ["ownership", "reliability", "autonomy"]
    );
    assert_eq!(
        backend(&fw).competencies,
        [key("ownership"), key("reliability")]
    );
    assert_eq!(keys(&backend(&fw).levels), ["se1", "se2"]);
    let se1 = &backend(&fw).levels[0];
    assert_eq!(
        se1.expectations[&key("ownership")],
        ["You finish what you start."]
    );
    assert_eq!(se1.examples[&key("ownership")], ["The login page."]);
    assert_eq!(se1.not_applicable, [key("reliability")]);
}

#[test]
fn names_and_text_are_trimmed_and_blank_text_is_none() {
    let fw = applied(Edit::UpdateCategory {
        key: key("impact"),
        name: "  Impact & reach ".into(),
        description: Some("   ".into()),
    });
    assert_eq!(fw.categories[0].name, "Impact & reach");
    assert_eq!(fw.categories[0].description, None);
    let fw = applied(Edit::SetFramework {
        name: " Acme Ltd ".into(),
        description: Some(" How we grow ".into()),
    });
    assert_eq!(fw.name, "Acme Ltd");
    assert_eq!(fw.description.as_deref(), Some("How we grow"));
}

#[test]
fn a_blank_name_is_refused_next_to_the_name_field() {
    let err = refused(Edit::AddGrade {
        key: key("g3"),
        name: "  ".into(),
    });
    assert_eq!(err.field, Some("name"));
    assert_eq!(err.message, "the name cannot be empty");
    let err = refused(Edit::SetFramework {
        name: String::new(),
        description: None,
    });
    assert_eq!(err.field, Some("name"));
}

#[test]
fn a_blank_level_title_is_refused_next_to_the_title_field() {
    let err = refused(Edit::UpdateLevel {
        track: key("backend"),
        key: key("se1"),
        title: " ".into(),
        grade: None,
        summary: None,
        pay: None,
    });
    assert_eq!(err.field, Some("title"));
}

#[test]
fn a_key_already_taken_is_refused_in_its_scope_only() {
    let err = refused(Edit::AddCompetency {
        key: key("ownership"),
        name: "Ownership again".into(),
        category: None,
        description: None,
    });
    assert_eq!(err.field, Some("key"));
    assert_eq!(
        err.message,
        "there is already a competency `ownership`; choose another key"
    );
    assert_eq!(
        refused(Edit::AddCategory {
            key: key("craft"),
            name: "Craft".into(),
            description: None
        })
        .field,
        Some("key")
    );
    assert_eq!(
        refused(Edit::AddTrack {
            key: key("backend"),
            name: "Backend".into(),
            family: None,
            kind: TrackKind::Management,
            description: None
        })
        .field,
        Some("key")
    );
    let err = refused(Edit::AddLevel {
        track: key("backend"),
        key: key("se1"),
        title: "Again".into(),
        grade: None,
        summary: None,
        at: None,
    });
    assert_eq!(err.message, "track `backend` already has a level `se1`");
    // Level keys are unique within a track, so another track may reuse one.
    let fw = applied(Edit::AddLevel {
        track: key("frontend"),
        key: key("se1"),
        title: "Frontend Engineer I".into(),
        grade: None,
        summary: None,
        at: None,
    });
    assert_eq!(
        keys(&fw.track("frontend").expect("frontend").levels),
        ["se1"]
    );
}

#[test]
fn a_malformed_key_is_refused_when_parsed_and_when_deserialised() {
    let err = parse_key("key", "Software Engineer").expect_err("bad key");
    assert_eq!(err.field, Some("key"));
    assert!(err.message.contains("not a valid key"), "{}", err.message);
    assert_eq!(parse_key("key", " se-1 "), Ok(key("se-1")));
    let bad = json!({"op": "add_grade", "key": "G 1", "name": "Grade 1"});
    assert!(serde_json::from_value::<Edit>(bad).is_err());
}

#[test]
fn an_unknown_field_in_a_command_is_refused() {
    let typo = json!({"op": "add_grade", "key": "g3", "nmae": "Grade 3"});
    assert!(serde_json::from_value::<Edit>(typo).is_err());
}

#[test]
fn references_must_resolve() {
    let err = refused(Edit::AddCompetency {
        key: key("mentoring"),
        name: "Mentoring".into(),
        category: Some(key("people")),
        description: None,
    });
    assert_eq!(err.field, Some("category"));
    assert_eq!(err.message, "there is no category `people`");

    let err = refused(Edit::AddLevel {
        track: key("backend"),
        key: key("se3"),
        title: "Senior".into(),
        grade: Some(key("g9")),
        summary: None,
        at: None,
    });
    assert_eq!(err.field, Some("grade"));

    let err = refused(Edit::AddTrackCompetency {
        track: key("backend"),
        competency: key("mentoring"),
        at: None,
    });
    assert_eq!(err.field, Some("competency"));

    let err = refused(Edit::RemoveLevel {
        track: key("sales"),
        key: key("s1"),
    });
    assert_eq!(
        (err.field, err.message.as_str()),
        (None, "there is no track `sales`")
    );

    let err = refused(Edit::MoveLevel {
        track: key("backend"),
        key: key("se9"),
        to: 0,
    });
    assert_eq!(err.message, "track `backend` has no level `se9`");

    let err = refused(Edit::UpdateGrade {
        key: key("g9"),
        name: "Grade 9".into(),
    });
    assert_eq!(err.message, "there is no grade `g9`");
}

#[test]
fn a_cell_can_only_be_set_for_a_competency_the_track_uses() {
    let err = refused(Edit::SetCell {
        track: key("backend"),
        level: key("se1"),
        competency: key("autonomy"),
        expectations: vec!["You work alone.".into()],
        examples: vec![],
        not_applicable: false,
    });
    assert_eq!(
        err.message,
        "track `backend` does not use `autonomy`; add it to the track first"
    );
}

#[test]
fn a_competency_can_be_added_to_a_track_only_once() {
    let err = refused(Edit::AddTrackCompetency {
        track: key("backend"),
        competency: key("ownership"),
        at: None,
    });
    assert_eq!(err.message, "track `backend` already uses `ownership`");
}

#[test]
fn rows_and_levels_are_inserted_where_asked() {
    let fw = applied(Edit::AddTrackCompetency {
        track: key("backend"),
        competency: key("autonomy"),
        at: Some(0),
    });
    assert_eq!(
        backend(&fw).competencies,
        [key("autonomy"), key("ownership"), key("reliability")]
    );
    let fw = applied(Edit::AddLevel {
        track: key("backend"),
        key: key("intern"),
        title: "Intern".into(),
        grade: None,
        summary: Some(" Learning ".into()),
        at: Some(0),
    });
    assert_eq!(keys(&backend(&fw).levels), ["intern", "se1", "se2"]);
    assert_eq!(backend(&fw).levels[0].summary.as_deref(), Some("Learning"));
}

#[test]
fn an_insert_or_move_past_the_end_puts_the_item_last() {
    let fw = applied(Edit::AddLevel {
        track: key("backend"),
        key: key("se3"),
        title: "Senior".into(),
        grade: None,
        summary: None,
        at: Some(99),
    });
    assert_eq!(keys(&backend(&fw).levels), ["se1", "se2", "se3"]);
    let fw = applied(Edit::MoveCompetency {
        key: key("ownership"),
        to: 99,
    });
    assert_eq!(
        keys(&fw.competencies),
        ["reliability", "autonomy", "ownership"]
    );
}

#[test]
fn every_list_can_be_reordered() {
    let fw = applied(Edit::MoveCategory {
        key: key("craft"),
        to: 0,
    });
    assert_eq!(keys(&fw.categories), ["craft", "impact"]);
    let fw = applied(Edit::MoveGrade {
        key: key("g1"),
        to: 1,
    });
    assert_eq!(keys(&fw.grades), ["g2", "g1"]);
    let fw = applied(Edit::MoveTrack {
        key: key("frontend"),
        to: 0,
    });
    assert_eq!(keys(&fw.tracks), ["frontend", "backend"]);
    let fw = applied(Edit::MoveLevel {
        track: key("backend"),
        key: key("se2"),
        to: 0,
    });
    assert_eq!(keys(&backend(&fw).levels), ["se2", "se1"]);
    let fw = applied(Edit::MoveTrackCompetency {
        track: key("backend"),
        competency: key("reliability"),
        to: 0,
    });
    assert_eq!(
        backend(&fw).competencies,
        [key("reliability"), key("ownership")]
    );
}

#[test]
fn updates_replace_the_editable_fields_and_keep_the_key() {
    let fw = applied(Edit::UpdateCompetency {
        key: key("autonomy"),
        name: "Independence".into(),
        category: Some(key("craft")),
        description: Some("Working without supervision".into()),
    });
    let c = fw.competency("autonomy").expect("autonomy");
    assert_eq!(c.name, "Independence");
    assert_eq!(c.category, Some(key("craft")));
    let fw = applied(Edit::UpdateTrack {
        key: key("frontend"),
        name: "Web".into(),
        family: Some(" Engineering ".into()),
        kind: TrackKind::Management,
        description: None,
    });
    let t = fw.track("frontend").expect("frontend");
    assert_eq!(
        (t.name.as_str(), t.family.as_deref(), t.kind),
        ("Web", Some("Engineering"), TrackKind::Management)
    );
    let fw = applied(Edit::UpdateGrade {
        key: key("g2"),
        name: "Grade two".into(),
    });
    assert_eq!(fw.grades[1].name, "Grade two");
}

#[test]
fn updating_a_level_sets_its_grade_and_pay_band() {
    let fw = applied(Edit::UpdateLevel {
        track: key("backend"),
        key: key("se2"),
        title: "Engineer II".into(),
        grade: Some(key("g2")),
        summary: None,
        pay: Some(Pay {
            currency: "eur".into(),
            min: 50_000,
            mid: Some(58_000),
            max: 66_000,
        }),
    });
    let se2 = backend(&fw).level("se2").expect("se2");
    assert_eq!(se2.title, "Engineer II");
    assert_eq!(se2.grade, Some(key("g2")));
    assert_eq!(se2.pay.as_ref().map(|p| p.currency.as_str()), Some("EUR"));
    assert_eq!(se2.expectations, backend(&draft()).levels[1].expectations);
}

#[test]
fn an_inconsistent_pay_band_is_refused() {
    let update = |currency: &str, min, mid, max| Edit::UpdateLevel {
        track: key("backend"),
        key: key("se2"),
        title: "Engineer II".into(),
        grade: None,
        summary: None,
        pay: Some(Pay {
            currency: currency.into(),
            min,
            mid,
            max,
        }),
    };
    let err = refused(update("EUR", 70_000, None, 60_000));
    assert_eq!(err.field, Some("pay"));
    assert_eq!(err.message, "the minimum is above the maximum");
    assert_eq!(refused(update("EUR", 1, Some(5), 4)).field, Some("pay"));
    assert_eq!(refused(update("euro", 1, None, 4)).field, Some("pay"));
}

#[test]
fn removing_a_used_category_is_refused_naming_the_competencies() {
    let err = refused(Edit::RemoveCategory { key: key("impact") });
    assert_eq!(err.field, None);
    assert_eq!(
        err.message,
        "`ownership` uses this category; move it to another category first"
    );
    let mut fw = draft();
    for k in ["a", "b", "c", "d"] {
        let add = Edit::AddCompetency {
            key: key(k),
            name: k.to_uppercase(),
            category: Some(key("impact")),
            description: None,
        };
        apply(&mut fw, &add).expect("add");
    }
    let err = apply(&mut fw, &Edit::RemoveCategory { key: key("impact") }).expect_err("in use");
    assert_eq!(
        err.message,
        "`ownership`, `a`, `b` and 2 more use this category; move them to another category first"
    );
}

#[test]
fn removing_an_unused_category_works() {
    let mut fw = draft();
    let moved = Edit::UpdateCompetency {
        key: key("reliability"),
        name: "Reliability".into(),
        category: None,
        description: None,
    };
    apply(&mut fw, &moved).expect("move");
    apply(&mut fw, &Edit::RemoveCategory { key: key("craft") }).expect("remove");
    assert_eq!(keys(&fw.categories), ["impact"]);
}

#[test]
fn removing_a_used_competency_is_refused_naming_the_tracks() {
    let err = refused(Edit::RemoveCompetency {
        key: key("ownership"),
    });
    assert_eq!(
        err.message,
        "track `backend` and track `frontend` use this competency; remove it from those tracks first"
    );
    let err = refused(Edit::RemoveCompetency {
        key: key("reliability"),
    });
    assert_eq!(
        err.message,
        "track `backend` uses this competency; remove it from that track first"
    );
}

#[test]
fn removing_an_unused_competency_works() {
    let fw = applied(Edit::RemoveCompetency {
        key: key("autonomy"),
    });
    assert_eq!(keys(&fw.competencies), ["ownership", "reliability"]);
}

#[test]
fn removing_a_used_grade_is_refused_naming_the_levels() {
    let err = refused(Edit::RemoveGrade { key: key("g1") });
    assert_eq!(
        err.message,
        "level `se1` of track `backend` uses this grade; give it another grade first"
    );
    let fw = applied(Edit::RemoveGrade { key: key("g2") });
    assert_eq!(keys(&fw.grades), ["g1"]);
}

#[test]
fn removing_a_track_row_drops_its_cells_in_every_level() {
    let fw = applied(Edit::RemoveTrackCompetency {
        track: key("backend"),
        competency: key("reliability"),
    });
    assert_eq!(backend(&fw).competencies, [key("ownership")]);
    assert!(backend(&fw).levels[0].not_applicable.is_empty());
    let fw = applied(Edit::RemoveTrackCompetency {
        track: key("backend"),
        competency: key("ownership"),
    });
    let se1 = &backend(&fw).levels[0];
    assert!(se1.expectations.is_empty());
    assert!(se1.examples.is_empty());
}

#[test]
fn removing_the_last_level_of_a_track_is_allowed() {
    let mut fw = draft();
    for level in ["se1", "se2"] {
        let remove = Edit::RemoveLevel {
            track: key("backend"),
            key: key(level),
        };
        apply(&mut fw, &remove).expect("remove");
    }
    assert!(backend(&fw).levels.is_empty());
}

#[test]
fn removing_a_track_removes_it_with_its_levels() {
    let fw = applied(Edit::RemoveTrack {
        key: key("backend"),
    });
    assert_eq!(keys(&fw.tracks), ["frontend"]);
}

#[test]
fn setting_a_cell_trims_bullets_and_drops_empty_ones() {
    let fw = applied(Edit::SetCell {
        track: key("backend"),
        level: key("se2"),
        competency: key("ownership"),
        expectations: vec![
            "  You own project goals. ".into(),
            "   ".into(),
            String::new(),
        ],
        examples: vec![" ".into()],
        not_applicable: false,
    });
    let se2 = backend(&fw).level("se2").expect("se2");
    assert_eq!(
        se2.expectations[&key("ownership")],
        ["You own project goals."]
    );
    assert!(!se2.examples.contains_key(&key("ownership")));
}

#[test]
fn marking_a_cell_not_applicable_clears_its_bullets() {
    let fw = applied(Edit::SetCell {
        track: key("backend"),
        level: key("se1"),
        competency: key("ownership"),
        expectations: vec!["Ignored.".into()],
        examples: vec![],
        not_applicable: true,
    });
    let se1 = &backend(&fw).levels[0];
    assert!(se1.expectations.is_empty());
    assert!(se1.examples.is_empty());
    assert_eq!(se1.not_applicable, [key("reliability"), key("ownership")]);
}

#[test]
fn filling_a_not_applicable_cell_makes_it_apply_again() {
    let fw = applied(Edit::SetCell {
        track: key("backend"),
        level: key("se1"),
        competency: key("reliability"),
        expectations: vec!["You write tests.".into()],
        examples: vec![],
        not_applicable: false,
    });
    let se1 = &backend(&fw).levels[0];
    assert!(se1.not_applicable.is_empty());
    assert_eq!(se1.expectations[&key("reliability")], ["You write tests."]);
}

#[test]
fn emptying_a_cell_leaves_it_missing_for_validation_to_report() {
    let fw = applied(Edit::SetCell {
        track: key("backend"),
        level: key("se1"),
        competency: key("ownership"),
        expectations: vec![],
        examples: vec![],
        not_applicable: false,
    });
    let se1 = &backend(&fw).levels[0];
    assert!(!se1.expectations.contains_key(&key("ownership")));
    assert!(!se1.examples.contains_key(&key("ownership")));
}

#[test]
fn commands_serialise_with_their_op_for_the_audit_log() {
    let edit = Edit::MoveLevel {
        track: key("backend"),
        key: key("se2"),
        to: 0,
    };
    let value = serde_json::to_value(&edit).expect("json");
    assert_eq!(
        value,
        json!({"op": "move_level", "track": "backend", "key": "se2", "to": 0})
    );
    assert_eq!(serde_json::from_value::<Edit>(value).expect("edit"), edit);
}

#[test]
fn every_command_describes_itself_in_a_sentence() {
    let add = Edit::AddLevel {
        track: key("backend"),
        key: key("se3"),
        title: "Senior".into(),
        grade: None,
        summary: None,
        at: None,
    };
    assert_eq!(add.describe(), "Added level `se3` to track `backend`");
    let na = Edit::SetCell {
        track: key("backend"),
        level: key("se1"),
        competency: key("reliability"),
        expectations: vec![],
        examples: vec![],
        not_applicable: true,
    };
    assert_eq!(
        na.describe(),
        "Marked `reliability` not applicable at level `se1` of track `backend`"
    );
    let mv = Edit::MoveTrack {
        key: key("sales"),
        to: 0,
    };
    assert_eq!(mv.describe(), "Moved track `sales` to position 1");
    assert_eq!(
        Edit::RemoveTrackCompetency {
            track: key("backend"),
            competency: key("ownership")
        }
        .describe(),
        "Removed competency `ownership` from track `backend`"
    );
}

#[test]
fn linter_rules_are_switched_off_by_id_and_unknown_ids_are_refused() {
    let mut fw = Framework::default();
    apply(
        &mut fw,
        &Edit::SetLintRules {
            disable: vec![
                Key::parse("filler").expect("key"),
                Key::parse("filler").expect("key"),
            ],
        },
    )
    .expect("a known rule");
    assert_eq!(fw.lint.disable, [Key::parse("filler").expect("key")]);
    let err = apply(
        &mut fw,
        &Edit::SetLintRules {
            disable: vec![Key::parse("no-such-rule").expect("key")],
        },
    )
    .expect_err("an unknown rule");
    assert_eq!(err.field, Some("disable"));
    assert_eq!(fw.lint.disable, [Key::parse("filler").expect("key")]);
}
