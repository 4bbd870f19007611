//! `s3why facts`: assembles a fact document from AWS CLI output (files, or a snapshot
//! folder) and a request given the way `aws s3api put-object` takes it, and prints it.
//! The output passes `s3why check` unchanged. Exit 0 printed, 2 an input error.

use std::path::PathBuf;

use clap::Args;

use s3why::awsdata::files::FileInputs;
use s3why::awsdata::json::Doc;
use s3why::awsdata::request::{self, PutObject};
use s3why::awsdata::snapshots::Snapshots;
use s3why::awsdata::{assemble, DataError};

use super::Status;

#[derive(Debug, Args)]
pub struct FactsArgs {
    /// The principal making the upload: a user, role, assumed-role session or root ARN.
    #[arg(long)]
    pub principal: String,
    /// The bucket.
    #[arg(long)]
    pub bucket: String,
    /// The object key.
    #[arg(long)]
    pub key: Option<String>,
    /// A request template (JSON): the fact document's request fields other than
    /// principal and bucket; the flags below override it.
    #[arg(long, value_name = "TEMPLATE")]
    pub request: Option<PathBuf>,
    /// An account snapshot folder (docs/aws-data.md), instead of the file flags; repeat
    /// it, one per account, for a cross-account upload.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["auth_details", "bucket_policy", "bucket_encryption", "ownership_controls", "public_access_block", "account_public_access_block", "request_payment", "bucket_location", "object_lock", "kms_key", "kms_aliases", "vpc_endpoints", "organization", "scp_level", "rcp_level", "bucket_account", "region"])]
    pub snapshot: Vec<PathBuf>,

    /// `aws iam get-account-authorization-details` output (repeat for every page).
    #[arg(long, value_name = "FILE")]
    pub auth_details: Vec<PathBuf>,
    /// `aws s3api get-bucket-policy` output.
    #[arg(long, value_name = "FILE")]
    pub bucket_policy: Option<PathBuf>,
    /// `aws s3api get-bucket-encryption` output.
    #[arg(long, value_name = "FILE")]
    pub bucket_encryption: Option<PathBuf>,
    /// `aws s3api get-bucket-ownership-controls` output.
    #[arg(long, value_name = "FILE")]
    pub ownership_controls: Option<PathBuf>,
    /// `aws s3api get-public-access-block` output (the bucket's).
    #[arg(long, value_name = "FILE")]
    pub public_access_block: Option<PathBuf>,
    /// `aws s3control get-public-access-block` output (the bucket owner account's).
    #[arg(long, value_name = "FILE")]
    pub account_public_access_block: Option<PathBuf>,
    /// `aws s3api get-bucket-request-payment` output.
    #[arg(long, value_name = "FILE")]
    pub request_payment: Option<PathBuf>,
    /// `aws s3api get-bucket-location` output (gives the Region).
    #[arg(long, value_name = "FILE")]
    pub bucket_location: Option<PathBuf>,
    /// `aws s3api get-object-lock-configuration` output.
    #[arg(long, value_name = "FILE")]
    pub object_lock: Option<PathBuf>,
    /// `aws kms describe-key` output, optionally `:` and `aws kms get-key-policy` output
    /// (repeatable).
    #[arg(long, value_name = "DESCRIBE[:POLICY]")]
    pub kms_key: Vec<String>,
    /// `aws kms list-aliases` output.
    #[arg(long, value_name = "FILE")]
    pub kms_aliases: Option<PathBuf>,
    /// `aws ec2 describe-vpc-endpoints` output.
    #[arg(long, value_name = "FILE")]
    pub vpc_endpoints: Option<PathBuf>,
    /// `aws organizations describe-organization` output.
    #[arg(long, value_name = "FILE")]
    pub organization: Option<PathBuf>,
    /// One SCP level of the principal's account, root first: TARGET=FILE[,FILE...] with
    /// `aws organizations describe-policy` outputs (repeatable).
    #[arg(long, value_name = "TARGET=FILE,...")]
    pub scp_level: Vec<String>,
    /// One RCP level of the bucket's account, root first, like --scp-level.
    #[arg(long, value_name = "TARGET=FILE,...")]
    pub rcp_level: Vec<String>,
    /// The bucket owner's account id (default: the principal's account).
    #[arg(long, value_name = "ID")]
    pub bucket_account: Option<String>,
    /// The bucket's Region.
    #[arg(long)]
    pub region: Option<String>,

    /// put-object --acl.
    #[arg(long)]
    pub acl: Option<String>,
    /// put-object --grant-full-control.
    #[arg(long)]
    pub grant_full_control: Option<String>,
    /// put-object --grant-read.
    #[arg(long)]
    pub grant_read: Option<String>,
    /// put-object --grant-read-acp.
    #[arg(long)]
    pub grant_read_acp: Option<String>,
    /// put-object --grant-write-acp.
    #[arg(long)]
    pub grant_write_acp: Option<String>,
    /// put-object --storage-class.
    #[arg(long)]
    pub storage_class: Option<String>,
    /// put-object --server-side-encryption (AES256, aws:kms, aws:kms:dsse).
    #[arg(long, visible_alias = "sse")]
    pub server_side_encryption: Option<String>,
    /// put-object --ssekms-key-id.
    #[arg(long, visible_alias = "sse-kms-key-id")]
    pub ssekms_key_id: Option<String>,
    /// put-object --bucket-key-enabled.
    #[arg(long)]
    pub bucket_key_enabled: bool,
    /// put-object --no-bucket-key-enabled.
    #[arg(long, conflicts_with = "bucket_key_enabled")]
    pub no_bucket_key_enabled: bool,
    /// put-object --sse-customer-algorithm (SSE-C).
    #[arg(long)]
    pub sse_customer_algorithm: Option<String>,
    /// put-object --tagging (`key1=value1&key2=value2`).
    #[arg(long)]
    pub tagging: Option<String>,
    /// put-object --expected-bucket-owner.
    #[arg(long)]
    pub expected_bucket_owner: Option<String>,
    /// put-object --request-payer.
    #[arg(long)]
    pub request_payer: Option<String>,
    /// put-object --object-lock-mode.
    #[arg(long)]
    pub object_lock_mode: Option<String>,
    /// put-object --object-lock-retain-until-date.
    #[arg(long)]
    pub object_lock_retain_until_date: Option<String>,
    /// put-object --object-lock-legal-hold-status.
    #[arg(long)]
    pub object_lock_legal_hold_status: Option<String>,
    /// put-object --content-md5.
    #[arg(long)]
    pub content_md5: Option<String>,
    /// put-object --checksum-algorithm (CRC32, CRC32C, CRC64NVME, SHA1, SHA256).
    #[arg(long)]
    pub checksum_algorithm: Option<String>,
    /// put-object --checksum-crc32 (base64; the object's checksum, which S3 verifies).
    #[arg(long)]
    pub checksum_crc32: Option<String>,
    /// put-object --checksum-crc32-c (base64).
    #[arg(long)]
    pub checksum_crc32_c: Option<String>,
    /// put-object --checksum-crc64-nvme (base64).
    #[arg(long)]
    pub checksum_crc64_nvme: Option<String>,
    /// put-object --checksum-sha1 (base64).
    #[arg(long)]
    pub checksum_sha1: Option<String>,
    /// put-object --checksum-sha256 (base64).
    #[arg(long)]
    pub checksum_sha256: Option<String>,
    /// put-object --ssekms-encryption-context (base64 of a JSON object; joins the KMS
    /// encryption context).
    #[arg(long)]
    pub ssekms_encryption_context: Option<String>,
    /// put-object --website-redirect-location.
    #[arg(long)]
    pub website_redirect_location: Option<String>,
    /// put-object --if-match (an ETag: overwrite only that version; s3:if-match).
    #[arg(long)]
    pub if_match: Option<String>,
    /// put-object --if-none-match (`*`: create only if the key is free; s3:if-none-match).
    #[arg(long)]
    pub if_none_match: Option<String>,
    /// The caller's public IP address (aws:SourceIp).
    #[arg(long)]
    pub source_ip: Option<String>,
    /// The VPC endpoint the request goes through (aws:SourceVpce).
    #[arg(long, value_name = "ID")]
    pub vpc_endpoint_id: Option<String>,
    /// The caller's VPC (aws:SourceVpc; default: the endpoint's VPC).
    #[arg(long)]
    pub source_vpc: Option<String>,
    /// The caller's private address in the VPC (aws:VpcSourceIp).
    #[arg(long)]
    pub vpc_source_ip: Option<String>,
    /// The upload is a multipart upload.
    #[arg(long)]
    pub multipart: bool,
    /// The request is plain HTTP (aws:SecureTransport false).
    #[arg(long)]
    pub insecure: bool,
}

impl FactsArgs {
    fn put_object(&self) -> PutObject {
        let flag_values: [(&str, Option<&String>); 26] = [
            ("x-amz-acl", self.acl.as_ref()),
            ("x-amz-grant-full-control", self.grant_full_control.as_ref()),
            ("x-amz-grant-read", self.grant_read.as_ref()),
            ("x-amz-grant-read-acp", self.grant_read_acp.as_ref()),
            ("x-amz-grant-write-acp", self.grant_write_acp.as_ref()),
            ("x-amz-storage-class", self.storage_class.as_ref()),
            (
                "x-amz-server-side-encryption",
                self.server_side_encryption.as_ref(),
            ),
            (
                "x-amz-server-side-encryption-aws-kms-key-id",
                self.ssekms_key_id.as_ref(),
            ),
            (
                "x-amz-server-side-encryption-customer-algorithm",
                self.sse_customer_algorithm.as_ref(),
            ),
            ("x-amz-tagging", self.tagging.as_ref()),
            (
                "x-amz-expected-bucket-owner",
                self.expected_bucket_owner.as_ref(),
            ),
            ("x-amz-request-payer", self.request_payer.as_ref()),
            ("x-amz-object-lock-mode", self.object_lock_mode.as_ref()),
            (
                "x-amz-object-lock-retain-until-date",
                self.object_lock_retain_until_date.as_ref(),
            ),
            (
                "x-amz-object-lock-legal-hold",
                self.object_lock_legal_hold_status.as_ref(),
            ),
            ("content-md5", self.content_md5.as_ref()),
            (
                "x-amz-sdk-checksum-algorithm",
                self.checksum_algorithm.as_ref(),
            ),
            ("x-amz-checksum-crc32", self.checksum_crc32.as_ref()),
            ("x-amz-checksum-crc32c", self.checksum_crc32_c.as_ref()),
            (
                "x-amz-checksum-crc64nvme",
                self.checksum_crc64_nvme.as_ref(),
            ),
            ("x-amz-checksum-sha1", self.checksum_sha1.as_ref()),
            ("x-amz-checksum-sha256", self.checksum_sha256.as_ref()),
            (
                "x-amz-server-side-encryption-context",
                self.ssekms_encryption_context.as_ref(),
            ),
            (
                "x-amz-website-redirect-location",
                self.website_redirect_location.as_ref(),
            ),
            ("if-match", self.if_match.as_ref()),
            ("if-none-match", self.if_none_match.as_ref()),
        ];
        let mut headers: Vec<(String, String)> = flag_values
            .iter()
            .filter_map(|(h, v)| v.map(|v| (h.to_string(), v.clone())))
            .collect();
        if self.bucket_key_enabled || self.no_bucket_key_enabled {
            headers.push((
                "x-amz-server-side-encryption-bucket-key-enabled".into(),
                self.bucket_key_enabled.to_string(),
            ));
        }
        PutObject {
            key: self.key.clone(),
            headers,
            source_ip: self.source_ip.clone(),
            vpc_endpoint: self.vpc_endpoint_id.clone(),
            source_vpc: self.source_vpc.clone(),
            vpc_source_ip: self.vpc_source_ip.clone(),
            multipart: self.multipart,
            insecure: self.insecure,
        }
    }

    fn file_inputs(&self) -> Result<FileInputs, DataError> {
        let kms_keys = self
            .kms_key
            .iter()
            .map(|k| match k.split_once(':') {
                Some((d, p)) => (PathBuf::from(d), Some(PathBuf::from(p))),
                None => (PathBuf::from(k), None),
            })
            .collect();
        Ok(FileInputs {
            auth_details: self.auth_details.clone(),
            bucket_policy: self.bucket_policy.clone(),
            bucket_encryption: self.bucket_encryption.clone(),
            ownership_controls: self.ownership_controls.clone(),
            public_access_block: self.public_access_block.clone(),
            account_public_access_block: self.account_public_access_block.clone(),
            request_payment: self.request_payment.clone(),
            bucket_location: self.bucket_location.clone(),
            object_lock: self.object_lock.clone(),
            kms_keys,
            kms_aliases: self.kms_aliases.clone(),
            vpc_endpoints: self.vpc_endpoints.clone(),
            organization: self.organization.clone(),
            scp_levels: levels(&self.scp_level, "--scp-level")?,
            rcp_levels: levels(&self.rcp_level, "--rcp-level")?,
            bucket_account: self.bucket_account.clone(),
            region: self.region.clone(),
        })
    }
}

/// `TARGET=FILE,FILE` → (target, files).
fn levels(specs: &[String], flag: &str) -> Result<Vec<(String, Vec<PathBuf>)>, DataError> {
    specs
        .iter()
        .map(|s| match s.split_once('=') {
            Some((t, files)) if !t.is_empty() && !files.is_empty() => {
                Ok((t.to_string(), files.split(',').map(PathBuf::from).collect()))
            }
            _ => Err(DataError::new(
                "",
                flag,
                format!("{s:?}: expected TARGET=FILE[,FILE...], e.g. r-abcd=full-access.json"),
            )),
        })
        .collect()
}

fn build(args: &FactsArgs) -> Result<serde_json::Value, DataError> {
    let template = match &args.request {
        Some(p) => Some(request::template(&Doc::read(p)?)?),
        None => None,
    };
    let req = request::request(
        &args.principal,
        &args.bucket,
        template.as_ref(),
        &args.put_object(),
    );
    if !args.snapshot.is_empty() {
        let snapshots = Snapshots::load(&args.snapshot)?;
        return snapshots.fact_document(&args.bucket, req);
    }
    let inputs = args.file_inputs()?;
    let needs_iam = args.principal.contains(":user/")
        || args.principal.contains(":role/")
        || args.principal.contains(":assumed-role/");
    if needs_iam && inputs.auth_details.is_empty() {
        return Err(DataError::new(
            "",
            "--auth-details",
            "missing: a user's or role's policies come from `aws iam \
             get-account-authorization-details` output",
        ));
    }
    let (world, bucket) = inputs.load(&args.bucket)?;
    assemble::fact_document(&world, &bucket, req)
}

/// Runs `s3why facts`.
pub fn run(args: &FactsArgs) -> Status {
    match build(args).and_then(|doc| {
        serde_json::to_string_pretty(&doc)
            .map_err(|e| DataError::new("", "", format!("cannot print the document: {e}")))
    }) {
        Ok(text) => {
            outln!("{text}");
            Status::Ok
        }
        Err(e) => {
            eprintln!("error: {e}");
            Status::InputError
        }
    }
}
