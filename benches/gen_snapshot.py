#!/usr/bin/env python3
"""Seeded generator of an account snapshot folder, for benchmarking `s3why batch --snapshot`.

    gen_snapshot.py --seed 7 --principals 200 --buckets 500 [--request FILE] OUTDIR

writes OUTDIR (deleted first, if it is an earlier snapshot or empty) in the layout of
docs/aws-data.md ("The account snapshot folder"), every file shaped like the AWS CLI
output that fills it, as in tests/fixtures/awsdata/snapshot/: URL-encoded IAM documents
with every managed policy version, bucket policies and key policies as JSON strings,
list-policies-for-target summaries. `--request FILE` also writes the request template to check it with (an
upload of incoming/2026/11/28/batch-0001.csv, storage class STANDARD, from
203.0.113.7, over TLS, with no encryption header):

    s3why batch --quiet --snapshot OUTDIR --request FILE

One account, 111122223333 (us-east-1), in an organization: root -> OU -> account, SCPs
FullAWSAccess plus two guardrail SCPs at the OU, RCPs RCPFullAWSAccess plus a
data-perimeter RCP. In it:

* Principals: about 75% IAM users, 25% roles. Users belong to 8 teams and get their
  permissions through 8 groups (1 to 3 attached managed policies each, 3 to 25
  statements, several versions, sometimes an inline group policy); about 80% of users
  have only their team's groups and the team's tags, so many users have identical
  permissions on purpose (a batch can evaluate identical principals once). The other
  20% add their team's usual extra attached policy or permissions boundary, or (a fifth
  of them) an inline policy of their own; one or two carry a tag an SCP denies. About
  half the roles are stamped from a few templates (same attached policies, same tags, no
  inline policy); the others have the inline policy of their workload kind, some also a
  unique one, some a boundary. 200 principals fall into about 40 classes of identical
  groups, policies, boundary and tags.
* Buckets named <team>-<purpose>-<nnnn>: about 20% without a bucket policy, the others
  with 2 to 25 statements (TLS-only, encryption-header and KMS-key requirements, source
  IP and VPC endpoint restrictions, storage-class rules, grants to the account root or
  to one or two of the account's roles and users, service and cross-account grants);
  default encryption SSE-S3 (~50%), SSE-KMS with the customer key (~30%) or aws/s3
  (~5%), none otherwise; Object Ownership, Block Public Access, Requester Pays, Region
  and Object Lock settings mixed.
* KMS: a customer managed key (key policy: root delegation and key use for the ETL
  roles), the aws/s3 key with AWS's managed-key policy, aliases. One S3 gateway VPC
  endpoint.

With the template request about 11% to 13% of the pairs are allowed (seeds 1, 2, 7); the
denials have varied causes (no identity allow, bucket-policy denies on the encryption
header, KMS key, source IP, VPC endpoint, storage class or ACL, account-only grants,
identity denies, KMS permissions, permissions boundaries, an SCP).
Standard library only; the same seed and sizes give byte-identical folders.
"""
import argparse
import json
import os
import random
import shutil
import string
import sys
import urllib.parse

ACCT = "111122223333"
REGION = "us-east-1"
MGMT = "999988887777"
PARTNER = "444455556666"
TEMPLATE = {"key": "incoming/2026/11/28/batch-0001.csv",
            "headers": {"x-amz-storage-class": "STANDARD"},
            "source_ip": "203.0.113.7"}

# Bucket name prefixes: (team, weight, purposes).
BUCKET_TEAMS = [
    ("data", 22, ["raw", "curated", "staging", "landing"]),
    ("analytics", 12, ["reports", "exports", "scratch"]),
    ("web", 12, ["assets", "static", "uploads"]),
    ("ml", 10, ["models", "features", "training"]),
    ("ops", 8, ["artifacts", "config", "backups"]),
    ("finance", 8, ["invoices", "ledger", "exports"]),
    ("ingest", 10, ["incoming", "partner-drop"]),
    ("logs", 10, ["access", "cloudtrail", "alb"]),
    ("backup", 4, ["db", "vault"]),
    ("shared", 4, ["tmp", "exchange"]),
]

# Groups: the bucket-name globs they may write and read, and whether they may use the
# customer managed key.
GROUPS = {
    "data-engineers": {"write": ["data-*", "ingest-*"], "read": ["analytics-*", "logs-*"], "kms": True},
    "analysts": {"write": ["analytics-scratch-*", "analytics-exports-*"],
                 "read": ["data-curated-*", "analytics-*", "finance-exports-*"], "kms": False},
    "uploaders": {"write": ["ingest-*", "shared-exchange-*", "data-landing-*"], "read": [], "kms": True},
    "web-deploy": {"write": ["web-*"], "read": ["ops-artifacts-*"], "kms": False},
    "ml": {"write": ["ml-*"], "read": ["data-*", "analytics-*"], "kms": True},
    "ops": {"write": ["*"], "read": ["*"], "kms": True},
    "finance": {"write": ["finance-*"], "read": ["analytics-reports-*"], "kms": True},
    "readonly": {"write": [], "read": ["*"], "kms": False},
}

# People teams: (team, weight, cost center, [(weight, groups)], the team's usual
# additions for the users who have some: (extra attached policies, boundary)).
TEAMS = [
    ("data", 24, "cc-1010", [(3, ["data-engineers"]), (2, ["data-engineers", "uploaders"])],
     (["ExportsWriter"], None)),
    ("analytics", 16, "cc-1020", [(1, ["analysts"])], (["AthenaQueryResults"], None)),
    ("web", 14, "cc-1030", [(3, ["web-deploy"]), (1, ["web-deploy", "uploaders"])], ([], "DeveloperBoundary")),
    ("ml", 10, "cc-1040", [(1, ["ml", "data-engineers"])], (["SandboxUploads"], "DeveloperBoundary")),
    ("ops", 6, "cc-1050", [(1, ["ops"])], (["AthenaQueryResults"], None)),
    ("finance", 10, "cc-1060", [(1, ["finance"])], ([], "S3ReadOnlyBoundary")),
    ("ingest", 10, "cc-1070", [(1, ["uploaders"])], ([], "DeveloperBoundary")),
    ("support", 10, "cc-1080", [(1, ["readonly"])], (["SandboxUploads"], None)),
]
EXTRA_WRITES = {"ExportsWriter": ["*-exports-*"], "SandboxUploads": ["shared-tmp-*", "analytics-scratch-*"],
                "AthenaQueryResults": ["analytics-scratch-*"]}

# Role templates: (name, path, team, service, customer policy (writes, reads, kms),
# AWS managed policies, boundary).
ROLE_TEMPLATES = [
    ("lambda-ingest", "/service-role/", "ingest", "lambda", (["ingest-*"], ["shared-*"], True),
     ["service-role/AWSLambdaBasicExecutionRole"], None),
    ("glue-etl", "/service-role/", "data", "glue", (["data-*"], ["ingest-*", "logs-*"], True),
     ["service-role/AWSGlueServiceRole"], None),
    ("ecs-web-task", "/", "web", "ecs-tasks", (["web-uploads-*", "web-assets-*"], ["web-*"], False),
     [], None),
    ("sagemaker-exec", "/service-role/", "ml", "sagemaker", (["ml-*"], ["data-curated-*"], True),
     [], "ServiceRoleBoundary"),
    ("ec2-ops-agent", "/", "ops", "ec2", (["ops-artifacts-*"], [], False),
     ["AmazonS3ReadOnlyAccess"], None),
]

# Roles with an inline policy of their workload kind: (kind, team, service, writes,
# reads, kms, AWS managed policies, boundary).
ROLE_KINDS = [
    ("etl", "data", "glue", ["data-*"], ["ingest-*"], True, [], None),
    ("export", "analytics", "lambda", ["analytics-exports-*", "finance-exports-*"], ["data-curated-*"], True,
     ["service-role/AWSLambdaBasicExecutionRole"], None),
    ("backup", "ops", "backup", ["backup-*", "ops-backups-*"], ["*"], True, [], None),
    ("deploy", "web", "codebuild", ["web-*"], ["ops-artifacts-*"], False, [], "ServiceRoleBoundary"),
    ("partner-sync", "ingest", "transfer", ["ingest-partner-drop-*"], [], True, [], "ServiceRoleBoundary"),
    ("report", "finance", "lambda", ["finance-*"], ["analytics-reports-*"], True,
     ["service-role/AWSLambdaBasicExecutionRole"], None),
]
ROLE_WORDS = ["orders", "billing", "clicks", "events", "catalog", "users", "payments", "search",
              "inventory", "sessions", "ledger", "audit", "metrics", "partners", "shipping"]
FIRST = ["alex", "sam", "maria", "li", "noah", "emma", "omar", "yuki", "priya", "lucas", "ana",
         "ivan", "chen", "fatima", "jonas", "sofia", "diego", "mei", "ravi", "nina", "tom", "aisha",
         "kofi", "lena", "mateo", "sara", "hugo", "zoe", "arjun", "eva"]
LAST = ["smith", "garcia", "kim", "nguyen", "muller", "rossi", "tanaka", "silva", "khan", "novak",
        "brown", "lopez", "wang", "okafor", "jensen", "dubois", "costa", "ali", "berg", "moreau"]
ID_CHARS = string.ascii_uppercase + "234567"
S3_WRITE = ["s3:PutObject", "s3:Put*", "s3:*", "s3:*Object",
            ["s3:PutObject", "s3:PutObjectTagging"], ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"]]
S3_READ = ["s3:GetObject", "s3:Get*", ["s3:GetObject", "s3:GetObjectVersion"], ["s3:Get*", "s3:List*"]]


class Gen:
    def __init__(self, seed, n_principals, n_buckets):
        self.rng = random.Random(seed)
        self.n_principals = n_principals
        self.n_buckets = n_buckets
        rng = self.rng
        self.key_id = self.uuid()
        self.key_arn = f"arn:aws:kms:{REGION}:{ACCT}:key/{self.key_id}"
        self.aws_key_id = self.uuid()
        self.vpce = "vpce-0" + "".join(rng.choice("0123456789abcdef") for _ in range(16))
        self.org = "o-" + self.lower(10)
        self.root_id = "r-" + self.lower(4)
        self.ou_id = f"ou-{self.root_id[2:]}-{self.lower(8)}"
        self.policies = {}  # ARN -> managed policy entry (without counts)
        self.attach_count = {}
        self.boundary_count = {}

    # --- small helpers -------------------------------------------------------------
    def lower(self, n):
        return "".join(self.rng.choice(string.ascii_lowercase + string.digits) for _ in range(n))

    def uuid(self):
        h = "".join(self.rng.choice("0123456789abcdef") for _ in range(32))
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def iam_id(self, prefix):
        return prefix + "".join(self.rng.choice(ID_CHARS) for _ in range(17))

    def when(self, lo=2019, hi=2025):
        r = self.rng
        return (f"{r.randint(lo, hi)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"
                f"T{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}+00:00")

    def count(self, lo=3, hi=25):
        # Mostly short policies, a tail of long ones.
        return min(hi, lo + int(self.rng.expovariate(1 / 5)))

    def iam_text(self, doc):
        """A document as IAM returns it: URL-encoded, with its author's whitespace."""
        text = (json.dumps(doc, indent=4) if self.rng.random() < 0.4
                else json.dumps(doc, separators=(",", ":")))
        return urllib.parse.quote(text, safe="")

    # --- identity policies ---------------------------------------------------------
    def objects(self, globs):
        out = []
        for g in globs:
            if g == "*":
                out.append(self.rng.choice(["arn:aws:s3:::*/*", "*"]))
                continue
            form = self.rng.choices(["all", "incoming", "other"], [6, 3, 1])[0]
            suffix = {"all": "/*", "incoming": "/incoming/*",
                      "other": "/" + self.rng.choice(["exports", "tmp", "reports", "archive"]) + "/*"}[form]
            out.append(f"arn:aws:s3:::{g}{suffix}")
        return out

    def kms_statement(self):
        st = {"Sid": "UseS3DataKey", "Effect": "Allow",
              "Action": self.rng.choice([["kms:GenerateDataKey", "kms:Decrypt"],
                                         ["kms:GenerateDataKey*", "kms:Decrypt", "kms:DescribeKey"],
                                         ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"]]),
              "Resource": self.key_arn}
        if self.rng.random() < 0.4:
            st["Condition"] = {"StringEquals": {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}}
        return st

    def filler(self, team):
        """A statement that mostly concerns other actions, as most of a real policy does."""
        r = self.rng
        k = r.randrange(19)
        if k == 0:
            return {"Sid": "Describe", "Effect": "Allow", "Action": ["ec2:Describe*", "elasticloadbalancing:Describe*"], "Resource": "*"}
        if k == 1:
            return {"Sid": "Logs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                    "Resource": f"arn:aws:logs:{REGION}:{ACCT}:log-group:/app/{team}/*"}
        if k == 2:
            return {"Sid": "Metrics", "Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*",
                    "Condition": {"StringEquals": {"cloudwatch:namespace": f"{team.capitalize()}/App"}}}
        if k == 3:
            return {"Sid": "Tables", "Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"],
                    "Resource": f"arn:aws:dynamodb:{REGION}:{ACCT}:table/{team}-{r.choice(ROLE_WORDS)}"}
        if k == 4:
            return {"Sid": "Queues", "Effect": "Allow", "Action": ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"],
                    "Resource": f"arn:aws:sqs:{REGION}:{ACCT}:{team}-*"}
        if k == 5:
            st = {"Sid": "ListTeamBuckets", "Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
                  "Resource": f"arn:aws:s3:::{team}-*"}
            if r.random() < 0.5:
                st["Condition"] = {"StringLike": {"s3:prefix": ["", "incoming/*", "exports/*"]}}
            return st
        if k == 6:
            return {"Sid": "ReadShared", "Effect": "Allow", "Action": r.choice(S3_READ),
                    "Resource": self.objects([r.choice(["shared-*", "ops-config-*", "analytics-reports-*"])])}
        if k == 7:
            return {"Sid": "ListAll", "Effect": "Allow", "Action": ["s3:ListAllMyBuckets", "s3:GetBucketLocation"], "Resource": "*"}
        if k == 8:
            return {"Sid": "Athena", "Effect": "Allow", "Action": ["athena:StartQueryExecution", "athena:GetQuery*", "athena:ListWorkGroups"],
                    "Resource": "*"}
        if k == 9:
            return {"Sid": "Catalog", "Effect": "Allow", "Action": ["glue:GetDatabase*", "glue:GetTable*", "glue:GetPartitions"],
                    "Resource": [f"arn:aws:glue:{REGION}:{ACCT}:catalog", f"arn:aws:glue:{REGION}:{ACCT}:database/{team}*",
                                 f"arn:aws:glue:{REGION}:{ACCT}:table/{team}*/*"]}
        if k == 10:
            return {"Sid": "Params", "Effect": "Allow", "Action": ["ssm:GetParameter", "ssm:GetParametersByPath"],
                    "Resource": f"arn:aws:ssm:{REGION}:{ACCT}:parameter/{team}/*"}
        if k == 11:
            return {"Sid": "DenyOtherRegions", "Effect": "Deny",
                    "Action": ["ec2:RunInstances", "rds:CreateDBInstance", "lambda:CreateFunction"], "Resource": "*",
                    "Condition": {"StringNotEquals": {"aws:RequestedRegion": [REGION, "us-west-2"]}}}
        if k == 12:
            return {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Action": "s3:*", "Resource": "*",
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
        if k == 13:
            return {"Sid": "DenyPublicObjects", "Effect": "Deny", "Action": ["s3:PutObject", "s3:PutObjectAcl"], "Resource": "*",
                    "Condition": {"StringEquals": {"s3:x-amz-acl": ["public-read", "public-read-write", "authenticated-read"]}}}
        if k == 14:
            return {"Sid": "DenyBucketChanges", "Effect": "Deny",
                    "Action": ["s3:DeleteBucket", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutEncryptionConfiguration"],
                    "Resource": "*"}
        if k == 15:
            return {"Sid": "DenyWrongEncryptionHeader", "Effect": "Deny", "Action": "s3:PutObject", "Resource": "*",
                    "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": ["AES256", "aws:kms"]},
                                  "Null": {"s3:x-amz-server-side-encryption": "false"}}}
        if k == 16:
            return {"Sid": "Secrets", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
                    "Resource": f"arn:aws:secretsmanager:{REGION}:{ACCT}:secret:{team}/*",
                    "Condition": {"StringEquals": {"aws:ResourceTag/team": team}}}
        if k == 17:
            return {"Sid": "DenyColdClasses", "Effect": "Deny", "Action": "s3:PutObject", "Resource": "*",
                    "Condition": {"StringEqualsIfExists": {"s3:x-amz-storage-class": ["GLACIER", "DEEP_ARCHIVE"]}}}
        return {"Sid": "Notify", "Effect": "Allow", "Action": "sns:Publish",
                "Resource": f"arn:aws:sns:{REGION}:{ACCT}:{team}-alerts"}

    def access_doc(self, team, writes, reads, kms, n):
        r = self.rng
        st = []
        if writes:
            st.append({"Sid": "WriteBuckets", "Effect": "Allow",
                       "Action": "s3:*" if "*" in writes else r.choice(S3_WRITE),
                       "Resource": self.objects(writes)})
        if reads:
            st.append({"Sid": "ReadBuckets", "Effect": "Allow", "Action": r.choice(S3_READ),
                       "Resource": self.objects(reads)})
        if kms:
            st.append(self.kms_statement())
        while len(st) < n:
            st.append(self.filler(team))
        r.shuffle(st)
        return finish(st)

    def managed(self, name, make, path="/", aws=False):
        """Registers a managed policy with 1 to 5 versions; `make()` builds one version."""
        arn = (f"arn:aws:iam::aws:policy{path}{name}" if aws
               else f"arn:aws:iam::{ACCT}:policy{path}{name}")
        if arn in self.policies:
            return arn
        r = self.rng
        k = r.choice([1, 1, 2, 2, 3, 4, 5])
        first = r.randint(1, 4)
        docs = [make() for _ in range(k)]
        default = k - 1 if r.random() < 0.8 else r.randrange(k)
        created = self.when(2019, 2022)
        self.policies[arn] = {
            "PolicyName": name,
            "PolicyId": self.iam_id("ANPA"),
            "Arn": arn,
            "Path": path,
            "DefaultVersionId": f"v{first + default}",
            "AttachmentCount": 0,
            "PermissionsBoundaryUsageCount": 0,
            "IsAttachable": True,
            "CreateDate": created,
            "UpdateDate": self.when(2023, 2025),
            "PolicyVersionList": [
                {"Document": self.iam_text(d), "VersionId": f"v{first + i}",
                 "IsDefaultVersion": i == default, "CreateDate": self.when(2019, 2025)}
                for i, d in enumerate(docs)],
        }
        return arn

    def aws_managed(self, name):
        docs = {
            "AmazonS3ReadOnlyAccess": finish([{"Effect": "Allow", "Action": [
                "s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*", "s3-object-lambda:List*"], "Resource": "*"}]),
            "service-role/AWSLambdaBasicExecutionRole": finish([{"Effect": "Allow", "Action": [
                "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"}]),
            "service-role/AWSGlueServiceRole": finish([
                {"Effect": "Allow", "Action": ["glue:*", "s3:GetBucketLocation", "s3:ListBucket", "s3:ListAllMyBuckets",
                                               "s3:GetBucketAcl", "ec2:DescribeVpcEndpoints", "ec2:DescribeRouteTables",
                                               "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface",
                                               "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups",
                                               "ec2:DescribeSubnets", "ec2:DescribeVpcAttribute", "iam:ListRolePolicies",
                                               "iam:GetRole", "iam:GetRolePolicy", "cloudwatch:PutMetricData"],
                 "Resource": ["*"]},
                {"Effect": "Allow", "Action": ["s3:CreateBucket"], "Resource": ["arn:aws:s3:::aws-glue-*"]},
                {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                 "Resource": ["arn:aws:s3:::aws-glue-*/*", "arn:aws:s3:::*/*aws-glue-*/*"]},
                {"Effect": "Allow", "Action": ["s3:GetObject"],
                 "Resource": ["arn:aws:s3:::crawler-public*", "arn:aws:s3:::aws-glue-*"]},
                {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                 "Resource": ["arn:aws:logs:*:*:*:/aws-glue/*"]},
                {"Effect": "Allow", "Action": ["ec2:CreateTags", "ec2:DeleteTags"],
                 "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["aws-glue-service-resource"]}},
                 "Resource": ["arn:aws:ec2:*:*:network-interface/*", "arn:aws:ec2:*:*:security-group/*",
                              "arn:aws:ec2:*:*:instance/*"]}]),
        }
        path, _, short = name.rpartition("/")
        path = f"/{path}/" if path else "/"
        doc = docs[name]
        return self.managed(short, lambda: doc, path=path, aws=True)

    def boundary(self, name):
        r = self.rng
        if name == "DeveloperBoundary":
            make = lambda: finish([
                {"Sid": "Reads", "Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"},
                {"Sid": "SandboxWrites", "Effect": "Allow", "Action": ["s3:PutObject", "s3:DeleteObject"],
                 "Resource": ["arn:aws:s3:::*-scratch-*/*", "arn:aws:s3:::shared-*/*", "arn:aws:s3:::*-uploads-*/*"]},
                {"Sid": "Keys", "Effect": "Allow", "Action": ["kms:GenerateDataKey*", "kms:Decrypt"], "Resource": "*"},
                {"Sid": "Tools", "Effect": "Allow", "Action": ["ec2:Describe*", "logs:*", "cloudwatch:*", "athena:*", "glue:Get*"],
                 "Resource": "*"},
                {"Sid": "NoIam", "Effect": "Deny", "Action": ["iam:*", "organizations:*"], "Resource": "*"}])
        elif name == "S3ReadOnlyBoundary":
            make = lambda: finish([{"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"}])
        else:  # ServiceRoleBoundary
            make = lambda: finish([
                {"Sid": "Workloads", "Effect": "Allow",
                 "Action": ["s3:*", "kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey", "logs:*",
                            "cloudwatch:PutMetricData", "sqs:*", "dynamodb:*", "glue:*", "ec2:Describe*"],
                 "Resource": "*"},
                {"Sid": "NoFinanceData", "Effect": "Deny", "Action": "s3:*",
                 "Resource": ["arn:aws:s3:::finance-*", "arn:aws:s3:::finance-*/*"]},
                {"Sid": "NoIdentityChanges", "Effect": "Deny", "Action": ["iam:*", "organizations:*"], "Resource": "*"}])
        return self.managed(name, make, path="/boundary/")

    # --- the account -----------------------------------------------------------------
    def buckets(self):
        weights = [w for _, w, _ in BUCKET_TEAMS]
        out = []
        for i in range(self.n_buckets):
            team, _, purposes = self.rng.choices(BUCKET_TEAMS, weights)[0]
            out.append({"name": f"{team}-{self.rng.choice(purposes)}-{i:04d}", "team": team})
        return out

    def iam(self, buckets):
        r = self.rng
        n_roles = round(self.n_principals * 0.25) if self.n_principals > 1 else 0
        n_users = self.n_principals - n_roles

        groups = []
        for gname, spec in GROUPS.items():
            team = gname.split("-")[0]
            camel = "".join(p.capitalize() for p in gname.split("-"))
            attached = []
            if gname == "readonly":
                attached.append(self.aws_managed("AmazonS3ReadOnlyAccess"))
            else:
                attached.append(self.managed(f"{camel}S3Access", lambda: self.access_doc(
                    team, spec["write"], spec["read"], spec["kms"], self.count())))
                if gname == "analysts":
                    attached.append(self.aws_managed("AmazonS3ReadOnlyAccess"))
                if gname == "finance":
                    attached.append(self.managed("RequireSSEHeader", lambda: finish(
                        [{"Sid": "DenyUnencryptedUploads", "Effect": "Deny", "Action": "s3:PutObject", "Resource": "*",
                          "Condition": {"Null": {"s3:x-amz-server-side-encryption": "true"}}}]
                        + [self.filler("finance") for _ in range(self.count(2, 24))])))
                if gname == "ops":
                    attached.append(self.managed("OpsDenyFinanceWrites", lambda: finish(
                        [{"Sid": "DenyFinanceWrites", "Effect": "Deny", "Action": ["s3:PutObject", "s3:DeleteObject"],
                          "Resource": "arn:aws:s3:::finance-*/*"}]
                        + [self.filler("ops") for _ in range(self.count(2, 24))])))
            if len(attached) < 3 and r.random() < 0.6:
                attached.append(self.managed("BaselineGuardrails", lambda: finish(
                    [self.filler("shared") for _ in range(self.count())])))
            inline = []
            if r.random() < 0.4:
                inline.append({"PolicyName": f"{gname}-bucket-listing", "PolicyDocument": self.iam_text(finish([
                    {"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
                     "Resource": [f"arn:aws:s3:::{g}" for g in (spec["write"] + spec["read"])[:3] or ["*"]]},
                    {"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}]))})
            groups.append({
                "Path": "/", "GroupName": gname, "GroupId": self.iam_id("AGPA"),
                "Arn": f"arn:aws:iam::{ACCT}:group/{gname}", "CreateDate": self.when(2019, 2021),
                "GroupPolicyList": inline,
                "AttachedManagedPolicies": [self.attach(a) for a in attached]})

        users = []
        names = set()
        suspended = 0
        for i in range(n_users):
            team, _, cc, variants, (extras, extra_boundary) = r.choices(TEAMS, [t[1] for t in TEAMS])[0]
            member = r.choices([v for _, v in variants], [w for w, _ in variants])[0]
            while True:
                name = f"{r.choice(FIRST)}.{r.choice(LAST)}"
                if name in names:
                    name += str(r.randint(2, 99))
                if name not in names:
                    break
            names.add(name)
            path = "/contractors/" if team in ("ingest", "support") and r.random() < 0.3 else "/"
            u = {"Path": path, "UserName": name, "UserId": self.iam_id("AIDA"),
                 "Arn": f"arn:aws:iam::{ACCT}:user{path}{name}", "CreateDate": self.when(),
                 "UserPolicyList": [], "GroupList": list(member), "AttachedManagedPolicies": [],
                 "Tags": [{"Key": "team", "Value": team}, {"Key": "cost-center", "Value": cc}]}
            if r.random() < 0.2:
                # Additions: mostly the team's usual ones (an extra attached policy, a
                # boundary), on the team's main groups; a fifth a policy of their own.
                u["GroupList"] = list(variants[0][1])
                if r.random() < 0.2:
                    targets = r.sample(buckets, min(len(buckets), r.randint(1, 2)))
                    st = [{"Sid": "PersonalUploads", "Effect": "Allow", "Action": r.choice(S3_WRITE[:2]),
                           "Resource": [f"arn:aws:s3:::{b['name']}/{r.choice(['*', 'incoming/*'])}" for b in targets]}]
                    if r.random() < 0.5:
                        st.append(self.kms_statement())
                    u["UserPolicyList"].append({"PolicyName": f"{name.replace('.', '-')}-uploads",
                                                "PolicyDocument": self.iam_text(finish(st))})
                else:
                    for pick in extras:
                        u["AttachedManagedPolicies"].append(self.attach(self.managed(pick, lambda: self.access_doc(
                            "shared", EXTRA_WRITES[pick], [], pick != "AthenaQueryResults", self.count()))))
                    if extra_boundary:
                        u["PermissionsBoundary"] = self.bound(self.boundary(extra_boundary))
            elif team == "data" and suspended < 2 and r.random() < 0.1:
                # Access under review: an SCP denies everything to this tag.
                suspended += 1
                u["GroupList"] = list(variants[0][1])
                u["Tags"].append({"Key": "access-status", "Value": "suspended"})
            users.append(u)

        roles = []
        kind_docs = {}
        for i in range(n_roles):
            if i % 2 == 0:
                name, path, team, service, (w, rd, kms), aws, bnd = ROLE_TEMPLATES[(i // 2) % len(ROLE_TEMPLATES)]
                role_name = f"{name}-{r.choice(ROLE_WORDS)}-{i:03d}"
                camel = "".join(p.capitalize() for p in name.split("-"))
                attached = [self.managed(f"{camel}Access", lambda: self.access_doc(team, w, rd, kms, self.count()))]
                attached += [self.aws_managed(a) for a in aws]
                tags = [{"Key": "team", "Value": team}, {"Key": "managed-by", "Value": "terraform"},
                        {"Key": "template", "Value": name}]
                inline = []
            else:
                kind, team, service, w, rd, kms, aws, bnd = ROLE_KINDS[r.randrange(len(ROLE_KINDS))]
                path = r.choice(["/", "/app/"])
                role_name = f"{kind}-{r.choice(ROLE_WORDS)}-{i:03d}"
                if kind not in kind_docs:
                    kind_docs[kind] = self.iam_text(self.access_doc(team, w, rd, kms, self.count(3, 12)))
                inline = [{"PolicyName": f"{kind}-access", "PolicyDocument": kind_docs[kind]}]
                if r.random() < 0.1:
                    b = r.choice(buckets)["name"]
                    inline.append({"PolicyName": "extra-bucket", "PolicyDocument": self.iam_text(finish([
                        {"Sid": "ExtraBucket", "Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"],
                         "Resource": f"arn:aws:s3:::{b}/*"}]))})
                attached = [self.aws_managed(a) for a in aws]
                tags = [{"Key": "team", "Value": team}, {"Key": "workload", "Value": kind}]
            trust = finish([{"Effect": "Allow", "Principal": {"Service": f"{service}.amazonaws.com"},
                             "Action": "sts:AssumeRole"}])
            role = {"Path": path, "RoleName": role_name, "RoleId": self.iam_id("AROA"),
                    "Arn": f"arn:aws:iam::{ACCT}:role{path}{role_name}", "CreateDate": self.when(),
                    "AssumeRolePolicyDocument": self.iam_text(trust), "InstanceProfileList": [],
                    "RolePolicyList": inline, "AttachedManagedPolicies": [self.attach(a) for a in attached],
                    "Tags": tags, "RoleLastUsed": {"LastUsedDate": self.when(2025, 2025), "Region": REGION}}
            if bnd:
                role["PermissionsBoundary"] = self.bound(self.boundary(bnd))
            roles.append(role)

        policies = []
        for arn, p in self.policies.items():
            p = dict(p)
            p["AttachmentCount"] = self.attach_count.get(arn, 0)
            p["PermissionsBoundaryUsageCount"] = self.boundary_count.get(arn, 0)
            policies.append(p)
        auth = {"UserDetailList": users, "GroupDetailList": groups, "RoleDetailList": roles,
                "Policies": policies, "IsTruncated": False}
        return auth, users, roles

    def attach(self, arn):
        self.attach_count[arn] = self.attach_count.get(arn, 0) + 1
        return {"PolicyName": self.policies[arn]["PolicyName"], "PolicyArn": arn}

    def bound(self, arn):
        self.boundary_count[arn] = self.boundary_count.get(arn, 0) + 1
        return {"PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": arn}

    # --- buckets -----------------------------------------------------------------------
    def bucket_policy(self, b, sse, principals, admin_role):
        r = self.rng
        arn = f"arn:aws:s3:::{b['name']}"
        objs = arn + "/*"
        st = []
        if r.random() < 0.7:
            st.append({"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                       "Resource": [arn, objs], "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
        x = r.random()
        alg = "aws:kms" if sse.startswith("kms") else "AES256"
        if x < 0.16:
            st.append({"Sid": "DenyIncorrectEncryptionHeader", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
                       "Resource": objs, "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": alg}}})
            if r.random() < 0.5:
                st.append({"Sid": "DenyUnencryptedObjectUploads", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
                           "Resource": objs, "Condition": {"Null": {"s3:x-amz-server-side-encryption": "true"}}})
        elif x < 0.4:
            # Only a wrong header is refused; no header means the bucket default.
            st.append({"Sid": "DenyWrongEncryptionHeader", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
                       "Resource": objs, "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": alg},
                                                       "Null": {"s3:x-amz-server-side-encryption": "false"}}})
        if sse == "kms" and r.random() < 0.2:
            st.append({"Sid": "RequireBucketKey", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": objs,
                       "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": self.key_arn}}})
        if r.random() < 0.14:
            ranges = ["10.0.0.0/8", f"198.51.100.{r.randrange(0, 256, 16)}/28"]
            if r.random() < 0.5:
                ranges.append("203.0.113.0/24")
            st.append({"Sid": "DenyOutsideOffice", "Effect": "Deny", "Principal": "*",
                       "Action": r.choice(["s3:*", "s3:PutObject", ["s3:PutObject", "s3:GetObject"]]),
                       "Resource": [arn, objs], "Condition": {"NotIpAddress": {"aws:SourceIp": ranges}}})
        if r.random() < 0.06:
            st.append({"Sid": "OnlyThroughEndpoint", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
                       "Resource": objs, "Condition": {"StringNotEquals": {"aws:SourceVpce": self.vpce}}})
        if r.random() < 0.10:
            classes = r.choice([["INTELLIGENT_TIERING"], ["STANDARD", "STANDARD_IA"], ["STANDARD_IA", "GLACIER_IR"],
                                ["STANDARD", "INTELLIGENT_TIERING"]])
            st.append({"Sid": "EnforceStorageClass", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
                       "Resource": objs, "Condition": {"StringNotEquals": {"s3:x-amz-storage-class": classes}}})
        if principals and r.random() < 0.12:
            who = [p["Arn"] for p in r.sample(principals, min(len(principals), r.randint(1, 2)))]
            st.append({"Sid": "AllowNamedWriters", "Effect": "Allow", "Principal": {"AWS": who if len(who) > 1 else who[0]},
                       "Action": r.choice(["s3:PutObject", ["s3:PutObject", "s3:GetObject"], "s3:Put*"]), "Resource": objs})
        if r.random() < 0.12:
            st.append({"Sid": "AllowAccount", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"},
                       "Action": r.choice(["s3:*", "s3:PutObject", ["s3:GetObject", "s3:PutObject"]]), "Resource": [arn, objs]})
        if r.random() < 0.03:
            st.append({"Sid": "RequireBucketOwnerFullControl", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
                       "Resource": objs, "Condition": {"StringNotEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}})
        if r.random() < 0.05:
            st.append({"Sid": "TeamOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": objs,
                       "Condition": {"StringNotEquals": {"aws:PrincipalTag/team": b["team"]}}})
        if r.random() < 0.25:
            st.append({"Sid": "DenyOutsideOrg", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [arn, objs],
                       "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": self.org},
                                     "Bool": {"aws:PrincipalIsAWSService": "false"}}})
        n = self.count(2, 25)
        fillers = [
            lambda: {"Sid": "PartnerRead", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{PARTNER}:root"},
                     "Action": ["s3:GetObject", "s3:GetObjectVersion"], "Resource": f"{arn}/exports/*"},
            lambda: {"Sid": "S3ServerAccessLogs", "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"},
                     "Action": "s3:PutObject", "Resource": f"{arn}/access-logs/*",
                     "Condition": {"StringEquals": {"aws:SourceAccount": ACCT}}},
            lambda: {"Sid": "CloudFrontRead", "Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"},
                     "Action": "s3:GetObject", "Resource": objs,
                     "Condition": {"StringEquals": {"aws:SourceArn": f"arn:aws:cloudfront::{ACCT}:distribution/E{self.lower(13).upper()}"}}},
            lambda: {"Sid": "ProtectFromDeletion", "Effect": "Deny", "Principal": "*",
                     "Action": ["s3:DeleteBucket", "s3:DeleteBucketPolicy", "s3:PutBucketPolicy"], "Resource": arn,
                     "Condition": {"StringNotLike": {"aws:PrincipalArn": admin_role}}},
            lambda: {"Sid": "ListForAccount", "Effect": "Allow", "Principal": {"AWS": ACCT},
                     "Action": "s3:ListBucket", "Resource": arn,
                     "Condition": {"StringLike": {"s3:prefix": [f"{r.choice(['incoming', 'exports', 'reports'])}/*"]}}},
            lambda: {"Sid": "DenyDeleteWithoutMfa", "Effect": "Deny", "Principal": "*",
                     "Action": ["s3:DeleteObject", "s3:DeleteObjectVersion"], "Resource": objs,
                     "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}},
            lambda: {"Sid": "ReplicationRole", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{PARTNER}:role/replication"},
                     "Action": ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"], "Resource": objs},
            lambda: {"Sid": "DenyPublicAcls", "Effect": "Deny", "Principal": "*", "Action": ["s3:PutObject", "s3:PutObjectAcl"],
                     "Resource": objs, "Condition": {"StringEquals": {"s3:x-amz-acl": ["public-read", "public-read-write"]}}},
            lambda: {"Sid": "DenyOldTls", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [arn, objs],
                     "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}}},
            lambda: {"Sid": "AuditRead", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{MGMT}:role/security-audit"},
                     "Action": ["s3:GetBucketPolicy", "s3:GetBucketAcl", "s3:GetEncryptionConfiguration"], "Resource": arn},
        ]
        while len(st) < n:
            st.append(r.choice(fillers)())
        r.shuffle(st)
        return finish(st)

    def bucket_files(self, b, principals, admin_role):
        r = self.rng
        files = {}
        region = REGION if r.random() < 0.94 else r.choice(["us-west-2", "eu-west-1"])
        x = r.random()
        if region != REGION:  # the customer key and aws/s3 of this snapshot are in us-east-1
            sse = "aes" if x < 0.85 else "none"
        else:
            sse = "aes" if x < 0.5 else "kms" if x < 0.8 else "aws-s3" if x < 0.85 else "none"
        if r.random() < 0.8:
            files["policy.json"] = {"Policy": json.dumps(self.bucket_policy(b, sse, principals, admin_role),
                                                         separators=(",", ":"))}
        if sse != "none":
            rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}
            if sse == "kms":
                rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": self.key_arn},
                        "BucketKeyEnabled": r.random() < 0.7}
            elif sse == "aws-s3":
                rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}, "BucketKeyEnabled": False}
            if r.random() < 0.25:
                rule["BlockedEncryptionTypes"] = {"EncryptionType": ["SSE-C"]}
            files["encryption.json"] = {"ServerSideEncryptionConfiguration": {"Rules": [rule]}}
        if r.random() < 0.95:
            own = r.choices(["BucketOwnerEnforced", "ObjectWriter", "BucketOwnerPreferred"], [80, 10, 10])[0]
            files["ownership-controls.json"] = {"OwnershipControls": {"Rules": [{"ObjectOwnership": own}]}}
        if r.random() < 0.9:
            files["public-access-block.json"] = {"PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}}
        files["request-payment.json"] = {"Payer": "Requester" if r.random() < 0.03 else "BucketOwner"}
        files["location.json"] = {"LocationConstraint": None if region == REGION else region}
        if b["team"] == "backup" or (b["team"] == "finance" and r.random() < 0.3):
            files["object-lock.json"] = {"ObjectLockConfiguration": {"ObjectLockEnabled": "Enabled", "Rule": {
                "DefaultRetention": {"Mode": r.choice(["GOVERNANCE", "COMPLIANCE"]), "Days": r.choice([30, 90, 365])}}}}
        return files

    # --- everything ------------------------------------------------------------------
    def files(self):
        out = {}
        buckets = self.buckets()
        auth, users, roles = self.iam(buckets)
        out["iam/authorization-details.json"] = auth
        caller = users[0] if users else None
        out["account.json"] = {"UserId": caller["UserId"] if caller else "AIDA" + "X" * 17, "Account": ACCT,
                               "Arn": caller["Arn"] if caller else f"arn:aws:iam::{ACCT}:user/snapshot"}
        out["s3control/public-access-block.json"] = {"PublicAccessBlockConfiguration": {
            "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}}

        principals = roles + users
        admin_role = f"arn:aws:iam::{ACCT}:role/*admin*"
        for b in buckets:
            for name, body in self.bucket_files(b, principals, admin_role).items():
                out[f"s3/{b['name']}/{name}"] = body

        # KMS: the customer managed key and the account's aws/s3 key.
        def meta(kid, manager, desc):
            return {"KeyMetadata": {
                "AWSAccountId": ACCT, "KeyId": kid, "Arn": f"arn:aws:kms:{REGION}:{ACCT}:key/{kid}",
                "CreationDate": self.when(2019, 2021).replace("+00:00", ".000000+00:00"), "Enabled": True,
                "Description": desc, "KeyUsage": "ENCRYPT_DECRYPT", "KeyState": "Enabled", "Origin": "AWS_KMS",
                "KeyManager": manager, "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT", "KeySpec": "SYMMETRIC_DEFAULT",
                "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"], "MultiRegion": False}}
        out[f"kms/{self.key_id}/describe.json"] = meta(self.key_id, "CUSTOMER", "Default key for the data buckets")
        kp = [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"},
               "Action": "kms:*", "Resource": "*"}]
        key_users = [r_["Arn"] for r_ in roles if r_["RoleName"].startswith(("glue-etl", "etl"))][:2] or \
            [r_["Arn"] for r_ in roles[:1]]
        if key_users:
            kp.append({"Sid": "Allow use of the key", "Effect": "Allow", "Principal": {"AWS": key_users},
                       "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                       "Resource": "*"})
            kp.append({"Sid": "Allow attachment of persistent resources", "Effect": "Allow", "Principal": {"AWS": key_users},
                       "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], "Resource": "*",
                       "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}})
        out[f"kms/{self.key_id}/policy.json"] = {
            "Policy": json.dumps({"Version": "2012-10-17", "Id": "key-consolepolicy-3", "Statement": kp}, indent=4),
            "PolicyName": "default"}
        out[f"kms/{self.aws_key_id}/describe.json"] = meta(
            self.aws_key_id, "AWS", "Default key that protects my S3 objects when no other key is defined")
        aws_kp = {"Version": "2012-10-17", "Id": "auto-s3-2", "Statement": [
            {"Sid": "Allow access through S3 for all principals in the account that are authorized to use S3",
             "Effect": "Allow", "Principal": {"AWS": "*"},
             "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
             "Resource": "*",
             "Condition": {"StringEquals": {"kms:ViaService": f"s3.{REGION}.amazonaws.com", "kms:CallerAccount": ACCT}}},
            {"Sid": "Allow direct access to key metadata to the account", "Effect": "Allow",
             "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"},
             "Action": ["kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant"], "Resource": "*"}]}
        out[f"kms/{self.aws_key_id}/policy.json"] = {"Policy": json.dumps(aws_kp, indent=4), "PolicyName": "default"}
        alias = lambda name, target: {
            "AliasName": name, "AliasArn": f"arn:aws:kms:{REGION}:{ACCT}:{name}", "TargetKeyId": target,
            "CreationDate": "2021-03-04T10:00:00+00:00", "LastUpdatedDate": "2021-03-04T10:00:00+00:00"}
        out["kms/aliases.json"] = {"Aliases": [
            {"AliasName": "alias/aws/dynamodb", "AliasArn": f"arn:aws:kms:{REGION}:{ACCT}:alias/aws/dynamodb"},
            {"AliasName": "alias/aws/ebs", "AliasArn": f"arn:aws:kms:{REGION}:{ACCT}:alias/aws/ebs"},
            alias("alias/aws/s3", self.aws_key_id), alias("alias/data-buckets", self.key_id)], "Truncated": False}

        # One S3 gateway endpoint, for the buckets that take uploads only through it.
        ep = {"Version": "2012-10-17", "Statement": [
            {"Sid": "AccountBucketsOnly", "Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*",
             "Condition": {"StringEquals": {"aws:ResourceAccount": ACCT}}}]}
        out["ec2/vpc-endpoints.json"] = {"VpcEndpoints": [
            {"VpcEndpointId": self.vpce, "VpcEndpointType": "Gateway", "VpcId": "vpc-0f1e2d3c4b5a69788",
             "ServiceName": f"com.amazonaws.{REGION}.s3", "State": "available", "PolicyDocument": json.dumps(ep, indent=2),
             "RouteTableIds": ["rtb-0123456789abcdef0", "rtb-0fedcba9876543210"], "SubnetIds": [], "Groups": [],
             "PrivateDnsEnabled": False, "RequesterManaged": False, "NetworkInterfaceIds": [], "DnsEntries": [],
             "CreationTimestamp": "2022-06-01T09:00:00+00:00", "Tags": [{"Key": "Name", "Value": "s3-gateway"}],
             "OwnerId": ACCT}]}

        out.update(self.organizations())
        return out

    def organizations(self):
        out = {}
        org, root, ou = self.org, self.root_id, self.ou_id
        out["organizations/organization.json"] = {"Organization": {
            "Id": org, "Arn": f"arn:aws:organizations::{MGMT}:organization/{org}", "FeatureSet": "ALL",
            "MasterAccountArn": f"arn:aws:organizations::{MGMT}:account/{org}/{MGMT}", "MasterAccountId": MGMT,
            "MasterAccountEmail": "aws-admin@example.com",
            "AvailablePolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"},
                                     {"Type": "RESOURCE_CONTROL_POLICY", "Status": "ENABLED"}]}}
        out[f"organizations/parents/{ACCT}.json"] = {"Parents": [{"Id": ou, "Type": "ORGANIZATIONAL_UNIT"}]}
        out[f"organizations/parents/{ou}.json"] = {"Parents": [{"Id": root, "Type": "ROOT"}]}

        def summary(pid, name, typ, aws, desc):
            arn = (f"arn:aws:organizations::aws:policy/{typ.lower()}/{pid}" if aws
                   else f"arn:aws:organizations::{MGMT}:policy/{org}/{typ.lower()}/{pid}")
            return {"Id": pid, "Arn": arn, "Name": name, "Description": desc, "Type": typ, "AwsManaged": aws}

        def policy(s, content):
            out[f"organizations/policies/{s['Id']}.json"] = {"Policy": {"PolicySummary": s, "Content": content}}
            return s

        scp, rcp = "SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"
        full = policy(summary("p-FullAWSAccess", "FullAWSAccess", scp, True, "Allows access to every operation"),
                      json.dumps({"Version": "2012-10-17", "Statement": [
                          {"Effect": "Allow", "Action": "*", "Resource": "*"}]}, indent=2))
        rfull = policy(summary("p-RCPFullAWSAccess", "RCPFullAWSAccess", rcp, True, "Allows access to every operation"),
                       json.dumps({"Version": "2012-10-17", "Statement": [
                           {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}, indent=2))
        guard = policy(summary("p-" + self.lower(8), "WorkloadGuardrails", scp, False,
                               "Baseline guardrails for workload accounts"),
                       json.dumps({"Version": "2012-10-17", "Statement": [
                           {"Sid": "DenyLeaveOrg", "Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"},
                           {"Sid": "ProtectCloudTrail", "Effect": "Deny",
                            "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail"], "Resource": "*"},
                           {"Sid": "DenyReducedRedundancy", "Effect": "Deny", "Action": "s3:PutObject", "Resource": "*",
                            "Condition": {"StringEquals": {"s3:x-amz-storage-class": "REDUCED_REDUNDANCY"}}},
                           {"Sid": "DenySuspendedPrincipals", "Effect": "Deny", "Action": "*", "Resource": "*",
                            "Condition": {"StringEquals": {"aws:PrincipalTag/access-status": "suspended"}}},
                           {"Sid": "ProtectAccountPublicAccessBlock", "Effect": "Deny",
                            "Action": ["s3:PutAccountPublicAccessBlock"], "Resource": "*",
                            "Condition": {"StringNotLike": {"aws:PrincipalArn": f"arn:aws:iam::*:role/OrganizationAccountAccessRole"}}}]},
                           indent=4))
        # The Region guardrail is a deny-list, so it holds whatever Region a request names.
        regions = policy(summary("p-" + self.lower(8), "DenyUnapprovedRegions", scp, False,
                                 "No workloads outside the approved Regions"),
                         json.dumps({"Version": "2012-10-17", "Statement": [
                             {"Sid": "DenyUnapprovedRegions", "Effect": "Deny",
                              "NotAction": ["iam:*", "organizations:*", "route53:*", "cloudfront:*", "sts:*", "support:*"],
                              "Resource": "*",
                              "Condition": {"StringLike": {"aws:RequestedRegion": ["ap-*", "sa-*", "me-*", "af-*"]}}}]}))
        perimeter = policy(summary("p-" + self.lower(8), "EnforceOrgIdentities", rcp, False,
                                   "S3 data perimeter: only identities of the organization"),
                           json.dumps({"Version": "2012-10-17", "Statement": [
                               {"Sid": "EnforceOrgIdentities", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                "Resource": "*",
                                "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": org},
                                              "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}]}, indent=4))
        for target, scps, rcps in [(root, [full], [rfull, perimeter]), (ou, [full, guard, regions], [rfull]),
                                   (ACCT, [full], [rfull])]:
            out[f"organizations/targets/{target}/scps.json"] = {"Policies": scps}
            out[f"organizations/targets/{target}/rcps.json"] = {"Policies": rcps}
        return out


def finish(statements):
    """A policy document; repeated Sids get a number, as IAM wants them unique."""
    seen = {}
    for s in statements:
        if "Sid" in s:
            n = seen.get(s["Sid"], 0) + 1
            seen[s["Sid"]] = n
            if n > 1:
                s["Sid"] = f"{s['Sid']}{n}"
    return {"Version": "2012-10-17", "Statement": statements}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--principals", type=int, default=200, help="IAM users and roles (about 3 to 1)")
    ap.add_argument("--buckets", type=int, default=500)
    ap.add_argument("--request", metavar="FILE", help="also write the request template here")
    ap.add_argument("outdir", metavar="OUTDIR", help="the snapshot folder (deleted and recreated)")
    a = ap.parse_args()
    if a.principals < 1 or a.buckets < 1:
        ap.error("--principals and --buckets must be at least 1")
    out = os.path.abspath(a.outdir)
    if os.path.exists(out):
        # Replace only an earlier snapshot (or an empty folder), never some other folder.
        if not os.path.isdir(out) or (os.listdir(out) and not os.path.exists(os.path.join(out, "account.json"))):
            sys.exit(f"gen_snapshot.py: {out} exists and is not a snapshot folder; not deleting it")
        shutil.rmtree(out)
    for rel, body in Gen(a.seed, a.principals, a.buckets).files().items():
        path = os.path.join(out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            json.dump(body, f, indent=4)
            f.write("\n")
    if a.request:
        with open(a.request, "w") as f:
            json.dump(TEMPLATE, f, indent=4)
            f.write("\n")


if __name__ == "__main__":
    main()
