// SPDX-License-Identifier: Apache-2.0
//! A running query's results, pulled by JS one encoded chunk at a time (`next()`), so a
//! large result never has to sit in memory on either side.

use std::sync::Arc;
use std::time::Instant;

use deltalake::datafusion::execution::SendableRecordBatchStream;
use futures::TryStreamExt;
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;
use tokio::sync::Mutex;

use super::formats::warnings::Warnings;
use super::output::Encoder;
use super::until;
use crate::error::{guard, guard_sync};

struct StreamState {
    stream: Option<SendableRecordBatchStream>,
    encoder: Encoder,
    deadline: Option<Instant>,
}

/// Results of a query, pulled chunk by chunk so a large result never sits in memory.
#[napi]
pub struct NativeBatchStream {
    state: Mutex<StreamState>,
    warnings: Arc<Warnings>,
}

impl NativeBatchStream {
    pub(super) fn new(
        stream: SendableRecordBatchStream,
        encoder: Encoder,
        deadline: Option<Instant>,
        warnings: Arc<Warnings>,
    ) -> Self {
        NativeBatchStream {
            state: Mutex::new(StreamState {
                stream: Some(stream),
                encoder,
                deadline,
            }),
            warnings,
        }
    }
}

#[napi]
impl NativeBatchStream {
    /// What the statement's format readers skipped so far (bad lines, invalid UTF-8), one
    /// sentence each; complete once `next()` has returned null.
    #[napi]
    pub fn warnings(&self) -> napi::Result<Vec<String>> {
        guard_sync(|| Ok(self.warnings.list()))
    }

    /// The next encoded chunk, or null when the result is complete.
    #[napi]
    pub async fn next(&self) -> napi::Result<Option<Buffer>> {
        guard(async {
            let mut state = self.state.lock().await;
            loop {
                let deadline = state.deadline;
                let Some(stream) = state.stream.as_mut() else {
                    return Ok(None);
                };
                let next = until(deadline, async { Ok(stream.try_next().await?) }).await;
                let next = match next {
                    Ok(next) => next,
                    Err(e) => {
                        // Dropping the stream stops the plan's tasks.
                        state.stream = None;
                        return Err(e);
                    }
                };
                match next {
                    Some(batch) => {
                        let bytes = state.encoder.push(&batch)?;
                        if !bytes.is_empty() {
                            return Ok(Some(bytes.into()));
                        }
                    }
                    None => {
                        state.stream = None;
                        let bytes = state.encoder.finish()?;
                        return Ok((!bytes.is_empty()).then(|| bytes.into()));
                    }
                }
            }
        })
        .await
    }
}
