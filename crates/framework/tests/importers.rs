//! The importers of published formats: each maps its fixture onto the model, reports what it could
//! not map, reports malformed input at its position, and says which format a wrong file looks like.

use trellis_framework::import::{
    FileDiagnostic, Format, Imported, Options, SourceFile, detect, import,
};
use trellis_framework::{Framework, Key, Level, Track, validate};

fn fixture(name: &str) -> SourceFile {
    let path = format!(
        "{}/tests/fixtures/import/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    SourceFile::new(name, text)
}

fn ok(format: Format, names: &[&str]) -> Imported {
    let files: Vec<SourceFile> = names.iter().map(|n| fixture(n)).collect();
    let imported = import(format, &files, &Options::default())
        .unwrap_or_else(|e| panic!("{names:?} should import: {e:#?}"));
    assert_eq!(validate(&imported.framework), vec![], "the result is valid");
    imported
}

fn errors(format: Format, names: &[&str]) -> Vec<FileDiagnostic> {
    let files: Vec<SourceFile> = names.iter().map(|n| fixture(n)).collect();
    match import(format, &files, &Options::default()) {
        Ok(i) => panic!("{names:?} should not import: {:#?}", i.framework),
        Err(e) => e,
    }
}

fn track<'f>(fw: &'f Framework, key: &str) -> &'f Track {
    fw.track(key).unwrap_or_else(|| {
        panic!(
            "track `{key}` in {:?}",
            fw.tracks.iter().map(|t| &t.key).collect::<Vec<_>>()
        )
    })
}

fn level<'t>(t: &'t Track, key: &str) -> &'t Level {
    t.level(key).unwrap_or_else(|| {
        panic!(
            "level `{key}` in {:?}",
            t.levels.iter().map(|l| &l.key).collect::<Vec<_>>()
        )
    })
}

fn key(s: &str) -> Key {
    Key::parse(s).expect("a key")
}

fn bullets<'l>(l: &'l Level, competency: &str) -> &'l [String] {
    l.expectations
        .get(&key(competency))
        .map_or(&[], Vec::as_slice)
}

fn mentions(unmapped: &[String], words: &str) -> bool {
    unmapped.iter().any(|u| u.contains(words))
}

fn at(diags: &[FileDiagnostic], line: usize, words: &str) -> bool {
    diags
        .iter()
        .any(|d| d.line == line && d.column > 0 && d.message.contains(words))
}

#[test]
fn monzo_files_become_tracks_sharing_their_topics() {
    let i = ok(Format::Monzo, &["monzo/backend.md", "monzo/web.md"]);
    let fw = &i.framework;
    let keys: Vec<&str> = fw.competencies.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(
        keys,
        ["communication", "mastery", "leadership", "accessibility"]
    );
    assert_eq!(
        fw.competency("mastery").map(|c| c.name.as_str()),
        Some("Mastery")
    );

    let backend = track(fw, "backend-engineering-framework");
    assert_eq!(backend.family.as_deref(), Some("Engineering"));
    assert!(
        backend
            .description
            .as_deref()
            .is_some_and(|d| d.contains("level by level"))
    );
    let titles: Vec<&str> = backend.levels.iter().map(|l| l.title.as_str()).collect();
    assert_eq!(titles, ["Level 1", "Level 2", "Level 3"]);
    let l2 = level(backend, "level-2");
    assert_eq!(
        bullets(l2, "communication"),
        [
            "Asks for feedback on early drafts of their work",
            "Explains a technical trade-off to a product manager"
        ]
    );
    assert_eq!(l2.examples[&key("communication")].len(), 1);
    assert!(l2.not_applicable.contains(&key("mastery")));
    assert!(
        level(backend, "level-1")
            .not_applicable
            .contains(&key("leadership"))
    );

    let web = track(fw, "web-engineering-framework");
    assert_eq!(
        web.competencies,
        [key("communication"), key("accessibility")]
    );
}

#[test]
fn monzo_reports_chart_labels_unknown_fields_and_empty_cells() {
    let i = ok(Format::Monzo, &["monzo/backend.md", "monzo/web.md"]);
    assert!(mentions(&i.unmapped, "chart label `yAxisLabel`"));
    assert!(mentions(&i.unmapped, "the field `colour` was not imported"));
    assert!(mentions(
        &i.unmapped,
        "marked not applicable: Level 1 × Leadership"
    ));
}

#[test]
fn monzo_malformed_front_matter_is_reported_at_its_line() {
    let e = errors(Format::Monzo, &["monzo/broken.md"]);
    assert!(at(&e, 6, "`level` must be a whole number"), "{e:#?}");
    assert!(at(&e, 9, "no `level`"), "{e:#?}");
    assert!(e.iter().all(|d| d.file == "monzo/broken.md"));
}

#[test]
fn snowflake_tracks_become_competencies_of_one_track_with_five_milestones() {
    let files = [fixture("snowflake.json")];
    let options = Options {
        track_name: Some("Product Engineering".into()),
    };
    let i = import(Format::Snowflake, &files, &options).expect("imports");
    let fw = &i.framework;
    assert_eq!(fw.tracks.len(), 1);
    let t = track(fw, "product-engineering");
    assert_eq!(t.levels.len(), 5);
    assert_eq!(t.levels[0].title, "Milestone 1");
    assert_eq!(
        bullets(&t.levels[0], "mobile"),
        [
            "Works within the app's existing architecture",
            "Adds a screen using the shared components",
            "Writes a unit test for a view model"
        ]
    );
    assert_eq!(
        t.levels[0].examples[&key("mobile")],
        ["Added the saved-cards screen"]
    );
    assert_eq!(
        fw.competency("mentorship").and_then(|c| c.category.clone()),
        Some(key("category-c"))
    );
    // Milestone 3 of mentorship is empty in the source.
    assert!(t.levels[2].not_applicable.contains(&key("mentorship")));
    assert!(mentions(&i.unmapped, "Engineer I (0–9 points)"));
    assert!(mentions(&i.unmapped, "Senior Engineer (25+ points)"));
}

#[test]
fn snowflake_default_track_name_is_engineering_and_syntax_errors_have_positions() {
    let i = ok(Format::Snowflake, &["snowflake.json"]);
    assert_eq!(i.framework.tracks[0].name, "Engineering");

    let bad = SourceFile::new(
        "s.json",
        "{\n  \"MOBILE\": {\n    \"milestones\": [ ,\n  }\n}\n",
    );
    let e = import(Format::Snowflake, &[bad], &Options::default()).expect_err("malformed");
    assert_eq!((e[0].line, e[0].file.as_str()), (3, "s.json"), "{e:#?}");
    assert!(e[0].message.starts_with("JSON syntax error"));

    let shape = SourceFile::new(
        "s.json",
        "{\n  \"MOBILE\": {\n    \"milestones\": \"many\"\n  }\n}\n",
    );
    let e = import(Format::Snowflake, &[shape], &Options::default()).expect_err("wrong shape");
    assert_eq!((e[0].line, e[0].column), (3, 19), "{e:#?}");
}

#[test]
fn ft_themes_become_rows_and_each_statement_a_bullet_at_its_level() {
    let i = ok(Format::Ft, &["ft.yml"]);
    let fw = &i.framework;
    let t = track(fw, "engineering");
    let titles: Vec<&str> = t.levels.iter().map(|l| l.title.as_str()).collect();
    assert_eq!(titles, ["Junior Engineer", "Engineer", "Senior Engineer"]);
    assert_eq!(
        t.competencies,
        [key("delivery"), key("technical"), key("communication")]
    );
    let junior = level(t, "junior-engineer");
    assert_eq!(
        bullets(junior, "technical"),
        [
            "Writes tested code that follows the team's conventions.",
            "Keeps their development environment working."
        ]
    );
    assert_eq!(junior.examples[&key("technical")].len(), 1);
    assert!(junior.not_applicable.contains(&key("communication")));
    assert_eq!(
        level(t, "senior-engineer").summary.as_deref(),
        Some("Seniors make the people around them better.")
    );
    assert!(
        fw.competency("delivery")
            .and_then(|c| c.description.as_deref())
            .is_some()
    );
    assert!(mentions(&i.unmapped, "proficiency"));
    assert!(mentions(&i.unmapped, "`googleSheetId`"));
}

#[test]
fn ft_unknown_levels_and_missing_themes_are_reported_at_their_lines() {
    let e = errors(Format::Ft, &["ft-broken.yml"]);
    assert!(
        at(&e, 11, "`lead` is not one of the levels (junior)"),
        "{e:#?}"
    );
    assert!(at(&e, 14, "has no theme"), "{e:#?}");
}

#[test]
fn ladders_role_file_maps_bullets_to_the_axes_of_the_readme() {
    let i = ok(
        Format::Ladders,
        &["ladders/README.md", "ladders/Builder.md"],
    );
    let fw = &i.framework;
    let names: Vec<&str> = fw.competencies.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Craft", "Team", "Reach"]);
    let t = track(fw, "builder");
    assert_eq!(t.levels.len(), 3);
    assert_eq!(t.levels[1].title, "B2 - Builder 2");
    assert_eq!(
        bullets(&t.levels[1], "craft"),
        ["**Refines**: improves the tools and patterns the team uses"]
    );
    assert!(t.levels[2].not_applicable.contains(&key("reach")));
    assert!(mentions(&i.unmapped, "the table was not imported"));
}

#[test]
fn ladders_without_the_readme_name_axes_by_position_and_say_so() {
    let i = ok(Format::Ladders, &["ladders/Builder.md"]);
    assert_eq!(i.framework.competencies[0].name, "Axis 1");
    assert!(mentions(&i.unmapped, "the axes are not named"));
}

#[test]
fn ladders_readme_alone_and_tables_become_tracks() {
    let alone = ok(Format::Ladders, &["ladders/README.md"]);
    let t = &alone.framework.tracks[0];
    assert_eq!(t.levels.len(), 3);
    assert_eq!(
        bullets(&t.levels[2], "team"),
        ["**Builds**: shapes how the team works together"]
    );

    let table = ok(Format::Ladders, &["ladders/matrix.md"]);
    let t = track(&table.framework, "support-engineer");
    assert_eq!(
        bullets(level(t, "level-2"), "tickets"),
        ["Writes new playbook entries", "Reviews others' answers"]
    );
    assert!(level(t, "level-2").not_applicable.contains(&key("tools")));
}

#[test]
fn ladders_bullets_without_a_step_are_reported_at_their_line() {
    let e = errors(Format::Ladders, &["ladders/broken.md"]);
    assert!(at(&e, 6, "starts with its step in bold"), "{e:#?}");
}

#[test]
fn row_per_cell_csv_maps_each_row_to_a_bullet() {
    let i = ok(Format::Csv, &["cells.csv"]);
    let fw = &i.framework;
    let t = track(fw, "backend-engineering");
    let be1 = level(t, "backend-engineer-i");
    assert_eq!(
        bullets(be1, "testing"),
        [
            "Writes tests for every change",
            "Runs the test suite before asking for review"
        ]
    );
    assert_eq!(bullets(be1, "delivery"), ["Ships small changes, often"]);
    assert_eq!(
        be1.examples[&key("testing")],
        ["Added tests for the invoice rounding bug"]
    );
    assert!(
        level(t, "backend-engineer-ii")
            .not_applicable
            .contains(&key("delivery"))
    );
    assert_eq!(
        fw.competency("delivery").and_then(|c| c.category.clone()),
        Some(key("impact"))
    );
}

#[test]
fn row_per_cell_csv_reports_fields_at_their_line_and_column() {
    let e = errors(Format::Csv, &["cells-broken.csv"]);
    assert!(at(&e, 3, "the level is empty"), "{e:#?}");
    assert!(e.iter().any(|d| d.line == 3 && d.column == 9), "{e:#?}");
    assert!(
        e.iter()
            .any(|d| d.line == 4 && d.column == 35 && d.message.contains("`wizard`")),
        "{e:#?}"
    );
    assert!(
        at(&e, 5, "2 field(s)") || at(&e, 5, "field(s), but the header has 5"),
        "{e:#?}"
    );
}

#[test]
fn fifteen_five_csv_maps_paths_titles_and_skills() {
    let i = ok(Format::FifteenFive, &["fifteen-five.csv"]);
    let fw = &i.framework;
    let t = track(fw, "customer-success");
    let titles: Vec<&str> = t.levels.iter().map(|l| l.title.as_str()).collect();
    assert_eq!(titles, ["Associate", "Specialist", "Lead"]);
    assert_eq!(
        fw.competency("escalation").and_then(|c| c.category.clone()),
        Some(key("ownership"))
    );
    assert_eq!(
        bullets(level(t, "lead"), "escalation"),
        ["Changes the process that caused the escalation"]
    );
    assert!(
        level(t, "associate")
            .not_applicable
            .contains(&key("escalation"))
    );
    assert!(mentions(
        &i.unmapped,
        "the column `Weight` was not imported"
    ));
}

#[test]
fn a_file_in_another_format_says_which_format_it_looks_like() {
    let e = errors(Format::Csv, &["fifteen-five.csv"]);
    assert!(
        e[0].message.contains("this looks like a 15Five CSV"),
        "{e:#?}"
    );
    assert!(e[0].message.ends_with("use --from 15five"));

    let e = errors(Format::Trellis, &["monzo/backend.md"]);
    assert!(e[0].message.contains("use --from monzo"), "{e:#?}");
    let e = errors(Format::Ft, &["snowflake.json"]);
    assert!(e[0].message.contains("use --from snowflake"), "{e:#?}");
}

#[test]
fn detect_recognises_every_fixture() {
    let cases = [
        ("monzo/backend.md", Format::Monzo),
        ("snowflake.json", Format::Snowflake),
        ("ft.yml", Format::Ft),
        ("ladders/Builder.md", Format::Ladders),
        ("ladders/README.md", Format::Ladders),
        ("cells.csv", Format::Csv),
        ("fifteen-five.csv", Format::FifteenFive),
    ];
    for (name, format) in cases {
        let f = fixture(name);
        assert_eq!(detect(&f.text, &f.name), Some(format), "{name}");
    }
}

#[test]
fn single_file_formats_refuse_several_files() {
    let e = errors(Format::Csv, &["cells.csv", "cells.csv"]);
    assert!(e[0].message.contains("one file at a time"));
}
