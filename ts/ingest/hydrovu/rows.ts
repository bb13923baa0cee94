// SPDX-License-Identifier: Apache-2.0
/**
 * From a location's pages to one series version, as the original builds it: pages merged
 * per parameter (readings of a parameter seen again are appended), one row per distinct
 * timestamp in ascending order, a column `<parameter>.<unit>` per parameter named from the
 * dictionary (a missing id stands for itself: `4.17`), and the schema `timestamp`
 * (Timestamp(Second, "+00:00"), non-null) then the columns in byte order, Float64 and
 * nullable. Pure: the collector does the I/O.
 *
 * Where two parameters map to one column name the original let the later one overwrite
 * every row, even with nothing; here a row takes a reading from whichever of them has one
 * (the later one when both do).
 */

import {
  Field,
  Float64,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  TimestampSecond,
} from 'apache-arrow';
import type { Dictionary, LocationPage, ParameterReadings } from './model.js';

/** The time column the original writes, and its zone. */
export const TIME_COLUMN = 'timestamp';
export const TIME_ZONE = '+00:00';

interface Merged {
  readonly parameterId: string;
  readonly unitId: string;
  readonly readings: Array<{ timestamp: number; value: number | null }>;
}

/** The pages' parameters merged by `parameterId`, in first-seen order. */
export function mergePages(pages: readonly LocationPage[]): Merged[] {
  const byId = new Map<string, Merged>();
  for (const page of pages) {
    for (const p of page.parameters) {
      const seen = byId.get(p.parameterId);
      if (seen) seen.readings.push(...p.readings);
      else byId.set(p.parameterId, { ...p, readings: [...p.readings] });
    }
  }
  return [...byId.values()];
}

/** A parameter's column: friendly parameter name, `.`, friendly unit name. */
export function columnName(p: Pick<ParameterReadings, 'parameterId' | 'unitId'>, d: Dictionary) {
  return `${d.parameters.get(p.parameterId) ?? p.parameterId}.${d.units.get(p.unitId) ?? p.unitId}`;
}

/** Wide rows: times ascending, and per column the value at each time (null: none). */
export interface WideRows {
  /** Unix seconds, ascending, distinct. */
  readonly times: readonly number[];
  /** Column names in byte order, each with one value per time. */
  readonly columns: ReadonlyArray<readonly [string, ReadonlyArray<number | null>]>;
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

export function wideRows(pages: readonly LocationPage[], dictionary: Dictionary): WideRows {
  const merged = mergePages(pages);
  const cells = new Map<string, Map<number, number | null>>();
  const times = new Set<number>();
  for (const p of merged) {
    const name = columnName(p, dictionary);
    const column = cells.get(name) ?? new Map<number, number | null>();
    cells.set(name, column);
    for (const { timestamp, value } of p.readings) {
      times.add(timestamp);
      if (value !== null || !column.has(timestamp)) column.set(timestamp, value);
    }
  }
  const sorted = [...times].sort((a, b) => a - b);
  const columns = [...cells.keys()].sort(byteOrder).map((name) => {
    const column = cells.get(name) as Map<number, number | null>;
    return [name, sorted.map((t) => column.get(t) ?? null)] as const;
  });
  return { times: sorted, columns };
}

function floatData(values: ReadonlyArray<number | null>) {
  const data = new Float64Array(values.length);
  const validity = new Uint8Array(Math.ceil(values.length / 8));
  let nulls = 0;
  values.forEach((v, i) => {
    if (v === null) nulls++;
    else {
      data[i] = v;
      validity[i >> 3] = (validity[i >> 3] as number) | (1 << (i & 7));
    }
  });
  return makeData({
    type: new Float64(),
    length: values.length,
    data,
    nullCount: nulls,
    ...(nulls > 0 ? { nullBitmap: validity } : {}),
  });
}

/** The rows as one Arrow record batch in the original's schema. */
export function toRecordBatch(rows: WideRows): RecordBatch {
  const timeType = new TimestampSecond(TIME_ZONE);
  const fields = [
    new Field(TIME_COLUMN, timeType, false),
    ...rows.columns.map(([name]) => new Field(name, new Float64(), true)),
  ];
  const length = rows.times.length;
  const children = [
    makeData({
      type: timeType,
      length,
      data: BigInt64Array.from(rows.times, (t) => BigInt(t)),
      nullCount: 0,
    }),
    ...rows.columns.map(([, values]) => floatData(values)),
  ];
  const schema = new Schema(fields);
  const data = makeData({ type: new Struct(fields), length, nullCount: 0, children });
  return new RecordBatch(schema, data);
}
