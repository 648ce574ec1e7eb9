//! The route table. Every route of the application, a page, an API operation or a SCIM endpoint, is
//! added through [`Routes`], which writes down its method and path as it adds it to the router. So
//! the application can say what it serves ([`crate::routes_served`]) from what its router is built
//! of, and the access matrix of the tests holds every route to an access decision.
//!
//! Pages and SCIM add their routes with [`Routes::route`] and the method functions of this module
//! ([`get`], [`post`], ...), in place of axum's. The API adds each operation with its OpenAPI entry
//! (`utoipa_axum::routes!`), and [`Routes::documented`] takes its routes from that document.
//! Nothing else adds a route: `clippy.toml` refuses axum's own `route`, `merge` and `nest` outside
//! this file, and `OpenApiRouter::route`, which would add an operation without its entry.

use std::convert::Infallible;

use axum::Router;
use axum::extract::Request;
use axum::handler::Handler;
use axum::http::Method;
use axum::response::IntoResponse;
use axum::routing::{MethodRouter, Route};
use tower::{Layer, Service};
use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

/// Builds the router once the application's state is known: the middleware of some parts needs it.
type Build = Box<dyn FnOnce(&AppState) -> Router<AppState>>;

/// Routes, with the method and path of each, as they will be served. Built like an axum router
/// (`route`, `merge`, `nest`, `fallback`, `layer`) and turned into one by [`Routes::into_router`].
#[must_use]
pub struct Routes {
    build: Build,
    served: Vec<(Method, String)>,
}

impl Default for Routes {
    fn default() -> Routes {
        Routes::new()
    }
}

impl Routes {
    pub fn new() -> Routes {
        Routes {
            build: Box::new(|_| Router::new()),
            served: Vec::new(),
        }
    }

    /// Serves `path` with the handlers of `handlers`, one for each method.
    #[allow(clippy::disallowed_methods)] // The one place a page or SCIM route is added.
    pub fn route(mut self, path: &str, handlers: Handlers) -> Routes {
        let Handlers { router, methods } = handlers;
        self.served
            .extend(methods.into_iter().map(|m| (m, path.to_owned())));
        let build = self.build;
        let path = path.to_owned();
        Routes {
            build: Box::new(move |state| build(state).route(&path, router)),
            served: self.served,
        }
    }

    /// These routes and `other`'s (see [`Router::merge`]).
    #[allow(clippy::disallowed_methods)]
    pub fn merge(mut self, other: Routes) -> Routes {
        self.served.extend(other.served);
        let (build, theirs) = (self.build, other.build);
        Routes {
            build: Box::new(move |state| build(state).merge(theirs(state))),
            served: self.served,
        }
    }

    /// These routes and `other`'s under `prefix` (see [`Router::nest`]).
    #[allow(clippy::disallowed_methods)]
    pub fn nest(mut self, prefix: &str, other: Routes) -> Routes {
        self.served.extend(
            other
                .served
                .into_iter()
                .map(|(method, path)| (method, nested(prefix, &path))),
        );
        let (build, theirs) = (self.build, other.build);
        let prefix = prefix.to_owned();
        Routes {
            build: Box::new(move |state| build(state).nest(&prefix, theirs(state))),
            served: self.served,
        }
    }

    /// What answers a request that no route matches (see [`Router::fallback`]). Not a route.
    pub fn fallback<H, T>(self, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.map(move |router| router.fallback(handler))
    }

    /// Middleware around every route added so far and the fallback (see [`Router::layer`]).
    pub fn layer<L>(self, layer: L) -> Routes
    where
        L: Layer<Route> + Clone + Send + Sync + 'static,
        L::Service: Service<Request> + Clone + Send + Sync + 'static,
        <L::Service as Service<Request>>::Response: IntoResponse + 'static,
        <L::Service as Service<Request>>::Error: Into<Infallible> + 'static,
        <L::Service as Service<Request>>::Future: Send + 'static,
    {
        self.map(move |router| router.layer(layer))
    }

    /// Like [`Routes::layer`], for middleware made with the application's state.
    pub fn layer_with<L>(self, make: impl FnOnce(&AppState) -> L + 'static) -> Routes
    where
        L: Layer<Route> + Clone + Send + Sync + 'static,
        L::Service: Service<Request> + Clone + Send + Sync + 'static,
        <L::Service as Service<Request>>::Response: IntoResponse + 'static,
        <L::Service as Service<Request>>::Error: Into<Infallible> + 'static,
        <L::Service as Service<Request>>::Future: Send + 'static,
    {
        let build = self.build;
        Routes {
            build: Box::new(move |state| build(state).layer(make(state))),
            served: self.served,
        }
    }

    /// The routes of an OpenAPI router: one for each operation of its document, which `routes!`
    /// writes with the handler it routes to. Returns the document too.
    pub fn documented(api: OpenApiRouter<AppState>) -> (Routes, utoipa::openapi::OpenApi) {
        let (router, doc) = api.split_for_parts();
        let served = doc
            .paths
            .paths
            .iter()
            .flat_map(|(path, item)| {
                operations(item)
                    .into_iter()
                    .map(move |method| (method, path.clone()))
            })
            .collect();
        let routes = Routes {
            build: Box::new(move |_| router),
            served,
        };
        (routes, doc)
    }

    /// The interactive API docs of utoipa-swagger-ui at `docs`, showing `doc`, which it serves at
    /// `document`. It answers GET at `document`, at `docs` (a redirect to `docs/`), at `docs/` and
    /// at `docs/{*rest}` (the files of the page).
    #[allow(clippy::disallowed_methods)]
    pub fn swagger_ui(docs: &str, document: &str, doc: utoipa::openapi::OpenApi) -> Routes {
        let router: Router<AppState> = utoipa_swagger_ui::SwaggerUi::new(docs.to_owned())
            .url(document.to_owned(), doc)
            .into();
        let docs = docs.trim_end_matches('/');
        let served = [
            document.to_owned(),
            docs.to_owned(),
            format!("{docs}/"),
            format!("{docs}/{{*rest}}"),
        ]
        .into_iter()
        .map(|path| (Method::GET, path))
        .collect();
        Routes {
            build: Box::new(move |_| router),
            served,
        }
    }

    /// Every method and path these routes answer, in the order they were added.
    pub fn served(&self) -> &[(Method, String)] {
        &self.served
    }

    /// The router, with the middleware that needs `state`.
    pub fn into_router(self, state: &AppState) -> Router<AppState> {
        (self.build)(state)
    }

    fn map(self, f: impl FnOnce(Router<AppState>) -> Router<AppState> + 'static) -> Routes {
        let build = self.build;
        Routes {
            build: Box::new(move |state| f(build(state))),
            served: self.served,
        }
    }
}

/// The methods of a path item that have an operation.
fn operations(item: &utoipa::openapi::PathItem) -> Vec<Method> {
    [
        (Method::GET, &item.get),
        (Method::PUT, &item.put),
        (Method::POST, &item.post),
        (Method::DELETE, &item.delete),
        (Method::OPTIONS, &item.options),
        (Method::HEAD, &item.head),
        (Method::PATCH, &item.patch),
        (Method::TRACE, &item.trace),
    ]
    .into_iter()
    .filter(|(_, op)| op.is_some())
    .map(|(method, _)| method)
    .collect()
}

/// `path` nested under `prefix`, as [`Router::nest`] writes it.
fn nested(prefix: &str, path: &str) -> String {
    if prefix.ends_with('/') {
        format!("{prefix}{}", path.trim_start_matches('/'))
    } else if path == "/" || path.is_empty() {
        prefix.to_owned()
    } else {
        format!("{prefix}{path}")
    }
}

/// The handlers of one path, by method: made by [`get`], [`post`], [`put`], [`patch`] or
/// [`delete`], and chained like axum's (`get(show).post(save)`).
#[must_use]
pub struct Handlers {
    router: MethodRouter<AppState>,
    methods: Vec<Method>,
}

macro_rules! methods {
    ($($name:ident => $method:ident),* $(,)?) => {
        $(
            #[doc = concat!("Answers ", stringify!($method), " with the handler.")]
            pub fn $name<H, T>(handler: H) -> Handlers
            where
                H: Handler<T, AppState>,
                T: 'static,
            {
                Handlers { router: MethodRouter::new(), methods: Vec::new() }.$name(handler)
            }
        )*

        impl Handlers {
            $(
                #[doc = concat!("Answers ", stringify!($method), " with the handler too.")]
                pub fn $name<H, T>(mut self, handler: H) -> Handlers
                where
                    H: Handler<T, AppState>,
                    T: 'static,
                {
                    self.methods.push(Method::$method);
                    Handlers { router: self.router.$name(handler), methods: self.methods }
                }
            )*
        }
    };
}

methods! {
    get => GET,
    post => POST,
    put => PUT,
    patch => PATCH,
    delete => DELETE,
}
