// SPDX-License-Identifier: Apache-2.0
//! Encoding query results for the TS side, batch by batch: Arrow IPC (the library), CSV,
//! JSON lines, Parquet (the CLI's raw output) or the bordered text table of `--format table`.
//! Before encoding, batches are normalised to the boundary's plain types (see `ipc.rs`).

use std::io::Write;
use std::sync::{Arc, Mutex};

use deltalake::arrow::array::{Array, ArrayRef, RecordBatch};
use deltalake::arrow::compute::cast;
use deltalake::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use deltalake::arrow::util::display::{ArrayFormatter, FormatOptions};
use deltalake::parquet::arrow::ArrowWriter;
use deltalake::parquet::basic::Compression;
use deltalake::parquet::file::properties::WriterProperties;

use crate::error::{lock, Code, Error, Result};
use crate::ipc;

/// The boundary type for a column type: timestamps as µs UTC, views and dictionaries and
/// large variants as their plain form.
fn plain_type(dt: &DataType) -> DataType {
    match dt {
        DataType::Timestamp(_, _) => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
        DataType::Utf8View | DataType::LargeUtf8 => DataType::Utf8,
        DataType::BinaryView | DataType::LargeBinary => DataType::Binary,
        DataType::Dictionary(_, value) => plain_type(value),
        other => other.clone(),
    }
}

pub fn plain_schema(schema: &Schema) -> SchemaRef {
    Arc::new(Schema::new(
        schema
            .fields()
            .iter()
            .map(|f| Field::new(f.name(), plain_type(f.data_type()), f.is_nullable()))
            .collect::<Vec<_>>(),
    ))
}

pub fn plain_batch(batch: &RecordBatch, schema: &SchemaRef) -> Result<RecordBatch> {
    let columns = batch
        .columns()
        .iter()
        .zip(schema.fields())
        .map(|(col, field)| -> Result<ArrayRef> {
            if col.data_type() == field.data_type() {
                Ok(col.clone())
            } else {
                Ok(cast(col, field.data_type())?)
            }
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(RecordBatch::try_new(schema.clone(), columns)?)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    Ipc,
    Csv,
    Json,
    Parquet,
    Table,
}

impl OutputFormat {
    pub fn parse(name: &str) -> Result<OutputFormat> {
        Ok(match name {
            "ipc" => OutputFormat::Ipc,
            "csv" => OutputFormat::Csv,
            "json" => OutputFormat::Json,
            "parquet" | "raw" => OutputFormat::Parquet,
            "table" => OutputFormat::Table,
            other => {
                return Err(Error::new(
                    Code::InvalidArgument,
                    format!("unknown output format {other:?} (ipc, csv, json, parquet, table)"),
                ))
            }
        })
    }
}

/// A `Write` whose bytes can be taken out between writes (for incremental Parquet).
#[derive(Clone, Default)]
pub struct SharedBuf(Arc<Mutex<Vec<u8>>>);

impl Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("the output buffer lock was poisoned"))?
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl SharedBuf {
    fn take(&self) -> Result<Vec<u8>> {
        Ok(std::mem::take(&mut *lock(&self.0, "output buffer")?))
    }
}

/// Turns a stream of batches into chunks of one output format: one variant per format,
/// holding what that format needs between batches.
pub enum Encoder {
    Ipc {
        plain: SchemaRef,
        wrote_schema: bool,
    },
    Csv {
        /// The result schema as the plan produced it (its names head an empty result).
        schema: SchemaRef,
        plain: SchemaRef,
        wrote_header: bool,
    },
    Json {
        plain: SchemaRef,
    },
    Parquet {
        writer: Box<ArrowWriter<SharedBuf>>,
        buf: SharedBuf,
    },
    Table {
        /// The result schema as the plan produced it (its type names go in the header).
        schema: SchemaRef,
        batches: Vec<RecordBatch>,
    },
}

impl Encoder {
    /// `row_group_rows` bounds Parquet row groups (default: the writer's, 1M rows).
    pub fn new(
        format: OutputFormat,
        schema: SchemaRef,
        row_group_rows: Option<usize>,
    ) -> Result<Encoder> {
        Ok(match format {
            OutputFormat::Ipc => Encoder::Ipc {
                plain: plain_schema(&schema),
                wrote_schema: false,
            },
            OutputFormat::Csv => Encoder::Csv {
                plain: plain_schema(&schema),
                schema,
                wrote_header: false,
            },
            OutputFormat::Json => Encoder::Json {
                plain: plain_schema(&schema),
            },
            OutputFormat::Parquet => {
                let buf = SharedBuf::default();
                let mut props = WriterProperties::builder().set_compression(Compression::SNAPPY);
                if let Some(rows) = row_group_rows {
                    props = props.set_max_row_group_row_count(Some(rows.max(1)));
                }
                let writer = ArrowWriter::try_new(buf.clone(), schema, Some(props.build()))?;
                Encoder::Parquet {
                    writer: Box::new(writer),
                    buf,
                }
            }
            OutputFormat::Table => Encoder::Table {
                schema,
                batches: Vec::new(),
            },
        })
    }

    /// Encode one batch; returns bytes ready to emit (possibly empty).
    pub fn push(&mut self, batch: &RecordBatch) -> Result<Vec<u8>> {
        match self {
            Encoder::Ipc {
                plain,
                wrote_schema,
            } => {
                *wrote_schema = true;
                ipc::encode(plain, &[plain_batch(batch, plain)?])
            }
            Encoder::Csv {
                plain,
                wrote_header,
                ..
            } => {
                let mut out = Vec::new();
                {
                    let mut writer = deltalake::arrow::csv::WriterBuilder::new()
                        .with_header(!*wrote_header)
                        .build(&mut out);
                    writer.write(&plain_batch(batch, plain)?)?;
                }
                *wrote_header = true;
                Ok(out)
            }
            Encoder::Json { plain } => {
                let mut out = Vec::new();
                {
                    let mut writer = deltalake::arrow::json::LineDelimitedWriter::new(&mut out);
                    writer.write(&plain_batch(batch, plain)?)?;
                    writer.finish()?;
                }
                Ok(out)
            }
            Encoder::Parquet { writer, buf } => {
                writer.write(batch)?;
                if writer.in_progress_size() > 64 << 20 {
                    writer.flush()?;
                }
                buf.take()
            }
            Encoder::Table { batches, .. } => {
                batches.push(batch.clone());
                Ok(Vec::new())
            }
        }
    }

    /// Bytes that complete the output after the last batch.
    pub fn finish(&mut self) -> Result<Vec<u8>> {
        match self {
            Encoder::Ipc {
                plain,
                wrote_schema,
            } => {
                if *wrote_schema {
                    Ok(Vec::new())
                } else {
                    *wrote_schema = true;
                    ipc::encode(plain, &[])
                }
            }
            Encoder::Csv {
                schema,
                wrote_header,
                ..
            } => {
                if *wrote_header {
                    return Ok(Vec::new());
                }
                *wrote_header = true;
                let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
                Ok(format!("{}\n", names.join(",")).into_bytes())
            }
            Encoder::Json { .. } => Ok(Vec::new()),
            Encoder::Parquet { writer, buf } => {
                writer.finish()?;
                buf.take()
            }
            Encoder::Table { schema, batches } => render_table(schema, &std::mem::take(batches)),
        }
    }
}

/// The `--format table` text: a bordered grid with a row of names and a row of Arrow type
/// names, `NULL` for nulls, then `Summary: N total rows` (or `No data found`).
pub fn render_table(schema: &SchemaRef, batches: &[RecordBatch]) -> Result<Vec<u8>> {
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    if rows == 0 {
        return Ok(b"No data found\n".to_vec());
    }
    let options = FormatOptions::default().with_null("NULL");
    let mut cells: Vec<Vec<String>> = vec![
        schema.fields().iter().map(|f| f.name().clone()).collect(),
        schema
            .fields()
            .iter()
            .map(|f| format!("{:?}", f.data_type()))
            .collect(),
    ];
    for batch in batches {
        let formatters = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        for row in 0..batch.num_rows() {
            cells.push(
                formatters
                    .iter()
                    .map(|f| f.value(row).to_string())
                    .collect(),
            );
        }
    }
    let widths: Vec<usize> = (0..schema.fields().len())
        .map(|i| {
            cells
                .iter()
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let border = format!(
        "+{}+\n",
        widths
            .iter()
            .map(|w| "-".repeat(w + 2))
            .collect::<Vec<_>>()
            .join("+")
    );
    let line = |row: &[String]| {
        let body: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!(" {cell}{} ", " ".repeat(w - cell.chars().count())))
            .collect();
        format!("|{}|\n", body.join("|"))
    };
    let mut out = border.clone();
    out.push_str(&line(&cells[0]));
    out.push_str(&line(&cells[1]));
    out.push_str(&border);
    for row in &cells[2..] {
        out.push_str(&line(row));
    }
    out.push_str(&border);
    out.push_str(&format!("Summary: {rows} total rows\n"));
    Ok(out.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use deltalake::arrow::array::Int64Array;

    fn batch() -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![Field::new("n", DataType::Int64, false)]));
        RecordBatch::try_new(schema, vec![Arc::new(Int64Array::from(vec![1, 2]))]).unwrap()
    }

    fn encode(format: OutputFormat, batches: &[RecordBatch]) -> Vec<u8> {
        let mut encoder = Encoder::new(format, batch().schema(), None).unwrap();
        let mut out = Vec::new();
        for b in batches {
            out.extend(encoder.push(b).unwrap());
        }
        out.extend(encoder.finish().unwrap());
        out
    }

    #[test]
    fn csv_has_one_header_even_when_empty() {
        assert_eq!(
            encode(OutputFormat::Csv, &[batch(), batch()]),
            b"n\n1\n2\n1\n2\n"
        );
        assert_eq!(encode(OutputFormat::Csv, &[]), b"n\n");
    }

    #[test]
    fn parquet_is_one_readable_file() {
        use deltalake::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
        let bytes = encode(OutputFormat::Parquet, &[batch(), batch()]);
        let path =
            std::env::temp_dir().join(format!("duckpond-encoder-{}.parquet", std::process::id()));
        std::fs::write(&path, bytes).unwrap();
        let file = std::fs::File::open(&path).unwrap();
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .unwrap()
            .build()
            .unwrap();
        let rows: usize = reader.map(|b| b.unwrap().num_rows()).sum();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(rows, 4);
    }

    #[test]
    fn ipc_and_json_and_table() {
        assert_eq!(
            ipc::decode(&encode(OutputFormat::Ipc, &[])).unwrap().len(),
            0
        );
        assert_eq!(
            encode(OutputFormat::Json, &[batch()]),
            b"{\"n\":1}\n{\"n\":2}\n"
        );
        let table = String::from_utf8(encode(OutputFormat::Table, &[batch()])).unwrap();
        assert!(table.ends_with("Summary: 2 total rows\n"));
        assert_eq!(encode(OutputFormat::Table, &[]), b"No data found\n");
    }
}
