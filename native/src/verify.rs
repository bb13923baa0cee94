// SPDX-License-Identifier: Apache-2.0
//! Verification of large content files that queries read in place. A scan range-reads a
//! Parquet file, so it cannot hash the bytes as they stream (reads of whole content do, in
//! `content::ContentReader`). Instead a file is hashed in full once, and a *stamp* recording
//! its size, inode, modification and change times is left under `$POND/cache/verified/`.
//! A later query re-hashes only when the file's metadata no longer matches its stamp: any
//! write to the file changes its change time, which user space cannot set back. Bit rot that
//! leaves the metadata alone is `pond fsck`'s to find; it re-hashes everything.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::content::{check_hash, mismatch, missing};
use crate::error::{lock, Code, Error, Result};
use crate::layout::{large_file_name, CACHE_DIR, LARGE_DIR, VERIFIED_DIR};

/// Files verified by this process, by path, with the metadata key they had.
static VERIFIED: Mutex<Option<HashMap<PathBuf, String>>> = Mutex::new(None);

fn metadata_key(meta: &std::fs::Metadata) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        format!(
            "{} {} {}.{} {}.{}",
            meta.len(),
            meta.ino(),
            meta.mtime(),
            meta.mtime_nsec(),
            meta.ctime(),
            meta.ctime_nsec()
        )
    }
    #[cfg(not(unix))]
    {
        let modified = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        format!("{} {modified}", meta.len())
    }
}

/// BLAKE3 of a host file, read in 1 MiB blocks (blocking).
pub(crate) fn hash_file(path: &Path) -> Result<String> {
    let mut file = std::fs::File::open(path)
        .map_err(|e| Error::from(e).context(format!("cannot read {}", path.display())))?;
    let mut hasher = blake3::Hasher::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| Error::from(e).context(format!("cannot read {}", path.display())))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finalize().to_hex().to_string())
}

/// Where the stamp of the content file at `path` lives: content files are
/// `$POND/data/_large_files/blake3=<hex>`, stamps `$POND/cache/verified/<hex>`. Other files
/// (cached copies of inline content) get no stamp; they are small and hashed each process.
fn stamp_dir(path: &Path) -> Option<PathBuf> {
    let in_large = path
        .parent()
        .and_then(|p| p.file_name())
        .is_some_and(|n| n == LARGE_DIR);
    // path -> LARGE_DIR -> DATA_DIR -> the pond.
    let pond = path.ancestors().nth(3).filter(|_| in_large)?;
    Some(pond.join(CACHE_DIR).join(VERIFIED_DIR))
}

/// Remember in this process that `path`, with metadata `key`, was verified.
fn remember(path: &Path, key: String) {
    // Best effort, like the stamp: a poisoned lock only costs a re-hash later.
    if let Ok(mut verified) = VERIFIED.lock() {
        verified
            .get_or_insert_with(HashMap::new)
            .insert(path.to_path_buf(), key);
    }
}

/// Remember, in this process and (for content files) in a stamp, that `path` with metadata
/// `key` holds the bytes named `hash`.
fn stamp(path: &Path, hash: &str, key: String) {
    if let Some(dir) = stamp_dir(path) {
        if std::fs::create_dir_all(&dir).is_ok() {
            // Best effort: a missing stamp only costs one re-hash later.
            let _ = std::fs::write(dir.join(hash), &key);
        }
    }
    remember(path, key);
}

/// Record that `path` holds the bytes named `hash` (after hashing them while writing).
pub fn record(path: &Path, hash: &str) {
    if let Ok(meta) = std::fs::metadata(path) {
        stamp(path, hash, metadata_key(&meta));
    }
}

/// Check that the file at `path` holds the bytes named `hash` (and `size` bytes, when known),
/// hashing it only when its metadata changed since it was last verified. Blocking.
pub fn ensure(path: &Path, hash: &str, size: Option<u64>) -> Result<()> {
    check_hash(hash)?;
    let meta = std::fs::metadata(path).map_err(|e| missing(hash, e))?;
    if let Some(expected) = size {
        if meta.len() != expected {
            return Err(Error::new(
                Code::Corrupt,
                format!(
                    "large content {} is corrupt: {} bytes, the oplog says {expected}",
                    large_file_name(hash),
                    meta.len()
                ),
            ));
        }
    }
    let key = metadata_key(&meta);
    let known = lock(&VERIFIED, "verified files")?
        .as_ref()
        .and_then(|m| m.get(path).cloned());
    if known.as_deref() == Some(key.as_str()) {
        return Ok(());
    }
    let stamped = stamp_dir(path)
        .and_then(|dir| std::fs::read_to_string(dir.join(hash)).ok())
        .is_some_and(|stamp| stamp == key);
    if stamped {
        remember(path, key);
        return Ok(());
    }
    let actual = hash_file(path)?;
    if actual != hash {
        return Err(mismatch(hash, &actual));
    }
    stamp(path, hash, key);
    Ok(())
}
