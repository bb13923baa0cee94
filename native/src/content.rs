// SPDX-License-Identifier: Apache-2.0
//! Content addressing. Bytes under [`LARGE_THRESHOLD`] go inline in the oplog row; larger
//! content is written once, raw, to `_large_files/blake3=<hex>`, hashed while it streams.
//! A write goes to a temporary file that is fsynced and renamed into place, so a crash
//! leaves at worst an orphaned temporary, never a truncated content file.

use std::path::{Path, PathBuf};

use tokio::fs::{self, File};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::error::{Code, Error, Result};
use crate::layout::{large_file_in, large_file_name, LARGE_DIR, LARGE_THRESHOLD};

/// Name prefix of content files still being written (removed on failure and by maintain).
pub const TEMP_PREFIX: &str = ".tmp-";
static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
const CHUNK: usize = 1 << 20;

/// What a write of content produced: the hash and size always; the bytes when small.
pub struct Stored {
    pub blake3: String,
    pub size: u64,
    pub inline: Option<Vec<u8>>,
}

/// Refuse anything but a BLAKE3 hash as pond writes it (64 lowercase hex digits): a value
/// read from the oplog becomes a host path, so anything else is CORRUPT.
pub fn check_hash(hash: &str) -> Result<()> {
    if hash.len() == 64 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Ok(());
    }
    Err(Error::new(
        Code::Corrupt,
        format!("not a blake3 hash: {hash:?}"),
    ))
}

pub fn large_path(data_dir: &Path, hash: &str) -> Result<PathBuf> {
    check_hash(hash)?;
    Ok(large_file_in(data_dir, hash))
}

/// The error for a large content file that cannot be opened: CORRUPT when it is gone.
pub fn missing(hash: &str, e: std::io::Error) -> Error {
    let mut err = Error::from(e);
    if err.code == Code::NotFound {
        err.code = Code::Corrupt;
    }
    err.context(format!(
        "large content {} is missing",
        large_file_name(hash)
    ))
}

/// The error for large content whose bytes hash to `actual` instead of its name.
pub fn mismatch(hash: &str, actual: &str) -> Error {
    Error::new(
        Code::Corrupt,
        format!(
            "large content {} is corrupt: its bytes hash to {actual}",
            large_file_name(hash)
        ),
    )
}

/// A temporary file that is removed when dropped, unless it was renamed into place.
struct TempFile {
    path: PathBuf,
    kept: bool,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// An I/O error as IO (never NOT_FOUND or ALREADY_EXISTS) saying what failed at `path`.
pub(crate) fn io_at<'a>(path: &'a Path, what: &str) -> impl FnOnce(std::io::Error) -> Error + 'a {
    let what = what.to_string();
    move |e| {
        let mut err = Error::from(e);
        if err.code == Code::NotFound || err.code == Code::AlreadyExists {
            err.code = Code::Io;
        }
        err.context(format!("{what} {}", path.display()))
    }
}

/// Streams bytes in; decides inline or large at the threshold. Any failure, or dropping the
/// writer unfinished, removes its temporary file.
pub struct ContentWriter {
    data_dir: PathBuf,
    hasher: blake3::Hasher,
    head: Vec<u8>,
    spill: Option<(File, TempFile)>,
    size: u64,
}

impl ContentWriter {
    pub fn new(data_dir: &Path) -> Self {
        ContentWriter {
            data_dir: data_dir.to_path_buf(),
            hasher: blake3::Hasher::new(),
            head: Vec::new(),
            spill: None,
            size: 0,
        }
    }

    pub async fn write(&mut self, chunk: &[u8]) -> Result<()> {
        let result = self.write_inner(chunk).await;
        if result.is_err() {
            self.spill = None;
        }
        result
    }

    async fn write_inner(&mut self, chunk: &[u8]) -> Result<()> {
        self.hasher.update(chunk);
        self.size += chunk.len() as u64;
        if let Some((file, tmp)) = self.spill.as_mut() {
            file.write_all(chunk)
                .await
                .map_err(io_at(&tmp.path, "cannot write"))?;
            return Ok(());
        }
        self.head.extend_from_slice(chunk);
        if self.head.len() >= LARGE_THRESHOLD {
            let dir = self.data_dir.join(LARGE_DIR);
            fs::create_dir_all(&dir)
                .await
                .map_err(io_at(&dir, "cannot create"))?;
            let tmp = TempFile {
                path: dir.join(format!(
                    "{TEMP_PREFIX}{}-{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                )),
                kept: false,
            };
            let mut file = File::create(&tmp.path)
                .await
                .map_err(io_at(&tmp.path, "cannot create"))?;
            let head = std::mem::take(&mut self.head);
            let written = file.write_all(&head).await;
            self.spill = Some((file, tmp));
            if let (Err(e), Some((_, tmp))) = (written, self.spill.as_ref()) {
                return Err(io_at(&tmp.path, "cannot write")(e));
            }
        }
        Ok(())
    }

    pub async fn finish(self) -> Result<Stored> {
        let hash = self.hasher.finalize().to_hex().to_string();
        let Some((mut file, mut tmp)) = self.spill else {
            return Ok(Stored {
                blake3: hash,
                size: self.size,
                inline: Some(self.head),
            });
        };
        let sync = async {
            file.flush().await?;
            file.sync_all().await
        };
        sync.await.map_err(io_at(&tmp.path, "cannot write"))?;
        drop(file);
        let dest = large_path(&self.data_dir, &hash)?;
        if !fs::try_exists(&dest).await.unwrap_or(false) {
            fs::rename(&tmp.path, &dest)
                .await
                .map_err(io_at(&dest, "cannot create"))?;
            tmp.kept = true;
            crate::verify::record(&dest, &hash);
        }
        Ok(Stored {
            blake3: hash,
            size: self.size,
            inline: None,
        })
    }

    /// Remove any temporary file (on abort).
    pub async fn discard(self) {
        drop(self);
    }
}

/// Create (or truncate) a host file for writing, refusing to follow a symlink at `path`.
pub async fn create_no_follow(path: &Path) -> Result<File> {
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    options.custom_flags(libc::O_NOFOLLOW);
    options.open(path).await.map_err(|e| {
        #[cfg(unix)]
        if e.raw_os_error() == Some(libc::ELOOP) {
            return Error::new(
                Code::InvalidArgument,
                format!(
                    "{} is a symlink; pond does not write through symlinks",
                    path.display()
                ),
            );
        }
        Error::from(e).context(format!("cannot write {}", path.display()))
    })
}

/// Store a host file's bytes, streaming it through a [`ContentWriter`].
pub async fn store_file(data_dir: &Path, src: &Path) -> Result<Stored> {
    let mut file = File::open(src)
        .await
        .map_err(|e| Error::from(e).context(format!("cannot read host file {}", src.display())))?;
    if file.metadata().await?.is_dir() {
        return Err(Error::new(
            Code::InvalidArgument,
            format!("{} is a directory", src.display()),
        ));
    }
    let mut writer = ContentWriter::new(data_dir);
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = file
            .read(&mut buf)
            .await
            .map_err(io_at(src, "cannot read host file"))?;
        if n == 0 {
            break;
        }
        writer.write(&buf[..n]).await?;
    }
    writer.finish().await
}

/// Reads a large content file in chunks. With `verify`, the bytes are hashed as they stream
/// and the end of the file is an error (CORRUPT) unless they hash to the name.
pub struct ContentReader {
    file: File,
    hash: String,
    verify: Option<blake3::Hasher>,
}

impl ContentReader {
    pub async fn open(data_dir: &Path, hash: &str, verify: bool) -> Result<ContentReader> {
        let path = large_path(data_dir, hash)?;
        let file = File::open(&path).await.map_err(|e| missing(hash, e))?;
        Ok(ContentReader {
            file,
            hash: hash.to_string(),
            verify: verify.then(blake3::Hasher::new),
        })
    }

    pub async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>> {
        let mut buf = vec![0u8; CHUNK];
        let n = self.file.read(&mut buf).await.map_err(|e| {
            Error::from(e).context(format!(
                "cannot read large content {}",
                large_file_name(&self.hash)
            ))
        })?;
        if n == 0 {
            if let Some(hasher) = self.verify.take() {
                let actual = hasher.finalize().to_hex().to_string();
                if actual != self.hash {
                    return Err(mismatch(&self.hash, &actual));
                }
            }
            return Ok(None);
        }
        buf.truncate(n);
        if let Some(hasher) = self.verify.as_mut() {
            hasher.update(&buf);
        }
        Ok(Some(buf))
    }
}

/// Re-hash a large content file; used by integrity checks.
pub async fn hash_large(data_dir: &Path, hash: &str) -> Result<(String, u64)> {
    let mut reader = ContentReader::open(data_dir, hash, false).await?;
    let mut hasher = blake3::Hasher::new();
    let mut size = 0u64;
    while let Some(chunk) = reader.next_chunk().await? {
        size += chunk.len() as u64;
        hasher.update(&chunk);
    }
    Ok((hasher.finalize().to_hex().to_string(), size))
}
