# s3why's PutObject decision, written as a Rego author would, for the benchmark baseline
# of benches/run.sh (run by regorus). Each authorization (an action on a resource) is
# decided across the policy types as AWS does: any explicit deny denies; every SCP level
# must allow; the VPC endpoint policy must allow; same account: an identity allow, capped
# by the permissions boundary and session policies, or a resource-policy grant, which
# bypasses those caps by how it names the principal (user, session, "*": always; role ARN:
# within boundary and session policies; account: only with an identity allow); another
# account: both sides. Modelled: identity policies, permissions boundaries, session
# policies (a federated user without one is denied), the bucket policy, SCPs and RCPs
# (member accounts only; RCPs only deny), the VPC endpoint policy (a Gateway endpoint's
# account principal is its root user); the account root user (no implicit deny on its own
# side); IAM wildcards, NotAction, NotResource; principals by ARN (an assumed-role session
# also by its role ARN, with or without a path), account, root ARN or "*"; the operators
# StringEquals/NotEquals/Like/NotLike, IpAddress, NotIpAddress, Bool, Null,
# NumericLessThan, ...IfExists, ForAllValues:/ForAnyValue: (a missing key fails a positive
# operator and passes a negated one); policy variables (${key}, ${key, 'default'}, ${*},
# ${?}, ${$}) in Resource/NotResource and string and Bool condition values of Version
# 2012-10-17 policies; the request context (headers, x-amz-tagging, principal and session
# tags, aws:PrincipalOrgID, VPC keys, the request's extra context); s3:PutObjectAcl and
# s3:PutObjectTagging for uploads that set an ACL or tags; S3's gates: expected bucket
# owner, BucketOwnerEnforced, SSE-KMS over plain HTTP, Requester Pays, BlockPublicAcls (a public canned ACL or
# grant) and RestrictPublicBuckets (a public bucket policy, by Block Public Access's test,
# turns other accounts away), at bucket or account level; SSE-KMS: the key from the
# request or the bucket default, by ARN, alias or key id (a key the facts do not describe
# or whose policy they omit gets AWS's default policy: aws/s3's kms:CallerAccount +
# kms:ViaService pattern, a customer key's delegation to IAM), kms:GenerateDataKey (and
# kms:Decrypt for multipart uploads and Bucket Keys) in the KMS call's own context against
# the key policy (identity policies count only when it grants to the account) and the
# key's RCPs (not for AWS managed keys); keys S3 refuses: another Region, another
# account's key by id or alias, another account's aws/s3.
# Input: one s3why fact document, policies as objects. Not modelled: anonymous callers,
# NotPrincipal, the ARN, Date and other Numeric operators, aws:CurrentTime and
# aws:EpochTime (regorus here has no clock), case-insensitive key names, object-lock
# headers, SSE-C, the encryption context header; no findings.
package s3why

import rego.v1

req := input.request

principal := req.principal

principal_account := split(principal, ":")[4]

# `root`, `user/NAME`, `assumed-role/ROLE/SESSION`, `federated-user/NAME` or `role/PATH/NAME`.
principal_resource := split(principal, ":")[5]

principal_kind := "root" if {
	principal_resource == "root"
} else := "session" if {
	startswith(principal_resource, "assumed-role/")
} else := "federated-user" if {
	startswith(principal_resource, "federated-user/")
} else := "role" if {
	startswith(principal_resource, "role/")
} else := "user"

role_name := split(principal_resource, "/")[1] if principal_kind == "session"

# An assumed-role session is matched by its role ARN too (aws:PrincipalArn is the role).
principal_arn := concat("", ["arn:aws:iam::", principal_account, ":role/", role_name]) if {
	principal_kind == "session"
} else := principal

bucket_facts := object.get(input, "bucket", {})

bucket_account := object.get(bucket_facts, "account", principal_account)

bucket_region := object.get(bucket_facts, "region", "us-east-1")

accounts := object.get(input, "accounts", {})

account_facts := object.get(accounts, principal_account, {})

action := object.get(req, "action", "s3:PutObject")

object_arn := concat("", ["arn:aws:s3:::", req.bucket, "/", req.key])

same_account if principal_account == bucket_account

headers := object.get(req, "headers", {})

# The request context the S3 authorizations see.
header_keys := {concat("", ["s3:", lower(k)]): v | some k, v in headers}

tag_keys := {concat("", ["aws:PrincipalTag/", k]): v |
	some k, v in object.get(object.get(input, "identity", {}), "tags", {})
}

session_tag_keys := {concat("", ["aws:PrincipalTag/", k]): v |
	some k, v in object.get(object.get(req, "session", {}), "tags", {})
}

net_keys := {
	"aws:SourceVpce": req.vpc_endpoint,
	"aws:SourceVpc": object.get(req, "source_vpc", ""),
	"aws:VpcSourceIp": object.get(req, "vpc_source_ip", ""),
} if {
	req.vpc_endpoint
} else := {"aws:SourceIp": req.source_ip} if {
	req.source_ip
} else := {}

principal_type := {"root": "Account", "user": "User", "session": "AssumedRole", "role": "AssumedRole", "federated-user": "FederatedUser"}

base_keys := {
	"aws:PrincipalArn": principal_arn,
	"aws:PrincipalAccount": principal_account,
	"aws:PrincipalType": principal_type[principal_kind],
	"aws:SecureTransport": sprintf("%v", [object.get(req, "secure_transport", true)]),
	"aws:ViaAWSService": "false",
	"aws:PrincipalIsAWSService": "false",
	"s3:ObjectCreationOperation": "true",
	"aws:RequestedRegion": bucket_region,
	"s3:ResourceAccount": bucket_account,
	"aws:ResourceAccount": bucket_account,
}

# aws:username for IAM users (the last part of user/PATH/NAME), aws:userid for the root
# user (its account id).
name_keys := {"aws:username": names[count(names) - 1]} if {
	names := split(principal_resource, "/")
	principal_kind == "user"
} else := {"aws:userid": principal_account} if {
	principal_kind == "root"
} else := {}

tagging := object.get(headers, "x-amz-tagging", "")

request_tags := {concat("", ["s3:RequestObjectTag/", split(pair, "=")[0]]): split(pair, "=")[1] |
	tagging != ""
	some pair in split(tagging, "&")
}

tag_key_list := {"s3:RequestObjectTagKeys": [split(pair, "=")[0] | some pair in split(tagging, "&")]} if tagging != "" else := {}

org_keys := {"aws:PrincipalOrgID": org} if {
	org := object.get(account_facts, "organization", null)
	org != null
} else := {}

resource_org_keys := {"aws:ResourceOrgID": org} if {
	org := object.get(object.get(accounts, bucket_account, {}), "organization", null)
	org != null
} else := {}

# An account's path in its organization, o-ORG/r-ROOT/ou-.../, from its SCP levels (root
# first, the account last).
org_path(account) := concat("", [org, "/", concat("/", above), "/"]) if {
	facts := object.get(accounts, account, {})
	org := object.get(facts, "organization", null)
	org != null
	targets := [l.target | some l in object.get(facts, "scps", [])]
	count(targets) > 0
	above := above_account(targets, account)
	startswith(above[0], "r-")
}

above_account(targets, account) := array.slice(targets, 0, count(targets) - 1) if {
	targets[count(targets) - 1] == account
} else := targets

org_path_keys := {"aws:PrincipalOrgPaths": [org_path(principal_account)]} if {
	org_path(principal_account)
} else := {}

resource_org_path_keys := {"aws:ResourceOrgPaths": [org_path(bucket_account)]} if {
	org_path(bucket_account)
} else := {}

ctx := object.union_n([
	base_keys, name_keys, org_keys, resource_org_keys, org_path_keys, resource_org_path_keys, header_keys, tag_keys,
	session_tag_keys, net_keys, request_tags, tag_key_list, object.get(req, "context", {}),
])

# Policy grammar: single values or lists.
as_list(x) := x if is_array(x)

as_list(x) := [x] if not is_array(x)

# A policy's statements, each with its policy's Version (policy variables need 2012-10-17).
# Called from rules only, so once per policy and record.
statements(doc) := [object.union(st, {"Version": version}) | some st in as_list(doc.Statement)] if {
	version := object.get(doc, "Version", "2008-10-17")
}

action_match(st, act) if {
	some a in as_list(st.Action)
	glob.match(lower(a), null, lower(act))
}

action_match(st, act) if {
	st.NotAction
	not not_action_hit(st, act)
}

not_action_hit(st, act) if {
	some a in as_list(st.NotAction)
	glob.match(lower(a), null, lower(act))
}

resource_match(st, res, c) if {
	some r in as_list(st.Resource)
	glob.match(policy_value(st, r, c, true), null, res)
}

resource_match(st, res, c) if {
	st.NotResource
	not not_resource_hit(st, res, c)
}

not_resource_hit(st, res, c) if {
	some r in as_list(st.NotResource)
	glob.match(policy_value(st, r, c, true), null, res)
}

# The statement applies to `act` on `res` in the context `c` (the principal aside).
applies(st, effect, act, res, c) if {
	st.Effect == effect
	action_match(st, act)
	resource_match(st, res, c)
	conditions_met(st, c)
}

# Policy variables: ${key}, ${key, 'default'}, and the literals ${*}, ${?}, ${$}. A key
# absent from the context (or multivalued) without a default leaves the value undefined:
# it matches nothing. Substituted text is literal, so quoted where it is a glob pattern.
policy_value(st, x, _, _) := x if not has_variables(st, x)

policy_value(st, x, c, quote) := concat("", pieces) if {
	has_variables(st, x)
	parts := split(x, "${")
	pieces := [piece | some i, part in parts; piece := variable_piece(i, part, c, quote)]
	count(pieces) == count(parts)
}

has_variables(st, x) if {
	st.Version == "2012-10-17"
	is_string(x)
	contains(x, "${")
}

variable_piece(0, part, _, _) := part

variable_piece(i, part, c, quote) := concat("", [literal(variable(trim_space(substring(part, 0, j)), c), quote), substring(part, j + 1, -1)]) if {
	i > 0
	j := indexof(part, "}")
	j >= 0
}

variable_piece(i, part, _, _) := concat("", ["${", part]) if {
	i > 0
	indexof(part, "}") < 0
}

variable("*", _) := "*"

variable("?", _) := "?"

variable("$", _) := "$"

variable(name, c) := c[name] if {
	not contains(name, ",")
	is_string(c[name])
}

variable(name, c) := c[key] if {
	contains(name, ",")
	key := trim_space(substring(name, 0, indexof(name, ",")))
	is_string(c[key])
}

variable(name, c) := trim(trim_space(substring(name, indexof(name, ",") + 1, -1)), "'") if {
	contains(name, ",")
	not is_string(c[trim_space(substring(name, 0, indexof(name, ",")))])
}

literal(v, true) := glob.quote_meta(v)

literal(v, false) := v

conditions_met(st, _) if not st.Condition

conditions_met(st, c) if {
	st.Condition
	every op, keys in st.Condition {
		every key, values in keys {
			operator(op, key, condition_values(st, op, as_list(values), c), c)
		}
	}
}

# String and Bool operators take policy variables; the Like ones match globs.
condition_values(st, op, vals, c) := [v | some x in vals; v := policy_value(st, x, c, contains(op, "Like"))] if {
	st.Version == "2012-10-17"
	variable_operator(op)
} else := vals

variable_operator(op) if contains(op, "String")

variable_operator(op) if contains(op, "Bool")

# `...IfExists`: a missing key passes; otherwise the base operator decides.
operator(op, k, _, c) if {
	endswith(op, "IfExists")
	not c[k]
}

operator(op, k, vals, c) if {
	endswith(op, "IfExists")
	c[k]
	condition(trim_suffix(op, "IfExists"), k, vals, c)
}

operator(op, k, vals, c) if {
	not endswith(op, "IfExists")
	not startswith(op, "ForAllValues:")
	not startswith(op, "ForAnyValue:")
	condition(op, k, vals, c)
}

# ForAllValues: every value of the key is matched (a missing key passes).
operator(op, k, _, c) if {
	startswith(op, "ForAllValues:")
	not c[k]
}

operator(op, k, vals, c) if {
	startswith(op, "ForAllValues:")
	every v in as_list(c[k]) {
		single(trim_prefix(op, "ForAllValues:"), v, vals)
	}
}

operator(op, k, vals, c) if {
	startswith(op, "ForAnyValue:")
	some v in as_list(c[k])
	single(trim_prefix(op, "ForAnyValue:"), v, vals)
}

single("StringEquals", v, vals) if v in vals

single("StringLike", v, vals) if {
	some x in vals
	glob.match(x, null, v)
}

condition("Null", k, vals, c) if {
	some x in vals
	lower(sprintf("%v", [x])) == "true"
	not c[k]
}

condition("Null", k, vals, c) if {
	some x in vals
	lower(sprintf("%v", [x])) == "false"
	c[k]
}

condition("NumericLessThan", k, vals, c) if {
	some x in vals
	to_number(c[k]) < to_number(x)
}

condition("StringEquals", k, vals, c) if {
	some x in vals
	c[k] == x
}

condition("StringNotEquals", k, vals, c) if not equals_any(k, vals, c)

condition("StringLike", k, vals, c) if {
	some x in vals
	glob.match(x, null, c[k])
}

condition("StringNotLike", k, vals, c) if not like_any(k, vals, c)

condition("IpAddress", k, vals, c) if {
	some x in vals
	net.cidr_contains(x, c[k])
}

condition("NotIpAddress", k, vals, c) if not ip_any(k, vals, c)

condition("Bool", k, vals, c) if {
	some x in vals
	lower(sprintf("%v", [x])) == c[k]
}

equals_any(k, vals, c) if {
	some x in vals
	c[k] == x
}

like_any(k, vals, c) if {
	some x in vals
	glob.match(x, null, c[k])
}

ip_any(k, vals, c) if {
	some x in vals
	net.cidr_contains(x, c[k])
}

# Resource-based policies: how a statement's Principal names this principal.
principal_names(st) := ["*"] if st.Principal == "*"

principal_names(st) := as_list(st.Principal.AWS) if st.Principal.AWS

grantee("*") := "everyone"

grantee(name) := "account" if name in {principal_account, concat("", ["arn:aws:iam::", principal_account, ":root"])}

grantee(name) := principal_kind if {
	name == principal
	principal_kind in {"user", "session", "federated-user", "role"}
}

# A role ARN, with or without a path, names the sessions of the role.
grantee(name) := "role" if {
	principal_kind == "session"
	startswith(name, concat("", ["arn:aws:iam::", principal_account, ":role/"]))
	endswith(name, concat("", ["/", role_name]))
}

grantees(st) := {g | some name in principal_names(st); g := grantee(name)}

# Identity-based policies, the permissions boundary and session policies.
identity_statements := [st | some p in object.get(object.get(input, "identity", {}), "policies", []); some st in statements(p.document)]

identity_allow(_, _, _) if principal_kind == "root"

identity_allow(act, res, c) if {
	some st in identity_statements
	applies(st, "Allow", act, res, c)
}

boundary_statements := statements(input.identity.permissions_boundary)

boundary_allow(_, _, _) if not input.identity.permissions_boundary

boundary_allow(act, res, c) if {
	some st in boundary_statements
	applies(st, "Allow", act, res, c)
}

session_statements := [st | some p in req.session.policies; some st in statements(p)]

session_allow(_, _, _) if {
	not req.session.policies
	principal_kind != "federated-user"
}

session_allow(act, res, c) if {
	some st in session_statements
	applies(st, "Allow", act, res, c)
}

identity_side(act, res, c) if {
	identity_allow(act, res, c)
	boundary_allow(act, res, c)
	session_allow(act, res, c)
}

# A service-linked role (IAM's path /aws-service-role/): neither SCPs nor RCPs apply.
service_linked if startswith(principal_resource, "role/aws-service-role/")

# SCPs: every level above the principal's account must allow; any deny denies. Member
# accounts of an organization only, never a service-linked role.
scp_levels := [] if {
	object.get(account_facts, "management", false)
} else := [] if {
	service_linked
} else := object.get(account_facts, "scps", []) if {
	account_facts.organization
} else := []

scp_level_statements := [[st | some p in level.policies; some st in statements(p.document)] | some level in scp_levels]

scp_allow(act, res, c) if {
	every level in scp_level_statements {
		some st in level
		applies(st, "Allow", act, res, c)
	}
}

# RCPs of a resource's account (member accounts only, not for a service-linked role's
# calls): RCPFullAWSAccess is implied, so they only deny.
rcp_statements(account) := [st |
	not service_linked
	facts := object.get(accounts, account, {})
	facts.organization
	not object.get(facts, "management", false)
	some level in object.get(facts, "rcps", [])
	some p in level.policies
	some st in statements(p.document)
]

# The VPC endpoint policy (absent: the default, which allows everything). An account
# principal in a Gateway endpoint's policy is that account's root user only.
vpce_statements := statements(input.vpc_endpoint.policy)

vpce_names_me(st) if {
	some g in grantees(st)
	vpce_grantee_ok(g)
}

vpce_grantee_ok(g) if g != "account"

vpce_grantee_ok("account") if object.get(input.vpc_endpoint, "type", "Gateway") != "Gateway"

vpce_grantee_ok("account") if principal_kind == "root"

vpce_allow(_, _, _, side) if not side.vpce

vpce_allow(_, _, _, side) if {
	side.vpce
	not input.vpc_endpoint.policy
}

vpce_allow(act, res, c, side) if {
	side.vpce
	some st in vpce_statements
	applies(st, "Allow", act, res, c)
	vpce_names_me(st)
}

# One authorization: `act` on `res` in the context `c`, against a resource side:
# {"statements": the resource policy's, "account": the resource's owner, "delegate": true
# when identity policies count only if the resource policy grants to the account (KMS key
# policies), "rcps": the owner's RCP statements, "vpce": the request travels through the
# VPC endpoint}.
authorized(act, res, c, side) if {
	not explicit_deny(act, res, c, side)
	scp_allow(act, res, c)
	vpce_allow(act, res, c, side)
	granted(act, res, c, side, resource_grants(act, res, c, side))
}

# How the resource policy's applicable Allow statements name the principal.
resource_grants(act, res, c, side) := {g |
	some st in side.statements
	applies(st, "Allow", act, res, c)
	some g in grantees(st)
}

explicit_deny(act, res, c, _) if {
	some st in identity_statements
	applies(st, "Deny", act, res, c)
}

explicit_deny(act, res, c, _) if {
	some st in boundary_statements
	applies(st, "Deny", act, res, c)
}

explicit_deny(act, res, c, _) if {
	some st in session_statements
	applies(st, "Deny", act, res, c)
}

explicit_deny(act, res, c, _) if {
	some level in scp_level_statements
	some st in level
	applies(st, "Deny", act, res, c)
}

explicit_deny(act, res, c, side) if {
	some st in side.rcps
	applies(st, "Deny", act, res, c)
	count(grantees(st)) > 0
}

explicit_deny(act, res, c, side) if {
	some st in side.statements
	applies(st, "Deny", act, res, c)
	count(grantees(st)) > 0
}

explicit_deny(act, res, c, side) if {
	side.vpce
	some st in vpce_statements
	applies(st, "Deny", act, res, c)
	vpce_names_me(st)
}

# Same account: the identity side (unless the resource policy must delegate to the account
# and does not), or a grant that bypasses it. Another account: both sides.
granted(act, res, c, side, grants) if {
	principal_account == side.account
	identity_side(act, res, c)
	delegated(side, grants)
}

granted(_, _, _, side, grants) if {
	principal_account == side.account
	some g in grants
	g in {"everyone", "user", "session", "federated-user"}
}

granted(act, res, c, side, grants) if {
	principal_account == side.account
	"role" in grants
	boundary_allow(act, res, c)
	session_allow(act, res, c)
}

granted(act, res, c, side, grants) if {
	principal_account != side.account
	count(grants) > 0
	identity_side(act, res, c)
}

delegated(side, _) if not side.delegate

delegated(_, grants) if "account" in grants

# The S3 authorizations: the bucket policy, the bucket account's RCPs, the VPC endpoint.
bucket_statements := statements(bucket_facts.policy) if bucket_facts.policy else := []

s3_side := {
	"statements": bucket_statements,
	"account": bucket_account,
	"delegate": false,
	"rcps": rcp_statements(bucket_account),
	"vpce": object.get(req, "vpc_endpoint", false) != false,
}

allowed_action(act) if authorized(act, object_arn, ctx, s3_side)

# An upload that sets an ACL (other than bucket-owner-full-control) needs s3:PutObjectAcl.
acl_needed if {
	acl := object.get(headers, "x-amz-acl", "bucket-owner-full-control")
	acl != "bucket-owner-full-control"
}

acl_needed if {
	some h, _ in headers
	startswith(lower(h), "x-amz-grant-")
}

# An upload with tags needs s3:PutObjectTagging.
tagging_needed if tagging != ""

# Block Public Access, at bucket or account (the bucket owner's) level.
public_access_blocks := [object.get(bucket_facts, "public_access_block", {}), object.get(object.get(accounts, bucket_account, {}), "public_access_block", {})]

blocks(setting) if {
	some pab in public_access_blocks
	object.get(pab, setting, false) == true
}

public_acl if trim_space(object.get(headers, "x-amz-acl", "")) in {"public-read", "public-read-write", "authenticated-read"}

public_acl if {
	some h, v in headers
	startswith(lower(h), "x-amz-grant-")
	some group in ["acs.amazonaws.com/groups/global/allusers", "acs.amazonaws.com/groups/global/authenticatedusers"]
	contains(lower(v), group)
}

# A bucket policy is public when an Allow to "*" is not restricted by a fixed value of one
# of the keys Block Public Access recognises.
restricting_keys := {
	"aws:sourceip", "aws:sourcearn", "aws:sourcevpc", "aws:sourcevpce", "aws:sourceowner",
	"aws:sourceaccount", "s3:x-amz-server-side-encryption-aws-kms-key-id", "aws:userid",
	"s3:dataaccesspointarn", "s3:dataaccesspointaccount", "aws:principalorgid",
}

fixed_operators := {"StringEquals", "StringEqualsIgnoreCase", "ArnEquals", "IpAddress", "StringLike", "ArnLike"}

restricted(st) if {
	some op, keys in st.Condition
	op in fixed_operators
	some key, values in keys
	lower(key) in restricting_keys
	every v in as_list(values) {
		not contains(sprintf("%v", [v]), "*")
		not contains(sprintf("%v", [v]), "?")
	}
}

public_policy if {
	some st in bucket_statements
	st.Effect == "Allow"
	"*" in principal_names(st)
	not restricted(st)
}

# SSE-KMS: how the upload is encrypted (the request's header, else the bucket default),
# the key reference, and the account a key id or alias is resolved in.
default_encryption := bucket_facts.encryption.Rules[0]

kms_use := {"algorithm": alg, "reference": object.get(headers, "x-amz-server-side-encryption-aws-kms-key-id", "alias/aws/s3"), "account": principal_account} if {
	alg := headers["x-amz-server-side-encryption"]
	kms_requested(alg)
} else := {"algorithm": "aws:kms", "reference": ref, "account": principal_account} if {
	not headers["x-amz-server-side-encryption"]
	ref := headers["x-amz-server-side-encryption-aws-kms-key-id"]
} else := {"algorithm": alg, "reference": d.KMSMasterKeyID, "account": principal_account} if {
	not headers["x-amz-server-side-encryption"]
	d := default_encryption.ApplyServerSideEncryptionByDefault
	alg := d.SSEAlgorithm
	startswith(alg, "aws:kms")
	d.KMSMasterKeyID
} else := {"algorithm": alg, "reference": "alias/aws/s3", "account": bucket_account} if {
	not headers["x-amz-server-side-encryption"]
	alg := default_encryption.ApplyServerSideEncryptionByDefault.SSEAlgorithm
	startswith(alg, "aws:kms")
}

kms_requested(alg) if startswith(alg, "aws:kms")

kms_requested(_) if headers["x-amz-server-side-encryption-aws-kms-key-id"]

# An S3 Bucket Key (never with DSSE-KMS): the request's header, else the bucket default.
bucket_key if {
	kms_use.algorithm != "aws:kms:dsse"
	lower(object.get(headers, "x-amz-server-side-encryption-bucket-key-enabled", sprintf("%v", [default_bucket_key]))) == "true"
}

default default_bucket_key := false

default_bucket_key := object.get(default_encryption, "BucketKeyEnabled", false)

kms_actions := ["kms:GenerateDataKey", "kms:Decrypt"] if {
	object.get(req, "multipart", false)
} else := ["kms:GenerateDataKey", "kms:Decrypt"] if {
	bucket_key
} else := ["kms:GenerateDataKey"]

# The key the reference names: an ARN names its account; a key id or an alias is looked up
# in the resolving account.
kms_keys := object.get(input, "kms_keys", [])

ref := kms_use.reference

ref_parts := split(ref, ":")

ref_is_arn if startswith(ref, "arn:")

ref_alias := trim_prefix(ref_parts[5], "alias/") if {
	ref_is_arn
	startswith(ref_parts[5], "alias/")
} else := trim_prefix(ref, "alias/") if {
	startswith(ref, "alias/")
}

key_account(k) := split(k.arn, ":")[4]

key_id(k) := trim_prefix(split(k.arn, ":")[5], "key/")

has_alias(k, alias) if {
	some a in object.get(k, "aliases", [])
	trim_prefix(a, "alias/") == alias
}

own_key := k if {
	ref_is_arn
	keys := [k | some k in kms_keys; key_account(k) == ref_parts[4]; has_alias(k, ref_alias)]
	k := keys[0]
} else := k if {
	ref_is_arn
	keys := [k | some k in kms_keys; k.arn == ref]
	k := keys[0]
} else := k if {
	not ref_is_arn
	ref_alias
	keys := [k | some k in kms_keys; key_account(k) == kms_use.account; has_alias(k, ref_alias)]
	k := keys[0]
} else := k if {
	not ref_is_arn
	not ref_alias
	keys := [k | some k in kms_keys; key_account(k) == kms_use.account; key_id(k) == ref]
	k := keys[0]
}

# A bare key id found only in another account: that key (and a refusal below).
other_account_key := k if {
	not own_key
	not ref_is_arn
	not ref_alias
	keys := [k | some k in kms_keys; key_id(k) == ref]
	k := keys[0]
}

found_key := own_key if own_key else := other_account_key

key_manager(k) := object.get(k, "manager", "CUSTOMER")

kms_key := {
	"arn": k.arn,
	"account": key_account(k),
	"region": split(k.arn, ":")[3],
	"manager": key_manager(k),
	"policy": object.get(k, "policy", default_key_policy(key_manager(k), key_account(k), split(k.arn, ":")[3])),
} if {
	k := found_key
} else := {
	"arn": ref,
	"account": ref_parts[4],
	"region": ref_parts[3],
	"manager": manager,
	"policy": default_key_policy(manager, ref_parts[4], ref_parts[3]),
} if {
	ref_is_arn
	manager := ref_manager
} else := {
	"arn": concat("", ["arn:aws:kms:", bucket_region, ":", kms_use.account, ":", name]),
	"account": kms_use.account,
	"region": bucket_region,
	"manager": manager,
	"policy": default_key_policy(manager, kms_use.account, bucket_region),
} if {
	name := ref_name
	manager := ref_manager
}

# A key the facts do not describe: aws/s3 is AWS managed, any other a customer key.
ref_manager := "AWS" if ref_alias == "aws/s3" else := "CUSTOMER"

ref_name := ref if ref_alias else := concat("", ["key/", ref])

# AWS's default key policies: aws/s3 lets every principal of its account use it through S3
# (decisions.md #18); a customer key's default delegates to the account's IAM policies.
default_key_policy("AWS", account, region) := {"Version": "2012-10-17", "Statement": [
	{
		"Effect": "Allow",
		"Principal": {"AWS": "*"},
		"Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
		"Resource": "*",
		"Condition": {"StringEquals": {"kms:CallerAccount": account, "kms:ViaService": concat("", ["s3.", region, ".amazonaws.com"])}},
	},
	{
		"Effect": "Allow",
		"Principal": {"AWS": concat("", ["arn:aws:iam::", account, ":root"])},
		"Action": ["kms:Describe*", "kms:Get*", "kms:List*"],
		"Resource": "*",
	},
]}

default_key_policy("CUSTOMER", account, _) := {"Version": "2012-10-17", "Statement": [{
	"Effect": "Allow",
	"Principal": {"AWS": concat("", ["arn:aws:iam::", account, ":root"])},
	"Action": "kms:*",
	"Resource": "*",
}]}

# The context of the KMS call S3 makes on the uploader's behalf: no network or S3 keys.
network_keys := {"aws:sourceip", "aws:sourcevpce", "aws:sourcevpc", "aws:vpcsourceip"}

kms_ctx := object.union({k: v |
	some k, v in ctx
	not lower(k) in network_keys
	not startswith(lower(k), "s3:")
}, {
	"aws:ViaAWSService": "true",
	"kms:ViaService": concat("", ["s3.", bucket_region, ".amazonaws.com"]),
	"kms:CallerAccount": principal_account,
	"kms:EncryptionContext:aws:s3:arn": encryption_arn,
	"kms:EncryptionContextKeys": ["aws:s3:arn"],
})

encryption_arn := concat("", ["arn:aws:s3:::", req.bucket]) if bucket_key else := object_arn

# RCPs do not apply to AWS managed keys.
kms_side := {
	"statements": statements(kms_key.policy),
	"account": kms_key.account,
	"delegate": true,
	"rcps": kms_rcps,
	"vpce": false,
}

kms_rcps := rcp_statements(kms_key.account) if kms_key.manager == "CUSTOMER" else := []

# Keys S3 refuses before asking KMS.
kms_refused if {
	bucket_facts.region
	bucket_facts.region != kms_key.region
}

kms_refused if other_account_key

kms_refused if {
	startswith(ref, "alias/")
	not own_key
	ref_alias != "aws/s3"
	some k in kms_keys
	key_account(k) != kms_use.account
	has_alias(k, ref_alias)
}

kms_refused if {
	kms_key.manager == "AWS"
	kms_key.account != principal_account
}

kms_ok if not kms_use

kms_ok if {
	kms_use
	not kms_refused
	every act in kms_actions {
		authorized(act, kms_key.arn, kms_ctx, kms_side)
	}
}

# Requests S3 refuses before any policy: a wrong expected owner, an ACL on a bucket with
# ACLs disabled, SSE-KMS over plain HTTP, Requester Pays without the header, Block Public
# Access.
refused if {
	owner := object.get(headers, "x-amz-expected-bucket-owner", bucket_account)
	owner != bucket_account
}

refused if {
	some rule in as_list(object.get(object.get(bucket_facts, "ownership_controls", {}), "Rules", []))
	rule.ObjectOwnership == "BucketOwnerEnforced"
	acl_needed
}

refused if {
	object.get(req, "secure_transport", true) == false
	some k, v in headers
	lower(k) == "x-amz-server-side-encryption"
	startswith(lower(trim_space(v)), "aws:kms")
}

refused if {
	object.get(bucket_facts, "requester_pays", false)
	not same_account
	lower(object.get(headers, "x-amz-request-payer", "")) != "requester"
}

refused if {
	public_acl
	blocks("BlockPublicAcls")
}

refused if {
	not same_account
	blocks("RestrictPublicBuckets")
	public_policy
}

# Rules without arguments are evaluated once per input; functions are not memoized.
put_allowed if allowed_action(action)

acl_ok if not acl_needed

acl_ok if allowed_action("s3:PutObjectAcl")

tagging_ok if not tagging_needed

tagging_ok if allowed_action("s3:PutObjectTagging")

default allowed := false

allowed if {
	not refused
	put_allowed
	acl_ok
	tagging_ok
	kms_ok
}
