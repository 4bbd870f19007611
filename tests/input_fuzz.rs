//! A dependency-free fuzz test of what users paste and save: `--from-error` messages built
//! from pieces of every wrapper it reads (and of broken ones), with multi-byte text cut in
//! at random places, and file bytes in every encoding `text` decodes. Nothing may panic;
//! a message that parses gives a request whose fields are all text. `INPUT_FUZZ_CASES`
//! sets the number of cases (default 20000), `INPUT_FUZZ_SEED` another sequence.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use s3why::awsdata::from_error::parse;
use s3why::text::{char_column, decode};

#[path = "support/rng.rs"]
mod rng;
use rng::Rng;

const PIECES: &[&str] = &[
    "upload failed: ./a to s3://",
    "Failed to upload ",
    " to ",
    "s3://",
    "b/k",
    "An error occurred (",
    "A client error (",
    "AccessDenied",
    ")",
    "(",
    " occurred",
    " when calling the ",
    "PutObject",
    "UploadPart",
    " operation",
    " (reached max retries: 4)",
    ": ",
    ":",
    "operation error S3: ",
    ", https response error StatusCode: 403, RequestID: x, ",
    "api error ",
    "User: ",
    "User ",
    "arn:aws:iam::123456789012:user/alice",
    "anonymous",
    " is not authorized to perform: ",
    "s3:PutObject",
    "kms:GenerateDataKey",
    " on resource: ",
    "\"arn:aws:s3:::b/k\"",
    "\"",
    " because no identity-based policy allows the s3:PutObject action",
    " with an explicit deny in a resource-based policy",
    ": arn:aws:organizations::1:policy/p",
    ". Go to https://x",
    "Access Denied",
    " (Service: Amazon S3; Status Code: 403; Error Code: ",
    ";",
    " status code: 403, request id: 1",
    ", S3 Extended Request ID: x=",
    "<Error><Code>",
    "</Code><Message>",
    "</Message></Error>",
    "<Code>",
    "<Message>",
    "Requests specifying Server Side Encryption with AWS KMS managed keys must be made over a secure connection.",
    "\n\t",
    "\r\n",
    "  ",
    "é",
    "日本",
    "🙂",
    "\u{feff}",
];

fn seed() -> u64 {
    std::env::var("INPUT_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_1234_abcd)
        | 1
}

fn cases() -> usize {
    std::env::var("INPUT_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000)
}

fn message(rng: &mut Rng) -> String {
    let mut s = String::new();
    for _ in 0..rng.below(14) + 1 {
        s.push_str(PIECES[rng.below(PIECES.len())]);
    }
    // Cut at a random character boundary now and then: truncated pastes.
    if rng.below(4) == 0 {
        let bounds: Vec<usize> = s.char_indices().map(|(i, _)| i).collect();
        if let Some(&cut) = bounds.get(rng.below(bounds.len())) {
            s.truncate(cut);
        }
    }
    s
}

#[test]
fn from_error_never_panics_and_fields_are_text() {
    let mut rng = Rng(seed());
    let mut parsed = 0;
    for _ in 0..cases() {
        let text = message(&mut rng);
        let Ok(m) = parse(&text) else { continue };
        parsed += 1;
        for (k, v) in m.request_fields() {
            assert!(
                v.is_string() || (k == "multipart" && v == serde_json::json!(true)),
                "{text:?}: {k} = {v}"
            );
        }
        let _ = (m.blamed(), m.finding_id(), m.upload_operation());
    }
    // The pieces make real messages often enough for the parsing paths to be exercised.
    assert!(parsed > cases() / 10, "only {parsed} of {} parsed", cases());
}

#[test]
fn decoding_and_columns_never_panic() {
    let mut rng = Rng(seed() ^ 0xdead_beef);
    let marks: [&[u8]; 4] = [b"", b"\xEF\xBB\xBF", b"\xFF\xFE", b"\xFE\xFF"];
    for _ in 0..cases() {
        let mut bytes = marks[rng.below(marks.len())].to_vec();
        let text = message(&mut rng);
        match rng.below(3) {
            0 => bytes.extend_from_slice(text.as_bytes()),
            1 => bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes)),
            _ => bytes.extend((0..rng.below(40)).map(|_| rng.next() as u8)),
        }
        if let Ok(decoded) = decode(bytes) {
            for _ in 0..4 {
                let line = rng.below(5);
                let column = rng.below(decoded.len() + 3);
                let c = char_column(&decoded, line, column);
                assert!(c <= column.max(1), "{decoded:?} {line}:{column} -> {c}");
            }
        }
    }
}
