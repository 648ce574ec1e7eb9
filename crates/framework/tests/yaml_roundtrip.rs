//! The framework file round-trips: what Trellis writes, it reads back unchanged, and writing again
//! gives the identical text.

use std::collections::BTreeMap;

use trellis_framework::yaml::{read, write};
use trellis_framework::{
    Category, Competency, Framework, Grade, Key, Level, LintSettings, Pay, Track, TrackKind,
    validate,
};

const FIXTURE: &str = include_str!("fixtures/engineering.yaml");

fn key(s: &str) -> Key {
    Key::parse(s).expect("test key")
}

fn read_ok(source: &str) -> Framework {
    match read(source) {
        Ok(fw) => fw,
        Err(diagnostics) => {
            let lines: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
            panic!(
                "unexpected diagnostics:\n{}\n---\n{source}",
                lines.join("\n")
            )
        }
    }
}

/// `read(write(fw)) == fw` and `write(read(write(fw))) == write(fw)`.
fn assert_round_trip(fw: &Framework) {
    let text = write(fw);
    let back = read_ok(&text);
    assert_eq!(&back, fw, "read(write(fw)) differs; the text was:\n{text}");
    assert_eq!(write(&back), text, "write is not a fixed point");
}

#[test]
fn the_fixture_reads_and_validates_cleanly() {
    let fw = read_ok(FIXTURE);
    assert_eq!(validate(&fw), vec![]);
    assert_eq!(fw.name, "Acme career framework");
    let se = fw.track("software-engineering").expect("track");
    assert_eq!(se.kind, TrackKind::IndividualContributor);
    let titles: Vec<&str> = se.levels.iter().map(|l| l.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Software Engineer I",
            "Software Engineer II",
            "Principal Engineer"
        ]
    );
    let ownership = &se.levels[0].expectations[&key("ownership")];
    assert!(ownership[0].contains("tasks you pick up"));
    assert_eq!(
        se.levels[0].pay,
        Some(Pay {
            currency: "EUR".into(),
            min: 48000,
            mid: Some(55000),
            max: 62000
        })
    );
    assert_eq!(se.levels[0].not_applicable, vec![key("people-development")]);
    assert_eq!(
        fw.track("engineering-management").map(|t| t.kind),
        Some(TrackKind::Management)
    );
}

#[test]
fn block_scalars_keep_their_markdown() {
    let fw = read_ok(FIXTURE);
    assert!(
        fw.description
            .as_deref()
            .is_some_and(|d| d.contains("\n\nRead a level"))
    );
    let se2 = &fw.tracks[0].levels[1];
    assert_eq!(
        se2.expectations[&key("problem-solving")][0],
        "You pick between designs by writing down the trade-offs:\n\n- what it costs to build,\n- what it costs to run.\n"
    );
}

#[test]
fn the_fixture_round_trips_to_a_fixed_point() {
    let fw = read_ok(FIXTURE);
    assert_round_trip(&fw);
}

#[test]
fn the_fixture_is_already_in_canonical_form() {
    let fw = read_ok(FIXTURE);
    assert_eq!(write(&fw), FIXTURE);
}

/// Strings that trip up YAML writers. Each is put into every text field that can hold it.
const NASTY: &[&str] = &[
    "plain",
    "it's",
    "say \"hi\"",
    "'single'",
    "\"double\"",
    "key: value",
    "ends with colon:",
    "a:b",
    "# heading",
    "text # not a comment",
    "C#",
    "- looks like a list",
    "-",
    "--",
    "---",
    "...",
    "-1",
    "+1",
    "[not a list]",
    "{not: a map}",
    "a, b, c",
    "*alias",
    "&anchor",
    "!tag",
    "!!str",
    "%directive",
    "@at",
    "`code`",
    "|",
    ">",
    "?",
    "? key",
    ": value",
    "yes",
    "No",
    "ON",
    "off",
    "y",
    "n",
    "true",
    "False",
    "null",
    "NULL",
    "~",
    "1",
    "1.0",
    "0x10",
    "0o17",
    "0b101",
    "1e3",
    "1_000",
    "12:30",
    "2024-01-01",
    ".inf",
    "-.Inf",
    ".NaN",
    "inf",
    "été à Zürich — naïve café",
    "日本語のテキスト",
    "emoji 🎉🚀 and 👩‍💻",
    "tab\there",
    "\tleading tab",
    "trailing tab\t",
    " leading space",
    "trailing space ",
    "back\\slash",
    "bell\u{7}",
    "nul\0byte",
    "zero\u{200b}width",
    "bom\u{feff}inside",
    "line\u{2028}separator",
    "next\u{85}line",
    "carriage\rreturn",
    "windows\r\nline",
    "two\nlines",
    "trailing newline\n",
    "two trailing newlines\n\n",
    "three trailing\n\n\n",
    "empty\n\nline inside",
    "  indented first line\nsecond",
    "\nleading newline",
    "\n\nleading newlines\n",
    "first\n  indented second\n    more",
    "- item one\n- item two\n",
    "# title\n\nbody: with colon\n",
    "line with trailing spaces   \nnext",
    "last line spaces\n   ",
    "tabs\tin\n\tblock",
    "quote \"in\" block\nand 'single'",
    "...\n---\n...",
    "ends with backslash\\",
    "emoji line 🎉\nsecond 🚀\n",
];

fn bullets(s: &str) -> Vec<String> {
    vec![s.to_owned(), format!("x{s}"), "ok".to_owned()]
}

/// A valid framework that holds `s` in every text field that accepts it. Required names and bullets
/// must not be blank, so blank strings only go into descriptions.
fn framework_with(s: &str) -> Framework {
    let visible = if s.trim().is_empty() { "name" } else { s };
    let level = |k: &str| Level {
        key: key(k),
        title: visible.to_owned(),
        grade: Some(key("null")),
        summary: Some(s.to_owned()),
        pay: Some(Pay {
            currency: "EUR".into(),
            min: 0,
            mid: Some(5),
            max: u64::MAX,
        }),
        expectations: [
            (key("ownership"), bullets(visible)),
            (key("1"), vec![visible.to_owned()]),
        ]
        .into_iter()
        .collect(),
        examples: [(key("ownership"), bullets(visible))].into_iter().collect(),
        not_applicable: vec![key("true")],
    };
    Framework {
        name: visible.to_owned(),
        description: Some(s.to_owned()),
        categories: vec![Category {
            key: key("yes"),
            name: visible.to_owned(),
            description: Some(s.to_owned()),
        }],
        competencies: ["ownership", "1", "true"]
            .into_iter()
            .map(|k| Competency {
                key: key(k),
                name: visible.to_owned(),
                category: Some(key("yes")),
                description: Some(s.to_owned()),
            })
            .collect(),
        grades: vec![Grade {
            key: key("null"),
            name: visible.to_owned(),
        }],
        tracks: vec![Track {
            key: key("0x10"),
            name: visible.to_owned(),
            family: Some(s.to_owned()),
            kind: TrackKind::Management,
            description: Some(s.to_owned()),
            competencies: vec![key("1"), key("ownership"), key("true")],
            levels: vec![level("1-0"), level("l2")],
        }],
        lint: LintSettings {
            disable: vec![key("vague-wording"), key("long-sentence")],
        },
    }
}

#[test]
fn nasty_strings_round_trip_in_every_field() {
    for s in NASTY {
        let fw = framework_with(s);
        assert_eq!(validate(&fw), vec![], "fixture for {s:?} is invalid");
        assert_round_trip(&fw);
    }
}

#[test]
fn pairs_of_nasty_strings_round_trip_as_one_multi_line_text() {
    for a in NASTY {
        for b in NASTY {
            let joined = format!("{a}\n{b}");
            let mut fw = framework_with("ok");
            fw.description = Some(joined.clone());
            fw.tracks[0].levels[0]
                .expectations
                .insert(key("ownership"), vec![joined]);
            assert_round_trip(&fw);
        }
    }
}

#[test]
fn the_lint_setting_is_written_after_the_description() {
    let fw = Framework {
        name: "Linted".into(),
        description: Some("About it.".into()),
        lint: LintSettings {
            disable: vec![key("filler"), key("hr-jargon")],
        },
        ..Framework::default()
    };
    assert_eq!(
        write(&fw),
        "trellis: 1\nname: Linted\ndescription: About it.\nlint:\n  disable: [filler, hr-jargon]\n"
    );
    assert_round_trip(&fw);
    let block = "trellis: 1\nname: Linted\nlint:\n  disable:\n    - filler\n    - hr-jargon\n";
    assert_eq!(read_ok(block).lint, fw.lint);
}

#[test]
fn empty_optional_fields_are_left_out() {
    let fw = Framework {
        name: "Bare".into(),
        ..Framework::default()
    };
    assert_eq!(write(&fw), "trellis: 1\nname: Bare\n");
    assert_round_trip(&fw);
}

#[test]
fn expectations_follow_the_track_order_then_key_order() {
    let mut fw = framework_with("ok");
    let level = &mut fw.tracks[0].levels[0];
    level.examples = BTreeMap::new();
    level.summary = None;
    level.pay = None;
    let text = write(&fw);
    let one = text.find("\"1\":").expect("1");
    let ownership = text.find("ownership:\n").expect("ownership");
    assert!(one < ownership, "{text}");
}

#[test]
fn pay_is_a_flow_mapping_and_not_applicable_a_flow_list() {
    let text = write(&read_ok(FIXTURE));
    assert!(text.contains("pay: { currency: EUR, min: 48000, mid: 55000, max: 62000 }\n"));
    assert!(text.contains("pay: { currency: EUR, min: 70000, max: 85000 }\n"));
    assert!(text.contains("not_applicable: [people-development]\n"));
}

#[test]
fn the_documented_example_reads_and_is_canonical() {
    let doc = include_str!("../../../docs/framework-format.md");
    let start = doc.find("```yaml\n").expect("an example") + "```yaml\n".len();
    let example = &doc[start..];
    let example = &example[..example.find("```").expect("end of example")];
    let fw = read_ok(example);
    assert_eq!(write(&fw), example);
}
