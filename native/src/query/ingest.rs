// SPDX-License-Identifier: Apache-2.0
//! What pond needs to know about a Parquet file before it becomes a table or series version:
//! its columns, row count and the event-time range of a column (`parquetInfo`), and whether
//! the series it joins could read it back (`checkSeriesVersion`).

use deltalake::arrow::array::{Array, Int64Array};
use deltalake::arrow::compute::{cast, max, min};
use deltalake::arrow::datatypes::{DataType, TimeUnit};
use deltalake::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use deltalake::parquet::arrow::ProjectionMask;
use napi_derive::napi;

use super::{unify, NativeEngine};
use crate::error::{guard, Code, Error, Result};

/// One column of a Parquet file.
#[napi(object)]
pub struct ColumnInfo {
    pub name: String,
    /// Arrow type name as DataFusion prints it, e.g. `Timestamp(Millisecond, Some("UTC"))`.
    pub data_type: String,
    pub nullable: bool,
    /// True for timestamp and Int64 columns (event-time candidates).
    pub time_like: bool,
}

/// What a Parquet file holds, and the event-time range of one of its columns.
#[napi(object)]
pub struct ParquetInfo {
    pub columns: Vec<ColumnInfo>,
    pub num_rows: i64,
    pub num_row_groups: u32,
    pub size: i64,
    /// The requested time column, when it exists and is time-like.
    pub time_column: Option<String>,
    /// Its min and max, µs since the epoch (null for an empty file).
    pub min_time: Option<i64>,
    pub max_time: Option<i64>,
}

fn is_time_like(dt: &DataType) -> bool {
    matches!(dt, DataType::Timestamp(_, _) | DataType::Int64)
}

#[napi]
impl NativeEngine {
    /// Inspect a Parquet file: columns, rows, row groups, and the min/max of `time_column`.
    #[napi]
    pub async fn parquet_info(
        &self,
        path: String,
        time_column: Option<String>,
    ) -> napi::Result<ParquetInfo> {
        let engine = self.inner.clone();
        guard(async move {
            let footer = engine.footers.get(&path).await?;
            let columns = footer
                .schema
                .fields()
                .iter()
                .map(|f| ColumnInfo {
                    name: f.name().clone(),
                    data_type: format!("{:?}", f.data_type()),
                    nullable: f.is_nullable(),
                    time_like: is_time_like(f.data_type()),
                })
                .collect();
            let column = time_column.filter(|c| {
                footer
                    .schema
                    .field_with_name(c)
                    .map(|f| is_time_like(f.data_type()))
                    .unwrap_or(false)
            });
            let (min_time, max_time) = match &column {
                Some(c) => time_range(&path, c).await?,
                None => (None, None),
            };
            Ok(ParquetInfo {
                columns,
                num_rows: footer.metadata.file_metadata().num_rows(),
                num_row_groups: footer.metadata.num_row_groups() as u32,
                size: footer.size as i64,
                time_column: column,
                min_time,
                max_time,
            })
        })
        .await
    }

    /// Check a new version of the series `label` (Parquet at `new_path`) against its
    /// existing versions: SCHEMA_MISMATCH when the series could not read it back.
    #[napi]
    pub async fn check_series_version(
        &self,
        label: String,
        existing: Vec<String>,
        new_path: String,
    ) -> napi::Result<()> {
        let engine = self.inner.clone();
        guard(async move {
            let mut schemas = Vec::with_capacity(existing.len());
            for path in &existing {
                schemas.push(engine.footers.get(path).await?.schema);
            }
            let new = engine.footers.get(&new_path).await?.schema;
            unify::check_new_version(&label, &schemas.iter().collect::<Vec<_>>(), &new)
        })
        .await
    }
}

/// Min and max of a time-like column, in µs (Int64 columns are taken as µs already).
async fn time_range(path: &str, column: &str) -> Result<(Option<i64>, Option<i64>)> {
    let path = path.to_string();
    let column = column.to_string();
    tokio::task::spawn_blocking(move || -> Result<(Option<i64>, Option<i64>)> {
        let file = std::fs::File::open(&path)?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(file)?;
        let mask = ProjectionMask::columns(builder.parquet_schema(), [column.as_str()]);
        let reader = builder.with_projection(mask).build()?;
        let (mut lo, mut hi): (Option<i64>, Option<i64>) = (None, None);
        for batch in reader {
            let batch = batch?;
            let col = batch.column(0);
            let as_micros = match col.data_type() {
                DataType::Timestamp(_, tz) => {
                    cast(col, &DataType::Timestamp(TimeUnit::Microsecond, tz.clone()))?
                }
                _ => col.clone(),
            };
            let values = cast(&as_micros, &DataType::Int64)?;
            let values = values
                .as_any()
                .downcast_ref::<Int64Array>()
                .ok_or_else(|| Error::new(Code::Internal, "time column did not cast to Int64"))?;
            if values.null_count() == values.len() {
                continue;
            }
            if let Some(v) = min(values) {
                lo = Some(lo.map_or(v, |lo| lo.min(v)));
            }
            if let Some(v) = max(values) {
                hi = Some(hi.map_or(v, |hi| hi.max(v)));
            }
        }
        Ok((lo, hi))
    })
    .await
    .map_err(|e| Error::new(Code::Internal, e.to_string()))?
}
