//! Request rate limits: signing in and account links per client address, the API and SCIM per
//! valid token (and per client address for everything else: no token, or one that is not valid),
//! and the forms of the pages per signed-in account. One middleware, [`enforce`], sorts each request
//! into its area by method and path and asks that area's limiter; a refused request gets 429 with
//! `Retry-After`, as a problem document under `/api`, as a SCIM error under `/scim` and as a page elsewhere.
//!
//! A token has a bucket of its own only once this server has seen it is valid (it is in the
//! [`ActorCache`](super::cache::ActorCache)); until then its requests draw from its address's
//! bucket, so that sending a new made-up token with every request gains nothing.
//!
//! The limiters are GCRA buckets (the algorithm of the `governor` crate, kept here so that the
//! number of buckets can be bounded), in memory per server: with several servers, each allows the
//! rate on its own. Buckets back to full are forgotten, and past [`crate::state::budget::LIMITER`]
//! bytes new clients share one overflow bucket until room is made, so a flood of addresses cannot
//! grow the server. Failed sign-ins are also slowed per account and address in the database
//! (`people::accounts::Lockout`), which holds across servers.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use askama::Template;
use axum::Json;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use crate::state::{AppState, ByteCache};

/// A rate: a burst of `burst` requests, then one more every `every`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub burst: u32,
    pub every: Duration,
}

impl Rate {
    pub const fn new(burst: u32, every: Duration) -> Rate {
        Rate { burst, every }
    }

    /// Reads `BURST/SECONDS` (`10/1`: bursts of ten, then one a second; `100/0.05`: bursts of a
    /// hundred, then twenty a second), or `off` for no limit.
    pub fn parse(text: &str) -> Result<Option<Rate>, String> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("off") {
            return Ok(None);
        }
        let wrong = || format!("“{text}” is not a rate: write BURST/SECONDS, such as 10/1, or off");
        let (burst, seconds) = text.split_once('/').ok_or_else(wrong)?;
        let burst: u32 = burst.trim().parse().map_err(|_| wrong())?;
        let seconds: f64 = seconds.trim().parse().map_err(|_| wrong())?;
        if burst == 0 || !seconds.is_finite() || seconds <= 0.0 || seconds > 86_400.0 {
            return Err(wrong());
        }
        Ok(Some(Rate::new(burst, Duration::from_secs_f64(seconds))))
    }
}

/// The limits a server applies; `None` switches an area's limit off.
#[derive(Debug, Clone, PartialEq)]
pub struct RateLimits {
    /// `POST /login` and `POST /account/link/…`, per client address.
    pub sign_in: Option<Rate>,
    /// `/api/v1/…`, per valid bearer token, or per client address.
    pub api: Option<Rate>,
    /// `/scim/…`, per valid bearer token, or per client address.
    pub scim: Option<Rate>,
    /// Forms of the pages that change something (every method but GET, HEAD and OPTIONS outside
    /// `/api` and `/scim`), per signed-in account.
    pub forms: Option<Rate>,
    /// Take the client's address from the last `X-Forwarded-For` entry, which a reverse proxy in
    /// front of Trellis appends. Only safe when every request comes through such a proxy.
    pub trust_forwarded_for: bool,
}

impl Default for RateLimits {
    /// Generous enough for people and scripts, tight enough to make guessing passwords slow. The
    /// forms allow bursts of 120 saves, then two a second: far more than a person clicking and
    /// typing, autosave included.
    fn default() -> RateLimits {
        RateLimits {
            sign_in: Some(Rate::new(10, Duration::from_secs(1))),
            api: Some(Rate::new(200, Duration::from_millis(20))),
            scim: Some(Rate::new(100, Duration::from_millis(50))),
            forms: Some(Rate::new(120, Duration::from_millis(500))),
            trust_forwarded_for: false,
        }
    }
}

impl RateLimits {
    /// No limits at all (tests, benchmarks).
    pub fn off() -> RateLimits {
        RateLimits {
            sign_in: None,
            api: None,
            scim: None,
            forms: None,
            trust_forwarded_for: false,
        }
    }

    /// The defaults, changed by `TRELLIS_RATE_SIGN_IN`, `TRELLIS_RATE_API`, `TRELLIS_RATE_SCIM`,
    /// `TRELLIS_RATE_FORMS` (each `BURST/SECONDS` or `off`) and `TRELLIS_TRUST_FORWARDED_FOR`
    /// (`true` or `false`).
    pub fn from_env() -> Result<RateLimits, String> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<RateLimits, String> {
        let mut limits = RateLimits::default();
        for (name, slot) in [
            ("TRELLIS_RATE_SIGN_IN", &mut limits.sign_in),
            ("TRELLIS_RATE_API", &mut limits.api),
            ("TRELLIS_RATE_SCIM", &mut limits.scim),
            ("TRELLIS_RATE_FORMS", &mut limits.forms),
        ] {
            if let Some(value) = var(name) {
                *slot = Rate::parse(&value).map_err(|e| format!("{name}: {e}"))?;
            }
        }
        if let Some(value) = var("TRELLIS_TRUST_FORWARDED_FOR") {
            limits.trust_forwarded_for = match value.trim() {
                "true" | "1" | "yes" => true,
                "false" | "0" | "no" | "" => false,
                other => {
                    return Err(format!(
                        "TRELLIS_TRUST_FORWARDED_FOR: “{other}” is neither true nor false"
                    ));
                }
            };
        }
        Ok(limits)
    }

    /// The client's address: the peer's, or the last `X-Forwarded-For` entry when trusted. An IPv6
    /// address stands for its /64, which one client usually holds whole. Without a known peer (a
    /// test calling the router directly) every client is one.
    pub fn client_address(&self, headers: &HeaderMap, peer: Option<SocketAddr>) -> IpAddr {
        let forwarded = if self.trust_forwarded_for {
            headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .next_back()
                .and_then(|last| last.trim().parse::<IpAddr>().ok())
        } else {
            None
        };
        let ip = forwarded
            .or(peer.map(|p| p.ip()))
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        match ip {
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => {
                    let s = v6.segments();
                    IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
                }
            },
            v4 => v4,
        }
    }
}

/// The client's address as [`RateLimits::client_address`] works it out, for handlers (signing in
/// slows failures per account and address). Set by [`enforce`] on every request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<ClientAddress>()
            .copied()
            .unwrap_or(ClientAddress(IpAddr::V4(Ipv4Addr::UNSPECIFIED))))
    }
}

/// Which limit a request falls under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Area {
    SignIn,
    Api,
    Scim,
    Forms,
}

/// What one bucket costs in memory besides its key: the map's slot, the time and the key's box.
const BUCKET_OVERHEAD: usize = 64;

/// The key new clients share while the limiter is over its budget.
const OVERFLOW: &str = "overflow";

/// A GCRA limiter: per key, the theoretical arrival time of the next request; a request is let
/// through when that time is at most `tolerance` ahead of now, and pushes it on by `period`. A
/// key whose time has passed has a full bucket and is forgotten.
struct Limiter {
    period: Duration,
    tolerance: Duration,
    budget: usize,
    buckets: Mutex<Buckets>,
}

struct Buckets {
    next: HashMap<Box<str>, Instant>,
    bytes: usize,
    swept: Instant,
}

impl Buckets {
    /// Forgets every bucket that is full again.
    fn sweep(&mut self, now: Instant) {
        let mut freed = 0;
        self.next.retain(|key, at| {
            let keep = *at > now;
            if !keep {
                freed += key.len() + BUCKET_OVERHEAD;
            }
            keep
        });
        self.bytes -= freed;
        self.swept = now;
        if self.next.capacity() > 4 * self.next.len().max(1024) {
            self.next.shrink_to_fit();
        }
    }
}

impl Limiter {
    fn new(rate: Rate, budget: usize) -> Option<Limiter> {
        if rate.burst == 0 || rate.every.is_zero() {
            return None;
        }
        Some(Limiter {
            period: rate.every,
            tolerance: rate.every * (rate.burst - 1),
            budget,
            buckets: Mutex::new(Buckets {
                next: HashMap::new(),
                bytes: 0,
                swept: Instant::now(),
            }),
        })
    }

    /// Takes one request from the key's bucket, or says how long until one is there.
    fn check(&self, key: &str) -> Result<(), Duration> {
        let now = Instant::now();
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(());
        };
        if now.duration_since(buckets.swept) > Duration::from_secs(10) {
            buckets.sweep(now);
        }
        // Room is always left for the overflow bucket itself.
        let room = self.budget.saturating_sub(OVERFLOW.len() + BUCKET_OVERHEAD);
        let mut key = key;
        if !buckets.next.contains_key(key) && buckets.bytes + key.len() + BUCKET_OVERHEAD > room {
            buckets.sweep(now);
            if buckets.bytes + key.len() + BUCKET_OVERHEAD > room {
                key = OVERFLOW;
            }
        }
        let next = buckets
            .next
            .get(key)
            .copied()
            .filter(|at| *at > now)
            .unwrap_or(now);
        let ahead = next.duration_since(now);
        if ahead > self.tolerance {
            return Err(ahead - self.tolerance);
        }
        match buckets.next.get_mut(key) {
            Some(at) => *at = next + self.period,
            None => {
                buckets.bytes += key.len() + BUCKET_OVERHEAD;
                buckets.next.insert(key.into(), next + self.period);
            }
        }
        Ok(())
    }

    /// The memory the buckets take, as counted against the budget.
    #[cfg(test)]
    fn bytes(&self) -> usize {
        self.buckets.lock().map_or(0, |b| b.bytes)
    }
}

/// How long a token seen to be valid keeps a bucket of its own without being seen again.
const KNOWN_TOKEN_TTL: Duration = Duration::from_secs(3600);

/// The limiters of one server, built once from its [`RateLimits`].
pub struct Limiters {
    sign_in: Option<Limiter>,
    api: Option<Limiter>,
    scim: Option<Limiter>,
    forms: Option<Limiter>,
    /// Digests of the tokens this server has seen to be valid, with when.
    known_tokens: ByteCache<Instant>,
    limits: RateLimits,
}

impl Limiters {
    pub fn new(limits: &RateLimits) -> Arc<Limiters> {
        let budget = crate::state::budget::LIMITER;
        let make = |rate: Option<Rate>| rate.and_then(|r| Limiter::new(r, budget));
        Arc::new(Limiters {
            sign_in: make(limits.sign_in),
            api: make(limits.api),
            scim: make(limits.scim),
            forms: make(limits.forms),
            known_tokens: ByteCache::new(budget),
            limits: limits.clone(),
        })
    }

    fn area(method: &Method, path: &str) -> Option<Area> {
        let under = |prefix: &str| {
            path.strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        };
        let reads = [Method::GET, Method::HEAD, Method::OPTIONS].contains(method);
        if method == Method::POST && (path == "/login" || path.starts_with("/account/link/")) {
            Some(Area::SignIn)
        } else if under("/api/v1") {
            Some(Area::Api)
        } else if under("/scim") {
            Some(Area::Scim)
        } else if !reads && !under("/api") {
            Some(Area::Forms)
        } else {
            None
        }
    }

    fn limiter(&self, area: Area) -> Option<&Limiter> {
        match area {
            Area::SignIn => self.sign_in.as_ref(),
            Area::Api => self.api.as_ref(),
            Area::Scim => self.scim.as_ref(),
            Area::Forms => self.forms.as_ref(),
        }
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim())
}

/// The bucket a request draws from, or none when its area is not limited for it (a form sent
/// without a live session, which is refused anyway). A token this server has seen to be valid has
/// its own bucket; any other request to the API or SCIM draws from its address's.
async fn bucket_key(
    limiters: &Limiters,
    state: &AppState,
    area: Area,
    headers: &HeaderMap,
    address: IpAddr,
) -> Option<String> {
    match area {
        Area::SignIn => Some(format!("ip:{address}")),
        Area::Api | Area::Scim => Some(match bearer(headers) {
            Some(token) => {
                let digest = crate::auth::token::digest(token);
                let known = limiters
                    .known_tokens
                    .get(&digest)
                    .is_some_and(|at| at.elapsed() < KNOWN_TOKEN_TTL);
                if known || state.actors().get(token).is_some() {
                    format!("token:{digest}")
                } else {
                    format!("ip:{address}")
                }
            }
            None => format!("ip:{address}"),
        }),
        Area::Forms => {
            let secret = super::actor::session_cookie(headers)?;
            let actor = match state.actors().get(secret) {
                Some(actor) => Some(actor),
                None => {
                    let found = crate::people::accounts::actor_for_session(state.db(), secret)
                        .await
                        .ok()
                        .flatten();
                    if let Some(actor) = &found {
                        state.actors().put(secret, actor);
                    }
                    found
                }
            };
            actor
                .and_then(|a| a.user_id)
                .map(|id| format!("account:{id}"))
        }
    }
}

/// The middleware: notes the client's address on the request, and lets it through if its area's
/// bucket has room, or answers 429. A token that turned out valid (its actor was found) is
/// remembered, so that its next requests draw from its own bucket.
pub async fn enforce(
    State((limiters, state)): State<(Arc<Limiters>, AppState)>,
    mut req: Request,
    next: Next,
) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let address = limiters.limits.client_address(req.headers(), peer);
    req.extensions_mut().insert(ClientAddress(address));
    let Some(area) = Limiters::area(req.method(), req.uri().path()) else {
        return next.run(req).await;
    };
    let Some(limiter) = limiters.limiter(area) else {
        return next.run(req).await;
    };
    let Some(key) = bucket_key(&limiters, &state, area, req.headers(), address).await else {
        return next.run(req).await;
    };
    if let Err(wait) = limiter.check(&key) {
        return too_many_requests(area, wait);
    }
    let token = bearer(req.headers())
        .filter(|_| key.starts_with("ip:"))
        .map(str::to_owned);
    let res = next.run(req).await;
    if let Some(token) = token
        && state.actors().get(&token).is_some()
    {
        let digest = crate::auth::token::digest(&token);
        limiters
            .known_tokens
            .put(&digest, Instant::now(), std::mem::size_of::<Instant>());
    }
    res
}

#[derive(Template)]
#[template(path = "error.html")]
struct LimitPage {
    layout: crate::web::Layout,
    message: String,
}

fn too_many_requests(area: Area, wait: Duration) -> Response {
    let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
    let wait_words = if seconds == 1 {
        "a second".to_owned()
    } else {
        format!("{seconds} seconds")
    };
    let status = StatusCode::TOO_MANY_REQUESTS;
    let mut res = match area {
        // SCIM clients read errors in SCIM's own form (RFC 7644 §3.12), 429 included.
        Area::Scim => crate::people::scim::error::ScimError::new(
            status,
            None,
            format!("Too many requests: try again in {wait_words}."),
        )
        .into_response(),
        Area::Api => {
            let problem = crate::api::Problem {
                kind: "about:blank".into(),
                title: "Too Many Requests".into(),
                status: status.as_u16(),
                detail: format!("Too many requests: try again in {wait_words}."),
                errors: Vec::new(),
                file_errors: Vec::new(),
            };
            let mut res = (status, Json(problem)).into_response();
            res.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/problem+json"),
            );
            res
        }
        Area::SignIn | Area::Forms => {
            let (title, message) = if area == Area::Forms {
                (
                    "Too many changes",
                    format!(
                        "You sent changes faster than Trellis accepts from one account, so this one was not saved. Wait {wait_words} and send it again."
                    ),
                )
            } else {
                (
                    "Too many attempts",
                    format!(
                        "There were too many attempts from your address. Wait {wait_words} and try again."
                    ),
                )
            };
            let page = LimitPage {
                layout: crate::web::Layout::new(title, "", None),
                message: message.clone(),
            };
            match page.render() {
                Ok(html) => (status, Html(html)).into_response(),
                Err(_) => (status, message).into_response(),
            }
        }
    };
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_read_as_burst_and_seconds_or_off() {
        assert_eq!(
            Rate::parse("10/1"),
            Ok(Some(Rate::new(10, Duration::from_secs(1))))
        );
        assert_eq!(
            Rate::parse(" 100 / 0.05 "),
            Ok(Some(Rate::new(100, Duration::from_millis(50))))
        );
        assert_eq!(Rate::parse("OFF"), Ok(None));
        for wrong in ["", "10", "0/1", "10/0", "ten/1", "10/-1", "10/inf"] {
            assert!(Rate::parse(wrong).is_err(), "{wrong}");
        }
    }

    #[test]
    fn the_environment_changes_the_defaults() {
        let limits = RateLimits::from_vars(|name| match name {
            "TRELLIS_RATE_API" => Some("off".into()),
            "TRELLIS_RATE_SIGN_IN" => Some("3/60".into()),
            "TRELLIS_TRUST_FORWARDED_FOR" => Some("true".into()),
            _ => None,
        })
        .expect("valid");
        assert_eq!(limits.api, None);
        assert_eq!(limits.sign_in, Some(Rate::new(3, Duration::from_secs(60))));
        assert_eq!(limits.scim, RateLimits::default().scim);
        assert!(limits.trust_forwarded_for);
        let wrong =
            RateLimits::from_vars(|name| (name == "TRELLIS_RATE_SCIM").then(|| "many".to_owned()));
        assert!(wrong.is_err_and(|e| e.starts_with("TRELLIS_RATE_SCIM")));
    }

    #[test]
    fn a_bucket_refuses_past_its_burst_and_says_how_long_to_wait() {
        let limiter =
            Limiter::new(Rate::new(2, Duration::from_secs(60)), 1 << 20).expect("a limiter");
        let a = "ip:192.0.2.1";
        let b = "ip:192.0.2.2";
        assert!(limiter.check(a).is_ok());
        assert!(limiter.check(a).is_ok());
        let wait = limiter.check(a).expect_err("refused");
        assert!(wait > Duration::from_secs(50) && wait <= Duration::from_secs(60));
        assert!(
            limiter.check(b).is_ok(),
            "another client has its own bucket"
        );
    }

    #[test]
    fn a_flood_of_clients_stays_within_the_budget_and_shares_one_bucket_past_it() {
        let budget = 64 * 1024;
        let limiter =
            Limiter::new(Rate::new(3, Duration::from_secs(60)), budget).expect("a limiter");
        for i in 0..100_000u32 {
            let _ = limiter.check(&format!("ip:{}", Ipv4Addr::from(i)));
            assert!(limiter.bytes() <= budget, "{} bytes", limiter.bytes());
        }
        // Past the budget, newcomers share the overflow bucket, which is long empty.
        assert!(limiter.check("ip:198.51.100.1").is_err());
        // Clients with a bucket keep theirs.
        let known = format!("ip:{}", Ipv4Addr::from(5u32));
        assert!(limiter.check(&known).is_ok());
    }

    #[test]
    fn full_buckets_are_forgotten() {
        let limiter =
            Limiter::new(Rate::new(1, Duration::from_millis(5)), 1 << 20).expect("a limiter");
        for i in 0..1000 {
            assert!(limiter.check(&format!("ip:{i}")).is_ok());
        }
        std::thread::sleep(Duration::from_millis(20));
        if let Ok(mut b) = limiter.buckets.lock() {
            b.sweep(Instant::now());
        }
        assert_eq!(limiter.bytes(), 0);
    }

    #[test]
    fn sign_in_posts_the_api_scim_and_page_forms_are_limited() {
        assert_eq!(Limiters::area(&Method::POST, "/login"), Some(Area::SignIn));
        assert_eq!(
            Limiters::area(&Method::POST, "/account/link/trl_x"),
            Some(Area::SignIn)
        );
        assert_eq!(Limiters::area(&Method::GET, "/login"), None);
        assert_eq!(
            Limiters::area(&Method::GET, "/api/v1/tracks"),
            Some(Area::Api)
        );
        assert_eq!(Limiters::area(&Method::GET, "/api/docs"), None);
        assert_eq!(Limiters::area(&Method::GET, "/api/v10"), None);
        assert_eq!(
            Limiters::area(&Method::POST, "/scim/v2/Users"),
            Some(Area::Scim)
        );
        assert_eq!(Limiters::area(&Method::GET, "/tracks"), None);
        assert_eq!(
            Limiters::area(&Method::POST, "/draft/publish"),
            Some(Area::Forms)
        );
        assert_eq!(
            Limiters::area(&Method::DELETE, "/plans/goals/1"),
            Some(Area::Forms)
        );
        assert_eq!(Limiters::area(&Method::HEAD, "/people"), None);
    }

    #[test]
    fn clients_are_told_apart_by_address() {
        let limits = RateLimits::default();
        let mut headers = HeaderMap::new();
        let peer: SocketAddr = "[2001:db8:1:2:3:4:5:6]:4000".parse().expect("an address");
        assert_eq!(
            limits.client_address(&headers, Some(peer)).to_string(),
            "2001:db8:1:2::"
        );
        assert_eq!(limits.client_address(&headers, None).to_string(), "0.0.0.0");
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("198.51.100.7, 203.0.113.9"),
        );
        assert_eq!(
            limits.client_address(&headers, None).to_string(),
            "0.0.0.0",
            "the header is not trusted unless configured"
        );
        let trusting = RateLimits {
            trust_forwarded_for: true,
            ..RateLimits::default()
        };
        assert_eq!(
            trusting.client_address(&headers, None).to_string(),
            "203.0.113.9"
        );
    }
}
