//! How the product presents itself: the icon, the audit log's filters, token expiry dates and the
//! matrix marking where a person stands.

use axum::http::StatusCode;

use crate::helpers::TestApp;

#[tokio::test]
async fn the_icon_is_served_at_the_root_and_linked_from_every_page() {
    let app = TestApp::demo().await;
    let res = app.get("/favicon.ico").send().await.expect(StatusCode::OK);
    assert_eq!(res.header("content-type"), "image/x-icon");
    assert!(res.header("cache-control").contains("max-age="));
    let svg = app
        .get("/static/favicon.svg")
        .send()
        .await
        .expect(StatusCode::OK);
    assert_eq!(svg.header("content-type"), "image/svg+xml");
    assert!(svg.body.starts_with("<svg"));
    let login = app.get("/login").send().await.expect(StatusCode::OK);
    assert!(login.body.contains("<link rel=\"icon\" href=\"/static/favicon.svg\""));
    assert!(login.body.contains("<link rel=\"icon\" href=\"/favicon.ico\""));
}
