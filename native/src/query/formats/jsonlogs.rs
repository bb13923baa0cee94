// SPDX-License-Identifier: Apache-2.0
//! `jsonlogs`: NDJSON logs (journalctl `--output=json` in practice), every top-level key a
//! nullable `Utf8` column, sorted by key (REFERENCE-ORIGINAL §2.2). Strings are their text,
//! numbers serde_json's decimal text, booleans `true`/`false`, `null` and missing keys NULL,
//! arrays and objects compact JSON. A line that is not a JSON object is skipped and counted.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::sync::Arc;

use deltalake::arrow::array::{ArrayRef, StringBuilder};
use deltalake::arrow::datatypes::{DataType, Field, Schema};
use deltalake::arrow::record_batch::{RecordBatch, RecordBatchOptions};
use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;

use super::source::{Problems, StreamInput};
use super::table::{Emit, Inferred, ReadPlan, Reader};
use crate::error::Result;

const NOT_AN_OBJECT: &str = "not a JSON object";

#[derive(Debug)]
pub struct JsonLogs;

/// The top-level keys of a JSON object not yet `known`, without building its values.
struct Keys<'k> {
    known: &'k BTreeSet<String>,
    fresh: &'k mut Vec<String>,
}

impl<'de> Visitor<'de> for Keys<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if !self.known.contains(key.as_ref()) {
                self.fresh.push(key.into_owned());
            }
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }
}

/// Adds the keys of `line` to `keys`; false (adding none) if it is not one JSON object.
fn keys_of(line: &str, keys: &mut BTreeSet<String>) -> bool {
    let mut fresh = Vec::new();
    let mut de = serde_json::Deserializer::from_str(line);
    let visitor = Keys {
        known: keys,
        fresh: &mut fresh,
    };
    let ok = de.deserialize_map(visitor).is_ok() && de.end().is_ok();
    if ok {
        keys.extend(fresh);
    }
    ok
}

fn cell(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        other => Some(other.to_string()),
    }
}

impl Reader for JsonLogs {
    fn name(&self) -> &'static str {
        "jsonlogs"
    }

    fn infer(&self, input: &StreamInput) -> Result<Inferred> {
        let mut problems = Problems::new(self.name(), input);
        let mut lines = input.open()?.lines(true);
        let mut keys = BTreeSet::new();
        while let Some((number, line)) = lines.next_line(&mut problems)? {
            if !keys_of(line, &mut keys) {
                problems.bad_line(number, NOT_AN_OBJECT)?;
            }
        }
        Ok(Inferred {
            fields: keys
                .into_iter()
                .map(|k| Field::new(k, DataType::Utf8, true))
                .collect(),
            ordered: false,
        })
    }

    fn merge(&self, streams: &[Inferred]) -> Schema {
        let keys: BTreeSet<&String> = streams
            .iter()
            .flat_map(|s| s.fields.iter().map(|f| f.name()))
            .collect();
        Schema::new(
            keys.into_iter()
                .map(|k| Field::new(k, DataType::Utf8, true))
                .collect::<Vec<_>>(),
        )
    }

    fn read(&self, input: &StreamInput, plan: &ReadPlan, emit: &mut Emit) -> Result<Vec<String>> {
        let mut problems = Problems::new(self.name(), input);
        let mut lines = input.open()?.lines(true);
        let index: HashMap<&str, usize> = plan
            .schema
            .fields()
            .iter()
            .enumerate()
            .map(|(i, f)| (f.name().as_str(), i))
            .collect();
        let width = index.len();
        let mut builders: Vec<StringBuilder> = (0..width).map(|_| StringBuilder::new()).collect();
        let mut row: Vec<Option<String>> = vec![None; width];
        let mut rows = 0;
        while let Some((number, line)) = lines.next_line(&mut problems)? {
            let Ok(object) = serde_json::from_str::<serde_json::Map<String, Value>>(line) else {
                problems.bad_line(number, NOT_AN_OBJECT)?;
                continue;
            };
            for (key, value) in &object {
                if let Some(&i) = index.get(key.as_str()) {
                    row[i] = cell(value);
                }
            }
            for (b, v) in builders.iter_mut().zip(row.iter_mut()) {
                b.append_option(v.take());
            }
            rows += 1;
            if rows >= plan.batch_size {
                rows = 0;
                if !emit(finish(&plan.schema, &mut builders, plan.batch_size)?)? {
                    return Ok(problems.warnings());
                }
            }
        }
        if rows > 0 {
            emit(finish(&plan.schema, &mut builders, rows)?)?;
        }
        Ok(problems.warnings())
    }
}

/// A batch of `rows` rows (a table of no columns still has rows: lines that were `{}`).
fn finish(
    schema: &Arc<Schema>,
    builders: &mut [StringBuilder],
    rows: usize,
) -> Result<RecordBatch> {
    let columns: Vec<ArrayRef> = builders
        .iter_mut()
        .map(|b| Arc::new(b.finish()) as ArrayRef)
        .collect();
    let options = RecordBatchOptions::new().with_row_count(Some(rows));
    Ok(RecordBatch::try_new_with_options(
        schema.clone(),
        columns,
        &options,
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_objects_only() {
        let mut keys = BTreeSet::new();
        assert!(keys_of(r#"{"b":1,"a":{"x":[1,2]}}"#, &mut keys));
        assert!(!keys_of("[1,2]", &mut keys));
        assert!(!keys_of(r#"{"c":1} trailing"#, &mut keys));
        assert_eq!(keys.into_iter().collect::<Vec<_>>(), ["a", "b"]);
    }

    #[test]
    fn cells_as_the_original_writes_them() {
        let v: Value =
            serde_json::from_str(r#"[42, 1.5, true, null, "s", [72,105], {"k":1}]"#).unwrap();
        let got: Vec<Option<String>> = v.as_array().unwrap().iter().map(cell).collect();
        let want = [
            Some("42"),
            Some("1.5"),
            Some("true"),
            None,
            Some("s"),
            Some("[72,105]"),
            Some(r#"{"k":1}"#),
        ];
        assert_eq!(got, want.map(|w| w.map(String::from)));
    }
}
