// SPDX-License-Identifier: Apache-2.0
//! `TableSpec`: how TypeScript tells the engine what a table name in SQL stands for.
//! TS resolves pond paths, globs and URLs (it owns filesystem semantics) and sends one JSON
//! object per table reference; the engine turns each into a DataFusion `TableProvider`.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum TableSpec {
    /// Parquet versions of a pond table or series (or one host Parquet file). Each file may
    /// carry event-time bounds, which let a time filter skip it without opening it.
    #[serde(rename_all = "camelCase")]
    Parquet {
        label: String,
        files: Vec<ParquetFile>,
        time_column: Option<String>,
        /// What parsing this Parquet from a format skipped (a cached parse), reported with
        /// every query that reads it.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        warnings: Vec<String>,
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
    /// Raw bytes parsed by a format (csv, jsonl, oteljson, jsonlogs, weblog, excelhtml).
    #[serde(rename_all = "camelCase")]
    Format {
        label: String,
        format: String,
        compression: Option<String>,
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        options: BTreeMap<String, String>,
        files: Vec<RawFile>,
        /// The files are one byte stream, in order (a raw series' versions), not each a
        /// table; only the streamed formats read it.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        concatenate: bool,
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
#[cfg_attr(test, derive(serde::Serialize))]
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
#[cfg_attr(test, derive(serde::Serialize))]
#[serde(rename_all = "camelCase")]
pub struct RawFile {
    pub path: String,
}

#[cfg(test)]
mod tests {
    //! The TableSpec contract, Rust half: every fixture TS writes (`test/fixtures/
    //! table-specs/`, typed as TS's `TableSpec`) deserialises here and serialises back to
    //! the same JSON, so a field renamed, retyped or added on one side alone fails.

    use std::collections::BTreeSet;
    use std::path::Path;

    use serde_json::Value;

    use super::TableSpec;

    /// Keys TS sends that the engine does not read (`orderBy`: see `ts/query/spec.ts`).
    const TS_ONLY: &[&str] = &["orderBy"];

    /// `value` without nulls (an absent optional field and `null` mean the same) and
    /// without TS-only keys.
    fn normal(value: Value) -> Value {
        match value {
            Value::Object(map) => Value::Object(
                map.into_iter()
                    .filter(|(k, v)| !v.is_null() && !TS_ONLY.contains(&k.as_str()))
                    .map(|(k, v)| (k, normal(v)))
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.into_iter().map(normal).collect()),
            other => other,
        }
    }

    fn kind(spec: &TableSpec) -> &'static str {
        match spec {
            TableSpec::Parquet { .. } => "parquet",
            TableSpec::Union { .. } => "union",
            TableSpec::View { .. } => "view",
            TableSpec::Format { .. } => "format",
            TableSpec::Empty { .. } => "empty",
        }
    }

    #[test]
    fn fixtures_round_trip() -> Result<(), Box<dyn std::error::Error>> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../test/fixtures/table-specs");
        let mut kinds = BTreeSet::new();
        let mut count = 0;
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let text = std::fs::read_to_string(&path)?;
            let spec: TableSpec =
                serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            kinds.insert(kind(&spec));
            let sent = normal(serde_json::from_str(&text)?);
            let echoed = normal(serde_json::to_value(&spec)?);
            assert_eq!(echoed, sent, "{} does not round-trip", path.display());
            count += 1;
        }
        assert!(count > 0, "no fixtures in {}", dir.display());
        let all = BTreeSet::from(["parquet", "union", "view", "format", "empty"]);
        assert_eq!(kinds, all, "fixtures cover every variant");
        Ok(())
    }
}
