// SPDX-License-Identifier: Apache-2.0
//! The pond directory's layout, defined once for Rust. `ts/steward/layout.ts` is its
//! TypeScript twin; `pondLayout()` exports these values so a test can check the two agree.
//!
//! ```text
//! POND/
//!   data/                     the oplog, a Delta table
//!     _large_files/blake3=H   content at or above LARGE_THRESHOLD, by BLAKE3
//!   control/                  the control table, a Delta table; write.lock
//!   cache/                    derived, rebuildable files; verified/ holds content stamps
//! ```

use std::path::{Path, PathBuf};

use napi_derive::napi;

use crate::error::guard_sync;

/// The oplog's Delta table.
pub const DATA_DIR: &str = "data";
/// The control table's Delta table, and the write lock.
pub const CONTROL_DIR: &str = "control";
/// Derived, deletable files.
pub const CACHE_DIR: &str = "cache";
/// Large content, under [`DATA_DIR`].
pub const LARGE_DIR: &str = "_large_files";
/// Name prefix of a large content file; the BLAKE3 hex follows.
pub const LARGE_PREFIX: &str = "blake3=";
/// Content at or above this many bytes lives in [`LARGE_DIR`], not inline.
pub const LARGE_THRESHOLD: usize = 64 * 1024;
/// The single-writer lock, under [`CONTROL_DIR`].
pub const LOCK_FILE: &str = "write.lock";
/// Verification stamps of large content files, under [`CACHE_DIR`].
pub const VERIFIED_DIR: &str = "verified";

/// The file name of large content with BLAKE3 `hash` (not checked here).
pub fn large_file_name(hash: &str) -> String {
    format!("{LARGE_PREFIX}{hash}")
}

/// Where large content with BLAKE3 `hash` lives, relative to the oplog's directory, as
/// messages name it (`_large_files/blake3=<hex>`, with `/` on every platform).
pub fn large_file(hash: &str) -> String {
    format!("{LARGE_DIR}/{}", large_file_name(hash))
}

/// The path of large content with BLAKE3 `hash` (not checked here) in the oplog's
/// directory `data_dir`.
pub fn large_file_in(data_dir: &Path, hash: &str) -> PathBuf {
    data_dir.join(LARGE_DIR).join(large_file_name(hash))
}

/// The pond's layout as TypeScript sees it.
#[napi(object)]
pub struct PondLayout {
    pub data: String,
    pub control: String,
    pub cache: String,
    pub large_files: String,
    pub large_threshold: u32,
}

/// The directory names of a pond and the inline threshold, for the test that TypeScript
/// spells them the same way.
#[napi]
pub fn pond_layout() -> napi::Result<PondLayout> {
    guard_sync(|| {
        Ok(PondLayout {
            data: DATA_DIR.to_string(),
            control: CONTROL_DIR.to_string(),
            cache: CACHE_DIR.to_string(),
            large_files: LARGE_DIR.to_string(),
            large_threshold: LARGE_THRESHOLD as u32,
        })
    })
}
