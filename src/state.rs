//! The state every request shares: the database, the configuration, and caches of immutable data.

use std::sync::{Arc, RwLock};

use crate::config::Config;
use crate::db::Db;
use crate::markdown::Markdown;
use crate::services::framework::Snapshot;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    db: Db,
    config: Config,
    markdown: Markdown,
    frameworks: FrameworkCache,
}

/// The last published version and the last draft revision read, so that pages do not parse the
/// framework document on every request. Entries are keyed by version id and draft revision, which
/// change on every write, so a stale entry is never served: a request first asks the database which
/// id or revision is current, then uses the cache only if it matches.
#[derive(Default)]
pub struct FrameworkCache {
    pub published: RwLock<Option<Arc<Snapshot>>>,
    pub draft: RwLock<Option<Arc<Snapshot>>>,
}

impl AppState {
    pub fn new(db: Db, config: Config) -> AppState {
        AppState(Arc::new(Inner {
            db,
            config,
            markdown: Markdown::default(),
            frameworks: FrameworkCache::default(),
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
}
