//! The `aws s3api put-object` command that sends a given request, as the source document
//! shows them: `aws s3api put-object --bucket B --key K --body FILE <flags>`.

use crate::facts::Request;

/// Header → CLI flag, in the order the flags are printed.
const FLAGS: &[(&str, &str)] = &[
    ("x-amz-acl", "--acl"),
    ("x-amz-grant-full-control", "--grant-full-control"),
    ("x-amz-grant-read", "--grant-read"),
    ("x-amz-grant-read-acp", "--grant-read-acp"),
    ("x-amz-grant-write-acp", "--grant-write-acp"),
    ("x-amz-storage-class", "--storage-class"),
    ("x-amz-server-side-encryption", "--server-side-encryption"),
    (
        "x-amz-server-side-encryption-aws-kms-key-id",
        "--ssekms-key-id",
    ),
    (
        "x-amz-server-side-encryption-context",
        "--ssekms-encryption-context",
    ),
    (
        "x-amz-server-side-encryption-customer-algorithm",
        "--sse-customer-algorithm",
    ),
    ("x-amz-tagging", "--tagging"),
    ("x-amz-object-lock-mode", "--object-lock-mode"),
    (
        "x-amz-object-lock-retain-until-date",
        "--object-lock-retain-until-date",
    ),
    (
        "x-amz-object-lock-legal-hold",
        "--object-lock-legal-hold-status",
    ),
    ("x-amz-expected-bucket-owner", "--expected-bucket-owner"),
    ("x-amz-request-payer", "--request-payer"),
    (
        "x-amz-website-redirect-location",
        "--website-redirect-location",
    ),
    ("if-match", "--if-match"),
    ("if-none-match", "--if-none-match"),
    // The integrity headers: an upload with Object Lock retention needs one (S28), so a
    // fix must not drop them.
    ("content-md5", "--content-md5"),
    ("x-amz-sdk-checksum-algorithm", "--checksum-algorithm"),
    ("x-amz-checksum-crc32", "--checksum-crc32"),
    ("x-amz-checksum-crc32c", "--checksum-crc32-c"),
    ("x-amz-checksum-crc64nvme", "--checksum-crc64-nvme"),
    ("x-amz-checksum-sha1", "--checksum-sha1"),
    ("x-amz-checksum-sha256", "--checksum-sha256"),
];

/// The command for `request`; `FILE` stands for the file to upload.
pub fn put_object_command(request: &Request) -> String {
    let mut cmd = format!(
        "aws s3api put-object --bucket {} --key {} --body FILE",
        shell_quote(&request.bucket),
        shell_quote(request.key.as_deref().unwrap_or(""))
    );
    for (header, flag) in FLAGS {
        if let Some(v) = request.header(header) {
            cmd.push_str(&format!(" {flag} {}", shell_quote(v)));
        }
    }
    // DSSE-KMS takes no S3 Bucket Key (S40): a request changed to it loses the flag.
    let dsse = request.header("x-amz-server-side-encryption") == Some("aws:kms:dsse");
    if let Some(v) = request
        .header("x-amz-server-side-encryption-bucket-key-enabled")
        .filter(|_| !dsse)
    {
        cmd.push_str(if v.eq_ignore_ascii_case("true") {
            " --bucket-key-enabled"
        } else {
            " --no-bucket-key-enabled"
        });
    }
    if request
        .header("x-amz-server-side-encryption-customer-algorithm")
        .is_some()
    {
        cmd.push_str(" --sse-customer-key KEY");
    }
    cmd
}

/// Quotes a value for a POSIX shell when it needs it.
pub fn shell_quote(v: &str) -> String {
    let plain = !v.is_empty()
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:=@,+%".contains(&b));
    if plain {
        v.to_string()
    } else {
        format!("'{}'", v.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(headers: serde_json::Value) -> Request {
        let v = serde_json::json!({"principal": "arn:aws:iam::111122223333:user/alice", "bucket": "DOC-EXAMPLE-BUCKET", "key": "examplefile.jpg", "headers": headers});
        Request::from_value(&v, "request").unwrap()
    }

    // The source document's command shapes (digest.md, cause 2).
    #[test]
    fn source_document_commands() {
        assert_eq!(
            put_object_command(&request(serde_json::json!({"x-amz-storage-class": "STANDARD_IA"}))),
            "aws s3api put-object --bucket DOC-EXAMPLE-BUCKET --key examplefile.jpg --body FILE --storage-class STANDARD_IA"
        );
        assert_eq!(
            put_object_command(&request(serde_json::json!({
                "x-amz-server-side-encryption": "aws:kms",
                "x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:111122223333:key/abc"
            }))),
            "aws s3api put-object --bucket DOC-EXAMPLE-BUCKET --key examplefile.jpg --body FILE --server-side-encryption aws:kms --ssekms-key-id arn:aws:kms:us-east-1:111122223333:key/abc"
        );
        assert_eq!(
            put_object_command(&request(serde_json::json!({"x-amz-grant-full-control": "id=79a59df9"}))),
            "aws s3api put-object --bucket DOC-EXAMPLE-BUCKET --key examplefile.jpg --body FILE --grant-full-control id=79a59df9"
        );
    }

    // PutObject API (S28): retention needs Content-MD5 or a checksum, which a fix keeps;
    // S40: no Bucket Key with DSSE-KMS, so a fix that switches to it drops the flag.
    #[test]
    fn integrity_headers_are_kept_and_dsse_takes_no_bucket_key() {
        assert_eq!(
            put_object_command(&request(serde_json::json!({
                "x-amz-object-lock-mode": "GOVERNANCE",
                "x-amz-sdk-checksum-algorithm": "SHA256",
                "Content-MD5": "XrY7u+Ae7tCTyyK7j1rNww=="
            }))),
            "aws s3api put-object --bucket DOC-EXAMPLE-BUCKET --key examplefile.jpg --body FILE --object-lock-mode GOVERNANCE --content-md5 XrY7u+Ae7tCTyyK7j1rNww== --checksum-algorithm SHA256"
        );
        let with_key = |sse: &str| {
            put_object_command(&request(serde_json::json!({
                "x-amz-server-side-encryption": sse,
                "x-amz-server-side-encryption-bucket-key-enabled": "true"
            })))
        };
        assert!(
            with_key("aws:kms").ends_with("--server-side-encryption aws:kms --bucket-key-enabled")
        );
        assert!(with_key("aws:kms:dsse").ends_with("--server-side-encryption aws:kms:dsse"));
    }

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("team=data&x=y"), "'team=data&x=y'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
    }
}
