// SPDX-License-Identifier: Apache-2.0
/**
 * Typed wrapper over the addon's query engine (one per process): table references of a
 * statement, queries streamed as encoded chunks, EXPLAIN text, and Parquet inspection.
 */

import { PondError } from '../errors.js';
import type { TableSpec } from '../query/spec.js';
import { scrub, scrubbing, scrubText, secretsWithin } from '../secrets.js';
import {
  addon,
  type ColumnInfo,
  call,
  callSync,
  type NativeEngine,
  type QueryOptions as NativeQueryOptions,
  type ParquetInfo,
  type TableRef,
} from './addon.js';

export type OutputFormat = 'ipc' | 'csv' | 'json' | 'parquet' | 'table';

export type { ColumnInfo, ParquetInfo, TableRef };

/** Query options, with `format` narrowed to the formats the engine writes. */
export interface QueryOptions extends Omit<NativeQueryOptions, 'format'> {
  readonly format?: OutputFormat;
  /**
   * Called once per warning of the statement's format readers (lines skipped, invalid
   * UTF-8 replaced), after the last chunk; not called for a query stopped early.
   */
  readonly onWarning?: (warning: string) => void;
}

let engine: NativeEngine | undefined;

function native(): NativeEngine {
  engine ??= new (addon().NativeEngine)();
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
  const { onWarning, ...engineOptions } = options;
  // What the engine reports names files by path: scrub the ${env:} values the specs hold.
  const secrets = secretsWithin(specs);
  try {
    const stream = await call(() => native().query(sql, JSON.stringify(specs), engineOptions));
    for (;;) {
      const chunk = await call(() => stream.next());
      if (!chunk) break;
      yield chunk;
    }
    if (!onWarning) return;
    for (const warning of callSync(() => stream.warnings())) onWarning(scrubText(warning, secrets));
  } catch (err) {
    throw scrub(err, secrets);
  }
}

/** The parsed formats the engine reads, with their options (the addon's table). */
export function parsedFormats(): { name: string; options: string[]; concatenated: boolean }[] {
  return callSync(() => addon().parsedFormats());
}

export async function explain(
  sql: string,
  specs: Readonly<Record<string, TableSpec>>,
  options: QueryOptions = {},
): Promise<string> {
  const { onWarning: _, ...engineOptions } = options;
  const secrets = secretsWithin(specs);
  const text = await scrubbing(secrets, () =>
    call(() => native().explain(sql, JSON.stringify(specs), engineOptions)),
  );
  return scrubText(text, secrets);
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
