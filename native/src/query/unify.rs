// SPDX-License-Identifier: Apache-2.0
//! One schema for the versions of a series. Versions may differ in ways a reader can
//! absorb: a column one version lacks (read as null there), and widening casts (a wider
//! integer, a wider float, an integer read as Float64, another timestamp unit, a string
//! or binary encoding). A new version is checked against the series' versions with the
//! same rules the reader unifies them by, so everything that is written can be read.

use std::sync::Arc;

use deltalake::arrow::compute::can_cast_types;
use deltalake::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};

use crate::error::{Code, Error, Result};

/// The type both `a` and `b` are read as, when one widens to the other; None for a change
/// of type. Symmetric and associative, so the order of versions does not matter.
pub fn unify_types(a: &DataType, b: &DataType) -> Option<DataType> {
    use DataType::*;
    if a.equals_datatype(b) {
        return Some(a.clone());
    }
    match (a, b) {
        (Null, other) | (other, Null) => Some(other.clone()),
        (Dictionary(_, v), other) | (other, Dictionary(_, v)) => unify_types(v, other),
        (Timestamp(u1, z1), Timestamp(u2, z2)) => {
            let zone = z1.clone().or_else(|| z2.clone());
            let zones_agree = z1.is_none() || z2.is_none() || z1 == z2;
            zones_agree.then(|| Timestamp(finer(*u1, *u2), zone))
        }
        _ if is_text(a) && is_text(b) => {
            Some(if matches!(a, LargeUtf8) || matches!(b, LargeUtf8) {
                LargeUtf8
            } else {
                Utf8
            })
        }
        _ if is_bytes(a) && is_bytes(b) => {
            Some(if matches!(a, LargeBinary) || matches!(b, LargeBinary) {
                LargeBinary
            } else {
                Binary
            })
        }
        _ => unify_numbers(a, b),
    }
}

fn is_text(t: &DataType) -> bool {
    matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

fn is_bytes(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView
    )
}

fn finer(a: TimeUnit, b: TimeUnit) -> TimeUnit {
    let rank = |u: TimeUnit| match u {
        TimeUnit::Second => 0,
        TimeUnit::Millisecond => 1,
        TimeUnit::Microsecond => 2,
        TimeUnit::Nanosecond => 3,
    };
    if rank(a) >= rank(b) {
        a
    } else {
        b
    }
}

/// Numbers as (kind, bits): kind 0 signed, 1 unsigned, 2 float.
fn number(t: &DataType) -> Option<(u8, u8)> {
    use DataType::*;
    Some(match t {
        Int8 => (0, 8),
        Int16 => (0, 16),
        Int32 => (0, 32),
        Int64 => (0, 64),
        UInt8 => (1, 8),
        UInt16 => (1, 16),
        UInt32 => (1, 32),
        UInt64 => (1, 64),
        Float16 => (2, 16),
        Float32 => (2, 32),
        Float64 => (2, 64),
        _ => return None,
    })
}

fn number_type(kind: u8, bits: u8) -> Option<DataType> {
    use DataType::*;
    Some(match (kind, bits) {
        (0, 8) => Int8,
        (0, 16) => Int16,
        (0, 32) => Int32,
        (0, 64) => Int64,
        (1, 8) => UInt8,
        (1, 16) => UInt16,
        (1, 32) => UInt32,
        (1, 64) => UInt64,
        (2, 16) => Float16,
        (2, 32) => Float32,
        (2, 64) => Float64,
        _ => return None,
    })
}

/// Integers widen to the wider integer (unsigned into a signed type of twice its width),
/// floats to the wider float, and an integer and a float meet at Float64, as SQL's UNION
/// coerces them.
fn unify_numbers(a: &DataType, b: &DataType) -> Option<DataType> {
    let ((ka, ba), (kb, bb)) = (number(a)?, number(b)?);
    match (ka, kb) {
        _ if ka == kb => number_type(ka, ba.max(bb)),
        (2, _) | (_, 2) => Some(DataType::Float64),
        _ => {
            let (signed, unsigned) = if ka == 0 { (ba, bb) } else { (bb, ba) };
            number_type(0, signed.max(unsigned.checked_mul(2)?))
        }
    }
}

/// Fields of all schemas by name, in order of first appearance (UNION ALL BY NAME). A
/// column that some version lacks, or that is nullable in one, is nullable; types unify.
/// Versions written before pond checked schemas may disagree on a type: such a column is
/// read as text when both types cast to it, so the series stays readable.
pub fn merge_schemas<'a>(schemas: impl IntoIterator<Item = &'a SchemaRef>) -> SchemaRef {
    let schemas: Vec<&SchemaRef> = schemas.into_iter().collect();
    let mut fields: Vec<Field> = Vec::new();
    for schema in &schemas {
        for field in schema.fields() {
            match fields.iter_mut().find(|f| f.name() == field.name()) {
                Some(existing) => {
                    let unified = unify_types(existing.data_type(), field.data_type())
                        .unwrap_or_else(|| as_text(existing.data_type(), field.data_type()));
                    *existing = existing
                        .clone()
                        .with_data_type(unified)
                        .with_nullable(existing.is_nullable() || field.is_nullable());
                }
                None => fields.push(field.as_ref().clone()),
            }
        }
    }
    for field in &mut fields {
        if schemas
            .iter()
            .any(|s| s.field_with_name(field.name()).is_err())
        {
            *field = field.clone().with_nullable(true);
        }
    }
    Arc::new(Schema::new(fields))
}

fn as_text(a: &DataType, b: &DataType) -> DataType {
    if can_cast_types(a, &DataType::Utf8) && can_cast_types(b, &DataType::Utf8) {
        DataType::Utf8
    } else {
        a.clone()
    }
}

fn describe(field: &Field) -> String {
    let null = if field.is_nullable() { "" } else { " not null" };
    format!("{}{null}", field.data_type())
}

/// Check a new version of the series `label` against its existing versions: refused with
/// SCHEMA_MISMATCH when it lacks a column the series holds as non-nullable, or changes a
/// column's type beyond a widening. Added columns are accepted (older versions read them
/// as null).
pub fn check_new_version(label: &str, existing: &[&SchemaRef], new: &Schema) -> Result<()> {
    if existing.is_empty() {
        return Ok(());
    }
    let series = merge_schemas(existing.iter().copied());
    let mut problems = Vec::new();
    for field in series.fields() {
        match new.field_with_name(field.name()) {
            Err(_) if !field.is_nullable() => problems.push(format!(
                "column '{}' ({}) is missing; the series holds it in every version",
                field.name(),
                describe(field)
            )),
            Err(_) => {}
            Ok(added) => {
                if unify_types(field.data_type(), added.data_type()).is_none() {
                    problems.push(format!(
                        "column '{}' is {} in the series but {} in the new version",
                        field.name(),
                        describe(field),
                        describe(added)
                    ));
                }
            }
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(Error::new(
        Code::SchemaMismatch,
        format!(
            "{label}: the new version does not fit the series' schema: {}",
            problems.join("; ")
        ),
    )
    .with_path(label))
}

#[cfg(test)]
mod tests {
    use super::*;
    use DataType::*;

    fn ts(u: TimeUnit, z: Option<&str>) -> DataType {
        Timestamp(u, z.map(Arc::from))
    }

    #[test]
    fn widenings_unify_in_either_order() {
        let cases = [
            (Int32, Int64, Some(Int64)),
            (Int8, Int16, Some(Int16)),
            (UInt32, Int32, Some(Int64)),
            (UInt64, Int64, None),
            (Float32, Float64, Some(Float64)),
            (Int64, Float64, Some(Float64)),
            (Utf8, LargeUtf8, Some(LargeUtf8)),
            (Utf8View, Utf8, Some(Utf8)),
            (Null, Int32, Some(Int32)),
            (
                ts(TimeUnit::Millisecond, Some("UTC")),
                ts(TimeUnit::Microsecond, Some("UTC")),
                Some(ts(TimeUnit::Microsecond, Some("UTC"))),
            ),
            (
                ts(TimeUnit::Second, None),
                ts(TimeUnit::Second, Some("UTC")),
                Some(ts(TimeUnit::Second, Some("UTC"))),
            ),
            (
                ts(TimeUnit::Second, Some("UTC")),
                ts(TimeUnit::Second, Some("+01:00")),
                None,
            ),
            (Utf8, Int64, None),
            (Boolean, Int8, None),
            (Float64, ts(TimeUnit::Second, None), None),
        ];
        for (a, b, want) in cases {
            assert_eq!(unify_types(&a, &b), want, "{a} with {b}");
            assert_eq!(unify_types(&b, &a), want, "{b} with {a}");
        }
    }

    #[test]
    fn a_column_missing_from_a_version_is_nullable() {
        let v1: SchemaRef = Arc::new(Schema::new(vec![
            Field::new("t", Int64, false),
            Field::new("site", Utf8, false),
        ]));
        let v2: SchemaRef = Arc::new(Schema::new(vec![Field::new("t", Int32, false)]));
        let merged = merge_schemas([&v1, &v2]);
        assert_eq!(merged.field(0), &Field::new("t", Int64, false));
        assert_eq!(merged.field(1), &Field::new("site", Utf8, true));
    }

    #[test]
    fn a_new_version_is_checked_by_the_same_rules() {
        let v1: SchemaRef = Arc::new(Schema::new(vec![
            Field::new("t", Int64, false),
            Field::new("site", Utf8, false),
            Field::new("note", Utf8, true),
        ]));
        let ok = Schema::new(vec![
            Field::new("t", Int32, false),
            Field::new("site", Utf8View, true),
            Field::new("extra", Float64, false),
        ]);
        assert!(check_new_version("/s", &[&v1], &ok).is_ok());
        let bad = Schema::new(vec![Field::new("t", Utf8, false)]);
        let err = check_new_version("/s", &[&v1], &bad).unwrap_err();
        assert_eq!(err.code, Code::SchemaMismatch);
        assert!(err
            .message
            .contains("column 't' is Int64 not null in the series but Utf8 not null"));
        assert!(err
            .message
            .contains("column 'site' (Utf8 not null) is missing"));
        assert!(!err.message.contains("'note'"));
    }
}
