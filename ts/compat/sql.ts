// SPDX-License-Identifier: Apache-2.0
/**
 * The engine over the original's own files (control records, chunked large files, the
 * oplog's `collapsed_through`), which pond's store does not read: SQL over host Parquet
 * files named by a TableSpec, results decoded from the engine's Arrow IPC chunks.
 */

import { type Table, tableFromIPC } from 'apache-arrow';
import { query } from '../native/engine.js';
import type { TableSpec } from '../query/spec.js';

/** The Parquet files at `paths` as one table (`label` names it in errors). */
export function parquetFiles(label: string, paths: readonly string[]): TableSpec {
  return { kind: 'parquet', label, files: paths.map((path) => ({ path })) };
}

/** The result of `sql` over `tables`, as the engine's IPC chunks decoded. */
export async function queryTables(
  sql: string,
  tables: Readonly<Record<string, TableSpec>>,
): Promise<Table[]> {
  const out: Table[] = [];
  for await (const chunk of query(sql, tables, { format: 'ipc' })) out.push(tableFromIPC(chunk));
  return out;
}
