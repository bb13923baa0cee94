// SPDX-License-Identifier: Apache-2.0
//! Remote object stores for backups, replicas and imports: one code path over `object_store`
//! for `file:///path` and `s3://bucket/prefix` (any S3-compatible server: `endpoint`,
//! `allow_http`). TypeScript decides the layout (`ts/remote/`); this module moves whole
//! objects: put and get (streamed, files hashed with BLAKE3 on the way), head, list, delete.
//! Keys are relative to the URL's prefix and never contain `..`.

use std::path::{Path as HostPath, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;
use object_store::aws::AmazonS3Builder;
use object_store::buffered::BufWriter;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ClientOptions, ObjectStore, ObjectStoreExt, PutPayload, RetryConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::error::{guard, Code, Error, Result};

/// How to reach a store; credentials arrive already expanded from `${env:}` references and
/// are never stored or echoed.
#[napi(object)]
pub struct RemoteOptions {
    pub region: Option<String>,
    /// An S3-compatible server (MinIO, R2, Ceph, a local test server).
    pub endpoint: Option<String>,
    /// Allow `http://` endpoints (default false).
    pub allow_http: Option<bool>,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    pub session_token: Option<String>,
}

/// One object as listed: its key (relative to the store's prefix) and size.
#[napi(object)]
pub struct RemoteObject {
    pub key: String,
    pub size: i64,
}

/// A file fetched from a store: its size and BLAKE3, computed while it was written.
#[napi(object)]
pub struct FetchedFile {
    pub size: i64,
    pub blake3: String,
}

/// An object store and the prefix every key lives under.
#[napi]
pub struct NativeRemote {
    store: Arc<dyn ObjectStore>,
    prefix: String,
}

const CHUNK: usize = 1 << 20;

fn invalid(message: impl Into<String>) -> Error {
    Error::new(Code::InvalidArgument, message)
}

/// The store and key prefix a URL names.
fn open(url: &str, options: &RemoteOptions) -> Result<(Arc<dyn ObjectStore>, String)> {
    let parsed = url::Url::parse(url).map_err(|e| invalid(format!("{url}: not a URL ({e})")))?;
    match parsed.scheme() {
        "file" => {
            if parsed.host_str().is_some_and(|h| !h.is_empty()) {
                return Err(invalid(format!(
                    "{url}: write file:///absolute/path (three slashes)"
                )));
            }
            let dir = parsed
                .to_file_path()
                .map_err(|()| invalid(format!("{url}: not an absolute file path")))?;
            std::fs::create_dir_all(&dir)
                .map_err(|e| Error::from(e).with_path(dir.display().to_string()))?;
            let store = LocalFileSystem::new_with_prefix(&dir)?;
            Ok((Arc::new(store), String::new()))
        }
        "s3" => {
            let bucket = parsed
                .host_str()
                .filter(|b| !b.is_empty())
                .ok_or_else(|| invalid(format!("{url}: no bucket (s3://bucket/prefix)")))?;
            // A dead endpoint fails in seconds rather than after object_store's default
            // three minutes of retries: a post-commit push must not hold the pond that long.
            let retry = RetryConfig {
                max_retries: 3,
                retry_timeout: Duration::from_secs(20),
                ..RetryConfig::default()
            };
            let client = ClientOptions::new().with_connect_timeout(Duration::from_secs(5));
            let mut builder = AmazonS3Builder::new()
                .with_retry(retry)
                .with_client_options(client)
                .with_bucket_name(bucket)
                .with_region(options.region.clone().unwrap_or_else(|| "us-east-1".into()))
                .with_allow_http(options.allow_http.unwrap_or(false));
            if let Some(endpoint) = &options.endpoint {
                builder = builder.with_endpoint(endpoint);
            }
            if let Some(key) = &options.access_key_id {
                builder = builder.with_access_key_id(key);
            }
            if let Some(secret) = &options.secret_access_key {
                builder = builder.with_secret_access_key(secret);
            }
            if let Some(token) = &options.session_token {
                builder = builder.with_token(token);
            }
            let prefix = parsed.path().trim_matches('/').to_string();
            Ok((Arc::new(builder.build()?), prefix))
        }
        other => Err(invalid(format!(
            "{url}: remote stores are file:///path or s3://bucket/prefix, not {other}://"
        ))),
    }
}

impl NativeRemote {
    fn path(&self, key: &str) -> Result<Path> {
        if key
            .split('/')
            .any(|part| part.is_empty() || part == "." || part == "..")
        {
            return Err(invalid(format!("bad remote key {key:?}")));
        }
        let full = if self.prefix.is_empty() {
            key.to_string()
        } else {
            format!("{}/{key}", self.prefix)
        };
        Path::parse(&full).map_err(|e| invalid(format!("bad remote key {key:?}: {e}")))
    }

    fn relative(&self, path: &Path) -> String {
        let text = path.as_ref();
        match self.prefix.is_empty() {
            true => text.to_string(),
            false => text
                .strip_prefix(&format!("{}/", self.prefix))
                .unwrap_or(text)
                .to_string(),
        }
    }
}

#[napi]
impl NativeRemote {
    /// Open the store a URL names (nothing is contacted until the first request).
    #[napi(factory)]
    pub fn open(url: String, options: RemoteOptions) -> napi::Result<NativeRemote> {
        crate::error::guard_sync(|| {
            let (store, prefix) = open(&url, &options)?;
            Ok(NativeRemote { store, prefix })
        })
    }

    /// Write an object from bytes (atomically: readers see the old object or the new one).
    #[napi]
    pub async fn put_bytes(&self, key: String, bytes: Buffer) -> napi::Result<()> {
        guard(async move {
            let path = self.path(&key)?;
            self.store
                .put(&path, PutPayload::from(bytes.to_vec()))
                .await?;
            Ok(())
        })
        .await
    }

    /// Write an object from a host file, streamed (multipart for large files). Returns bytes sent.
    #[napi]
    pub async fn put_file(&self, key: String, file: String) -> napi::Result<i64> {
        guard(async move {
            let path = self.path(&key)?;
            let mut input = tokio::fs::File::open(&file)
                .await
                .map_err(|e| Error::from(e).with_path(file.clone()))?;
            let mut writer = BufWriter::new(Arc::clone(&self.store), path);
            let mut buffer = vec![0u8; CHUNK];
            let mut sent: i64 = 0;
            loop {
                let n = input.read(&mut buffer).await?;
                if n == 0 {
                    break;
                }
                writer.write_all(&buffer[..n]).await?;
                sent += n as i64;
            }
            writer.shutdown().await?;
            Ok(sent)
        })
        .await
    }

    /// An object's bytes; null when it does not exist.
    #[napi]
    pub async fn get_bytes(&self, key: String) -> napi::Result<Option<Buffer>> {
        guard(async move {
            let path = self.path(&key)?;
            match self.store.get(&path).await {
                Ok(result) => Ok(Some(result.bytes().await?.to_vec().into())),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(e.into()),
            }
        })
        .await
    }

    /// Stream an object into a host file (written beside it, then renamed into place),
    /// hashing it on the way.
    #[napi]
    pub async fn get_file(&self, key: String, file: String) -> napi::Result<FetchedFile> {
        guard(async move {
            let path = self.path(&key)?;
            let target = PathBuf::from(&file);
            let tmp = temp_beside(&target);
            let fetched = self.fetch_into(&path, &tmp).await;
            match fetched {
                Ok(info) => {
                    tokio::fs::rename(&tmp, &target).await?;
                    Ok(info)
                }
                Err(e) => {
                    let _ = tokio::fs::remove_file(&tmp).await;
                    Err(e.context(format!("fetching {key}")))
                }
            }
        })
        .await
    }

    /// An object's size; null when it does not exist.
    #[napi]
    pub async fn head(&self, key: String) -> napi::Result<Option<i64>> {
        guard(async move {
            let path = self.path(&key)?;
            match self.store.head(&path).await {
                Ok(meta) => Ok(Some(meta.size as i64)),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(e.into()),
            }
        })
        .await
    }

    /// Every object under `prefix` (a key prefix ending in `/`, or empty for all).
    #[napi]
    pub async fn list(&self, prefix: String) -> napi::Result<Vec<RemoteObject>> {
        guard(async move {
            let base = match prefix.trim_end_matches('/') {
                "" if self.prefix.is_empty() => None,
                "" => Some(Path::parse(&self.prefix).map_err(|e| invalid(e.to_string()))?),
                p => Some(self.path(p)?),
            };
            let mut stream = self.store.list(base.as_ref());
            let mut out = Vec::new();
            while let Some(meta) = stream.next().await {
                let meta = meta?;
                out.push(RemoteObject {
                    key: self.relative(&meta.location),
                    size: meta.size as i64,
                });
            }
            out.sort_by(|a, b| a.key.cmp(&b.key));
            Ok(out)
        })
        .await
    }

    /// Delete an object (no error when it does not exist).
    #[napi]
    pub async fn delete(&self, key: String) -> napi::Result<()> {
        guard(async move {
            let path = self.path(&key)?;
            match self.store.delete(&path).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                Err(e) => Err(e.into()),
            }
        })
        .await
    }
}

impl NativeRemote {
    async fn fetch_into(&self, path: &Path, tmp: &HostPath) -> Result<FetchedFile> {
        let result = self.store.get(path).await?;
        let mut stream = result.into_stream();
        let mut out = tokio::fs::File::create(tmp).await?;
        let mut hasher = blake3::Hasher::new();
        let mut size: i64 = 0;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk?;
            hasher.update(&chunk);
            out.write_all(&chunk).await?;
            size += chunk.len() as i64;
        }
        out.sync_all().await?;
        Ok(FetchedFile {
            size,
            blake3: hasher.finalize().to_hex().to_string(),
        })
    }
}

fn temp_beside(target: &HostPath) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

/// BLAKE3 of a host file, streamed (hex): `verify`'s hashing, off the async threads.
#[napi]
pub async fn blake3_file(path: String) -> napi::Result<String> {
    guard(async move {
        let file = PathBuf::from(&path);
        tokio::task::spawn_blocking(move || crate::verify::hash_file(&file))
            .await
            .map_err(|e| Error::new(Code::Internal, format!("hashing {path}: {e}")))?
    })
    .await
}
