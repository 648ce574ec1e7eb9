//! Mistakes in a framework file are reported at their line and column, all at once, in file order.

use trellis_framework::yaml::{Diagnostic, read};

/// A valid file to break in one place at a time.
const GOOD: &str = "\
trellis: 1
name: Acme
categories:
  - key: impact
    name: Impact
competencies:
  - key: ownership
    name: Ownership
    category: impact
  - key: craft
    name: Craft
tracks:
  - key: se
    name: Software Engineering
    kind: individual-contributor
    competencies: [ownership, craft]
    levels:
      - key: se1
        title: Software Engineer I
        expectations:
          ownership:
            - Finishes what they start.
          craft:
            - Writes tests.
";

fn errors(source: &str) -> Vec<Diagnostic> {
    match read(source) {
        Ok(_) => panic!("expected errors in:\n{source}"),
        Err(d) => d,
    }
}

/// Replaces the only occurrence of `from` in the good file.
fn good_with(from: &str, to: &str) -> String {
    assert_eq!(GOOD.matches(from).count(), 1, "{from:?} must occur once");
    GOOD.replace(from, to)
}

/// Asserts exactly one diagnostic, at `line:column`, whose message contains `words`.
fn assert_single(source: &str, line: usize, column: usize, words: &str) {
    let d = errors(source);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!((d[0].line, d[0].column), (line, column), "{}", d[0]);
    assert!(
        d[0].message.contains(words),
        "{:?} lacks {words:?}",
        d[0].message
    );
}

#[test]
fn the_good_file_reads() {
    assert!(read(GOOD).is_ok());
}

#[test]
fn diagnostics_display_as_line_colon_column() {
    let d = Diagnostic {
        line: 3,
        column: 7,
        message: "oops".into(),
    };
    assert_eq!(d.to_string(), "3:7: oops");
}

#[test]
fn an_unknown_field_is_reported_with_a_suggestion() {
    let src = good_with("        expectations:", "        expectation:");
    let d = errors(&src);
    assert_eq!((d[0].line, d[0].column), (20, 9));
    assert_eq!(
        d[0].message,
        "unknown field `expectation`, did you mean `expectations`?"
    );
}

#[test]
fn an_unknown_field_without_a_near_match_lists_the_fields() {
    assert_single(
        &good_with("    name: Impact\n", "    name: Impact\n    colour: red\n"),
        6,
        5,
        "unknown field `colour` in a category: the fields are key, name, description",
    );
}

#[test]
fn a_duplicate_competency_key_points_at_the_second_key() {
    assert_single(
        &good_with(
            "    name: Craft\n",
            "    name: Craft\n  - key: ownership\n    name: Ownership again\n",
        ),
        12,
        10,
        "the competency key `ownership` is used twice",
    );
}

#[test]
fn a_dangling_category_is_reported_at_the_reference() {
    assert_single(
        &good_with("category: impact", "category: impakt"),
        9,
        15,
        "`impakt`, which is not defined under categories",
    );
}

#[test]
fn a_dangling_track_competency_is_reported_at_the_entry() {
    let src = good_with("[ownership, craft]", "[ownership, craft, typing]");
    let d = errors(&src);
    assert_eq!((d[0].line, d[0].column), (16, 38), "{d:#?}");
    assert!(d[0].message.contains("uses competency `typing`"));
}

#[test]
fn a_track_without_levels_is_reported() {
    let end = GOOD.find("    levels:").expect("levels");
    let src = &GOOD[..end];
    assert_single(src, 13, 5, "track `se` needs at least one level");
}

#[test]
fn a_missing_cell_is_reported_at_the_level_expectations() {
    let src = good_with("          craft:\n            - Writes tests.\n", "");
    assert_single(
        &src,
        20,
        9,
        "level `se1` has no expectations for `craft`: add bullets or list it under not_applicable",
    );
    let na = src.replace(
        "        expectations:",
        "        not_applicable: [craft]\n        expectations:",
    );
    assert!(read(&na).is_ok());
}

#[test]
fn a_bad_key_is_reported_with_the_key_rules() {
    assert_single(
        &good_with("      - key: se1", "      - key: SE_1"),
        18,
        14,
        "`SE_1` is not a valid key: `S` is not allowed (use a-z, 0-9 and -)",
    );
}

#[test]
fn a_bad_expectation_key_is_reported_at_the_key() {
    let d = errors(&good_with("          craft:", "          Craft:"));
    let at: Vec<(usize, usize)> = d.iter().map(|d| (d.line, d.column)).collect();
    // The level then also lacks expectations for `craft`, which is worth saying.
    assert_eq!(at, vec![(20, 9), (23, 11)], "{d:#?}");
    assert!(d[0].message.contains("no expectations for `craft`"));
    assert!(d[1].message.contains("`Craft` is not a valid key"));
}

#[test]
fn a_wrong_type_names_what_was_expected() {
    assert_single(
        &good_with("            - Writes tests.", "            Writes tests."),
        24,
        13,
        "expected a list of strings, found text",
    );
    assert_single(
        &good_with("name: Acme", "name: [Acme]"),
        2,
        7,
        "expected text, found a list",
    );
}

#[test]
fn a_missing_required_field_is_reported_at_its_mapping() {
    assert_single(
        &good_with("    kind: individual-contributor\n", ""),
        13,
        5,
        "this track is missing `kind`",
    );
}

#[test]
fn a_missing_field_does_not_hide_a_broken_rule_at_the_same_mapping() {
    let end = GOOD.find("    levels:").expect("levels");
    let src = GOOD[..end].replace("    kind: individual-contributor\n", "");
    let d = errors(&src);
    let messages: Vec<&str> = d.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "this track is missing `kind`",
            "track `se` needs at least one level"
        ]
    );
}

#[test]
fn an_unknown_kind_lists_the_allowed_ones() {
    assert_single(
        &good_with("kind: individual-contributor", "kind: manager"),
        15,
        11,
        "unknown kind `manager`: use `individual-contributor` or `management`",
    );
    assert_single(
        &good_with(
            "kind: individual-contributor",
            "kind: individual-contibutor",
        ),
        15,
        11,
        "did you mean `individual-contributor`?",
    );
}

#[test]
fn the_format_version_is_required_and_must_be_one() {
    assert_single(
        &good_with("trellis: 1\n", ""),
        1,
        1,
        "add `trellis: 1` at the top",
    );
    assert_single(
        &good_with("trellis: 1", "trellis: 2"),
        1,
        10,
        "format version 2 is not supported: this version of Trellis reads `trellis: 1`",
    );
    assert_single(
        &good_with("trellis: 1", "trellis: \"1\""),
        1,
        10,
        "must be the format version as a number",
    );
}

#[test]
fn a_duplicate_mapping_key_is_reported_at_the_second() {
    assert_single(
        &good_with(
            "    name: Ownership\n",
            "    name: Ownership\n    name: Owner\n",
        ),
        9,
        5,
        "`name` appears twice in this mapping (first on line 8)",
    );
}

#[test]
fn tab_indentation_is_a_syntax_error_at_its_line() {
    assert_single(
        &good_with("          craft:", "\tcraft:"),
        23,
        1,
        "YAML syntax error: a tab in the indentation; indent with spaces",
    );
}

#[test]
fn an_unclosed_quote_is_a_syntax_error_at_the_quote() {
    let d = errors(&good_with("name: Acme", "name: \"Acme"));
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!((d[0].line, d[0].column), (2, 7));
    assert!(d[0].message.contains("closing quote"), "{}", d[0]);
}

#[test]
fn mistakes_before_a_syntax_error_are_still_reported() {
    let src = good_with("    name: Impact", "    nme: Impact").replace(
        "            - Writes tests.",
        "            - \"Writes tests.",
    );
    let d = errors(&src);
    let at: Vec<(usize, usize)> = d.iter().map(|d| (d.line, d.column)).collect();
    assert_eq!(at, vec![(5, 5), (24, 15)], "{d:#?}");
    assert!(d[0].message.contains("did you mean `name`?"));
}

#[test]
fn pay_amounts_are_whole_non_negative_numbers() {
    let src = good_with(
        "        title: Software Engineer I\n",
        "        title: Software Engineer I\n        pay: { currency: EUR, min: -1, max: \"9\" }\n",
    );
    let d = errors(&src);
    let at: Vec<(usize, usize)> = d.iter().map(|d| (d.line, d.column)).collect();
    assert_eq!(at, vec![(20, 36), (20, 45)], "{d:#?}");
}

#[test]
fn anchors_aliases_and_tags_are_rejected() {
    let src = good_with("name: Acme", "name: &n Acme\ndescription: *n")
        .replace("name: Impact", "name: !!str Impact");
    let d = errors(&src);
    let at: Vec<(usize, usize)> = d.iter().map(|d| (d.line, d.column)).collect();
    assert_eq!(at.len(), 3, "{d:#?}");
    assert!(d[0].message.contains("anchors"));
    assert!(d[1].message.contains("aliases"));
    assert!(d[2].message.contains("tags"));
}

#[test]
fn an_empty_file_says_how_to_start() {
    assert_single("", 1, 1, "the file is empty");
    assert_single("# nothing yet\n", 1, 1, "the file is empty");
}

#[test]
fn a_second_document_is_rejected() {
    assert_single(&format!("{GOOD}---\nname: Other\n"), 25, 1, "one framework");
}

/// Every kind of mistake at once: all are reported, in file order, each at its own place.
#[test]
fn all_mistakes_in_a_file_are_reported_together_in_order() {
    let src = "\
name: Acme
categories:
  - key: impact
    name: Impact
competencies:
  - key: ownership
    name: Ownership
    category: impakt
  - key: ownership
    name: Ownership again
  - key: Craft!
    name: Craft
  - key: delivery
    name: [Delivery]
tracks:
  - key: se
    name: Software Engineering
    kind: individual-contributor
    competencies: [ownership, typing]
    levels:
      - key: se1
        title: Software Engineer I
        expectation:
          ownership:
            - Finishes what they start.
  - key: em
    name: Engineering Management
    kind: management
    competencies: [ownership]
  - key: pm
    name: Product Management
    kind: management
    competencies: [ownership]
    levels:
      - key: pm1
        title: Product Manager
        expectations:
          typing:
            - Fast.
";
    let d = errors(src);
    let got: Vec<(usize, usize, &str)> = d
        .iter()
        .map(|d| (d.line, d.column, d.message.as_str()))
        .collect();
    let expected: Vec<(usize, usize, &str)> = vec![
        (1, 1, "add `trellis: 1` at the top"),
        (8, 15, "`impakt`, which is not defined"),
        (9, 10, "competency key `ownership` is used twice"),
        (11, 10, "`Craft!` is not a valid key"),
        (14, 11, "expected text, found a list"),
        (19, 31, "uses competency `typing`, which is not defined"),
        (
            23,
            9,
            "unknown field `expectation`, did you mean `expectations`?",
        ),
        (26, 5, "track `em` needs at least one level"),
        (37, 9, "level `pm1` has no expectations for `ownership`"),
        (38, 11, "which track `pm` does not list"),
    ];
    assert_eq!(got.len(), expected.len(), "{got:#?}");
    for (g, e) in got.iter().zip(&expected) {
        assert_eq!((g.0, g.1), (e.0, e.1), "{g:?} vs {e:?}");
        assert!(g.2.contains(e.2), "{g:?} lacks {:?}", e.2);
    }
}

#[test]
fn an_unknown_lint_rule_is_reported_with_a_suggestion() {
    let src = good_with(
        "name: Acme\n",
        "name: Acme\nlint:\n  disable: [filler, vague-wordng, colour]\n",
    );
    let d = errors(&src);
    assert_eq!(d.len(), 2, "{d:#?}");
    assert_eq!((d[0].line, d[0].column), (4, 21));
    assert_eq!(
        d[0].message,
        "unknown lint rule `vague-wordng`, did you mean `vague-wording`?"
    );
    assert!(
        d[1].message
            .starts_with("unknown lint rule `colour`: the rules are empty-cell, ")
    );
}

#[test]
fn the_lint_setting_accepts_only_disable() {
    let src = good_with("name: Acme\n", "name: Acme\nlint:\n  disabled: [filler]\n");
    assert_single(&src, 4, 3, "did you mean `disable`?");
}

#[test]
fn positions_place_a_path_on_its_node_or_nearest_ancestor() {
    use trellis_framework::Seg::{Field, Index};
    use trellis_framework::yaml::read_with_positions;
    let (_, positions) = read_with_positions(GOOD).expect("good file");
    let f = |s: &str| Field(s.to_owned());
    let level = [f("tracks"), Index(0), f("levels"), Index(0)];
    assert_eq!(positions.of(&level), (18, 9));
    let bullet = [&level[..], &[f("expectations"), f("craft"), Index(0)]].concat();
    assert_eq!(positions.of(&bullet), (24, 15));
    // A cell that is not in the file falls back to the level's expectations.
    let missing = [&level[..], &[f("expectations"), f("people"), Index(0)]].concat();
    assert_eq!(positions.of(&missing), (20, 9));
}

#[test]
fn reading_all_keeps_the_framework_beside_its_mistakes_so_it_can_be_linted() {
    use trellis_framework::lint::lint;
    use trellis_framework::yaml::read_all;
    // An empty bullet (a mistake) beside vague wording (a finding) in another cell.
    let src = good_with(
        "            - Writes tests.\n",
        "            - ''\n            - Does good work.\n",
    );
    let reading = read_all(&src);
    assert_eq!(reading.diagnostics, errors(&src));
    assert_eq!(reading.diagnostics.len(), 1, "{:#?}", reading.diagnostics);
    let fw = reading.framework.expect("the framework as far as it reads");
    let findings = lint(&fw);
    let vague = findings
        .iter()
        .find(|f| f.rule == "vague-wording")
        .expect("the vague bullet is found");
    assert_eq!(reading.positions.of(&vague.path), (25, 15));

    // A valid file reads whole, with nothing to report.
    let good = read_all(GOOD);
    assert!(good.diagnostics.is_empty());
    assert!(good.framework.is_some());

    // After a syntax error the rest of the file is unknown: no framework to lint.
    let broken = read_all(&good_with("name: Acme\n", "name: [Acme\n"));
    assert!(!broken.diagnostics.is_empty());
    assert!(broken.framework.is_none());
}

#[test]
fn a_file_with_a_great_many_mistakes_reports_the_first_ones_and_counts_the_rest() {
    use trellis_framework::yaml::MAX_REPORTED;
    // One hundred thousand unknown fields, then the same key a hundred thousand times: the repeated
    // keys are found through an index, and only the first mistakes are described.
    let mut source = String::from("trellis: 1\nname: Acme\n");
    for i in 0..100_000 {
        source.push_str(&format!("unknown{i}: 1\n"));
    }
    let errors = read(&source).expect_err("the file is full of mistakes");
    assert_eq!(errors.len(), MAX_REPORTED + 1);
    assert!(errors[0].message.contains("unknown field `unknown0`"));
    let last = errors.last().map(|d| d.message.clone()).unwrap_or_default();
    assert!(
        last.contains("99000 more mistakes"),
        "the last message counts the rest: {last}"
    );

    let mut repeated = String::from("trellis: 1\nname: Acme\n");
    for _ in 0..100_000 {
        repeated.push_str("name: Acme\n");
    }
    let errors = read(&repeated).expect_err("the key is repeated");
    assert_eq!(errors.len(), MAX_REPORTED + 1);
    assert!(
        errors[0]
            .message
            .contains("`name` appears twice in this mapping (first on line 2)")
    );
}
