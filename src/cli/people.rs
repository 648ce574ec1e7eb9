//! `trellis people`: the directory imported from and exported to CSV.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;

use super::{Cli, local_state, read_file, user_error, write_output};
use crate::auth::Actor;
use crate::state::AppState;

#[derive(Subcommand)]
pub(super) enum PeopleCommand {
    /// Import people from a CSV file, by email: columns email (required), name, employee_id,
    /// manager_email, team, track, level, start_date, status, in any order; or a Lattice
    /// bulk-assignment file. The whole file is checked first: any mistake is printed as
    /// FILE:LINE: column: reason and nothing changes.
    Import {
        file: PathBuf,
        /// Check the file and show what would change; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Mark everyone active who is not in the file as left.
        #[arg(long)]
        deactivate_missing: bool,
    },
    /// Write the directory as CSV in the import's columns.
    Export {
        /// The file to write; without it, standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

/// `trellis people`: the directory's CSV import and export.
pub(super) async fn run(cli: &Cli, cmd: &PeopleCommand) -> anyhow::Result<ExitCode> {
    let state = local_state(cli).await?;
    let actor = Actor::command_line();
    match cmd {
        PeopleCommand::Import {
            file,
            dry_run,
            deactivate_missing,
        } => {
            let options = crate::people::import::ImportOptions {
                dry_run: *dry_run,
                deactivate_missing: *deactivate_missing,
            };
            import_people(&state, &actor, file, options).await
        }
        PeopleCommand::Export { output } => {
            let text = crate::people::import::export_csv(&state, &actor)
                .await
                .map_err(user_error)?;
            write_output(output.as_deref(), &text)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `trellis people import FILE`: the changes and counts on standard output, or every mistake of
/// the file as `FILE:LINE: column: reason` on standard error. Progress goes to standard error.
async fn import_people(
    state: &AppState,
    actor: &Actor,
    file: &Path,
    options: crate::people::import::ImportOptions,
) -> anyhow::Result<ExitCode> {
    use crate::people::import::{self, ImportError};
    let text = read_file(file)?;
    let terminal = std::io::stderr().is_terminal();
    let last_tenth = std::sync::atomic::AtomicUsize::new(0);
    // On a terminal, one line that counts up; otherwise a line every tenth of the file.
    let progress = |done: usize, total: usize| {
        if terminal {
            eprint!("\r{done}/{total} rows");
            if done == total {
                eprintln!();
            }
        } else if total >= 10 * import::PROGRESS_EVERY {
            let tenth = done * 10 / total;
            if tenth > last_tenth.swap(tenth, std::sync::atomic::Ordering::Relaxed) {
                eprintln!("{done}/{total} rows ({}%)", tenth * 10);
            }
        }
    };
    match import::import_csv(state, actor, &text, options, &progress).await {
        Ok(summary) => {
            print_people_summary(&summary)?;
            Ok(ExitCode::SUCCESS)
        }
        Err(ImportError::Rows(errors)) => {
            let mut err = std::io::stderr().lock();
            for e in &errors {
                writeln!(err, "{}:{e}", file.display())?;
            }
            writeln!(
                err,
                "{}: {} problem(s); nothing was changed",
                file.display(),
                errors.len()
            )?;
            Ok(ExitCode::FAILURE)
        }
        Err(ImportError::App(e)) => {
            eprintln!("{}", user_error(e));
            Ok(ExitCode::FAILURE)
        }
    }
}

/// What a people import changed: the first changes, the columns ignored and the counts.
fn print_people_summary(summary: &crate::people::import::ImportSummary) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    for c in &summary.changes {
        let at = c.line.map(|l| format!("{l}: ")).unwrap_or_default();
        writeln!(out, "  {at}{}: {}", c.email, c.change)?;
    }
    let shown = summary.changes.len();
    let changed = summary.created + summary.updated + summary.deactivated;
    if shown < changed {
        writeln!(out, "  ... and {} more", changed - shown)?;
    }
    if !summary.ignored_columns.is_empty() {
        writeln!(
            out,
            "ignored columns: {}",
            summary.ignored_columns.join(", ")
        )?;
    }
    writeln!(out, "{}", summary.counts())?;
    if summary.dry_run {
        writeln!(out, "dry run: nothing was changed")?;
    }
    Ok(())
}
