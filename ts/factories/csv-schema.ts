// SPDX-License-Identifier: Apache-2.0
/**
 * csvdir's explicit `schema`: the type of each named CSV column, in the original's shape (a
 * list of `{name, data_type, nullable?}`) or as a mapping of column name to type. Type names
 * are the original's (`int64`, `float64`, `utf8`/`string`, `boolean`/`bool`, `timestamp`,
 * `date32`... any case) or Arrow's own (`Int64`, `Float64`, `Utf8`,
 * `Timestamp(Millisecond, Some("UTC"))`). With a schema the CSV is parsed as text and each
 * listed column cast from its text to its type, so nothing is lost to type inference first
 * (`007` stays `007` as Utf8); columns the schema does not list stay text. Pure: the cast SQL
 * is built here, the reading is csvdir's.
 */

import { quoteIdent, quoteLiteral } from '../query/sql-text.js';
import {
  bool,
  ConfigError,
  type Infer,
  list,
  obj,
  record,
  type Schema,
  schemaOf,
  str,
} from './config.js';

/** The original's type names (lower case) and the Arrow type each reads as. */
const NAMED: Readonly<Record<string, string>> = {
  int8: 'Int8',
  int16: 'Int16',
  int32: 'Int32',
  int64: 'Int64',
  uint8: 'UInt8',
  uint16: 'UInt16',
  uint32: 'UInt32',
  uint64: 'UInt64',
  float32: 'Float32',
  float64: 'Float64',
  utf8: 'Utf8',
  string: 'Utf8',
  largeutf8: 'LargeUtf8',
  boolean: 'Boolean',
  bool: 'Boolean',
  date32: 'Date32',
  date64: 'Date64',
  // The original reads `timestamp` as zone-less milliseconds; pond reads CSV times as UTC.
  timestamp: 'Timestamp(Millisecond, Some("UTC"))',
};

const TIMESTAMP =
  /^Timestamp\((Second|Millisecond|Microsecond|Nanosecond), (None|Some\("([A-Za-z0-9_/+:-]+)"\))\)$/;

/** The Arrow type (as `arrow_cast` names it) for a schema type name; null if unknown. */
export function arrowTypeName(name: string): string | null {
  const named = NAMED[name.toLowerCase()];
  if (named) return named;
  const m = TIMESTAMP.exec(name.trim());
  if (!m) return null;
  // Zone-less CSV times are UTC in pond (docs/queries.md), so `None` reads as UTC too.
  return `Timestamp(${m[1]}, Some("${m[3] ?? 'UTC'}"))`;
}

export interface CsvColumn {
  readonly name: string;
  /** The Arrow type name for `arrow_cast`. */
  readonly type: string;
}

const column = obj({ name: str, data_type: str }, { nullable: bool });

function typeOf(text: string, path: string): string {
  const type = arrowTypeName(text);
  if (!type) {
    throw new ConfigError(
      `${path}: unknown type ${JSON.stringify(text)} (known: ${Object.keys(NAMED).join(', ')}, or Arrow names such as Int64, Utf8, Timestamp(Millisecond, Some("UTC")))`,
    );
  }
  return type;
}

/** `schema`: `[{name, data_type, nullable?}]` (the original's) or `{column: type}`. */
export const csvSchema: Schema<CsvColumn[]> = schemaOf((v, path, origin) => {
  const out: CsvColumn[] = [];
  if (Array.isArray(v)) {
    const columns: Infer<typeof column>[] = list(column).parse(v, path, origin);
    columns.forEach((c, i) => {
      if (c.nullable === false) {
        throw new ConfigError(
          `${path}[${i}].nullable: false is not supported (pond reads every CSV column as nullable; check for NULLs in a query)`,
        );
      }
      out.push({ name: c.name, type: typeOf(c.data_type, `${path}[${i}].data_type`) });
    });
  } else {
    for (const [name, type] of Object.entries(record(str).parse(v, path, origin))) {
      out.push({ name, type: typeOf(type, `${path}.${name}`) });
    }
  }
  const seen = new Set<string>();
  for (const c of out) {
    if (c.name === '') throw new ConfigError(`${path}: a column name is empty`);
    if (seen.has(c.name)) throw new ConfigError(`${path}: column ${JSON.stringify(c.name)} twice`);
    seen.add(c.name);
  }
  if (out.length === 0) throw new ConfigError(`${path}: at least one column is needed`);
  return out;
});

/**
 * The SELECT of the typed table over `input` (the CSV read as text, with `columns`): each
 * schema column cast to its type, in the file's column order. With a header, schema
 * columns are found by name (one the file lacks is an error naming it); without one, the
 * schema names the file's columns in order. Pure.
 */
export function typedSelect(
  schema: readonly CsvColumn[],
  columns: readonly string[],
  hasHeader: boolean,
  label: string,
): string {
  const byName = new Map<string, { name: string; type: string }>();
  if (hasHeader) {
    for (const c of schema) {
      if (!columns.includes(c.name)) {
        throw new ConfigError(
          `${label}: the schema names column ${JSON.stringify(c.name)}, which the CSV does not have (it has ${columns.join(', ')})`,
        );
      }
      byName.set(c.name, c);
    }
  } else {
    if (schema.length > columns.length) {
      throw new ConfigError(
        `${label}: the schema names ${schema.length} columns, but the CSV has ${columns.length}`,
      );
    }
    schema.forEach((c, i) => {
      byName.set(columns[i] as string, c);
    });
  }
  const select = columns.map((col) => {
    const c = byName.get(col);
    if (!c) return quoteIdent(col);
    return `arrow_cast(${quoteIdent(col)}, ${quoteLiteral(c.type)}) AS ${quoteIdent(c.name)}`;
  });
  return `SELECT ${select.join(', ')} FROM input`;
}
