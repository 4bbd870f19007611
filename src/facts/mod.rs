//! The fact document of `spec/facts.md`.
