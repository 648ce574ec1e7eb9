//! Computed dashboards kept in memory, so that repeated views do not compute them again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::Choices;
use super::dashboard::Pulse;
use super::figures::Growth;
use crate::state::{ByteCache, budget, weigh};

/// Computed dashboards, by group, filters, day and data-change marker, so that repeated views do
/// not recompute them; and a gate per key so that many viewers arriving together compute once.
/// Bounded by bytes (each cache evicts its oldest entries past its budget). An entry is never stale,
/// only unused.
pub struct DashboardCache {
    growth: ByteCache<Arc<Growth>>,
    pulse: ByteCache<Arc<Pulse>>,
    rendered: ByteCache<Arc<str>>,
    choices: ByteCache<Arc<Choices>>,
    gates: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl Default for DashboardCache {
    /// Each cache within [`budget::DASHBOARDS`] bytes.
    fn default() -> DashboardCache {
        DashboardCache {
            growth: ByteCache::new(budget::DASHBOARDS),
            pulse: ByteCache::new(budget::DASHBOARDS),
            rendered: ByteCache::new(budget::DASHBOARDS),
            choices: ByteCache::new(budget::DASHBOARDS),
            gates: Mutex::default(),
        }
    }
}

impl DashboardCache {
    pub(super) fn growth(&self, key: &str) -> Option<Arc<Growth>> {
        self.growth.get(key)
    }

    pub(super) fn put_growth(&self, key: String, value: Arc<Growth>) {
        let weight = weigh(&*value);
        self.growth.put(&key, value, weight);
    }

    pub(super) fn pulse(&self, key: &str) -> Option<Arc<Pulse>> {
        self.pulse.get(key)
    }

    pub(super) fn put_pulse(&self, key: String, value: Arc<Pulse>) {
        let weight = weigh(&*value);
        self.pulse.put(&key, value, weight);
    }

    /// A rendering of the figures kept under [`super::Dashboard::key`] (the page's figures as HTML), so
    /// that repeated views do not draw the same charts again.
    pub fn rendered(&self, key: &str) -> Option<Arc<str>> {
        self.rendered.get(key)
    }

    pub fn remember_rendered(&self, key: String, value: Arc<str>) {
        let weight = value.len();
        self.rendered.put(&key, value, weight);
    }

    pub(super) fn choices(&self, key: &str) -> Option<Arc<Choices>> {
        self.choices.get(key)
    }

    pub(super) fn put_choices(&self, key: String, value: Arc<Choices>) {
        let weight = weigh(&*value);
        self.choices.put(&key, value, weight);
    }

    /// The bytes the four caches hold.
    pub fn bytes(&self) -> usize {
        self.growth.bytes() + self.pulse.bytes() + self.rendered.bytes() + self.choices.bytes()
    }

    /// The gate of a key: whoever holds it computes, the others wait and then read the cache.
    pub(super) fn gate(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        match self.gates.lock() {
            Ok(mut gates) => gates.entry(key.to_owned()).or_default().clone(),
            Err(_) => Arc::default(),
        }
    }

    /// Forgets a gate nobody waits at any more.
    pub(super) fn release_gate(&self, key: &str) {
        if let Ok(mut gates) = self.gates.lock()
            && gates.get(key).is_some_and(|g| Arc::strong_count(g) == 1)
        {
            gates.remove(key);
        }
    }
}
