// SPDX-License-Identifier: Apache-2.0
/**
 * Arrow IPC on the TS side of the boundary: one IPC *stream* buffer per call in each
 * direction (see `native/src/ipc.rs`). Helpers here build and read columns by name.
 */

import {
  Table as ArrowTable,
  Binary,
  type DataType,
  Int64,
  type Table,
  tableFromIPC,
  tableToIPC,
  Utf8,
  type Vector,
  vectorFromArray,
} from 'apache-arrow';

export type ColumnValues =
  | { type: 'utf8'; values: (string | null)[] }
  | { type: 'int64'; values: (number | null)[] }
  | { type: 'binary'; values: (Uint8Array | null)[] };

function vector(column: ColumnValues): Vector {
  switch (column.type) {
    case 'utf8':
      return vectorFromArray(column.values, new Utf8() as DataType);
    case 'int64':
      return vectorFromArray(
        column.values.map((v) => (v === null ? null : BigInt(v))),
        new Int64() as DataType,
      );
    case 'binary':
      return vectorFromArray(column.values, new Binary() as DataType);
  }
}

/** Encode named columns as one IPC stream buffer. */
export function encodeColumns(columns: Record<string, ColumnValues>): Buffer {
  const vectors: Record<string, Vector> = {};
  for (const [name, column] of Object.entries(columns)) vectors[name] = vector(column);
  return Buffer.from(tableToIPC(new ArrowTable(vectors), 'stream'));
}

export function decode(buffer: Uint8Array): Table {
  return tableFromIPC(buffer);
}

function column(table: Table, name: string): Vector {
  const col = table.getChild(name);
  if (!col) throw new Error(`IPC result lacks column ${name}`);
  return col;
}

export function utf8Column(table: Table, name: string): (string | null)[] {
  return column(table, name).toArray() as (string | null)[];
}

export function binaryColumn(table: Table, name: string): (Uint8Array | null)[] {
  const col = column(table, name);
  const out: (Uint8Array | null)[] = [];
  for (let i = 0; i < col.length; i++) out.push((col.get(i) as Uint8Array | null) ?? null);
  return out;
}

/** Int64 and Timestamp columns as plain numbers (raw units; exact below 2^53). */
export function int64Column(table: Table, name: string): (number | null)[] {
  const out: (number | null)[] = [];
  for (const data of column(table, name).data) {
    const values = data.values as BigInt64Array;
    for (let i = 0; i < data.length; i++) {
      out.push(data.getValid(i) ? Number(values[i] as bigint) : null);
    }
  }
  return out;
}
