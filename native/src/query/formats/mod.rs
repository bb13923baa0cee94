// SPDX-License-Identifier: Apache-2.0
//! Raw bytes read as tables. [`FORMATS`] is the one list of parsed formats and their URL
//! options (exported as `parsedFormats()`, which TS's URL grammar is checked against):
//! csv and jsonl go through DataFusion's own listing readers (`listing.rs`); oteljson,
//! jsonlogs, weblog and excelhtml are pond's streamed readers, one file each, behind
//! [`table::StreamedTable`]. Pond files parse once: TS keeps the result as Parquet in its
//! checked format cache (`ts/query/format-cache.ts`) and later reads scan that instead.

mod clf;
mod excelhtml;
mod jsonlogs;
pub mod listing;
mod oteljson;
mod source;
mod table;
pub mod warnings;
mod weblog;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use deltalake::datafusion::catalog::TableProvider;
use deltalake::datafusion::prelude::SessionContext;
use napi_derive::napi;

use super::spec::RawFile;
use crate::error::{guard_sync, Code, Error, Result};
use source::{Compression, StreamInput};
use table::{Reader, StreamedTable};

/// A parsed format: its name in URLs and the `?key=value` options it reads.
pub struct FormatInfo {
    pub name: &'static str,
    pub options: &'static [&'static str],
    /// A pond file's versions are read as one stream (a line split across two versions
    /// parses); csv and jsonl read each version on its own.
    pub concatenated: bool,
}

const STRICT: &[&str] = &["strict"];

pub const FORMATS: &[FormatInfo] = &[
    FormatInfo {
        name: "csv",
        options: &listing::CSV_OPTIONS,
        concatenated: false,
    },
    FormatInfo {
        name: "jsonl",
        options: &["schema_infer_max_records"],
        concatenated: false,
    },
    FormatInfo {
        name: "oteljson",
        options: STRICT,
        concatenated: true,
    },
    FormatInfo {
        name: "jsonlogs",
        options: STRICT,
        concatenated: true,
    },
    FormatInfo {
        name: "weblog",
        options: STRICT,
        concatenated: true,
    },
    FormatInfo {
        name: "excelhtml",
        options: STRICT,
        concatenated: true,
    },
];

/// A parsed format as TS sees it.
#[napi(object)]
pub struct ParsedFormat {
    pub name: String,
    pub options: Vec<String>,
    /// A pond file's versions are read as one concatenated stream.
    pub concatenated: bool,
}

/// The formats URLs may name to parse raw bytes, with their options.
#[napi]
#[cfg_attr(test, allow(dead_code))]
pub fn parsed_formats() -> napi::Result<Vec<ParsedFormat>> {
    guard_sync(|| Ok(format_table()))
}

fn format_table() -> Vec<ParsedFormat> {
    FORMATS
        .iter()
        .map(|f| ParsedFormat {
            name: f.name.to_string(),
            options: f.options.iter().map(|o| o.to_string()).collect(),
            concatenated: f.concatenated,
        })
        .collect()
}

fn streamed_reader(format: &str) -> Result<Option<Arc<dyn Reader>>> {
    Ok(match format {
        "oteljson" => Some(Arc::new(oteljson::OtelJson)),
        "jsonlogs" => Some(Arc::new(jsonlogs::JsonLogs)),
        "weblog" => Some(Arc::new(weblog::Weblog)),
        "excelhtml" => Some(Arc::new(excelhtml::ExcelHtml)),
        _ => None,
    })
}

/// What a `format` spec asks to read.
pub struct FormatRead<'a> {
    pub label: &'a str,
    pub format: &'a str,
    pub compression: Option<&'a str>,
    pub options: &'a BTreeMap<String, String>,
    pub files: &'a [RawFile],
    /// The files are one stream (a raw series' versions, in order).
    pub concatenate: bool,
}

/// The provider of a `format` spec.
pub async fn provider(
    ctx: &SessionContext,
    read: FormatRead<'_>,
) -> Result<Arc<dyn TableProvider>> {
    let Some(reader) = streamed_reader(read.format)? else {
        let format = listing::file_format(read.format, read.compression, read.options)?;
        return Ok(listing::listing_table(ctx, format, read.files).await?);
    };
    let mut strict = false;
    for (key, value) in read.options {
        match key.as_str() {
            "strict" => strict = listing::boolean(key, value)?,
            other => {
                return Err(Error::new(
                    Code::InvalidArgument,
                    format!("unknown {} option {other:?} (known: strict)", read.format),
                ))
            }
        }
    }
    let compression = Compression::parse(read.compression)?;
    let input = |label: String, files: Vec<PathBuf>| StreamInput {
        label,
        files,
        compression,
        strict,
    };
    let inputs = if read.concatenate || read.files.len() == 1 {
        let files = read.files.iter().map(|f| PathBuf::from(&f.path)).collect();
        vec![input(read.label.to_string(), files)]
    } else {
        read.files
            .iter()
            .map(|f| input(f.path.clone(), vec![PathBuf::from(&f.path)]))
            .collect()
    };
    Ok(Arc::new(
        StreamedTable::try_new(read.label, reader, inputs).await?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_format_has_a_reader() {
        let listed = format_table();
        assert_eq!(listed.len(), FORMATS.len());
        for f in &listed {
            let streamed = streamed_reader(&f.name).unwrap().is_some();
            let listing = listing::file_format(&f.name, None, &BTreeMap::new()).is_ok();
            assert!(streamed != listing, "{} has exactly one reader", f.name);
            assert_eq!(streamed, f.concatenated, "{}", f.name);
        }
    }
}
