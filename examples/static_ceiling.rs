//! The ceiling for a page on this stack: serves one file's bytes from memory with the same tokio,
//! hyper and axum as Trellis, with no database, session or template work. `scripts/bench` compares
//! the matrix page against the same bytes served this way.
//!
//! ```text
//! cargo run --release --example static_ceiling -- FILE [ADDRESS]
//! ```
//!
//! Every path answers with the file. The address defaults to 127.0.0.1:0; the chosen address is
//! printed on the first line of standard output.

use std::net::SocketAddr;
use std::process::ExitCode;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(file) = args.first() else {
        eprintln!("usage: static_ceiling FILE [ADDRESS]");
        return ExitCode::from(2);
    };
    let bytes: &'static [u8] = match std::fs::read(file) {
        Ok(b) => Vec::leak(b),
        Err(e) => {
            eprintln!("cannot read {file}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let addr: SocketAddr = match args.get(1).map(|a| a.parse()) {
        None => ([127, 0, 0, 1], 0).into(),
        Some(Ok(a)) => a,
        Some(Err(e)) => {
            eprintln!("not an address: {e}");
            return ExitCode::from(2);
        }
    };
    let page = move || async move {
        ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], bytes).into_response()
    };
    let app = Router::new().fallback(page);
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    match listener.local_addr() {
        Ok(a) => println!("http://{a}/"),
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    }
    if let Err(e) = axum::serve(listener, app).await {
        eprintln!("{e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
