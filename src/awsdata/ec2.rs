//! `aws ec2 describe-vpc-endpoints` as the CLI prints it, into the fact document's
//! `vpc_endpoint` (and the request's `source_vpc`).

use serde_json::{json, Map, Value};

use super::iam::{Origin, Sources};
use super::json::Doc;
use super::DataError;

/// The endpoint the request travels through.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// The fact document's `vpc_endpoint`.
    pub value: Value,
    /// The endpoint's VPC (`aws:SourceVpc`).
    pub vpc_id: Option<String>,
}

/// Finds endpoint `id` in `{"VpcEndpoints": [{"VpcEndpointId", "VpcEndpointType",
/// "ServiceName", "VpcId", "PolicyDocument": "<JSON string>"}]}`.
pub fn endpoint(doc: &Doc, id: &str, src: &mut Sources) -> Result<Endpoint, DataError> {
    let root = doc.root();
    root.check_complete()?;
    let list = root.req("VpcEndpoints")?;
    let items = list.items()?;
    let mut found = None;
    for e in &items {
        // Every entry AWS prints has its id: one without is a broken file, even when the
        // request goes through another endpoint.
        if e.req_str("VpcEndpointId")? == id && found.is_none() {
            found = Some(e);
        }
    }
    let Some(e) = found else {
        return Err(list.err(format!(
            "no endpoint with VpcEndpointId {id} (the file lists {})",
            items.len()
        )));
    };
    let service = e.req("ServiceName")?;
    let service_text = service.str()?;
    // The policy of an endpoint to another service never sees an S3 request.
    if !service_text.ends_with(".s3") {
        return Err(service.err(format!(
            "{service_text:?} is not an S3 endpoint (com.amazonaws.REGION.s3)"
        )));
    }
    let kind = e.req("VpcEndpointType")?;
    let kind_text = kind.str()?;
    if kind_text != "Gateway" && kind_text != "Interface" {
        return Err(kind.err(format!(
            "{kind_text:?}: S3 endpoints are Gateway or Interface"
        )));
    }
    let mut m = Map::new();
    m.insert("id".into(), json!(id));
    m.insert("type".into(), json!(kind_text));
    if let Some(p) = e.get("PolicyDocument")? {
        m.insert("policy".into(), p.policy_document()?);
        src.push((
            "vpc_endpoint.policy".into(),
            Origin {
                file: p.file.to_string(),
                path: p.path.clone(),
            },
        ));
    }
    Ok(Endpoint {
        value: Value::Object(m),
        vpc_id: e.opt_str("VpcId")?.map(str::to_string),
    })
}
