//! Trellis.
