//! The state every request shares: the database, the configuration, and caches of immutable data.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::architecture::framework::Snapshot;
use crate::auth::cache::ActorCache;
use crate::config::Config;
use crate::db::Db;
use crate::mail::Mailer;
use crate::markdown::Markdown;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    db: Db,
    config: Config,
    markdown: Markdown,
    frameworks: FrameworkCache,
    actors: ActorCache,
    counts: CountCache,
    dashboards: crate::rollout::kpis::DashboardCache,
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
            dashboards: crate::rollout::kpis::DashboardCache::default(),
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

    /// Computed KPI dashboards (see `rollout::kpis`).
    pub fn dashboards(&self) -> &crate::rollout::kpis::DashboardCache {
        &self.0.dashboards
    }

    /// The day this server last took the audiences of the surveys due to open (see
    /// `rollout::surveys::take_audiences_before_requests`).
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
/// an entry is never stale, only unused. Bounded by [`budget::COUNTS`] bytes.
pub struct CountCache {
    entries: ByteCache<i64>,
    teams: std::sync::Mutex<Option<(i64, Arc<Vec<String>>)>>,
}

impl Default for CountCache {
    fn default() -> CountCache {
        CountCache {
            entries: ByteCache::new(budget::COUNTS),
            teams: std::sync::Mutex::default(),
        }
    }
}

impl CountCache {
    pub fn get(&self, key: &str) -> Option<i64> {
        self.entries.get(key)
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
        self.entries.put(&key, count, std::mem::size_of::<i64>());
    }
}

/// How much memory each in-memory cache and limiter may hold, in bytes, stated in one place. Each
/// evicts what it holds (oldest first) when it would go over, so no request, however large and
/// however many, grows a server past these; together they stay under about 100 MiB.
pub mod budget {
    /// Rendered markdown (framework bullets, descriptions, notes), keyed by its text.
    pub const MARKDOWN: usize = 16 << 20;
    /// Renderings kept with each cached framework snapshot (a track's matrix as HTML, per pay
    /// visibility). The server keeps two snapshots (the latest version and the draft); a snapshot's
    /// lint findings are computed once and are as large as the framework, which the request body
    /// limit bounds.
    pub const SNAPSHOT_RENDERINGS: usize = 16 << 20;
    /// Who sessions and tokens belong to.
    pub const ACTORS: usize = 4 << 20;
    /// Directory counts ([`super::CountCache`]).
    pub const COUNTS: usize = 1 << 20;
    /// Each of the dashboard's caches: figures, pulse trends, renderings and filter choices.
    pub const DASHBOARDS: usize = 8 << 20;
    /// Closed surveys' responses added up by cell (their cubes), each counted with the whole
    /// budget of its results, so that both stay within this.
    pub const SURVEY_CUBES: usize = 96 << 20;
    /// The results computed from one survey's cube (groups and pages of texts).
    pub const SURVEY_RESULTS: usize = 2 << 20;
    /// The buckets of each rate limit area (sign-in, API, SCIM, forms).
    pub const LIMITER: usize = 4 << 20;
    /// What one entry's map slot and bookkeeping cost besides its key and value.
    pub const ENTRY_OVERHEAD: usize = 64;
}

/// Roughly what a value holds in memory: the length of its debug form, counted without building it
/// (strings count their text, numbers their digits), plus the value itself. For caches of computed
/// figures, where exactness matters less than growing with what is held.
pub fn weigh<T: std::fmt::Debug>(value: &T) -> usize {
    struct Count(usize);
    impl std::fmt::Write for Count {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.0 += s.len();
            Ok(())
        }
    }
    let mut count = Count(0);
    let _ = std::fmt::write(&mut count, format_args!("{value:?}"));
    count.0 + std::mem::size_of::<T>()
}

/// A map bounded by bytes: each entry is weighed when it is put (its key, its value's weight as
/// the caller measures it, and [`budget::ENTRY_OVERHEAD`]), and the oldest entries are evicted while
/// the total is over the budget. An entry heavier than an eighth of the budget is not kept at all,
/// so that one huge value cannot push out everything else.
pub struct ByteCache<V> {
    budget: usize,
    inner: std::sync::Mutex<ByteCacheInner<V>>,
}

impl<V> std::fmt::Debug for ByteCache<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let bytes = self.inner.lock().map_or(0, |inner| inner.bytes);
        write!(f, "ByteCache({bytes} of {} bytes)", self.budget)
    }
}

struct ByteCacheInner<V> {
    entries: std::collections::HashMap<Box<str>, (V, usize, u64)>,
    /// Keys in the order they were put, with the sequence number of that put; a key put again
    /// leaves a stale pair behind, skipped on eviction and dropped when the queue is compacted.
    order: std::collections::VecDeque<(u64, Box<str>)>,
    bytes: usize,
    sequence: u64,
}

impl<V: Clone> ByteCache<V> {
    pub fn new(budget: usize) -> ByteCache<V> {
        ByteCache {
            budget,
            inner: std::sync::Mutex::new(ByteCacheInner {
                entries: std::collections::HashMap::new(),
                order: std::collections::VecDeque::new(),
                bytes: 0,
                sequence: 0,
            }),
        }
    }

    pub fn get(&self, key: &str) -> Option<V> {
        let inner = self.inner.lock().ok()?;
        inner.entries.get(key).map(|(v, _, _)| v.clone())
    }

    /// Keeps `value` under `key`; `weight` is what the value holds in memory, in bytes.
    pub fn put(&self, key: &str, value: V, weight: usize) {
        let size = key.len() + weight + budget::ENTRY_OVERHEAD;
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        if let Some((_, old, _)) = inner.entries.remove(key) {
            inner.bytes -= old;
        }
        if size > self.budget / 8 {
            return;
        }
        inner.sequence += 1;
        let sequence = inner.sequence;
        inner.bytes += size;
        inner.entries.insert(key.into(), (value, size, sequence));
        inner.order.push_back((sequence, key.into()));
        while inner.bytes > self.budget {
            let Some((seq, oldest)) = inner.order.pop_front() else {
                break;
            };
            if inner.entries.get(&oldest).is_some_and(|e| e.2 == seq)
                && let Some((_, freed, _)) = inner.entries.remove(&oldest)
            {
                inner.bytes -= freed;
            }
        }
        if inner.order.len() > 2 * inner.entries.len() + 64 {
            let ByteCacheInner { entries, order, .. } = &mut *inner;
            order.retain(|(seq, key)| entries.get(key).is_some_and(|e| e.2 == *seq));
            order.shrink_to_fit();
        }
    }

    pub fn remove(&self, key: &str) {
        if let Ok(mut inner) = self.inner.lock()
            && let Some((_, size, _)) = inner.entries.remove(key)
        {
            inner.bytes -= size;
        }
    }

    /// Keeps only the entries `keep` says yes to.
    pub fn retain(&self, mut keep: impl FnMut(&str, &V) -> bool) {
        if let Ok(mut inner) = self.inner.lock() {
            let mut freed = 0;
            inner.entries.retain(|key, (value, size, _)| {
                let kept = keep(key, value);
                if !kept {
                    freed += *size;
                }
                kept
            });
            inner.bytes -= freed;
        }
    }

    /// The bytes held, as weighed against the budget.
    pub fn bytes(&self) -> usize {
        self.inner.lock().map_or(0, |inner| inner.bytes)
    }

    pub fn budget(&self) -> usize {
        self.budget
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_cache_stays_under_its_budget_and_evicts_the_oldest() {
        let cache: ByteCache<Arc<str>> = ByteCache::new(100_000);
        for i in 0..10_000 {
            let value: Arc<str> = "x".repeat(1000 + i % 7).into();
            cache.put(&format!("key {i}"), value.clone(), value.len());
            assert!(cache.bytes() <= cache.budget(), "{}", cache.bytes());
        }
        assert!(cache.get("key 9999").is_some(), "the newest is kept");
        assert!(cache.get("key 0").is_none(), "the oldest went first");
        // Putting one key again and again neither grows the cache nor its bookkeeping.
        for _ in 0..10_000 {
            cache.put("same", "v".into(), 1);
        }
        let held = cache.bytes();
        assert!(held <= cache.budget());
        assert!(cache.inner.lock().map_or(0, |i| i.order.len()) < 300);
        // Too heavy to keep at all.
        cache.put("huge", "h".into(), 50_000);
        assert!(cache.get("huge").is_none());
        cache.retain(|key, _| key != "same");
        assert!(cache.get("same").is_none());
        cache.remove("key 9999");
        assert!(cache.get("key 9999").is_none());
        assert!(cache.bytes() < held);
    }
}
