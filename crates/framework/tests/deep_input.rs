//! Deeply nested input: every reader refuses it with a positioned message instead of exhausting the
//! stack. Each case runs on a thread with the 2 MiB stack a server's worker thread has, so that an
//! unbounded recursion would overflow and abort this test.

use trellis_framework::import::{Format, Options, SourceFile, detect, import};

/// Runs `f` on a thread with a 2 MiB stack and returns what it returns.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(f)
        .expect("a thread starts")
        .join()
        .expect("the reader does not panic")
}

/// 100,000 block sequences, each inside the one before: `- - - … x`.
fn nested_block_sequences() -> String {
    format!("{}x\n", "- ".repeat(100_000))
}

/// Mappings nested 1,000 deep, one per line.
fn nested_mappings() -> String {
    let mut text = String::new();
    for i in 0..1_000 {
        text.push_str(&" ".repeat(i));
        text.push_str("a:\n");
    }
    text
}

#[test]
fn a_framework_file_nested_too_deep_is_refused_at_its_line_and_column() {
    for (what, text) in [
        ("block sequences", nested_block_sequences()),
        ("mappings", nested_mappings()),
        (
            "flow sequences",
            format!("{}{}", "[".repeat(250), "]".repeat(250)),
        ),
        ("flow mappings", "{a: ".repeat(250)),
    ] {
        let errors = on_small_stack(move || trellis_framework::yaml::read(&text))
            .expect_err("a file this deep does not read");
        let deep = errors
            .iter()
            .find(|d| d.message.contains("nest more than 64 levels"))
            .unwrap_or_else(|| panic!("{what}: no message about the nesting in {errors:#?}"));
        assert_eq!(deep.line, if what == "mappings" { 65 } else { 1 }, "{what}");
        assert!(deep.column >= 1, "{what}");
    }
}

#[test]
fn a_framework_file_as_deep_as_the_limit_still_reads_its_shape() {
    // 64 levels are allowed: the message is about the shape, not the nesting.
    let text = format!("{}x\n", "- ".repeat(64));
    let errors = on_small_stack(move || trellis_framework::yaml::read(&text))
        .expect_err("a list is not a framework");
    assert!(
        errors.iter().all(|d| !d.message.contains("nest more than")),
        "{errors:#?}"
    );
}

#[test]
fn every_importer_refuses_deep_input_with_a_position() {
    let deep_yaml = nested_block_sequences();
    let deep_json = format!(
        "{{\"tracks\": {}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let deep_markdown_lists = format!("# Track\n\n{}x\n", "- ".repeat(100_000));
    let deep_quotes = format!("# Track\n\n{}x\n", "> ".repeat(100_000));
    let deep_csv = format!(
        "track,level,competency,expectation\n{}\n",
        "\"".repeat(100_001)
    );
    let cases: Vec<(Format, Vec<SourceFile>)> = vec![
        (
            Format::Trellis,
            vec![SourceFile::new("deep.yaml", deep_yaml.clone())],
        ),
        (
            Format::Monzo,
            vec![SourceFile::new(
                "deep.md",
                format!("---\n{deep_yaml}---\n\n# Track\n"),
            )],
        ),
        (
            Format::Monzo,
            vec![SourceFile::new(
                "lists.md",
                format!("---\ntitle: Track\n---\n\n{}x\n", "- ".repeat(100_000)),
            )],
        ),
        (
            Format::Snowflake,
            vec![SourceFile::new("deep.json", deep_json)],
        ),
        (Format::Ft, vec![SourceFile::new("deep.yaml", deep_yaml)]),
        (
            Format::Ladders,
            vec![SourceFile::new("lists.md", deep_markdown_lists)],
        ),
        (
            Format::Ladders,
            vec![SourceFile::new("quotes.md", deep_quotes)],
        ),
        (
            Format::Csv,
            vec![SourceFile::new("deep.csv", deep_csv.clone())],
        ),
        (
            Format::FifteenFive,
            vec![SourceFile::new("deep.csv", deep_csv)],
        ),
    ];
    for (format, files) in cases {
        let name = files[0].name.clone();
        let errors = on_small_stack(move || import(format, &files, &Options::default()))
            .expect_err("deep input does not import");
        assert!(
            !errors.is_empty() && errors.iter().all(|d| d.file == name),
            "{format} {name}: {errors:#?}"
        );
    }
}

#[test]
fn deep_yaml_in_an_importer_is_reported_at_its_line() {
    let deep = nested_block_sequences();
    for format in [Format::Trellis, Format::Ft] {
        let text = deep.clone();
        let errors = on_small_stack(move || {
            import(
                format,
                &[SourceFile::new("deep.yaml", text)],
                &Options::default(),
            )
        })
        .expect_err("too deep");
        assert!(
            errors
                .iter()
                .any(|d| d.line == 1 && d.column > 1 && d.message.contains("nest more than")),
            "{format}: {errors:#?}"
        );
    }
    // Front matter starts on the file's second line.
    let text = format!("---\n{deep}---\n\n# Track\n");
    let errors = on_small_stack(move || {
        import(
            Format::Monzo,
            &[SourceFile::new("deep.md", text)],
            &Options::default(),
        )
    })
    .expect_err("too deep");
    assert!(
        errors
            .iter()
            .any(|d| d.line == 2 && d.message.contains("nest more than")),
        "{errors:#?}"
    );
}

#[test]
fn detecting_the_format_of_deep_input_does_not_overflow() {
    let deep = nested_block_sequences();
    let guess = on_small_stack(move || detect(&deep, "deep.yaml"));
    assert_ne!(guess, Some(Format::Snowflake));
}
