//! The `trellis` command line: serve, demo, migrate, backup and restore, user and token administration, and framework
//! files (check, import, export, publish-site). Each command is a thin shell over the same services
//! the web and API use.

use std::io::{IsTerminal, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};

use crate::auth::password::Cost;
use crate::auth::{Actor, Role};
use crate::config::{Config, sqlite_url_in};
use crate::db::{Db, migrations};
use crate::error::AppError;
use crate::people::accounts;

mod framework;
mod people;

use crate::state::AppState;
use framework::FrameworkCommand;
use people::PeopleCommand;

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
        Command::Framework(cmd) => return framework::run(&cli, cmd).await,
        Command::People(cmd) => return people::run(&cli, cmd).await,
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

fn read_file(file: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))
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
