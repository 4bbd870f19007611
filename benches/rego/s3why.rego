# The core of s3why's PutObject decision, written as a Rego author would, for the
# benchmark baseline of benches/run.sh (run by regorus): identity-policy allow and deny
# with IAM wildcards on actions and resources, bucket-policy principals, allow and deny,
# the common condition operators (StringEquals/NotEquals/Like/NotLike, IpAddress,
# NotIpAddress, Bool; a missing key fails a positive operator and passes a negated one),
# SCP levels (every level must allow, any deny denies) and the VPC endpoint policy.
# Also: assumed-role sessions matched by their role ARN, NotAction, NotResource,
# aws:PrincipalOrgID, ...IfExists,
# ForAllValues/ForAnyValue, Null, NumericLessThan, request tags, the request's extra
# context keys, s3:PutObjectAcl and s3:PutObjectTagging for uploads that set an ACL or
# tags, x-amz-expected-bucket-owner and BucketOwnerEnforced.
# Input: one s3why fact document. Not modelled: KMS, Block Public Access, RCPs,
# permissions boundaries, session policies, NotPrincipal.
package s3why

import rego.v1

req := input.request

principal := req.principal

principal_account := split(principal, ":")[4]

# An assumed-role session is matched by its role ARN too (aws:PrincipalArn is the role).
principal_arn := concat("", ["arn:aws:iam::", principal_account, ":role/", split(split(principal, ":")[5], "/")[1]]) if {
	startswith(split(principal, ":")[5], "assumed-role/")
} else := principal

principal_names_me := {principal, principal_arn}

bucket_facts := object.get(input, "bucket", {})

bucket_account := object.get(bucket_facts, "account", principal_account)

action := object.get(req, "action", "s3:PutObject")

object_arn := concat("", ["arn:aws:s3:::", req.bucket, "/", req.key])

same_account if principal_account == bucket_account

# The request context the conditions see.
header_keys := {concat("", ["s3:", lower(k)]): v | some k, v in object.get(req, "headers", {})}

tag_keys := {concat("", ["aws:PrincipalTag/", k]): v |
	some k, v in object.get(object.get(input, "identity", {}), "tags", {})
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

base_keys := {
	"aws:PrincipalArn": principal_arn,
	"aws:PrincipalAccount": principal_account,
	"aws:SecureTransport": sprintf("%v", [object.get(req, "secure_transport", true)]),
	"s3:ResourceAccount": bucket_account,
	"aws:ResourceAccount": bucket_account,
}

tagging := object.get(object.get(req, "headers", {}), "x-amz-tagging", "")

request_tags := {concat("", ["s3:RequestObjectTag/", split(pair, "=")[0]]): split(pair, "=")[1] |
	tagging != ""
	some pair in split(tagging, "&")
}

tag_key_list := {"s3:RequestObjectTagKeys": [split(pair, "=")[0] | some pair in split(tagging, "&")]} if tagging != "" else := {}

org_keys := {"aws:PrincipalOrgID": org} if {
	org := object.get(object.get(object.get(input, "accounts", {}), principal_account, {}), "organization", null)
	org != null
} else := {}

ctx := object.union_n([base_keys, org_keys, header_keys, tag_keys, net_keys, request_tags, tag_key_list, object.get(req, "context", {})])

# Policy grammar: single values or lists.
as_list(x) := x if is_array(x)

as_list(x) := [x] if not is_array(x)

statements(doc) := as_list(doc.Statement)

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

resource_match(st) if {
	some r in as_list(st.Resource)
	glob.match(r, null, object_arn)
}

resource_match(st) if {
	st.NotResource
	not not_resource_hit(st)
}

not_resource_hit(st) if {
	some r in as_list(st.NotResource)
	glob.match(r, null, object_arn)
}

applies(st, effect, act) if {
	st.Effect == effect
	action_match(st, act)
	resource_match(st)
	conditions_met(st)
}

conditions_met(st) if not st.Condition

conditions_met(st) if {
	st.Condition
	every op, keys in st.Condition {
		every key, values in keys {
			operator(op, key, as_list(values))
		}
	}
}

# `...IfExists`: a missing key passes; otherwise the base operator decides.
operator(op, k, vals) if {
	endswith(op, "IfExists")
	not ctx[k]
}

operator(op, k, vals) if {
	endswith(op, "IfExists")
	ctx[k]
	condition(trim_suffix(op, "IfExists"), k, vals)
}

operator(op, k, vals) if {
	not endswith(op, "IfExists")
	not startswith(op, "ForAllValues:")
	not startswith(op, "ForAnyValue:")
	condition(op, k, vals)
}

# ForAllValues: every value of the key is matched (a missing key passes).
operator(op, k, vals) if {
	startswith(op, "ForAllValues:")
	not ctx[k]
}

operator(op, k, vals) if {
	startswith(op, "ForAllValues:")
	every v in as_list(ctx[k]) {
		single(trim_prefix(op, "ForAllValues:"), v, vals)
	}
}

operator(op, k, vals) if {
	startswith(op, "ForAnyValue:")
	some v in as_list(ctx[k])
	single(trim_prefix(op, "ForAnyValue:"), v, vals)
}

single("StringEquals", v, vals) if v in vals

single("StringLike", v, vals) if {
	some x in vals
	glob.match(x, null, v)
}

condition("Null", k, vals) if {
	some x in vals
	lower(sprintf("%v", [x])) == "true"
	not ctx[k]
}

condition("Null", k, vals) if {
	some x in vals
	lower(sprintf("%v", [x])) == "false"
	ctx[k]
}

condition("NumericLessThan", k, vals) if {
	some x in vals
	to_number(ctx[k]) < to_number(x)
}

condition("StringEquals", k, vals) if {
	some x in vals
	ctx[k] == x
}

condition("StringNotEquals", k, vals) if not equals_any(k, vals)

condition("StringLike", k, vals) if {
	some x in vals
	glob.match(x, null, ctx[k])
}

condition("StringNotLike", k, vals) if not like_any(k, vals)

condition("IpAddress", k, vals) if {
	some x in vals
	net.cidr_contains(x, ctx[k])
}

condition("NotIpAddress", k, vals) if not ip_any(k, vals)

condition("Bool", k, vals) if {
	some x in vals
	lower(sprintf("%v", [x])) == ctx[k]
}

equals_any(k, vals) if {
	some x in vals
	ctx[k] == x
}

like_any(k, vals) if {
	some x in vals
	glob.match(x, null, ctx[k])
}

ip_any(k, vals) if {
	some x in vals
	net.cidr_contains(x, ctx[k])
}

# Identity-based policies.
identity_statements contains st if {
	some p in object.get(object.get(input, "identity", {}), "policies", [])
	some st in statements(p.document)
}

identity_allow(act) if {
	some st in identity_statements
	applies(st, "Allow", act)
}

identity_deny(act) if {
	some st in identity_statements
	applies(st, "Deny", act)
}

# The bucket policy.
bucket_statements := statements(bucket_facts.policy) if bucket_facts.policy else := []

principal_names(st) := ["*"] if st.Principal == "*"

principal_names(st) := as_list(st.Principal.AWS) if st.Principal.AWS

names_user(st) if {
	some p in principal_names(st)
	p in principal_names_me
}

names_user(st) if "*" in principal_names(st)

names_account(st) if {
	some p in principal_names(st)
	p in {principal_account, concat("", ["arn:aws:iam::", principal_account, ":root"])}
}

bucket_allow_user(act) if {
	some st in bucket_statements
	names_user(st)
	applies(st, "Allow", act)
}

bucket_allow_account(act) if {
	some st in bucket_statements
	names_account(st)
	applies(st, "Allow", act)
}

bucket_deny(act) if {
	some st in bucket_statements
	names_user(st)
	applies(st, "Deny", act)
}

bucket_deny(act) if {
	some st in bucket_statements
	names_account(st)
	applies(st, "Deny", act)
}

# SCPs: every level above the principal's account must allow; any deny denies.
account_facts := object.get(object.get(input, "accounts", {}), principal_account, {})

scp_levels := [] if object.get(account_facts, "management", false) else := object.get(account_facts, "scps", [])

level_allows(level, act) if {
	some p in level.policies
	some st in statements(p.document)
	applies(st, "Allow", act)
}

scp_allow(act) if {
	every level in scp_levels {
		level_allows(level, act)
	}
}

scp_deny(act) if {
	some level in scp_levels
	some p in level.policies
	some st in statements(p.document)
	applies(st, "Deny", act)
}

# The VPC endpoint policy (absent: the default, which allows everything).
vpce_statements := statements(input.vpc_endpoint.policy)

vpce_allow(act) if not req.vpc_endpoint

vpce_allow(act) if {
	req.vpc_endpoint
	not input.vpc_endpoint.policy
}

vpce_allow(act) if {
	some st in vpce_statements
	applies(st, "Allow", act)
}

vpce_deny(act) if {
	req.vpc_endpoint
	some st in vpce_statements
	applies(st, "Deny", act)
}

explicit_deny(act) if identity_deny(act)

explicit_deny(act) if bucket_deny(act)

explicit_deny(act) if scp_deny(act)

explicit_deny(act) if vpce_deny(act)

# Same account: an identity grant or a grant to the user in the bucket policy. Another
# account: both an identity grant and a bucket-policy grant (to the user or the account).
granted(act) if {
	same_account
	identity_allow(act)
}

granted(act) if {
	same_account
	bucket_allow_user(act)
}

granted(act) if {
	not same_account
	identity_allow(act)
	bucket_allow_user(act)
}

granted(act) if {
	not same_account
	identity_allow(act)
	bucket_allow_account(act)
}

allowed_action(act) if {
	not explicit_deny(act)
	scp_allow(act)
	vpce_allow(act)
	granted(act)
}

# An upload that sets an ACL (other than bucket-owner-full-control) needs s3:PutObjectAcl.
acl_needed if {
	acl := object.get(object.get(req, "headers", {}), "x-amz-acl", "bucket-owner-full-control")
	acl != "bucket-owner-full-control"
}

acl_needed if {
	some h, _ in object.get(req, "headers", {})
	startswith(lower(h), "x-amz-grant-")
}

# An upload with tags needs s3:PutObjectTagging.
tagging_needed if tagging != ""

# Requests S3 refuses before any policy: a wrong expected owner, an ACL on a bucket with
# ACLs disabled.
refused if {
	owner := object.get(object.get(req, "headers", {}), "x-amz-expected-bucket-owner", bucket_account)
	owner != bucket_account
}

refused if {
	some rule in as_list(object.get(object.get(bucket_facts, "ownership_controls", {}), "Rules", []))
	rule.ObjectOwnership == "BucketOwnerEnforced"
	acl_needed
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
}
