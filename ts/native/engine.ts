// SPDX-License-Identifier: Apache-2.0
/**
 * Typed wrapper over the addon's query engine (one per process): table references of a
 * statement, queries streamed as encoded chunks, EXPLAIN text, and Parquet inspection.
 */

import { PondError } from '../errors.js';
import type { TableSpec } from '../query/spec.js';
import { addon, call } from './addon.js';

export type OutputFormat = 'ipc' | 'csv' | 'json' | 'parquet' | 'table';

export interface TableRef {
  readonly text: string;
  readonly table: string;
  readonly schema?: string | null;
}

export interface ColumnInfo {
  readonly name: string;
  readonly dataType: string;
  readonly nullable: boolean;
  readonly timeLike: boolean;
}

export interface ParquetInfo {
  readonly columns: ColumnInfo[];
  readonly numRows: number;
  readonly numRowGroups: number;
  readonly size: number;
  readonly timeColumn?: string | null;
  readonly minTime?: number | null;
  readonly maxTime?: number | null;
}

export interface QueryOptions {
  readonly format?: OutputFormat;
  readonly targetPartitions?: number;
  /** With `parquet`: the most rows per row group. */
  readonly rowGroupRows?: number;
  /** Check pond content against its recorded BLAKE3 before scanning it (default true). */
  readonly verify?: boolean;
  /** Cancel the statement with TIMEOUT after this many milliseconds. */
  readonly timeoutMs?: number;
}

interface NativeBatchStream {
  next(): Promise<Buffer | null>;
}

export interface NativeEngine {
  tableReferences(sql: string): TableRef[];
  query(sql: string, specsJson: string, options: QueryOptions): Promise<NativeBatchStream>;
  explain(sql: string, specsJson: string, options: QueryOptions): Promise<string>;
  parquetInfo(path: string, timeColumn?: string | null): Promise<ParquetInfo>;
  checkSeriesVersion(label: string, existing: string[], newPath: string): Promise<void>;
}

let engine: NativeEngine | undefined;

function native(): NativeEngine {
  engine ??= new (addon().NativeEngine as unknown as new () => NativeEngine)();
  return engine;
}

export function tableReferences(sql: string): Promise<TableRef[]> {
  return call(() => native().tableReferences(sql));
}

/** Run a query; yields encoded chunks in `options.format`. */
export async function* query(
  sql: string,
  specs: Readonly<Record<string, TableSpec>>,
  options: QueryOptions = {},
): AsyncIterable<Buffer> {
  const stream = await call(() => native().query(sql, JSON.stringify(specs), options));
  for (;;) {
    const chunk = await call(() => stream.next());
    if (!chunk) return;
    yield chunk;
  }
}

export function explain(
  sql: string,
  specs: Readonly<Record<string, TableSpec>>,
  options: QueryOptions = {},
): Promise<string> {
  return call(() => native().explain(sql, JSON.stringify(specs), options));
}

export function parquetInfo(path: string, timeColumn?: string | null): Promise<ParquetInfo> {
  return call(() => native().parquetInfo(path, timeColumn ?? null));
}

/**
 * Check the Parquet file `newPath`, a new version of the series `label`, against the
 * series' existing versions (their local paths): SCHEMA_MISMATCH, naming the column and
 * both types, when the series could not read it back (docs/queries.md, "Series schemas").
 */
export async function checkSeriesVersion(
  label: string,
  existing: readonly string[],
  newPath: string,
): Promise<void> {
  try {
    await call(() => native().checkSeriesVersion(label, [...existing], newPath));
  } catch (err) {
    if (err instanceof PondError) throw new PondError(err.code, err.message, { path: label });
    throw err;
  }
}
