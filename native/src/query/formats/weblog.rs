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
use deltalake::arrow::record_batch::{RecordBatch, RecordBatchOptions};

use super::source::{Problems, StreamInput};
use super::table::{Emit, Inferred, ReadPlan, Reader};
use crate::error::Result;

/// `remote_addr ident remote_user [time] "request" status bytes ["referer" ["agent"]]`:
/// the grammar, as a regular expression. Lines are matched by [`scan`], a hand-written
/// scanner of exactly this expression (several times faster); a test holds them equal.
#[cfg_attr(not(test), allow(dead_code))]
const LINE: &str = r#"^(\S+) \S+ (\S+) \[([^\]]+)\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-)(?:\s+"((?:[^"\\]|\\.)*)")?(?:\s+"((?:[^"\\]|\\.)*)")?$"#;

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

/// A scanner over one line, for the grammar of [`LINE`].
struct Scan<'a> {
    line: &'a str,
    at: usize,
}

impl<'a> Scan<'a> {
    fn rest(&self) -> &'a [u8] {
        &self.line.as_bytes()[self.at..]
    }

    fn peek(&self) -> Option<u8> {
        self.rest().first().copied()
    }

    fn byte(&mut self, b: u8) -> Option<()> {
        (self.peek() == Some(b)).then(|| self.at += 1)
    }

    fn done(&self) -> bool {
        self.at == self.line.len()
    }

    /// The text up to `end` (an offset into the rest), and past it.
    fn take(&mut self, end: usize) -> &'a str {
        let text = &self.line[self.at..self.at + end];
        self.at += end;
        text
    }

    /// `\S+`: up to the next space or tab (the whitespace a log line holds; searched with
    /// memchr, as every scan here is, since this runs once per field of every line).
    fn word(&mut self) -> Option<&'a str> {
        let rest = self.rest();
        let end = memchr::memchr2(b' ', b'\t', rest).unwrap_or(rest.len());
        (end > 0).then(|| self.take(end))
    }

    /// `\s+`.
    fn spaces(&mut self) -> Option<()> {
        let n = self
            .rest()
            .iter()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
        self.at += n;
        (n > 0).then_some(())
    }

    /// `\[([^\]]+)\]`.
    fn bracketed(&mut self) -> Option<&'a str> {
        self.byte(b'[')?;
        let end = memchr::memchr(b']', self.rest())?;
        let inner = self.take(end);
        self.at += 1;
        (!inner.is_empty()).then_some(inner)
    }

    /// `"((?:[^"\\]|\\.)*)"`: the text between the quotes, escapes kept.
    fn quoted(&mut self) -> Option<&'a str> {
        self.byte(b'"')?;
        let rest = self.rest();
        let mut end = 0;
        loop {
            end += memchr::memchr2(b'"', b'\\', &rest[end..])?;
            if rest[end] == b'"' {
                break;
            }
            // A backslash escapes the next character, which must exist.
            if end + 1 >= rest.len() {
                return None;
            }
            end += 2;
        }
        let inner = self.take(end);
        self.at += 1;
        Some(inner)
    }

    /// `\d+` (exactly `len` digits when given).
    fn digits(&mut self, len: Option<usize>) -> Option<&'a str> {
        let n = self
            .rest()
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        (n > 0 && len.is_none_or(|l| n == l)).then(|| self.take(n))
    }
}

/// The fields [`LINE`] captures, in its order (referer and agent optional).
fn scan(line: &str) -> Option<[Option<&str>; 8]> {
    let mut s = Scan { line, at: 0 };
    let addr = s.word()?;
    s.byte(b' ')?;
    s.word()?;
    s.byte(b' ')?;
    let user = s.word()?;
    s.byte(b' ')?;
    let time = s.bracketed()?;
    s.byte(b' ')?;
    let request = s.quoted()?;
    s.byte(b' ')?;
    let status = s.digits(Some(3))?;
    s.byte(b' ')?;
    let bytes = match s.peek()? {
        b'-' => {
            s.at += 1;
            "-"
        }
        _ => s.digits(None)?,
    };
    let mut optional = [None, None];
    for slot in &mut optional {
        if s.done() {
            break;
        }
        s.spaces()?;
        *slot = Some(s.quoted()?);
    }
    if !s.done() {
        return None;
    }
    let [referer, agent] = optional;
    Some([
        Some(addr),
        Some(user),
        Some(time),
        Some(request),
        Some(status),
        Some(bytes),
        referer,
        agent,
    ])
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

    #[test]
    fn the_scanner_matches_the_expression() {
        let re = regex::Regex::new(LINE).unwrap();
        let lines = [
            r#"1.2.3.4 - u [t] "GET / HTTP/1.1" 200 5 "r" "a""#,
            r#"1.2.3.4 - u [t] "GET /" 200 -"#,
            r#"1.2.3.4 - u [t] "" 200 5   "r""#,
            r#"1.2.3.4 - u [t] "a \" b" 200 5"#,
            r#"1.2.3.4 - u [t] "a \\" 200 5 "x""#,
            r#"1.2.3.4 - u [t] "a" 200 5 "r" "a" "extra""#,
            r#"1.2.3.4 - u [t] "a" 2000 5"#,
            r#"1.2.3.4 - u [t] "a" 200 5x"#,
            r#"1.2.3.4 - u [t] "a" 200 5 r"#,
            r#"1.2.3.4 - u [] "a" 200 5"#,
            r#"1.2.3.4  u [t] "a" 200 5"#,
            r#"1.2.3.4 - u [t] "unterminated 200 5"#,
            r#"1.2.3.4 - u [t] "a\" 200 5"#,
            r#"1.2.3.4 - u [t] "a" 200 5 "r"x"#,
            "",
        ];
        for line in lines {
            let want = re.captures(line).map(|c| {
                (1..=8)
                    .map(|i| c.get(i).map(|m| m.as_str()))
                    .collect::<Vec<_>>()
            });
            let got = scan(line).map(|f| f.to_vec());
            assert_eq!(got, want, "{line}");
        }
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
