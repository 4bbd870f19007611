//! A PutObject decided as S3 decides it: S3's own gates (Object Ownership, expected
//! bucket owner, Requester Pays, blocked SSE-C, Block Public Access), the authorizations
//! the upload needs (`s3:PutObject` and, by its headers, `s3:PutObjectAcl`,
//! `s3:PutObjectTagging`, `s3:PutObjectRetention`, `s3:PutObjectLegalHold`), and the KMS
//! calls S3 makes for SSE-KMS. The verdict is AWS's: status, error code and message.

use serde::Serialize;

use crate::facts::{EndpointType, Facts, KeyManager, Request};

use super::authorize::{authorize, Authorization, Level, PolicySources, ResourcePolicy};
use super::context::Context;
use super::evaluate::{AuthzRequest, EarlierTrace, MatchOptions, Reuse};
use super::kms::{kms_use, resolve_key, KmsUse};
use super::message;
use super::policy::{Policy, PolicyType, PrincipalEntry};
use super::public::{is_public_grant, public_statement};
use super::request_context::{kms_context, s3_context, s3_context_after, NETWORK_KEYS};

/// `allowed` or `denied`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Allowed,
    Denied,
}

/// A refusal by one of S3's own checks rather than by a policy.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Gate {
    /// The catalogue id of the cause (findings.md).
    pub id: &'static str,
    /// `bucket-settings`, `account-settings`, `request`, `bucket-policy`, `kms-key-policy`.
    pub policy: &'static str,
    pub status: u16,
    pub error_code: &'static str,
    /// What S3 checked and what it found.
    pub detail: String,
}

/// The KMS key the upload uses and what S3 asks of it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct KmsTrace {
    #[serde(flatten)]
    pub usage: KmsUse,
    pub key_arn: String,
    pub key_account: String,
    pub key_region: String,
    pub manager: KeyManager,
    /// The key policy was not given; AWS's default for the key's kind was assumed.
    pub policy_assumed: bool,
    /// `kms:GenerateDataKey`, plus `kms:Decrypt` for multipart uploads and Bucket Keys.
    pub actions: Vec<String>,
    /// The request context of the KMS calls (the S3 one, with the KMS keys): a later
    /// decision of the same facts compares its own with it to reuse statement traces.
    #[serde(skip)]
    pub context: Context,
}

/// A point where the verdict rests on one of s3why's own choices (decisions.md).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Note {
    pub decision: u8,
    pub text: String,
}

/// AWS's verdict on the request, with everything that led to it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Verdict {
    pub decision: Decision,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_message: Option<String>,
    pub gates: Vec<Gate>,
    pub authorizations: Vec<Authorization>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms: Option<KmsTrace>,
    pub notes: Vec<Note>,
    /// The S3 request context the policies saw.
    pub context: Context,
}

/// Decides the request of the fact document.
pub fn decide(facts: &Facts) -> Verdict {
    decide_request(facts, &facts.request)
}

/// Decides `request` against the policies and settings of `facts` (a counterfactual
/// request reuses the compiled policies).
pub fn decide_request(facts: &Facts, request: &Request) -> Verdict {
    decide_with(facts, request, None)
}

/// The same, given `own`, the verdict of `facts.request` (`decide(facts)`): a request of
/// the same principal reuses the traces of its statements that read no context key the
/// two requests give different values (`evaluate::Reuse`). The verdict is the one
/// `decide_request` gives.
pub fn decide_request_after(facts: &Facts, request: &Request, own: &Verdict) -> Verdict {
    decide_with(facts, request, Some(own))
}

/// Every policy trace of `own` with its authorization's action and resource, gathered
/// once for the S3 and the KMS authorizations. The two never share both (their actions
/// differ), so each finds only traces made in the kind of context it compares with.
fn own_traces(own: &Verdict) -> Vec<EarlierTrace<'_>> {
    own.authorizations
        .iter()
        .flat_map(|a| {
            a.policies
                .iter()
                .map(|t| (a.action.as_str(), a.resource.as_str(), t))
        })
        .collect()
}

fn decide_with(facts: &Facts, request: &Request, own: Option<&Verdict>) -> Verdict {
    let own = own.filter(|_| request.principal == facts.request.principal);
    let ctx = match own {
        Some(own) => s3_context_after(facts, request, &own.context),
        None => s3_context(facts, request),
    };
    let traces = own.map(own_traces);
    let changed = own.map(|own| ctx.changed_keys(&own.context));
    // The KMS call's context copies the S3 context's keys but S3's own and the
    // network's: a change of those alone leaves it as the record's own.
    let kms_keys_same = changed.as_deref().is_some_and(|keys| {
        keys.iter()
            .all(|k| k.starts_with("s3:") || NETWORK_KEYS.contains(&k.as_str()))
    });
    let reuse = traces
        .as_deref()
        .zip(changed)
        .map(|(traces, changed)| Reuse::new(traces, changed));
    let mut notes = Vec::new();
    let gates = s3_gates(facts, request, &mut notes);
    let mut authorizations = Vec::new();
    let resource = request.object_arn();
    for action in needed_actions(request, &mut notes) {
        authorizations.push(authorize_s3(
            facts,
            request,
            &ctx,
            (&action, &resource),
            reuse.as_ref(),
        ));
    }
    let mut kms_gates = Vec::new();
    let mut kms_trace = None;
    if let Some(usage) = kms_use(facts, request) {
        let own_kms = traces.as_deref().zip(own.and_then(|o| o.kms.as_ref()));
        let (trace, gates, auths) = kms_checks(
            facts,
            request,
            (&ctx, usage),
            own_kms.map(|(t, k)| (t, k, kms_keys_same)),
            &mut notes,
        );
        kms_trace = Some(trace);
        kms_gates = gates;
        authorizations.extend(auths);
    }
    let mut all_gates = gates;
    all_gates.extend(kms_gates);
    if matches!(
        request.principal.kind,
        super::arn::PrincipalKind::FederatedUser { .. }
    ) && request
        .session
        .as_ref()
        .and_then(|s| s.policies.as_ref())
        .is_none()
    {
        notes.push(Note {
            decision: 16,
            text: "a federated user with no session policy is implicitly denied".into(),
        });
    }
    principal_notes(facts, request, &mut notes);
    if ctx.get("aws:userid").is_none() && reads_key(&authorizations, "aws:userid") {
        notes.push(Note {
            decision: 17,
            text: "aws:userid is not known (give the user's or role's unique ID, UserId or \
                   RoleId, as identity.unique_id): conditions on it were evaluated with the \
                   key absent"
                .into(),
        });
    }
    let denied = !all_gates.is_empty() || authorizations.iter().any(|a| !a.allowed);
    let (status, error_code, aws_message) = if denied {
        let (status, code, msg) = denial_message(facts, request, &all_gates, &authorizations);
        (status, Some(code.to_string()), Some(msg))
    } else {
        (200, None, None)
    };
    Verdict {
        decision: if denied {
            Decision::Denied
        } else {
            Decision::Allowed
        },
        status,
        error_code,
        aws_message,
        gates: all_gates,
        authorizations,
        kms: kms_trace,
        notes,
        context: ctx,
    }
}

/// Decision #20: a resource control policy names a principal other than `"*"` (all of
/// AWS's examples use `"*"`), or a Gateway endpoint's policy names one by ARN, where
/// AWS says the principal must be `"*"` (S26): both are evaluated as written.
fn principal_notes(facts: &Facts, request: &Request, notes: &mut Vec<Note>) {
    let names = |policy: &Policy, other: fn(&PrincipalEntry) -> bool| {
        policy.statements.iter().any(|s| {
            s.principal
                .as_ref()
                .is_some_and(|(_, entries)| entries.iter().any(other))
        })
    };
    let rcps = rcp_levels(facts, request, &facts.bucket.account);
    if rcps
        .iter()
        .flat_map(|l| &l.policies)
        .any(|p| names(&p.policy, |e| *e != PrincipalEntry::Everyone))
    {
        notes.push(Note {
            decision: 20,
            text:
                "a resource control policy names a principal other than \"*\": evaluated as written"
                    .into(),
        });
    }
    if let (Some(_), Some(e)) = (&request.vpc_endpoint, &facts.vpc_endpoint) {
        let by_arn =
            |e: &PrincipalEntry| matches!(e, PrincipalEntry::Arn(_) | PrincipalEntry::UniqueId(_));
        if e.endpoint_type == EndpointType::Gateway
            && e.policy.as_ref().is_some_and(|p| names(p, by_arn))
        {
            notes.push(Note {
                decision: 20,
                text: "the Gateway endpoint's policy names a principal by ARN, where AWS supports only \"*\" (S26): evaluated as written, as for RCPs".into(),
            });
        }
    }
}

/// Some evaluated condition of the authorizations reads `key` (keys are case-insensitive).
fn reads_key(authorizations: &[Authorization], key: &str) -> bool {
    authorizations
        .iter()
        .flat_map(|a| &a.policies)
        .flat_map(|p| &p.statements)
        .flat_map(|s| &s.conditions)
        .any(|c| c.key.eq_ignore_ascii_case(key))
}

/// The ACL headers a request sends.
pub fn acl_headers(request: &Request) -> Vec<(&str, &str)> {
    request
        .headers
        .iter()
        .filter(|(k, _)| *k == "x-amz-acl" || k.starts_with("x-amz-grant-"))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// The actions an upload needs, by its headers (S28, decisions.md #1, #13).
fn needed_actions(request: &Request, notes: &mut Vec<Note>) -> Vec<String> {
    let mut actions = vec![request.action.clone()];
    if !request.action.eq_ignore_ascii_case("s3:PutObject") {
        return actions;
    }
    let acls = acl_headers(request);
    let sets_acl = acls
        .iter()
        .any(|(k, v)| !(*k == "x-amz-acl" && v.trim() == "bucket-owner-full-control"));
    if sets_acl {
        actions.push("s3:PutObjectAcl".into());
    } else if !acls.is_empty() {
        notes.push(Note {
            decision: 1,
            text: "x-amz-acl: bucket-owner-full-control needs no s3:PutObjectAcl".into(),
        });
    }
    if request.header("x-amz-tagging").is_some() {
        actions.push("s3:PutObjectTagging".into());
    }
    if request.header("x-amz-object-lock-mode").is_some()
        || request
            .header("x-amz-object-lock-retain-until-date")
            .is_some()
    {
        actions.push("s3:PutObjectRetention".into());
    }
    if request.header("x-amz-object-lock-legal-hold").is_some() {
        actions.push("s3:PutObjectLegalHold".into());
        notes.push(Note {
            decision: 13,
            text: "the legal-hold header needs s3:PutObjectLegalHold".into(),
        });
    }
    actions
}

/// The SCP levels that apply to the principal: member accounts of an organization only,
/// never a service-linked role (S21).
fn scp_levels<'a>(facts: &'a Facts, request: &Request) -> &'a [Level] {
    request
        .principal
        .account
        .as_deref()
        .filter(|_| !request.principal.is_service_linked_role())
        .and_then(|a| facts.account(a))
        .filter(|a| a.organization.is_some() && !a.management)
        .map_or(&[], |a| a.scps.as_slice())
}

/// The RCP levels of a resource's account that apply to the request: member accounts
/// only, and never to a service-linked role's calls (S22).
fn rcp_levels<'a>(facts: &'a Facts, request: &Request, account: &str) -> &'a [Level] {
    if request.principal.is_service_linked_role() {
        return &[];
    }
    facts
        .account(account)
        .filter(|a| a.organization.is_some() && !a.management)
        .map_or(&[], |a| a.rcps.as_slice())
}

fn session_policies(request: &Request) -> Option<&[Policy]> {
    request.session.as_ref().and_then(|s| s.policies.as_deref())
}

/// The default VPC endpoint policy, which allows everything (S26): parsed once.
static DEFAULT_VPCE_POLICY: std::sync::LazyLock<Policy> = std::sync::LazyLock::new(|| {
    Policy::allow_all(PolicyType::VpcEndpointPolicy, "vpc_endpoint.policy")
});

fn authorize_s3(
    facts: &Facts,
    request: &Request,
    ctx: &Context,
    (action, resource): (&str, &str),
    reuse: Option<&Reuse<'_>>,
) -> Authorization {
    let vpc_endpoint = match (&request.vpc_endpoint, &facts.vpc_endpoint) {
        (Some(_), Some(e)) => {
            let opts = MatchOptions {
                account_means_root: e.endpoint_type == EndpointType::Gateway,
            };
            Some((
                e.policy.as_ref().unwrap_or(&DEFAULT_VPCE_POLICY),
                e.id.as_str(),
                opts,
            ))
        }
        _ => None,
    };
    let bucket_policy = ResourcePolicy {
        policy: facts.bucket.policy.as_ref(),
        policy_type: PolicyType::BucketPolicy,
        name: "bucket policy",
        account: &facts.bucket.account,
        must_delegate: false,
    };
    let rcps = rcp_levels(facts, request, &facts.bucket.account);
    authorize_for(
        facts,
        request,
        ctx,
        (action, resource),
        (rcps, bucket_policy, vpc_endpoint),
        reuse,
    )
}

/// The resource side of an authorization: the RCP levels, the resource policy and the
/// VPC endpoint's policy (with how it matches principals).
type ResourceSide<'a> = (
    &'a [Level],
    ResourcePolicy<'a>,
    Option<(&'a Policy, &'a str, MatchOptions)>,
);

/// One authorization of this request's principal: its identity policies, boundary,
/// session policies and SCPs, against the given resource side.
fn authorize_for(
    facts: &Facts,
    request: &Request,
    ctx: &Context,
    (action, resource): (&str, &str),
    (rcps, resource_policy, vpc_endpoint): ResourceSide<'_>,
    reuse: Option<&Reuse<'_>>,
) -> Authorization {
    let req = AuthzRequest {
        action,
        resource,
        principal: &request.principal,
        ctx,
        has_boundary: facts.identity.permissions_boundary.is_some(),
        reuse,
    };
    let sources = PolicySources {
        identity: &facts.identity.policies,
        boundary: facts.identity.permissions_boundary.as_ref(),
        session: session_policies(request),
        scps: scp_levels(facts, request),
        rcps,
        resource: resource_policy,
        vpc_endpoint,
    };
    authorize(&req, &sources)
}

/// S3's own checks, in the order their refusals are reported.
fn s3_gates(facts: &Facts, request: &Request, notes: &mut Vec<Note>) -> Vec<Gate> {
    let mut gates = Vec::new();
    let b = &facts.bucket;
    let acls = acl_headers(request);
    let account_pab = facts
        .account(&b.account)
        .and_then(|a| a.public_access_block);
    let gate = |id, policy, status, error_code, detail: String| Gate {
        id,
        policy,
        status,
        error_code,
        detail,
    };

    // Object Ownership: ACLs disabled accept no ACL, or bucket-owner-full-control (S34).
    if b.object_ownership.as_deref() == Some("BucketOwnerEnforced") {
        if let Some((h, v)) = acls
            .iter()
            .find(|(k, v)| !(*k == "x-amz-acl" && v.trim() == "bucket-owner-full-control"))
        {
            if *h == "x-amz-acl" && v.trim() == "private" {
                notes.push(Note {
                    decision: 2,
                    text: "x-amz-acl: private is refused when ACLs are disabled".into(),
                });
            }
            gates.push(gate(
                "acls-disabled",
                "bucket-settings",
                400,
                "AccessControlListNotSupported",
                format!("Object Ownership is BucketOwnerEnforced (ACLs disabled) and the upload sends {h}: {v}"),
            ));
        }
    }
    // SSE-KMS only over TLS and signed (S36): a request that asks for aws:kms or
    // aws:kms:dsse over plain HTTP, or unsigned, is refused before any policy, 400
    // InvalidArgument. Only a request that names SSE-KMS: an upload left to a KMS default
    // encryption is not (docs/decisions.md).
    let kms_asked = request
        .header("x-amz-server-side-encryption")
        .map(str::trim)
        .filter(|v| v.to_ascii_lowercase().starts_with("aws:kms"));
    if kms_asked.is_some() && request.principal.is_anonymous() {
        gates.push(gate(
            "kms-unsigned-request",
            "request",
            400,
            "InvalidArgument",
            "the upload asks for SSE-KMS and is not signed (an anonymous request)".into(),
        ));
    }
    if let Some(algorithm) = kms_asked.filter(|_| !request.secure_transport) {
        gates.push(gate(
            "kms-insecure-transport",
            "request",
            400,
            "InvalidArgument",
            format!(
                "the upload asks for SSE-KMS (x-amz-server-side-encryption: {algorithm}) over plain HTTP"
            ),
        ));
    }
    if let Some(expected) = request.header("x-amz-expected-bucket-owner") {
        if expected.trim() != b.account {
            gates.push(gate(
                "expected-bucket-owner-mismatch",
                "request",
                403,
                "AccessDenied",
                format!(
                    "x-amz-expected-bucket-owner is {expected} but the bucket belongs to {}",
                    b.account
                ),
            ));
        }
    }
    if b.requester_pays {
        let owner = request.principal.account.as_deref() == Some(b.account.as_str());
        if owner {
            notes.push(Note {
                decision: 15,
                text: "identities of the bucket owner's account pay as the owner".into(),
            });
        }
        let pays = request
            .header("x-amz-request-payer")
            .is_some_and(|v| v.eq_ignore_ascii_case("requester"));
        let anonymous = request.principal.is_anonymous();
        if anonymous || (!owner && !pays) {
            // An anonymous request is refused whatever it sends: no account can pay.
            let detail = if anonymous {
                "the bucket is Requester Pays and the request is anonymous: only a signed request can pay"
            } else {
                "the bucket is Requester Pays and the request does not send x-amz-request-payer: requester"
            };
            gates.push(gate(
                "requester-pays-header-missing",
                "request",
                403,
                "AccessDenied",
                detail.into(),
            ));
        }
    }
    if request
        .header("x-amz-server-side-encryption-customer-algorithm")
        .is_some()
        && b.blocked_encryption_types
            .iter()
            .any(|t| t.eq_ignore_ascii_case("SSE-C"))
    {
        gates.push(gate(
            "sse-c-blocked",
            "bucket-settings",
            403,
            "AccessDenied",
            "the bucket blocks SSE-C uploads".into(),
        ));
    }
    // Block Public Access: BlockPublicAcls at bucket or account level (S32).
    if let Some((h, v)) = acls.iter().find(|(h, v)| is_public_grant(h, v)) {
        let bucket_level = b.public_access_block.is_some_and(|p| p.block_public_acls);
        let account_level = account_pab.is_some_and(|p| p.block_public_acls);
        if bucket_level || account_level {
            gates.push(gate(
                "block-public-acls",
                if bucket_level {
                    "bucket-settings"
                } else {
                    "account-settings"
                },
                403,
                "AccessDenied",
                format!("the upload sends a public ACL ({h}: {v}) and BlockPublicAcls is on"),
            ));
        }
    }
    // RestrictPublicBuckets: a public bucket policy serves only the owner account (S32).
    let rpb_bucket = b
        .public_access_block
        .is_some_and(|p| p.restrict_public_buckets);
    let rpb_account = account_pab.is_some_and(|p| p.restrict_public_buckets);
    let outsider = request.principal.account.as_deref() != Some(b.account.as_str());
    if (rpb_bucket || rpb_account) && outsider {
        if let Some(i) = b.policy.as_ref().and_then(public_statement) {
            gates.push(gate(
                "restrict-public-buckets",
                if rpb_bucket { "bucket-settings" } else { "account-settings" },
                403,
                "AccessDenied",
                format!("the bucket policy is public (statement {i}) and RestrictPublicBuckets turns away callers outside the bucket's account"),
            ));
        }
    }
    gates
}

fn kms_checks(
    facts: &Facts,
    request: &Request,
    (s3ctx, usage): (&Context, KmsUse),
    own: Option<(&[EarlierTrace<'_>], &KmsTrace, bool)>,
    notes: &mut Vec<Note>,
) -> (KmsTrace, Vec<Gate>, Vec<Authorization>) {
    let bucket_region = facts
        .bucket
        .region
        .clone()
        .unwrap_or_else(|| "us-east-1".to_string());
    let key = resolve_key(facts, &usage, &bucket_region);
    let principal_account = request.principal.account.clone().unwrap_or_default();
    let mut actions = vec!["kms:GenerateDataKey".to_string()];
    let dsse = usage.algorithm == "aws:kms:dsse";
    if dsse {
        notes.push(Note {
            decision: 12,
            text: "DSSE-KMS needs the same KMS permissions as SSE-KMS".into(),
        });
    }
    if request.multipart || usage.bucket_key {
        actions.push("kms:Decrypt".to_string());
        if usage.bucket_key && !request.multipart {
            notes.push(Note {
                decision: 11,
                text: "a single-part upload with an S3 Bucket Key needs kms:Decrypt".into(),
            });
        }
    }
    if key.policy_assumed {
        let which = if key.manager == KeyManager::Aws {
            "AWS's aws/s3 key policy pattern (decisions.md #18)"
        } else {
            "the default key policy, which delegates to IAM"
        };
        notes.push(Note {
            decision: 18,
            text: format!("the policy of {} was not given: assumed {which}", key.arn),
        });
    }
    let mut gates = Vec::new();
    let gate = |id, detail: String| Gate {
        id,
        policy: "kms-key-policy",
        status: 403,
        error_code: "AccessDenied",
        detail,
    };
    if facts
        .bucket
        .region
        .as_deref()
        .is_some_and(|r| r != key.region)
    {
        notes.push(Note {
            decision: 14,
            text: "a KMS key in another Region than the bucket is refused".into(),
        });
        gates.push(gate(
            "kms-key-wrong-region",
            format!(
                "the key is in {} but the bucket is in {bucket_region}",
                key.region
            ),
        ));
    }
    if key.id_not_arn_cross_account {
        notes.push(Note {
            decision: 14,
            text: "another account's key must be named by its full ARN".into(),
        });
        gates.push(gate(
            "kms-key-id-not-arn",
            format!(
                "the key {:?} belongs to account {} and is not named by its ARN",
                usage.reference, key.account
            ),
        ));
    }
    if key.manager == KeyManager::Aws && key.account != principal_account {
        gates.push(gate(
            "kms-aws-managed-key-cross-account",
            format!("the AWS managed key aws/s3 of account {} cannot be used by a principal of account {principal_account}", key.account),
        ));
    }
    let encryption_arn = if usage.bucket_key {
        request.bucket_arn()
    } else {
        request.object_arn()
    };
    let encryption_context = request.header("x-amz-server-side-encryption-context");
    // The record's own KMS context, when nothing it is made from changed: the S3 keys it
    // copies (`own`'s flag), the object (or bucket) ARN and the encryption context header
    // (the Region and the caller's account are the facts' and the principal's).
    let own_ctx = own.and_then(|(_, kms, s3_keys_same)| {
        let same = s3_keys_same
            && kms.context.single("kms:EncryptionContext:aws:s3:arn") == Some(&encryption_arn)
            && facts.request.header("x-amz-server-side-encryption-context") == encryption_context;
        same.then(|| kms.context.clone())
    });
    let ctx = own_ctx.unwrap_or_else(|| {
        kms_context(
            s3ctx,
            &bucket_region,
            &principal_account,
            &encryption_arn,
            encryption_context,
        )
    });
    // The own verdict's KMS traces saw its own KMS context: compared with this one.
    let reuse = own.map(|(traces, kms, _)| Reuse::new(traces, ctx.changed_keys(&kms.context)));
    let no_rcps: &[Level] = &[];
    let auths = actions
        .iter()
        .map(|action| {
            let key_policy = ResourcePolicy {
                policy: Some(&key.policy),
                policy_type: PolicyType::KmsKeyPolicy,
                name: &key.arn,
                account: &key.account,
                must_delegate: true,
            };
            // RCPs do not apply to AWS managed keys (S22, S24).
            let rcps = if key.manager == KeyManager::Aws {
                no_rcps
            } else {
                rcp_levels(facts, request, &key.account)
            };
            authorize_for(
                facts,
                request,
                &ctx,
                (action, &key.arn),
                (rcps, key_policy, None),
                reuse.as_ref(),
            )
        })
        .collect();
    let trace = KmsTrace {
        usage,
        key_arn: key.arn.clone(),
        key_account: key.account.clone(),
        key_region: key.region.clone(),
        manager: key.manager,
        policy_assumed: key.policy_assumed,
        actions,
        context: ctx,
    };
    (trace, gates, auths)
}

/// Typed messages are returned only within the bucket owner's account or organization
/// (S27 §9.2); elsewhere the generic `Access Denied`.
fn typed_messages(facts: &Facts, request: &Request) -> bool {
    let Some(pa) = request.principal.account.as_deref() else {
        return false;
    };
    if pa == facts.bucket.account {
        return true;
    }
    let org = |a: &str| facts.account(a).and_then(|x| x.organization.clone());
    matches!((org(pa), org(&facts.bucket.account)), (Some(x), Some(y)) if x == y)
}

/// Status, error code and message of a denied request: the first cause in AWS's order.
fn denial_message(
    facts: &Facts,
    request: &Request,
    gates: &[Gate],
    auths: &[Authorization],
) -> (u16, &'static str, String) {
    if gates.iter().any(|g| g.id == "acls-disabled") {
        return (
            400,
            "AccessControlListNotSupported",
            message::ACLS_NOT_SUPPORTED.to_string(),
        );
    }
    if gates.iter().any(|g| g.id == "kms-insecure-transport") {
        return (400, "InvalidArgument", message::KMS_NEEDS_TLS.to_string());
    }
    if gates.iter().any(|g| g.id == "kms-unsigned-request") {
        return (
            400,
            "InvalidArgument",
            message::KMS_NEEDS_SIGNATURE.to_string(),
        );
    }
    let typed = typed_messages(facts, request);
    let same_account = request.principal.account.as_deref() == Some(facts.bucket.account.as_str());
    let who = request.principal.message_arn();
    let object = request.object_arn();
    let s3_gate = |id: &str| gates.iter().any(|g| g.id == id);
    if s3_gate("expected-bucket-owner-mismatch") || s3_gate("requester-pays-header-missing") {
        return (403, "AccessDenied", message::GENERIC.to_string());
    }
    if s3_gate("sse-c-blocked") && typed {
        return (
            403,
            "AccessDenied",
            message::typed(&who, &request.action, &object, message::SSE_C_BLOCKED),
        );
    }
    if s3_gate("block-public-acls") && typed {
        return (
            403,
            "AccessDenied",
            message::typed(&who, &request.action, &object, message::BLOCK_PUBLIC_ACLS),
        );
    }
    if s3_gate("restrict-public-buckets") && typed {
        let because = message::reason_phrase(PolicyType::BucketPolicy, true, &request.action);
        return (
            403,
            "AccessDenied",
            message::typed(&who, &request.action, &object, &because),
        );
    }
    if !gates.iter().any(|g| g.policy == "kms-key-policy")
        || auths
            .iter()
            .any(|a| !a.allowed && a.action.starts_with("s3:"))
    {
        if let Some((auth, reason)) = auths
            .iter()
            .filter(|a| a.action.starts_with("s3:"))
            .find_map(|a| a.primary().map(|r| (a, r)))
        {
            // VPC endpoint denials of cross-account requests stay generic (S27).
            let vpce_cross = reason.policy_type == PolicyType::VpcEndpointPolicy && !same_account;
            if typed && !vpce_cross {
                let because =
                    message::reason_phrase(reason.policy_type, reason.explicit, &auth.action);
                return (
                    403,
                    "AccessDenied",
                    message::typed(&who, &auth.action, &auth.resource, &because),
                );
            }
            return (403, "AccessDenied", message::GENERIC.to_string());
        }
    }
    if let Some((auth, reason)) = auths
        .iter()
        .filter(|a| a.action.starts_with("kms:"))
        .find_map(|a| a.primary().map(|r| (a, r)))
    {
        if typed && !gates.iter().any(|g| g.policy == "kms-key-policy") {
            let because = message::reason_phrase(reason.policy_type, reason.explicit, &auth.action);
            return (
                403,
                "AccessDenied",
                message::typed(&who, &auth.action, &auth.resource, &because),
            );
        }
    }
    (403, "AccessDenied", message::GENERIC.to_string())
}
