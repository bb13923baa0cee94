// SPDX-License-Identifier: Apache-2.0
//! `weblog`: nginx/Apache **combined** access logs, or **common** ones (no referer and user
//! agent), one request per line, in the original's fixed schema (REFERENCE-ORIGINAL §2.3).
//! A line is matched whole by one regular expression; a line that does not match, or whose
//! timestamp or numbers do not parse, is skipped and counted. Unlike the original, quoted
//! fields may hold `\"` (Apache's escape for a quote in a request or user agent), read
//! unescaped.

use std::borrow::Cow;
use std::sync::Arc;

use deltalake::arrow::array::{
    ArrayRef, StringBuilder, TimestampMicrosecondBuilder, UInt16Builder, UInt64Builder,
};
use deltalake::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use deltalake::arrow::record_batch::RecordBatch;
use regex::{CaptureLocations, Regex};

use super::source::{Problems, StreamInput};
use super::table::{Emit, Inferred, ReadPlan, Reader};
use crate::error::{Code, Error, Result};

/// `remote_addr ident remote_user [time] "request" status bytes ["referer" ["agent"]]`.
const LINE: &str = r#"^(\S+) \S+ (\S+) \[([^\]]+)\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-)(?:\s+"((?:[^"\\]|\\.)*)")?(?:\s+"((?:[^"\\]|\\.)*)")?$"#;

const NOT_A_LOG_LINE: &str = "not in combined or common log format";
const BAD_TIME: &str = "timestamp not DD/Mon/YYYY:HH:MM:SS +ZZZZ";
const BAD_NUMBER: &str = "status or size out of range";

#[derive(Debug)]
pub struct Weblog {
    line: Regex,
}

impl Weblog {
    pub fn new() -> Result<Weblog> {
        let line = Regex::new(LINE).map_err(|e| Error::new(Code::Internal, e.to_string()))?;
        Ok(Weblog { line })
    }
}

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

const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |n, d| {
        d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
    })
}

/// `10/Oct/2000:13:55:36 -0700` as µs since the epoch, UTC.
fn clf_time(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() == 26 && b[2] == b'/' && b[6] == b'/' && b[11] == b':' && b[20] == b' ' {
        let day = digits(&b[0..2])?;
        let month = MONTHS.iter().position(|m| m[..] == b[3..6])? as u32 + 1;
        let year = digits(&b[7..11])? as i32;
        let (h, m, sec) = (
            digits(&b[12..14])?,
            digits(&b[15..17])?,
            digits(&b[18..20])?,
        );
        let sign = match b[21] {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        let offset = sign * (digits(&b[22..24])? as i64 * 3600 + digits(&b[24..26])? as i64 * 60);
        let date = chrono::NaiveDate::from_ymd_opt(year, month, day)?;
        let time = date.and_hms_opt(h, m, sec)?;
        return Some((time.and_utc().timestamp() - offset) * 1_000_000);
    }
    chrono::DateTime::parse_from_str(s, "%d/%b/%Y:%H:%M:%S %z")
        .ok()
        .map(|t| t.timestamp_micros())
}

impl Weblog {
    fn parse<'a>(
        &self,
        locs: &mut CaptureLocations,
        line: &'a str,
    ) -> std::result::Result<Entry<'a>, &'static str> {
        if self.line.captures_read(locs, line).is_none() {
            return Err(NOT_A_LOG_LINE);
        }
        let get = |i: usize| locs.get(i).map(|(a, b)| &line[a..b]);
        let time = clf_time(get(3).unwrap_or_default()).ok_or(BAD_TIME)?;
        let status = get(5).unwrap_or_default().parse().map_err(|_| BAD_NUMBER)?;
        let bytes = match get(6).unwrap_or_default() {
            "-" => 0,
            n => n.parse().map_err(|_| BAD_NUMBER)?,
        };
        Ok(Entry {
            time,
            remote_addr: get(1).unwrap_or_default(),
            remote_user: dash(get(2).unwrap_or_default()),
            request: unescape(get(4).unwrap_or_default()),
            status,
            bytes,
            referer: get(7).and_then(dash).map(unescape),
            agent: get(8).and_then(dash).map(unescape),
        })
    }
}

/// Column builders for one batch.
struct Columns {
    time: TimestampMicrosecondBuilder,
    text: [StringBuilder; 7],
    status: UInt16Builder,
    bytes: UInt64Builder,
    rows: usize,
}

impl Columns {
    fn new() -> Columns {
        Columns {
            time: TimestampMicrosecondBuilder::new().with_timezone("UTC"),
            text: std::array::from_fn(|_| StringBuilder::new()),
            status: UInt16Builder::new(),
            bytes: UInt64Builder::new(),
            rows: 0,
        }
    }

    fn push(&mut self, e: &Entry) {
        let mut parts = e.request.splitn(3, ' ');
        let method = parts.next().filter(|m| !m.is_empty());
        let (path, protocol) = (parts.next(), parts.next());
        self.time.append_value(e.time);
        let [addr, user, m, p, proto, referer, agent] = &mut self.text;
        addr.append_value(e.remote_addr);
        user.append_option(e.remote_user);
        m.append_option(method);
        p.append_option(path);
        proto.append_option(protocol);
        referer.append_option(e.referer.as_deref());
        agent.append_option(e.agent.as_deref());
        self.status.append_value(e.status);
        self.bytes.append_value(e.bytes);
        self.rows += 1;
    }

    fn finish(&mut self, schema: &Arc<Schema>) -> Result<RecordBatch> {
        let [addr, user, m, p, proto, referer, agent] = &mut self.text;
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.time.finish()),
            Arc::new(addr.finish()),
            Arc::new(user.finish()),
            Arc::new(m.finish()),
            Arc::new(p.finish()),
            Arc::new(proto.finish()),
            Arc::new(self.status.finish()),
            Arc::new(self.bytes.finish()),
            Arc::new(referer.finish()),
            Arc::new(agent.finish()),
        ];
        self.rows = 0;
        Ok(RecordBatch::try_new(schema.clone(), columns)?)
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
        let mut locs = self.line.capture_locations();
        let mut columns = Columns::new();
        let bounds = plan.bounds;
        while let Some((number, line)) = lines.next_line(&mut problems)? {
            match self.parse(&mut locs, line) {
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
        let w = Weblog::new().unwrap();
        let mut locs = w.line.capture_locations();
        let combined = r#"93.184.216.34 - frank [10/Oct/2000:13:55:36 -0700] "GET /index.html HTTP/1.1" 200 2326 "http://example.com/" "Mozilla/5.0 (X11)""#;
        let e = w.parse(&mut locs, combined).unwrap();
        assert_eq!(e.time, 971_211_336_000_000);
        assert_eq!(
            (e.remote_addr, e.remote_user),
            ("93.184.216.34", Some("frank"))
        );
        assert_eq!((e.status, e.bytes), (200, 2326));
        assert_eq!(e.agent.as_deref(), Some("Mozilla/5.0 (X11)"));
        let common = r#"127.0.0.1 - - [01/Jan/2025:00:00:00 +0000] "POST /api HTTP/2.0" 201 -"#;
        let e = w.parse(&mut locs, common).unwrap();
        assert_eq!(
            (e.remote_user, e.bytes, e.referer.is_none()),
            (None, 0, true)
        );
        let quoted =
            r#"1.2.3.4 - - [01/Jan/2025:00:00:00 +0000] "GET /a HTTP/1.1" 200 1 "-" "say \"hi\"""#;
        assert_eq!(
            w.parse(&mut locs, quoted).unwrap().agent.as_deref(),
            Some(r#"say "hi""#)
        );
        assert_eq!(w.parse(&mut locs, "garbage").err(), Some(NOT_A_LOG_LINE));
        let extra = format!("{combined} \"extra\"");
        assert_eq!(w.parse(&mut locs, &extra).err(), Some(NOT_A_LOG_LINE));
        let bad_time = r#"1.2.3.4 - - [32/Jan/2025:00:00:00 +0000] "GET /" 200 1"#;
        assert_eq!(w.parse(&mut locs, bad_time).err(), Some(BAD_TIME));
    }

    #[test]
    fn clf_times_match_chrono() {
        for s in ["10/Oct/2000:13:55:36 -0700", "29/Feb/2024:23:59:59 +0530"] {
            let slow = chrono::DateTime::parse_from_str(s, "%d/%b/%Y:%H:%M:%S %z")
                .unwrap()
                .timestamp_micros();
            assert_eq!(clf_time(s), Some(slow));
        }
        assert!(clf_time("1/Oct/2000:13:55:36 -0700").is_some());
    }
}
