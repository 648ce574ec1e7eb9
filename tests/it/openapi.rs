//! The OpenAPI document, kept as a snapshot so every change to the API shows up in review.
//! After an intended change, accept the new document with `INSTA_UPDATE=always cargo test --test it
//! openapi` and commit the snapshot.

#[test]
fn the_openapi_document_matches_its_snapshot() {
    let doc = serde_json::to_value(trellis::api::openapi()).expect("the document serialises");
    insta::assert_json_snapshot!("openapi", doc);
}
