#!/usr/bin/env python3
"""Seeded corpus generator with a statements-per-policy scale, for benches/run.sh.

benches/run.sh takes its main corpus from `s3why corpus --profile realistic`; this
generator (written before that command existed) makes the 1x/4x/16x corpora, which need
`--scale`.

Seeded and deterministic: `gen_corpus.py --seed N --count M [--scale K]` prints M fact
documents as NDJSON. Accounts have 1 to 8 identity policies of 3 to 40 statements
(wildcard actions and resources, denies, conditions), bucket policies of 2 to 25
statements with the source document's conditions (aws:SourceIp, storage class, ACL,
encryption, aws:SourceVpce), VPC endpoints, SCP levels, same- and cross-account
uploaders; about 12 KB a record. `--scale K` multiplies the statement counts by K, for
the statements-per-policy curve. No KMS keys: the Rego baseline does not model KMS.
"""
import argparse
import json
import random

ACCOUNTS = ["111122223333", "444455556666", "777788889999", "123456789012"]
ACTIONS = ["s3:PutObject", "s3:GetObject", "s3:Get*", "s3:Put*", "s3:*", "s3:List*",
           "s3:DeleteObject", "s3:PutObjectAcl", "ec2:Describe*", "logs:PutLogEvents",
           "dynamodb:GetItem", "kms:Decrypt", "sqs:SendMessage", "s3:AbortMultipartUpload"]
TEAMS = ["data", "web", "ml", "ops", "finance"]
CLASSES = ["STANDARD", "STANDARD_IA", "INTELLIGENT_TIERING", "GLACIER"]


def cond(rng, vpce):
    kind = rng.randrange(7)
    if kind == 0:
        return {"IpAddress": {"aws:SourceIp": [f"203.0.{rng.randrange(256)}.0/24", "198.51.100.0/24"]}}
    if kind == 1:
        return {"StringEquals": {"aws:PrincipalTag/team": rng.choice(TEAMS)}}
    if kind == 2:
        return {"Bool": {"aws:SecureTransport": "true"}}
    if kind == 3:
        return {"StringLike": {"s3:x-amz-storage-class": rng.choice(["STANDARD*", "*IA", "GLACIER"])}}
    if kind == 4:
        return {"StringEquals": {"s3:x-amz-server-side-encryption": "AES256"}}
    if kind == 5:
        return {"StringEquals": {"aws:SourceVpce": vpce}}
    return {"StringNotEquals": {"aws:PrincipalAccount": rng.choice(ACCOUNTS)}}


def identity_statement(rng, i, bucket, buckets, vpce):
    effect = "Deny" if rng.random() < 0.15 else "Allow"
    actions = rng.sample(ACTIONS, rng.randrange(1, 4))
    target = bucket if rng.random() < 0.35 else rng.choice(buckets)
    resources = [rng.choice([f"arn:aws:s3:::{target}/*", f"arn:aws:s3:::{target}/uploads/*",
                             f"arn:aws:s3:::{target}", f"arn:aws:s3:::{target[:6]}*/*", "*",
                             f"arn:aws:dynamodb:us-east-1:{ACCOUNTS[0]}:table/t{i}"])
                 for _ in range(rng.randrange(1, 3))]
    if effect == "Deny":
        # Denies are mostly for other actions, as in real accounts.
        actions = rng.sample(["s3:DeleteBucket", "s3:PutBucketPolicy", "iam:*", "s3:PutObjectRetention",
                              "ec2:TerminateInstances", "s3:DeleteObject*"], 2)
        if rng.random() < 0.03:
            actions.append("s3:PutObject")
    st = {"Sid": f"S{i}", "Effect": effect, "Action": actions, "Resource": resources}
    if rng.random() < 0.3:
        st["Condition"] = cond(rng, vpce)
    return st


def bucket_statement(rng, i, bucket, account, principal, vpce):
    effect = "Deny" if rng.random() < 0.3 else "Allow"
    who = rng.choice(["*", {"AWS": account}, {"AWS": principal},
                      {"AWS": f"arn:aws:iam::{rng.choice(ACCOUNTS)}:user/u{rng.randrange(50)}"},
                      {"AWS": rng.choice(ACCOUNTS)}])
    st = {"Sid": f"B{i}", "Effect": effect, "Principal": who,
          "Action": rng.sample(["s3:PutObject", "s3:GetObject", "s3:*", "s3:Put*", "s3:ListBucket"],
                               rng.randrange(1, 3)),
          "Resource": [f"arn:aws:s3:::{bucket}/*", f"arn:aws:s3:::{bucket}"]}
    if effect == "Deny" and rng.random() < 0.85:
        # Most bucket-policy denies guard other actions.
        st["Action"] = rng.sample(["s3:DeleteObject", "s3:PutBucketAcl", "s3:GetObject",
                                   "s3:DeleteBucket", "s3:PutLifecycleConfiguration"], 2)
    if effect == "Deny":
        st["Condition"] = rng.choice([
            {"NotIpAddress": {"aws:SourceIp": "54.240.143.0/24"}},
            {"StringNotEquals": {"s3:x-amz-server-side-encryption": "AES256"}},
            {"StringNotLike": {"s3:x-amz-storage-class": "STANDARD*"}},
            {"Bool": {"aws:SecureTransport": "false"}},
            {"StringNotEquals": {"aws:SourceVpce": vpce}},
            {"StringEquals": {"s3:x-amz-acl": "public-read"}},
        ])
    elif rng.random() < 0.5:
        st["Condition"] = cond(rng, vpce)
    return st


def policy(statements):
    return {"Version": "2012-10-17", "Statement": statements}


def record(rng, scale):
    account = ACCOUNTS[0]
    bucket_account = account if rng.random() < 0.7 else rng.choice(ACCOUNTS[1:])
    user = f"u{rng.randrange(50)}"
    principal = f"arn:aws:iam::{account}:user/{user}"
    buckets = [f"{t}-bucket-{n}" for t in TEAMS for n in range(4)]
    bucket = rng.choice(buckets)
    vpce = f"vpce-{rng.randrange(16**8):08x}"
    through_vpce = rng.random() < 0.2
    headers = {}
    if rng.random() < 0.5:
        headers["x-amz-storage-class"] = rng.choice(CLASSES)
    if rng.random() < 0.6:
        headers["x-amz-server-side-encryption"] = "AES256"
    if rng.random() < 0.2:
        headers["x-amz-acl"] = "bucket-owner-full-control"
    request = {"principal": principal, "action": "s3:PutObject", "bucket": bucket,
               "key": f"uploads/{rng.randrange(10**6)}.bin", "headers": headers,
               "secure_transport": rng.random() < 0.95}
    if through_vpce:
        request.update({"vpc_endpoint": vpce, "source_vpc": "vpc-111bbb22", "vpc_source_ip": "10.0.1.17"})
    else:
        request["source_ip"] = rng.choice(["54.240.143.7", "203.0.113.7", f"198.51.100.{rng.randrange(256)}"])
    n_policies = rng.choice([1, 1, 1, 2, 2, 3, 4, 8])
    ids = iter(range(10**6))
    policies = [{"name": f"P{p}", "document": policy(
        [identity_statement(rng, next(ids), bucket, buckets, vpce) for _ in range(rng.randrange(3, 41) * scale)])}
        for p in range(n_policies)]
    # Most uploaders are granted the upload somewhere, so that outcomes are mixed.
    if rng.random() < 0.75:
        policies[rng.randrange(n_policies)]["document"]["Statement"].append(
            {"Sid": "AllowUpload", "Effect": "Allow", "Action": ["s3:PutObject"],
             "Resource": f"arn:aws:s3:::{bucket}/*"})
    bucket_statements = [bucket_statement(rng, i, bucket, account, principal, vpce)
                         for i in range(rng.randrange(2, 26) * scale)]
    facts = {
        "request": request,
        "identity": {"policies": policies, "tags": {"team": rng.choice(TEAMS)}},
        "bucket": {"account": bucket_account, "region": "us-east-1", "policy": policy(bucket_statements)},
    }
    levels = []
    for level in range(rng.randrange(0, 4)):
        docs = [{"name": "FullAWSAccess", "document": policy(
            [{"Effect": "Allow", "Action": "*", "Resource": "*"}])}]
        if rng.random() < 0.3:
            docs.append({"name": f"Guard{level}", "document": policy(
                [{"Effect": "Deny", "Action": rng.choice(["s3:PutObject", "s3:DeleteBucket", "iam:*"]),
                  "Resource": "*",
                  "Condition": {"StringNotEquals": {"aws:PrincipalTag/team": rng.choice(TEAMS)}}}])})
        levels.append({"target": f"ou-{level}", "policies": docs})
    if levels:
        facts["accounts"] = {account: {"organization": "o-a1b2c3d4e5", "scps": levels}}
    if through_vpce:
        vp = None
        if rng.random() < 0.7:
            vp = policy([{"Effect": "Allow", "Principal": "*", "Action": "s3:*",
                          "Resource": [f"arn:aws:s3:::{b}/*" for b in rng.sample(buckets, 6)]}])
        facts["vpc_endpoint"] = {"id": vpce, "type": "Gateway"}
        if vp:
            facts["vpc_endpoint"]["policy"] = vp
    return facts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--scale", type=int, default=1, help="multiplies the statements per policy")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    for _ in range(a.count):
        print(json.dumps(record(rng, a.scale), separators=(",", ":")))


if __name__ == "__main__":
    main()
