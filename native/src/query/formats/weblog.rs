// SPDX-License-Identifier: Apache-2.0
//! `weblog`: nginx/Apache **combined** access logs, or **common** ones (no referer and user
//! agent), one request per line, in the original's fixed schema (REFERENCE-ORIGINAL §2.3).
//! A line is matched whole by the grammar of `clf.rs`; a line that does not match, or whose
//! timestamp or numbers do not parse, is skipped and counted. Unlike the original, quoted
//! fields may hold `\"` (Apache's escape for a quote in a request or user agent), read
//! unescaped.

use std::borrow::Cow;
use std::sync::Arc;

use deltalake::arrow::array::{
    ArrayRef, StringBuilder, TimestampMicrosecondBuilder, UInt16Builder, UInt64Builder,
};
use deltalake::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use deltalake::arrow::record_batch::{RecordBatch, RecordBatchOptions};

use super::clf::{clf_time, scan};
use super::source::{Problems, StreamInput};
use super::table::{Emit, Inferred, ReadPlan, Reader};
use crate::error::Result;

const NOT_A_LOG_LINE: &str = "not in combined or common log format";
const BAD_TIME: &str = "timestamp not DD/Mon/YYYY:HH:MM:SS +ZZZZ";
const BAD_NUMBER: &str = "status or size out of range";

#[derive(Debug)]
pub struct Weblog;

fn fields() -> Vec<Field> {
    let text = |name: &str, nullable| Field::new(name, DataType::Utf8, nullable);
    vec![
        Field::new(
            "timestamp",
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            false,
        ),
        text("remote_addr", false),
        text("remote_user", true),
        text("method", true),
        text("path", true),
        text("protocol", true),
        Field::new("status", DataType::UInt16, false),
        Field::new("body_bytes_sent", DataType::UInt64, false),
        text("http_referer", true),
        text("http_user_agent", true),
    ]
}

/// One parsed line, borrowing from it.
struct Entry<'a> {
    time: i64,
    remote_addr: &'a str,
    remote_user: Option<&'a str>,
    request: Cow<'a, str>,
    status: u16,
    bytes: u64,
    referer: Option<Cow<'a, str>>,
    agent: Option<Cow<'a, str>>,
}

fn dash(s: &str) -> Option<&str> {
    (s != "-").then_some(s)
}

/// A quoted field's text with `\"` and `\\` unescaped.
fn unescape(s: &str) -> Cow<'_, str> {
    if !s.contains('\\') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(q @ ('"' | '\\')) => out.push(q),
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

impl Weblog {
    fn parse<'a>(&self, line: &'a str) -> std::result::Result<Entry<'a>, &'static str> {
        let [addr, user, time, request, status, bytes, referer, agent] =
            scan(line).ok_or(NOT_A_LOG_LINE)?;
        let time = clf_time(time.unwrap_or_default()).ok_or(BAD_TIME)?;
        let status = status.unwrap_or_default().parse().map_err(|_| BAD_NUMBER)?;
        let bytes = match bytes.unwrap_or_default() {
            "-" => 0,
            n => n.parse().map_err(|_| BAD_NUMBER)?,
        };
        Ok(Entry {
            time,
            remote_addr: addr.unwrap_or_default(),
            remote_user: dash(user.unwrap_or_default()),
            request: unescape(request.unwrap_or_default()),
            status,
            bytes,
            referer: referer.and_then(dash).map(unescape),
            agent: agent.and_then(dash).map(unescape),
        })
    }
}

/// One column of a batch being built.
enum Column {
    Time(TimestampMicrosecondBuilder),
    Text(Text, StringBuilder),
    Status(UInt16Builder),
    Bytes(UInt64Builder),
}

#[derive(Clone, Copy)]
enum Text {
    Addr,
    User,
    Method,
    Path,
    Protocol,
    Referer,
    Agent,
}

/// Builders of the projected columns, in the schema's order.
struct Columns {
    columns: Vec<Column>,
    rows: usize,
}

impl Columns {
    fn new(schema: &Schema) -> Columns {
        let columns = schema
            .fields()
            .iter()
            .filter_map(|f| {
                let text = |t| Some(Column::Text(t, StringBuilder::new()));
                match f.name().as_str() {
                    "timestamp" => Some(Column::Time(
                        TimestampMicrosecondBuilder::new().with_timezone("UTC"),
                    )),
                    "remote_addr" => text(Text::Addr),
                    "remote_user" => text(Text::User),
                    "method" => text(Text::Method),
                    "path" => text(Text::Path),
                    "protocol" => text(Text::Protocol),
                    "http_referer" => text(Text::Referer),
                    "http_user_agent" => text(Text::Agent),
                    "status" => Some(Column::Status(UInt16Builder::new())),
                    "body_bytes_sent" => Some(Column::Bytes(UInt64Builder::new())),
                    _ => None,
                }
            })
            .collect();
        Columns { columns, rows: 0 }
    }

    fn push(&mut self, e: &Entry) {
        let mut parts = e.request.splitn(3, ' ');
        let method = parts.next().filter(|m| !m.is_empty());
        let (path, protocol) = (parts.next(), parts.next());
        for column in &mut self.columns {
            match column {
                Column::Time(b) => b.append_value(e.time),
                Column::Status(b) => b.append_value(e.status),
                Column::Bytes(b) => b.append_value(e.bytes),
                Column::Text(which, b) => b.append_option(match which {
                    Text::Addr => Some(e.remote_addr),
                    Text::User => e.remote_user,
                    Text::Method => method,
                    Text::Path => path,
                    Text::Protocol => protocol,
                    Text::Referer => e.referer.as_deref(),
                    Text::Agent => e.agent.as_deref(),
                }),
            }
        }
        self.rows += 1;
    }

    fn finish(&mut self, schema: &Arc<Schema>) -> Result<RecordBatch> {
        let columns: Vec<ArrayRef> = self
            .columns
            .iter_mut()
            .map(|c| match c {
                Column::Time(b) => Arc::new(b.finish()) as ArrayRef,
                Column::Text(_, b) => Arc::new(b.finish()),
                Column::Status(b) => Arc::new(b.finish()),
                Column::Bytes(b) => Arc::new(b.finish()),
            })
            .collect();
        let options = RecordBatchOptions::new().with_row_count(Some(self.rows));
        self.rows = 0;
        Ok(RecordBatch::try_new_with_options(
            schema.clone(),
            columns,
            &options,
        )?)
    }
}

impl Reader for Weblog {
    fn name(&self) -> &'static str {
        "weblog"
    }

    fn time_column(&self) -> Option<&'static str> {
        Some("timestamp")
    }

    fn infer(&self, _input: &StreamInput) -> Result<Inferred> {
        Ok(Inferred {
            fields: fields(),
            ordered: false,
        })
    }

    fn read(&self, input: &StreamInput, plan: &ReadPlan, emit: &mut Emit) -> Result<Vec<String>> {
        let mut problems = Problems::new(self.name(), input);
        let mut lines = input.open()?.lines(false);
        let mut columns = Columns::new(&plan.schema);
        let bounds = plan.bounds;
        while let Some((number, line)) = lines.next_line(&mut problems)? {
            match self.parse(line) {
                Ok(entry) => {
                    if bounds.overlaps(Some(entry.time), Some(entry.time)) {
                        columns.push(&entry);
                    }
                }
                Err(reason) => problems.bad_line(number, reason)?,
            }
            if columns.rows >= plan.batch_size && !emit(columns.finish(&plan.schema)?)? {
                return Ok(problems.warnings());
            }
        }
        if columns.rows > 0 {
            emit(columns.finish(&plan.schema)?)?;
        }
        Ok(problems.warnings())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combined_common_and_escaped_quotes() {
        let w = Weblog;
        let combined = r#"93.184.216.34 - frank [10/Oct/2000:13:55:36 -0700] "GET /index.html HTTP/1.1" 200 2326 "http://example.com/" "Mozilla/5.0 (X11)""#;
        let e = w.parse(combined).unwrap();
        assert_eq!(e.time, 971_211_336_000_000);
        assert_eq!(
            (e.remote_addr, e.remote_user),
            ("93.184.216.34", Some("frank"))
        );
        assert_eq!((e.status, e.bytes), (200, 2326));
        assert_eq!(e.agent.as_deref(), Some("Mozilla/5.0 (X11)"));
        let common = r#"127.0.0.1 - - [01/Jan/2025:00:00:00 +0000] "POST /api HTTP/2.0" 201 -"#;
        let e = w.parse(common).unwrap();
        assert_eq!(
            (e.remote_user, e.bytes, e.referer.is_none()),
            (None, 0, true)
        );
        let quoted =
            r#"1.2.3.4 - - [01/Jan/2025:00:00:00 +0000] "GET /a HTTP/1.1" 200 1 "-" "say \"hi\"""#;
        assert_eq!(
            w.parse(quoted).unwrap().agent.as_deref(),
            Some(r#"say "hi""#)
        );
        assert_eq!(w.parse("garbage").err(), Some(NOT_A_LOG_LINE));
        let extra = format!("{combined} \"extra\"");
        assert_eq!(w.parse(&extra).err(), Some(NOT_A_LOG_LINE));
        let bad_time = r#"1.2.3.4 - - [32/Jan/2025:00:00:00 +0000] "GET /" 200 1"#;
        assert_eq!(w.parse(bad_time).err(), Some(BAD_TIME));
    }
}
