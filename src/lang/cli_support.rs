//! Helpers for the CLI (placeholder).
