//! The OpenAPI document, kept as a snapshot so every change to the API shows up in review.
//! After an intended change, accept the new document with `INSTA_UPDATE=always cargo test --test it
//! openapi` and commit the snapshot.

#[test]
fn the_openapi_document_matches_its_snapshot() {
    let doc = serde_json::to_value(trellis::api::openapi()).expect("the document serialises");
    insta::assert_json_snapshot!("openapi", doc);
}

/// Every operation of the document, with its method and path.
fn operations(doc: &serde_json::Value) -> Vec<(String, String, serde_json::Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            out.push((method.to_uppercase(), path.clone(), op.clone()));
        }
    }
    out
}

#[test]
fn every_operation_documents_the_answers_it_shares_with_the_others() {
    let doc = serde_json::to_value(trellis::api::openapi()).expect("the document serialises");
    for (method, path, op) in operations(&doc) {
        let responses = op["responses"].as_object().expect("responses");
        let mut expected = vec!["401", "403", "429"];
        let params = op["parameters"].as_array().cloned().unwrap_or_default();
        if !params.is_empty() || op.get("requestBody").is_some() {
            expected.push("400");
        }
        if params.iter().any(|p| p["in"] == "path") {
            expected.push("404");
        }
        if op.get("requestBody").is_some() {
            expected.extend(["415", "422"]);
        }
        if params.iter().any(|p| p["in"] == "query") {
            expected.push("422");
        }
        for status in expected {
            assert!(
                responses.contains_key(status),
                "{method} {path} does not document {status}"
            );
        }
        // Every error is a problem document, and says so.
        for (status, response) in responses {
            if status.starts_with('4') || status.starts_with('5') {
                let content = match response.get("$ref").and_then(|r| r.as_str()) {
                    Some(r) => {
                        let name = r.rsplit('/').next().expect("a name");
                        doc["components"]["responses"][name]["content"].clone()
                    }
                    None => response["content"].clone(),
                };
                let types: Vec<&String> = content
                    .as_object()
                    .map_or(Vec::new(), |c| c.keys().collect());
                assert_eq!(
                    types,
                    ["application/problem+json"],
                    "{method} {path} {status}"
                );
            }
        }
    }
}

#[test]
fn schemas_of_the_same_name_are_one_type() {
    let doc = serde_json::to_value(trellis::api::openapi()).expect("the document serialises");
    let schemas = &doc["components"]["schemas"];
    // Three enums were once all called `Status`; one of them described the other two.
    assert_eq!(
        schemas["SurveyStatus"]["enum"],
        serde_json::json!(["scheduled", "open", "closed"])
    );
    assert_eq!(
        schemas["Status"]["enum"],
        serde_json::json!(["active", "left"])
    );
    assert!(schemas["ReadinessStatus"]["enum"].is_array());
    assert!(schemas["DashboardShare"]["properties"]["percent"].is_object());
    assert!(schemas["Share"]["properties"]["meeting"].is_object());
    assert!(schemas["HomeChange"].is_object());
    // The YAML file is a mapping, not a string.
    let yaml = &doc["paths"]["/api/v1/framework.yaml"]["get"]["responses"]["200"]["content"]["application/yaml"]
        ["schema"];
    assert_eq!(yaml["type"], "object", "{yaml}");
}

#[test]
fn the_api_serves_exactly_the_operations_of_its_document() {
    let doc = serde_json::to_value(trellis::api::openapi()).expect("the document serialises");
    let documented: std::collections::BTreeSet<(String, String)> = operations(&doc)
        .into_iter()
        .map(|(method, path, _)| (method, path))
        .collect();
    let served: std::collections::BTreeSet<(String, String)> = trellis::routes_served()
        .into_iter()
        .map(|(method, path)| (method.to_string(), path))
        .filter(|(_, path)| path.starts_with("/api/v1/"))
        .collect();
    assert_eq!(served, documented);
}
