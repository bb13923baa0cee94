// SPDX-License-Identifier: Apache-2.0
//! Content as it crosses to JS: [`StoredContent`] (what a write produced) and the chunked
//! handles over `content::ContentWriter` and `content::ContentReader`, so large content
//! streams through the boundary one chunk at a time.

use napi::bindgen_prelude::Buffer;
use napi_derive::napi;
use tokio::sync::Mutex;

use crate::content::{ContentReader, ContentWriter, Stored};
use crate::error::{guard, Code, Error};

/// Content handed to a transaction: its hash and size, and the bytes if they are inline.
#[napi(object)]
pub struct StoredContent {
    pub blake3: String,
    pub size: i64,
    /// Present when the content is under the inline threshold; otherwise the bytes are
    /// in `_large_files/blake3=<hex>`.
    pub inline: Option<Buffer>,
}

impl From<Stored> for StoredContent {
    fn from(s: Stored) -> Self {
        StoredContent {
            blake3: s.blake3,
            size: s.size as i64,
            inline: s.inline.map(Buffer::from),
        }
    }
}

/// Chunked writer of content; see [`ContentWriter`].
#[napi]
pub struct NativeContentWriter {
    /// None once finished or discarded.
    writer: Mutex<Option<ContentWriter>>,
}

impl NativeContentWriter {
    pub(super) fn new(writer: ContentWriter) -> Self {
        NativeContentWriter {
            writer: Mutex::new(Some(writer)),
        }
    }
}

fn finished() -> Error {
    Error::new(Code::InvalidArgument, "content writer already finished")
}

#[napi]
impl NativeContentWriter {
    #[napi]
    pub async fn write(&self, chunk: Buffer) -> napi::Result<()> {
        guard(async {
            let mut slot = self.writer.lock().await;
            let writer = slot.as_mut().ok_or_else(finished)?;
            writer.write(&chunk).await
        })
        .await
    }

    #[napi]
    pub async fn finish(&self) -> napi::Result<StoredContent> {
        guard(async {
            let writer = self.writer.lock().await.take().ok_or_else(finished)?;
            Ok(writer.finish().await?.into())
        })
        .await
    }

    #[napi]
    pub async fn discard(&self) -> napi::Result<()> {
        guard(async {
            if let Some(writer) = self.writer.lock().await.take() {
                writer.discard().await;
            }
            Ok(())
        })
        .await
    }
}

/// Chunked reader of large content.
#[napi]
pub struct NativeContentReader {
    reader: Mutex<ContentReader>,
}

impl NativeContentReader {
    pub(super) fn new(reader: ContentReader) -> Self {
        NativeContentReader {
            reader: Mutex::new(reader),
        }
    }
}

#[napi]
impl NativeContentReader {
    /// The next chunk (up to 1 MiB), or null at the end.
    #[napi]
    pub async fn next(&self) -> napi::Result<Option<Buffer>> {
        guard(async {
            Ok(self
                .reader
                .lock()
                .await
                .next_chunk()
                .await?
                .map(Buffer::from))
        })
        .await
    }
}
