// SPDX-License-Identifier: Apache-2.0
//! pond's native addon: Delta Lake storage, content hashing and (later) SQL execution for
//! the TypeScript engine. Private: `ts/native/` is its only importer.

mod content;
mod error;
mod ipc;
mod lock;
mod query;
mod schema;
mod store;

pub use query::{NativeBatchStream, NativeEngine};
pub use store::{NativeContentReader, NativeContentWriter, NativeStore, NativeTxn};
