//! Request rate limits: signing in and account links per client address, the API and SCIM per token
//! (or per address without one). One middleware, [`enforce`], sorts each request into its area by
//! method and path and asks that area's limiter; a refused request gets 429 with `Retry-After`, as a
//! problem document under `/api`, as a SCIM error under `/scim` and as a page elsewhere.
//!
//! The limiters are GCRA token buckets from the `governor` crate (the one tower_governor wraps), kept
//! in memory per server: with several servers, each allows the rate on its own. Sign-in also has a
//! per-account lockout in the database (`services::accounts::Lockout`), which holds across servers.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use askama::Template;
use axum::Json;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::token;

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
        let wrong = || format!("`{text}` is not a rate: write BURST/SECONDS, such as 10/1, or off");
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
    /// `/api/v1/…`, per bearer token, or per address for browser sessions.
    pub api: Option<Rate>,
    /// `/scim/…`, per bearer token.
    pub scim: Option<Rate>,
    /// Take the client's address from the last `X-Forwarded-For` entry, which a reverse proxy in
    /// front of Trellis appends. Only safe when every request comes through such a proxy.
    pub trust_forwarded_for: bool,
}

impl Default for RateLimits {
    /// Generous enough for people and scripts, tight enough to make guessing passwords slow.
    fn default() -> RateLimits {
        RateLimits {
            sign_in: Some(Rate::new(10, Duration::from_secs(1))),
            api: Some(Rate::new(200, Duration::from_millis(20))),
            scim: Some(Rate::new(100, Duration::from_millis(50))),
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
            trust_forwarded_for: false,
        }
    }

    /// The defaults, changed by `TRELLIS_RATE_SIGN_IN`, `TRELLIS_RATE_API`, `TRELLIS_RATE_SCIM`
    /// (each `BURST/SECONDS` or `off`) and `TRELLIS_TRUST_FORWARDED_FOR` (`true` or `false`).
    pub fn from_env() -> Result<RateLimits, String> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<RateLimits, String> {
        let mut limits = RateLimits::default();
        for (name, slot) in [
            ("TRELLIS_RATE_SIGN_IN", &mut limits.sign_in),
            ("TRELLIS_RATE_API", &mut limits.api),
            ("TRELLIS_RATE_SCIM", &mut limits.scim),
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
                        "TRELLIS_TRUST_FORWARDED_FOR: `{other}` is neither true nor false"
                    ));
                }
            };
        }
        Ok(limits)
    }
}

/// Which limit a request falls under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Area {
    SignIn,
    Api,
    Scim,
}

/// Forgets clients that are back to a full bucket every this many checks, which bounds memory.
const CLEANUP_EVERY: u64 = 4096;

struct Limiter {
    buckets: DefaultKeyedRateLimiter<String>,
    checks: AtomicU64,
}

impl Limiter {
    fn new(rate: Rate) -> Option<Limiter> {
        let quota = Quota::with_period(rate.every)?.allow_burst(NonZeroU32::new(rate.burst)?);
        Some(Limiter {
            buckets: RateLimiter::keyed(quota),
            checks: AtomicU64::new(0),
        })
    }

    /// Takes one request from the key's bucket, or says how long until one is there.
    fn check(&self, key: &String) -> Result<(), Duration> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % CLEANUP_EVERY == CLEANUP_EVERY - 1 {
            self.buckets.retain_recent();
            self.buckets.shrink_to_fit();
        }
        self.buckets
            .check_key(key)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }
}

/// The limiters of one server, built once from its [`RateLimits`].
pub struct Limiters {
    sign_in: Option<Limiter>,
    api: Option<Limiter>,
    scim: Option<Limiter>,
    trust_forwarded_for: bool,
}

impl Limiters {
    pub fn new(limits: &RateLimits) -> Arc<Limiters> {
        Arc::new(Limiters {
            sign_in: limits.sign_in.and_then(Limiter::new),
            api: limits.api.and_then(Limiter::new),
            scim: limits.scim.and_then(Limiter::new),
            trust_forwarded_for: limits.trust_forwarded_for,
        })
    }

    fn area(method: &Method, path: &str) -> Option<Area> {
        let under = |prefix: &str| {
            path.strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        };
        if method == Method::POST && (path == "/login" || path.starts_with("/account/link/")) {
            Some(Area::SignIn)
        } else if under("/api/v1") {
            Some(Area::Api)
        } else if under("/scim") {
            Some(Area::Scim)
        } else {
            None
        }
    }

    fn limiter(&self, area: Area) -> Option<&Limiter> {
        match area {
            Area::SignIn => self.sign_in.as_ref(),
            Area::Api => self.api.as_ref(),
            Area::Scim => self.scim.as_ref(),
        }
    }

    /// The bucket a request draws from: its bearer token's, or its client address's.
    fn key(&self, area: Area, headers: &HeaderMap, peer: Option<SocketAddr>) -> String {
        if area != Area::SignIn
            && let Some(bearer) = headers
                .get(AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split_once(' '))
                .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
                .map(|(_, t)| t.trim())
        {
            return format!("token:{}", token::digest(bearer));
        }
        format!("ip:{}", self.client_address(headers, peer))
    }

    /// The client's address; an IPv6 address stands for its /64, which one client usually holds
    /// whole. Without a known peer (a test calling the router directly) every client is one.
    fn client_address(&self, headers: &HeaderMap, peer: Option<SocketAddr>) -> IpAddr {
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

/// The middleware: lets a request through if its area's bucket has room, or answers 429.
pub async fn enforce(State(limiters): State<Arc<Limiters>>, req: Request, next: Next) -> Response {
    let Some(area) = Limiters::area(req.method(), req.uri().path()) else {
        return next.run(req).await;
    };
    let Some(limiter) = limiters.limiter(area) else {
        return next.run(req).await;
    };
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let key = limiters.key(area, req.headers(), peer);
    match limiter.check(&key) {
        Ok(()) => next.run(req).await,
        Err(wait) => too_many_requests(area, wait),
    }
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
        Area::Scim => crate::scim::error::ScimError::new(
            status,
            None,
            format!("too many requests; try again in {wait_words}"),
        )
        .into_response(),
        Area::Api => {
            let problem = crate::api::Problem {
                kind: "about:blank".into(),
                title: "Too Many Requests".into(),
                status: status.as_u16(),
                detail: format!("too many requests; try again in {wait_words}"),
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
        Area::SignIn => {
            let message = format!(
                "There were too many attempts from your address. Wait {wait_words} and try again."
            );
            let page = LimitPage {
                layout: crate::web::Layout::new("Too many attempts", "", None),
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
        let limiter = Limiter::new(Rate::new(2, Duration::from_secs(60))).expect("a limiter");
        let a = "ip:192.0.2.1".to_owned();
        let b = "ip:192.0.2.2".to_owned();
        assert!(limiter.check(&a).is_ok());
        assert!(limiter.check(&a).is_ok());
        let wait = limiter.check(&a).expect_err("refused");
        assert!(wait > Duration::from_secs(50) && wait <= Duration::from_secs(60));
        assert!(
            limiter.check(&b).is_ok(),
            "another client has its own bucket"
        );
    }

    #[test]
    fn only_sign_in_posts_the_api_and_scim_are_limited() {
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
    }

    #[test]
    fn clients_are_told_apart_by_token_or_address() {
        let limiters = Limiters::new(&RateLimits::default());
        let mut headers = HeaderMap::new();
        let peer: SocketAddr = "[2001:db8:1:2:3:4:5:6]:4000".parse().expect("an address");
        assert_eq!(
            limiters.key(Area::Api, &headers, Some(peer)),
            "ip:2001:db8:1:2::"
        );
        assert_eq!(limiters.key(Area::Api, &headers, None), "ip:0.0.0.0");
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("198.51.100.7, 203.0.113.9"),
        );
        assert_eq!(
            limiters.key(Area::SignIn, &headers, None),
            "ip:0.0.0.0",
            "the header is not trusted unless configured"
        );
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Bearer tra_abc"));
        assert_eq!(
            limiters.key(Area::Api, &headers, None),
            format!("token:{}", token::digest("tra_abc"))
        );
        assert_eq!(limiters.key(Area::SignIn, &headers, None), "ip:0.0.0.0");
        let trusting = Limiters::new(&RateLimits {
            trust_forwarded_for: true,
            ..RateLimits::default()
        });
        assert_eq!(trusting.key(Area::SignIn, &headers, None), "ip:203.0.113.9");
    }
}
