// SPDX-License-Identifier: Apache-2.0
//! The persisted schemas of a pond's two Delta tables: the oplog's `OplogEntry` rows
//! (REFERENCE §4) and the control table's records, and [`conform`], which shapes any batch
//! to one of them. Column names and types are a contract with existing ponds and independent
//! Delta readers: change nothing here without a migration.

use std::sync::{Arc, LazyLock};

use deltalake::arrow::array::{new_null_array, ArrayRef, RecordBatch, StringArray};
use deltalake::arrow::compute::cast;
use deltalake::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};

use crate::error::{Code, Error, Result};

pub const PARTITION_COLUMNS: [&str; 2] = ["pond_id", "part_id"];

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

/// Shape a batch to `schema`: columns by name, cast where the physical type differs
/// (timestamp zone spelling, view types written by compaction), absent nullable columns
/// filled with nulls. Each `(column, value)` of `fill` sets that column to the string on
/// every row (partition values, which Delta keeps out of the data files). `table` names the
/// table in errors (`oplog`, `control`).
pub fn conform(
    batch: &RecordBatch,
    schema: &SchemaRef,
    table: &str,
    fill: &[(&str, &str)],
) -> Result<RecordBatch> {
    let rows = batch.num_rows();
    let mut columns: Vec<ArrayRef> = Vec::with_capacity(schema.fields().len());
    for field in schema.fields() {
        let name = field.name().as_str();
        let filled = fill.iter().find(|(column, _)| *column == name);
        let column: ArrayRef = match (filled, batch.column_by_name(name)) {
            (Some((_, value)), _) => Arc::new(StringArray::from(vec![*value; rows])),
            (None, Some(col)) if col.data_type() == field.data_type() => col.clone(),
            (None, Some(col)) => cast(col, field.data_type())?,
            (None, None) if field.is_nullable() => new_null_array(field.data_type(), rows),
            (None, None) => {
                return Err(Error::new(
                    Code::SchemaMismatch,
                    format!("{table} rows lack the required column {name:?}"),
                ))
            }
        };
        if !field.is_nullable() && column.null_count() > 0 {
            return Err(Error::new(
                Code::SchemaMismatch,
                format!("{table} column {name:?} must not contain nulls"),
            ));
        }
        columns.push(column);
    }
    Ok(RecordBatch::try_new(schema.clone(), columns)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use deltalake::arrow::array::{Array, Int32Array, Int64Array, TimestampMicrosecondArray};

    /// A control record as TS might send it: a zone-less timestamp, an Int32 sequence.
    fn control_row(record_type: Option<&str>) -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![
            Field::new("record_type", DataType::Utf8, true),
            Field::new(
                "timestamp",
                DataType::Timestamp(TimeUnit::Microsecond, None),
                true,
            ),
            Field::new("txn_seq", DataType::Int32, true),
        ]));
        let columns: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(vec![record_type])),
            Arc::new(TimestampMicrosecondArray::from(vec![1])),
            Arc::new(Int32Array::from(vec![7])),
        ];
        RecordBatch::try_new(schema, columns).unwrap()
    }

    #[test]
    fn conform_casts_and_fills_nulls() {
        let out = conform(
            &control_row(Some("setting")),
            &CONTROL_SCHEMA,
            "control",
            &[],
        )
        .unwrap();
        assert_eq!(out.schema(), CONTROL_SCHEMA.clone());
        let seq = out.column_by_name("txn_seq").unwrap();
        let seq = seq.as_any().downcast_ref::<Int64Array>().unwrap();
        assert_eq!(seq.value(0), 7);
        assert!(out.column_by_name("key").unwrap().is_null(0));
    }

    #[test]
    fn conform_refuses_missing_and_null_required_columns() {
        let err = conform(&control_row(None), &CONTROL_SCHEMA, "control", &[]).unwrap_err();
        assert_eq!(err.code, Code::SchemaMismatch);
        assert_eq!(
            err.message,
            "control column \"record_type\" must not contain nulls"
        );
        let err = conform(&control_row(Some("x")), &OPLOG_SCHEMA, "oplog", &[]).unwrap_err();
        assert_eq!(err.code, Code::SchemaMismatch);
        assert_eq!(
            err.message,
            "oplog rows lack the required column \"part_id\""
        );
    }

    #[test]
    fn conform_fills_partition_values() {
        let rows = control_row(Some("x"));
        let fill = [("part_id", "p"), ("pond_id", "q")];
        let err = conform(&rows, &OPLOG_SCHEMA, "oplog", &fill).unwrap_err();
        // part_id is filled in: the first required column still missing is node_id.
        assert_eq!(
            err.message,
            "oplog rows lack the required column \"node_id\""
        );
        let empty = RecordBatch::new_empty(OPLOG_SCHEMA.clone());
        let out = conform(&empty, &OPLOG_SCHEMA, "oplog", &fill).unwrap();
        assert_eq!(out.num_rows(), 0);
    }
}
