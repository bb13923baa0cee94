// SPDX-License-Identifier: Apache-2.0
//! Content addressing. Bytes under [`LARGE_THRESHOLD`] go inline in the oplog row; larger
//! content is written once, raw, to `_large_files/blake3=<hex>`, hashed while it streams.
//! A write goes to a temporary file that is fsynced and renamed into place, so a crash
//! leaves at worst an orphaned temporary, never a truncated content file.

use std::path::{Path, PathBuf};

use tokio::fs::{self, File};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::error::{Code, Error, Result};
use crate::schema::LARGE_THRESHOLD;

pub const LARGE_DIR: &str = "_large_files";
static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
const CHUNK: usize = 1 << 20;

/// What a write of content produced: the hash and size always; the bytes when small.
pub struct Stored {
    pub blake3: String,
    pub size: u64,
    pub inline: Option<Vec<u8>>,
}

pub fn large_path(data_dir: &Path, hash: &str) -> Result<PathBuf> {
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::new(
            Code::InvalidArgument,
            format!("not a blake3 hash: {hash:?}"),
        ));
    }
    Ok(data_dir.join(LARGE_DIR).join(format!("blake3={hash}")))
}

/// Streams bytes in; decides inline or large at the threshold.
pub struct ContentWriter {
    data_dir: PathBuf,
    hasher: blake3::Hasher,
    head: Vec<u8>,
    spill: Option<(File, PathBuf)>,
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
        self.hasher.update(chunk);
        self.size += chunk.len() as u64;
        if let Some((file, _)) = self.spill.as_mut() {
            file.write_all(chunk).await?;
            return Ok(());
        }
        self.head.extend_from_slice(chunk);
        if self.head.len() >= LARGE_THRESHOLD {
            let dir = self.data_dir.join(LARGE_DIR);
            fs::create_dir_all(&dir).await?;
            let tmp = dir.join(format!(
                ".tmp-{}-{}",
                std::process::id(),
                COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            ));
            let mut file = File::create(&tmp).await?;
            file.write_all(&self.head).await?;
            self.head = Vec::new();
            self.spill = Some((file, tmp));
        }
        Ok(())
    }

    pub async fn finish(self) -> Result<Stored> {
        let hash = self.hasher.finalize().to_hex().to_string();
        let Some((mut file, tmp)) = self.spill else {
            return Ok(Stored {
                blake3: hash,
                size: self.size,
                inline: Some(self.head),
            });
        };
        file.flush().await?;
        file.sync_all().await?;
        drop(file);
        let dest = large_path(&self.data_dir, &hash)?;
        if fs::try_exists(&dest).await? {
            fs::remove_file(&tmp).await?;
        } else {
            fs::rename(&tmp, &dest).await?;
        }
        Ok(Stored {
            blake3: hash,
            size: self.size,
            inline: None,
        })
    }

    /// Remove any temporary file (on abort).
    pub async fn discard(self) {
        if let Some((file, tmp)) = self.spill {
            drop(file);
            let _ = fs::remove_file(tmp).await;
        }
    }
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
        let n = file.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        if let Err(e) = writer.write(&buf[..n]).await {
            writer.discard().await;
            return Err(e);
        }
    }
    writer.finish().await
}

/// Reads a large content file in chunks.
pub struct ContentReader {
    file: File,
}

impl ContentReader {
    pub async fn open(data_dir: &Path, hash: &str) -> Result<ContentReader> {
        let path = large_path(data_dir, hash)?;
        let file = File::open(&path).await.map_err(|e| {
            Error::from(e).context(format!("large content blake3={hash} is missing"))
        })?;
        Ok(ContentReader { file })
    }

    pub async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>> {
        let mut buf = vec![0u8; CHUNK];
        let n = self.file.read(&mut buf).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.truncate(n);
        Ok(Some(buf))
    }
}

/// Re-hash a large content file; used by integrity checks.
pub async fn hash_large(data_dir: &Path, hash: &str) -> Result<(String, u64)> {
    let mut reader = ContentReader::open(data_dir, hash).await?;
    let mut hasher = blake3::Hasher::new();
    let mut size = 0u64;
    while let Some(chunk) = reader.next_chunk().await? {
        size += chunk.len() as u64;
        hasher.update(&chunk);
    }
    Ok((hasher.finalize().to_hex().to_string(), size))
}
