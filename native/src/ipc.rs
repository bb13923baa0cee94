// SPDX-License-Identifier: Apache-2.0
//! Arrow IPC across the boundary. One convention per direction:
//!
//! - **TS → Rust**: one Arrow IPC *stream* buffer (schema message, record batches, end
//!   marker), as written by `apache-arrow`'s `tableToIPC(table, 'stream')`.
//! - **Rust → TS**: one Arrow IPC *stream* buffer per call, or per `BatchStream.next()`
//!   for streamed query results. View and dictionary types are cast to plain types and
//!   timestamps to `Timestamp(µs, "UTC")` before encoding, so TS sees one shape.

use std::io::Cursor;

use deltalake::arrow::datatypes::SchemaRef;
use deltalake::arrow::ipc::reader::StreamReader;
use deltalake::arrow::ipc::writer::StreamWriter;
use deltalake::arrow::record_batch::RecordBatch;

use crate::error::Result;

pub fn decode(bytes: &[u8]) -> Result<Vec<RecordBatch>> {
    let reader = StreamReader::try_new(Cursor::new(bytes), None)?;
    Ok(reader.collect::<std::result::Result<Vec<_>, _>>()?)
}

pub fn encode(schema: &SchemaRef, batches: &[RecordBatch]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut writer = StreamWriter::try_new(&mut out, schema)?;
        for batch in batches {
            writer.write(batch)?;
        }
        writer.finish()?;
    }
    Ok(out)
}
