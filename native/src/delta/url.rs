// SPDX-License-Identifier: Apache-2.0
//! The `file://` URL delta-rs is given for a table directory, and the private alias that
//! stands in for a directory whose path delta-rs would mangle.

use std::path::{Path, PathBuf};

use url::Url;

use crate::error::{Code, Error, Result};

/// The `file://` URL of a Delta table directory. delta-rs mishandles some directory names
/// (it decodes `%` escapes twice, and puts the path in the host of an internal URL where
/// `[`, `]` and `|` are invalid), so a directory whose path holds anything but unreserved
/// characters is reached through an alias: a symlink named by the path's hash in a private
/// per-user directory. Everything pond shows still names the real path.
pub fn table_url(data_dir: &Path) -> Result<Url> {
    let not_absolute = || {
        Error::new(
            Code::InvalidArgument,
            format!("not an absolute path: {}", data_dir.display()),
        )
    };
    if !data_dir.is_absolute() {
        return Err(not_absolute());
    }
    let bytes = data_dir.as_os_str().as_encoded_bytes();
    if bytes
        .windows(3)
        .any(|w| w[0] == b'%' && w[1].is_ascii_hexdigit() && w[2].is_ascii_hexdigit())
    {
        // object_store's local store decodes such a sequence as an escape and would read
        // and write another directory.
        return Err(Error::new(
            Code::InvalidArgument,
            format!(
                "{}: a pond's path cannot contain % followed by two hex digits (such as %20); \
                 rename the directory",
                data_dir.display()
            ),
        ));
    }
    let plain = bytes
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || b"-._~/".contains(b));
    let dir = if plain || cfg!(not(unix)) {
        data_dir.to_path_buf()
    } else {
        alias(data_dir)?
    };
    Url::from_directory_path(&dir).map_err(|_| not_absolute())
}

/// A symlink to `target` under `$TMPDIR/duckpond-<uid>/` (mode 0700, owned by this user),
/// named by the BLAKE3 of the target path; created or corrected as needed.
#[cfg(unix)]
fn alias(target: &Path) -> Result<PathBuf> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt};
    let uid = unsafe { libc::getuid() };
    let dir = std::env::temp_dir().join(format!("duckpond-{uid}"));
    let io =
        |e: std::io::Error| Error::from(e).context(format!("cannot prepare {}", dir.display()));
    match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(io(e)),
    }
    let meta = std::fs::symlink_metadata(&dir).map_err(io)?;
    if !meta.is_dir() || meta.uid() != uid || meta.mode() & 0o077 != 0 {
        return Err(Error::new(
            Code::Io,
            format!(
                "{} must be a private directory of this user (mode 0700)",
                dir.display()
            ),
        ));
    }
    let hash = blake3::hash(target.as_os_str().as_encoded_bytes()).to_hex();
    let link = dir.join(&hash.as_str()[..32]);
    for _ in 0..3 {
        match std::fs::read_link(&link) {
            Ok(existing) if existing == target => return Ok(link),
            Ok(_) => std::fs::remove_file(&link).map_err(io)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(_) => std::fs::remove_file(&link).map_err(io)?,
        }
        match std::os::unix::fs::symlink(target, &link) {
            Ok(()) => return Ok(link),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io(e)),
        }
    }
    Err(Error::new(
        Code::Io,
        format!(
            "cannot create the alias {} for {}",
            link.display(),
            target.display()
        ),
    ))
}

#[cfg(not(unix))]
fn alias(target: &Path) -> Result<PathBuf> {
    Ok(target.to_path_buf())
}
