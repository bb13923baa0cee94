// SPDX-License-Identifier: Apache-2.0
//! The persisted `OplogEntry` schema (REFERENCE §4). Column names and types are a contract
//! with existing ponds and independent Delta readers: change nothing here without a migration.

use std::sync::{Arc, LazyLock};

use deltalake::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};

pub const PARTITION_COLUMNS: [&str; 2] = ["pond_id", "part_id"];

/// Content at or above this many bytes lives in `_large_files/`, not inline.
pub const LARGE_THRESHOLD: usize = 64 * 1024;

/// The full row schema, in column order, partition columns included.
pub static OPLOG_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    let utc = Some(Arc::from("UTC"));
    Arc::new(Schema::new(vec![
        Field::new("part_id", DataType::Utf8, false),
        Field::new("node_id", DataType::Utf8, false),
        Field::new("file_type", DataType::Utf8, false),
        Field::new(
            "timestamp",
            DataType::Timestamp(TimeUnit::Microsecond, utc),
            false,
        ),
        Field::new("version", DataType::Int64, false),
        Field::new("content", DataType::Binary, true),
        Field::new("blake3", DataType::Utf8, true),
        Field::new("size", DataType::Int64, true),
        Field::new("min_event_time", DataType::Int64, true),
        Field::new("max_event_time", DataType::Int64, true),
        Field::new("min_override", DataType::Int64, true),
        Field::new("max_override", DataType::Int64, true),
        Field::new("extended_attributes", DataType::Utf8, true),
        Field::new("factory", DataType::Utf8, true),
        Field::new("format", DataType::Utf8, false),
        Field::new("txn_seq", DataType::Int64, false),
        Field::new("pond_id", DataType::Utf8, false),
    ]))
});

/// Rows of the control table at `$POND/control` (transaction lifecycle and settings). One
/// row per event: `begin`, then `committed`, `failed` or `completed` for a transaction;
/// `setting` for a key/value pair (the newest row for a key wins).
pub static CONTROL_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    let utc = Some(Arc::from("UTC"));
    Arc::new(Schema::new(vec![
        Field::new("record_type", DataType::Utf8, false),
        Field::new(
            "timestamp",
            DataType::Timestamp(TimeUnit::Microsecond, utc),
            false,
        ),
        Field::new("txn_seq", DataType::Int64, true),
        Field::new("txn_id", DataType::Utf8, true),
        Field::new("txn_kind", DataType::Utf8, true),
        Field::new("parent_seq", DataType::Int64, true),
        Field::new("args", DataType::Utf8, true),
        Field::new("data_version", DataType::Int64, true),
        Field::new("duration_ms", DataType::Int64, true),
        Field::new("error", DataType::Utf8, true),
        Field::new("changes", DataType::Utf8, true),
        Field::new("key", DataType::Utf8, true),
        Field::new("value", DataType::Utf8, true),
    ]))
});
