// SPDX-License-Identifier: Apache-2.0
//! `TableSpec`: how TypeScript tells the engine what a table name in SQL stands for.
//! TS resolves pond paths, globs and URLs (it owns filesystem semantics) and sends one JSON
//! object per table reference; the engine turns each into a DataFusion `TableProvider`.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum TableSpec {
    /// Parquet versions of a pond table or series (or one host Parquet file). Each file may
    /// carry event-time bounds, which let a time filter skip it without opening it.
    #[serde(rename_all = "camelCase")]
    Parquet {
        label: String,
        files: Vec<ParquetFile>,
        time_column: Option<String>,
    },
    /// UNION ALL BY NAME of the inputs.
    #[serde(rename_all = "camelCase")]
    Union {
        label: String,
        inputs: Vec<TableSpec>,
    },
    /// A SQL view with its own, scoped table names.
    #[serde(rename_all = "camelCase")]
    View {
        label: String,
        sql: String,
        tables: BTreeMap<String, TableSpec>,
    },
    /// Raw bytes parsed as CSV or JSON lines.
    #[serde(rename_all = "camelCase")]
    Format {
        label: String,
        format: String,
        compression: Option<String>,
        #[serde(default)]
        options: BTreeMap<String, String>,
        files: Vec<RawFile>,
    },
    /// No rows, no columns (a pattern that matched nothing).
    #[serde(rename_all = "camelCase")]
    Empty { label: String },
}

impl TableSpec {
    pub fn label(&self) -> &str {
        match self {
            TableSpec::Parquet { label, .. }
            | TableSpec::Union { label, .. }
            | TableSpec::View { label, .. }
            | TableSpec::Format { label, .. }
            | TableSpec::Empty { label } => label,
        }
    }
}

/// One Parquet file on the host filesystem (pond content is a large file, or inline
/// bytes that TS materialised under `$POND/cache/`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParquetFile {
    pub path: String,
    /// For pond content: the hash and size the oplog records, checked before the scan
    /// (see `verify.rs`).
    #[serde(default)]
    pub blake3: Option<String>,
    #[serde(default)]
    pub size: Option<u64>,
    /// Event-time bounds of this file in µs, when known.
    pub min_time: Option<i64>,
    pub max_time: Option<i64>,
}

/// One raw file to parse, on the host filesystem.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawFile {
    pub path: String,
}
