// SPDX-License-Identifier: Apache-2.0
//! Warnings of one query: what its format readers skipped (bad lines, invalid UTF-8),
//! collected while it runs. A session carries one [`Warnings`] as a config extension, so
//! every provider in the statement, views' inner sessions included, adds to the same list;
//! the result stream hands them to TS when it ends (`NativeBatchStream.warnings()`).

use std::sync::{Arc, Mutex};

use deltalake::datafusion::prelude::SessionConfig;

#[derive(Debug, Default)]
pub struct Warnings(Mutex<Vec<String>>);

impl Warnings {
    /// Add warnings, each once (a table read twice in a statement warns once).
    pub fn add(&self, warnings: impl IntoIterator<Item = String>) {
        let mut list = self.0.lock().unwrap_or_else(|e| e.into_inner());
        for w in warnings {
            if !list.contains(&w) {
                list.push(w);
            }
        }
    }

    pub fn list(&self) -> Vec<String> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The collector of a session's config (installed by the engine for each statement).
    pub fn of(config: &SessionConfig) -> Option<Arc<Warnings>> {
        config.get_extension::<Warnings>()
    }
}
