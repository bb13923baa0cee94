// SPDX-License-Identifier: Apache-2.0
//! The formats DataFusion reads itself, through its listing tables: CSV (options of
//! REFERENCE §3) and JSON lines, optionally gzip/zstd/bzip2-compressed, and Parquet and
//! Arrow IPC files for pond's own use.

use std::collections::BTreeMap;
use std::sync::Arc;

use deltalake::arrow::datatypes::{DataType, Schema, SchemaRef};
use deltalake::datafusion::datasource::file_format::arrow::ArrowFormat;
use deltalake::datafusion::datasource::file_format::csv::CsvFormat;
use deltalake::datafusion::datasource::file_format::file_compression_type::FileCompressionType;
use deltalake::datafusion::datasource::file_format::json::JsonFormat;
use deltalake::datafusion::datasource::file_format::parquet::ParquetFormat;
use deltalake::datafusion::datasource::file_format::FileFormat;
use deltalake::datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use deltalake::datafusion::prelude::SessionContext;

use crate::error::{Code, Error, Result};
use crate::query::spec::RawFile;

pub const CSV_OPTIONS: [&str; 6] = [
    "delimiter",
    "has_header",
    "quote",
    "escape",
    "batch_size",
    "schema_infer_max_records",
];

fn one_byte(key: &str, value: &str) -> Result<u8> {
    let unescaped = match value {
        "\\t" | "tab" => "\t",
        other => other,
    };
    match unescaped.as_bytes() {
        [b] => Ok(*b),
        _ => Err(Error::new(
            Code::InvalidArgument,
            format!("csv option {key} must be one character, not {value:?}"),
        )),
    }
}

pub fn boolean(key: &str, value: &str) -> Result<bool> {
    match value {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err(Error::new(
            Code::InvalidArgument,
            format!("option {key} must be true or false, not {value:?}"),
        )),
    }
}

fn number(key: &str, value: &str) -> Result<usize> {
    value.parse().map_err(|_| {
        Error::new(
            Code::InvalidArgument,
            format!("option {key} must be a whole number, not {value:?}"),
        )
    })
}

fn compression(name: Option<&str>) -> Result<FileCompressionType> {
    Ok(match name {
        None => FileCompressionType::UNCOMPRESSED,
        Some("gzip") => FileCompressionType::GZIP,
        Some("zstd") => FileCompressionType::ZSTD,
        Some("bzip2") => FileCompressionType::BZIP2,
        Some(other) => {
            return Err(Error::new(
                Code::InvalidArgument,
                format!("unknown compression {other:?} (gzip, zstd, bzip2)"),
            ))
        }
    })
}

/// The DataFusion file format for a pond format name and its options.
pub fn file_format(
    format: &str,
    compression_name: Option<&str>,
    options: &BTreeMap<String, String>,
) -> Result<Arc<dyn FileFormat>> {
    let compression = compression(compression_name)?;
    match format {
        "csv" => {
            let mut csv = CsvFormat::default()
                .with_has_header(true)
                .with_file_compression_type(compression);
            for (key, value) in options {
                csv = match key.as_str() {
                    "delimiter" => csv.with_delimiter(one_byte(key, value)?),
                    "has_header" => csv.with_has_header(boolean(key, value)?),
                    "quote" => csv.with_quote(one_byte(key, value)?),
                    "escape" => csv.with_escape(Some(one_byte(key, value)?)),
                    "schema_infer_max_records" => {
                        csv.with_schema_infer_max_rec(number(key, value)?)
                    }
                    "batch_size" => {
                        number(key, value)?;
                        csv
                    }
                    other => {
                        return Err(Error::new(
                            Code::InvalidArgument,
                            format!(
                                "unknown csv option {other:?} (known: {})",
                                CSV_OPTIONS.join(", ")
                            ),
                        ))
                    }
                };
            }
            Ok(Arc::new(csv))
        }
        "jsonl" => {
            if let Some(key) = options
                .keys()
                .find(|k| k.as_str() != "schema_infer_max_records")
            {
                return Err(Error::new(
                    Code::InvalidArgument,
                    format!("unknown jsonl option {key:?} (known: schema_infer_max_records)"),
                ));
            }
            let mut json = JsonFormat::default().with_file_compression_type(compression);
            if let Some(n) = options.get("schema_infer_max_records") {
                json = json.with_schema_infer_max_rec(number("schema_infer_max_records", n)?);
            }
            Ok(Arc::new(json))
        }
        // Plain DataFusion Parquet listing, without pond's version skipping (benchmarks'
        // baseline, host Parquet globs).
        "parquet" => {
            if let Some(key) = options.keys().next() {
                return Err(Error::new(
                    Code::InvalidArgument,
                    format!("unknown parquet option {key:?}"),
                ));
            }
            Ok(Arc::new(ParquetFormat::default()))
        }
        // Arrow IPC files: how the library hands a caller's own Arrow tables to the engine
        // (`tx.write(path, table)`); not a URL format.
        "arrow" => {
            if let Some(key) = options.keys().next() {
                return Err(Error::new(
                    Code::InvalidArgument,
                    format!("unknown arrow option {key:?}"),
                ));
            }
            Ok(Arc::new(ArrowFormat))
        }
        other => Err(Error::new(
            Code::InvalidArgument,
            format!("format {other:?} cannot be read as a table here (csv, jsonl, parquet, arrow)"),
        )),
    }
}

/// A listing table over raw host files.
pub async fn listing_table(
    ctx: &SessionContext,
    format: Arc<dyn FileFormat>,
    files: &[RawFile],
) -> Result<Arc<ListingTable>> {
    if files.is_empty() {
        return Err(Error::new(Code::NotFound, "no files to read"));
    }
    // Each path names one file: it is not parsed as a URL or a glob, so `?`, `*`, `[`, `%`
    // and `#` in a directory name are just characters.
    let urls = files
        .iter()
        .map(|f| {
            let url = url::Url::from_file_path(&f.path).map_err(|_| {
                Error::new(
                    Code::InvalidArgument,
                    format!("not an absolute path: {}", f.path),
                )
            })?;
            Ok(ListingTableUrl::try_new(url, None)?)
        })
        .collect::<Result<Vec<_>>>()?;
    let is_csv = format.get_ext().trim_start_matches('.') == "csv";
    let options = ListingOptions::new(format).with_file_extension("");
    let mut config = ListingTableConfig::new_with_multi_paths(urls)
        .with_listing_options(options)
        .infer_schema(&ctx.state())
        .await?;
    if is_csv {
        if let Some(schema) = config.file_schema.take() {
            config = config.with_schema(utc_timestamps(&schema));
        }
    }
    Ok(Arc::new(ListingTable::try_new(config)?))
}

/// CSV text has no zone: inferred timestamps are read as UTC, the convention rows cross in.
fn utc_timestamps(schema: &Schema) -> SchemaRef {
    let fields = schema.fields().iter().map(|f| match f.data_type() {
        DataType::Timestamp(unit, None) => Arc::new(
            f.as_ref()
                .clone()
                .with_data_type(DataType::Timestamp(*unit, Some("UTC".into()))),
        ),
        _ => f.clone(),
    });
    Arc::new(Schema::new_with_metadata(
        fields.collect::<Vec<_>>(),
        schema.metadata().clone(),
    ))
}
