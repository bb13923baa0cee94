// SPDX-License-Identifier: Apache-2.0
//! pond's native addon: Delta Lake storage, content hashing and (later) SQL execution for
//! the TypeScript engine. Private: `ts/native/` is its only importer.

mod content;
mod control;
mod error;
mod ipc;
mod lock;
mod maintain;
mod query;
mod schema;
mod store;

pub use control::NativeControl;
pub use maintain::{maintain_table, table_stats};
pub use query::{NativeBatchStream, NativeEngine};
pub use store::{NativeContentReader, NativeContentWriter, NativeStore, NativeTxn};

/// BLAKE3 of bytes, as hex (integrity checks of inline content and pond checksums).
#[napi_derive::napi]
pub fn blake3_hex(bytes: napi::bindgen_prelude::Buffer) -> String {
    blake3::hash(&bytes).to_hex().to_string()
}
