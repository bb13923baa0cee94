// SPDX-License-Identifier: Apache-2.0
//! `oteljson`: OpenTelemetry metrics as JSON lines, each line one OTLP
//! `ExportMetricsServiceRequest` in the protobuf-JSON mapping
//! (`resourceMetrics[].scopeMetrics[].metrics[]`), read as one row per distinct
//! `timeUnixNano`, ascending, and one nullable Float64 column per metric name, sorted
//! (REFERENCE-ORIGINAL §2.1). `gauge` and `sum` points count (the original reads gauges
//! only); histograms and summaries are ignored; attributes (resource, scope, point) are
//! discarded, and points of one metric at one time collapse to the last read. Integers may
//! be JSON numbers or strings, as the protobuf-JSON mapping allows (the original accepted
//! only one form of each). A line that does not parse is skipped whole and counted.
//!
//! Grouping by time streams when the stream's times never go backwards (the pass that
//! finds the metric names checks); otherwise rows are gathered in time order first, which
//! holds the output table (not the input) in memory.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::sync::Arc;

use deltalake::arrow::array::{ArrayRef, Float64Builder, TimestampNanosecondBuilder};
use deltalake::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use deltalake::arrow::record_batch::{RecordBatch, RecordBatchOptions};
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

use super::source::{Problems, StreamInput};
use super::table::{Emit, Inferred, ReadPlan, Reader};
use crate::error::Result;
use crate::query::bounds::TimeBounds;

const NOT_A_REQUEST: &str = "not an OTLP metrics request in JSON";

#[derive(Debug)]
pub struct OtelJson;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Request<'a> {
    #[serde(default, borrow)]
    resource_metrics: Vec<ResourceMetrics<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResourceMetrics<'a> {
    #[serde(default, borrow)]
    scope_metrics: Vec<ScopeMetrics<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScopeMetrics<'a> {
    #[serde(default, borrow)]
    metrics: Vec<Metric<'a>>,
}

#[derive(Deserialize)]
struct Metric<'a> {
    #[serde(borrow)]
    name: std::borrow::Cow<'a, str>,
    gauge: Option<Points>,
    sum: Option<Points>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Points {
    #[serde(default)]
    data_points: Vec<Point>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Point {
    time_unix_nano: Number,
    as_double: Option<Number>,
    as_int: Option<Number>,
}

/// A number written as JSON number or string (protobuf-JSON writes 64-bit integers as
/// strings; doubles may be `"NaN"`, `"Infinity"`).
#[derive(Clone, Copy)]
enum Number {
    Int(i128),
    Float(f64),
}

impl Number {
    fn as_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Float(f) => f,
        }
    }
}

struct NumberVisitor;

impl Visitor<'_> for NumberVisitor {
    type Value = Number;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number, or a string holding one")
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Number, E> {
        Ok(Number::Int(v.into()))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Number, E> {
        Ok(Number::Int(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Number, E> {
        Ok(Number::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Number, E> {
        if let Ok(i) = v.parse::<i128>() {
            return Ok(Number::Int(i));
        }
        match v {
            "NaN" => Ok(Number::Float(f64::NAN)),
            "Infinity" => Ok(Number::Float(f64::INFINITY)),
            "-Infinity" => Ok(Number::Float(f64::NEG_INFINITY)),
            _ => v
                .parse::<f64>()
                .map(Number::Float)
                .map_err(|_| E::custom(format!("not a number: {v:?}"))),
        }
    }
}

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Number, D::Error> {
        d.deserialize_any(NumberVisitor)
    }
}

/// A point's time in ns, or None if it is not a time (a float, out of range).
fn nanos(n: Number) -> Option<i64> {
    match n {
        Number::Int(i) => i64::try_from(i).ok(),
        Number::Float(_) => None,
    }
}

/// The points of one line, `(time ns, metric name, value)`, in reading order; None if
/// the line is not a request or a point's time is not one.
fn points(line: &str) -> Option<Vec<(i64, std::borrow::Cow<'_, str>, f64)>> {
    // A request is an object (serde would also read a struct from a JSON array).
    if !line.starts_with('{') {
        return None;
    }
    let request: Request = serde_json::from_str(line).ok()?;
    let mut out = Vec::new();
    for metric in request
        .resource_metrics
        .into_iter()
        .flat_map(|r| r.scope_metrics)
        .flat_map(|s| s.metrics)
    {
        let series = metric.gauge.into_iter().chain(metric.sum);
        for point in series.flat_map(|p| p.data_points) {
            let time = nanos(point.time_unix_nano)?;
            let Some(value) = point.as_double.or(point.as_int) else {
                continue;
            };
            out.push((time, metric.name.clone(), value.as_f64()));
        }
    }
    Some(out)
}

fn keep(bounds: &TimeBounds, ns: i64) -> bool {
    // Bounds are whole µs from the filters; a µs either side keeps every ns they admit.
    let us = ns.div_euclid(1_000);
    bounds.lo.is_none_or(|lo| us >= lo.saturating_sub(1))
        && bounds.hi.is_none_or(|hi| us <= hi.saturating_add(1))
}

/// Batches of rows, `(time, values by metric)`, built in order, of the projected columns:
/// the time column where the schema has it, then the metrics (Float64) it lists.
struct Rows<'s> {
    schema: &'s Arc<Schema>,
    time_at: Option<usize>,
    time: TimestampNanosecondBuilder,
    values: Vec<Float64Builder>,
    count: usize,
}

impl<'s> Rows<'s> {
    fn new(schema: &'s Arc<Schema>) -> Rows<'s> {
        let time_at = schema.index_of(TIME).ok();
        Rows {
            schema,
            time_at,
            time: TimestampNanosecondBuilder::new().with_timezone("UTC"),
            values: (0..schema.fields().len() - usize::from(time_at.is_some()))
                .map(|_| Float64Builder::new())
                .collect(),
            count: 0,
        }
    }

    fn push(&mut self, time: i64, values: &mut [Option<f64>]) {
        self.time.append_value(time);
        for (b, v) in self.values.iter_mut().zip(values.iter_mut()) {
            b.append_option(v.take());
        }
        self.count += 1;
    }

    fn finish(&mut self) -> Result<RecordBatch> {
        let mut columns: Vec<ArrayRef> = self
            .values
            .iter_mut()
            .map(|b| Arc::new(b.finish()) as ArrayRef)
            .collect();
        let time = Arc::new(self.time.finish());
        if let Some(at) = self.time_at {
            columns.insert(at, time);
        }
        let options = RecordBatchOptions::new().with_row_count(Some(self.count));
        self.count = 0;
        Ok(RecordBatch::try_new_with_options(
            self.schema.clone(),
            columns,
            &options,
        )?)
    }
}

impl Reader for OtelJson {
    fn name(&self) -> &'static str {
        "oteljson"
    }

    fn time_column(&self) -> Option<&'static str> {
        Some(TIME)
    }

    fn infer(&self, input: &StreamInput) -> Result<Inferred> {
        let mut problems = Problems::new(self.name(), input);
        let mut lines = input.open()?.lines(true);
        let mut names = BTreeSet::new();
        let mut ordered = true;
        let mut last = i64::MIN;
        while let Some((number, line)) = lines.next_line(&mut problems)? {
            let Some(found) = points(line) else {
                problems.bad_line(number, NOT_A_REQUEST)?;
                continue;
            };
            for (time, name, _) in found {
                ordered &= time >= last;
                last = last.max(time);
                if !names.contains(name.as_ref()) {
                    names.insert(name.into_owned());
                }
            }
        }
        let fields = names
            .into_iter()
            .map(|n| Field::new(n, DataType::Float64, true));
        Ok(Inferred {
            fields: std::iter::once(time_field()).chain(fields).collect(),
            ordered,
        })
    }

    fn merge(&self, streams: &[Inferred]) -> Schema {
        let names: BTreeSet<&String> = streams
            .iter()
            .flat_map(|s| s.fields.iter().skip(1).map(|f| f.name()))
            .collect();
        let fields = names
            .into_iter()
            .map(|n| Field::new(n, DataType::Float64, true));
        Schema::new(
            std::iter::once(time_field())
                .chain(fields)
                .collect::<Vec<_>>(),
        )
    }

    fn read(&self, input: &StreamInput, plan: &ReadPlan, emit: &mut Emit) -> Result<Vec<String>> {
        let mut problems = Problems::new(self.name(), input);
        let mut lines = input.open()?.lines(true);
        // Metrics by name: their place among the projected metrics (None: not projected;
        // their points still make rows).
        let column: HashMap<&str, usize> = plan
            .schema
            .fields()
            .iter()
            .filter(|f| f.name() != TIME)
            .enumerate()
            .map(|(i, f)| (f.name().as_str(), i))
            .collect();
        let width = column.len();
        let mut rows = Rows::new(&plan.schema);
        // Ordered: the row being filled. Otherwise: every row, by time.
        let mut current: Option<(i64, Vec<Option<f64>>)> = None;
        let mut gathered: BTreeMap<i64, Vec<Option<f64>>> = BTreeMap::new();
        while let Some((number, line)) = lines.next_line(&mut problems)? {
            let Some(found) = points(line) else {
                problems.bad_line(number, NOT_A_REQUEST)?;
                continue;
            };
            for (time, name, value) in found {
                if !keep(&plan.bounds, time) {
                    continue;
                }
                let slot = column.get(name.as_ref()).copied();
                let set = |values: &mut Vec<Option<f64>>| {
                    if let Some(i) = slot {
                        values[i] = Some(value);
                    }
                };
                if !plan.ordered {
                    set(gathered.entry(time).or_insert_with(|| vec![None; width]));
                    continue;
                }
                match &mut current {
                    Some((t, values)) if *t == time => set(values),
                    _ => {
                        if let Some((t, mut values)) = current.take() {
                            rows.push(t, &mut values);
                        }
                        let mut values = vec![None; width];
                        set(&mut values);
                        current = Some((time, values));
                    }
                }
            }
            if rows.count >= plan.batch_size && !emit(rows.finish()?)? {
                return Ok(problems.warnings());
            }
        }
        if let Some((t, mut values)) = current.take() {
            rows.push(t, &mut values);
        }
        for (t, mut values) in gathered {
            rows.push(t, &mut values);
            if rows.count >= plan.batch_size && !emit(rows.finish()?)? {
                return Ok(problems.warnings());
            }
        }
        if rows.count > 0 {
            emit(rows.finish()?)?;
        }
        Ok(problems.warnings())
    }
}

const TIME: &str = "timestamp";

fn time_field() -> Field {
    Field::new(
        TIME,
        DataType::Timestamp(TimeUnit::Nanosecond, Some("UTC".into())),
        false,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gauges_sums_and_both_number_forms() {
        let line = r#"{"resourceMetrics":[{"resource":{"attributes":[]},"scopeMetrics":[{"metrics":[
            {"name":"a","gauge":{"dataPoints":[{"timeUnixNano":"5","asDouble":1.5},{"timeUnixNano":6,"asInt":"2"}]}},
            {"name":"b","sum":{"dataPoints":[{"timeUnixNano":"5","asInt":3}],"isMonotonic":true}},
            {"name":"h","histogram":{"dataPoints":[{"timeUnixNano":"5"}]}},
            {"name":"c","gauge":{"dataPoints":[{"timeUnixNano":"7"}]}}]}]}]}"#
            .replace('\n', "");
        let got: Vec<(i64, String, f64)> = points(&line)
            .unwrap()
            .into_iter()
            .map(|(t, n, v)| (t, n.into_owned(), v))
            .collect();
        assert_eq!(
            got,
            [
                (5, "a".into(), 1.5),
                (6, "a".into(), 2.0),
                (5, "b".into(), 3.0)
            ]
        );
    }

    #[test]
    fn a_bad_point_rejects_the_line() {
        assert!(points(r#"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"a","gauge":{"dataPoints":[{"timeUnixNano":"x","asDouble":1}]}}]}]}]}"#).is_none());
        assert!(points(r#"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"a","gauge":{"dataPoints":[{"asDouble":1}]}}]}]}]}"#).is_none());
        assert!(points("[]").is_none());
        assert_eq!(points("{}").map(|p| p.len()), Some(0));
    }
}
