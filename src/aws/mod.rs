//! The IAM / S3 / KMS policy evaluation library, usable without the rule language.
