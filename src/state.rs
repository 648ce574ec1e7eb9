//! The state every request shares: the database, the configuration, and caches of immutable data.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::auth::cache::ActorCache;
use crate::config::Config;
use crate::db::Db;
use crate::mail::Mailer;
use crate::markdown::Markdown;
use crate::services::framework::Snapshot;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    db: Db,
    config: Config,
    markdown: Markdown,
    frameworks: FrameworkCache,
    actors: ActorCache,
    counts: CountCache,
    dashboards: crate::services::kpis::DashboardCache,
    /// The day (Julian day number) this server last took the audiences of the surveys due to open.
    survey_audiences_checked: std::sync::atomic::AtomicI64,
    mailer: Option<Mailer>,
}

/// The last published version and the last draft revision read, so that pages do not parse the
/// framework document on every request. Entries are keyed by version id and draft revision, which
/// change on every write. The draft's revision is asked of the database on every read. Which version
/// is the latest is asked at most once per [`LATEST_VERSION_TTL`]: a version published through
/// another server shows here within that time; one published through this server, at once.
#[derive(Default)]
pub struct FrameworkCache {
    pub published: RwLock<Option<(Arc<Snapshot>, Instant)>>,
    pub draft: RwLock<Option<Arc<Snapshot>>>,
}

/// How long this server trusts its idea of which version is the latest.
pub const LATEST_VERSION_TTL: Duration = Duration::from_secs(1);

impl FrameworkCache {
    /// The latest published version, if it was checked within [`LATEST_VERSION_TTL`].
    pub fn fresh_published(&self) -> Option<Arc<Snapshot>> {
        let cached = self.published.read().ok()?;
        let (snap, checked) = cached.as_ref()?;
        (checked.elapsed() < LATEST_VERSION_TTL).then(|| snap.clone())
    }

    /// The cached version with this id, whatever its age; marks it checked now.
    pub fn published_with_id(&self, id: i64) -> Option<Arc<Snapshot>> {
        let mut cached = self.published.write().ok()?;
        let (snap, checked) = cached.as_mut()?;
        if snap.id != id {
            return None;
        }
        *checked = Instant::now();
        Some(snap.clone())
    }

    pub fn remember_published(&self, snap: Arc<Snapshot>) {
        if let Ok(mut cached) = self.published.write() {
            *cached = Some((snap, Instant::now()));
        }
    }

    /// Forgets which version is the latest, after this server published one.
    pub fn forget_published(&self) {
        if let Ok(mut cached) = self.published.write() {
            *cached = None;
        }
    }
}

impl AppState {
    /// The state of a server. A mail configuration that cannot be used is logged and leaves links to
    /// be passed on by hand; `trellis serve` refuses it before getting here.
    pub fn new(db: Db, config: Config) -> AppState {
        let mailer = Mailer::from_config(&config).unwrap_or_else(|e| {
            tracing::error!("{e}; links will not be emailed");
            None
        });
        AppState(Arc::new(Inner {
            mailer,
            db,
            config,
            markdown: Markdown::default(),
            frameworks: FrameworkCache::default(),
            actors: ActorCache::default(),
            counts: CountCache::default(),
            dashboards: crate::services::kpis::DashboardCache::default(),
            survey_audiences_checked: std::sync::atomic::AtomicI64::new(i64::MIN),
        }))
    }

    pub fn db(&self) -> &Db {
        &self.0.db
    }

    pub fn config(&self) -> &Config {
        &self.0.config
    }

    pub fn markdown(&self) -> &Markdown {
        &self.0.markdown
    }

    pub fn frameworks(&self) -> &FrameworkCache {
        &self.0.frameworks
    }

    pub fn actors(&self) -> &ActorCache {
        &self.0.actors
    }

    pub fn counts(&self) -> &CountCache {
        &self.0.counts
    }

    /// Computed KPI dashboards (see `services::kpis`).
    pub fn dashboards(&self) -> &crate::services::kpis::DashboardCache {
        &self.0.dashboards
    }

    /// The day this server last took the audiences of the surveys due to open (see
    /// `services::surveys::take_audiences_before_requests`).
    pub fn survey_audiences_checked(&self) -> &std::sync::atomic::AtomicI64 {
        &self.0.survey_audiences_checked
    }

    /// Sends invitation and reset links; none when no SMTP server is configured.
    pub fn mailer(&self) -> Option<&Mailer> {
        self.0.mailer.as_ref()
    }
}

/// Directory figures that are slow to compute and cheap to key: the caller puts everything a value
/// depends on into the key (the query, its parameters and a marker of the data's last change), so
/// an entry is never stale, only unused. Bounded: past its capacity it starts afresh.
#[derive(Default)]
pub struct CountCache {
    entries: std::sync::Mutex<std::collections::HashMap<String, i64>>,
    teams: std::sync::Mutex<Option<(i64, Arc<Vec<String>>)>>,
}

impl CountCache {
    const CAPACITY: usize = 1000;

    pub fn get(&self, key: &str) -> Option<i64> {
        self.entries.lock().ok()?.get(key).copied()
    }

    /// The team names as of the data change `generation`, if remembered.
    pub fn teams(&self, generation: i64) -> Option<Arc<Vec<String>>> {
        let teams = self.teams.lock().ok()?;
        teams
            .as_ref()
            .filter(|(g, _)| *g == generation)
            .map(|(_, t)| t.clone())
    }

    pub fn put_teams(&self, generation: i64, teams: Arc<Vec<String>>) {
        if let Ok(mut cached) = self.teams.lock() {
            *cached = Some((generation, teams));
        }
    }

    pub fn put(&self, key: String, count: i64) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= Self::CAPACITY {
                entries.clear();
            }
            entries.insert(key, count);
        }
    }
}
