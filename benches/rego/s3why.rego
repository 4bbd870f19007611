# The core of s3why's PutObject decision, written as a Rego author would, for the
# benchmark baseline of benches/run.sh (run by regorus): identity-policy allow and deny
# with IAM wildcards on actions and resources, bucket-policy principals, allow and deny,
# the common condition operators (StringEquals/NotEquals/Like/NotLike, IpAddress,
# NotIpAddress, Bool; a missing key fails a positive operator and passes a negated one),
# SCP levels (every level must allow, any deny denies) and the VPC endpoint policy.
# Input: one s3why fact document. Not modelled: KMS, ACL permissions, Block Public
# Access, permissions boundaries, session policies, NotAction/NotResource/NotPrincipal.
package s3why

import rego.v1

req := input.request

principal := req.principal

principal_account := split(principal, ":")[4]

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
	"aws:PrincipalArn": principal,
	"aws:PrincipalAccount": principal_account,
	"aws:SecureTransport": sprintf("%v", [object.get(req, "secure_transport", true)]),
	"s3:ResourceAccount": bucket_account,
	"aws:ResourceAccount": bucket_account,
}

ctx := object.union(object.union(object.union(base_keys, header_keys), tag_keys), net_keys)

# Policy grammar: single values or lists.
as_list(x) := x if is_array(x)

as_list(x) := [x] if not is_array(x)

statements(doc) := as_list(doc.Statement)

action_match(st) if {
	some a in as_list(st.Action)
	glob.match(lower(a), null, lower(action))
}

resource_match(st) if {
	some r in as_list(st.Resource)
	glob.match(r, null, object_arn)
}

applies(st, effect) if {
	st.Effect == effect
	action_match(st)
	resource_match(st)
	conditions_met(st)
}

conditions_met(st) if not st.Condition

conditions_met(st) if {
	st.Condition
	every op, keys in st.Condition {
		every key, values in keys {
			condition(op, key, as_list(values))
		}
	}
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

identity_allow if {
	some st in identity_statements
	applies(st, "Allow")
}

identity_deny if {
	some st in identity_statements
	applies(st, "Deny")
}

# The bucket policy.
bucket_statements := statements(bucket_facts.policy) if bucket_facts.policy else := []

principal_names(st) := ["*"] if st.Principal == "*"

principal_names(st) := as_list(st.Principal.AWS) if st.Principal.AWS

names_user(st) if {
	some p in principal_names(st)
	p in {"*", principal}
}

names_account(st) if {
	some p in principal_names(st)
	p in {principal_account, concat("", ["arn:aws:iam::", principal_account, ":root"])}
}

bucket_allow_user if {
	some st in bucket_statements
	names_user(st)
	applies(st, "Allow")
}

bucket_allow_account if {
	some st in bucket_statements
	names_account(st)
	applies(st, "Allow")
}

bucket_deny if {
	some st in bucket_statements
	names_user(st)
	applies(st, "Deny")
}

bucket_deny if {
	some st in bucket_statements
	names_account(st)
	applies(st, "Deny")
}

# SCPs: every level above the principal's account must allow; any deny denies.
account_facts := object.get(object.get(input, "accounts", {}), principal_account, {})

scp_levels := [] if object.get(account_facts, "management", false) else := object.get(account_facts, "scps", [])

level_allows(level) if {
	some p in level.policies
	some st in statements(p.document)
	applies(st, "Allow")
}

scp_allow if {
	every level in scp_levels {
		level_allows(level)
	}
}

scp_deny if {
	some level in scp_levels
	some p in level.policies
	some st in statements(p.document)
	applies(st, "Deny")
}

# The VPC endpoint policy (absent: the default, which allows everything).
vpce_statements := statements(input.vpc_endpoint.policy)

vpce_allow if not req.vpc_endpoint

vpce_allow if {
	req.vpc_endpoint
	not input.vpc_endpoint.policy
}

vpce_allow if {
	some st in vpce_statements
	applies(st, "Allow")
}

vpce_deny if {
	req.vpc_endpoint
	some st in vpce_statements
	applies(st, "Deny")
}

explicit_deny if identity_deny

explicit_deny if bucket_deny

explicit_deny if scp_deny

explicit_deny if vpce_deny

# Same account: an identity grant or a grant to the user in the bucket policy. Another
# account: both an identity grant and a bucket-policy grant (to the user or the account).
granted if {
	same_account
	identity_allow
}

granted if {
	same_account
	bucket_allow_user
}

granted if {
	not same_account
	identity_allow
	bucket_allow_user
}

granted if {
	not same_account
	identity_allow
	bucket_allow_account
}

default allowed := false

allowed if {
	not explicit_deny
	scp_allow
	vpce_allow
	granted
}
