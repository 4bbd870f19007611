//! Formatter (placeholder while the printer is written).
