//! `trellis framework`: check, lint, import, export, templates, publishing and the static site.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Subcommand;
use trellis_framework::diff::Diff;
use trellis_framework::import::{Format, SourceFile};

use super::{Cli, local_state, read_file, user_error, write_output};
use crate::architecture::framework;
use crate::auth::Actor;
use crate::error::AppError;

#[derive(Subcommand)]
pub(super) enum FrameworkCommand {
    /// Check a framework file and print every problem as FILE:LINE:COLUMN: message.
    Check { file: PathBuf },
    /// Lint a framework file: print every mistake and finding as FILE:LINE:COLUMN: error|warning
    /// RULE: message (a mistake that makes the file invalid has the rule `check`); fail when there
    /// is an error.
    Lint { file: PathBuf },
    /// Publish the draft as a new version.
    Publish {
        /// What changed and why, shown to everyone in the history.
        #[arg(long)]
        note: String,
    },
    /// List the track templates that ship with Trellis.
    Templates,
    /// Add a template (or some of its tracks) to the draft.
    AddTemplate {
        /// The template, as `trellis framework templates` lists it.
        id: String,
        /// A track of the template to add; repeat for several; all when absent.
        #[arg(long = "track")]
        tracks: Vec<String>,
        /// Show what would change; change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Import framework files into the draft, matching items by key. The files are Trellis YAML, or
    /// with --from another published format; monzo, ft and ladders take several files or a directory.
    Import {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// The format of the files.
        #[arg(long, default_value = "trellis",
              value_parser = ["trellis", "monzo", "snowflake", "ft", "ladders", "csv", "15five"])]
        from: String,
        /// The name of the one track a snowflake or FT file becomes.
        #[arg(long)]
        track_name: Option<String>,
        /// Show what would change; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Remove what the file no longer has.
        #[arg(long)]
        prune: bool,
        /// Take the file's version of this item where it differs from the draft (an id from the
        /// dry run's list of differences; `all` for every item); by default the draft keeps its own.
        #[arg(long)]
        take: Vec<String>,
        /// Publish the result as a new version.
        #[arg(long, requires = "note")]
        publish: bool,
        /// The change note of the published version.
        #[arg(long)]
        note: Option<String>,
    },
    /// Write the framework as YAML, CSV or markdown: the draft, or with --published the latest
    /// published version.
    Export {
        /// The file to write (a directory for markdown); without it, YAML and CSV go to standard
        /// output.
        #[arg(short, long)]
        output: Option<PathBuf>,
        #[arg(long)]
        published: bool,
        #[arg(long, value_enum, default_value_t = ExportFormat::Yaml)]
        format: ExportFormat,
    },
    /// Write the latest published version as a website of plain files (HTML, CSS, JavaScript) into
    /// DIR, for any static host; pay bands are left out.
    PublishSite {
        dir: PathBuf,
        /// Show the draft instead of the latest published version.
        #[arg(long)]
        draft: bool,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum ExportFormat {
    /// The framework file.
    Yaml,
    /// One row per expectation bullet.
    Csv,
    /// A directory: README.md and one file per track.
    Markdown,
}

/// Prints a file's problems as `FILE:LINE:COLUMN: message`, one per line.
fn print_file_errors(file: &Path, e: &AppError) -> bool {
    if let AppError::InvalidFile { errors } = e {
        let mut err = std::io::stderr().lock();
        for d in errors {
            let _ = writeln!(
                err,
                "{}:{}:{}: {}",
                d.file.clone().unwrap_or_else(|| file.display().to_string()),
                d.line,
                d.column,
                d.message
            );
        }
        let _ = writeln!(
            err,
            "{}: {} problem(s); nothing was changed",
            file.display(),
            errors.len()
        );
        true
    } else {
        false
    }
}

/// `trellis framework lint FILE`: one line per mistake (what `check` reports) and per finding on
/// standard output, together in file order, then a summary. One mistake hides no other finding.
fn lint_command(file: &Path) -> anyhow::Result<ExitCode> {
    let source = read_file(file)?;
    let report = framework::lint_yaml(&source);
    // Mistakes and findings in one list, by position in the file; a mistake before a finding at
    // the same place.
    let mut lines: Vec<(usize, usize, u8, String)> = Vec::new();
    for p in &report.problems {
        lines.push((
            p.line,
            p.column,
            0,
            format!(
                "{} check: {}",
                trellis_framework::Severity::Error,
                p.message
            ),
        ));
    }
    let mut errors = report.problems.len();
    for f in &report.findings {
        let finding = &f.finding;
        if finding.severity == trellis_framework::Severity::Error {
            errors += 1;
        }
        let suggestion = finding
            .suggestion
            .as_deref()
            .map(|s| format!(" (suggestion: {s})"))
            .unwrap_or_default();
        lines.push((
            f.line,
            f.column,
            1,
            format!(
                "{} {}: {}{suggestion}",
                finding.severity, finding.rule, finding.message
            ),
        ));
    }
    lines.sort_by_key(|&(line, column, rank, _)| (line, column, rank));
    let mut out = std::io::stdout().lock();
    for (line, column, _, text) in &lines {
        writeln!(out, "{}:{line}:{column}: {text}", file.display())?;
    }
    writeln!(
        out,
        "{}: {errors} error(s), {} warning(s)",
        file.display(),
        lines.len() - errors
    )?;
    Ok(if errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The files to import, each named by its path; a directory stands for the files in it (sorted)
/// that end as the format's files do.
fn read_sources(paths: &[PathBuf], format: Format) -> anyhow::Result<Vec<SourceFile>> {
    let extensions: &[&str] = match format {
        Format::Monzo | Format::Ladders => &["md", "markdown"],
        Format::Ft | Format::Trellis => &["yml", "yaml"],
        Format::Snowflake => &["json"],
        Format::Csv | Format::FifteenFive => &["csv"],
    };
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut inside: Vec<PathBuf> = std::fs::read_dir(path)
                .with_context(|| format!("cannot read {}", path.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.extension()
                        .and_then(|e| e.to_str())
                        .is_some_and(|e| extensions.contains(&e.to_ascii_lowercase().as_str()))
                })
                .collect();
            inside.sort();
            if inside.is_empty() {
                bail!(
                    "{} has no .{} files to import",
                    path.display(),
                    extensions.join(" or .")
                );
            }
            for p in inside {
                out.push(SourceFile::new(p.display().to_string(), read_file(&p)?));
            }
        } else {
            out.push(SourceFile::new(
                path.display().to_string(),
                read_file(path)?,
            ));
        }
    }
    Ok(out)
}

/// `trellis framework`: the framework file commands.
pub(super) async fn run(cli: &Cli, cmd: &FrameworkCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        FrameworkCommand::Publish { note } => {
            let state = local_state(cli).await?;
            let version = framework::publish(&state, &Actor::command_line(), note)
                .await
                .map_err(user_error)?;
            println!("published version {version}");
            Ok(ExitCode::SUCCESS)
        }
        FrameworkCommand::Templates => {
            for t in crate::architecture::templates::templates(&Actor::command_line())
                .map_err(user_error)?
            {
                let summary = t.summary();
                println!("{:<24} {}", summary.id, summary.name);
                for track in &summary.tracks {
                    println!(
                        "{:<24}   {} ({}): {}",
                        "",
                        track.name,
                        track.key,
                        track.levels.join(" → ")
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        FrameworkCommand::AddTemplate {
            id,
            tracks,
            dry_run,
        } => add_template(cli, id, tracks, *dry_run).await,
        FrameworkCommand::Lint { file } => lint_command(file),
        FrameworkCommand::Check { file } => check_command(file),
        FrameworkCommand::Import {
            files,
            from,
            track_name,
            dry_run,
            prune,
            take,
            publish,
            note,
        } => {
            let format = Format::parse(from).unwrap_or(Format::Trellis);
            let read = trellis_framework::import::Options {
                track_name: track_name.clone(),
            };
            let options = framework::ImportOptions {
                dry_run: *dry_run,
                prune: *prune,
                take: trellis_framework::merge::Take::from_request(take),
                publish_note: if *publish { note.clone() } else { None },
            };
            import_framework(cli, files, format, &read, &options, *publish).await
        }
        FrameworkCommand::Export {
            output,
            published,
            format,
        } => export_framework(cli, output.as_deref(), *published, *format).await,
        FrameworkCommand::PublishSite { dir, draft } => publish_site(cli, dir, *draft).await,
    }
}

/// `trellis framework add-template`: a template's tracks added to the draft, or with `dry_run`
/// what that would change.
async fn add_template(
    cli: &Cli,
    id: &str,
    tracks: &[String],
    dry_run: bool,
) -> anyhow::Result<ExitCode> {
    let state = local_state(cli).await?;
    let report = crate::architecture::templates::add_to_draft(
        &state,
        &Actor::command_line(),
        id,
        tracks,
        Default::default(),
        dry_run,
    )
    .await
    .map_err(user_error)?;
    print!("{}", diff_text(&report.diff));
    if dry_run {
        println!("dry run: nothing was changed");
    } else {
        println!("added to the draft; publish it with `trellis framework publish --note TEXT`");
    }
    Ok(ExitCode::SUCCESS)
}

/// `trellis framework check FILE`: ok with the framework's size, or every problem of the file.
fn check_command(file: &Path) -> anyhow::Result<ExitCode> {
    let source = read_file(file)?;
    match framework::check_yaml(&source) {
        Ok(fw) => {
            let levels: usize = fw.tracks.iter().map(|t| t.levels.len()).sum();
            println!(
                "{}: ok ({} tracks, {} levels, {} competencies)",
                file.display(),
                fw.tracks.len(),
                levels,
                fw.competencies.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            print_file_errors(file, &e);
            Ok(ExitCode::FAILURE)
        }
    }
}

/// `trellis framework import`: files of a format imported into the draft, and what happened
/// printed; a file's problems as `FILE:LINE:COLUMN: message`.
async fn import_framework(
    cli: &Cli,
    files: &[PathBuf],
    format: Format,
    read: &trellis_framework::import::Options,
    options: &framework::ImportOptions,
    publish: bool,
) -> anyhow::Result<ExitCode> {
    let sources = read_sources(files, format)?;
    let file = files.first().map_or(Path::new("-"), PathBuf::as_path);
    let state = local_state(cli).await?;
    let actor = Actor::command_line();
    match framework::import_files(&state, &actor, format, &sources, read, options).await {
        Ok(report) => {
            print_import_report(&report, publish);
            Ok(ExitCode::SUCCESS)
        }
        Err(e) if print_file_errors(file, &e) => Ok(ExitCode::FAILURE),
        Err(e) => {
            eprintln!("{}", user_error(e));
            Ok(ExitCode::FAILURE)
        }
    }
}

/// What a framework import changed, what differs and is kept, and what could not be imported.
fn print_import_report(report: &framework::ImportReport, publish: bool) {
    print!("{}", diff_text(&report.diff));
    for d in &report.differences {
        let whose = if d.taken { "the file's" } else { "the draft's" };
        println!("differs: {} [{}], keeping {whose}", d.subject, d.id);
    }
    if !report.unmapped.is_empty() {
        println!("not imported ({}):", report.unmapped.len());
        for u in &report.unmapped {
            println!("  - {u}");
        }
    }
    if !report.kept.is_empty() {
        println!(
            "{} item(s) are not in the file and were kept (use --prune to remove them): {}",
            report.kept.len(),
            report.kept.join(", ")
        );
    }
    if report.dry_run {
        println!("dry run: nothing was changed");
    } else if let Some(v) = report.published_version {
        println!("imported and published as version {v}");
    } else if publish {
        println!("imported; nothing new to publish");
    } else {
        println!("imported into the draft");
    }
}

/// `trellis framework export`: the draft or the latest published version as YAML or CSV (to a
/// file or standard output) or markdown (a directory).
async fn export_framework(
    cli: &Cli,
    output: Option<&Path>,
    published: bool,
    format: ExportFormat,
) -> anyhow::Result<ExitCode> {
    if format == ExportFormat::Markdown && output.is_none() {
        bail!("markdown is written as a directory of files: name it with --output DIR");
    }
    let state = local_state(cli).await?;
    let actor = Actor::command_line();
    let revision = if published {
        let versions = framework::versions(&state, &actor)
            .await
            .map_err(user_error)?;
        match versions.first() {
            Some(v) => framework::Revision::Version(v.number),
            None => bail!("nothing is published yet"),
        }
    } else {
        framework::Revision::Draft
    };
    let text = match format {
        ExportFormat::Yaml => framework::export_yaml(&state, &actor, revision).await,
        ExportFormat::Csv => framework::export_csv(&state, &actor, revision).await,
        ExportFormat::Markdown => {
            let files = framework::export_markdown(&state, &actor, revision)
                .await
                .map_err(user_error)?;
            let dir = output.unwrap_or(Path::new("."));
            write_files(dir, &files)?;
            println!("wrote {} file(s) to {}", files.len(), dir.display());
            return Ok(ExitCode::SUCCESS);
        }
    }
    .map_err(user_error)?;
    write_output(output, &text)?;
    Ok(ExitCode::SUCCESS)
}

/// `trellis framework publish-site DIR`: the latest published version (or the draft) as a website
/// of plain files.
async fn publish_site(cli: &Cli, dir: &Path, draft: bool) -> anyhow::Result<ExitCode> {
    let state = local_state(cli).await?;
    let actor = Actor::command_line();
    let snapshot = if draft {
        framework::draft(&state, &actor)
            .await
            .map_err(user_error)?
            .snapshot
    } else {
        match framework::published(&state, &actor)
            .await
            .map_err(user_error)?
        {
            Some(s) => s,
            None => bail!(
                "nothing is published yet: publish a version first, or use --draft to show the draft"
            ),
        }
    };
    let edition = crate::site::edition_of(snapshot.version.as_ref());
    let report = crate::site::write(&snapshot.framework, &edition, state.markdown(), dir)?;
    println!(
        "wrote {} files ({} KiB) to {}; open {} in a browser",
        report.files,
        report.bytes / 1024,
        dir.display(),
        dir.join("index.html").display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Writes (path, content) pairs under `dir`, creating folders as needed.
fn write_files(dir: &Path, files: &[(String, String)]) -> anyhow::Result<()> {
    for (path, content) in files {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&target, content)
            .with_context(|| format!("cannot write {}", target.display()))?;
    }
    Ok(())
}

/// A diff as plain text for the terminal.
pub fn diff_text(diff: &Diff) -> String {
    let mut out = String::new();
    if diff.is_empty() {
        out.push_str("no changes\n");
        return out;
    }
    for section in &diff.sections {
        out.push_str(&format!("{}\n", section.title));
        for c in &section.changes {
            let kind = crate::web::change_kind(&c.kind);
            let field = c
                .field
                .as_deref()
                .map(|f| format!(" ({f})"))
                .unwrap_or_default();
            out.push_str(&format!("  {kind:<8} {}{field}\n", c.subject));
            if let Some(b) = &c.bullets {
                for x in &b.removed {
                    out.push_str(&format!("      - {x}\n"));
                }
                for x in &b.added {
                    out.push_str(&format!("      + {x}\n"));
                }
            }
        }
    }
    out.push_str(&format!("{}\n", diff.counts()));
    out
}
