//! The `trellis` command line: serve, demo, migrate, backup and restore, user and token administration, and framework
//! files (check, import, export, publish-site). Each command is a thin shell over the same services
//! the web and API use.

use std::io::{IsTerminal, Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use trellis_framework::diff::Diff;
use trellis_framework::import::{Format, SourceFile};

use crate::architecture::framework;
use crate::auth::password::Cost;
use crate::auth::{Actor, Role};
use crate::config::{Config, sqlite_url_in};
use crate::db::{Db, migrations};
use crate::error::AppError;
use crate::people::accounts;
use crate::state::AppState;

#[derive(Parser)]
#[command(
    name = "trellis",
    version,
    about = "Career tracks for the whole organisation"
)]
pub struct Cli {
    /// The database: sqlite://PATH or postgres://USER:PASSWORD@HOST/DB. Defaults to a SQLite file in
    /// the data directory.
    #[arg(long, env = "DATABASE_URL", global = true)]
    database_url: Option<String>,
    /// Where the default SQLite database lives.
    #[arg(long, env = "TRELLIS_DATA_DIR", default_value = "data", global = true)]
    data_dir: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server.
    Serve(ServeArgs),
    /// Run a demo: a fresh database with a demo organisation, then serve it.
    Demo(DemoArgs),
    /// Bring the database schema up to date.
    Migrate,
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Check, import and export framework files.
    #[command(subcommand)]
    Framework(FrameworkCommand),
    /// Import and export the people directory as CSV.
    #[command(subcommand)]
    People(PeopleCommand),
    /// Readiness for the next level.
    #[command(subcommand)]
    Readiness(ReadinessCommand),
    /// Copy every table into FILE while the server keeps serving (one consistent snapshot).
    Backup { file: PathBuf },
    /// Bring a backup made by trellis backup into an empty database.
    Restore { file: PathBuf },
}

#[derive(Subcommand)]
enum ReadinessCommand {
    /// Recompute the readiness of the whole organisation from the latest agreed check-ins.
    Recompute,
}

#[derive(Args)]
struct ServeArgs {
    /// The address to listen on.
    #[arg(long, env = "TRELLIS_BIND", default_value = "127.0.0.1:8080")]
    bind: SocketAddr,
    /// The address people use to reach Trellis (https:// turns on secure cookies).
    #[arg(long, env = "TRELLIS_BASE_URL")]
    base_url: Option<String>,
    /// Database connections in the pool [default: 16 for PostgreSQL, twice the CPU cores for
    /// SQLite].
    #[arg(long, env = "TRELLIS_POOL_SIZE")]
    pool_size: Option<u32>,
    /// The SMTP server that sends invitation and reset links: smtp://USER:PASS@HOST:587 (STARTTLS),
    /// smtps://USER:PASS@HOST:465 (TLS) or smtp://HOST:25?tls=none (unencrypted).
    #[arg(long, env = "TRELLIS_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// The sender of those emails, e.g. "Trellis <trellis@example.com>".
    #[arg(long, env = "TRELLIS_MAIL_FROM")]
    mail_from: Option<String>,
}

#[derive(Args)]
struct DemoArgs {
    #[arg(long, env = "TRELLIS_BIND", default_value = "127.0.0.1:8080")]
    bind: SocketAddr,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account. The password is read from --password-file, or asked for, or read from
    /// standard input when it is not a terminal.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, value_parser = ["admin", "employee"])]
        role: String,
        #[arg(long, default_value = "")]
        name: String,
        #[arg(long)]
        password_file: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token and print it (it is shown only once).
    Create {
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = ["api", "scim"], default_value = "api")]
        scope: String,
        /// No longer accepted: a token made here acts for the organisation. A personal token is
        /// created by its owner, signed in.
        #[arg(long, hide = true)]
        user: Option<String>,
    },
}

#[derive(Subcommand)]
enum FrameworkCommand {
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

#[derive(Subcommand)]
enum PeopleCommand {
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

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ExportFormat {
    /// The framework file.
    Yaml,
    /// One row per expectation bullet.
    Csv,
    /// A directory: README.md and one file per track.
    Markdown,
}

impl Cli {
    fn database_url(&self) -> anyhow::Result<String> {
        if let Some(url) = &self.database_url {
            return Ok(url.clone());
        }
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("cannot create {}", self.data_dir.display()))?;
        Ok(sqlite_url_in(&self.data_dir))
    }
}

async fn open(url: &str, pool_size: u32) -> anyhow::Result<Db> {
    let db = Db::connect(url, pool_size).await?;
    migrations::migrate(&db)
        .await
        .context("migrating the database")?;
    // A command may change the directory: the surveys that opened today take their audience first.
    crate::rollout::surveys::take_due_audiences(&db)
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.public_message()))
        .context("taking the audiences of the surveys opening today")?;
    Ok(db)
}

fn state_for(
    db: Db,
    url: String,
    bind: SocketAddr,
    base_url: Option<String>,
) -> anyhow::Result<AppState> {
    Ok(AppState::new(db, config_for(url, bind, base_url)?))
}

fn config_for(url: String, bind: SocketAddr, base_url: Option<String>) -> anyhow::Result<Config> {
    let base_url = base_url.unwrap_or_else(|| format!("http://{bind}"));
    let limits = crate::auth::limits::RateLimits::from_env().map_err(anyhow::Error::msg)?;
    Ok(Config {
        database_url: url,
        bind,
        base_url,
        pool_size: 16,
        password_cost: Cost::Production,
        limits,
        lockout: crate::people::accounts::Lockout::default(),
        smtp_url: None,
        mail_from: None,
    })
}

/// Runs the command line; the exit code says whether it succeeded.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Command::Serve(args) => serve_command(&cli, args).await?,
        Command::Demo(args) => demo_command(&cli, args).await?,
        Command::Migrate => {
            let db = Db::connect(&cli.database_url()?, 1).await?;
            let applied = migrations::migrate(&db).await?;
            println!(
                "schema at version {} ({} migration(s) applied)",
                migrations::latest_version(),
                applied.len()
            );
        }
        Command::User(UserCommand::Create {
            email,
            role,
            name,
            password_file,
        }) => create_user(&cli, email, role, name, password_file.as_deref()).await?,
        Command::Token(TokenCommand::Create { name, scope, user }) => {
            if user.is_some() {
                bail!(
                    "A token made at the command line acts for the organisation and for no person. \
                     A personal token is created by its owner, signed in, on the API tokens page or \
                     with POST /api/v1/tokens."
                );
            }
            let db = open(&cli.database_url()?, 1).await?;
            let secret = accounts::create_api_token(
                &db,
                &Actor::command_line(),
                name,
                scope,
                accounts::TokenOwner::Organisation,
            )
            .await
            .map_err(user_error)?;
            println!("{secret}");
        }
        Command::Backup { file } => {
            let db = open(&cli.database_url()?, 1).await?;
            let started = std::time::Instant::now();
            let counts = crate::db::backup::backup(&db, file).await?;
            println!(
                "wrote {} rows of {} tables to {} in {} ms",
                counts.rows,
                counts.tables,
                file.display(),
                started.elapsed().as_millis()
            );
        }
        Command::Restore { file } => {
            // Not `open`: the schema is first brought to the backup's version, not this build's.
            let db = Db::connect(&cli.database_url()?, 2).await?;
            let counts = crate::db::backup::restore(&db, file).await?;
            println!(
                "restored {} rows of {} tables from {}",
                counts.rows,
                counts.tables,
                file.display()
            );
        }
        Command::Framework(cmd) => return framework_command(&cli, cmd).await,
        Command::People(cmd) => return people_command(&cli, cmd).await,
        Command::Readiness(ReadinessCommand::Recompute) => {
            let state = local_state(&cli).await?;
            let started = std::time::Instant::now();
            let n = crate::growth::readiness::recompute_all(&state, &Actor::command_line())
                .await
                .map_err(user_error)?;
            println!(
                "recomputed the readiness of {n} people in {} ms",
                started.elapsed().as_millis()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The state a command that is not the server works with: the database with two connections, and
/// a configuration for no address.
async fn local_state(cli: &Cli) -> anyhow::Result<AppState> {
    let url = cli.database_url()?;
    let db = open(&url, 2).await?;
    state_for(db, url, ([127, 0, 0, 1], 0).into(), None)
}

/// `trellis serve`: the server over the database, with a hint when there is no account yet.
async fn serve_command(cli: &Cli, args: &ServeArgs) -> anyhow::Result<()> {
    let url = cli.database_url()?;
    let pool_size = args
        .pool_size
        .unwrap_or_else(|| Db::default_pool_size(&url));
    let db = open(&url, pool_size).await?;
    let hint = match accounts::user_count(&db).await {
        Ok(0) => Some(
            "There are no accounts yet. Create the first admin with:\n  trellis user create --email YOU@EXAMPLE.COM --role admin\n"
                .to_owned(),
        ),
        _ => None,
    };
    let mut config = config_for(url, args.bind, args.base_url.clone())?;
    config.pool_size = pool_size;
    config.smtp_url = args.smtp_url.clone();
    config.mail_from = args.mail_from.clone();
    if crate::mail::Mailer::from_config(&config)
        .map_err(anyhow::Error::msg)?
        .is_none()
    {
        tracing::info!(
            "TRELLIS_SMTP_URL is not set: admins copy invitation and reset links from /admin/accounts"
        );
    }
    serve(AppState::new(db, config), args.bind, hint).await
}

/// `trellis demo`: a fresh database with the demo organisation, served with its logins shown.
async fn demo_command(cli: &Cli, args: &DemoArgs) -> anyhow::Result<()> {
    let dir = cli.data_dir.join("demo");
    if dir.exists() {
        std::fs::remove_dir_all(&dir).with_context(|| format!("cannot clear {}", dir.display()))?;
    }
    std::fs::create_dir_all(&dir)?;
    let url = cli
        .database_url
        .clone()
        .unwrap_or_else(|| sqlite_url_in(&dir));
    let db = open(&url, Db::default_pool_size(&url)).await?;
    let state = state_for(db, url, args.bind, None)?;
    crate::demo::seed(&state, Cost::Production)
        .await
        .map_err(|e| anyhow::anyhow!("seeding the demo failed: {e}"))?;
    crate::demo::seed_directory(&state, Cost::Production)
        .await
        .map_err(|e| anyhow::anyhow!("seeding the demo's people failed: {e}"))?;
    crate::demo::seed_growth(&state)
        .await
        .map_err(|e| anyhow::anyhow!("seeding the demo's growth failed: {e}"))?;
    let mut banner = String::from("Demo logins:\n");
    for login in crate::demo::LOGINS
        .iter()
        .chain(&crate::demo::DIRECTORY_LOGINS)
    {
        banner.push_str(&format!(
            "  {:<9} {}  password: {}\n",
            login.who, login.email, login.password
        ));
    }
    serve(state, args.bind, Some(banner)).await
}

/// `trellis user create`: an account with the password read from a file, asked for, or read from
/// standard input.
async fn create_user(
    cli: &Cli,
    email: &str,
    role: &str,
    name: &str,
    password_file: Option<&Path>,
) -> anyhow::Result<()> {
    let password = read_password(password_file)?;
    let db = open(&cli.database_url()?, 1).await?;
    let role = Role::parse(role).unwrap_or(Role::Employee);
    let id = accounts::create_user(
        &db,
        &Actor::command_line(),
        accounts::NewUser {
            email: email.to_owned(),
            name: name.to_owned(),
            role,
            password,
        },
        Cost::Production,
    )
    .await
    .map_err(user_error)?;
    let email = crate::domain::Email::parse(email).map_or(email.to_owned(), |e| e.to_string());
    println!("created {} account {id} for {email}", role.as_str());
    Ok(())
}

fn user_error(e: AppError) -> anyhow::Error {
    match e.field_errors().as_slice() {
        [one] if !one.field.is_empty() => anyhow::anyhow!("{}: {}", one.field, one.message),
        [_, _, ..] => {
            let mut text = e.public_message();
            for f in e.field_errors() {
                text.push_str(&format!("\n  {}: {}", f.field, f.message));
            }
            anyhow::anyhow!(text)
        }
        _ => anyhow::anyhow!("{}", e.public_message()),
    }
}

fn read_password(file: Option<&Path>) -> anyhow::Result<String> {
    let raw = match file {
        Some(path) => std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?,
        None if std::io::stdin().is_terminal() => {
            let first = rpassword::prompt_password("Password: ")?;
            let again = rpassword::prompt_password("Password again: ")?;
            if first != again {
                bail!("the two passwords differ");
            }
            first
        }
        None => {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s)?;
            s
        }
    };
    Ok(raw.lines().next().unwrap_or_default().to_owned())
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

fn read_file(file: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))
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

async fn framework_command(cli: &Cli, cmd: &FrameworkCommand) -> anyhow::Result<ExitCode> {
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

/// Writes text to a file, or without one to standard output.
fn write_output(output: Option<&Path>, text: &str) -> anyhow::Result<()> {
    match output {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
        }
        None => {
            print!("{text}");
            Ok(())
        }
    }
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

async fn people_command(cli: &Cli, cmd: &PeopleCommand) -> anyhow::Result<ExitCode> {
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

/// Serves the application until Ctrl-C or SIGTERM.
pub async fn serve(
    state: AppState,
    bind: SocketAddr,
    banner: Option<String>,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("cannot listen on {bind}"))?;
    let addr = listener.local_addr()?;
    let db = state.db().clone();
    let app = crate::app(state);
    println!("Trellis is running at http://{addr}/");
    if let Some(banner) = banner {
        print!("{banner}");
    }
    println!("Press Ctrl-C to stop.");
    // The peer address is what the rate limits of signing in tell clients apart by.
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    db.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
