// SPDX-License-Identifier: Apache-2.0
/**
 * SQL for the library: plan the pond tables a statement names, run it in the engine and
 * hand back Arrow, whole ({@link collectSql}) or batch by batch ({@link streamSql}); or
 * plan it without running ({@link explainSql}). Factories and commands reach the engine
 * through here and the planner, never through `native/` themselves.
 */

import { type RecordBatch, Table, tableFromIPC } from 'apache-arrow';
import { explain, query } from '../native/engine.js';
import type { WD } from '../tinyfs/fs.js';
import { planTables } from './planner.js';
import type { TableSpec } from './spec.js';

/** Options of {@link Pond.sql} and {@link Pond.stream}. */
export interface SqlOptions {
  /**
   * Cancel the statement after this many milliseconds (planning and every batch after);
   * it then rejects with `TIMEOUT`. Default: no limit.
   */
  readonly timeoutMs?: number;
  /**
   * Check each large content file against its recorded BLAKE3 before the scan reads it
   * (default true; a file is re-hashed only when it changed since it was last verified).
   * A mismatch rejects with `CORRUPT`.
   */
  readonly verify?: boolean;
  /**
   * Called with each warning of the statement's format readers once the result is
   * complete: lines a format skipped (`weblog: /logs/a.log: 3 lines skipped (...)`), invalid
   * UTF-8 read as U+FFFD. Without it warnings are dropped; `?strict=true` on a format URL
   * makes them errors instead.
   */
  readonly onWarning?: (warning: string) => void;
}

/** Run SQL with pond paths resolved in `root`; the result as Arrow IPC chunks. */
export async function* ipcChunks(
  root: WD,
  hostRoot: string,
  sql: string,
  options: SqlOptions,
): AsyncIterable<Uint8Array> {
  const cacheDir = root.fs.persistence.cacheDir ?? null;
  const specs = await planTables(sql, { root, hostRoot, cacheDir });
  yield* query(sql, specs, { format: 'ipc', ...options });
}

export async function* streamSql(
  root: WD,
  hostRoot: string,
  sql: string,
  options: SqlOptions,
): AsyncIterable<RecordBatch> {
  for await (const chunk of ipcChunks(root, hostRoot, sql, options)) {
    yield* tableFromIPC(chunk).batches;
  }
}

export async function collectSql(
  root: WD,
  hostRoot: string,
  sql: string,
  options: SqlOptions,
): Promise<Table> {
  const tables: Table[] = [];
  for await (const chunk of ipcChunks(root, hostRoot, sql, options)) {
    tables.push(tableFromIPC(chunk));
  }
  if (tables.length === 1) return tables[0] as Table;
  return new Table(tables.flatMap((t) => t.batches));
}

/**
 * The output schema and physical plan of `sql` over planned `tables`, without running it
 * (what `--explain` prints). A table whose plan is wrong fails here as a run would.
 */
export function explainSql(
  sql: string,
  tables: Readonly<Record<string, TableSpec>>,
): Promise<string> {
  return explain(sql, tables);
}
