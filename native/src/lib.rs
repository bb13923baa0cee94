// SPDX-License-Identifier: Apache-2.0
//! pond's native addon: Delta Lake storage, content hashing and SQL execution for
//! the TypeScript engine. Private: `ts/native/` is its only importer. Every export is
//! guarded (`error::guard`, `error::guard_sync`): a panic becomes an INTERNAL error.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod content;
mod control;
mod delta;
mod error;
mod ipc;
mod layout;
mod lock;
mod maintain;
mod query;
mod remote;
mod schema;
mod store;
mod template;
mod verify;

pub use control::NativeControl;
pub use error::error_codes;
pub use layout::pond_layout;
pub use maintain::{maintain_table, table_stats};
pub use query::{NativeBatchStream, NativeEngine};
pub use remote::{blake3_file, NativeRemote};
pub use store::{NativeContentReader, NativeContentWriter, NativeStore, NativeTxn};
pub use template::render_template;

/// Stack of each runtime worker thread. DataFusion plans and optimises SQL recursively, and
/// a deep expression (a long `a + b + ...` chain, nested views) needs more than Tokio's
/// default 2 MiB; the memory is reserved, not committed, until a thread touches it.
const WORKER_STACK: usize = 64 * 1024 * 1024;

#[napi_derive::module_init]
fn init() {
    // A panic becomes a rejected Promise with its message (see `error::guard`); the default
    // hook would also print a backtrace into the user's terminal.
    std::panic::set_hook(Box::new(|_| {}));
    // Should the runtime fail to start, napi-rs starts its default one on first use
    // (with smaller worker stacks): deep SQL may then fail, but the addon still loads.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(WORKER_STACK)
        .build();
    if let Ok(runtime) = runtime {
        napi::bindgen_prelude::create_custom_tokio_runtime(runtime);
    }
}

/// BLAKE3 of bytes, as hex (integrity checks of inline content and pond checksums).
#[napi_derive::napi]
pub fn blake3_hex(bytes: napi::bindgen_prelude::Buffer) -> napi::Result<String> {
    error::guard_sync(|| Ok(blake3::hash(&bytes).to_hex().to_string()))
}
